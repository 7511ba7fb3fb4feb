"""The teacher's page on generation: which inference workers homework goes to and how each is
doing; an administrator switches to new workers from here (a new Colab session's URL and key)
without restarting the API, through the same checks as PUT /api/admin/worker."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from api.core.config import redact_url
from api.core.errors import AppError
from api.generation.admin import WorkersUpdate, read_workers, switch_workers
from api.pages.session import check_form
from api.pages.teacher import teacher_of
from api.pages.templates import render

router = APIRouter(include_in_schema=False)

#: Rows of the form: most schools have one worker; a second one shares the load.
FORM_ROWS = 3


def _page(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    state = read_workers(request.app)
    workers = [
        {"url": redact_url(w.url), "breaker": w.breaker, "in_flight": w.in_flight}
        for w in state.workers
    ]
    context = {
        "source": state.source,
        "workers": workers,
        "rows": range(1, FORM_ROWS + 1),
        "errors": errors or {},
        "values": values or {},
        "switched": request.query_params.get("switched") == "1",
    }
    return render(request, "teacher/workers.html", context, status_code=status)


@router.get("/teacher/workers")
async def workers_page(request: Request) -> Response:
    """Each worker's state; the switch form for an administrator."""
    await teacher_of(request)
    return _page(request)


@router.post("/teacher/workers")
async def switch_workers_form(
    request: Request,
    csrf_token: Annotated[str | None, Form(max_length=100)] = None,
    url_1: Annotated[str, Form(max_length=2000)] = "",
    key_1: Annotated[str, Form(max_length=2000)] = "",
    url_2: Annotated[str, Form(max_length=2000)] = "",
    key_2: Annotated[str, Form(max_length=2000)] = "",
    url_3: Annotated[str, Form(max_length=2000)] = "",
    key_3: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check the workers given, then send new homework to them (administrators only)."""
    teacher = await teacher_of(request)
    await check_form(request, csrf_token)
    if not teacher.is_admin:
        return _page(
            request,
            errors={"url-1": "Only an administrator can change the workers."},
            status=403,
        )
    rows = [(url_1, key_1), (url_2, key_2), (url_3, key_3)]
    # Keys are never sent back to the browser: only the URLs refill the form.
    values = {f"url_{n}": url for n, (url, _key) in enumerate(rows, 1)}
    given = [
        {"url": url.strip(), "api_key": key.strip() or None}
        for url, key in rows
        if url.strip() or key.strip()
    ]
    if not given:
        return _page(
            request, errors={"url-1": "Enter the worker's URL."}, values=values, status=422
        )
    try:
        body = WorkersUpdate.model_validate({"workers": given})
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            index = int(error["loc"][1]) + 1 if len(error["loc"]) > 1 else 1
            field = "url" if "url" in error["loc"] else "key"
            errors.setdefault(
                f"{field}-{index}", f"Worker {index}: {error['msg'].removeprefix('Value error, ')}."
            )
        return _page(request, errors=errors, values=values, status=422)
    try:
        await switch_workers(request.app, body, admin_id=teacher.id)
    except AppError as exc:
        return _page(request, errors={"url-1": exc.detail}, values=values, status=exc.status_code)
    return RedirectResponse("/teacher/workers?switched=1", status_code=303)
