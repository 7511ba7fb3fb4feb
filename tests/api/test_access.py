"""Classroom access against a real uvicorn on a real SQLite file: who may call what.

One server for the module; two teachers (A, an administrator, and B), A's pupils with homework.
Every operation of the OpenAPI document is called without a credential, with another teacher's
token and with pupils' tokens.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import TEACHER_EMAIL, TEACHER_PASSWORD
from tests.live_server import ApiProcess

HIDDEN = ("correct_answer", "accepted_answers", "explanation")


@dataclass
class World:
    url: str
    process: ApiProcess
    admin: dict[str, str]  # teacher A's headers
    other: dict[str, str]  # teacher B's headers
    students: list[dict[str, Any]] = field(default_factory=list)  # A's pupils
    assignment: dict[str, Any] = field(default_factory=dict)  # A's assignment for them
    homework: list[dict[str, Any]] = field(default_factory=list)  # A's pupils' homework
    class_: dict[str, Any] = field(default_factory=dict)
    b_student: dict[str, Any] = field(default_factory=dict)

    def pupil(self, index: int) -> dict[str, str]:
        return bearer(self.students[index]["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_in(url: str, email: str, password: str) -> httpx.Response:
    return httpx.post(f"{url}/api/auth/token", data={"username": email, "password": password})


def token_of(url: str, email: str, password: str) -> dict[str, str]:
    response = sign_in(url, email, password)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 12 * 3600
    return bearer(body["access_token"])


def wait_done(url: str, headers: dict[str, str], assignment_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        body = httpx.get(f"{url}/api/teacher/assignments/{assignment_id}", headers=headers).json()
        if body["status"] in ("completed", "failed") or time.monotonic() > deadline:
            return dict(body)
        time.sleep(0.1)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder: Path = tmp_path_factory.mktemp("access")
    process = ApiProcess(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'access.db'}",
            "TEACHER_EMAIL": TEACHER_EMAIL,
            "TEACHER_PASSWORD": TEACHER_PASSWORD,
            "LOG_LEVEL": "WARNING",
            "GENERATION_POLL_SECONDS": "0.2",
            "GENERATION_LEASE_SECONDS": "5",
        },
        folder / "api.log",
    )
    try:
        url = process.url
        admin = token_of(url, TEACHER_EMAIL, TEACHER_PASSWORD)
        created = httpx.post(
            f"{url}/api/admin/teachers",
            json={"name": "Bruno Verdi", "email": "bruno@example.com", "password": "another-pass"},
            headers=admin,
        )
        assert created.status_code == 201, created.text
        world = World(url, process, admin, token_of(url, "bruno@example.com", "another-pass"))
        for name in ("Giulia Rossi", "Marco Neri"):
            response = httpx.post(
                f"{url}/api/teacher/students",
                json={"name": name, "email": f"{name.split()[0].lower()}@example.com"},
                headers=admin,
            )
            assert response.status_code == 201, response.text
            world.students.append(response.json())
        world.class_ = httpx.post(
            f"{url}/api/teacher/classes", json={"name": "3B"}, headers=admin
        ).json()
        added = httpx.post(
            f"{url}/api/teacher/classes/{world.class_['id']}/students",
            json={"student_ids": [s["id"] for s in world.students]},
            headers=admin,
        )
        assert added.status_code == 200, added.text
        response = httpx.post(
            f"{url}/api/teacher/assignments",
            json={"cefr_level": "A2", "quantity": 4, "class_id": world.class_["id"]},
            headers=admin,
        )
        assert response.status_code == 201, response.text
        world.assignment = wait_done(url, admin, response.json()["id"])
        assert world.assignment["status"] == "completed"
        world.homework = httpx.get(
            f"{url}/api/teacher/assignments/{world.assignment['id']}/homework", headers=admin
        ).json()
        world.b_student = httpx.post(
            f"{url}/api/teacher/students",
            json={"name": "Sara Blu", "email": "giulia@example.com"},  # the same email is fine
            headers=world.other,
        ).json()
        yield world
    finally:
        process.stop()


def operations(world: World) -> list[tuple[str, str, str]]:
    """(method, template, concrete path with A's ids) for every operation of the document."""
    document = httpx.get(f"{world.url}/openapi.json").json()
    ids = {
        "student_id": world.students[0]["id"],
        "assignment_id": world.assignment["id"],
        "homework_id": world.homework[0]["id"],
        "class_id": world.class_["id"],
        "teacher_id": 1,
    }
    found = []
    for template, methods in document["paths"].items():
        path = re.sub(r"{(\w+)}", lambda m: str(ids[m.group(1)]), template)
        for method in methods:
            found.append((method.upper(), template, path))
    return found


PUBLIC = {"/health", "/health/live", "/health/ready", "/api/auth/token"}
BODIES: dict[str, Any] = {
    "/api/teacher/students": {"name": "Nuovo", "email": "nuovo@example.com"},
    "/api/teacher/classes": {"name": "4C"},
    "/api/teacher/classes/{class_id}/students": {"student_ids": [1]},
    "/api/teacher/assignments": {"cefr_level": "A1", "student_ids": [1]},
    "/api/admin/teachers": {"name": "X", "email": "x@example.com", "password": "long-enough"},
    "/api/student/{student_id}/homework/{homework_id}/submissions": {"answers": [], "final": False},
}


def call(
    world: World, method: str, template: str, path: str, headers: dict[str, str]
) -> httpx.Response:
    return httpx.request(
        method, f"{world.url}{path}", json=BODIES.get(template), headers=headers, timeout=10
    )


def test_every_operation_but_sign_in_and_health_needs_a_credential(world: World) -> None:
    checked = 0
    for method, template, path in operations(world):
        if template in PUBLIC:
            continue
        for headers in ({}, bearer("itt_forged"), bearer("its_forged"), bearer("garbage")):
            response = call(world, method, template, path, headers)
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.headers["www-authenticate"] == "Bearer"
            assert "Bearer" in response.json()["detail"]
        checked += 1
    assert checked >= 20


def test_without_a_credential_a_body_is_never_judged(world: World) -> None:
    """No valid token: 401 whatever the body (missing, incomplete, of the wrong shape), so an
    anonymous caller learns nothing of what the operation would accept."""
    checked = 0
    for method, template, path in operations(world):
        if method not in ("POST", "PUT") or template in PUBLIC or template.startswith("/api/auth"):
            continue
        for body in (None, {}, {"name": 7, "unexpected": True}, [1, 2, 3]):
            for headers in ({}, bearer("itt_forged")):
                response = httpx.request(
                    method, f"{world.url}{path}", json=body, headers=headers, timeout=10
                )
                assert response.status_code == 401, (method, path, body, response.text)
        checked += 1
    assert checked >= 8


def test_another_teachers_resources_are_not_found(world: World) -> None:
    checked = 0
    for method, template, path in operations(world):
        if not template.startswith("/api/teacher/") or "{" not in template:
            continue
        response = call(world, method, template, path, world.other)
        assert response.status_code == 404, (method, path, response.text)
        checked += 1
    assert checked >= 10
    # Nothing was changed by those calls, and B's lists hold none of A's.
    students = httpx.get(f"{world.url}/api/teacher/students", headers=world.other).json()
    assert [s["id"] for s in students] == [world.b_student["id"]]
    assert httpx.get(f"{world.url}/api/teacher/assignments", headers=world.other).json() == []
    assert httpx.get(f"{world.url}/api/teacher/classes", headers=world.other).json() == []
    mine = httpx.get(f"{world.url}/api/teacher/students", headers=world.admin).json()
    assert {s["id"] for s in world.students} <= {s["id"] for s in mine}
    # B cannot give homework to A's pupil, nor learn that the id exists.
    refused = httpx.post(
        f"{world.url}/api/teacher/assignments",
        json={"cefr_level": "A1", "student_ids": [world.students[0]["id"]]},
        headers=world.other,
    )
    assert refused.status_code == 422
    assert "unknown student id" in refused.json()["detail"]


def test_pupil_tokens_open_only_their_own_homework(world: World) -> None:
    giulia, marco = world.students
    mine = httpx.get(f"{world.url}/api/student/{giulia['id']}/homework", headers=world.pupil(0))
    assert mine.status_code == 200 and len(mine.json()) == 1
    for method, template, path in operations(world):
        if template in PUBLIC or template.startswith("/api/auth"):
            continue
        if template.startswith("/api/student/"):
            # Marco's token on Giulia's endpoints: nothing of hers.
            response = call(world, method, template, path, world.pupil(1))
            assert response.status_code in (403, 404), (method, path, response.text)
            assert "correct_answer" not in response.text and "question" not in response.text
            # A teacher's token is not a pupil's.
            response = call(world, method, template, path, world.admin)
            assert response.status_code == 403, (method, path, response.text)
        else:
            response = call(world, method, template, path, world.pupil(0))
            assert response.status_code == 403, (method, path, response.text)


def _exercise_keys(body: Any) -> set[str]:
    items = body if isinstance(body, list) else [body]
    return {key for item in items for exercise in item["exercises"] for key in exercise}


def test_answers_are_hidden_until_the_hand_in(world: World) -> None:
    marco = world.students[1]
    headers = world.pupil(1)
    base = f"{world.url}/api/student/{marco['id']}/homework"
    listing = httpx.get(base, headers=headers)
    homework_id = listing.json()[0]["id"]
    single = httpx.get(f"{base}/{homework_id}", headers=headers)
    for response in (listing, single):
        assert response.status_code == 200
        assert _exercise_keys(response.json()) & set(HIDDEN) == set()
        assert all(f'"{key}"' not in response.text for key in HIDDEN)
        assert {"type", "question"} <= _exercise_keys(response.json())

    saved = httpx.post(
        f"{base}/{homework_id}/submissions",
        json={"answers": ["x"], "final": False},
        headers=headers,
    )
    assert saved.status_code == 200 and saved.json()["results"] == []
    assert (
        _exercise_keys(httpx.get(f"{base}/{homework_id}", headers=headers).json()) & set(HIDDEN)
        == set()
    )

    final = httpx.post(
        f"{base}/{homework_id}/submissions", json={"answers": ["x"]}, headers=headers
    )
    assert final.status_code == 200 and final.json()["results"][0]["expected"]
    for response in (
        httpx.get(base, headers=headers),
        httpx.get(f"{base}/{homework_id}", headers=headers),
    ):
        keys = _exercise_keys(response.json())
        assert {"correct_answer", "explanation"} <= keys

    # The teacher sees everything at any time.
    full = httpx.get(f"{world.url}/api/teacher/homework/{homework_id}", headers=world.admin)
    assert full.status_code == 200
    assert {"correct_answer", "explanation"} <= _exercise_keys(full.json())
    assert full.json()["student_name"] == marco["name"]


def test_a_new_link_and_a_sign_out_kill_the_old_tokens(world: World) -> None:
    giulia = world.students[0]
    old = world.pupil(0)
    url = f"{world.url}/api/student/{giulia['id']}/homework"
    rotated = httpx.post(
        f"{world.url}/api/teacher/students/{giulia['id']}/access-token", headers=world.admin
    )
    assert rotated.status_code == 200
    new = rotated.json()
    assert new["access_url"] == f"{world.url}/s/{new['access_token']}"
    assert httpx.get(url, headers=old).status_code == 401
    assert httpx.get(url, headers=bearer(new["access_token"])).status_code == 200
    giulia["access_token"] = new["access_token"]

    session = token_of(world.url, TEACHER_EMAIL, TEACHER_PASSWORD)
    me = httpx.get(f"{world.url}/api/auth/me", headers=session)
    assert me.status_code == 200 and me.json()["email"] == TEACHER_EMAIL and me.json()["is_admin"]
    assert httpx.post(f"{world.url}/api/auth/logout", headers=session).status_code == 204
    after = httpx.get(f"{world.url}/api/teacher/students", headers=session)
    assert after.status_code == 401
    # Other sessions of the same teacher live on.
    assert httpx.get(f"{world.url}/api/teacher/students", headers=world.admin).status_code == 200


def test_only_administrators_create_teachers(world: World) -> None:
    body = {"name": "Carla", "email": "carla@example.com", "password": "carla-password"}
    refused = httpx.post(f"{world.url}/api/admin/teachers", json=body, headers=world.other)
    assert refused.status_code == 403
    assert httpx.get(f"{world.url}/api/admin/teachers", headers=world.other).status_code == 403
    short = httpx.post(
        f"{world.url}/api/admin/teachers", json=body | {"password": "short"}, headers=world.admin
    )
    assert short.status_code == 422 and "password" in short.json()["detail"]
    created = httpx.post(f"{world.url}/api/admin/teachers", json=body, headers=world.admin)
    assert created.status_code == 201 and "password" not in created.text
    again = httpx.post(f"{world.url}/api/admin/teachers", json=body, headers=world.admin)
    assert again.status_code == 409


def test_wrong_credentials_say_the_same_and_brute_force_is_429(world: World) -> None:
    httpx.post(
        f"{world.url}/api/admin/teachers",
        json={"name": "Dora", "email": "dora@example.com", "password": "dora-password"},
        headers=world.admin,
    )
    unknown = sign_in(world.url, "nobody@example.com", "whatever-it-is")
    wrong = sign_in(world.url, "dora@example.com", "not-her-password")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()
    for _ in range(4):
        assert sign_in(world.url, "dora@example.com", "still-wrong").status_code == 401
    locked = sign_in(world.url, "dora@example.com", "dora-password")  # even the right one
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["retry-after"]) <= 300
    # Other accounts are not locked by Dora's attacker.
    assert sign_in(world.url, "bruno@example.com", "another-pass").status_code == 200


