"""The OpenAPI document as the API really answers: one error shape, the 400 of an unparsable
body, 413 where a body is sent and 429 where a token is counted; and a 405 whose Allow header
lists every method of the path."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

ERROR = {"$ref": "#/components/schemas/ErrorResponse"}
_EXTRA_ERRORS = {
    "400": "The body is not valid JSON (or not UTF-8).",
    "413": "The body is larger than MAX_BODY_BYTES.",
}
_RATE_LIMITED = "Too many requests with this token, or failed sign-ins: see Retry-After."


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def _truthful(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = _error("Invalid input: each bad field is named in `errors`.")
            if "201" in responses:
                responses["201"].setdefault("headers", {})["Location"] = {
                    "description": "Where the new resource can be read.",
                    "schema": {"type": "string"},
                }
            if "requestBody" in operation:
                for code, description in _EXTRA_ERRORS.items():
                    responses.setdefault(code, _error(description))
            if operation.get("security") or "401" in responses:
                responses.setdefault("429", _error(_RATE_LIMITED))
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    return schema


def install_openapi(
    app: FastAPI,
    *extend: Callable[[dict[str, Any]], None],
    finish: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Post-process the generated document once (``extend`` may add to it first, ``finish`` last,
    once every response is in place), and answer 405 with every allowed method of the path."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for step in extend:
                step(schema)
            _truthful(schema)
            if finish is not None:
                finish(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            allowed = allowed_methods(app, request)
            if allowed:
                headers["Allow"] = ", ".join(allowed)
        return JSONResponse({"detail": _plain(exc)}, status_code=exc.status_code, headers=headers)


def _plain(exc: StarletteHTTPException) -> str:
    if exc.status_code == 405:
        return "This method is not allowed here: the Allow header lists those that are."
    if exc.status_code == 404 and exc.detail == "Not Found":
        return "Nothing here: see /docs for the API's paths, or / for the pages."
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        return (
            "The request body could not be read (not JSON, nested too deeply, or not the form "
            "the operation takes): send it as documented in /docs."
        )
    return str(exc.detail)


def allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """Every method the document lists for this path (the pages' own Allow otherwise)."""
    path = request.url.path
    methods: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        if _template(template).fullmatch(path):
            methods |= {method.upper() for method in operations}
    return sorted(methods)


@lru_cache(maxsize=256)
def _template(path: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\{\w+\\}", "[^/]+", re.escape(path)))
