"""The FastAPI application: ``uvicorn api.main:app``."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from api import __version__
from api.accounts import bootstrap
from api.accounts.dependencies import SignedInCache, document_pupil_scheme
from api.accounts.limits import RateLimits
from api.accounts.router import admin_router, auth_router
from api.accounts.setup import router as setup_router
from api.assignments.router import router as assignments_router
from api.classes.router import router as classes_router
from api.core.admission import Admission
from api.core.config import Settings, get_settings, redact_url
from api.core.database import Database
from api.core.errors import install_error_handlers
from api.core.logging import configure_logging, log_event
from api.core.migrate import upgrade
from api.core.openapi import install_openapi
from api.core.routing import include_routes, operation_id
from api.core.security import BodySizeLimit, SecurityHeaders
from api.generation import offline
from api.generation.admin import router as worker_admin_router
from api.generation.dispatcher import Dispatcher
from api.generation.generator import HomeworkGenerator
from api.generation.pool import build_worker_pool
from api.health import router as health_router
from api.homework.router import router as homework_router
from api.homework.router import teacher_router as teacher_homework_router
from api.metrics import install_metrics
from api.openapi_examples import add_examples
from api.pages.routes import install_pages
from api.pages.templates import render_error
from api.students.router import router as students_router

logger = logging.getLogger("api.main")

DESCRIPTION = """
Teachers create students and assignments; every student gets homework generated in the
background by the GPU inference worker, or by the offline grammar generator when the worker
is not configured, down, slow or answers badly. Students fetch their homework here.

**Teachers** sign in with `POST /api/auth/token` (or the *Authorize* button: email and
password) and see only their own students, classes and assignments. **Pupils** have no
password: each has a personal link, whose last part is their access token, sent as
`Authorization: Bearer <token>` to `/api/student/{student_id}/...`. Pupils see the right
answers only after handing their homework in.

**Errors** always have the shape `{"detail": "<what went wrong and what to do>"}` (422 adds
`errors`, one entry per bad field). Besides the codes listed on each operation: a body that is
not JSON is a 400, a body over `MAX_BODY_BYTES` a 413, too many requests a 429 with
`Retry-After`, and a method a path does not offer a 405 whose `Allow` header lists the ones it
does. The walk-through in the request examples (Giulia, Marco, class 3B, an assignment, a save,
the hand-in) works in that order on a new database.
"""


TAGS = [
    {"name": "sign-in", "description": "Teachers sign in with email and password for a token."},
    {"name": "admin: teachers", "description": "Administrators manage teacher accounts."},
    {"name": "teacher: students", "description": "Your pupils and their personal links."},
    {"name": "teacher: classes", "description": "Groups of your pupils, to assign at once."},
    {
        "name": "teacher: assignments",
        "description": "Homework for pupils or a class, generated in the background.",
    },
    {"name": "teacher: homework", "description": "Every pupil's homework in full."},
    {
        "name": "pupil: homework",
        "description": "A pupil's own homework, with their access token; right answers only "
        "after the hand-in.",
    },
    {"name": "health", "description": "Liveness, readiness and the state of the worker."},
    {"name": "admin: worker", "description": "Administrators switch workers without a restart."},
]


def prepare_offline_tables() -> None:
    """Load the offline generator's tables now: every assignment reports what the generator
    would practise, and the first one after a start would otherwise wait for them."""
    offline.resolve(
        grammar_focus="passato prossimo",
        topic="general",
        level="A1",
        exercise_types=["fill_in_blank", "multiple_choice", "translation"],
    )


def freeze_startup_objects() -> None:
    """Keep what start-up built (modules, tables, routes) out of the garbage collector's way.

    A full collection walks every tracked object: with the app and its tables loaded, that is
    about 150,000 of them and tens of milliseconds, paid by whichever request happens to trigger
    it. Objects frozen here are not walked again until the app stops and thaws them (so nothing
    frozen is kept for good; freezing itself costs nothing).
    """
    gc.freeze()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; the database, client and dispatcher are made in the lifespan."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = Database(settings.database_url)
        if settings.auto_migrate:
            upgrade(database.engine)
        app.state.setup_token = await run_in_threadpool(bootstrap.prepare, database, settings)
        app.state.rate_limits = RateLimits(settings)
        app.state.signed_in = SignedInCache()
        client = build_worker_pool(settings, database=database)
        generator = HomeworkGenerator(
            client=client,
            deadline_seconds=settings.generation_deadline_seconds,
            max_tokens=settings.inference_max_tokens,
            temperature=settings.inference_temperature,
            offline_processes=settings.offline_processes,
        )
        dispatcher = Dispatcher(
            database=database,
            generator=generator,
            concurrency=settings.generation_concurrency,
            lease_seconds=settings.generation_lease_seconds,
            poll_seconds=settings.generation_poll_seconds,
            max_attempts=settings.generation_max_attempts,
            metrics=generation_metrics,
        )
        app.state.settings = settings
        app.state.database = database
        app.state.worker_client = client
        app.state.dispatcher = dispatcher
        await run_in_threadpool(prepare_offline_tables)
        generator.start()
        freeze_startup_objects()
        dispatcher.start()
        log_event(
            logger,
            "api.started",
            database=database.engine.url.render_as_string(hide_password=True),
            worker=redact_url(settings.inference_api_url)
            if settings.inference_api_url
            else "none (offline generator)",
        )
        try:
            yield
        finally:
            await dispatcher.stop()
            await generator.aclose()
            # The workers in use now (an administrator may have switched them).
            if app.state.worker_client is not None:
                await app.state.worker_client.aclose()
            database.dispose()
            gc.unfreeze()
            log_event(logger, "api.stopped")

    app = FastAPI(
        title="Italian Teacher API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_tags=TAGS,
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    install_error_handlers(app, render_page=render_error)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(Admission, limit=settings.max_active_requests)
    # Routes are tried in order: the pupils' reads, by far the most frequent, come first.
    include_routes(
        app,
        homework_router,
        health_router,
        auth_router,
        admin_router,
        students_router,
        classes_router,
        assignments_router,
        teacher_homework_router,
        setup_router,
        worker_admin_router,
    )
    install_pages(app)
    install_openapi(app, document_pupil_scheme, finish=add_examples)
    generation_metrics = install_metrics(app)
    return app


app = create_app()
