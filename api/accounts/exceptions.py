"""Errors of the accounts domain."""

from api.core.errors import Conflict, Forbidden, NotFound, Unauthorized


class InvalidCredentials(Unauthorized):
    def __init__(self) -> None:
        super().__init__(
            "Wrong email or password. Check both and try again; an administrator can reset "
            "the password with `python -m api teachers add` (or TEACHER_PASSWORD)."
        )


class NotSignedIn(Unauthorized):
    def __init__(self, reason: str) -> None:
        super().__init__(
            f"{reason}: sign in with POST /api/auth/token (OAuth2 password form) and send "
            "'Authorization: Bearer <access_token>'."
        )


class NeedsTeacher(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "This operation needs a teacher's token, not a pupil's: sign in with "
            "POST /api/auth/token."
        )


class NeedsAdministrator(Forbidden):
    def __init__(self) -> None:
        super().__init__("Only an administrator can manage teacher accounts.")


class NoStudentCredential(Unauthorized):
    def __init__(self, reason: str) -> None:
        super().__init__(
            f"{reason}: send 'Authorization: Bearer <access_token>' with the pupil's own token "
            "(the teacher can issue a new one with POST /api/teacher/students/{id}/access-token)."
        )


class NeedsStudent(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "Pupils' endpoints take the pupil's own access token, not a teacher's; teachers "
            "read homework with GET /api/teacher/homework/{homework_id}."
        )


class TeacherEmailTaken(Conflict):
    def __init__(self, email: str) -> None:
        super().__init__(f"A teacher with email {email!r} already exists: use another email.")


class TeacherNotFound(NotFound):
    def __init__(self, teacher_id: int) -> None:
        super().__init__(
            f"Teacher {teacher_id} not found: list teachers with GET /api/admin/teachers."
        )
