"""The workers the API sends homework to: one or several, each with its own circuit breaker.

``INFERENCE_API_URL`` may list several URLs (comma-separated) and ``INFERENCE_API_KEY`` one key
for all of them or one per URL in the same order. Each attempt goes to the worker with the
fewest attempts in flight among those whose breaker is closed (a half-open one gets a probe when
no closed one is left), so a failing worker is left alone while the others carry the work, and a
retry may land on another worker than the first try.
"""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr
from sqlalchemy import select

from api.core.config import Settings
from api.core.database import Database
from api.generation.breaker import CircuitBreaker
from api.generation.client import (
    ProgressCallback,
    WorkerClient,
    WorkerResult,
    generate_with,
)
from api.generation.models import WorkerConfig
from inference_worker.contract import GenerateRequest

Source = Literal["settings", "administrator"]


class WorkerPool:
    """Several WorkerClients behind one ``generate``."""

    def __init__(
        self,
        workers: list[WorkerClient],
        *,
        max_attempts: int,
        backoff_seconds: float,
        source: Source = "settings",
    ) -> None:
        if not workers:
            raise ValueError("a worker pool needs at least one worker")
        self.workers = workers
        self.source: Source = source
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds

    async def generate(
        self,
        request: GenerateRequest,
        *,
        deadline: float,
        on_progress: ProgressCallback | None = None,
    ) -> WorkerResult:
        """A validated answer from the least busy worker within ``deadline``, or WorkerUnavailable."""
        return await generate_with(
            self.workers,
            request,
            deadline=deadline,
            on_progress=on_progress,
            max_attempts=self.max_attempts,
            backoff_seconds=self.backoff_seconds,
        )

    async def aclose(self) -> None:
        """Close every worker's connection pool."""
        for worker in self.workers:
            await worker.aclose()


def worker_endpoints(settings: Settings) -> list[tuple[str, SecretStr | None]]:
    """Each worker URL with its key (settings have checked that the counts match)."""
    if settings.inference_api_url is None:
        return []
    urls = [url.strip().rstrip("/") for url in settings.inference_api_url.split(",")]
    urls = [url for url in urls if url]
    if settings.inference_api_key is None:
        return [(url, None) for url in urls]
    keys = [key.strip() for key in settings.inference_api_key.get_secret_value().split(",")]
    if len(keys) == 1:
        keys *= len(urls)
    return [(url, SecretStr(key) if key else None) for url, key in zip(urls, keys, strict=True)]


def stored_endpoints(database: Database) -> list[tuple[str, SecretStr | None]] | None:
    """The workers an administrator chose (PUT /api/admin/worker), if any."""
    with database.reading() as db:
        config = db.scalar(select(WorkerConfig).where(WorkerConfig.id == 1))
        if config is None:
            return None
        return [
            (url, SecretStr(key) if key else None)
            for url, key in zip(config.urls, config.api_keys, strict=True)
        ]


def build_worker_pool(
    settings: Settings,
    *,
    database: Database | None = None,
    endpoints: list[tuple[str, SecretStr | None]] | None = None,
    source: Source = "settings",
) -> WorkerPool | None:
    """The workers to use, or None when there are none (offline generator).

    ``endpoints`` when given; else those an administrator stored in ``database``; else
    INFERENCE_API_URL and INFERENCE_API_KEY.
    """
    if endpoints is None and database is not None:
        endpoints = stored_endpoints(database)
        source = "administrator" if endpoints is not None else source
    if endpoints is None:
        endpoints = worker_endpoints(settings)
    if not endpoints:
        return None
    workers = [
        WorkerClient(
            base_url=url,
            api_key=key,
            connect_timeout=settings.inference_connect_timeout,
            read_timeout=settings.inference_read_timeout,
            idle_timeout=settings.inference_idle_timeout,
            max_attempts=settings.inference_max_attempts,
            backoff_seconds=settings.retry_backoff_seconds,
            max_connections=max(settings.generation_concurrency, 8),
            breaker=CircuitBreaker(
                failure_threshold=settings.breaker_failure_threshold,
                reset_seconds=settings.breaker_reset_seconds,
                window=settings.breaker_window,
                min_calls=settings.breaker_min_calls,
                failure_rate=settings.breaker_failure_rate,
                half_open_probes=settings.breaker_half_open_probes,
            ),
        )
        for url, key in endpoints
    ]
    return WorkerPool(
        workers,
        max_attempts=settings.inference_max_attempts,
        backoff_seconds=settings.retry_backoff_seconds,
        source=source,
    )
