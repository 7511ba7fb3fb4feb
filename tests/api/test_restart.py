"""Killing the API with SIGKILL mid-assignment loses no homework and generates none twice."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fake_worker import ThreadedFakeWorker

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ApiProcess:
    """A real uvicorn serving api.main:app in a child process."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "api.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"API exited early, see {log}: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code in (200, 503):
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("API did not start within 30 s")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._log.close()


@pytest.fixture
def processes() -> Iterator[list[ApiProcess]]:
    started: list[ApiProcess] = []
    yield started
    for process in started:
        process.stop()


def _homework(url: str, student_ids: list[int]) -> dict[int, dict[str, Any]]:
    result = {}
    for student_id in student_ids:
        for item in httpx.get(f"{url}/api/student/{student_id}/homework").json():
            result[item["id"]] = item
    return result


def test_sigkill_mid_assignment_then_restart_finishes_it(
    tmp_path: Path, processes: list[ApiProcess]
) -> None:
    with ThreadedFakeWorker(latency=0.7) as worker:
        env = {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'restart.db'}",
            "INFERENCE_API_URL": worker.url,
            "GENERATION_CONCURRENCY": "2",
            "GENERATION_LEASE_SECONDS": "2",
            "GENERATION_POLL_SECONDS": "0.2",
            "GENERATION_DEADLINE_SECONDS": "20",
            "LOG_LEVEL": "INFO",
        }
        first = ApiProcess(env, tmp_path / "api.log")
        processes.append(first)
        ids = [
            httpx.post(
                f"{first.url}/api/teacher/students",
                json={"name": f"Studente {i}", "email": f"s{i}@example.com"},
            ).json()["id"]
            for i in range(8)
        ]
        created = httpx.post(
            f"{first.url}/api/teacher/assignments",
            json={
                "cefr_level": "A2",
                "grammar_focus": "presente",
                "topic": "cibo",
                "quantity": 3,
                "exercise_types": ["fill_in_blank"],
                "student_ids": ids,
            },
        ).json()

        # Kill it once some homework is stored and some is in flight.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            before = _homework(first.url, ids)
            if sum(h["status"] == "available" for h in before.values()) >= 2:
                break
            time.sleep(0.05)
        first.kill()
        # Read what the dead process left in the file itself: nothing can change it now.
        with sqlite3.connect(tmp_path / "restart.db") as connection:
            rows = connection.execute(
                "SELECT id, student_id, exercises FROM homework WHERE status = 'available'"
            ).fetchall()
        stored_before = {
            hid: {"student_id": sid, "exercises": json.loads(ex)} for hid, sid, ex in rows
        }
        for hid in stored_before:
            stored_before[hid]["generated_at"] = before.get(hid, {}).get("generated_at")
        assert 2 <= len(stored_before) < 8
        requests_at_kill = worker.stats.requests

        second = ApiProcess(env, tmp_path / "api.log")
        processes.append(second)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            body = httpx.get(f"{second.url}/api/teacher/assignments/{created['id']}").json()
            if body["status"] == "completed":
                break
            time.sleep(0.1)
        assert body["status"] == "completed", body
        assert body["homework_counts"]["available"] == 8

        after = _homework(second.url, ids)
        assert len(after) == 8
        assert all(h["status"] == "available" and len(h["exercises"]) == 3 for h in after.values())
        for hid, homework in stored_before.items():
            assert after[hid]["exercises"] == homework["exercises"]
            if homework["generated_at"] is not None:
                assert after[hid]["generated_at"] == homework["generated_at"]
        # Stored homework is never asked for again; only the unfinished ones are.
        stored_seeds = {hid * 7919 + h["student_id"] for hid, h in stored_before.items()}
        assert not stored_seeds & set(worker.stats.seeds[requests_at_kill:])
        assert worker.stats.requests - requests_at_kill == 8 - len(stored_before)
        assert all(h["source"] == "model" for h in after.values())
