"""Accounts in process: the first teacher (environment, set-up link, command line), classes,
rate limits, CORS, and secrets kept out of /health and settings errors."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from api.core.config import Settings
from tests.api.conftest import TEACHER_EMAIL, TEACHER_PASSWORD, Api, sign_in
from tests.live_server import ROOT

StartApi = Callable[[Settings], Any]


async def test_teacher_password_from_the_environment_is_updated_on_restart(
    start_api: StartApi, make_settings: Callable[..., Settings]
) -> None:
    first: Api = await start_api(make_settings())
    student = await first.student()
    await start_api(make_settings(teacher_password="a-new-password"))
    client = first.anonymous()
    old = await client.post(
        "/api/auth/token", data={"username": TEACHER_EMAIL, "password": TEACHER_PASSWORD}
    )
    assert old.status_code == 401
    token = await sign_in(client, TEACHER_EMAIL, "a-new-password")
    listing = await client.get(
        "/api/teacher/students", headers={"Authorization": f"Bearer {token}"}
    )
    assert [s["id"] for s in listing.json()] == [student["id"]]


async def test_first_run_prints_a_one_time_setup_link(
    start_api: StartApi,
    make_settings: Callable[..., Settings],
    capsys: pytest.CaptureFixture[str],
) -> None:
    api: Api = await start_api(make_settings(teacher_email=None, teacher_password=None))
    printed = capsys.readouterr().err
    token = api.app.state.setup_token
    assert token and f"/setup?token={token}" in printed
    client = api.anonymous()
    assert (await client.get("/setup", params={"token": "wrong"})).status_code == 404
    page = await client.get("/setup", params={"token": token})
    assert page.status_code == 200 and 'name="password"' in page.text
    form = {"token": token, "name": "Anna", "email": "anna@example.com"}
    differ = await client.post(
        "/setup", data=form | {"password": "anna-password", "password_again": "other-password"}
    )
    assert differ.status_code == 422 and "differ" in differ.text
    created = await client.post(
        "/setup", data=form | {"password": "anna-password", "password_again": "anna-password"}
    )
    assert created.status_code == 303
    # One time only: the link is dead, the account works and is an administrator.
    assert (await client.get("/setup", params={"token": token})).status_code == 404
    again = await client.post(
        "/setup", data=form | {"password": "x-password", "password_again": "x-password"}
    )
    assert again.status_code == 404
    headers = {
        "Authorization": f"Bearer {await sign_in(client, 'anna@example.com', 'anna-password')}"
    }
    assert (await client.get("/api/admin/teachers", headers=headers)).status_code == 200


def test_command_line_adds_a_teacher(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    env.pop("TEACHER_EMAIL", None)

    def cli(*args: str, password: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "api", "teachers", *args],
            input=password + "\n",
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )

    add = ("add", "--email", "Lia@Example.com", "--name", "Lia", "--password-stdin")
    added = cli(*add, password="lia-password")
    assert added.returncode == 0, added.stderr
    assert "administrator lia@example.com" in added.stdout  # the first one always is
    twice = cli(*add, password="lia-password")
    assert twice.returncode == 1 and "already exists" in twice.stderr
    short = cli(
        "add", "--email", "bo@example.com", "--name", "Bo", "--password-stdin", password="short"
    )
    assert short.returncode == 2 and "password" in short.stderr
    listed = cli("list")
    assert "lia@example.com" in listed.stdout and "lia-password" not in listed.stdout


async def test_a_class_receives_an_assignment(api: Api) -> None:
    giulia, marco, sara = (
        (await api.student(n) for n in ("Giulia", "Marco", "Sara"))
        if False
        else (
            await api.student("Giulia"),
            await api.student("Marco"),
            await api.student("Sara"),
        )
    )
    created = await api.client.post("/api/teacher/classes", json={"name": "  3B "})
    assert created.status_code == 201 and created.json()["name"] == "3B"
    class_id = created.json()["id"]
    duplicate = await api.client.post("/api/teacher/classes", json={"name": "3B"})
    assert duplicate.status_code == 409
    added = await api.client.post(
        f"/api/teacher/classes/{class_id}/students",
        json={"student_ids": [giulia["id"], marco["id"], giulia["id"]]},
    )
    assert added.json()["student_ids"] == sorted([giulia["id"], marco["id"]])
    unknown = await api.client.post(
        f"/api/teacher/classes/{class_id}/students", json={"student_ids": [999]}
    )
    assert unknown.status_code == 422 and "999" in unknown.json()["detail"]

    assignment = await api.assignment([sara["id"], marco["id"]], class_id=class_id)
    assert sorted(assignment["student_ids"]) == sorted([giulia["id"], marco["id"], sara["id"]])
    assert assignment["class_id"] == class_id

    removed = await api.client.delete(f"/api/teacher/classes/{class_id}/students/{marco['id']}")
    assert removed.status_code == 204
    assert (await api.client.get(f"/api/teacher/classes/{class_id}")).json()["student_ids"] == [
        giulia["id"]
    ]
    empty = await api.client.post("/api/teacher/classes", json={"name": "vuota"})
    nobody = await api.client.post(
        "/api/teacher/assignments", json={"cefr_level": "A1", "class_id": empty.json()["id"]}
    )
    assert nobody.status_code == 422 and "Nobody" in nobody.json()["detail"]
    assert (await api.client.delete(f"/api/teacher/classes/{class_id}")).status_code == 204
    after = await api.client.get(f"/api/teacher/assignments/{assignment['id']}")
    assert after.json()["class_id"] is None and len(after.json()["student_ids"]) == 3


async def test_requests_per_token_are_limited(
    start_api: StartApi, make_settings: Callable[..., Settings]
) -> None:
    api: Api = await start_api(make_settings(requests_per_token="3/minute"))
    codes = [(await api.client.get("/api/teacher/students")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = await api.client.get("/api/teacher/students")
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert "Too many requests" in limited.json()["detail"]


async def test_failed_sign_ins_are_limited_per_address(
    start_api: StartApi, make_settings: Callable[..., Settings]
) -> None:
    api: Api = await start_api(make_settings(login_failures_per_address="3/5minutes"))
    client = api.anonymous()
    codes = []
    for i in range(4):
        response = await client.post(
            "/api/auth/token", data={"username": f"guess{i}@example.com", "password": "wrong-one"}
        )
        codes.append(response.status_code)
    assert codes == [401, 401, 401, 429]


async def test_cors_only_for_listed_origins(
    start_api: StartApi, make_settings: Callable[..., Settings]
) -> None:
    api: Api = await start_api(make_settings(cors_origins="https://app.school.it"))
    allowed = await api.client.get("/health", headers={"Origin": "https://app.school.it"})
    assert allowed.headers["access-control-allow-origin"] == "https://app.school.it"
    other = await api.client.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


async def test_health_hides_credentials_in_the_worker_url(
    start_api: StartApi, make_settings: Callable[..., Settings]
) -> None:
    api: Api = await start_api(
        make_settings(
            inference_api_url="http://alice:pa55word@127.0.0.1:9", inference_api_key="k3y-v4lue"
        )
    )
    body = (await api.client.get("/health")).text
    assert "pa55word" not in body and "alice" not in body and "k3y-v4lue" not in body
    assert "127.0.0.1:9" in body


@pytest.mark.parametrize(
    "field, value",
    [
        ("inference_api_url", "ftp://bob:hunter2secret@host"),
        ("inference_api_key", ["hunter2secret"]),
        ("teacher_password", "hunter2secret"[:5]),
    ],
)
def test_settings_errors_never_print_a_secret(field: str, value: Any) -> None:
    values: dict[str, Any] = {field: value}
    if field == "teacher_password":
        values["teacher_email"] = "t@example.com"
    with pytest.raises(ValidationError) as raised:
        Settings(_env_file=None, **values)  # type: ignore[call-arg]
    assert "hunter2" not in str(raised.value) and "hunte" not in str(raised.value)


async def test_teacher_token_expires(
    start_api: StartApi, make_settings: Callable[..., Settings]
) -> None:
    api: Api = await start_api(make_settings(token_ttl_hours=0.0003))  # about a second
    token = await sign_in(api.anonymous())
    headers = {"Authorization": f"Bearer {token}"}
    assert (await api.anonymous().get("/api/teacher/students", headers=headers)).status_code == 200
    await asyncio.sleep(1.3)
    expired = await api.anonymous().get("/api/teacher/students", headers=headers)
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]


@pytest.mark.parametrize(
    "name",
    ["Giulia\x00Rossi", "Giulia\x1b[31mRossi", "Giulia\u202eissoR", "Giulia\x85Rossi", "Giu\tlia"],
)
async def test_names_with_control_characters_are_refused(api: Api, name: str) -> None:
    for path, body in (
        ("/api/teacher/students", {"name": name, "email": "g@example.com"}),
        ("/api/teacher/classes", {"name": name}),
    ):
        response = await api.client.post(path, json=body)
        assert response.status_code == 422, response.text
        assert "control or text-direction characters" in response.json()["detail"]
    assert (await api.client.get("/api/teacher/students")).json() == []


@pytest.mark.parametrize(
    "field, value",
    [
        ("quantity", True),
        ("quantity", "5"),
        ("student_ids", [True]),
        ("student_ids", ["1"]),
        ("student_ids", [2**63]),
        ("class_id", 2**64),
        ("topic", "viaggi\x00"),
    ],
)
async def test_assignment_fields_are_not_coerced(api: Api, field: str, value: Any) -> None:
    student = await api.student()
    body = {"cefr_level": "A1", "student_ids": [student["id"]], field: value}
    response = await api.client.post("/api/teacher/assignments", json=body)
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"]


async def test_huge_ids_in_paths_and_queries_are_422(api: Api) -> None:
    for path in (
        f"/api/teacher/students/{2**63}",
        f"/api/teacher/assignments/{2**64}",
        f"/api/teacher/classes/{10**30}",
        f"/api/teacher/homework/{2**63}",
        f"/api/teacher/students?offset={2**63}",
    ):
        response = await api.client.get(path)
        assert response.status_code == 422, (path, response.text)
