"""The worker over real HTTP with the transformers engine on a tiny random model."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from inference_worker.contract import GenerateRequest, GenerateResponse, check_exercises
from tests.worker.conftest import API_KEY, GatedEngine, ServedWorker, wait_ready

AUTH = {"Authorization": f"Bearer {API_KEY}"}
ORIGINAL_CLIENT_REQUEST = {
    "cefr_level": "A2",
    "grammar_focus": "",
    "topic": "",
    "quantity": 2,
    "exercise_types": ["fill_in_blank", "translation"],
    "max_tokens": 600,
    "temperature": 0.7,
}


def _assert_valid(body: dict[str, object], request: dict[str, object]) -> GenerateResponse:
    response = GenerateResponse.model_validate(body)
    check_exercises(GenerateRequest.model_validate(request), response.exercises)
    assert response.generated_tokens > 0
    assert response.finish_reason == "stop"
    return response


def test_health_goes_from_loading_to_ok(
    serve: Callable[..., ServedWorker], tiny_model: Path
) -> None:
    gate = threading.Event()
    worker = serve(engine=GatedEngine(gate, model=str(tiny_model), threads=1))
    loading = httpx.get(f"{worker.url}/health")
    assert loading.status_code == 503
    assert loading.json()["status"] == "loading"
    assert loading.headers["retry-after"]
    early = httpx.post(f"{worker.url}/generate", json=ORIGINAL_CLIENT_REQUEST, headers=AUTH)
    assert early.status_code == 503 and "loading" in early.json()["detail"]
    gate.set()
    wait_ready(worker.url)
    for path in ("/health", "/healthz"):
        body = httpx.get(f"{worker.url}{path}").json()
        assert body["status"] == "ok"
        assert body["engine"] == "transformers"
        assert body["device"] == "cpu" and body["dtype"] == "float32"
        assert body["model"] == str(tiny_model)
        assert body["requests_running"] == 0 and body["requests_waiting"] == 0


def test_original_client_request_gets_valid_exercises(
    serve: Callable[..., ServedWorker], tiny_model: Path
) -> None:
    worker = serve()
    wait_ready(worker.url)
    response = httpx.post(
        f"{worker.url}/generate", json=ORIGINAL_CLIENT_REQUEST, headers=AUTH, timeout=60
    )
    assert response.status_code == 200, response.text
    result = _assert_valid(response.json(), ORIGINAL_CLIENT_REQUEST)
    assert result.model == str(tiny_model)


@pytest.mark.parametrize(
    "types",
    [
        ["multiple_choice"],
        ["fill_in_blank", "multiple_choice"],
        ["translation"],
        ["fill_in_blank", "translation", "multiple_choice"],
    ],
)
def test_a_random_model_gives_valid_exercises_of_every_requested_type(
    serve: Callable[..., ServedWorker], types: list[str]
) -> None:
    worker = serve()
    wait_ready(worker.url)
    for seed in range(3):
        request = ORIGINAL_CLIENT_REQUEST | {"exercise_types": types, "quantity": 3, "seed": seed}
        response = httpx.post(f"{worker.url}/generate", json=request, headers=AUTH, timeout=60)
        # Valid by construction: even random weights cannot put the answer outside the options.
        assert response.status_code == 200, response.text
        result = _assert_valid(response.json(), request)
        assert {e.type for e in result.exercises} == set(types)
        for exercise in result.exercises:
            if exercise.type == "multiple_choice":
                assert exercise.options is not None
                assert exercise.correct_answer in exercise.options


async def test_sixteen_concurrent_requests_all_succeed(serve: Callable[..., ServedWorker]) -> None:
    worker = serve()
    await asyncio.to_thread(wait_ready, worker.url)
    async with httpx.AsyncClient(base_url=worker.url, headers=AUTH, timeout=120) as client:
        requests = [ORIGINAL_CLIENT_REQUEST | {"quantity": 1, "seed": i} for i in range(16)]
        responses = await asyncio.gather(*(client.post("/generate", json=r) for r in requests))
    assert [r.status_code for r in responses] == [200] * 16
    for response, request in zip(responses, requests, strict=True):
        _assert_valid(response.json(), request)


def test_key_is_enforced_except_on_health(serve: Callable[..., ServedWorker]) -> None:
    worker = serve()
    wait_ready(worker.url)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": API_KEY}):
        response = httpx.post(
            f"{worker.url}/generate", json=ORIGINAL_CLIENT_REQUEST, headers=headers
        )
        assert response.status_code == 401
        assert "WORKER_API_KEY" in response.json()["detail"]
        assert API_KEY not in response.text
        assert httpx.get(f"{worker.url}/metrics", headers=headers).status_code == 401
    assert httpx.get(f"{worker.url}/health").status_code == 200
    metrics = httpx.get(f"{worker.url}/metrics", headers=AUTH)
    assert metrics.status_code == 200
    for name in (
        "worker_requests_total",
        "worker_request_seconds_bucket",
        "worker_generated_tokens_total",
        "worker_requests_in_flight",
    ):
        assert name in metrics.text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"cefr_level": "Z9"}, "cefr_level"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": 21}, "quantity"),
        ({"exercise_types": ["essay"]}, "exercise_types"),
        ({"temperature": 5}, "temperature"),
        ({"max_tokens": 1}, "max_tokens"),
    ],
)
def test_bad_request_is_422_naming_the_field(
    serve: Callable[..., ServedWorker], change: dict[str, object], field: str
) -> None:
    worker = serve()
    response = httpx.post(
        f"{worker.url}/generate", json=ORIGINAL_CLIENT_REQUEST | change, headers=AUTH
    )
    assert response.status_code == 422
    assert field in response.json()["detail"]


def test_disconnected_client_stops_its_generation(serve: Callable[..., ServedWorker]) -> None:
    worker = serve(max_field_chars=400)
    wait_ready(worker.url)
    long_request = ORIGINAL_CLIENT_REQUEST | {"quantity": 20, "max_tokens": 16000, "seed": 1}
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{worker.url}/generate", json=long_request, headers=AUTH, timeout=0.5)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        health = httpx.get(f"{worker.url}/health").json()
        if health["requests_running"] == 0 and health["requests_in_flight"] == 0:
            break
        time.sleep(0.05)
    assert health["requests_running"] == 0 and health["requests_in_flight"] == 0
    metrics = httpx.get(f"{worker.url}/metrics", headers=AUTH).text
    assert 'worker_failures_total{reason="disconnected"} 1.0' in metrics
    # The worker is free again: a normal request is served at once.
    response = httpx.post(
        f"{worker.url}/generate", json=ORIGINAL_CLIENT_REQUEST, headers=AUTH, timeout=60
    )
    assert response.status_code == 200


def test_time_limit_gives_504(serve: Callable[..., ServedWorker]) -> None:
    worker = serve(max_field_chars=400, request_timeout=0.3)
    wait_ready(worker.url)
    request = ORIGINAL_CLIENT_REQUEST | {"quantity": 20, "max_tokens": 16000}
    response = httpx.post(f"{worker.url}/generate", json=request, headers=AUTH, timeout=30)
    assert response.status_code == 504
    assert "time limit" in response.json()["detail"]


def test_budget_too_small_is_a_502_that_says_what_to_do(serve: Callable[..., ServedWorker]) -> None:
    worker = serve()
    wait_ready(worker.url)
    request = ORIGINAL_CLIENT_REQUEST | {"quantity": 20, "max_tokens": 64}
    headers = AUTH | {"X-Request-ID": "homework-42"}
    response = httpx.post(f"{worker.url}/generate", json=request, headers=headers, timeout=60)
    assert response.status_code == 502
    assert response.headers["x-request-id"] == "homework-42"
    assert "raise max_tokens" in response.json()["detail"]
    metrics = httpx.get(f"{worker.url}/metrics", headers=AUTH).text
    assert 'worker_failures_total{reason="unusable"} 3.0' in metrics
    assert 'worker_requests_total{status="502"} 1.0' in metrics
