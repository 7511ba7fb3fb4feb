"""The first teacher: TEACHER_EMAIL/TEACHER_PASSWORD, or a one-time set-up link on the console."""

from __future__ import annotations

import logging
import os
import secrets
import sys

from api.accounts import service
from api.core.config import Settings
from api.core.database import Database
from api.core.logging import log_event

logger = logging.getLogger("api.accounts")


def setup_url(settings: Settings, token: str) -> str:
    """Where the set-up page of this process is reached."""
    if settings.public_url:
        base = settings.public_url
    else:
        host = os.environ.get("HOST", "127.0.0.1")
        host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        base = f"http://{host}:{os.environ.get('PORT', '8000')}"
    return f"{base}/setup?token={token}"


def prepare(database: Database, settings: Settings) -> str | None:
    """Ensure the configured administrator; with none configured and no account yet, print a
    one-time set-up link (as Jupyter prints its token URL) and return its token."""
    if settings.teacher_email and settings.teacher_password:
        with database.writing() as db:
            teacher, what = service.ensure(
                db=db,
                email=settings.teacher_email,
                password=settings.teacher_password.get_secret_value(),
                name=settings.teacher_name,
            )
        log_event(logger, "teacher.ensured", teacher_id=teacher.id, change=what)
        return None
    with database.reading() as db:
        if service.count(db=db):
            return None
    token = secrets.token_urlsafe(24)
    print(
        "\n    No teacher account exists yet. To create the first one (an administrator), open\n"
        f"    {setup_url(settings, token)}\n"
        "    or run: .venv/bin/python -m api teachers add --email you@school.it --name 'Your Name'\n",
        file=sys.stderr,
        flush=True,
    )
    log_event(logger, "setup.link_printed")
    return token
