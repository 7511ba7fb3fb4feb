"""Domain errors and the one place where they become HTTP responses."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError

from api.core.logging import log_event

logger = logging.getLogger("api.errors")


class ErrorResponse(BaseModel):
    """Every error the API returns: a sentence saying what went wrong and what to do."""

    detail: str = Field(
        examples=["Student 42 not found: list students with GET /api/teacher/students."]
    )
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="For 422: each invalid field, its location and message."
    )


class AppError(Exception):
    """A failure the client can act on; subclasses fix the status code."""

    status_code = status.HTTP_400_BAD_REQUEST
    headers: dict[str, str] | None = None

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(AppError):
    status_code = status.HTTP_404_NOT_FOUND


class Conflict(AppError):
    status_code = status.HTTP_409_CONFLICT


class Invalid(AppError):
    status_code = status.HTTP_422_UNPROCESSABLE_CONTENT


class Unauthorized(AppError):
    """No credential, or one that is wrong, expired or revoked."""

    status_code = status.HTTP_401_UNAUTHORIZED
    headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(AppError):
    status_code = status.HTTP_403_FORBIDDEN


class TooManyRequests(AppError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(max(1, retry_after))}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given error status codes."""
    return {code: {"model": ErrorResponse} for code in codes}


def _describe(error: dict[str, Any]) -> str:
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
    where = ".".join(location) or "request"
    message = str(error.get("msg", "is invalid"))
    text = f"{where}: {message}"
    if "input" in error and error.get("type") not in {"missing", "json_invalid"}:
        shown = repr(error["input"])
        text += f" (got {shown[:80]})"
    return text


PageErrorRenderer = Callable[[Request, int, str], Response]


def _is_page(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith("/api/") or path in ("/health", "/openapi.json"))


def install_error_handlers(app: FastAPI, render_page: PageErrorRenderer | None = None) -> None:
    """Map domain errors, validation errors and database outages to JSON error responses (and
    to HTML pages on the web pages' paths, through ``render_page``)."""

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        if render_page is not None and _is_page(request):
            page = render_page(request, exc.status_code, exc.detail)
            page.headers.update(exc.headers or {})
            return page
        return JSONResponse(
            status_code=exc.status_code, content={"detail": exc.detail}, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        if render_page is not None and _is_page(request):
            detail = "The address or form is not valid: " + "; ".join(
                _describe(e) for e in exc.errors()
            )
            return render_page(request, status.HTTP_422_UNPROCESSABLE_CONTENT, detail)
        unparsable = next((e for e in exc.errors() if e.get("type") == "json_invalid"), None)
        if unparsable is not None:
            at = unparsable.get("loc", ("body", "?"))[-1]
            return JSONResponse(
                status_code=status.HTTP_400_BAD_REQUEST,
                content={
                    "detail": f"The request body is not valid JSON (error at character {at}): "
                    "check quotes, commas and brackets, and send it as UTF-8."
                },
            )
        errors = [
            {k: v for k, v in e.items() if k in {"loc", "msg", "type"}}
            | {"input": repr(e.get("input"))[:200]}
            if "input" in e
            else {k: v for k, v in e.items() if k in {"loc", "msg", "type"}}
            for e in exc.errors()
        ]
        detail = "Invalid request: " + "; ".join(_describe(e) for e in exc.errors())
        return JSONResponse(
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            content={"detail": detail, "errors": errors},
        )

    @app.exception_handler(OperationalError)
    async def _database_error(_request: Request, exc: OperationalError) -> JSONResponse:
        log_event(
            logger,
            "database.unavailable",
            logging.ERROR,
            error=str(exc.orig),
            statement=str(exc.statement)[:80],
        )
        return JSONResponse(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            content={
                "detail": "The database is unavailable; try again shortly or check DATABASE_URL."
            },
            headers={"Retry-After": "5"},
        )
