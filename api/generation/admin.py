"""PUT and GET /api/admin/worker: an administrator points the API at new workers at run time.

A new set of workers is checked first (each answers ``/health`` and one tiny ``/generate``),
then takes all new work at once; homework already on its way finishes on the workers it
started with. The choice is kept in the database, so it survives a restart; keys are never
logged nor returned.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, Field, SecretStr, field_validator
from sqlalchemy.orm import Session

from api.accounts.dependencies import CurrentAdmin
from api.core.database import utcnow
from api.core.errors import Conflict, Invalid, responses
from api.core.logging import log_event
from api.core.routing import operation_id
from api.generation.client import WorkerClient, WorkerUnavailable, generate_with
from api.generation.models import WorkerConfig
from api.generation.pool import WorkerPool, build_worker_pool
from inference_worker.contract import GenerateRequest

logger = logging.getLogger("api.generation.admin")

router = APIRouter(
    prefix="/api/admin", tags=["admin: worker"], generate_unique_id_function=operation_id
)

MAX_WORKERS = 8
MAX_KEY_CHARS = 500
#: The check's generation: one short exercise, so a slow CPU worker answers in time too.
CHECK_REQUEST = GenerateRequest(
    cefr_level="A1", quantity=1, exercise_types=["fill_in_blank"], max_tokens=512, seed=1
)
MAX_CHECK_SECONDS = 120.0
#: After a switch, the old workers' connections stay open this long for work in flight.
RETIRE_AFTER_SECONDS = 600.0


class WorkerEndpoint(BaseModel):
    url: str = Field(
        max_length=500,
        pattern=r"^https?://[^\s/?#\[\]]+\S*$",
        description="Base URL of the worker, as the notebook prints it.",
        examples=["https://abc123.ngrok-free.app"],
    )
    api_key: SecretStr | None = Field(
        default=None,
        description="The worker's key (WORKER_API_KEY); never logged nor returned.",
        examples=["Xq3-printed-by-the-notebook"],
    )

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("must be an http(s) URL such as https://abc123.ngrok-free.app")
        return value

    @field_validator("api_key")
    @classmethod
    def _check_key(cls, value: SecretStr | None) -> SecretStr | None:
        # The length is checked by the endpoint: a validation error here would echo the key.
        if value is None or not value.get_secret_value().strip():
            return None
        return SecretStr(value.get_secret_value().strip())


class WorkersUpdate(BaseModel):
    workers: list[WorkerEndpoint] = Field(
        min_length=1,
        max_length=MAX_WORKERS,
        description="The workers to use from now on, in order.",
        examples=[[{"url": "https://abc123.ngrok-free.app", "api_key": "Xq3-printed"}]],
    )


class WorkerState(BaseModel):
    url: str = Field(examples=["https://abc123.ngrok-free.app"])
    breaker: str = Field(description="closed, open or half_open.", examples=["closed"])
    in_flight: int = Field(description="Requests on their way to it now.", examples=[0])


class WorkersRead(BaseModel):
    source: Literal["settings", "administrator", "none"] = Field(
        description="Where the workers come from: INFERENCE_API_URL, PUT /api/admin/worker, or "
        "none (offline generator).",
        examples=["administrator"],
    )
    workers: list[WorkerState]


class WorkerCheckFailed(Conflict):
    """A worker given to PUT /api/admin/worker did not pass its check (409: the request is
    valid, the workers it names are not working now)."""


def _read(app: FastAPI) -> WorkersRead:
    pool: WorkerPool | None = app.state.worker_client
    if pool is None:
        return WorkersRead(source="none", workers=[])
    return WorkersRead(
        source=pool.source,
        workers=[
            WorkerState(url=w.name, breaker=w.breaker.state, in_flight=w.in_flight)
            for w in pool.workers
        ],
    )


async def _check(worker: WorkerClient, deadline: float) -> None:
    try:
        reachable, detail = await worker.health(timeout=min(deadline, 10.0))
    except Exception as exc:  # a URL that parses but cannot be requested (port, hostname)
        reachable, detail = False, f"could not be requested ({type(exc).__name__})"
    if not reachable:
        raise WorkerCheckFailed(
            f"Worker {worker.name} did not pass its check: /health {detail}. Nothing was changed."
        )
    try:
        await generate_with(
            [worker],
            CHECK_REQUEST,
            deadline=deadline,
            on_progress=None,
            max_attempts=1,
            backoff_seconds=0,
        )
    except WorkerUnavailable as exc:
        raise WorkerCheckFailed(
            f"Worker {worker.name} did not pass its check: a one-exercise /generate failed "
            f"({exc.reason}). Nothing was changed."
        ) from None


def _store(db: Session, body: WorkersUpdate, admin_id: int) -> None:
    db.merge(
        WorkerConfig(
            id=1,
            urls=[w.url for w in body.workers],
            api_keys=[w.api_key.get_secret_value() if w.api_key else None for w in body.workers],
            updated_by=admin_id,
            updated_at=utcnow(),
        )
    )


def _switch(app: FastAPI, pool: WorkerPool) -> None:
    old: WorkerPool | None = app.state.worker_client
    app.state.worker_client = pool
    app.state.dispatcher.generator.client = pool
    if old is not None:
        # Homework on its way keeps using the old workers until it is done.
        task = asyncio.create_task(_retire(old), name="workers.retire")
        app.state.retiring = {*getattr(app.state, "retiring", set()), task}


async def _retire(pool: WorkerPool) -> None:
    try:
        await asyncio.sleep(RETIRE_AFTER_SECONDS)
    finally:  # also when the API stops first
        await pool.aclose()


@router.get(
    "/worker",
    summary="The workers homework goes to (administrators only)",
    responses=responses(401, 403),
)
async def get_workers(admin: CurrentAdmin, request: Request) -> WorkersRead:
    """Each worker's URL, breaker state and requests in flight; never a key."""
    return _read(request.app)