def _rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]


def test_large_bodies_are_413_before_they_are_read(world: World) -> None:
    url = f"{world.url}/api/teacher/students"
    before = _rss_kib(world.process.process.pid)
    declared = httpx.post(
        url,
        content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers=world.admin | {"Content-Type": "application/json"},
    )
    assert declared.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: 32 MiB streamed
        yield b'{"name": "'
        for _ in range(512):
            yield b"a" * 65536

    try:
        streamed = httpx.post(
            url, content=chunks(), headers=world.admin | {"Content-Type": "application/json"}
        )
        assert streamed.status_code == 413
    except (httpx.WriteError, httpx.RemoteProtocolError):
        pass  # the server closed the connection after answering 413 and stopped reading
    grown = _rss_kib(world.process.process.pid) - before
    assert grown < 8 * 1024, f"the server grew by {grown} KiB"
    assert httpx.get(f"{world.url}/health").status_code == 200


def test_ids_are_never_reused(world: World) -> None:
    url = f"{world.url}/api/teacher/students"
    first = httpx.post(
        url, json={"name": "Temp", "email": "temp1@example.com"}, headers=world.admin
    ).json()
    assert httpx.delete(f"{url}/{first['id']}", headers=world.admin).status_code == 204
    second = httpx.post(
        url, json={"name": "Temp", "email": "temp2@example.com"}, headers=world.admin
    ).json()
    assert second["id"] > first["id"]
    # The deleted pupil's link opens nothing, not even the next pupil's homework.
    response = httpx.get(
        f"{world.url}/api/student/{first['id']}/homework", headers=bearer(first["access_token"])
    )
    assert response.status_code == 401


def test_security_headers_and_no_cors_by_default(world: World) -> None:
    response = httpx.get(
        f"{world.url}/api/teacher/students",
        headers=world.admin | {"Origin": "http://evil.example"},
    )
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "access-control-allow-origin" not in response.headers
    page = httpx.get(f"{world.url}/docs")
    assert (
        "default-src 'self'" in page.headers["content-security-policy"]
        or "script-src 'self'" in page.headers["content-security-policy"]
    )
