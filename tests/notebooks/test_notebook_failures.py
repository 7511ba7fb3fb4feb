"""What the notebook says when a step fails: pip, Google Drive, ngrok, a leftover ngrok agent."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest
from pyngrok import conf, ngrok
from pyngrok.exception import (
    PyngrokNgrokError,
    PyngrokNgrokHTTPError,
    PyngrokNgrokInstallError,
)

from inference_worker import colab
from tests.notebooks.conftest import ROOT

FAKE_TOKEN = "2fakeNgrokToken0123456789_abcdefghijklmnopqrstu"


# --- pip ---------------------------------------------------------------------------------------


def test_pip_output_is_shown_line_by_line_and_its_tail_kept_on_failure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    script = (
        "import sys\n"
        "for n in range(40): print(f'Collecting package-{n}', flush=True)\n"
        "print('Requirement already satisfied: numpy', flush=True)\n"
        "print('ERROR: No matching distribution found for vllm==9.9', file=sys.stderr)\n"
        "sys.exit(1)\n"
    )
    with pytest.raises(colab.PipFailed) as failure:
        colab._run([sys.executable, "-c", script])
    shown = capsys.readouterr().out
    assert "Collecting package-0\n" in shown and "Collecting package-39\n" in shown
    assert "already satisfied" not in shown  # restates what is there: not shown ...
    tail = failure.value.tail
    assert len(tail) == 30 and tail[0] == "Collecting package-12"  # ... but counted in the tail
    assert tail[-2:] == [
        "Requirement already satisfied: numpy",
        "ERROR: No matching distribution found for vllm==9.9",
    ]
    message = str(failure.value)
    assert message.startswith("pip install failed (exit code 1). Its last lines:\n")
    assert "Collecting package-11\n" not in message and "Collecting package-12\n" in message
    assert "pip found no matching package" in message
    assert "Traceback" not in message


def test_a_successful_pip_run_raises_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    colab._run([sys.executable, "-c", "print('Successfully installed italian-teacher')"])
    assert capsys.readouterr().out == "Successfully installed italian-teacher\n"


@pytest.mark.parametrize(
    ("last_line", "fix"),
    [
        ("ERROR: Could not install packages: [Errno 28] No space left on device", "disk is full"),
        ("ERROR: Could not find a version that satisfies the requirement vllm<0.20", "no matching"),
        ("WARNING: Retrying ... ReadTimeoutError: Read timed out.", "could not reach PyPI"),
        ("error: subprocess-exited-with-error", "name the package it stopped at"),
    ],
)
def test_pip_failure_names_the_likely_fix(last_line: str, fix: str) -> None:
    message = colab.pip_failure_message(1, ["Collecting vllm<0.20", last_line])
    assert last_line in message and fix in message
    assert colab.pip_failure_message(2, []).count("(pip printed nothing)") == 1


def test_vllm_that_pip_cannot_install_shows_pips_tail_and_falls_back(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    commands: list[list[str]] = []

    def pip_fails_for_vllm(command: list[str]) -> None:
        commands.append(command)
        if any(part.startswith("vllm") for part in command):
            raise colab.PipFailed(1, ["Building wheel for xformers", "error: CUDA_HOME not set"])

    monkeypatch.setattr(colab, "_run", pip_fails_for_vllm)
    assert colab.install(ROOT, engine="vllm", driver="550.54.15") == "transformers"
    assert commands[0][-2:] == [f"{ROOT}[transformers,notebook,vllm]", "vllm<0.20"]
    assert commands[1][-1] == f"{ROOT}[transformers,notebook]"
    out = capsys.readouterr().out
    assert "pip could not install vLLM (exit code 1); its last lines:\n" in out
    assert "error: CUDA_HOME not set\nFalling back to the transformers engine" in out


def test_a_failed_transformers_install_stops_with_pips_tail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def pip_fails(command: list[str]) -> None:
        raise colab.PipFailed(1, ["ERROR: [Errno 28] No space left on device"])

    monkeypatch.setattr(colab, "missing_modules", lambda engine: ["torch"])
    monkeypatch.setattr(colab, "_run", pip_fails)
    with pytest.raises(colab.NotebookError, match="No space left on device") as failure:
        colab.install(ROOT, engine="transformers", driver=None)
    assert "Disconnect and delete runtime" in str(failure.value)


# --- Google Drive ------------------------------------------------------------------------------


class MessageError(Exception):
    """The name google.colab._message gives the error of a refused consent pop-up."""


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (MessageError("Error: credential propagation was unsuccessful"), "not allowed"),
        (ValueError("mount failed: invalid oauth code"), "not allowed"),
        (
            ValueError(
                "mount failed: timeout during initial read of root folder; for more info: "
                "https://research.google.com/colaboratory/faq.html#drive-timeout"
            ),
            "did not answer in time",
        ),
        (ValueError("DriveFS is disabled for this domain"), "Workspace administrator"),
        (ValueError("mount failed"), "could not be mounted (mount failed)"),
    ],
)
def test_drive_failures_are_explained(error: Exception, says: str) -> None:
    message = colab.drive_failure_message(error)
    assert says in message
    assert message.endswith(colab.DRIVE_CACHE_FIX)
    assert colab.drive_failure_message(error, fix="Set PROJECT_SOURCE.").endswith(
        ". Set PROJECT_SOURCE."
    )


def test_a_refused_drive_leaves_the_weights_on_the_session_disk(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def mount(mountpoint: str) -> None:
        raise MessageError("Error: credential propagation was unsuccessful")

    google = types.ModuleType("google")
    google_colab = types.ModuleType("google.colab")
    google_colab.drive = types.SimpleNamespace(mount=mount)  # type: ignore[attr-defined]
    google.colab = google_colab  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", google_colab)
    monkeypatch.delenv("HF_HOME", raising=False)
    assert colab.mount_drive_cache() is None
    out = capsys.readouterr().out
    assert "consent pop-up was closed or refused" in out and "untick CACHE_ON_DRIVE" in out
    assert "HF_HOME" not in colab.os.environ


# --- ngrok -------------------------------------------------------------------------------------


def startup_error(text: str) -> PyngrokNgrokError:
    """The exception pyngrok raises when the agent reports ``text`` while starting."""
    return PyngrokNgrokError(f"The ngrok process errored on start: {text}.", [], text)


def test_a_bad_authtoken_is_named_without_showing_it() -> None:
    error = startup_error(
        "authentication failed: The authtoken you specified does not look like a proper ngrok "
        f"tunnel authtoken.\nYour authtoken: {FAKE_TOKEN}\nERR_NGROK_105"
    )
    assert error.ngrok_error_code == "ERR_NGROK_105"
    message = colab.tunnel_failure_message(error, FAKE_TOKEN)
    assert message.startswith("ngrok refused the authtoken (ERR_NGROK_105).")
    assert colab.NGROK_AUTHTOKEN_PAGE in message and "NGROK_AUTHTOKEN secret" in message
    assert FAKE_TOKEN not in message


@pytest.mark.parametrize("code", ["ERR_NGROK_107", "ERR_NGROK_4018"])
def test_other_refused_tokens_get_the_same_fix(code: str) -> None:
    error = startup_error(f"authentication failed: the authtoken is invalid\n\n{code}")
    assert colab.tunnel_failure_message(error).startswith(f"ngrok refused the authtoken ({code})")


def test_a_second_agent_on_the_free_plan_is_explained() -> None:
    error = startup_error(
        "authentication failed: Your account is limited to 1 simultaneous ngrok agent sessions."
        "\nYou can run multiple simultaneous tunnels from a single agent session.\n\nERR_NGROK_108"
    )
    message = colab.tunnel_failure_message(error, FAKE_TOKEN)
    assert "one agent session per account" in message and "(ERR_NGROK_108)" in message
    assert colab.NGROK_AGENTS_PAGE in message and "Disconnect and delete runtime" in message


def test_other_ngrok_failures_keep_ngrok_s_words_and_its_code() -> None:
    install = PyngrokNgrokInstallError("An error occurred while downloading ngrok: timed out")
    assert colab.tunnel_failure_message(install).startswith(
        "The ngrok agent could not be downloaded"
    )
    http = PyngrokNgrokHTTPError(
        "ngrok client API returned 502: tunnel session failed",
        "http://127.0.0.1:4040/api/tunnels",
        502,
        "Bad Gateway",
        {},
        "{}",
    )
    assert "ngrok could not open the tunnel: ngrok client API returned 502" in (
        colab.tunnel_failure_message(http)
    )
    coded = startup_error("failed to start tunnel: endpoint is already online\n\nERR_NGROK_334")
    assert "https://ngrok.com/docs/errors/err_ngrok_334" in colab.tunnel_failure_message(coded)


def fake_ngrok_agent(folder: Path, err: str) -> Path:
    """An executable that logs like the ngrok agent refusing to start, then exits."""
    agent = folder / "ngrok"
    log = (
        f't=2026-12-02T03:00:00+0000 lvl=eror msg="session closing" obj=tunnels.session err="{err}"'
    )
    agent.write_text(
        f"#!{sys.executable}\n"
        + textwrap.dedent(f"""\
            import sys
            print({log!r}, flush=True)
            sys.exit(1)
            """)
    )
    agent.chmod(0o755)
    return agent


def test_open_tunnel_turns_ngrok_s_refusal_into_a_plain_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = fake_ngrok_agent(
        tmp_path,
        "authentication failed: Your account is limited to 1 simultaneous ngrok agent "
        "sessions. ERR_NGROK_108",
    )
    config = conf.get_default()
    monkeypatch.setattr(config, "ngrok_path", str(agent))
    monkeypatch.setattr(config, "config_path", str(tmp_path / "ngrok.yml"))
    monkeypatch.setattr(config, "startup_timeout", 10)
    try:
        with pytest.raises(colab.NotebookError, match="one agent session per account") as failure:
            colab.open_tunnel(8001, FAKE_TOKEN)
    finally:
        ngrok.kill()
    assert failure.value.__cause__ is None and failure.value.__suppress_context__
    assert FAKE_TOKEN not in str(failure.value)


def test_a_leftover_ngrok_agent_is_stopped_and_nothing_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sleep = shutil.which("sleep")
    assert sleep is not None
    agent = tmp_path / "ngrok"
    shutil.copy(sleep, agent)
    leftover = subprocess.Popen([str(agent), "60"])
    bystander = subprocess.Popen([sleep, "60"])
    try:
        assert colab.ngrok_agent_pids(str(agent)) == [leftover.pid]
        assert colab.stop_leftover_agents(str(agent)) == [leftover.pid]
        assert leftover.wait(5) is not None
        assert bystander.poll() is None
        assert f"left running (pid {leftover.pid})" in capsys.readouterr().out
        assert colab.ngrok_agent_pids(str(agent)) == []
    finally:
        for process in (leftover, bystander):
            process.kill()
            process.wait()
