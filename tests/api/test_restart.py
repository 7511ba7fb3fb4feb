"""Killing the API with SIGKILL mid-assignment loses no homework and generates none twice."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import TEACHER_EMAIL, TEACHER_PASSWORD
from tests.fake_worker import ThreadedFakeWorker
from tests.live_server import ApiProcess


@pytest.fixture
def processes() -> Iterator[list[ApiProcess]]:
    started: list[ApiProcess] = []
    yield started
    for process in started:
        process.stop()


def _sign_in(url: str) -> dict[str, str]:
    response = httpx.post(
        f"{url}/api/auth/token", data={"username": TEACHER_EMAIL, "password": TEACHER_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _homework(url: str, assignment_id: int, auth: dict[str, str]) -> dict[int, dict[str, Any]]:
    listing = httpx.get(f"{url}/api/teacher/assignments/{assignment_id}/homework", headers=auth)
    assert listing.status_code == 200, listing.text
    return {item["id"]: item for item in listing.json()}


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
            "TEACHER_EMAIL": TEACHER_EMAIL,
            "TEACHER_PASSWORD": TEACHER_PASSWORD,
        }
        first = ApiProcess(env, tmp_path / "api.log")
        processes.append(first)
        auth = _sign_in(first.url)
        ids = [
            httpx.post(
                f"{first.url}/api/teacher/students",
                json={"name": f"Studente {i}", "email": f"s{i}@example.com"},
                headers=auth,
            ).json()["id"]
            for i in range(8)
        ]
        created = httpx.post(
            f"{first.url}/api/teacher/assignments",
            headers=auth,
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
            before = _homework(first.url, created["id"], auth)
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
        auth = _sign_in(second.url)  # tokens live in the database: the old one would do too
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            body = httpx.get(
                f"{second.url}/api/teacher/assignments/{created['id']}", headers=auth
            ).json()
            if body["status"] == "completed":
                break
            time.sleep(0.1)
        assert body["status"] == "completed", body
        assert body["homework_counts"]["available"] == 8

        after = _homework(second.url, created["id"], auth)
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
