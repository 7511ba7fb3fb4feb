"""The openai engine against a real OpenAI-compatible server: llama.cpp's own server on the tiny
model, on the CPU, started here for this module and stopped after it.

The tiny model's output is random; only the grammar llama.cpp builds from ``response_format``
makes it JSON of the schema's shape, so exercises coming back valid show that the worker's
schema reaches the server and that the server honours it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from inference_worker.__main__ import build_engine
from inference_worker.config import WorkerSettings
from inference_worker.contract import GenerateRequest, GenerateResponse, check_exercises
from inference_worker.drafts import draft_schema, parse_drafts
from inference_worker.engines import GenerationTask
from inference_worker.engines.openai_engine import completion_body
from inference_worker.prompts import field_limits, messages
from tests.tiny_gguf import SERVED_NAME, build_tiny_gguf
from tests.worker.conftest import API_KEY, ServedWorker, free_port, wait_ready

pytest.importorskip("gguf", reason="the gguf package (dev extra) writes the tiny model's GGUF")
pytest.importorskip("xllamacpp", reason="xllamacpp (dev extra) ships llama.cpp's server")

ROOT = Path(__file__).resolve().parents[2]
AUTH = {"Authorization": f"Bearer {API_KEY}"}
REQUEST: dict[str, Any] = {
    "cefr_level": "A2",
    "quantity": 3,
    "exercise_types": ["multiple_choice", "fill_in_blank", "translation"],
    "max_tokens": 900,
    "seed": 2,
}


@contextmanager
def _llama_server(gguf_path: Path, log_path: Path, *template: str) -> Iterator[str]:
    """llama.cpp's server on ``gguf_path`` in a child process, killed on the way out."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.tiny_gguf", str(gguf_path), str(port), *template],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                if process.poll() is not None:
                    pytest.fail(f"llama.cpp's server exited: {log_path.read_text()[-2000:]}")
                if time.monotonic() > deadline:
                    pytest.fail(f"llama.cpp's server not ready in 30 s, see {log_path}")
                try:  # 503 while the model loads
                    if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            yield url
        finally:
            process.kill()
            process.wait(10)


