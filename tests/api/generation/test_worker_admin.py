"""PUT and GET /api/admin/worker against fake workers over real HTTP: checked before the switch,
new work to the new workers at once while work in flight finishes where it started, kept in the
database across a restart, administrators only, and keys never returned."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from api.core.config import Settings
from tests.api.conftest import Api, sign_in
from tests.fake_worker import FakeWorker

URL = "/api/admin/worker"


@pytest.fixture
async def new_worker() -> AsyncIterator[FakeWorker]:
    worker = FakeWorker(api_key="new-s3cret-key")
    await worker.start()
    yield worker
    await worker.close()


async def _homework_of(api: Api, student_ids: list[int]) -> list[dict[str, Any]]:
    found = []
    for student_id in student_ids:
        found.extend(await api.teacher_homework({"id": student_id}))
    return found


async def test_only_administrators_see_or_switch_workers(api: Api) -> None:
    assert (await api.anonymous().get(URL)).status_code == 401
    created = await api.client.post(
        "/api/admin/teachers",
        json={"name": "Bea Neri", "email": "bea@example.com", "password": "bea-password-1"},
    )
    assert created.status_code == 201, created.text
    token = await sign_in(api.anonymous(), "bea@example.com", "bea-password-1")
    headers = {"Authorization": f"Bearer {token}"}
    assert (await api.anonymous().get(URL, headers=headers)).status_code == 403
    body = {"workers": [{"url": "http://127.0.0.1:9"}]}
    forbidden = await api.anonymous().put(URL, json=body, headers=headers)
    assert forbidden.status_code == 403 and forbidden.json()["detail"]
    assert (await api.client.get(URL)).json() == {"source": "none", "workers": []}


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"workers": []}, "workers"),
        ({"workers": [{"url": "ftp://worker.example"}]}, "workers.0.url"),
        ({"workers": [{"url": "http://w.example", "api_key": "k" * 501}]}, "at most 500"),
    ],
)
async def test_invalid_bodies_are_422_without_echoing_keys(
    api: Api, body: dict[str, Any], where: str
) -> None:
    response = await api.client.put(URL, json=body)
    assert response.status_code == 422
    assert where in response.json()["detail"]
    assert "kkkkkkkkkk" not in response.text


async def test_a_worker_that_fails_its_check_changes_nothing(
    start_api: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    fake_worker: FakeWorker,
    new_worker: FakeWorker,
) -> None:
    api: Api = await start_api(make_settings(inference_api_url=fake_worker.url))
    before = (await api.client.get(URL)).json()
    assert before == {
        "source": "settings",
        "workers": [{"url": fake_worker.url, "breaker": "closed", "in_flight": 0}],
    }
    new_worker.mode = "error500"
    failing = await api.client.put(
        URL, json={"workers": [{"url": new_worker.url, "api_key": "new-s3cret-key"}]}
    )
    assert failing.status_code == 409
    assert "one-exercise /generate failed" in failing.json()["detail"]
    assert "HTTP 500" in failing.json()["detail"]
    wrong_key = await api.client.put(
        URL, json={"workers": [{"url": new_worker.url, "api_key": "not-the-key"}]}
    )
    assert wrong_key.status_code == 409 and "INFERENCE_API_KEY" in wrong_key.json()["detail"]
    closed = await api.client.put(URL, json={"workers": [{"url": "http://127.0.0.1:9"}]})
    assert closed.status_code == 409 and "/health unreachable" in closed.json()["detail"]
    assert (await api.client.get(URL)).json() == before


async def test_switch_at_once_keep_work_in_flight_and_survive_a_restart(
    start_api: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    fake_worker: FakeWorker,
    new_worker: FakeWorker,
) -> None:
    fake_worker.latency = 1.0
    api: Api = await start_api(
        make_settings(inference_api_url=fake_worker.url, generation_deadline_seconds=10)
    )
    first_ids = [(await api.student(f"A{i}"))["id"] for i in range(3)]
    first = await api.assignment(first_ids, quantity=2)
    while fake_worker.stats.in_flight < 3:  # the first homework are on their way
        await asyncio.sleep(0.02)

    switched = await api.client.put(
        URL, json={"workers": [{"url": new_worker.url + "/", "api_key": "new-s3cret-key"}]}
    )
    assert switched.status_code == 200, switched.text
    assert switched.json() == {
        "source": "administrator",
        "workers": [{"url": new_worker.url, "breaker": "closed", "in_flight": 0}],
    }
    assert "new-s3cret-key" not in switched.text
    assert "new-s3cret-key" not in (await api.client.get(URL)).text

    second_ids = [(await api.student(f"B{i}"))["id"] for i in range(2)]
    second = await api.assignment(second_ids, quantity=2)
    for created in (first, second):
        assert (await api.wait_done(created["id"]))["error_message"] is None
    assert {h["source"] for h in await _homework_of(api, first_ids + second_ids)} == {"model"}
    assert fake_worker.stats.requests == 3, "work in flight finished where it started"
    assert new_worker.stats.requests == 1 + 2  # the check, then the new homework
    assert set(new_worker.stats.authorization) == {"Bearer new-s3cret-key"}

    # A restart on the same database, with no worker in the environment, keeps the choice.
    again: Api = await start_api(make_settings(inference_api_url=None))
    assert (await again.client.get(URL)).json()["source"] == "administrator"
    third_ids = [(await again.student(f"C{i}"))["id"] for i in range(2)]
    third = await again.assignment(third_ids, quantity=2)
    assert (await again.wait_done(third["id"]))["error_message"] is None
    assert new_worker.stats.requests == 3 + 2
