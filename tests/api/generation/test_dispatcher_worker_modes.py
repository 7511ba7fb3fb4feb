"""The dispatcher against a fake worker over real HTTP, in every failure mode.

Whatever the worker does, every assignment ends ``completed`` with valid exercises; the source
and the error message say honestly where they came from.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any

import pytest

from api.core.config import Settings
from inference_worker.contract import Exercise, GenerateRequest, check_exercises
from tests.api.conftest import Api
from tests.fake_worker import FakeWorker


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _homework(api: Api, student_ids: list[int]) -> list[dict[str, Any]]:
    result = []
    for student_id in student_ids:
        result.extend(await api.teacher_homework({"id": student_id}))
    return result


def _assert_valid(homework: dict[str, Any], quantity: int, types: list[str]) -> None:
    assert homework["status"] == "available"
    exercises = [Exercise.model_validate(e) for e in homework["exercises"]]
    request = GenerateRequest(cefr_level="A2", quantity=quantity, exercise_types=types)  # type: ignore[arg-type]
    check_exercises(request, exercises)


async def _run(
    api: Api, students: int = 4, quantity: int = 4
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    ids = [(await api.student(f"S{i}"))["id"] for i in range(students)]
    types = ["fill_in_blank", "multiple_choice", "translation"]
    created = await api.assignment(ids, quantity=quantity, exercise_types=types)
    done = await api.wait_done(created["id"], timeout=30)
    homework = await _homework(api, ids)
    assert len(homework) == students
    for item in homework:
        _assert_valid(item, quantity, types)
    return done, homework


async def test_healthy_worker_is_used(
    start_api: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    fake_worker: FakeWorker,
) -> None:
    fake_worker.api_key = "s3cret-key"
    api = await start_api(
        make_settings(inference_api_url=fake_worker.url, inference_api_key="s3cret-key")
    )
    done, homework = await _run(api)
    assert done["status"] == "completed"
    assert done["error_message"] is None
    assert {h["source"] for h in homework} == {"model"}
    assert {h["model_name"] for h in homework} == {"fake-italian-7b"}
    assert all(h["generated_tokens"] == 160 for h in homework)
    assert fake_worker.stats.requests == 4
    assert set(fake_worker.stats.authorization) == {"Bearer s3cret-key"}
    assert len(set(fake_worker.stats.seeds)) == 4, "each student gets its own seed"


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("error500", "HTTP 500"),
        ("malformed", "malformed JSON"),
        ("wrong_schema", "does not match the contract"),
        ("wrong_count", "expected 4 exercises"),
        ("drop", "connection to worker broke"),
        ("unauthorized", "INFERENCE_API_KEY"),
    ],
)
async def test_misbehaving_worker_falls_back_offline(
    start_api: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    fake_worker: FakeWorker,
    mode: str,
    reason: str,
) -> None:
    fake_worker.mode = mode  # type: ignore[assignment]
    api = await start_api(make_settings(inference_api_url=fake_worker.url))
    done, homework = await _run(api)
    assert done["status"] == "completed"
    assert {h["source"] for h in homework} == {"fallback"}
    assert done["error_message"].startswith("4 of 4 homework generated offline")
    assert reason in done["error_message"]
    assert fake_worker.stats.requests >= 1


async def test_down_worker_costs_no_timeout(
    start_api: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> None:
    api = await start_api(make_settings(inference_api_url=f"http://127.0.0.1:{_closed_port()}"))
    started = time.perf_counter()
    done, homework = await _run(api, students=6)
    assert time.perf_counter() - started < 10  # far below 6 x the deadline
    assert {h["source"] for h in homework} == {"fallback"}
    assert "unreachable" in done["error_message"] or "breaker open" in done["error_message"]
    health = (await api.client.get("/health")).json()
    assert health["worker"]["breaker"] == "open"
    assert health["worker"]["reachable"] is False
    assert health["offline_mode"] is True


async def test_hung_worker_waits_one_deadline_then_breaker_skips_it(
    start_api: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    fake_worker: FakeWorker,
) -> None:
    fake_worker.mode = "hang"
    api = await start_api(
        make_settings(inference_api_url=fake_worker.url, generation_deadline_seconds=1.5)
    )
    started = time.perf_counter()
    done, homework = await _run(api, students=5)
    assert time.perf_counter() - started < 8
    assert {h["source"] for h in homework} == {"fallback"}
    assert "within 1.5 s" in done["error_message"]
    requests_before = fake_worker.stats.requests

    # The breaker is open now: the next assignment does not wait for the hung worker at all.
    started = time.perf_counter()
    _, homework = await _run(api, students=3)
    assert time.perf_counter() - started < 1.4
    assert fake_worker.stats.requests == requests_before
    assert {h["source"] for h in homework} == {"fallback"}


async def test_slow_worker_within_deadline_is_waited_for(
    start_api: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    fake_worker: FakeWorker,
) -> None:
    fake_worker.latency = 1.0
    api = await start_api(make_settings(inference_api_url=fake_worker.url))
    done, homework = await _run(api, students=8)
    assert done["error_message"] is None
    assert {h["source"] for h in homework} == {"model"}
    assert fake_worker.stats.peak_in_flight == 8, "students are generated concurrently"


async def test_worker_recovering_is_used_again_after_breaker_reset(
    start_api: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    fake_worker: FakeWorker,
) -> None:
    fake_worker.mode = "error500"
    api = await start_api(
        make_settings(inference_api_url=fake_worker.url, breaker_reset_seconds=0.5)
    )
    await _run(api, students=3)
    fake_worker.mode = "ok"
    time.sleep(0.6)
    done, homework = await _run(api, students=2)
    assert {h["source"] for h in homework} == {"model"}
    assert done["error_message"] is None
