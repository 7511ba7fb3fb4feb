"""The worker client against a fake worker over real HTTP on 127.0.0.1: the streaming protocol
(progress, idle timeout, error events, closing the stream), plain JSON from workers that do not
stream, and answers in the original Italian Teacher shape."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from api.generation.breaker import BreakerState, CircuitBreaker
from api.generation.client import NDJSON, WorkerClient, WorkerUnavailable
from inference_worker.contract import GenerateRequest, check_exercises
from tests.fake_worker import FakeWorker

REQUEST = GenerateRequest(
    cefr_level="A2",
    grammar_focus="passato prossimo",
    quantity=3,
    exercise_types=["fill_in_blank", "multiple_choice"],
    seed=11,
)


def _client(
    url: str,
    *,
    idle_timeout: float = 1.0,
    read_timeout: float = 10.0,
    max_attempts: int = 2,
    transport: httpx.AsyncBaseTransport | None = None,
) -> WorkerClient:
    return WorkerClient(
        base_url=url,
        api_key=None,
        connect_timeout=1,
        read_timeout=read_timeout,
        idle_timeout=idle_timeout,
        max_attempts=max_attempts,
        backoff_seconds=0.01,
        breaker=CircuitBreaker(failure_threshold=5, reset_seconds=60),
        transport=transport,
    )


async def _until(condition: object, timeout: float = 5.0) -> None:
    ends = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < ends, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_original_shape_is_understood(fake_worker: FakeWorker) -> None:
    fake_worker.shape = "original"
    client = _client(fake_worker.url)
    result = await client.generate(REQUEST, deadline=5)
    await client.aclose()
    answer = result.response
    assert answer.model is None and answer.finish_reason is None
    assert answer.generated_tokens == 120
    check_exercises(REQUEST, answer.exercises)
    assert result.attempts == 1


async def test_plain_worker_ignores_the_stream_field(fake_worker: FakeWorker) -> None:
    client = _client(fake_worker.url)

    def no_progress(tokens: int) -> None:
        raise AssertionError(f"a plain JSON answer reported progress ({tokens})")

    result = await client.generate(REQUEST, deadline=5, on_progress=no_progress)
    await client.aclose()
    assert fake_worker.stats.stream_flags == [True]
    assert fake_worker.stats.streamed == 0
    assert client.streams is False
    assert result.response.model == "fake-italian-7b"


async def test_stream_reports_progress_then_the_answer(fake_worker: FakeWorker) -> None:
    fake_worker.streaming = True
    fake_worker.latency = 0.5
    fake_worker.progress_interval = 0.05
    seen: list[int] = []
    client = _client(fake_worker.url)
    result = await client.generate(REQUEST, deadline=5, on_progress=seen.append)
    await client.aclose()
    assert fake_worker.stats.streamed == 1
    assert client.streams is True
    assert seen[0] == 0 and seen[-1] == 120
    assert seen == sorted(seen) and len(set(seen)) >= 4, seen
    check_exercises(REQUEST, result.response.exercises)
    assert result.response.model == "fake-italian-7b"


async def test_original_shape_in_a_stream_takes_the_model_from_start(
    fake_worker: FakeWorker,
) -> None:
    fake_worker.streaming = True
    fake_worker.shape = "original"
    client = _client(fake_worker.url)
    result = await client.generate(REQUEST, deadline=5)
    await client.aclose()
    assert result.response.model == "fake-italian-7b"
    assert result.response.finish_reason is None


async def test_silent_stream_fails_after_the_idle_timeout_and_is_closed(
    fake_worker: FakeWorker,
) -> None:
    fake_worker.streaming = True
    fake_worker.mode = "stream_hang"
    client = _client(fake_worker.url, idle_timeout=0.4, read_timeout=30, max_attempts=2)
    started = time.monotonic()
    with pytest.raises(
        WorkerUnavailable, match=r"2 attempts failed \(worker sent nothing for 0.4 s"
    ):
        await client.generate(REQUEST, deadline=30)
    assert time.monotonic() - started < 2.0
    await _until(lambda: fake_worker.stats.disconnects == 2)
    await client.aclose()


async def test_known_streaming_worker_silent_before_its_headers(fake_worker: FakeWorker) -> None:
    fake_worker.streaming = True
    client = _client(fake_worker.url, idle_timeout=0.4, read_timeout=30, max_attempts=1)
    await client.generate(REQUEST, deadline=5)
    fake_worker.mode = "hang"  # now it does not even send its headers
    started = time.monotonic()
    with pytest.raises(WorkerUnavailable, match="sent nothing for 0.4 s"):
        await client.generate(REQUEST, deadline=30)
    assert time.monotonic() - started < 1.5
    assert client.streams is None, "the next attempt waits the full read timeout again"
    await client.aclose()


async def test_error_event_is_a_failed_attempt_and_retried(fake_worker: FakeWorker) -> None:
    fake_worker.streaming = True
    fake_worker.mode = "stream_error"
    client = _client(fake_worker.url, max_attempts=3)
    with pytest.raises(WorkerUnavailable, match="HTTP 503: The engine stopped. Try again."):
        await client.generate(REQUEST, deadline=10)
    assert fake_worker.stats.requests == 3
    await client.aclose()


async def test_cancelling_closes_the_stream_without_a_verdict(fake_worker: FakeWorker) -> None:
    fake_worker.streaming = True
    fake_worker.latency = 30
    fake_worker.progress_interval = 0.05
    seen: list[int] = []
    client = _client(fake_worker.url)
    task = asyncio.create_task(client.generate(REQUEST, deadline=60, on_progress=seen.append))
    await _until(lambda: len(seen) >= 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await _until(lambda: fake_worker.stats.disconnects == 1)
    assert client.breaker.state == BreakerState.closed
    assert client.breaker.acquire() is not None
    await client.aclose()


def _ndjson(*events: object) -> httpx.Response:
    body = b"".join(json.dumps(e).encode() + b"\n" for e in events)
    return httpx.Response(200, headers={"content-type": NDJSON}, content=body)


@pytest.mark.parametrize(
    ("events", "reason", "calls"),
    [
        ([{"event": "start"}, {"event": "error", "status": 422, "detail": "bad"}], "HTTP 422", 1),
        ([{"event": "start"}, {"event": "progress", "generated_tokens": 5}], "without a result", 2),
        ([{"event": "done", "response": {"exercises": []}}], "does not match the contract", 2),
    ],
)
async def test_stream_endings_that_are_not_an_answer(
    events: list[object], reason: str, calls: int
) -> None:
    count = 0

    def handler(_request: httpx.Request) -> httpx.Response:
        nonlocal count
        count += 1
        return _ndjson(*events)

    client = _client("http://worker.test", transport=httpx.MockTransport(handler))
    with pytest.raises(WorkerUnavailable, match=reason):
        await client.generate(REQUEST, deadline=5)
    assert count == calls


async def test_malformed_event_line_fails_the_attempt() -> None:
    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": NDJSON}, content=b'{"event": "st\n')

    client = _client("http://worker.test", transport=httpx.MockTransport(handler), max_attempts=1)
    with pytest.raises(WorkerUnavailable, match="malformed event"):
        await client.generate(REQUEST, deadline=5)
