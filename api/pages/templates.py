"""The pages' Jinja2 templates (HTML autoescaped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

TEMPLATES_DIR = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=TEMPLATES_DIR)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """A page, with the signed-in teacher and the session's CSRF token when there is one."""
    base = {
        "teacher": getattr(request.state, "teacher", None),
        "csrf_token": getattr(request.state, "csrf_token", None),
    }
    return templates.TemplateResponse(
        request, template, base | (context or {}), status_code=status_code
    )


def render_error(request: Request, status_code: int, detail: str) -> HTMLResponse:
    """An error as a page (for page routes; the REST API answers JSON)."""
    return render(
        request,
        "error.html",
        {"status_code": status_code, "detail": detail},
        status_code=status_code,
    )
