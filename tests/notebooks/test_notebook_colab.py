"""The Colab notebook: executed headlessly end to end on the tiny model, and checked as a file."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from inference_worker import colab
from tests.tiny_model import build_tiny_model
from tests.worker.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "colab_worker.ipynb"


def test_notebook_runs_to_a_valid_smoke_test(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = build_tiny_model(tmp_path / "tiny-model")
    port = free_port()
    for name, value in {
        "IT_ALLOW_CPU": "1",
        "IT_PROJECT_SOURCE": str(ROOT),
        "IT_SKIP_INSTALL": "1",
        "IT_ENGINE": "transformers",
        "IT_MODEL": str(model),
        "IT_NO_TUNNEL": "1",
        "IT_CACHE_ON_DRIVE": "0",
        "IT_PORT": str(port),
        "WORKER_MAX_FIELD_CHARS": "16",
    }.items():
        monkeypatch.setenv(name, value)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("colab.stop(worker, tunnel)"))
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()

    def text(cell: nbformat.NotebookNode) -> str:
        return "".join(o.get("text", "") for o in cell.get("outputs", []))

    smoke = text(notebook.cells[-2])
    assert f"export INFERENCE_API_URL=http://127.0.0.1:{port}" in smoke
    key = re.search(r"export INFERENCE_API_KEY=(\S+)", smoke)
    assert key is not None and len(key.group(1)) >= 24
    assert re.search(r"1\. \[(fill_in_blank|translation)\]", smoke)
    assert "answer:" in smoke and "tokens in" in smoke
    assert "Without the key: HTTP 401 (expected 401)" in smoke
    assert "Tunnel closed and worker stopped." in text(notebook.cells[-1])
    assert (tmp_path / "worker.log").exists()


def test_notebook_file_is_valid_clean_and_secret_free() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    raw = NOTEBOOK.read_text()
    assert not re.search(r"(ngrok|hf)_[A-Za-z0-9]{20,}|[0-9a-zA-Z]{2}_[0-9a-zA-Z]{40,}", raw)
    assert "userdata" not in raw or "colab.secret" in raw
    sources = [c.source for c in notebook.cells if c.cell_type == "code"]
    assert all(len(s.splitlines()) <= 16 for s in sources), "cells stay short"
    assert json.loads(raw)["metadata"]["accelerator"] == "GPU"


@pytest.mark.parametrize(
    ("driver", "requirement"),
    [("580.65.06", "vllm>=0.12,<0.34"), ("590.1", "vllm>=0.12,<0.34"),
     ("550.54.15", "vllm==0.11.0"), ("535.104.05", "vllm==0.11.0"), ("470.82", None)],
)
def test_vllm_build_is_chosen_by_driver(driver: str, requirement: str | None) -> None:
    assert colab.vllm_requirement(driver) == requirement


def test_nvidia_smi_parsing() -> None:
    info = colab.parse_nvidia_smi("Tesla T4, 550.54.15, 15360, 15101\n")
    assert info == colab.GpuInfo("Tesla T4", "550.54.15", 15360, 15101)


def test_missing_secret_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NGROK_AUTHTOKEN", raising=False)
    with pytest.raises(colab.NotebookError, match="NGROK_AUTHTOKEN"):
        colab.secret("NGROK_AUTHTOKEN")
    assert colab.secret("HF_TOKEN_NOT_SET", required=False) is None
    monkeypatch.setenv("NGROK_AUTHTOKEN", "abc")
    assert colab.secret("NGROK_AUTHTOKEN") == "abc"


def test_settings_overrides_and_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IT_NO_TUNNEL", "1")
    monkeypatch.setenv("IT_PORT", "9001")
    assert colab.setting("NO_TUNNEL", False) is True
    assert colab.setting("PORT", 8001) == 9001
    assert colab.setting("MODEL", "m") == os.environ.get("IT_MODEL", "m")
    command = colab.worker_command(
        "vllm", "Qwen/Qwen2.5-7B-Instruct-AWQ", 8001,
        {"quantization": "awq", "max_model_len": 4096, "dtype": "half", "download_dir": None},
    )
    assert command[-10:] == ["--host", "127.0.0.1", "--port", "8001", "--quantization", "awq",
                             "--max-model-len", "4096", "--dtype", "half"]
    assert colab.export_lines("https://x.ngrok-free.app", "k") == (
        "export INFERENCE_API_URL=https://x.ngrok-free.app\nexport INFERENCE_API_KEY=k"
    )


def test_project_source_must_be_a_url_or_project(tmp_path: Path) -> None:
    with pytest.raises(colab.NotebookError, match="PROJECT_SOURCE"):
        colab.fetch_project(str(tmp_path))
    assert colab.fetch_project(str(ROOT)) == ROOT
