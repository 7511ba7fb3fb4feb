"""Fixtures for the API tests: a real SQLite file per test, the app with its lifespan, fake workers."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.accounts import service as accounts
from api.core.config import Settings
from api.core.database import Database
from api.core.migrate import upgrade
from api.main import create_app
from tests.fake_worker import FakeWorker

TEACHER_EMAIL = "teacher@example.com"
TEACHER_PASSWORD = "correct-horse-battery"


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite file of its own, used without the app."""
    database = Database(f"sqlite:///{tmp_path / 'app.db'}")
    upgrade(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def maria(database: Database) -> tuple[int, str]:
    """A teacher signed in on ``database``: her id and her bearer token."""
    with database.writing() as db:
        teacher, _ = accounts.ensure(
            db=db, email="maria@school.it", password="a long passphrase", name="Maria"
        )
        return teacher.id, accounts.issue_token(
            db=db, teacher_id=teacher.id, ttl=timedelta(hours=1)
        )


FAST_GENERATION = {
    "generation_poll_seconds": 0.2,
    "generation_lease_seconds": 5.0,
    "generation_deadline_seconds": 3.0,
    "inference_connect_timeout": 1.0,
    "inference_read_timeout": 3.0,
    "retry_backoff_seconds": 0.05,
    "breaker_reset_seconds": 30.0,
    # In-process tests generate offline in a thread; the process pool has its own test.
    "offline_processes": 0,
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
            "teacher_email": TEACHER_EMAIL,
            "teacher_password": TEACHER_PASSWORD,
            # Tests poll fast; the per-token limit has its own test.
            "requests_per_token": "100000/minute",
            **FAST_GENERATION,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return factory


class ClassroomAuth(httpx.Auth):
    """Sends the teacher's token to teacher operations and each pupil's own token to theirs,
    as a real teacher and real pupils would; tests of access control use their own headers."""

    def __init__(self) -> None:
        self.teacher_token: str | None = None
        self.student_tokens: dict[int, str] = {}

    def auth_flow(self, request: httpx.Request) -> Any:
        if "authorization" not in request.headers:
            parts = request.url.path.split("/")
            token: str | None = None
            if parts[1:3] == ["api", "student"] and len(parts) > 3 and parts[3].isdigit():
                token = self.student_tokens.get(int(parts[3]))
            elif parts[1:3] in (["api", "teacher"], ["api", "admin"], ["api", "auth"]):
                token = self.teacher_token
            if token:
                request.headers["Authorization"] = f"Bearer {token}"
        yield request


async def sign_in(
    client: httpx.AsyncClient, email: str = TEACHER_EMAIL, password: str = TEACHER_PASSWORD
) -> str:
    """A teacher's bearer token."""
    response = await client.post("/api/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


class Api:
    """An app running its lifespan, with an in-process client signed in as the teacher (and as
    each pupil it creates, on that pupil's own endpoints) and helpers for common calls."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient, auth: ClassroomAuth) -> None:
        self.app = app
        self.client = client
        self.auth = auth

    def anonymous(self) -> httpx.AsyncClient:
        """A client of the same app with no credentials at all."""
        return httpx.AsyncClient(transport=self.client._transport, base_url="http://api")

    async def student(self, name: str = "Giulia Rossi", email: str | None = None) -> dict[str, Any]:
        email = email or f"{name.lower().replace(' ', '.')}.{os.urandom(3).hex()}@example.com"
        response = await self.client.post(
            "/api/teacher/students", json={"name": name, "email": email}
        )
        assert response.status_code == 201, response.text
        created = dict(response.json())
        self.auth.student_tokens[created["id"]] = created["access_token"]
        return created

    def pupil_headers(self, student: dict[str, Any]) -> dict[str, str]:
        """The Authorization header of a pupil created by ``student()``."""
        return {"Authorization": f"Bearer {self.auth.student_tokens[student['id']]}"}

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

    async def teacher_homework(self, student: dict[str, Any]) -> list[dict[str, Any]]:
        """The pupil's homework as the teacher sees it (right answers included), newest first."""
        listing = (await self.client.get(f"/api/student/{student['id']}/homework")).json()
        full = []
        for item in listing:
            response = await self.client.get(f"/api/teacher/homework/{item['id']}")
            assert response.status_code == 200, response.text
            full.append(dict(response.json()))
        return full

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
        auth = ClassroomAuth()
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://api", auth=auth
        )
        stacks.append((lifespan, client))
        if settings.teacher_email and settings.teacher_password:
            password = settings.teacher_password.get_secret_value()
            auth.teacher_token = await sign_in(client, settings.teacher_email, password)
        return Api(app, client, auth)

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
