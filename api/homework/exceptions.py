"""Errors of the homework domain."""

from api.core.errors import NotFound


class HomeworkNotFound(NotFound):
    def __init__(self, student_id: int, homework_id: int) -> None:
        super().__init__(
            f"Homework {homework_id} not found for student {student_id}: list it with "
            f"GET /api/student/{student_id}/homework?status=all."
        )
