"""POST /generate with "stream": true over real HTTP: NDJSON progress, final event, cancellation."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from inference_worker.contract import GenerateRequest, GenerateResponse, check_exercises
from inference_worker.engines import EngineOutput, GenerationTask
from inference_worker.engines.transformers_engine import TransformersEngine
from tests.worker.conftest import API_KEY, GatedEngine, ServedWorker, wait_ready

AUTH = {"Authorization": f"Bearer {API_KEY}"}
REQUEST = {
    "cefr_level": "B1",
    "quantity": 4,
    "exercise_types": ["fill_in_blank", "multiple_choice"],
    "max_tokens": 1200,
    "seed": 3,
    "stream": True,
}
LONG = REQUEST | {"quantity": 20, "max_tokens": 16000, "exercise_types": ["translation"]}


def _events(response: httpx.Response) -> Iterator[tuple[float, dict[str, Any]]]:
    for line in response.iter_lines():
        yield time.monotonic(), json.loads(line)


def _health(url: str, until: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 5
    while True:
        health = httpx.get(f"{url}/health").json()
        if until(health) or time.monotonic() > deadline:
            return health
        time.sleep(0.05)


def test_stream_reports_progress_then_the_usual_response(
    serve: Callable[..., ServedWorker], tiny_model: Path
) -> None:
    worker = serve(progress_interval=0.1)
    wait_ready(worker.url)
    with httpx.stream(
        "POST", f"{worker.url}/generate", json=REQUEST, headers=AUTH, timeout=60
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/x-ndjson"
        assert response.headers["x-request-id"]
        events = list(_events(response))
    kinds = [event["event"] for _, event in events]
    assert kinds[0] == "start" and events[0][1]["model"] == str(tiny_model)
    assert kinds[-1] == "done" and set(kinds[1:-1]) == {"progress"}
    progress = [event for _, event in events if event["event"] == "progress"]
    tokens = [event["generated_tokens"] for event in progress]
    complete = [event["exercises_complete"] for event in progress]
    assert tokens == sorted(tokens) and tokens[-1] > 0
    assert complete == sorted(complete) and complete[-1] <= 4
    assert (
        max(later - earlier for (earlier, _), (later, _) in zip(events, events[1:], strict=False))
        < 2
    )
    result = GenerateResponse.model_validate(events[-1][1]["response"])
    check_exercises(GenerateRequest.model_validate(REQUEST), result.exercises)
    assert result.generated_tokens >= tokens[-1]
    # The same request without "stream" still answers one plain JSON body.
    plain = httpx.post(
        f"{worker.url}/generate", json=REQUEST | {"stream": False}, headers=AUTH, timeout=60
    )
    assert plain.headers["content-type"] == "application/json"
    assert plain.json()["exercises"] == [e.model_dump() for e in result.exercises]


def test_a_queued_request_keeps_reporting_with_zero_tokens(
    serve: Callable[..., ServedWorker],
) -> None:
    worker = serve(progress_interval=0.1, max_batch_size=1, max_field_chars=400)
    wait_ready(worker.url)
    with httpx.Client(base_url=worker.url, headers=AUTH, timeout=60) as client:
        with client.stream("POST", "/generate", json=LONG) as blocker:
            first = iter(_events(blocker))
            assert next(first)[1]["event"] == "start"
            while next(first)[1]["generated_tokens"] == 0:
                pass  # until the long request is decoding
            with client.stream("POST", "/generate", json=REQUEST) as queued:
                waiting = iter(_events(queued))
                assert next(waiting)[1]["event"] == "start"
                for _ in range(3):
                    _, event = next(waiting)
                    assert event == {
                        "event": "progress",
                        "generated_tokens": 0,
                        "exercises_complete": 0,
                    }
                waiting_health = _health(worker.url, lambda h: h["requests_waiting"] == 1)
                assert waiting_health["requests_waiting"] == 1
                # Once the long request goes away, the queued one runs and finishes.
                blocker.close()
                *_, (_, last) = waiting
    assert last["event"] == "done"
    assert len(last["response"]["exercises"]) == 4


def test_closing_the_stream_cancels_the_generation(serve: Callable[..., ServedWorker]) -> None:
    worker = serve(progress_interval=0.1, max_field_chars=400)
    wait_ready(worker.url)
    with httpx.stream(
        "POST", f"{worker.url}/generate", json=LONG, headers=AUTH, timeout=60
    ) as response:
        events = _events(response)  # held open: dropping the iterator would close the stream
        for _, event in events:
            if event.get("generated_tokens", 0) > 0:
                break
        running = httpx.get(f"{worker.url}/health").json()
        assert running["requests_running"] == 1 and running["requests_in_flight"] == 1
    idle = _health(
        worker.url, lambda h: h["requests_running"] == 0 and h["requests_in_flight"] == 0
    )
    assert idle["requests_running"] == 0 and idle["requests_in_flight"] == 0
    metrics = httpx.get(f"{worker.url}/metrics", headers=AUTH).text
    assert 'worker_failures_total{reason="disconnected"} 1.0' in metrics


def test_a_failure_during_the_stream_is_an_error_event(
    serve: Callable[..., ServedWorker],
) -> None:
    worker = serve(progress_interval=0.1, max_field_chars=400, request_timeout=0.5)
    wait_ready(worker.url)
    with httpx.stream(
        "POST", f"{worker.url}/generate", json=LONG, headers=AUTH, timeout=60
    ) as response:
        assert response.status_code == 200
        events = [event for _, event in _events(response)]
    assert events[-1]["event"] == "error" and events[-1]["status"] == 504
    assert "time limit" in events[-1]["detail"]
    assert [e["event"] for e in events[:-1]][0] == "start"


def test_failures_before_the_stream_stay_plain_json_errors(
    serve: Callable[..., ServedWorker], tiny_model: Path
) -> None:
    gate = threading.Event()
    engine = GatedEngine(gate, model=str(tiny_model), threads=1)
    worker = serve(engine=engine, max_queue=1, max_field_chars=400)
    loading = httpx.post(f"{worker.url}/generate", json=REQUEST, headers=AUTH)
    assert loading.status_code == 503 and "loading" in loading.json()["detail"]
    gate.set()
    wait_ready(worker.url)
    unauthorised = httpx.post(f"{worker.url}/generate", json=REQUEST)
    assert unauthorised.status_code == 401
    assert unauthorised.headers["content-type"] == "application/json"
    invalid = httpx.post(f"{worker.url}/generate", json=REQUEST | {"quantity": 0}, headers=AUTH)
    assert invalid.status_code == 422 and "quantity" in invalid.json()["detail"]
    with httpx.stream(
        "POST", f"{worker.url}/generate", json=LONG, headers=AUTH, timeout=60
    ) as running:
        lines = running.iter_lines()  # held open while the second request is refused
        assert json.loads(next(lines))["event"] == "start"
        busy = httpx.post(f"{worker.url}/generate", json=REQUEST, headers=AUTH)
        assert busy.status_code == 503 and busy.headers["retry-after"]
        assert "busy" in busy.json()["detail"]


class BrokenEngine(TransformersEngine):
    """The real engine, loaded, whose every generation crashes as a broken GPU would."""

    async def generate(self, task: GenerationTask) -> EngineOutput:
        raise RuntimeError("CUDA error: device-side assert triggered")


def test_an_engine_crash_during_the_stream_is_a_500_event(
    serve: Callable[..., ServedWorker], tiny_model: Path
) -> None:
    worker = serve(engine=BrokenEngine(model=str(tiny_model), threads=1), progress_interval=0.1)
    wait_ready(worker.url)
    with httpx.stream(
        "POST", f"{worker.url}/generate", json=REQUEST, headers=AUTH, timeout=30
    ) as response:
        events = [json.loads(line) for line in response.iter_lines()]
    assert [e["event"] for e in events] == ["start", "error"]
    assert events[-1]["status"] == 500 and "device-side assert" in events[-1]["detail"]
    assert _health(worker.url, lambda h: True)["requests_in_flight"] == 0
