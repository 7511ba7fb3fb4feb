"""Fixtures for the worker: the tiny model, and real workers served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from inference_worker.__main__ import build_engine
from inference_worker.app import create_app
from inference_worker.config import WorkerSettings
from inference_worker.engines.transformers_engine import TransformersEngine
from tests.tiny_model import build_tiny_model

API_KEY = "test-worker-key-123"


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random model and tokenizer built locally, once per test session."""
    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServedWorker:
    """A worker app served by a real uvicorn in a background thread."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServedWorker:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("worker did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(15)


class GatedEngine(TransformersEngine):
    """The real transformers engine whose loading waits until the test opens the gate."""

    def __init__(self, gate: threading.Event, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gate = gate

    async def start(self) -> None:
        await asyncio.to_thread(self.gate.wait, 30)
        await super().start()


@pytest.fixture
def serve(tiny_model: Path) -> Iterator[Callable[..., ServedWorker]]:
    """Start workers on the tiny model; settings can be overridden."""
    running: list[ServedWorker] = []

    def start(engine: Any = None, **overrides: Any) -> ServedWorker:
        values: dict[str, Any] = {
            "model": str(tiny_model),
            "api_key": API_KEY,
            "max_field_chars": 16,
            "max_batch_size": 8,
            "threads": 1,
        } | overrides
        settings = WorkerSettings(**values)
        engine = engine or build_engine(settings)
        served = ServedWorker(create_app(settings, engine)).__enter__()
        running.append(served)
        return served

    yield start
    for served in running:
        served.__exit__()


def wait_ready(url: str, timeout: float = 60) -> None:
    """Poll /health until it answers 200."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} not ready in {timeout}s")
