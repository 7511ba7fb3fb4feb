"""Fixtures for the notebook tests: the tiny model, free ports, a kernel on this interpreter."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import pytest

from tests.tiny_model import build_tiny_model

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "colab_worker.ipynb"
KERNEL_NAME = "italian-teacher-tests"


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random model and tokenizer built locally, once per test session."""
    return build_tiny_model(tmp_path_factory.mktemp("notebook-model") / "tiny")


@pytest.fixture
def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def kernel_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernelspec that runs ipykernel on this very interpreter (the project's .venv).

    It is written to a private JUPYTER_PATH, so a ``python3`` kernel installed elsewhere on the
    machine (another Python, without the project) can never be picked by mistake.
    """
    spec_dir = tmp_path / "jupyter" / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Italian Teacher tests",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return KERNEL_NAME
