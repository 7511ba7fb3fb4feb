"""The worker client over httpx.MockTransport: retries, deadline, validation and the breaker."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import httpx
import pytest
from pydantic import SecretStr

from api.generation.breaker import BreakerState, CircuitBreaker
from api.generation.client import WorkerClient, WorkerUnavailable
from inference_worker.contract import GenerateRequest

REQUEST = GenerateRequest(cefr_level="A1", quantity=1, exercise_types=["fill_in_blank"])
GOOD = {
    "exercises": [
        {
            "type": "fill_in_blank",
            "question": "Io ___ (essere) italiano.",
            "correct_answer": "sono",
            "options": None,
            "explanation": "Essere, prima persona singolare del presente: io sono.",
        }
    ],
    "generated_tokens": 42,
    "inference_time": 0.5,
    "model": "test-model",
    "finish_reason": "stop",
}


def _client(
    handler: Callable[[httpx.Request], httpx.Response],
    *,
    threshold: int = 3,
    key: str | None = "k3y",
) -> WorkerClient:
    return WorkerClient(
        base_url="http://worker.test",
        api_key=SecretStr(key) if key else None,
        connect_timeout=1,
        read_timeout=1,
        backoff_seconds=0.01,
        breaker=CircuitBreaker(failure_threshold=threshold, reset_seconds=60),
        transport=httpx.MockTransport(handler),
    )


async def test_sends_key_and_ngrok_header_and_validates() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=GOOD)

    client = _client(handler)
    result = await client.generate(REQUEST, deadline=5)
    assert result.response.exercises[0].correct_answer == "sono"
    assert result.attempts == 1
    assert seen[0].headers["authorization"] == "Bearer k3y"
    assert seen[0].headers["ngrok-skip-browser-warning"] == "true"
    assert json.loads(seen[0].content)["cefr_level"] == "A1"
    await client.aclose()


@pytest.mark.parametrize("first", [503, 429, 500, 502])
async def test_transient_status_is_retried(first: int) -> None:
    answers = [
        httpx.Response(first, json={"detail": "busy"}, headers={"Retry-After": "0"}),
        httpx.Response(200, json=GOOD),
    ]
    client = _client(lambda _r: answers.pop(0))
    result = await client.generate(REQUEST, deadline=5)
    assert result.attempts == 2
    assert client.breaker.state == BreakerState.closed


async def test_invalid_answer_is_retried_with_a_new_seed() -> None:
    seeds: list[object] = []
    bad = dict(GOOD, exercises=[dict(GOOD["exercises"][0], type="multiple_choice")])  # type: ignore[arg-type,index]

    def handler(request: httpx.Request) -> httpx.Response:
        seeds.append(json.loads(request.content)["seed"])
        return httpx.Response(200, json=bad if len(seeds) == 1 else GOOD)

    result = await _client(handler).generate(REQUEST.model_copy(update={"seed": 7}), deadline=5)
    assert result.attempts == 2
    assert seeds[0] == 7 and seeds[1] != 7


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (httpx.Response(401, json={"detail": "no"}), "INFERENCE_API_KEY"),
        (httpx.Response(404, text="ERR_NGROK_3200"), "INFERENCE_API_URL"),
        (httpx.Response(400, json={"detail": "bad"}), "HTTP 400"),
    ],
)
async def test_client_errors_are_not_retried(response: httpx.Response, reason: str) -> None:
    calls = 0

    def handler(_request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return response

    with pytest.raises(WorkerUnavailable, match=reason):
        await _client(handler).generate(REQUEST, deadline=5)
    assert calls == 1


async def test_deadline_bounds_all_retries() -> None:
    client = _client(lambda _r: httpx.Response(503, json={"detail": "loading"}), threshold=1000)
    client.max_attempts = 1000
    client.breaker.min_calls = 1000
    with pytest.raises(WorkerUnavailable, match=r"within 0.3 s .*HTTP 503"):
        await client.generate(REQUEST, deadline=0.3)


async def test_breaker_opens_and_then_refuses_without_calling() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("connection refused", request=request)

    client = _client(handler, threshold=2)
    with pytest.raises(WorkerUnavailable, match="breaker open"):
        await client.generate(REQUEST, deadline=5)
    assert calls == 2
    with pytest.raises(WorkerUnavailable, match="breaker open"):
        await client.generate(REQUEST, deadline=5)
    assert calls == 2


async def test_attempts_per_homework_are_bounded() -> None:
    calls = 0

    def handler(_request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(500, json={"detail": "CUDA out of memory"})

    client = _client(handler, threshold=1000)
    client.max_attempts = 3
    client.breaker.min_calls = 1000
    with pytest.raises(WorkerUnavailable, match=r"3 attempts failed \(.*HTTP 500"):
        await client.generate(REQUEST, deadline=30)
    assert calls == 3


async def test_retries_continue_while_many_others_succeed() -> None:
    """The first five calls fail: each of twenty concurrent homework still gets its answer."""
    calls = 0

    def handler(_request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls <= 5:
            return httpx.Response(503, json={"detail": "loading"})
        return httpx.Response(200, json=GOOD)

    client = WorkerClient(
        base_url="http://worker.test",
        api_key=None,
        connect_timeout=1,
        read_timeout=1,
        backoff_seconds=0.01,
        breaker=CircuitBreaker(failure_threshold=3, reset_seconds=60),
        transport=httpx.MockTransport(handler),
    )
    results = await asyncio.gather(*(client.generate(REQUEST, deadline=5) for _ in range(20)))
    assert len(results) == 20
    assert sum(r.attempts for r in results) == 25
    assert client.breaker.state == BreakerState.closed
