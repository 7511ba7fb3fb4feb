"""GET /health: is the API up, the database reachable, the worker configured and answering."""

from __future__ import annotations

import asyncio
import time
from typing import Literal

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import text

from api import __version__
from api.core.config import redact_url
from api.core.database import Database
from api.core.migrate import migration_head
from api.core.routing import operation_id
from api.generation.client import WorkerClient
from api.generation.dispatcher import Dispatcher
from api.generation.pool import WorkerPool

router = APIRouter(tags=["health"], generate_unique_id_function=operation_id)

WORKER_PROBE_CACHE_SECONDS = 5.0


class WorkerHealth(BaseModel):
    configured: bool = Field(description="Whether INFERENCE_API_URL is set.")
    url: str | None = Field(default=None, examples=["https://abc123.ngrok-free.app"])
    reachable: bool | None = Field(default=None, description="Whether /health answered 200.")
    detail: str | None = Field(default=None, examples=["ok"])
    breaker: str | None = Field(default=None, description="closed, open or half_open.")


class HealthRead(BaseModel):
    status: Literal["ok", "degraded", "error"] = Field(
        description="ok; degraded when exercises come from the offline generator; error without "
        "a database."
    )
    version: str
    database: str = Field(examples=["ok"])
    offline_mode: bool = Field(description="Whether new homework is generated offline now.")
    worker: WorkerHealth = Field(description="The first (or only) worker.")
    workers: list[WorkerHealth] = Field(
        default_factory=list, description="Every worker in INFERENCE_API_URL, in order."
    )
    dispatcher: dict[str, int | bool | str] = Field(examples=[{"running": True, "in_flight": 0}])


async def _probe_worker(request: Request, client: WorkerClient) -> WorkerHealth:
    probes: dict[str, tuple[float, bool, str]] = getattr(request.app.state, "worker_probes", {})
    request.app.state.worker_probes = probes
    cached = probes.get(client.base_url)
    now = time.monotonic()
    if cached is not None and now - cached[0] < WORKER_PROBE_CACHE_SECONDS:
        reachable, detail = cached[1], cached[2]
    else:
        reachable, detail = await client.health()
        probes[client.base_url] = (now, reachable, detail)
    return WorkerHealth(
        configured=True,
        url=redact_url(client.base_url),
        reachable=reachable,
        detail=detail,
        breaker=client.breaker.state,
    )


def _check_database(database: Database) -> str:
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


@router.get("/health", summary="Service health", responses={503: {"model": HealthRead}})
async def health(request: Request, response: Response) -> HealthRead:
    """API, database, each worker (configured, reachable, breaker) and offline mode."""
    database: Database = request.app.state.database
    dispatcher: Dispatcher = request.app.state.dispatcher
    pool: WorkerPool | None = request.app.state.worker_client
    # Inline on SQLite (a SELECT 1 takes microseconds), a thread otherwise: never behind the
    # offline generator in the default executor, nor behind requests in the request pool.
    database_state = await database.run(lambda: _check_database(database))

    workers = (
        list(await asyncio.gather(*(_probe_worker(request, w) for w in pool.workers)))
        if pool is not None
        else []
    )
    # Offline when no worker both answers and has its breaker letting calls through.
    offline = not any(w.reachable and w.breaker != "open" for w in workers)

    if database_state != "ok":
        overall: Literal["ok", "degraded", "error"] = "error"
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    else:
        overall = "degraded" if offline and pool is not None else "ok"
    return HealthRead(
        status=overall,
        version=__version__,
        database=database_state,
        offline_mode=offline,
        worker=workers[0] if workers else WorkerHealth(configured=False),
        workers=workers,
        dispatcher={"running": dispatcher.running, "in_flight": dispatcher.in_flight},
    )


class Probe(BaseModel):
    status: Literal["ok", "error"] = Field(examples=["ok"])
    detail: str | None = Field(default=None, examples=[None])


@router.get("/health/live", summary="Liveness: the process answers")
async def live() -> Probe:
    """Always ok while the process serves requests (for a container's liveness probe)."""
    return Probe(status="ok")


def _readiness(database: Database) -> str | None:
    try:
        with database.engine.connect() as connection:
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as exc:
        return f"database unreachable ({type(exc).__name__})"
    head = migration_head()
    if current != head:
        return (
            f"database at migration {current}, code expects {head}: run python -m api.core.migrate"
        )
    return None


@router.get(
    "/health/ready",
    summary="Readiness: database reachable and migrated",
    responses={503: {"model": Probe}},
)
async def ready(request: Request, response: Response) -> Probe:
    """Ok once the database answers and its schema is at the newest migration; 503 otherwise."""
    database: Database = request.app.state.database
    problem = await database.run(lambda: _readiness(database))
    if problem:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return Probe(status="error", detail=problem)
    return Probe(status="ok")
