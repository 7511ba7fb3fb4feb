"""Prompts, schema, parsing, settings, CLI, and the vLLM arguments, without a model."""

from __future__ import annotations

import dataclasses
import inspect
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inference_worker.__main__ import parse_args
from inference_worker.config import WorkerSettings
from inference_worker.contract import Exercise, GenerateRequest, exercises_json_schema, text_pattern
from inference_worker.engines import GenerationTask, vllm_engine
from inference_worker.prompts import (
    CHARS_PER_TOKEN,
    MIN_FIELD_CHARS,
    STRUCTURE_TOKENS_PER_EXERCISE,
    UnusableOutput,
    field_limits,
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
    assert variants[1]["properties"]["type"]["enum"] == ["multiple_choice"]
    options = variants[1]["properties"]["options"]
    assert options["minItems"] == options["maxItems"] == 4
    assert variants[0]["properties"]["options"] == {"type": "null"}
    nodes = _walk(schema)
    assert not any("maxLength" in n or "minLength" in n for n in nodes)
    assert variants[0]["properties"]["question"]["pattern"].endswith("{0,99}$")
    assert variants[0]["properties"]["correct_answer"]["pattern"].endswith("{0,49}$")


def test_schema_is_derived_from_the_contract_model() -> None:
    schema = response_schema(REQUEST)
    generated = set(Exercise.model_fields) - {"accepted_answers"}
    for variant in schema["properties"]["exercises"]["items"]["anyOf"]:
        assert set(variant["properties"]) == generated == set(variant["required"])
        assert variant["additionalProperties"] is False
    required = {name for name, f in Exercise.model_fields.items() if f.is_required()}
    assert required <= generated


def test_schema_for_one_type_has_no_any_of() -> None:
    schema = response_schema(REQUEST.model_copy(update={"exercise_types": ["translation"]}))
    assert schema["properties"]["exercises"]["items"]["properties"]["type"]["enum"] == [
        "translation"
    ]


def test_field_limits_shrink_so_the_json_fits_max_tokens() -> None:
    roomy = field_limits(REQUEST.model_copy(update={"max_tokens": 16000}), max_chars=240)
    assert roomy == {"question": 240, "correct_answer": 120, "options": 60, "explanation": 240}
    tight_request = REQUEST.model_copy(update={"max_tokens": 1200, "quantity": 10})
    tight = field_limits(tight_request, max_chars=240)
    assert all(tight[name] < roomy[name] for name in roomy)
    per_exercise = tight["question"] + tight["correct_answer"] + tight["explanation"]
    per_exercise += 4 * tight["options"]
    text_tokens = 1200 - 10 * STRUCTURE_TOKENS_PER_EXERCISE
    assert 10 * per_exercise <= text_tokens * CHARS_PER_TOKEN
    floor = field_limits(tight_request.model_copy(update={"max_tokens": 64}), max_chars=240)
    assert set(floor.values()) == {MIN_FIELD_CHARS}


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=30))
def test_a_string_the_schema_allows_is_one_the_contract_accepts(text: str) -> None:
    if re.fullmatch(text_pattern(20)[1:-1], text) is None:
        return
    assert len(text) <= 20
    exercise = Exercise(type="translation", question=text, correct_answer=text, explanation=text)
    assert exercise.question == text.strip()


def test_llguidance_enforces_the_pattern_token_by_token(tiny_model: Path) -> None:
    from llguidance import LLMatcher
    from llguidance.hf import from_tokenizer
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    request = REQUEST.model_copy(update={"quantity": 1, "exercise_types": ["translation"]})
    schema = exercises_json_schema(
        request, field_chars={"question": 8, "correct_answer": 8, "options": 8, "explanation": 8}
    )
    grammar = LLMatcher.grammar_from_json_schema(schema, overrides={"whitespace_flexible": False})
    matcher = LLMatcher(from_tokenizer(tokenizer, n_vocab=len(tokenizer)), grammar)

    def accepted(question: str) -> bool:
        item = {
            "type": "translation",
            "question": question,
            "correct_answer": "Sì.",
            "options": None,
            "explanation": "Così.",
        }
        text = json.dumps({"exercises": [item]}, ensure_ascii=False, separators=(",", ":"))
        tokens = tokenizer.encode(text, add_special_tokens=False)
        matcher.reset()
        return matcher.validate_tokens(tokens) == len(tokens)

    assert accepted("È già")
    assert accepted('Dì "sì"')
    for bad in ("", " ciao", "\tciao", "a\nb", "troppo lunga"):
        assert not accepted(bad), bad


def test_prompt_names_level_focus_topic_types_and_quantity() -> None:
    text = user_prompt(REQUEST, field_limits(REQUEST, max_chars=100))
    for part in ("B1", "congiuntivo", "viaggi", "fill_in_blank", "multiple_choice", "Crea 3"):
        assert part in text
    assert "question 100" in text and "ogni opzione 25" in text


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


