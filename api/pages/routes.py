"""Mounts every page router on the app."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from api.core.routing import include_routes
from api.pages import pupil, teacher, teacher_assignments, teacher_students, teacher_workers
from api.pages.docs import install_docs
from api.pages.session import SignInRequired, sign_in_redirect


def install_pages(app: FastAPI) -> None:
    """The teacher's pages, the pupil's pages, the API docs and the static files."""
    include_routes(
        app,
        teacher.router,
        teacher_students.router,
        teacher_assignments.router,
        teacher_workers.router,
        pupil.router,
    )
    install_docs(app)

    @app.exception_handler(SignInRequired)
    async def _sign_in(_request: Request, exc: SignInRequired) -> Response:
        return sign_in_redirect(exc)
