"""The worker's HTTP API: POST /generate (plain JSON or NDJSON progress), health, metrics.

With ``"stream": true`` the answer is ``application/x-ndjson``: a ``start`` event at once, a
``progress`` event every ``WORKER_PROGRESS_INTERVAL`` seconds (tokens so far and exercises
complete; 0 tokens while the request waits for the engine), and one final ``done`` event with the
usual response or ``error`` event with an HTTP-like status. Silence therefore means a hung worker.
Failures known before the stream starts (401, 422, 503 loading or busy) stay plain JSON errors.
Closing the connection cancels the generation in the engine, streamed or not.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.types import Receive, Scope, Send

from inference_worker.config import WorkerSettings
from inference_worker.contract import GenerateRequest, GenerateResponse
from inference_worker.engines import Engine, UpstreamFailed
from inference_worker.metrics import WorkerMetrics
from inference_worker.service import (
    Busy,
    EngineFailed,
    GenerationService,
    Progress,
    TimedOut,
    Unusable,
)

logger = logging.getLogger("inference_worker.app")

DISCONNECT_POLL_SECONDS = 0.1


def _error(
    status: int, detail: str, *, request_id: str, retry_after: int | None = None
) -> JSONResponse:
    headers = {"X-Request-ID": request_id}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return JSONResponse(status_code=status, content={"detail": detail}, headers=headers)


NDJSON = "application/x-ndjson"


def _failure(exc: BaseException, request_id: str) -> tuple[int, str]:
    """The HTTP status and plain sentence for a failed generation."""
    if isinstance(exc, TimedOut):
        return 504, f"Generation passed its time limit: {exc}."
    if isinstance(exc, Unusable):
        return 502, f"The model produced no usable exercises: {exc.reason}."
    if isinstance(exc, UpstreamFailed):
        return exc.status, f"The model server behind this worker failed: {exc.detail}."
    if isinstance(exc, EngineFailed):
        return 500, f"The engine failed ({exc}); check the worker's log for id {request_id}."
    raise exc


def _line(event: dict[str, Any]) -> bytes:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


class _Stream(StreamingResponse):
    """A streaming response that runs ``on_close`` however it ends, even before it starts."""

    def __init__(self, content: AsyncIterator[bytes], *, on_close: Callable[[], None], **kw: Any):
        super().__init__(content, **kw)
        self.on_close = on_close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.on_close()


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
        """Exercises that validate against the contract, or an error that says why not.

        With ``"stream": true``: NDJSON events (start, progress, then done or error).
        """
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
        if body.stream:
            return start_stream(service, body, request_id)
        task = asyncio.create_task(service.generate(body, request_id=request_id))
        while not task.done():
            done, _ = await asyncio.wait({task}, timeout=DISCONNECT_POLL_SECONDS)
            if not done and await request.is_disconnected():
                task.cancel()  # reaches the engine, which drops the request
                await asyncio.gather(task, return_exceptions=True)
                disconnected(request_id)
                return Response(status_code=499)
        try:
            result: GenerateResponse = task.result()
        except Busy as exc:
            metrics.requests.labels("503").inc()
            detail = f"The worker is busy ({exc}); retry shortly."
            return _error(503, detail, request_id=request_id, retry_after=5)
        except (TimedOut, Unusable, EngineFailed, UpstreamFailed) as exc:
            status, detail = _failure(exc, request_id)
            metrics.requests.labels(str(status)).inc()
            retry_after = 5 if status == 503 else None
            return _error(status, detail, request_id=request_id, retry_after=retry_after)
        metrics.requests.labels("200").inc()
        response.headers["X-Request-ID"] = request_id
        return result

    def disconnected(request_id: str) -> None:
        metrics.failures.labels("disconnected").inc()
        metrics.requests.labels("499").inc()
        logger.info("generate.client_disconnected id=%s", request_id)

    def start_stream(
        service: GenerationService, body: GenerateRequest, request_id: str
    ) -> Response:
        """Admit the request (busy is still a plain 503), then stream its progress."""
        try:
            service.admit(request_id)
        except Busy as exc:
            metrics.requests.labels("503").inc()
            detail = f"The worker is busy ({exc}); retry shortly."
            return _error(503, detail, request_id=request_id, retry_after=5)
        progress = Progress(body.quantity)
        task = asyncio.create_task(service.run(body, request_id=request_id, progress=progress))
        # Read the outcome even when nobody is left to stream it to (no "never retrieved").
        task.add_done_callback(lambda done: done.cancelled() or done.exception())
        finished = False

        async def events() -> AsyncIterator[bytes]:
            nonlocal finished
            yield _line({"event": "start", "model": engine.info.model})
            while True:
                done, _ = await asyncio.wait({task}, timeout=settings.progress_interval)
                if done:
                    break
                yield _line(
                    {
                        "event": "progress",
                        "generated_tokens": progress.generated_tokens,
                        "exercises_complete": progress.exercises_complete,
                    }
                )
            finished = True
            try:
                result = task.result()
            except (TimedOut, Unusable, EngineFailed, UpstreamFailed) as exc:
                status, detail = _failure(exc, request_id)
                metrics.requests.labels(str(status)).inc()
                yield _line({"event": "error", "status": status, "detail": detail})
                return
            except Exception:  # a bug, not the model: the stream still ends with one final line
                logger.exception("generate.failed id=%s", request_id)
                metrics.requests.labels("500").inc()
                detail = f"The worker failed; check its log for id {request_id}."
                yield _line({"event": "error", "status": 500, "detail": detail})
                return
            metrics.requests.labels("200").inc()
            yield _line({"event": "done", "response": result.model_dump(mode="json")})

        def close() -> None:
            if not task.done():  # the client went away mid-stream: the engine drops the job
                task.cancel()
            if not finished:
                disconnected(request_id)

        return _Stream(
            events(),
            on_close=close,
            media_type=NDJSON,
            # Proxies (nginx, tunnels) must pass each line on at once, not buffer the stream.
            headers={
                "X-Request-ID": request_id,
                "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no",
            },
        )

    return app
