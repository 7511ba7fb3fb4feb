"""Who is calling: ``CurrentTeacher``, ``CurrentAdmin`` and ``CurrentStudent`` resolve the bearer
credential of a request (or the teacher's session cookie on the pages) and count it against the
per-token rate limit."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer, OAuth2PasswordBearer
from sqlalchemy import Connection

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
from api.core.database import Database, utcnow
from api.core.errors import NotFound
from api.core.ids import StudentIdPath
from api.students import service as students

TOKEN_URL = "/api/auth/token"
SESSION_COOKIE = "it_session"

student_scheme = HTTPBearer(
    scheme_name="Pupil",
    description="The pupil's access token (the last part of their personal link).",
    auto_error=False,
)
#: ``openapi_extra`` of the pupils' operations: they read the header themselves (see
#: ``pupil_token``), so the scheme is declared here rather than found through a dependency.
PUPIL_SECURITY: dict[str, Any] = {"security": [{student_scheme.scheme_name: []}]}


def document_pupil_scheme(schema: dict[str, Any]) -> None:
    """Add the pupils' bearer scheme to the OpenAPI components (Swagger's Authorize dialog)."""
    schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes[student_scheme.scheme_name] = student_scheme.model.model_dump(
        mode="json", by_alias=True, exclude_none=True
    )


async def _is_pupil_token(database: Database, token_hash: str) -> bool:
    return await database.one(students.BY_TOKEN, {"token_hash": token_hash}) is not None


class SignedInCache:
    """Teachers resolved from their tokens, kept while nothing has been committed since.

    A teacher's every request looks their token up. Where the database can say cheaply whether
    anything changed (``Database.version``: a commit by any connection or process), a lookup is
    answered from here until then, and only before the token's expiry. Signing out, a token
    revoked, a teacher removed: each is a commit, so the request after it reads the database
    again. Only tokens that signed someone in are kept, at most ``LIMIT`` of them.
    """

    LIMIT = 1024

    def __init__(self) -> None:
        self._entries: dict[str, tuple[tuple[int, int, int], SignedInTeacher, datetime]] = {}

    def get(
        self, token_hash: str, version: tuple[int, int, int], now: datetime
    ) -> SignedInTeacher | None:
        entry = self._entries.get(token_hash)
        if entry is None or entry[0] != version or entry[2] <= now:
            return None
        return entry[1]

    def put(
        self,
        token_hash: str,
        version: tuple[int, int, int],
        teacher: SignedInTeacher,
        expires_at: datetime,
    ) -> None:
        if len(self._entries) >= self.LIMIT:
            self._entries.clear()
        self._entries[token_hash] = (version, teacher, expires_at)


async def signed_in_teacher(
    database: Database, token_hash: str, cache: SignedInCache | None = None
) -> SignedInTeacher | None:
    """The teacher whose unexpired token has this hash, or None: one prepared statement, or
    none while ``cache`` knows the answer is unchanged."""
    now = utcnow()
    version = database.version() if cache is not None else None
    if cache is not None and version is not None:
        teacher = cache.get(token_hash, version, now)
        if teacher is not None:
            return teacher
    row = await database.one(service.BY_TOKEN, {"token_hash": token_hash, "now": now})
    if row is None:
        return None
    expires_at = row.pop("expires_at")
    teacher = SignedInTeacher(**row, token_hash=token_hash)
    if cache is not None and version is not None:
        cache.put(token_hash, version, teacher, expires_at)
    return teacher


async def _is_teacher_token(database: Database, token_hash: str) -> bool:
    return await signed_in_teacher(database, token_hash) is not None


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
    teacher = await signed_in_teacher(database, token_hash, request.app.state.signed_in)
    if teacher is None:
        raise NotSignedIn("The token is wrong, expired or signed out")
    limits: RateLimits = request.app.state.rate_limits
    limits.hit_token(token_hash)
    request.state.teacher_id = teacher.id
    return teacher


class TeacherBearer(OAuth2PasswordBearer):
    """The teachers' bearer scheme (OAuth2 password flow in the OpenAPI document), resolved
    straight to the signed-in teacher: one dependency per request rather than the scheme's and
    a resolver's, which is a measurable share of a cheap request."""

    async def __call__(self, request: Request) -> SignedInTeacher:  # type: ignore[override]
        # The base class answers with the token; this scheme answers with whom it signs in.
        return await resolve_teacher(request, bearer_token(request))


