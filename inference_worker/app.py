"""The worker's HTTP API: POST /generate, GET /health and /healthz, GET /metrics."""

from __future__ import annotations

import asyncio
import hmac
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from inference_worker.config import WorkerSettings
from inference_worker.contract import GenerateRequest, GenerateResponse
from inference_worker.engines import Engine
from inference_worker.metrics import WorkerMetrics
from inference_worker.service import Busy, EngineFailed, GenerationService, TimedOut, Unusable

logger = logging.getLogger("inference_worker.app")

DISCONNECT_POLL_SECONDS = 0.1


def _error(
    status: int, detail: str, *, request_id: str, retry_after: int | None = None
) -> JSONResponse:
    headers = {"X-Request-ID": request_id}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return JSONResponse(status_code=status, content={"detail": detail}, headers=headers)


def create_app(settings: WorkerSettings, engine: Engine) -> FastAPI:
    """The app; the engine loads in the background so /health can say ``loading`` meanwhile."""
    metrics = WorkerMetrics()
    state: dict[str, Any] = {"status": "loading", "error": None}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async def load() -> None:
            try:
                await engine.start()
            except Exception as exc:
                state.update(status="error", error=f"{type(exc).__name__}: {exc}")
                logger.exception("engine.load_failed")
            else:
                state["status"] = "ok"
                logger.info("engine.ready model=%s", engine.info.model)

        loader = asyncio.create_task(load())
        app.state.settings = settings
        app.state.engine = engine
        app.state.service = GenerationService(engine=engine, settings=settings, metrics=metrics)
        try:
            yield
        finally:
            loader.cancel()
            await asyncio.gather(loader, return_exceptions=True)
            await engine.close()

    app = FastAPI(title="Italian Teacher inference worker", lifespan=lifespan)

    def require_key(request: Request) -> None:
        if settings.api_key is None:
            return
        expected = f"Bearer {settings.api_key.get_secret_value()}".encode()
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            raise _Unauthorized()

    class _Unauthorized(Exception):
        pass

    @app.exception_handler(_Unauthorized)
    async def _unauthorized(_request: Request, _exc: _Unauthorized) -> JSONResponse:
        return JSONResponse(
            status_code=401,
            content={
                "detail": "Missing or wrong API key: send Authorization: Bearer <WORKER_API_KEY>."
            },
            headers={"WWW-Authenticate": "Bearer"},
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"] if p != "body") or "body"
            parts.append(f"{where}: {error['msg']}")
        return JSONResponse(
            status_code=422, content={"detail": "Invalid request: " + "; ".join(parts)}
        )

    def health_body() -> tuple[int, dict[str, Any]]:
        running, waiting = engine.queue_depth() if state["status"] == "ok" else (0, 0)
        body: dict[str, Any] = {
            "status": state["status"],
            "engine": engine.info.engine,
            "model": engine.info.model,
            "device": engine.info.device,
            "dtype": engine.info.dtype,
            "gpu_name": engine.info.gpu_name,
            "gpu_memory_used_mb": engine.gpu_memory_used_mb() if state["status"] == "ok" else None,
            "requests_running": running,
            "requests_waiting": waiting,
            "requests_in_flight": app.state.service.in_flight,
        }
        if state["error"]:
            body["error"] = state["error"]
        return (200 if state["status"] == "ok" else 503), body

    @app.get("/health", summary="Engine state; 503 while the model loads")
    @app.get("/healthz", summary="The same, for container platforms", include_in_schema=False)
    async def health() -> JSONResponse:
        """``loading`` (503) until the model is ready, then ``ok`` with engine details."""
        status, body = health_body()
        return JSONResponse(
            status_code=status,
            content=body,
            headers=None if status == 200 else {"Retry-After": "10"},
        )

    @app.get("/metrics", summary="Prometheus metrics", dependencies=[Depends(require_key)])
    async def metrics_endpoint() -> Response:
        """Requests, latency, tokens, failures by reason and requests in flight."""
        body = generate_latest(metrics.registry)
        if engine.info.engine == "vllm":  # vLLM registers its own metrics in the default registry
            body += generate_latest(REGISTRY)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    @app.post(
        "/generate",
        summary="Generate exercises",
        dependencies=[Depends(require_key)],
        responses={401: {}, 422: {}, 502: {}, 503: {}, 504: {}},
    )
    async def generate(body: GenerateRequest, request: Request, response: Response) -> Any:
        """Exercises that validate against the contract, or an error that says why not."""
        request_id = request.headers.get("x-request-id", "")[:64] or uuid.uuid4().hex[:12]
        if state["status"] != "ok":
            metrics.requests.labels("503").inc()
            detail = (
                "The model is still loading; retry shortly (GET /health says when it is ready)."
            )
            if state["status"] == "error":
                detail = f"The model failed to load ({state['error']}); check the worker's log."
            return _error(503, detail, request_id=request_id, retry_after=10)
        service: GenerationService = app.state.service
        task = asyncio.create_task(service.generate(body, request_id=request_id))
        while not task.done():
            done, _ = await asyncio.wait({task}, timeout=DISCONNECT_POLL_SECONDS)
            if not done and await request.is_disconnected():
                task.cancel()  # reaches the engine, which drops the request
                await asyncio.gather(task, return_exceptions=True)
                metrics.failures.labels("disconnected").inc()
                metrics.requests.labels("499").inc()
                logger.info("generate.client_disconnected id=%s", request_id)
                return Response(status_code=499)
        try:
            result: GenerateResponse = task.result()
        except Busy as exc:
            metrics.requests.labels("503").inc()
            detail = f"The worker is busy ({exc}); retry shortly."
            return _error(503, detail, request_id=request_id, retry_after=5)
        except TimedOut as exc:
            metrics.requests.labels("504").inc()
            return _error(504, f"Generation passed its time limit: {exc}.", request_id=request_id)
        except Unusable as exc:
            metrics.requests.labels("502").inc()
            detail = f"The model produced no usable exercises twice: {exc.reason}."
            return _error(502, detail, request_id=request_id)
        except EngineFailed as exc:
            metrics.requests.labels("500").inc()
            detail = f"The engine failed ({exc}); check the worker's log for id {request_id}."
            return _error(500, detail, request_id=request_id)
        metrics.requests.labels("200").inc()
        response.headers["X-Request-ID"] = request_id
        return result

    return app
