"""GET /metrics: Prometheus metrics of the API, for an administrator's token or METRICS_TOKEN.

Request latency and count per route template are observed by ``RequestMetrics`` from the route
the router matched (prometheus-fastapi-instrumentator matched every request against every route a
second time, which cost more than a whole hot read); generation time by source and fallbacks by
reason are counted by the dispatcher as it stores homework; homework by status, the dispatcher's
backlog and the breaker's state are read when Prometheus scrapes.
Each app has its own registry, so several apps in one process (tests) do not collide.
"""

from __future__ import annotations

import hmac
import re
import time
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.accounts.dependencies import bearer_token, resolve_teacher
from api.accounts.exceptions import NeedsAdministrator, NotSignedIn
from api.core.routing import include_routes
from api.homework.models import Homework, HomeworkStatus

router = APIRouter(include_in_schema=False)

_BREAKER_STATES = ("closed", "half_open", "open")


def reason_label(reason: str | None) -> str:
    """A short, bounded label for a fallback reason ("worker unreachable", "no worker...")."""
    text = (reason or "none").split(":")[0].split("(")[0].strip().lower()
    return re.sub(r"[^a-z0-9 _-]", "", text)[:40] or "other"


class GenerationMetrics:
    """What the dispatcher counts as it stores homework."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.seconds = Histogram(
            "homework_generation_seconds",
            "Time to generate one homework, by where the exercises came from.",
            ["source"],
            buckets=(0.05, 0.25, 1, 2.5, 5, 10, 30, 60, 120, 300),
            registry=registry,
        )
        self.fallbacks = Counter(
            "homework_fallbacks",
            "Homework generated offline, by reason.",
            ["reason"],
            registry=registry,
        )

    def observe(self, *, source: str, seconds: float, fallback_reason: str | None) -> None:
        """Count one stored homework."""
        self.seconds.labels(source=source).observe(seconds)
        if source == "fallback":
            self.fallbacks.labels(reason=reason_label(fallback_reason)).inc()


#: Methods counted by name; any other (a scanner's invention) is counted as "other".
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"})


class RequestMetrics:
    """Pure ASGI middleware: latency and count of every HTTP request by route template, method
    and status class. Unmatched paths share the handler "none", so a scanner cannot grow the
    number of series."""

    EXCLUDED = ("/metrics", "/static")

    def __init__(self, app: ASGIApp, registry: CollectorRegistry) -> None:
        self.app = app
        self.seconds = Histogram(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and method.",
            ["handler", "method"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=registry,
        )
        self.requests = Counter(
            "http_requests",
            "HTTP requests answered, by route template, method and status class.",
            ["handler", "method", "status"],
            registry=registry,
        )
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            handler = getattr(scope.get("route"), "path", None) or "none"
            if not handler.startswith(self.EXCLUDED):
                method = scope["method"] if scope["method"] in METHODS else "other"
                seconds, counts = self._series(handler, method, status // 100)
                seconds.observe(time.perf_counter() - started)
                counts.inc()

    def _series(self, handler: str, method: str, status_class: int) -> tuple[Any, Any]:
        """The latency and count series of one route, method and status class, looked up once
        (a route template and method come from the router, so there are few of them)."""
        key = (handler, method, status_class)
        series = self._children.get(key)
        if series is None:
            series = (
                self.seconds.labels(handler, method),
                self.requests.labels(handler, method, f"{status_class}xx"),
            )
            self._children[key] = series
        return series


class StateCollector(Collector):
    """Homework by status, dispatcher backlog and breaker state, read at scrape time."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        state = self.app.state
        by_status = GaugeMetricFamily("homework", "Homework by status.", labels=["status"])
        counts: dict[str, int] = {}
        database = getattr(state, "database", None)
        if database is not None:
            with database.reading() as db:
                rows = db.execute(select(Homework.status, func.count()).group_by(Homework.status))
                counts = dict(rows.tuples().all())
        for status in HomeworkStatus:
            by_status.add_metric([status.value], counts.get(status.value, 0))
        yield by_status
        backlog = GaugeMetricFamily(
            "dispatcher_backlog", "Homework waiting for or in generation.", labels=["state"]
        )
        backlog.add_metric(["pending"], counts.get(HomeworkStatus.pending.value, 0))
        dispatcher = getattr(state, "dispatcher", None)
        backlog.add_metric(["in_flight"], dispatcher.in_flight if dispatcher else 0)
        yield backlog
        breaker = GaugeMetricFamily(
            "worker_breaker_state", "Workers whose breaker is in each state.", labels=["state"]
        )
        per_worker = GaugeMetricFamily(
            "worker_breaker", "1 for each worker's breaker state.", labels=["worker", "state"]
        )
        pool = getattr(state, "worker_client", None)
        workers = pool.workers if pool is not None else []
        for name in _BREAKER_STATES:
            breaker.add_metric([name], sum(1 for w in workers if w.breaker.state == name))
            for worker in workers:
                per_worker.add_metric([worker.name, name], 1 if worker.breaker.state == name else 0)
        yield breaker
        yield per_worker


def install_metrics(app: FastAPI) -> GenerationMetrics:
    """Instrument the app and serve /metrics; the dispatcher reports to what this returns."""
    registry = CollectorRegistry()
    app.add_middleware(RequestMetrics, registry=registry)
    registry.register(StateCollector(app))
    app.state.metrics_registry = registry
    include_routes(app, router)
    return GenerationMetrics(registry)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """The metrics in Prometheus' text format."""
    await _authorize(request)
    registry: CollectorRegistry = request.app.state.metrics_registry
    database = request.app.state.database
    body = await database.read(lambda _db: generate_latest(registry))
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")


async def _authorize(request: Request) -> Any:
    token = bearer_token(request)
    expected = request.app.state.settings.metrics_token
    if token and expected and hmac.compare_digest(token, expected.get_secret_value()):
        return None
    if token is None:
        raise NotSignedIn("No token")
    teacher = await resolve_teacher(request, token)
    if not teacher.is_admin:
        raise NeedsAdministrator()
    return teacher
