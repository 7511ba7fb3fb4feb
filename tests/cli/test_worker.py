"""Against a real API whose worker takes a minute per homework (a fake worker speaking real HTTP on
127.0.0.1): Ctrl-C while ``assign --wait`` leaves the assignment running; ``worker show|set``."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import Cli, start_api
from tests.fake_worker import FakeWorker

WORKER_KEY = "k3y-printed-by-the-notebook"


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop in its own thread, for the fake workers."""
    running = asyncio.new_event_loop()
    threading.Thread(target=running.run_forever, daemon=True).start()
    yield running
    running.call_soon_threadsafe(running.stop)


def serve(loop: asyncio.AbstractEventLoop, worker: FakeWorker) -> Iterator[FakeWorker]:
    asyncio.run_coroutine_threadsafe(worker.start(), loop).result(10)
    try:
        yield worker
    finally:
        asyncio.run_coroutine_threadsafe(stop(worker), loop).result(10)


async def stop(worker: FakeWorker) -> None:
    """Close the worker and drop the generations it was still sleeping on."""
    await worker.close()
    pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


@pytest.fixture(scope="module")
def slow_worker(loop: asyncio.AbstractEventLoop) -> Iterator[FakeWorker]:
    """A minute per homework."""
    yield from serve(loop, FakeWorker(latency=60))


@pytest.fixture(scope="module")
def fast_worker(loop: asyncio.AbstractEventLoop) -> Iterator[FakeWorker]:
    """Answers at once, with a key."""
    yield from serve(loop, FakeWorker(api_key=WORKER_KEY))


@pytest.fixture(scope="module")
def admin(slow_worker: FakeWorker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    """The command signed in as the administrator of an API that uses the slow worker."""
    folder = tmp_path_factory.mktemp("cli-worker-api")
    api = start_api(
        folder,
        INFERENCE_API_URL=slow_worker.url,
        INFERENCE_READ_TIMEOUT="120",
        GENERATION_DEADLINE_SECONDS="120",
    )
    try:
        cli = Cli(api.url, folder / "config")
        cli.login()
        yield cli
    finally:
        api.stop()


def test_ctrl_c_while_waiting_leaves_the_assignment_running(admin: Cli) -> None:
    with admin.http() as http:
        pupil = http.post(
            "/api/teacher/students", json={"name": "Nina Lenta", "email": "nina@example.com"}
        )
        assert pupil.status_code == 201, pupil.text
        # Ctrl-C, as a terminal sends it, once the command is watching the progress
        finished = threading.Event()
        interrupt = threading.Thread(
            target=interrupt_when_generating, args=(admin.url, admin.token(), finished)
        )
        interrupt.start()
        try:
            result = admin(
                "assign", "--student", str(pupil.json()["id"]), "--level", "B1",
                "--wait", "--timeout", "60",
            )  # fmt: skip
        finally:
            finished.set()
            interrupt.join(30)
        listed = http.get("/api/teacher/assignments")

    assert result.exit_code == 130, result.output
    assert listed.status_code == 200, listed.text
    [assignment] = listed.json()
    assert f"Assignment {assignment['id']} keeps generating on the server" in result.stderr
    assert f"assignments show {assignment['id']} --wait" in result.stderr
    assert assignment["status"] in ("pending", "generating")


def interrupt_when_generating(url: str, token: str, finished: threading.Event) -> None:
    """SIGINT to this process once the first assignment's homework is being generated (unless
    the command has already finished)."""
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not finished.is_set():
        listed = httpx.get(f"{url}/api/teacher/assignments", headers=headers)
        if listed.status_code == 200 and any(
            a["homework_counts"].get("generating") for a in listed.json()
        ):
            time.sleep(0.5)  # a few polls of the progress
            break
        time.sleep(0.05)
    if not finished.is_set():
        os.kill(os.getpid(), signal.SIGINT)


def test_worker_show_and_set(admin: Cli, slow_worker: FakeWorker, fast_worker: FakeWorker) -> None:
    if "/api/admin/worker" not in httpx.get(f"{admin.url}/openapi.json").json()["paths"]:
        pytest.skip("this API has no /api/admin/worker yet")

    before = admin.json("worker", "show")
    wrong_key = admin("worker", "set", fast_worker.url, "not-the-key")
    not_a_url = admin("worker", "set", "abc123.ngrok-free.app", WORKER_KEY)
    switched = admin("worker", "set", fast_worker.url, WORKER_KEY, "--json")
    from_stdin = admin("worker", "set", fast_worker.url, "--key-stdin", input=f"{WORKER_KEY}\n")
    shown = admin.ok("worker", "show").stdout

    assert before["source"] == "settings"
    assert [w["url"] for w in before["workers"]] == [slow_worker.url]
    assert wrong_key.exit_code in (1, 2), wrong_key.output  # as the API's 409 or 422 says
    assert "did not pass its check" in wrong_key.stderr
    assert not_a_url.exit_code == 2
    assert switched.exit_code == 0, switched.output
    after = json.loads(switched.stdout)
    assert after["source"] == "administrator"
    assert [w["url"] for w in after["workers"]] == [fast_worker.url]
    assert "set by an administrator" in shown and fast_worker.url in shown
    assert from_stdin.exit_code == 0, from_stdin.output
    assert WORKER_KEY not in switched.output + from_stdin.output + shown


def test_worker_commands_need_an_administrator(admin: Cli, tmp_path: Path) -> None:
    if "/api/admin/worker" not in httpx.get(f"{admin.url}/openapi.json").json()["paths"]:
        pytest.skip("this API has no /api/admin/worker yet")
    with admin.http() as http:
        created = http.post(
            "/api/admin/teachers",
            json={"name": "Bruno Verdi", "email": "bruno@example.com", "password": "another-pass"},
        )
        assert created.status_code == 201, created.text
    teacher = Cli(admin.url, tmp_path / "config")
    teacher.ok(
        "login", "--url", admin.url, "--email", "bruno@example.com", "--password-stdin",
        input="another-pass\n",
    )  # fmt: skip

    refused = teacher("worker", "show")

    assert refused.exit_code == 1
    assert "(HTTP 403)" in refused.stderr