# Fields read in the source of vLLM 0.12.0 and 0.33.0, the ends of the range the ``vllm`` extra
# pins (vllm/engine/arg_utils.py: the EngineArgs dataclass that AsyncEngineArgs extends;
# vllm/sampling_params.py: SamplingParams and StructuredOutputsParams;
# vllm/config/structured_outputs.py: StructuredOutputsConfig.backend). Only what we use.
VLLM_ENGINE_ARGS = {
    "model",
    "dtype",
    "gpu_memory_utilization",
    "enable_prefix_caching",
    "max_num_seqs",
    "max_model_len",
    "quantization",
    "download_dir",
    "structured_outputs_config",
}
VLLM_DTYPES = {"auto", "half", "float16", "bfloat16", "float", "float32"}
VLLM_SAMPLING_PARAMS = {"max_tokens", "temperature", "seed", "structured_outputs"}
VLLM_STRUCTURED_OUTPUTS_PARAMS = {"json", "disable_any_whitespace"}
VLLM_BACKENDS = {"auto", "xgrammar", "guidance", "outlines", "lm-format-enforcer"}

T4_FLAGS = [
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


def test_vllm_engine_arguments_for_a_t4() -> None:
    kwargs = vllm_engine.engine_kwargs(parse_args(T4_FLAGS))
    assert kwargs == {
        "model": "Qwen/Qwen2.5-7B-Instruct-AWQ",
        "dtype": "half",
        "gpu_memory_utilization": 0.85,
        "enable_prefix_caching": True,
        "max_model_len": 4096,
        "quantization": "awq",
        "download_dir": "/content/drive/MyDrive/hf",
        "structured_outputs_config": {"backend": "guidance"},
    }
    assert set(kwargs) <= VLLM_ENGINE_ARGS
    assert kwargs["dtype"] in VLLM_DTYPES
    assert kwargs["structured_outputs_config"]["backend"] in VLLM_BACKENDS


def test_vllm_keeps_its_own_defaults_when_flags_are_unset() -> None:
    kwargs = vllm_engine.engine_kwargs(parse_args(["--engine", "vllm", "--model", "m"]))
    # vLLM turns prefix caching on by default and sizes batches itself: we must not override.
    assert set(kwargs) == {"model", "dtype", "gpu_memory_utilization", "structured_outputs_config"}
    off = parse_args(["--engine", "vllm", "--no-enable-prefix-caching", "--max-num-seqs", "32"])
    assert vllm_engine.engine_kwargs(off)["enable_prefix_caching"] is False
    assert vllm_engine.engine_kwargs(off)["max_num_seqs"] == 32


def test_vllm_sampling_arguments() -> None:
    request = REQUEST.model_copy(update={"max_tokens": 1500, "temperature": 0.3})
    schema = response_schema(request)
    task = GenerationTask(
        request=request, schema=schema, field_chars={}, seed=42, request_id="abc-1"
    )
    kwargs = vllm_engine.sampling_kwargs(task)
    assert kwargs == {
        "max_tokens": 1500,
        "temperature": 0.3,
        "seed": 42,
        "structured_outputs": {"json": schema, "disable_any_whitespace": True},
    }
    assert set(kwargs) <= VLLM_SAMPLING_PARAMS
    assert set(kwargs["structured_outputs"]) <= VLLM_STRUCTURED_OUTPUTS_PARAMS
    # The module talks to the structured-outputs API, never the removed guided_json one.
    source = inspect.getsource(vllm_engine)
    assert "StructuredOutputsParams(**" in source
    assert "GuidedDecodingParams(" not in source and "guided_json=" not in source
    assert "import vllm" not in source.split("def ")[0]  # imported lazily


def test_vllm_arguments_against_the_real_classes_when_installed() -> None:
    """Runs where vllm is installed (a GPU host); elsewhere the field lists above stand in."""
    pytest.importorskip("vllm")
    from vllm import SamplingParams
    from vllm.config import StructuredOutputsConfig
    from vllm.engine.arg_utils import AsyncEngineArgs
    from vllm.sampling_params import StructuredOutputsParams

    assert VLLM_ENGINE_ARGS <= {f.name for f in dataclasses.fields(AsyncEngineArgs)}
    assert VLLM_STRUCTURED_OUTPUTS_PARAMS <= {
        f.name for f in dataclasses.fields(StructuredOutputsParams)
    }
    assert VLLM_SAMPLING_PARAMS <= set(SamplingParams.__struct_fields__)
    StructuredOutputsConfig(
        **vllm_engine.engine_kwargs(parse_args(T4_FLAGS))["structured_outputs_config"]
    )


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


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "worker.example.org"])
def test_worker_refuses_to_listen_beyond_loopback_without_a_key(
    host: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("WORKER_API_KEY", raising=False)
    with pytest.raises(SystemExit) as exited:
        parse_args(["--host", host])
    assert exited.value.code == 2
    message = capsys.readouterr().err
    assert "WORKER_API_KEY" in message and host in message
    monkeypatch.setenv("WORKER_API_KEY", "s3cret-key")
    assert parse_args(["--host", host]).host == host
    assert "s3cret-key" not in capsys.readouterr().err


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_worker_on_loopback_may_run_without_a_key(
    host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WORKER_API_KEY", raising=False)
    assert parse_args(["--host", host]).api_key is None
