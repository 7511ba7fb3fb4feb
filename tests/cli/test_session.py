"""The command's HTTP client on its own: how API errors read, and waiting out a rate limit
(answers from httpx.MockTransport)."""

from __future__ import annotations

import httpx
import pytest
import typer

from api.cli.session import Api, error_message, normalise_url


def test_a_422_lists_each_bad_field_and_a_401_says_how_to_sign_in() -> None:
    invalid = httpx.Response(
        422,
        json={
            "detail": "Some fields are invalid.",
            "errors": [{"loc": ["body", "quantity"], "msg": "must be at most 20"}],
        },
    )
    expired = httpx.Response(401, json={"detail": "Your sign-in has expired."})
    not_json = httpx.Response(502, text="<html>Bad Gateway</html>")

    assert error_message(invalid) == (
        "Some fields are invalid. (HTTP 422)\n  - quantity: must be at most 20"
    )
    assert error_message(expired).startswith("Your sign-in has expired. (HTTP 401)\n")
    assert "italian-teacher login" in error_message(expired)
    assert error_message(not_json) == "<html>Bad Gateway</html> (HTTP 502)"


def test_a_short_rate_limit_is_waited_out(capsys: pytest.CaptureFixture[str]) -> None:
    answers = [
        httpx.Response(429, headers={"Retry-After": "0"}, json={"detail": "Too many requests."}),
        httpx.Response(200, json=[{"id": 1}]),
    ]
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return answers.pop(0)

    with Api("http://api.test", "t", transport=httpx.MockTransport(handler)) as api:
        assert api.get("/api/teacher/classes") == [{"id": 1}]

    assert seen == ["/api/teacher/classes"] * 2
    assert "waiting 0 s" in capsys.readouterr().err


def test_a_long_rate_limit_ends_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            429, headers={"Retry-After": "300"}, json={"detail": "Too many failed sign-ins."}
        )

    with Api("http://api.test", transport=httpx.MockTransport(handler)) as api:
        with pytest.raises(typer.Exit) as exited:
            api.post("/api/auth/token", data={"username": "a@b.it", "password": "x"})

    assert exited.value.exit_code == 1
    assert "Too many failed sign-ins. (HTTP 429)\nTry again in 300 s." in capsys.readouterr().err


@pytest.mark.parametrize("url", ["", "127.0.0.1:8000", "ftp://host", "http://"])
def test_an_address_that_is_not_http_is_a_usage_error(url: str) -> None:
    with pytest.raises(typer.Exit) as exited:
        normalise_url(url)

    assert exited.value.exit_code == 2


def test_an_address_loses_its_trailing_slash() -> None:
    assert normalise_url(" https://school.example/italiano/ ") == "https://school.example/italiano"
