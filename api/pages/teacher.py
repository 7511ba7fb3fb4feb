"""The teacher's pages: sign-in, sign-out and the dashboard. Students and classes live in
``teacher_students``, assignments and results in ``teacher_assignments``."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.accounts import service as accounts
from api.accounts.dependencies import SESSION_COOKIE, resolve_teacher
from api.accounts.exceptions import InvalidCredentials
from api.accounts.router import sign_in
from api.accounts.service import SignedInTeacher
from api.assignments import service as assignments
from api.classes import service as classes
from api.core.errors import AppError
from api.pages.session import (
    check_form,
    check_login_csrf,
    clear_session,
    login_csrf,
    page_teacher,
    set_login_csrf,
    set_session,
)
from api.pages.templates import render
from api.students import service as students

router = APIRouter(include_in_schema=False)

Teacher = SignedInTeacher


def _safe_next(next_url: str | None) -> str:
    """Only a path of this site, never another host (no open redirect)."""
    if next_url and next_url.startswith("/") and not next_url.startswith("//"):
        return next_url
    return "/teacher"


def _is_local(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def teacher_of(request: Request) -> Teacher:
    """The signed-in teacher of a page, kept on request.state for the templates."""
    teacher = await page_teacher(request)
    request.state.teacher = teacher
    return teacher


def _sign_in_page(
    request: Request, *, next_url: str, error: str | None = None, email: str = "", status: int = 200
) -> Response:
    token = login_csrf(request)
    response = render(
        request,
        "teacher/sign_in.html",
        {
            "next": next_url,
            "error": error,
            "email": email,
            "login_csrf": token,
            "created": request.query_params.get("created") == "1",
        },
        status_code=status,
    )
    set_login_csrf(request, response, token)
    return response


@router.get("/")
async def start(request: Request, next: str | None = None) -> Response:
    """The sign-in page, the dashboard when signed in, or the first-run set-up."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            await resolve_teacher(request, token)
            return RedirectResponse(_safe_next(next), status_code=303)
        except AppError:
            pass
    database = request.app.state.database

    def count(db: Session) -> int:
        return accounts.count(db=db)

    if await database.read(count) == 0:
        setup_token = request.app.state.setup_token
        if setup_token and _is_local(request):
            return RedirectResponse(f"/setup?token={setup_token}", status_code=303)
        return render(request, "teacher/first_run.html")
    return _sign_in_page(request, next_url=_safe_next(next))


@router.post("/sign-in")
async def sign_in_form(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=500)] = "",
    csrf_token: Annotated[str | None, Form(max_length=100)] = None,
    next: Annotated[str, Form(max_length=500)] = "/teacher",
) -> Response:
    """Check the credentials (same limits as POST /api/auth/token) and start a session."""
    check_login_csrf(request, csrf_token)
    settings = request.app.state.settings
    try:
        token, seconds = await run_in_threadpool(
            lambda: sign_in(
                request=request,
                database=request.app.state.database,
                settings=settings,
                email=email,
                password=password,
            )
        )
    except InvalidCredentials as exc:
        return _sign_in_page(
            request, next_url=_safe_next(next), error=exc.detail, email=email, status=401
        )
    except AppError as exc:  # 429: too many failures
        return _sign_in_page(
            request,
            next_url=_safe_next(next),
            error=exc.detail,
            email=email,
            status=exc.status_code,
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session(request, response, token, seconds)
    return response


@router.post("/sign-out")
async def sign_out(
    request: Request, csrf_token: Annotated[str | None, Form(max_length=100)] = None
) -> Response:
    """End the session: its token stops working at once."""
    teacher = await teacher_of(request)
    await check_form(request, csrf_token)
    database = request.app.state.database

    def revoke(db: Session) -> None:
        accounts.revoke_token(db=db, token_hash=teacher.token_hash)

    await database.write(revoke)
    response = RedirectResponse("/", status_code=303)
    clear_session(response)
    return response


@router.get("/teacher")
async def dashboard(request: Request) -> Response:
    """Classes, students and the latest assignments at a glance."""
    teacher = await teacher_of(request)
    database = request.app.state.database

    def load(db: Session) -> dict[str, object]:
        rows, assignment_total = assignments.list_(db=db, teacher_id=teacher.id, limit=10, offset=0)
        _, student_total = students.list_(db=db, teacher_id=teacher.id, limit=1, offset=0)
        return {
            "assignments": assignments.read(db=db, assignments=rows),
            "assignment_total": assignment_total,
            "student_total": student_total,
            "classes": classes.read(db=db, classes=classes.list_(db=db, teacher_id=teacher.id)),
        }

    return render(request, "teacher/dashboard.html", await database.read(load))
