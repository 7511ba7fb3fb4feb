"""Errors of the students domain."""

from api.core.errors import Conflict, NotFound


class StudentNotFound(NotFound):
    def __init__(self, student_id: int) -> None:
        super().__init__(
            f"Student {student_id} not found: list students with GET /api/teacher/students."
        )


class EmailAlreadyRegistered(Conflict):
    def __init__(self, email: str) -> None:
        super().__init__(
            f"A student with email {email!r} already exists: use a different email "
            "or fetch that student with GET /api/teacher/students."
        )
