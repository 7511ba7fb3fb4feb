"""The database layer: URLs, SQLite pragmas, migrations, concurrency, PostgreSQL and two replicas."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from api.core.config import Settings
from api.core.database import Database, normalise_database_url
from api.core.migrate import upgrade
from tests.api.conftest import Api
from tests.fake_worker import FakeWorker


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///data/x.db", "sqlite+pysqlite:///data/x.db"),
        ("sqlite:////abs/x.db", "sqlite+pysqlite:////abs/x.db"),
        ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgres://u:p@h:5433/db", "postgresql+psycopg://u:p@h:5433/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ],
)
def test_driver_is_picked_from_a_plain_url(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def test_bad_database_url_is_refused_with_a_message() -> None:
    with pytest.raises(ValueError, match="DATABASE_URL must start with sqlite"):
        Settings(_env_file=None, database_url="mysql://root@localhost/x")  # type: ignore[call-arg]


def test_bad_worker_url_is_refused_with_a_message() -> None:
    with pytest.raises(ValueError, match="INFERENCE_API_URL must be an http"):
        Settings(_env_file=None, inference_api_url="abc.ngrok-free.app")  # type: ignore[call-arg]
    blank = Settings(_env_file=None, inference_api_url="  ", inference_api_key="")  # type: ignore[call-arg]
    assert blank.inference_api_url is None and blank.inference_api_key is None


def test_sqlite_file_is_created_with_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'app.db'}")
    upgrade(database.engine)
    assert (tmp_path / "nested" / "dir" / "app.db").exists()
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30000
    tables = set(inspect(database.engine).get_table_names())
    assert {"students", "assignments", "homework", "alembic_version"} <= tables
    upgrade(database.engine)  # idempotent
    database.dispose()


async def test_fifty_concurrent_assignments_without_database_is_locked(api: Api) -> None:
    students = [await api.student(f"S{i}") for i in range(5)]
    ids = [s["id"] for s in students]

    async def create(i: int) -> int:
        response = await api.client.post(
            "/api/teacher/assignments",
            json={
                "cefr_level": "A1",
                "quantity": 2,
                "topic": f"t{i}",
                "student_ids": ids,
                "exercise_types": ["fill_in_blank"],
            },
        )
        return response.status_code

    codes = await asyncio.gather(*(create(i) for i in range(50)))
    assert Counter(codes) == {201: 50}
    listing = await api.client.get("/api/teacher/assignments", params={"limit": 200})
    assert listing.headers["x-total-count"] == "50"
    for assignment in listing.json():
        done = await api.wait_done(assignment["id"], timeout=60)
        assert done["homework_counts"]["available"] == 5


async def _two_replicas_generate_each_homework_once(
    start_api: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    fake_worker: FakeWorker,
    database_url: str,
) -> None:
    fake_worker.latency = 0.1
    settings = make_settings(
        database_url=database_url, inference_api_url=fake_worker.url, generation_concurrency=4
    )
    first: Api = await start_api(settings)
    second: Api = await start_api(settings)
    ids = [(await first.student(f"S{i}"))["id"] for i in range(12)]
    created = [await first.assignment(ids, quantity=2) for _ in range(3)]
    second.app.state.dispatcher.wake()
    for assignment in created:
        done = await second.wait_done(assignment["id"], timeout=60)
        assert done["homework_counts"]["available"] == 12
    assert fake_worker.stats.requests == 36
    assert len(set(fake_worker.stats.seeds)) == 36, "no homework was generated twice"
    owners = {first.app.state.dispatcher.owner, second.app.state.dispatcher.owner}
    assert len(owners) == 2


async def test_two_replicas_on_sqlite_share_work(
    start_api: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    fake_worker: FakeWorker,
    tmp_path: Path,
) -> None:
    await _two_replicas_generate_each_homework_once(
        start_api, make_settings, fake_worker, f"sqlite:///{tmp_path / 'shared.db'}"
    )


async def test_two_replicas_on_postgresql_share_work(
    postgres_url: str,  # first, so the database outlives the apps at teardown
    start_api: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
    fake_worker: FakeWorker,
) -> None:
    await _two_replicas_generate_each_homework_once(
        start_api, make_settings, fake_worker, postgres_url
    )


async def test_postgresql_rest_flow(
    postgres_url: str,
    start_api: Callable[[Settings], Any],
    make_settings: Callable[..., Settings],
) -> None:
    api: Api = await start_api(make_settings(database_url=postgres_url))
    student = await api.student("Giulia", email="giulia@example.com")
    duplicate = await api.client.post(
        "/api/teacher/students", json={"name": "G", "email": "giulia@example.com"}
    )
    assert duplicate.status_code == 409
    created = await api.assignment([student["id"]], quantity=3)
    done = await api.wait_done(created["id"])
    assert done["status"] == "completed"
    homework = (await api.client.get(f"/api/student/{student['id']}/homework")).json()
    assert homework[0]["created_at"].endswith(("+00:00", "Z"))
    one = await api.client.get(f"/api/student/{student['id']}/homework/{homework[0]['id']}")
    assert one.json() == homework[0]
    assert all("correct_answer" not in exercise for exercise in one.json()["exercises"])
    assert (await api.client.delete(f"/api/teacher/students/{student['id']}")).status_code == 204
