"""Fixtures for the API tests: a real SQLite file per test, the app with its lifespan, fake workers."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.core.config import Settings
from api.main import create_app
from tests.fake_worker import FakeWorker

FAST_GENERATION = {
    "generation_poll_seconds": 0.2,
    "generation_lease_seconds": 5.0,
    "generation_deadline_seconds": 3.0,
    "inference_connect_timeout": 1.0,
    "inference_read_timeout": 3.0,
    "retry_backoff_seconds": 0.05,
    "breaker_reset_seconds": 30.0,
}


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings on a fresh SQLite file in tmp_path, no worker, fast timings; override any field."""

    def factory(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "environment": "test",
            "database_url": f"sqlite:///{tmp_path / 'data' / 'test.db'}",
            "inference_api_url": None,
            "inference_api_key": None,
            "log_level": "WARNING",
            **FAST_GENERATION,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return factory


class Api:
    """An app running its lifespan, with an in-process client and helpers for common calls."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        self.app = app
        self.client = client

    async def student(self, name: str = "Giulia Rossi", email: str | None = None) -> dict[str, Any]:
        email = email or f"{name.lower().replace(' ', '.')}.{os.urandom(3).hex()}@example.com"
        response = await self.client.post(
            "/api/teacher/students", json={"name": name, "email": email}
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def assignment(self, student_ids: list[int], **fields: Any) -> dict[str, Any]:
        body = {
            "cefr_level": "A2",
            "grammar_focus": "passato prossimo",
            "topic": "viaggi",
            "quantity": 5,
            "exercise_types": ["fill_in_blank", "multiple_choice", "translation"],
            "student_ids": student_ids,
        } | fields
        response = await self.client.post("/api/teacher/assignments", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def wait_done(self, assignment_id: int, timeout: float = 20.0) -> dict[str, Any]:
        """Poll until the assignment is completed or failed."""
        loop = asyncio.get_running_loop()
        ends = loop.time() + timeout
        while True:
            body = (await self.client.get(f"/api/teacher/assignments/{assignment_id}")).json()
            if body["status"] in ("completed", "failed"):
                return dict(body)
            if loop.time() > ends:
                raise AssertionError(f"assignment {assignment_id} not done in {timeout}s: {body}")
            await asyncio.sleep(0.05)


@pytest.fixture
async def start_api() -> AsyncIterator[Callable[[Settings], Any]]:
    """Start apps (lifespan included) on given settings; they are shut down after the test."""
    stacks: list[tuple[Any, httpx.AsyncClient]] = []

    async def starter(settings: Settings) -> Api:
        app = create_app(settings)
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api")
        stacks.append((lifespan, client))
        return Api(app, client)

    yield starter
    for lifespan, client in reversed(stacks):
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


@pytest.fixture
async def api(start_api: Callable[[Settings], Any], make_settings: Callable[..., Settings]) -> Api:
    """The API with no worker configured (offline generator)."""
    result: Api = await start_api(make_settings())
    return result


@pytest.fixture
async def fake_worker() -> AsyncIterator[FakeWorker]:
    """A fake worker on a free port of 127.0.0.1, healthy until a test changes its mode."""
    worker = FakeWorker()
    await worker.start()
    yield worker
    await worker.close()


def _postgres_admin_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def postgres_url() -> Any:
    """A fresh, empty PostgreSQL database for one test; skipped where no server answers."""
    psycopg = pytest.importorskip("psycopg")
    admin = _postgres_admin_url()
    try:
        connection = psycopg.connect(admin, autocommit=True, connect_timeout=3)
    except Exception as exc:  # no server, no role, no access: nothing to test against
        pytest.skip(f"PostgreSQL not available at {admin}: {type(exc).__name__}")
    name = f"it_test_{os.getpid()}_{os.urandom(4).hex()}"
    connection.execute(f'CREATE DATABASE "{name}"')
    base = admin.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.close()
