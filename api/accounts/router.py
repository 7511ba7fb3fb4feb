"""Sign-in, sign-out, and the administrator's teacher accounts."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.accounts import service
from api.accounts.dependencies import CurrentAdmin, CurrentTeacher
from api.accounts.exceptions import InvalidCredentials
from api.accounts.limits import RateLimits
from api.accounts.models import Teacher
from api.accounts.schemas import TeacherCreate, TeacherRead, TokenRead
from api.core.config import Settings
from api.core.deps import DatabaseDep, SettingsDep
from api.core.errors import responses
from api.core.ids import TeacherIdPath
from api.core.logging import log_event
from api.core.routing import operation_id

logger = logging.getLogger("api.accounts")

auth_router = APIRouter(
    prefix="/api/auth", tags=["sign-in"], generate_unique_id_function=operation_id
)
admin_router = APIRouter(
    prefix="/api/admin", tags=["admin: teachers"], generate_unique_id_function=operation_id
)


def client_address(request: Request) -> str:
    """The caller's address, for per-address limits."""
    return request.client.host if request.client else "unknown"


def sign_in(
    *, request: Request, database: DatabaseDep, settings: Settings, email: str, password: str
) -> tuple[str, int]:
    """Check the credentials under the sign-in limits and issue a token; (token, seconds)."""
    limits: RateLimits = request.app.state.rate_limits
    email = email.strip().lower()
    address = client_address(request)
    limits.check_login(email=email, address=address)
    ttl = timedelta(hours=settings.token_ttl_hours)
    with database.writing() as db:
        try:
            teacher = service.authenticate(db=db, email=email, password=password)
        except InvalidCredentials:
            limits.record_login_failure(email=email, address=address)
            log_event(logger, "auth.sign_in_failed", logging.WARNING, address=address)
            raise
        token = service.issue_token(db=db, teacher_id=teacher.id, ttl=ttl)
    log_event(logger, "auth.signed_in", teacher_id=teacher.id)
    return token, int(ttl.total_seconds())


@auth_router.post(
    "/token",
    summary="Sign in (OAuth2 password form: username = email)",
    responses=responses(401, 422, 429),
)
async def issue_token(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    database: DatabaseDep,
    settings: SettingsDep,
) -> TokenRead:
    """Exchange email and password for a bearer token; Swagger's Authorize button uses this."""
    token, seconds = await run_in_threadpool(
        lambda: sign_in(
            request=request,
            database=database,
            settings=settings,
            email=form.username,
            password=form.password,
        )
    )
    return TokenRead(access_token=token, expires_in=seconds)


@auth_router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Sign out: the token stops working at once",
    responses=responses(401),
)
async def logout(teacher: CurrentTeacher, database: DatabaseDep) -> Response:
    """Revoke the token this request carries."""

    def revoke(db: Session) -> None:
        service.revoke_token(db=db, token_hash=teacher.token_hash)

    await database.write(revoke)
    log_event(logger, "auth.signed_out", teacher_id=teacher.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@auth_router.get("/me", summary="Who is signed in", responses=responses(401))
async def me(teacher: CurrentTeacher, database: DatabaseDep) -> TeacherRead:
    """The signed-in teacher's account."""

    def read(db: Session) -> TeacherRead:
        return TeacherRead.model_validate(db.get(Teacher, teacher.id))

    return await database.read(read)


@admin_router.post(
    "/teachers",
    status_code=status.HTTP_201_CREATED,
    summary="Create a teacher account (administrators only)",
    responses=responses(401, 403, 409, 422),
)
async def create_teacher(
    data: TeacherCreate, admin: CurrentAdmin, database: DatabaseDep, response: Response
) -> TeacherRead:
    """A new teacher who can sign in at once with this email and password."""

    def create(db: Session) -> TeacherRead:
        return TeacherRead.model_validate(service.create(db=db, data=data))

    created = await database.write(create)
    log_event(logger, "teacher.created", teacher_id=created.id, by=admin.id)
    response.headers["Location"] = f"/api/admin/teachers/{created.id}"
    return created


@admin_router.get(
    "/teachers",
    summary="List teacher accounts (administrators only)",
    responses=responses(401, 403),
)
async def list_teachers(admin: CurrentAdmin, database: DatabaseDep) -> list[TeacherRead]:
    """Every teacher account, oldest first."""

    def list_(db: Session) -> list[TeacherRead]:
        return [TeacherRead.model_validate(t) for t in service.list_(db=db)]

    return await database.read(list_)


@admin_router.get(
    "/teachers/{teacher_id}",
    summary="Get a teacher account (administrators only)",
    responses=responses(401, 403, 404),
)
async def get_teacher(
    teacher_id: TeacherIdPath, admin: CurrentAdmin, database: DatabaseDep
) -> TeacherRead:
    """One teacher account."""
    return await database.read(
        lambda db: TeacherRead.model_validate(service.get(db=db, teacher_id=teacher_id))
    )
