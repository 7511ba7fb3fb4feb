"""The API with a streaming fake worker over real HTTP: tokens so far for the teacher while
homework generates, a hung worker noticed within the idle timeout, and a worker that answers in
the original Italian Teacher shape used like any other."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from api.core.config import Settings
from tests.api.conftest import Api
from tests.api.pages.conftest import Browser
from tests.fake_worker import FakeWorker


async def _students(api: Api, count: int) -> list[int]:
    return [(await api.student(f"S{i}"))["id"] for i in range(count)]


async def _homework(api: Api, student_ids: list[int]) -> list[dict[str, Any]]:
    found = []
    for student_id in student_ids:
        found.extend(await api.teacher_homework({"id": student_id}))
    return found


async def test_original_shape_worker_makes_the_homework(
    start_api: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    fake_worker: FakeWorker,
) -> None:
    fake_worker.shape = "original"
    api = await start_api(make_settings(inference_api_url=fake_worker.url))
    ids = await _students(api, 3)
    created = await api.assignment(ids, quantity=4)
    done = await api.wait_done(created["id"])
    assert done["status"] == "completed" and done["error_message"] is None
    homework = await _homework(api, ids)
    assert {h["source"] for h in homework} == {"model"}
    assert {h["model_name"] for h in homework} == {"unnamed model"}
    assert {h["generated_tokens"] for h in homework} == {160}


async def test_teacher_sees_tokens_so_far_while_homework_generates(
    start_api: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    fake_worker: FakeWorker,
) -> None:
    fake_worker.streaming = True
    fake_worker.latency = 2.0
    fake_worker.progress_interval = 0.05
    api = await start_api(
        make_settings(inference_api_url=fake_worker.url, generation_deadline_seconds=10)
    )
    browser = Browser(api)
    assert (await browser.sign_in()).status_code == 303
    ids = await _students(api, 2)
    created = await api.assignment(ids, quantity=5)
    url = f"/teacher/assignments/{created['id']}/progress"

    live: list[int] = []
    rest: list[int] = []
    ends = time.monotonic() + 10
    while time.monotonic() < ends and (not live or not rest):
        progress = (await browser.client.get(url)).json()
        for item in progress["homework"]:
            if item["status"] == "generating" and item["generated_tokens"]:
                live.append(item["generated_tokens"])
                full = await api.client.get(f"/api/teacher/homework/{item['homework_id']}")
                if full.json()["status"] == "generating" and full.json()["generated_tokens"]:
                    rest.append(full.json()["generated_tokens"])
        await asyncio.sleep(0.1)
    assert live and all(0 < tokens <= 200 for tokens in live), live
    assert rest and all(0 < tokens <= 200 for tokens in rest), (rest, live)

    await api.wait_done(created["id"])
    progress = (await browser.client.get(url)).json()
    assert [h["generated_tokens"] for h in progress["homework"]] == [None, None]
    assert all(
        api.app.state.dispatcher.generated_tokens(h["homework_id"]) is None
        for h in progress["homework"]
    )
    homework = await _homework(api, ids)
    assert {h["generated_tokens"] for h in homework} == {200}  # the worker's final count
    assert fake_worker.stats.streamed == 2


async def test_hung_streaming_worker_goes_offline_within_the_idle_timeout(
    start_api: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    fake_worker: FakeWorker,
) -> None:
    fake_worker.streaming = True
    fake_worker.mode = "stream_hang"
    api = await start_api(
        make_settings(
            inference_api_url=fake_worker.url,
            inference_idle_timeout=1.0,
            inference_read_timeout=60,
            generation_deadline_seconds=60,
        )
    )
    ids = await _students(api, 6)
    started = time.monotonic()
    created = await api.assignment(ids, quantity=3)
    done = await api.wait_done(created["id"], timeout=30)
    elapsed = time.monotonic() - started
    assert elapsed < 1.0 + 2.0, elapsed
    assert done["error_message"].startswith("6 of 6 homework generated offline")
    assert "sent nothing for 1 s" in done["error_message"]
    homework = await _homework(api, ids)
    assert {h["source"] for h in homework} == {"fallback"}
    health = (await api.client.get("/health")).json()
    assert health["worker"]["breaker"] == "open"
