"""A roster import that fails midway deletes what it created (the API's answers come from
httpx.MockTransport: a real API does not fail on demand halfway through a file)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from api.cli import app, session
from api.cli.session import CONFIG_DIR_ENV, TOKEN_ENV, URL_ENV, Api


class FlakyApi:
    """Accepts the first pupil, then answers 503; records every request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.students: dict[int, str] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.method, request.url.path))
        if (request.method, request.url.path) == ("GET", "/api/teacher/students"):
            return httpx.Response(200, json=[])
        if (request.method, request.url.path) == ("GET", "/api/teacher/classes"):
            return httpx.Response(200, json=[])
        if request.method == "POST" and request.url.path == "/api/teacher/students":
            if self.students:
                return httpx.Response(503, json={"detail": "The database is busy: try again."})
            body = json.loads(request.content)
            self.students[7] = body["email"]
            return httpx.Response(
                201,
                json={"id": 7, **body, "created_at": "2026-12-02T03:00:00Z",
                      "access_token": "its_x", "access_url": "http://api.test/s/its_x"},
            )  # fmt: skip
        if request.method == "DELETE" and request.url.path == "/api/teacher/students/7":
            self.students.pop(7)
            return httpx.Response(204)
        return httpx.Response(404, json={"detail": "not here"})


@pytest.mark.parametrize("partial", [False, True])
def test_a_failure_midway_deletes_what_the_import_created_unless_partial(
    partial: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FlakyApi()
    monkeypatch.setattr(
        session,
        "connect",
        lambda: Api("http://api.test", "t", transport=httpx.MockTransport(fake)),
    )
    roster = tmp_path / "roster.csv"
    roster.write_text("Anna Verdi,anna@example.com\nLuca Neri,luca@example.com\n")

    result = CliRunner().invoke(
        app,
        ["students", "import", str(roster), "--json", *(["--partial"] if partial else [])],
        env={CONFIG_DIR_ENV: str(tmp_path), URL_ENV: None, TOKEN_ENV: None},
    )

    if partial:
        assert result.exit_code == 0, result.output
        assert fake.students == {7: "anna@example.com"}
        rows = json.loads(result.stdout)["rows"]
        assert [row["outcome"] for row in rows] == ["created", "refused"]
        assert rows[1]["reason"] == "The database is busy: try again. (HTTP 503)"
    else:
        assert result.exit_code == 1, result.output
        assert fake.students == {}
        assert ("DELETE", "/api/teacher/students/7") in fake.requests
        assert "line 2: The database is busy: try again. (HTTP 503)" in result.stderr
        assert "deleted again" in result.stderr
