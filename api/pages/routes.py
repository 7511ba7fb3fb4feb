"""Mounts every page router on the app."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from api.pages import pupil, teacher, teacher_assignments, teacher_students, teacher_workers
from api.pages.docs import install_docs
from api.pages.session import SignInRequired, sign_in_redirect


def install_pages(app: FastAPI) -> None:
    """The teacher's pages, the pupil's pages, the API docs and the static files."""
    app.include_router(teacher.router)
    app.include_router(teacher_students.router)
    app.include_router(teacher_assignments.router)
    app.include_router(teacher_workers.router)
    app.include_router(pupil.router)
    install_docs(app)

    @app.exception_handler(SignInRequired)
    async def _sign_in(_request: Request, exc: SignInRequired) -> Response:
        return sign_in_redirect(exc)
