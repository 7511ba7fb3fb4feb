"""The HTTP client of the inference worker: timeouts, jittered retries, a deadline, a breaker.

It asks for a stream (``"stream": true``): a streaming worker answers NDJSON events (``start``,
``progress`` at least every 2 s, then ``done`` or ``error``), so an attempt fails after
``idle_timeout`` seconds of silence instead of a whole read timeout; a worker that does not
stream ignores the field and answers plain JSON, read as before. Every answer is validated
against the wire contract; anything that does not validate counts as a failed attempt and is
never returned. Leaving the stream (cancelled, deadline passed) closes the connection, which
cancels the generation in the worker.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from api.core.config import redact_url
from api.core.logging import log_event
from api.generation.breaker import BreakerState, CircuitBreaker, Permit
from inference_worker.contract import (
    ContractViolation,
    Exercise,
    GenerateRequest,
    check_exercises,
)

logger = logging.getLogger("api.generation.client")

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_BACKOFF_SECONDS = 4.0
NDJSON = "application/x-ndjson"

#: Called with the tokens generated so far, whenever a streaming worker reports progress.
ProgressCallback = Callable[[int], None]


class WorkerAnswer(BaseModel):
    """The API's reading of a worker's answer: ``GenerateResponse`` with ``model`` and
    ``finish_reason`` optional, so a worker in the original Italian Teacher shape (exercises,
    generated_tokens, inference_time) is understood too."""

    model_config = ConfigDict(extra="ignore", protected_namespaces=())

    exercises: list[Exercise]
    generated_tokens: int = Field(ge=0)
    inference_time: float = Field(ge=0)
    model: str | None = None
    finish_reason: str | None = None


class WorkerUnavailable(Exception):
    """No valid answer from the worker; ``reason`` says why, for the teacher."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Failed(Exception):
    """A failed attempt; ``connection`` when the worker was unreachable or silent."""

    def __init__(
        self, reason: str, *, connection: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.connection = connection
        self.retry_after = retry_after


class _Retryable(_Failed):
    pass


class _Fatal(_Failed):
    pass


@dataclass(frozen=True)
class WorkerResult:
    """A validated answer and what it cost."""

    response: WorkerAnswer
    attempts: int
    elapsed: float


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _error_detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    text = str(detail) if detail else response.text
    return " ".join(text.split())[:160]


def _status_failure(status: int, detail: str, retry_after: float | None = None) -> _Failed:
    """The failed attempt an HTTP(-like) status stands for."""
    if status in RETRYABLE_STATUS or status >= 500:
        return _Retryable(f"worker answered HTTP {status}: {detail}", retry_after=retry_after)
    if status in (401, 403):
        return _Fatal(f"worker refused the API key (HTTP {status}): check INFERENCE_API_KEY")
    if status == 404:
        return _Fatal(
            "worker URL answered 404 (tunnel closed or wrong URL?): check INFERENCE_API_URL",
            connection=True,
        )
    return _Fatal(f"worker answered HTTP {status}: {detail}")


class WorkerClient:
    """Talks to ``POST /generate`` of one worker URL; one instance (one connection pool) per process."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: SecretStr | None,
        connect_timeout: float,
        read_timeout: float,
        breaker: CircuitBreaker,
        idle_timeout: float = 15.0,
        max_attempts: int = 5,
        backoff_seconds: float = 0.25,
        max_connections: int = 64,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        headers = {"ngrok-skip-browser-warning": "true", "User-Agent": "italian-teacher-api"}
        if api_key is not None:
            headers["Authorization"] = f"Bearer {api_key.get_secret_value()}"
        self.base_url = base_url
        self.breaker = breaker
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.idle_timeout = idle_timeout
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        # Whether the worker streams: None until it first answers. A streaming worker sends its
        # headers and ``start`` at once, so then even the headers are awaited for idle_timeout.
        self.streams: bool | None = None
        self.in_flight = 0  # attempts on their way to this worker now
        self.name = redact_url(base_url)
        self._client = httpx.AsyncClient(
            base_url=base_url,
            headers=headers,
            transport=transport,
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def health(self, *, timeout: float = 2.0) -> tuple[bool, str]:
        """Whether the worker answers /health now, and what it said."""
        try:
            response = await self._client.get("/health", timeout=timeout)
        except httpx.HTTPError as exc:
            return False, f"unreachable ({type(exc).__name__})"
        if response.status_code == 200:
            return True, "ok"
        return False, f"HTTP {response.status_code}: {_error_detail(response)}"

    async def generate(
        self,
        request: GenerateRequest,
        *,
        deadline: float,
        on_progress: ProgressCallback | None = None,
    ) -> WorkerResult:
        """A validated answer within ``deadline`` seconds, or WorkerUnavailable."""
        return await generate_with(
            [self],
            request,
            deadline=deadline,
            on_progress=on_progress,
            max_attempts=self.max_attempts,
            backoff_seconds=self.backoff_seconds,
        )

    async def _attempt(
        self, request: GenerateRequest, remaining: float, on_progress: ProgressCallback | None
    ) -> WorkerAnswer:
        first_wait = self.idle_timeout if self.streams else self.read_timeout
        timeout = httpx.Timeout(
            connect=min(self.connect_timeout, remaining),
            read=min(first_wait, remaining),
            write=min(self.connect_timeout, remaining),
            pool=min(self.connect_timeout, remaining),
        )
        # ``stream`` may not be in GenerateRequest yet; a worker that does not know it ignores it.
        body = request.model_dump(mode="json") | {"stream": True}
        try:
            async with self._client.stream(
                "POST", "/generate", json=body, timeout=timeout
            ) as response:
                if response.status_code == 200 and response.headers.get(
                    "content-type", ""
                ).startswith(NDJSON):
                    self.streams = True
                    return await self._read_stream(request, response, on_progress)
                await response.aread()
        except httpx.ConnectError as exc:
            raise _Retryable(
                f"worker unreachable ({exc or 'connection failed'})", connection=True
            ) from None
        except httpx.TimeoutException as exc:
            if self.streams and isinstance(exc, httpx.ReadTimeout):
                self.streams = None  # maybe an older worker now answers at this URL
                raise _Retryable(
                    f"worker sent nothing for {first_wait:g} s (hung?)", connection=True
                ) from None
            raise _Retryable(f"worker timed out ({type(exc).__name__})", connection=True) from None
        except httpx.TransportError as exc:
            raise _Retryable(
                f"connection to worker broke ({type(exc).__name__})", connection=True
            ) from None

        if response.status_code != 200:
            raise _status_failure(
                response.status_code, _error_detail(response), _retry_after(response)
            )
        self.streams = False
        try:
            payload = json.loads(response.content)
        except ValueError:
            raise _Retryable("worker answered malformed JSON") from None
        return self._validate(request, payload)

    async def _read_stream(
        self,
        request: GenerateRequest,
        response: httpx.Response,
        on_progress: ProgressCallback | None,
    ) -> WorkerAnswer:
        """Events until ``done`` or ``error``; silence longer than idle_timeout fails the attempt."""
        lines = response.aiter_lines()
        model: str | None = None
        while True:
            try:
                async with asyncio.timeout(self.idle_timeout):
                    line = await anext(lines)
            except TimeoutError:
                raise _Retryable(
                    f"worker sent nothing for {self.idle_timeout:g} s (hung?)", connection=True
                ) from None
            except StopAsyncIteration:
                raise _Retryable("worker stream ended without a result", connection=True) from None
            if not line.strip():
                continue
            try:
                event = json.loads(line)
                kind = event["event"]
            except (ValueError, KeyError, TypeError):
                raise _Retryable("worker stream sent a malformed event") from None
            if kind == "start":
                model = event.get("model") if isinstance(event.get("model"), str) else None
                if on_progress is not None:
                    on_progress(0)
            elif kind == "progress":
                tokens = event.get("generated_tokens")
                if on_progress is not None and isinstance(tokens, int) and tokens >= 0:
                    on_progress(tokens)
            elif kind == "done":
                answer = self._validate(request, event.get("response"))
                if answer.model is None and model is not None:
                    answer = answer.model_copy(update={"model": model})
                return answer
            elif kind == "error":
                status = event.get("status")
                detail = " ".join(str(event.get("detail") or "no detail").split())[:160]
                raise _status_failure(status if isinstance(status, int) else 502, detail)
            # Unknown events are ignored: a newer worker may say more.

    @staticmethod
    def _validate(request: GenerateRequest, payload: Any) -> WorkerAnswer:
        try:
            answer = WorkerAnswer.model_validate(payload)
            check_exercises(request, answer.exercises)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise _Retryable(
                f"worker answer does not match the contract ({where}: {first['msg']})"
            ) from None
        except ContractViolation as exc:
            raise _Retryable(f"worker answer does not match the request ({exc})") from None
        return answer


def _pick(
    workers: Sequence[WorkerClient], failed: set[WorkerClient]
) -> tuple[WorkerClient, Permit] | None:
    """The worker with the fewest attempts in flight among closed breakers, else a probe slot.

    Workers that already failed this homework come last: a worker that fails fast has nothing
    in flight, and would otherwise get every retry until its breaker opens.
    """
    closed = sorted(
        (w for w in workers if w.breaker.state == BreakerState.closed),
        key=lambda w: (w in failed, w.in_flight),
    )
    probing = [w for w in workers if w.breaker.state == BreakerState.half_open]
    for worker in [*closed, *probing]:
        permit = worker.breaker.acquire()
        if permit is not None:
            return worker, permit
    return None


async def _backoff(
    attempt: int, retry_after: float | None, ends_at: float, backoff_seconds: float
) -> None:
    ceiling = min(MAX_BACKOFF_SECONDS, backoff_seconds * 2 ** (attempt - 1))
    delay = random.uniform(ceiling / 2, ceiling)  # jitter spreads the retries of many students
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_BACKOFF_SECONDS * 4))
    delay = min(delay, max(0.0, ends_at - time.monotonic()))
    if delay > 0:
        await asyncio.sleep(delay)


async def generate_with(
    workers: Sequence[WorkerClient],
    request: GenerateRequest,
    *,
    deadline: float,
    on_progress: ProgressCallback | None,
    max_attempts: int,
    backoff_seconds: float,
) -> WorkerResult:
    """A validated answer from one of ``workers`` within ``deadline`` seconds, retrying (on
    whichever worker is least busy) while a breaker lets calls through; or WorkerUnavailable."""
    started = time.monotonic()
    ends_at = started + deadline
    attempt = 0
    last_reason = "no attempt made"
    several = len(workers) > 1
    failed: set[WorkerClient] = set()  # the workers that failed this homework
    while True:
        remaining = ends_at - time.monotonic()
        if remaining <= 0:
            raise WorkerUnavailable(f"no valid answer within {deadline:g} s ({last_reason})")
        if attempt >= max_attempts:
            raise WorkerUnavailable(f"{attempt} attempts failed ({last_reason})")
        picked = _pick(workers, failed)
        if picked is None:
            if any(w.breaker.state == BreakerState.half_open for w in workers):
                # Probes are in flight: their verdict decides for everyone, so wait for it.
                await asyncio.sleep(min(0.05, remaining))
                continue
            what = "every worker's circuit breaker" if several else "worker circuit breaker"
            raise WorkerUnavailable(
                f"{what} open after repeated failures ({last_reason})"
                if attempt
                else f"{what} open after repeated failures"
            )
        worker, permit = picked
        attempt += 1
        seeded = (
            request
            if attempt == 1
            else request.model_copy(update={"seed": random.randrange(2**31)})
        )
        worker.in_flight += 1
        try:
            async with asyncio.timeout(remaining):
                response = await worker._attempt(seeded, remaining, on_progress)
        except (_Failed, TimeoutError) as exc:
            failed.add(worker)
            if isinstance(exc, _Failed):
                last_reason = exc.reason
                permit.failure(connection=exc.connection)
            else:
                last_reason = f"worker did not answer within {deadline:g} s"
                permit.failure(connection=True)
            if several:
                last_reason = f"{worker.name}: {last_reason}"
            log_event(
                logger,
                "worker.attempt_failed",
                logging.WARNING,
                attempt=attempt,
                worker=worker.name,
                reason=last_reason,
                breaker=worker.breaker.state,
            )
            if isinstance(exc, _Fatal) and not several:
                raise WorkerUnavailable(last_reason) from None
            retry_after = exc.retry_after if isinstance(exc, _Failed) else None
            if attempt < max_attempts:
                await _backoff(attempt, retry_after, ends_at, backoff_seconds)
            continue
        except BaseException:
            permit.release()  # cancelled: no verdict on the worker
            raise
        finally:
            worker.in_flight -= 1
        permit.success()
        return WorkerResult(response=response, attempts=attempt, elapsed=time.monotonic() - started)
