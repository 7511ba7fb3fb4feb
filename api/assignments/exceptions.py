"""Errors of the assignments domain."""

from collections.abc import Iterable

from api.core.errors import Invalid, NotFound


class AssignmentNotFound(NotFound):
    def __init__(self, assignment_id: int) -> None:
        super().__init__(
            f"Assignment {assignment_id} not found: list assignments with "
            "GET /api/teacher/assignments."
        )


class UnknownStudents(Invalid):
    def __init__(self, student_ids: Iterable[int]) -> None:
        ids = ", ".join(str(i) for i in sorted(student_ids))
        super().__init__(
            f"student_ids: unknown student id(s) {ids}; create them first with "
            "POST /api/teacher/students or check GET /api/teacher/students."
        )
