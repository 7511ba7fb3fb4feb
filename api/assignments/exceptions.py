"""Errors of the assignments domain."""

from api.core.errors import Invalid, NotFound


class AssignmentNotFound(NotFound):
    def __init__(self, assignment_id: int) -> None:
        super().__init__(
            f"Assignment {assignment_id} not found: list assignments with "
            "GET /api/teacher/assignments."
        )


class NoStudents(Invalid):
    def __init__(self) -> None:
        super().__init__(
            "Nobody would receive this assignment: give student_ids, or a class_id whose class "
            "has students (add them with POST /api/teacher/classes/{id}/students)."
        )
