"""The teacher's student endpoints: the REST contract and every bad input."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from starlette.requests import Request

from api.students.router import access_url
from tests.api.conftest import Api


async def test_create_get_list_student(api: Api) -> None:
    response = await api.client.post(
        "/api/teacher/students", json={"name": "  Giulia   Rossi ", "email": "Giulia@Example.com"}
    )
    assert response.status_code == 201
    created = response.json()
    assert created["name"] == "Giulia Rossi"
    assert created["email"] == "giulia@example.com"
    assert set(created) == {"id", "name", "email", "created_at", "access_token", "access_url"}
    assert created["created_at"].endswith(("+00:00", "Z"))
    assert created["access_url"].endswith("/s/" + created["access_token"])

    fetched = (await api.client.get(f"/api/teacher/students/{created['id']}")).json()
    assert fetched == {k: v for k, v in created.items() if not k.startswith("access_")}

    await api.student("Marco Bianchi")
    listing = await api.client.get("/api/teacher/students")
    assert listing.status_code == 200
    assert listing.headers["x-total-count"] == "2"
    assert [s["name"] for s in listing.json()] == ["Giulia Rossi", "Marco Bianchi"]
    page = await api.client.get("/api/teacher/students", params={"limit": 1, "offset": 1})
    assert [s["name"] for s in page.json()] == ["Marco Bianchi"]


async def test_duplicate_email_is_409_with_message(api: Api) -> None:
    await api.student("Giulia", email="giulia@example.com")
    response = await api.client.post(
        "/api/teacher/students", json={"name": "Other", "email": "GIULIA@example.com"}
    )
    assert response.status_code == 409
    assert "giulia@example.com" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Giulia", "email": "not-an-email"}, "email"),
        ({"name": "", "email": "a@example.com"}, "name"),
        ({"name": "   ", "email": "a@example.com"}, "name"),
        ({"email": "a@example.com"}, "name"),
        ({"name": "Giulia"}, "email"),
        ({"name": "x" * 201, "email": "a@example.com"}, "name"),
        ({"name": "Giulia", "email": "a@example.com", "age": 3}, "age"),
    ],
)
async def test_bad_student_is_422_naming_the_field(
    api: Api, body: dict[str, object], field: str
) -> None:
    response = await api.client.post("/api/teacher/students", json=body)
    assert response.status_code == 422
    assert field in response.json()["detail"]
    listing = await api.client.get("/api/teacher/students")
    assert listing.json() == []


async def test_unknown_student_is_404(api: Api) -> None:
    response = await api.client.get("/api/teacher/students/999")
    assert response.status_code == 404
    assert "999" in response.json()["detail"]
    assert (await api.client.delete("/api/teacher/students/999")).status_code == 404
    assert (await api.client.get("/api/teacher/students/abc")).status_code == 422


async def test_delete_student_removes_their_homework(api: Api) -> None:
    giulia = await api.student("Giulia")
    marco = await api.student("Marco")
    assignment = await api.assignment([giulia["id"], marco["id"]], quantity=2)
    await api.wait_done(assignment["id"])

    response = await api.client.delete(f"/api/teacher/students/{giulia['id']}")
    assert response.status_code == 204
    assert (await api.client.get(f"/api/teacher/students/{giulia['id']}")).status_code == 404
    # Her link died with her: the token no longer opens anything.
    assert (await api.client.get(f"/api/student/{giulia['id']}/homework")).status_code == 401

    after = (await api.client.get(f"/api/teacher/assignments/{assignment['id']}")).json()
    assert after["student_ids"] == [marco["id"]]
    assert sum(after["homework_counts"].values()) == 1
    assert after["status"] == "completed"


async def test_delete_student_while_generating_never_500s(api: Api) -> None:
    students = [await api.student(f"S{i}") for i in range(6)]
    assignment = await api.assignment([s["id"] for s in students], quantity=10)
    for student in students:
        response = await api.client.delete(f"/api/teacher/students/{student['id']}")
        assert response.status_code == 204
    done = await api.wait_done(assignment["id"])
    assert done["student_ids"] == []
    assert "deleted" in done["error_message"]


@pytest.mark.parametrize(
    "scope",
    [
        {"scheme": "http", "headers": [(b"host", b"127.0.0.1:8000")], "root_path": ""},
        {"scheme": "https", "headers": [(b"host", b"school.example")], "root_path": "/italiano"},
        {"scheme": "http", "headers": [(b"host", b"[::1]:8080")], "root_path": "/it/"},
        {"scheme": "http", "headers": [], "root_path": "", "server": ("10.0.0.5", 8000)},
        {"scheme": "https", "headers": [], "root_path": "/x", "server": ("school.example", 443)},
    ],
)
def test_the_personal_link_starts_where_the_request_came(scope: dict[str, object]) -> None:
    app = SimpleNamespace(state=SimpleNamespace(settings=SimpleNamespace(public_url=None)))
    request = Request({"type": "http", "path": "/api/teacher/students", "app": app, **scope})
    expected = str(request.base_url).rstrip("/")
    assert access_url(request, "its_abc") == f"{expected}/s/its_abc"
