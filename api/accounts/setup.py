"""The first-run page: creates the first teacher account from the one-time link on the console."""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api.accounts import service
from api.accounts.schemas import TeacherCreate
from api.core.deps import DatabaseDep
from api.core.errors import AppError
from api.core.logging import log_event
from api.pages.templates import templates

logger = logging.getLogger("api.accounts")

router = APIRouter(include_in_schema=False)


def _valid(request: Request, token: str | None) -> bool:
    expected: str | None = request.app.state.setup_token
    return bool(expected and token and hmac.compare_digest(expected, token))


def _page(request: Request, token: str, **context: object) -> HTMLResponse:
    status_code = int(context.pop("status_code", 200))  # type: ignore[call-overload]
    return templates.TemplateResponse(
        request, "setup.html", {"token": token, **context}, status_code=status_code
    )


def _gone(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "setup_used.html", status_code=404)


@router.get("/setup", response_class=HTMLResponse)
async def setup_form(request: Request, token: str | None = None) -> Response:
    """The form to create the first teacher, behind the one-time link."""
    if not _valid(request, token):
        return _gone(request)
    assert token is not None
    return _page(request, token)


@router.post("/setup", response_class=HTMLResponse)
async def setup_submit(
    request: Request,
    database: DatabaseDep,
    token: Annotated[str, Form(max_length=100)],
    name: Annotated[str, Form(max_length=500)] = "",
    email: Annotated[str, Form(max_length=500)] = "",
    password: Annotated[str, Form(max_length=500)] = "",
    password_again: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Create the first teacher (an administrator), then go to the sign-in page."""
    if not _valid(request, token):
        return _gone(request)
    form = {"name": name, "email": email}
    if password != password_again:
        return _page(
            request, token, errors=["The two passwords differ."], form=form, status_code=422
        )
    try:
        data = TeacherCreate(name=name, email=email, password=password, is_admin=True)
    except ValidationError as exc:
        errors = [f"{'.'.join(map(str, e['loc'])).capitalize()}: {e['msg']}" for e in exc.errors()]
        return _page(request, token, errors=errors, form=form, status_code=422)

    def create() -> int:
        with database.writing() as db:
            if service.count(db=db):
                raise AppError("An account already exists: sign in instead.")
            return service.create(db=db, data=data).id

    try:
        teacher_id = await run_in_threadpool(create)
    except AppError:
        request.app.state.setup_token = None
        return _gone(request)
    request.app.state.setup_token = None  # one-time: the link stops working now
    log_event(logger, "teacher.created", teacher_id=teacher_id, by="setup link")
    return RedirectResponse("/?created=1", status_code=status.HTTP_303_SEE_OTHER)