@pytest.fixture(scope="module")
def llama_server(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The server formatting the chat itself (chatml), so the grammar's text comes back as is."""
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    with _llama_server(build_tiny_gguf(tiny_model), log_path, "chatml") as url:
        yield url


@pytest.fixture(scope="module")
def llama_server_jinja(
    tiny_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """The server as ``llama-server`` runs by default: the model's own template through Jinja;
    its URL and its log."""
    log_path = tmp_path_factory.mktemp("llama-server-jinja") / "server.log"
    with _llama_server(build_tiny_gguf(tiny_model), log_path) as url:
        yield url, log_path


def _task(request: GenerateRequest, seed: int) -> GenerationTask:
    """The first attempt's task, as the worker's service builds it."""
    plan = list(request.exercise_types)
    limits = field_limits(request, max_chars=16)
    return GenerationTask(
        request=request,
        schema=draft_schema(plan, limits),
        messages=messages(request, plan, limits),
        seed=seed,
        request_id="probe",
    )


@pytest.fixture
def worker(llama_server: str, serve: Callable[..., ServedWorker]) -> str:
    """A worker whose openai engine has llama.cpp's server upstream, on a real port."""
    values: dict[str, Any] = {"upstream": llama_server, "upstream_timeout": 30}
    settings = WorkerSettings(engine="openai", model="unused", **values)
    served = serve(engine=build_engine(settings), **values)
    wait_ready(served.url)
    return served.url


def test_the_gguf_is_the_tiny_model(llama_server: str, tiny_model: Path) -> None:
    """llama.cpp reads the GGUF as transformers reads the model: same tokens, same next-token
    probabilities (which depend on position, so the rotary layout is right too)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    text = 'Perché non sei venuta? {"type": "translation"} Il treno parte alle nove.'
    ids = tokenizer(text)["input_ids"]
    served = httpx.post(f"{llama_server}/tokenize", json={"content": text}).json()["tokens"]
    assert served == ids
    with torch.no_grad():
        expected = model(torch.tensor([ids])).logits[0, -1].log_softmax(-1).topk(4)
    body = {"prompt": ids, "n_predict": 1, "n_probs": 4, "temperature": 0}
    served_top = httpx.post(f"{llama_server}/completion", json=body, timeout=30).json()
    top = served_top["completion_probabilities"][0]["top_logprobs"]
    assert [entry["id"] for entry in top] == expected.indices.tolist()
    assert [entry["logprob"] for entry in top] == pytest.approx(expected.values.tolist(), abs=5e-4)


def test_the_server_honours_the_workers_schema(llama_server: str) -> None:
    """The body the engine sends comes back as JSON of the schema's shape, whatever the model."""
    request = GenerateRequest.model_validate(REQUEST)
    plan = list(request.exercise_types)
    for seed in (7, 8):
        body = completion_body(_task(request, seed), SERVED_NAME) | {"stream": False}
        del body["stream_options"]
        response = httpx.post(f"{llama_server}/v1/chat/completions", json=body, timeout=60)
        assert response.status_code == 200, response.text
        choice = response.json()["choices"][0]
        assert choice["finish_reason"] == "stop"
        text = choice["message"]["content"]
        assert [item["type"] for item in json.loads(text)["exercises"]] == plan
        assert len(parse_drafts(text, plan)) == len(plan)


def test_the_servers_default_mode_takes_the_workers_schema(
    llama_server_jinja: tuple[str, Path],
) -> None:
    """With Jinja the server builds its output parser from the schema too, and refuses schemas
    it cannot read (400, "schema must be an object" for ``"items": false``) or drops the parts
    it cannot (a ``pattern`` with ``\\s``: "not supported ... accepting any string")."""
    url, log_path = llama_server_jinja
    request = GenerateRequest.model_validate(REQUEST)
    task = _task(request, 7)
    # A few tokens: the random model's longer text trips that parser (see tests.tiny_gguf).
    body = completion_body(task, SERVED_NAME) | {"stream": False, "max_tokens": 4}
    del body["stream_options"]
    # The worker's own schema, as every engine reads it; nothing is rewritten for this server.
    assert body["response_format"]["json_schema"]["schema"] == task.schema
    response = httpx.post(f"{url}/v1/chat/completions", json=body, timeout=60)
    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["finish_reason"] == "length"
    log = log_path.read_text(errors="replace")
    assert "print_timing" in log  # the request is in the log, so its warnings would be
    assert "not supported" not in log, log[-2000:]


def test_exercises_come_from_llama_cpp_through_the_worker(worker: str) -> None:
    """``/generate`` end to end, plain and streamed; health names the upstream's model."""
    health = httpx.get(f"{worker}/health").json()
    assert health["engine"] == "openai" and health["model"] == SERVED_NAME
    response = httpx.post(f"{worker}/generate", json=REQUEST, headers=AUTH, timeout=60)
    assert response.status_code == 200, response.text
    result = GenerateResponse.model_validate(response.json())
    check_exercises(GenerateRequest.model_validate(REQUEST), result.exercises)
    # Three types, three exercises: the plan gives each type one position.
    assert sorted(exercise.type for exercise in result.exercises) == sorted(
        REQUEST["exercise_types"]
    )
    assert result.model == SERVED_NAME and result.generated_tokens > 0
    with httpx.stream(
        "POST", f"{worker}/generate", json=REQUEST | {"stream": True}, headers=AUTH, timeout=60
    ) as streamed:
        events = [json.loads(line) for line in streamed.iter_lines()]
    assert events[0] == {"event": "start", "model": SERVED_NAME}
    assert events[-1]["event"] == "done", events[-1]
    assert len(events[-1]["response"]["exercises"]) == 3
