"""Fixtures for the command-line tests: a real API process on a real SQLite file, and the
``italian-teacher`` command run in-process (typer's CliRunner) against it with its own config
directory."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner, Result

from api.cli import app
from api.cli.session import CONFIG_DIR_ENV, TOKEN_ENV, URL_ENV
from tests.live_server import ApiProcess

TEACHER_EMAIL = "maria@example.com"
TEACHER_PASSWORD = "correct-horse-battery"


def start_api(folder: Path, **env: str) -> ApiProcess:
    """A real API on its own SQLite file with a teacher account; no worker unless given."""
    return ApiProcess(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'cli.db'}",
            "TEACHER_EMAIL": TEACHER_EMAIL,
            "TEACHER_PASSWORD": TEACHER_PASSWORD,
            "TEACHER_NAME": "Maria Bianchi",
            "INFERENCE_API_URL": "",
            "LOG_LEVEL": "WARNING",
            "GENERATION_POLL_SECONDS": "0.2",
            "GENERATION_LEASE_SECONDS": "5",
            **env,
        },
        folder / "api.log",
    )


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiProcess]:
    """One API process for the command-line tests (offline: homework comes from the offline generator)."""
    process = start_api(tmp_path_factory.mktemp("cli-api"))
    try:
        yield process
    finally:
        process.stop()


@dataclass
class Cli:
    """The command run in-process with its own config directory and a clean environment."""

    url: str
    config_dir: Path

    def __call__(self, *args: str, input: str | None = None, **env: str | None) -> Result:
        environment: Mapping[str, str | None] = {
            CONFIG_DIR_ENV: str(self.config_dir),
            URL_ENV: None,
            TOKEN_ENV: None,
            "COLUMNS": "200",
            **env,
        }
        return CliRunner().invoke(app, list(args), input=input, env=environment)

    def ok(self, *args: str, input: str | None = None) -> Result:
        """Run a command that must succeed."""
        result = self(*args, input=input)
        assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
        return result

    def json(self, *args: str) -> Any:
        """Run a command with --json and parse its standard output."""
        return json.loads(self.ok(*args, "--json").stdout)

    def login(self) -> Result:
        return self.ok(
            "login", "--url", self.url, "--email", TEACHER_EMAIL, "--password-stdin",
            input=f"{TEACHER_PASSWORD}\n",
        )  # fmt: skip

    @property
    def credentials(self) -> Path:
        return self.config_dir / "credentials.json"

    def token(self) -> str:
        return str(json.loads(self.credentials.read_text())["token"])

    def http(self) -> httpx.Client:
        """An HTTP client with this sign-in's token, to check what the command did."""
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.token()}"}, timeout=10
        )


@pytest.fixture
def cli(server: ApiProcess, tmp_path: Path) -> Cli:
    """The command with a fresh, empty config directory (nobody signed in)."""
    return Cli(server.url, tmp_path / "config")


@pytest.fixture(scope="package")
def teacher(server: ApiProcess, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """The command signed in as the teacher, shared by the command-line tests."""
    signed_in = Cli(server.url, tmp_path_factory.mktemp("cli-config"))
    signed_in.login()
    return signed_in
