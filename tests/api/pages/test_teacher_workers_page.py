"""The Generation page: each worker's state, and an administrator's switch to new workers (a new
Colab session) through the same checks as PUT /api/admin/worker; keys never come back."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.api.conftest import Api
from tests.api.pages.conftest import Browser
from tests.fake_worker import FakeWorker

KEY = "colab-s3cret-key-1234"


@pytest.fixture
async def colab_worker() -> AsyncIterator[FakeWorker]:
    worker = FakeWorker(api_key=KEY)
    await worker.start()
    yield worker
    await worker.close()


async def test_an_administrator_switches_to_a_new_worker(
    api: Api, browser: Browser, colab_worker: FakeWorker
) -> None:
    page = await browser.client.get("/teacher/workers")
    assert page.status_code == 200
    assert "No worker is configured" in page.text and "Check and switch" in page.text

    # A wrong key: the check fails, nothing changes, the key is not sent back.
    refused = await browser.post(
        "/teacher/workers", {"url_1": colab_worker.url, "key_1": "wrong-key-0000"}
    )
    assert refused.status_code == 409
    assert "did not pass its check" in refused.text and "wrong-key-0000" not in refused.text
    assert colab_worker.url in refused.text  # the URL is kept in the form
    assert (await api.client.get("/api/admin/worker")).json()["workers"] == []

    switched = await browser.post("/teacher/workers", {"url_1": colab_worker.url, "key_1": KEY})
    assert switched.status_code == 303
    assert switched.headers["location"] == "/teacher/workers?switched=1"
    page = await browser.client.get("/teacher/workers?switched=1")
    assert "new homework goes to them" in page.text and colab_worker.url in page.text
    assert KEY not in page.text
    state = (await api.client.get("/api/admin/worker")).json()
    assert state["source"] == "administrator"
    assert [w["url"] for w in state["workers"]] == [colab_worker.url]

    # New homework goes to the new worker.
    student = await api.student()
    assignment = await api.assignment([student["id"]], quantity=2)
    done = await api.wait_done(assignment["id"])
    assert done["status"] == "completed"
    (homework,) = await api.teacher_homework(student)
    assert homework["source"] == "model"


async def test_bad_input_is_422_with_the_field_named(browser: Browser) -> None:
    response = await browser.post("/teacher/workers", {"url_1": "ftp://worker.example"})
    assert response.status_code == 422
    assert "Worker 1: " in response.text and 'aria-invalid="true"' in response.text
    empty = await browser.post("/teacher/workers", {"url_1": "  "})
    assert empty.status_code == 422 and "Enter the worker" in empty.text


async def test_a_teacher_who_is_not_an_administrator_sees_the_state_only(api: Api) -> None:
    created = await api.client.post(
        "/api/admin/teachers",
        json={"name": "Bea Neri", "email": "bea@example.com", "password": "bea-password-1"},
    )
    assert created.status_code == 201, created.text
    bea = Browser(api)
    assert (await bea.sign_in("bea@example.com", "bea-password-1")).status_code == 303
    page = await bea.client.get("/teacher/workers")
    assert page.status_code == 200 and "Check and switch" not in page.text
    response = await bea.post("/teacher/workers", {"url_1": "http://127.0.0.1:9"})
    assert response.status_code == 403 and "Only an administrator" in response.text
