"""Errors of the students domain."""

from collections.abc import Iterable

from api.core.errors import Conflict, Invalid, NotFound


class StudentNotFound(NotFound):
    def __init__(self, student_id: int) -> None:
        super().__init__(
            f"Student {student_id} not found: list students with GET /api/teacher/students."
        )


class EmailAlreadyRegistered(Conflict):
    def __init__(self, email: str) -> None:
        super().__init__(
            f"You already have a student with email {email!r}: use a different email "
            "or find that student with GET /api/teacher/students."
        )


class UnknownStudents(Invalid):
    def __init__(self, student_ids: Iterable[int]) -> None:
        ids = ", ".join(str(i) for i in sorted(student_ids))
        super().__init__(
            f"student_ids: unknown student id(s) {ids}; create them first with "
            "POST /api/teacher/students or check GET /api/teacher/students."
        )
