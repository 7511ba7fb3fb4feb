"""The Colab notebook, executed headlessly from the first cell to the last, and checked as a file.

The run selects the transformers engine on the tiny local model, the project from this checkout
(already installed, so the install cell is a no-op) and no tunnel (the local URL stands in for
the public one); everything else is the notebook as a user runs it.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from inference_worker import colab
from inference_worker.contract import GenerateResponse
from tests.notebooks.conftest import NOTEBOOK, ROOT

FAKE_NGROK_TOKEN = "2fakeNgrokToken0123456789_abcdefghijklmnopqrstu"
FAKE_HF_TOKEN = "hf_fakeHuggingFaceToken0123456789abcd"
RESPONSE_MARKER = "SMOKE-RESPONSE:"


def outputs_text(cell: nbformat.NotebookNode) -> str:
    """Everything a code cell printed (stdout and stderr)."""
    return "".join(
        o.get("text", "") for o in cell.get("outputs", []) if o["output_type"] == "stream"
    )


def test_run_all_reaches_a_valid_smoke_test(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tiny_model: Path,
    free_port: int,
    kernel_name: str,
) -> None:
    for name, value in {
        "IT_ALLOW_CPU": "1",
        "IT_PROJECT_SOURCE": str(ROOT),
        "IT_ENGINE": "transformers",
        "IT_MODEL": str(tiny_model),
        "IT_QUANTIZATION": "none",
        "IT_NO_TUNNEL": "1",
        "IT_CACHE_ON_DRIVE": "0",
        "IT_PORT": str(free_port),
        "WORKER_MAX_FIELD_CHARS": "16",  # a random model's strings stay short and fast
        "HF_HUB_OFFLINE": "1",
        # Secrets the notebook reads from the environment outside Colab; none may leak.
        "NGROK_AUTHTOKEN": FAKE_NGROK_TOKEN,
        "HF_TOKEN": FAKE_HF_TOKEN,
    }.items():
        monkeypatch.setenv(name, value)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    user_cells = len(notebook.cells)
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            f"print({RESPONSE_MARKER!r} + result.response.model_dump_json())\n"
            "print('UNAUTHORIZED:', result.unauthorized_status)\n"
            "colab.stop(worker, tunnel)"
        )
    )
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    log = tmp_path / "worker.log"
    try:
        client.execute()
    except CellExecutionError as exc:
        worker_log = log.read_text() if log.exists() else "(no worker log)"
        pytest.fail(f"the notebook failed:\n{exc}\n--- worker.log ---\n{worker_log[-3000:]}")
    finally:  # the worker runs in its own process group: make sure it does not outlive the test
        colab.stop_previous(colab.pid_file(log))

    code_cells = [c for c in notebook.cells[:user_cells] if c.cell_type == "code"]
    printed = [outputs_text(c) for c in code_cells]
    everything = "\n".join(printed)
    assert "No GPU: continuing on the CPU" in printed[0]
    assert "already installed: nothing to install" in everything
    assert "Engine: transformers" in everything
    assert "Worker ready after" in everything and "transformers engine" in everything
    assert (
        f"No tunnel (IT_NO_TUNNEL=1): the worker's local URL is http://127.0.0.1:{free_port}"
        in everything
    )

    # The last cell of the notebook: the two lines for the laptop and the smoke test's result.
    last = printed[-1]
    assert f"export INFERENCE_API_URL=http://127.0.0.1:{free_port}\n" in last
    key = re.search(r"^export INFERENCE_API_KEY=(\S+)$", last, re.MULTILINE)
    assert key is not None and len(key.group(1)) >= 32
    assert re.search(
        r"Smoke test: 3 exercises, \d+ tokens in [\d.]+ s from .*; HTTP 401 without the key\.", last
    )

    # The smoke test printed the exercises and the refused request.
    smoke = printed[-2]
    assert re.search(r"^1\. \[(fill_in_blank|translation)\] ", smoke, re.MULTILINE)
    assert "answer:" in smoke and "Without the key: HTTP 401 (expected 401)" in smoke

    # The response the notebook received is valid under the wire contract.
    check = outputs_text(notebook.cells[-1])
    raw = check.split(RESPONSE_MARKER, 1)[1].splitlines()[0]
    response = GenerateResponse.model_validate_json(raw)
    assert len(response.exercises) == 3
    assert {e.type for e in response.exercises} <= {"fill_in_blank", "translation"}
    assert response.model == str(tiny_model) and response.generated_tokens > 0
    assert "UNAUTHORIZED: 401" in check and "Tunnel closed and worker stopped." in check
    assert not colab.pid_file(log).exists()

    # The worker key appears only in the export lines; the secrets nowhere.
    worker_log = log.read_text()
    for line in (everything + check).splitlines():
        assert key.group(1) not in line or line.startswith("export INFERENCE_API_KEY=")
    for leaked in (key.group(1), FAKE_NGROK_TOKEN, FAKE_HF_TOKEN):
        assert leaked not in worker_log
    for leaked in (FAKE_NGROK_TOKEN, FAKE_HF_TOKEN):
        assert leaked not in everything + check


def test_notebook_file_is_valid_without_outputs_or_secrets() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata["accelerator"] == "GPU"
    assert notebook.metadata["colab"]["gpuType"] == "T4"
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    for cell in code_cells:
        assert cell.outputs == [] and cell.execution_count is None, "outputs are committed"
        assert len(cell.source.splitlines()) <= 16, (
            f"a long cell belongs in colab.py:\n{cell.source}"
        )
    raw = NOTEBOOK.read_text()
    token_like = [
        r"hf_[A-Za-z0-9]{20,}",  # Hugging Face
        r"\b\d[A-Za-z0-9]{20,}_[A-Za-z0-9]{15,}\b",  # ngrok authtoken
        r"\bgh[pousr]_[A-Za-z0-9]{30,}",  # GitHub
        r"\b[A-Za-z0-9_-]{40,}\b",  # any long random-looking string
    ]
    for pattern in token_like:
        assert not re.search(pattern, raw), f"token-like string matching {pattern}"
    sources = "\n".join(c.source for c in code_cells)
    # Secrets only ever come from the secret store, through colab.secret().
    assert not re.search(r"(NGROK_AUTHTOKEN|HF_TOKEN|API_KEY)\s*=\s*['\"]", sources)
    assert 'colab.secret("NGROK_AUTHTOKEN"' in sources
    # The one exception: the clone cell runs before colab.py exists, and reads GITHUB_TOKEN.
    for cell in code_cells:
        assert "userdata" not in cell.source.replace('userdata.get("GITHUB_TOKEN")', "").replace(
            "import userdata", ""
        )
    clone = next(c.source for c in code_cells if "git clone" in c.source)
    assert "print(" not in clone and "token" not in clone.split("SystemExit", 1)[1]
    settings_cell = next(c.source for c in code_cells if "CACHE_ON_DRIVE =" in c.source)
    assert "CACHE_ON_DRIVE = False" in settings_cell  # Drive asks for consent: only on request
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "Qwen/Qwen2.5-7B-Instruct-AWQ" in markdown and "T4" in markdown


def test_notebook_follows_the_issue_sections_in_order() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    headings = [
        line
        for cell in notebook.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("## ")
    ]
    assert [h.split(".")[0] for h in headings] == [f"## {n}" for n in range(1, 9)]
    assert json.loads(NOTEBOOK.read_text())["nbformat"] == 4
    last_code = [c for c in notebook.cells if c.cell_type == "code"][-1]
    assert "session_summary" in last_code.source and "colab.stop" in last_code.source


def test_run_all_stops_at_a_wrong_repository_with_what_git_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel_name: str
) -> None:
    missing = tmp_path / "no-such-repository"
    monkeypatch.setenv("IT_ALLOW_CPU", "1")
    monkeypatch.setenv("IT_PROJECT_SOURCE", str(missing))
    monkeypatch.setenv("IT_CLONE_DIR", str(tmp_path / "clone"))
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_notARealTokenOnlyForThisTest")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=60,
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    with pytest.raises(CellExecutionError) as failure:
        client.execute()
    message = str(failure.value)
    assert f"git clone failed: fatal: repository '{missing}' does not exist" in message
    assert "Check PROJECT_SOURCE. For a private repository add a GITHUB_TOKEN" in message
    assert "ghp_notARealTokenOnlyForThisTest" not in message
    executed = [c for c in notebook.cells if c.cell_type == "code" and c.execution_count]
    assert "git clone" in executed[-1].source
    assert "Traceback" not in outputs_text(executed[-1])
    assert not (tmp_path / "clone").exists()


@pytest.mark.parametrize(
    ("env", "stops_at", "message"),
    [
        ({}, "nvidia-smi", "No GPU is attached: Runtime → Change runtime type → T4 GPU"),
        (
            {"IT_ALLOW_CPU": "1", "IT_ENGINE": "transformers", "IT_CACHE_ON_DRIVE": "0"},
            "colab.secret",
            "The secret NGROK_AUTHTOKEN is missing. Open the key icon (Secrets)",
        ),
    ],
    ids=["no-gpu", "no-ngrok-secret"],
)
def test_run_all_stops_early_with_a_plain_message(
    env: dict[str, str],
    stops_at: str,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kernel_name: str,
) -> None:
    if not env and shutil.which("nvidia-smi"):
        pytest.skip("this machine has a GPU")
    for name in ("IT_ALLOW_CPU", "IT_NO_TUNNEL", "NGROK_AUTHTOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IT_PROJECT_SOURCE", str(ROOT))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=60,
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    with pytest.raises(CellExecutionError) as failure:
        client.execute()
    assert message in str(failure.value)
    executed = [c for c in notebook.cells if c.cell_type == "code" and c.execution_count]
    assert stops_at in executed[-1].source  # Run all stops at the failing cell
    assert "Traceback" not in outputs_text(executed[-1])
    assert not (tmp_path / "worker.log").exists()