#: The signed-in teacher; documented as the "Teacher" security scheme on every operation.
current_teacher = TeacherBearer(
    tokenUrl=TOKEN_URL,
    scheme_name="Teacher",
    description="Sign in with your email and password (POST /api/auth/token).",
    auto_error=False,
)


#: ``openapi_extra`` of a ``SignedInFirst`` operation: the scheme its route resolves.
TEACHER_SECURITY: dict[str, Any] = {"security": [{current_teacher.scheme_name: []}]}


class SignedInFirst(APIRoute):
    """A teacher's operation whose route resolves the signed-in teacher before it reads anything
    of the request, into ``request.state.teacher``.

    For the hottest teacher operations: the same answers as the ``CurrentTeacher`` dependency (a
    request without a valid token is a 401 whatever its body, a pupil's token a 403, each
    counted against the token's rate limit), for one dependency less to solve per request.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            request.state.teacher = await current_teacher(request)
            return await handler(request)

        return handle


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


@dataclass(frozen=True, slots=True)
class PupilToken:
    """A pupil's bearer token, well formed but not yet checked against the database, and the
    student id of the path it was sent to."""

    student_id: int
    token_hash: str


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header, or None."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if token and scheme.lower() == "bearer" else None


async def pupil_token(request: Request, student_id: StudentIdPath) -> PupilToken:
    """The request's pupil token, refused at once when absent, malformed or a teacher's.

    It reads the header itself rather than through ``student_scheme``: one dependency less on
    the hottest path; the routes declare the scheme for OpenAPI (``PUPIL_SECURITY``)."""
    token = bearer_token(request)
    if token is None:
        raise NoStudentCredential("No token")
    kind = kind_of(token)
    token_hash = hash_token(token)
    if kind is TokenKind.teacher:
        if await _is_teacher_token(request.app.state.database, token_hash):
            raise NeedsStudent()
        raise NoStudentCredential("The token is not valid")
    if kind is not TokenKind.student:
        raise NoStudentCredential("The token is not valid")
    return PupilToken(student_id=student_id, token_hash=token_hash)


def verify_pupil(db: Connection, pupil: PupilToken) -> int:
    """The pupil's id when the token is theirs and the path is theirs; 401 or 404 otherwise."""
    owner = students.student_for_token(db=db, token_hash=pupil.token_hash)
    if owner is None:
        raise NoStudentCredential("The token is wrong or was replaced by a new link")
    if owner != pupil.student_id:
        raise NotYourHomework(pupil.student_id)
    return owner


async def current_student(
    request: Request, pupil: Annotated[PupilToken, Depends(pupil_token)]
) -> int:
    """The pupil whose own access token the request carries; another pupil's id is 404."""
    database: Database = request.app.state.database

    def lookup() -> int:
        with database.single_read() as db:
            return verify_pupil(db, pupil)

    owner = await database.run(lookup)
    limits: RateLimits = request.app.state.rate_limits
    limits.hit_token(pupil.token_hash)
    return owner


CurrentTeacher = Annotated[SignedInTeacher, Depends(current_teacher)]
CurrentAdmin = Annotated[SignedInTeacher, Depends(current_admin)]
CurrentStudent = Annotated[int, Depends(current_student)]
#: For the hottest reads, which check the token inside their own query (see api.homework.router).
PupilTokenDep = Annotated[PupilToken, Depends(pupil_token)]
