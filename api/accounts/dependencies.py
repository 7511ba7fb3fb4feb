"""Who is calling: ``CurrentTeacher``, ``CurrentAdmin`` and ``CurrentStudent`` resolve the bearer
credential of a request (or the teacher's session cookie on the pages) and count it against the
per-token rate limit."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2PasswordBearer

from api.accounts import service
from api.accounts.exceptions import (
    NeedsAdministrator,
    NeedsStudent,
    NeedsTeacher,
    NoStudentCredential,
    NotSignedIn,
)
from api.accounts.limits import RateLimits
from api.accounts.service import SignedInTeacher
from api.accounts.tokens import TokenKind, hash_token, kind_of
from api.core.database import Database
from api.core.errors import NotFound
from api.core.ids import StudentIdPath
from api.students import service as students

TOKEN_URL = "/api/auth/token"
SESSION_COOKIE = "it_session"

teacher_scheme = OAuth2PasswordBearer(
    tokenUrl=TOKEN_URL,
    scheme_name="Teacher",
    description="Sign in with your email and password (POST /api/auth/token).",
    auto_error=False,
)
student_scheme = HTTPBearer(
    scheme_name="Pupil",
    description="The pupil's access token (the last part of their personal link).",
    auto_error=False,
)


async def _is_pupil_token(database: Database, token_hash: str) -> bool:
    def lookup() -> bool:
        with database.single_read() as db:
            return students.student_for_token(db=db, token_hash=token_hash) is not None

    return await database.run(lookup)


async def _is_teacher_token(database: Database, token_hash: str) -> bool:
    def lookup() -> bool:
        with database.single_read() as db:
            return service.signed_in(db=db, token_hash=token_hash) is not None

    return await database.run(lookup)


async def resolve_teacher(request: Request, token: str | None) -> SignedInTeacher:
    """The signed-in teacher behind ``token``; 401 or 403 otherwise."""
    if not token:
        raise NotSignedIn("No token")
    kind = kind_of(token)
    token_hash = hash_token(token)
    database: Database = request.app.state.database
    if kind is TokenKind.student:
        if await _is_pupil_token(database, token_hash):
            raise NeedsTeacher()
        raise NotSignedIn("The token is not valid")
    if kind is not TokenKind.teacher:
        raise NotSignedIn("The token is not valid")

    def lookup() -> SignedInTeacher | None:
        with database.single_read() as db:
            return service.signed_in(db=db, token_hash=token_hash)

    teacher = await database.run(lookup)
    if teacher is None:
        raise NotSignedIn("The token is wrong, expired or signed out")
    limits: RateLimits = request.app.state.rate_limits
    limits.hit_token(token_hash)
    request.state.teacher_id = teacher.id
    return teacher


async def current_teacher(
    request: Request, token: Annotated[str | None, Depends(teacher_scheme)]
) -> SignedInTeacher:
    """The teacher signed in with the request's bearer token."""
    return await resolve_teacher(request, token)


async def current_admin(
    teacher: Annotated[SignedInTeacher, Depends(current_teacher)],
) -> SignedInTeacher:
    """The signed-in teacher, who must be an administrator."""
    if not teacher.is_admin:
        raise NeedsAdministrator()
    return teacher


class NotYourHomework(NotFound):
    def __init__(self, student_id: int) -> None:
        super().__init__(
            f"Nothing for student {student_id} with this token: open your own personal link."
        )


async def current_student(
    request: Request,
    student_id: StudentIdPath,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(student_scheme)],
) -> int:
    """The pupil whose own access token the request carries; another pupil's id is 404."""
    if credentials is None:
        raise NoStudentCredential("No token")
    token = credentials.credentials
    kind = kind_of(token)
    token_hash = hash_token(token)
    database: Database = request.app.state.database
    if kind is TokenKind.teacher:
        if await _is_teacher_token(database, token_hash):
            raise NeedsStudent()
        raise NoStudentCredential("The token is not valid")
    if kind is not TokenKind.student:
        raise NoStudentCredential("The token is not valid")

    def lookup() -> int | None:
        with database.single_read() as db:
            return students.student_for_token(db=db, token_hash=token_hash)

    owner = await database.run(lookup)
    if owner is None:
        raise NoStudentCredential("The token is wrong or was replaced by a new link")
    limits: RateLimits = request.app.state.rate_limits
    limits.hit_token(token_hash)
    if owner != student_id:
        raise NotYourHomework(student_id)
    return owner


CurrentTeacher = Annotated[SignedInTeacher, Depends(current_teacher)]
CurrentAdmin = Annotated[SignedInTeacher, Depends(current_admin)]
CurrentStudent = Annotated[int, Depends(current_student)]
