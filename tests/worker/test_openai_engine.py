"""The openai engine against a fake OpenAI-compatible server over real HTTP: the happy path and
every way an upstream fails (errors, a refused key, busy, silence, a refusal, a schema ignored)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from inference_worker.__main__ import build_engine, parse_args
from inference_worker.config import WorkerSettings
from inference_worker.contract import GenerateRequest, GenerateResponse, check_exercises
from inference_worker.engines.openai_engine import base_url
from tests.worker.conftest import API_KEY, ServedWorker, free_port, wait_ready

AUTH = {"Authorization": f"Bearer {API_KEY}"}
UPSTREAM_KEY = "upstream-secret-456"
REQUEST = {
    "cefr_level": "A2",
    "quantity": 3,
    "exercise_types": ["multiple_choice", "translation"],
    "max_tokens": 900,
    "seed": 2,
}


def _drafts(schema: dict[str, Any]) -> str:
    """A valid answer for whatever plan the schema fixes, as a real model would write it."""
    items = []
    for slot, spec in enumerate(schema["properties"]["exercises"]["prefixItems"]):
        kind = spec["properties"]["type"]["const"]
        item: dict[str, Any] = {"type": kind, "question": f"Domanda {slot} ___."}
        item["correct_answer"] = "va"
        if kind == "multiple_choice":
            item["distractors"] = ["vado", "vai", "andiamo"]
        item["explanation"] = "Terza persona di andare."
        items.append(item)
    return json.dumps({"exercises": items}, ensure_ascii=False)


class FakeUpstream:
    """An OpenAI-compatible server whose behaviour the test picks: ``mode``."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.cancelled = threading.Event()  # set from the server's thread
        self.app = FastAPI()
        self.app.get("/v1/models")(self.models)
        self.app.post("/v1/chat/completions")(self.completions)

    async def models(self) -> dict[str, Any]:
        return {"object": "list", "data": [{"id": "served-model", "object": "model"}]}

    async def completions(self, request: Request) -> Response:
        body = await request.json()
        self.bodies.append(body)
        self.headers.append(dict(request.headers))
        if self.mode.startswith("status:"):
            status = int(self.mode.split(":")[1])
            error = {"error": {"message": f"upstream says {status}", "type": "server_error"}}
            return JSONResponse(error, status_code=status)
        if self.mode.startswith("stream-error:"):  # an error event after some text
            code: Any = self.mode.split(":")[1]
            code = int(code) if code.isdigit() else code
            error = {"code": code, "message": "upstream broke mid-answer", "type": "server_error"}
            chunks = [{"content": '{"exercises": ['}, {"error": error}]
        elif self.mode == "refusal":
            chunks = [{"refusal": "I can't help with that."}]
        elif self.mode == "prose":  # a server that ignores response_format
            chunks = [{"content": "Ecco tre esercizi: "}, {"content": "1. Io vado..."}]
        else:
            text = _drafts(body["response_format"]["json_schema"]["schema"])
            chunks = [{"content": text[i : i + 7]} for i in range(0, len(text), 7)]

        async def events() -> AsyncIterator[bytes]:
            try:
                for index, delta in enumerate(chunks):
                    if "error" in delta:  # llama.cpp's and vLLM's shape: no choices, an error
                        yield f"data: {json.dumps(delta)}\n\n".encode()
                        return
                    chunk = {"choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
                    yield f"data: {json.dumps(chunk)}\n\n".encode()
                    if self.mode == "hang" and index == 2:
                        await asyncio.sleep(60)
                final = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                yield f"data: {json.dumps(final)}\n\n".encode()
                usage = {"choices": [], "usage": {"completion_tokens": 10 * len(chunks)}}
                yield f"data: {json.dumps(usage)}\n\ndata: [DONE]\n\n".encode()
            except asyncio.CancelledError:
                self.cancelled.set()
                raise

        return StreamingResponse(events(), media_type="text/event-stream")


@pytest.fixture
def upstream() -> Any:
    fake = FakeUpstream()
    with ServedWorker(fake.app) as served:
        yield fake, served.url


@pytest.fixture
def openai_worker(
    serve: Callable[..., ServedWorker], upstream: tuple[FakeUpstream, str]
) -> Callable[..., tuple[FakeUpstream, str]]:
    def start(**overrides: Any) -> tuple[FakeUpstream, str]:
        fake, url = upstream
        values: dict[str, Any] = {
            "upstream": url,
            "upstream_api_key": UPSTREAM_KEY,
            "upstream_timeout": 5,
        }
        settings = WorkerSettings(engine="openai", model="unused", **(values | overrides))
        # ``serve``'s own ``engine`` argument takes the engine object, built here.
        worker = serve(engine=build_engine(settings), **(values | overrides))
        wait_ready(worker.url)
        return fake, worker.url

    return start


def test_exercises_come_from_the_upstream_with_the_schema_and_key(
    openai_worker: Callable[..., tuple[FakeUpstream, str]],
) -> None:
    fake, url = openai_worker()
    health = httpx.get(f"{url}/health").json()
    assert health["engine"] == "openai" and health["model"] == "served-model"
    response = httpx.post(f"{url}/generate", json=REQUEST, headers=AUTH, timeout=30)
    assert response.status_code == 200, response.text
    result = GenerateResponse.model_validate(response.json())
    check_exercises(GenerateRequest.model_validate(REQUEST), result.exercises)
    assert result.model == "served-model" and result.generated_tokens > 0
    body = fake.bodies[-1]
    assert body["model"] == "served-model" and body["stream"] is True
    assert body["response_format"]["type"] == "json_schema"
    assert (
        body["response_format"]["json_schema"]["schema"]["properties"]["exercises"]["minItems"] == 3
    )
    assert body["messages"][0]["role"] == "system"
    assert fake.headers[-1]["authorization"] == f"Bearer {UPSTREAM_KEY}"
    # Streamed to the API too, with progress from the upstream's chunks.
    with httpx.stream(
        "POST", f"{url}/generate", json=REQUEST | {"stream": True}, headers=AUTH, timeout=30
    ) as streamed:
        events = [json.loads(line) for line in streamed.iter_lines()]
    assert events[0] == {"event": "start", "model": "served-model"}
    assert events[-1]["event"] == "done"
    assert len(events[-1]["response"]["exercises"]) == 3


def test_a_named_upstream_model_is_used_as_is(
    openai_worker: Callable[..., tuple[FakeUpstream, str]],
) -> None:
    fake, url = openai_worker(upstream_model="qwen-7b")
    assert httpx.get(f"{url}/health").json()["model"] == "qwen-7b"
    httpx.post(f"{url}/generate", json=REQUEST, headers=AUTH, timeout=30)
    assert fake.bodies[-1]["model"] == "qwen-7b"


@pytest.mark.parametrize(
    ("mode", "status", "words"),
    [
        ("status:500", 502, "answered 500: upstream says 500"),
        ("status:400", 502, "answered 400"),
        ("status:401", 502, "UPSTREAM_API_KEY"),
        ("status:429", 503, "busy"),
        ("stream-error:500", 502, "answered 500: upstream broke mid-answer"),
        ("stream-error:429", 503, "busy"),
        ("stream-error:server_error", 502, "failed mid-answer: upstream broke mid-answer"),
        ("hang", 504, "silent"),
        ("refusal", 502, "declined: I can't help"),
        ("prose", 502, "not complete JSON"),
    ],
)
def test_upstream_failures_are_plain_errors_that_say_what_happened(
    openai_worker: Callable[..., tuple[FakeUpstream, str]], mode: str, status: int, words: str
) -> None:
    fake, url = openai_worker(upstream_timeout=0.5)
    fake.mode = mode
    response = httpx.post(f"{url}/generate", json=REQUEST, headers=AUTH, timeout=30)
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    assert UPSTREAM_KEY not in response.text
    # A model's failure is retried (three attempts); a server's is reported at once.
    model_failure = mode in ("refusal", "prose")
    assert len(fake.bodies) == (3 if model_failure else 1)
    with httpx.stream(
        "POST", f"{url}/generate", json=REQUEST | {"stream": True}, headers=AUTH, timeout=30
    ) as streamed:
        last = json.loads(list(streamed.iter_lines())[-1])
    assert last["event"] == "error" and last["status"] == status and words in last["detail"]


def test_a_closed_request_closes_the_upstream_stream(
    openai_worker: Callable[..., tuple[FakeUpstream, str]],
) -> None:
    fake, url = openai_worker(upstream_timeout=30)
    fake.mode = "hang"
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{url}/generate", json=REQUEST, headers=AUTH, timeout=0.5)
    health: dict[str, Any] = {}
    for _ in range(100):
        health = httpx.get(f"{url}/health").json()
        if health["requests_in_flight"] == 0 and health["requests_running"] == 0:
            break
        time.sleep(0.05)
    assert health["requests_in_flight"] == 0 and health["requests_running"] == 0
    assert fake.cancelled.wait(5)  # the upstream saw its stream closed, not left running


def test_the_openai_engine_needs_an_upstream(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_args(["--engine", "openai"])
    assert "--upstream" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse_args(["--engine", "openai", "--upstream", "ftp://x"])
    settings = parse_args(["--engine", "openai", "--upstream", "http://h:8000"])
    assert settings.upstream == "http://h:8000"
    assert base_url("http://h:8000") == base_url("http://h:8000/v1/") == "http://h:8000/v1"


def _cli_output(*flags: str) -> str:
    """What ``python -m inference_worker`` prints until its engine is ready."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKER_", "UPSTREAM_"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "inference_worker", "--port", str(port), *flags],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=15)
    return output


def test_the_start_up_line_names_the_upstreams_model(upstream: tuple[FakeUpstream, str]) -> None:
    _, url = upstream
    named = _cli_output("--engine", "openai", "--upstream", url, "--upstream-model", "qwen-7b")
    first = named.splitlines()[0]
    assert first.startswith("inference worker: engine=openai model=qwen-7b ")
    assert f"upstream={base_url(url)}" in first
    # Unnamed, the model is the upstream's first, learned once it answers; never --model's.
    asked = _cli_output("--engine", "openai", "--upstream", url, "--model", "local/unused")
    first = asked.splitlines()[0]
    assert f"model=the first one {base_url(url)}/models lists" in first
    assert "local/unused" not in asked and "Qwen" not in asked
    assert "engine.ready model=served-model" in asked