@router.put(
    "/worker",
    summary="Switch to new workers without a restart (administrators only)",
    responses=responses(401, 403, 409, 422),
)
async def put_workers(body: WorkersUpdate, admin: CurrentAdmin, request: Request) -> WorkersRead:
    """Check each worker (/health and a one-exercise /generate), then send new work to them."""
    return await switch_workers(request.app, body, admin_id=admin.id)


def read_workers(app: FastAPI) -> WorkersRead:
    """Where the workers come from and each one's state (the pages show it too)."""
    return _read(app)


async def switch_workers(app: FastAPI, body: WorkersUpdate, *, admin_id: int) -> WorkersRead:
    """Check each worker, then store the choice and send new work to them; nothing changes
    when a check fails (``WorkerCheckFailed``, 409) or a key is too long (``Invalid``, 422)."""
    for index, worker in enumerate(body.workers):
        if worker.api_key is not None and len(worker.api_key.get_secret_value()) > MAX_KEY_CHARS:
            raise Invalid(f"workers.{index}.api_key: must have at most {MAX_KEY_CHARS} characters")
    settings = app.state.settings
    try:
        pool = build_worker_pool(
            settings, endpoints=[(w.url, w.api_key) for w in body.workers], source="administrator"
        )
    except Exception as exc:  # httpx refuses the URL (a port out of range, a bad hostname)
        raise WorkerCheckFailed(
            f"A worker URL cannot be used ({type(exc).__name__}). Nothing was changed."
        ) from None
    assert pool is not None
    deadline = min(settings.generation_deadline_seconds, MAX_CHECK_SECONDS)
    try:
        await asyncio.gather(*(_check(worker, deadline) for worker in pool.workers))
    except WorkerCheckFailed:
        await pool.aclose()
        raise
    await app.state.database.write(lambda db: _store(db, body, admin_id))
    _switch(app, pool)
    log_event(logger, "workers.switched", workers=[w.name for w in pool.workers], admin_id=admin_id)
    return _read(app)
