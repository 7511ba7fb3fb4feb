"""Signing in and out from the command line, exit codes, the environment's overrides."""

from __future__ import annotations

import json
import stat

import httpx

from tests.cli.conftest import TEACHER_EMAIL, TEACHER_PASSWORD, Cli


def test_login_keeps_url_and_token_readable_only_by_the_user(cli: Cli) -> None:
    result = cli.login()

    assert "Maria Bianchi" in result.stdout
    stored = json.loads(cli.credentials.read_text())
    assert stored["url"] == cli.url and stored["email"] == TEACHER_EMAIL
    assert stat.S_IMODE(cli.credentials.stat().st_mode) == 0o600
    assert stat.S_IMODE(cli.config_dir.stat().st_mode) == 0o700
    me = httpx.get(f"{cli.url}/api/auth/me", headers={"Authorization": f"Bearer {stored['token']}"})
    assert me.status_code == 200 and me.json()["email"] == TEACHER_EMAIL
    assert cli.json("whoami")["email"] == TEACHER_EMAIL


def test_the_password_is_prompted_without_echo(cli: Cli) -> None:
    result = cli("login", "--url", cli.url, input=f"{TEACHER_EMAIL}\n{TEACHER_PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert TEACHER_PASSWORD not in result.output
    assert cli.credentials.exists()


def test_a_wrong_password_exits_1_with_the_apis_words(cli: Cli) -> None:
    refused = httpx.post(
        f"{cli.url}/api/auth/token", data={"username": TEACHER_EMAIL, "password": "nope"}
    )
    assert refused.status_code == 401

    result = cli(
        "login", "--url", cli.url, "--email", TEACHER_EMAIL, "--password-stdin", input="wrong\n"
    )

    assert result.exit_code == 1
    assert refused.json()["detail"] in result.stderr
    assert not cli.credentials.exists()


def test_usage_errors_exit_2(cli: Cli) -> None:
    cli.login()

    unknown_option = cli("students", "list", "--no-such-option")
    bad_level = cli("assign", "--level", "Z9", "--student", "1")
    bad_types = cli(
        "assign", "--level", "A2", "--student", "1", "--types", "essay"
    )  # the API's 422
    too_many = cli("assign", "--level", "A2", "--student", "1", "--quantity", "999")
    nobody = cli("assign", "--level", "A2")
    missing_file = cli("students", "import", str(cli.config_dir / "absent.csv"))
    bad_url = cli("login", "--url", "ftp://example.com", "--email", "a@b.it", "--password-stdin")

    for result in (unknown_option, bad_level, bad_types, too_many, nobody, missing_file, bad_url):
        assert result.exit_code == 2, result.output
    assert "exercise_types" in bad_types.stderr and "(HTTP 422)" in bad_types.stderr
    assert "quantity" in too_many.stderr
    assert "--class" in nobody.stderr


def test_without_a_sign_in_commands_say_how_to_sign_in(cli: Cli) -> None:
    result = cli("students", "list")

    assert result.exit_code == 1
    assert "not signed in" in result.stderr and "login" in result.stderr


def test_an_unreachable_api_is_a_plain_error(cli: Cli) -> None:
    result = cli(
        "students", "list", ITALIAN_TEACHER_URL="http://127.0.0.1:9", ITALIAN_TEACHER_TOKEN="x"
    )

    assert result.exit_code == 1
    assert "cannot reach the API at http://127.0.0.1:9" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_environment_overrides_the_stored_sign_in(cli: Cli) -> None:
    token = httpx.post(
        f"{cli.url}/api/auth/token",
        data={"username": TEACHER_EMAIL, "password": TEACHER_PASSWORD},
    ).json()["access_token"]

    with_env = cli("whoami", "--json", ITALIAN_TEACHER_URL=cli.url, ITALIAN_TEACHER_TOKEN=token)
    revoked = httpx.post(f"{cli.url}/api/auth/logout", headers={"Authorization": f"Bearer {token}"})
    after = cli("whoami", ITALIAN_TEACHER_URL=cli.url, ITALIAN_TEACHER_TOKEN=token)

    assert with_env.exit_code == 0, with_env.output
    assert json.loads(with_env.stdout)["url"] == cli.url
    assert revoked.status_code == 204
    assert after.exit_code == 1 and "login" in after.stderr


def test_logout_revokes_the_token_and_deletes_the_file(cli: Cli) -> None:
    cli.login()
    token = cli.token()

    result = cli.ok("logout")

    assert not cli.credentials.exists()
    assert "no longer works" in result.stdout
    me = httpx.get(f"{cli.url}/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401
    assert cli("students", "list").exit_code == 1
    assert cli.ok("logout").stdout.startswith("Not signed in")


def test_shell_completion_is_offered(cli: Cli) -> None:
    result = cli.ok("--help")

    assert "--install-completion" in result.stdout
