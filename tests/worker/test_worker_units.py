"""Prompts, schema, parsing, settings, CLI, and the vLLM arguments, without a model."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from inference_worker.__main__ import parse_args
from inference_worker.config import WorkerSettings
from inference_worker.contract import Exercise, GenerateRequest
from inference_worker.engines import vllm_engine
from inference_worker.prompts import (
    UnusableOutput,
    parse_exercises,
    render_prompt,
    response_schema,
    user_prompt,
)
from tests.worker.conftest import API_KEY, free_port

ROOT = Path(__file__).resolve().parents[2]
REQUEST = GenerateRequest(
    cefr_level="B1",
    grammar_focus="congiuntivo",
    topic="viaggi",
    quantity=3,
    exercise_types=["fill_in_blank", "multiple_choice"],
)


def _walk(node: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += _walk(value)
    elif isinstance(node, list):
        for value in node:
            found += _walk(value)
    return found


def test_schema_fixes_the_count_and_types_and_avoids_max_length() -> None:
    schema = response_schema(REQUEST, max_chars=100)
    exercises = schema["properties"]["exercises"]
    assert exercises["minItems"] == exercises["maxItems"] == 3
    variants = exercises["items"]["anyOf"]
    assert variants[0]["properties"]["type"]["enum"] == ["fill_in_blank"]
    assert variants[1]["properties"]["type"]["const"] == "multiple_choice"
    options = variants[1]["properties"]["options"]
    assert options["minItems"] == options["maxItems"] == 4
    nodes = _walk(schema)
    assert not any("maxLength" in n or "minLength" in n for n in nodes)
    assert any(n.get("pattern", "").endswith("{0,99}$") for n in nodes)
    required = {name for name, f in Exercise.model_fields.items() if f.is_required()}
    assert required <= set(variants[0]["required"])


def test_schema_for_one_type_has_no_any_of() -> None:
    schema = response_schema(REQUEST.model_copy(update={"exercise_types": ["translation"]}))
    assert schema["properties"]["exercises"]["items"]["properties"]["type"]["enum"] == [
        "translation"
    ]


def test_prompt_names_level_focus_topic_types_and_quantity() -> None:
    text = user_prompt(REQUEST)
    for part in ("B1", "congiuntivo", "viaggi", "fill_in_blank", "multiple_choice", "Crea 3"):
        assert part in text


def test_base_model_gets_a_plain_prompt() -> None:
    class BaseTokenizer:
        chat_template = None

    assert render_prompt(BaseTokenizer(), REQUEST).endswith("JSON:\n")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"exercises": [', "not complete JSON"),
        ('{"items": []}', "no exercises list"),
        ('{"exercises": []}', "expected 3 exercises"),
        (
            json.dumps(
                {
                    "exercises": [
                        {
                            "type": "multiple_choice",
                            "question": "q ___",
                            "correct_answer": "x",
                            "options": ["a", "b", "c", "d"],
                            "explanation": "e",
                        }
                    ]
                    * 3
                }
            ),
            "one of the options",
        ),
    ],
)
def test_unusable_output_says_why(text: str, reason: str) -> None:
    with pytest.raises(UnusableOutput, match=reason):
        parse_exercises(text, REQUEST)


def test_vllm_engine_arguments_for_a_t4() -> None:
    settings = parse_args(
        [
            "--engine",
            "vllm",
            "--model",
            "Qwen/Qwen2.5-7B-Instruct-AWQ",
            "--dtype",
            "half",
            "--max-model-len",
            "4096",
            "--gpu-memory-utilization",
            "0.85",
            "--quantization",
            "awq",
            "--enable-prefix-caching",
            "--download-dir",
            "/content/drive/MyDrive/hf",
        ]
    )
    kwargs = vllm_engine.engine_kwargs(settings)
    assert kwargs == {
        "model": "Qwen/Qwen2.5-7B-Instruct-AWQ",
        "dtype": "half",
        "gpu_memory_utilization": 0.85,
        "enable_prefix_caching": True,
        "max_num_seqs": 16,
        "max_model_len": 4096,
        "quantization": "awq",
        "download_dir": "/content/drive/MyDrive/hf",
    }
    # Every key is a documented AsyncEngineArgs field (vLLM 0.12-0.33 EngineArgs dataclass).
    documented = {
        "model",
        "dtype",
        "gpu_memory_utilization",
        "enable_prefix_caching",
        "max_num_seqs",
        "max_model_len",
        "quantization",
        "download_dir",
    }
    assert set(kwargs) <= documented


def test_vllm_sampling_arguments() -> None:
    request = REQUEST.model_copy(update={"max_tokens": 1500, "temperature": 0.3})
    kwargs = vllm_engine.sampling_kwargs(request, response_schema(request), seed=42)
    assert kwargs == {"max_tokens": 1500, "temperature": 0.3, "seed": 42}
    # The module talks to the structured-outputs API, never the removed guided_json one.
    source = inspect.getsource(vllm_engine)
    assert "StructuredOutputsParams(json=schema)" in source
    assert "guided_json" not in source.replace("``guided_json``", "")
    assert "import vllm" not in source.split("def ")[0]  # imported lazily


def test_port_env_is_honoured_and_flags_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "8080")
    monkeypatch.setenv("WORKER_API_KEY", "k")
    assert WorkerSettings().port == 8080
    assert parse_args(["--port", "9000"]).port == 9000
    assert parse_args([]).api_key is not None


def test_cli_starts_a_worker_that_loads_and_answers(tiny_model: Path) -> None:
    port = free_port()
    env = {**os.environ, "WORKER_API_KEY": API_KEY, "WORKER_MAX_FIELD_CHARS": "16"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "inference_worker",
            "--engine",
            "transformers",
            "--model",
            str(tiny_model),
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and status != 200:
            try:
                status = httpx.get(f"{url}/healthz", timeout=2).status_code
            except httpx.HTTPError:
                time.sleep(0.1)
        assert status == 200
        response = httpx.post(
            f"{url}/generate",
            json={"cefr_level": "A1", "quantity": 1, "exercise_types": ["fill_in_blank"]},
            headers={"Authorization": f"Bearer {API_KEY}"},
            timeout=60,
        )
        assert response.status_code == 200
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=15)
    assert API_KEY not in output
    assert "key required" in output
