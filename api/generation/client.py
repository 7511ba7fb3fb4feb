"""The HTTP client of the inference worker: timeouts, jittered retries, a deadline, a breaker.

Every answer is validated against the wire contract; anything that does not validate counts as a
failed attempt and is never returned.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from dataclasses import dataclass

import httpx
from pydantic import SecretStr, ValidationError

from api.core.logging import log_event
from api.generation.breaker import BreakerState, CircuitBreaker
from inference_worker.contract import (
    ContractViolation,
    GenerateRequest,
    GenerateResponse,
    check_exercises,
)

logger = logging.getLogger("api.generation.client")

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_BACKOFF_SECONDS = 4.0


class WorkerUnavailable(Exception):
    """No valid answer from the worker; ``reason`` says why, for the teacher."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class _Fatal(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WorkerResult:
    """A validated answer and what it cost."""

    response: GenerateResponse
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
        self.backoff_seconds = backoff_seconds
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

    async def generate(self, request: GenerateRequest, *, deadline: float) -> WorkerResult:
        """A validated answer within ``deadline`` seconds, or WorkerUnavailable."""
        started = time.monotonic()
        ends_at = started + deadline
        attempt = 0
        last_reason = "no attempt made"
        while True:
            remaining = ends_at - time.monotonic()
            if remaining <= 0:
                raise WorkerUnavailable(f"no valid answer within {deadline:g} s ({last_reason})")
            if not self.breaker.allow():
                if self.breaker.state == BreakerState.half_open:
                    # A probe is in flight: its verdict decides for everyone, so wait for it.
                    await asyncio.sleep(min(0.05, remaining))
                    continue
                raise WorkerUnavailable(
                    f"worker circuit breaker open after repeated failures ({last_reason})"
                    if attempt
                    else "worker circuit breaker open after repeated failures"
                )
            attempt += 1
            seeded = (
                request
                if attempt == 1
                else request.model_copy(update={"seed": random.randrange(2**31)})
            )
            try:
                async with asyncio.timeout(remaining):
                    response = await self._attempt(seeded, remaining)
            except (_Retryable, _Fatal, TimeoutError) as exc:
                self.breaker.record_failure()
                if isinstance(exc, TimeoutError):
                    last_reason = f"worker did not answer within {deadline:g} s"
                else:
                    last_reason = exc.reason
                log_event(
                    logger,
                    "worker.attempt_failed",
                    logging.WARNING,
                    attempt=attempt,
                    reason=last_reason,
                    breaker=self.breaker.state,
                )
                if isinstance(exc, _Fatal):
                    raise WorkerUnavailable(last_reason) from None
                retry_after = exc.retry_after if isinstance(exc, _Retryable) else None
                await self._backoff(attempt, retry_after, ends_at)
                continue
            self.breaker.record_success()
            return WorkerResult(
                response=response, attempts=attempt, elapsed=time.monotonic() - started
            )

    async def _backoff(self, attempt: int, retry_after: float | None, ends_at: float) -> None:
        ceiling = min(MAX_BACKOFF_SECONDS, self.backoff_seconds * 2 ** (attempt - 1))
        delay = random.uniform(ceiling / 2, ceiling)  # jitter spreads the retries of many students
        if retry_after is not None:
            delay = max(delay, min(retry_after, MAX_BACKOFF_SECONDS * 4))
        delay = min(delay, max(0.0, ends_at - time.monotonic()))
        if delay > 0:
            await asyncio.sleep(delay)

    async def _attempt(self, request: GenerateRequest, remaining: float) -> GenerateResponse:
        timeout = httpx.Timeout(
            connect=min(self.connect_timeout, remaining),
            read=min(self.read_timeout, remaining),
            write=min(self.connect_timeout, remaining),
            pool=min(self.connect_timeout, remaining),
        )
        try:
            response = await self._client.post(
                "/generate", json=request.model_dump(mode="json"), timeout=timeout
            )
        except httpx.ConnectError as exc:
            raise _Retryable(f"worker unreachable ({exc or 'connection failed'})") from None
        except httpx.TimeoutException as exc:
            raise _Retryable(f"worker timed out ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"connection to worker broke ({type(exc).__name__})") from None

        if response.status_code in RETRYABLE_STATUS:
            raise _Retryable(
                f"worker answered HTTP {response.status_code}: {_error_detail(response)}",
                _retry_after(response),
            )
        if response.status_code in (401, 403):
            raise _Fatal(
                f"worker refused the API key (HTTP {response.status_code}): check INFERENCE_API_KEY"
            )
        if response.status_code == 404:
            raise _Fatal(
                "worker URL answered 404 (tunnel closed or wrong URL?): check INFERENCE_API_URL"
            )
        if response.status_code != 200:
            raise _Fatal(f"worker answered HTTP {response.status_code}: {_error_detail(response)}")
        return self._validate(request, response)

    @staticmethod
    def _validate(request: GenerateRequest, response: httpx.Response) -> GenerateResponse:
        try:
            payload = json.loads(response.content)
        except ValueError:
            raise _Retryable("worker answered malformed JSON") from None
        try:
            answer = GenerateResponse.model_validate(payload)
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
