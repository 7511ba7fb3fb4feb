"""Prompts, schema, parsing, settings, CLI, and the vLLM arguments, without a model."""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inference_worker.__main__ import parse_args
from inference_worker.config import WorkerSettings
from inference_worker.contract import EXERCISE_TYPES, Exercise, ExerciseType, GenerateRequest
from inference_worker.drafts import (
    DISTRACTORS,
    ExerciseCounter,
    UnusableOutput,
    assemble,
    draft_schema,
    parse_drafts,
    slot_schema,
    text_pattern,
    type_plan,
)
from inference_worker.engines import EngineInfo, EngineOutput, GenerationTask, vllm_engine
from inference_worker.metrics import WorkerMetrics
from inference_worker.prompts import (
    CHARS_PER_TOKEN,
    MIN_FIELD_CHARS,
    STRUCTURE_TOKENS_PER_EXERCISE,
    field_limits,
    messages,
    render_prompt,
    user_prompt,
)
from inference_worker.service import ATTEMPTS, GenerationService, Progress, Unusable
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


def test_schema_fixes_each_slot_type_and_avoids_max_length() -> None:
    plan = type_plan(REQUEST.exercise_types, REQUEST.quantity, seed=7)
    schema = draft_schema(plan, field_limits(REQUEST, max_chars=100))
    exercises = schema["properties"]["exercises"]
    assert exercises["minItems"] == exercises["maxItems"] == 3
    # Closed by maxItems alone: no ``"items": false``, which llama.cpp's server refuses.
    assert "items" not in exercises
    slots = exercises["prefixItems"]
    assert [slot["properties"]["type"] for slot in slots] == [{"const": t} for t in plan]
    for slot, kind in zip(slots, plan, strict=True):
        assert "options" not in slot["properties"]
        assert slot["properties"]["question"]["pattern"].endswith("{0,99}$")
        assert slot["properties"]["correct_answer"]["pattern"].endswith("{0,49}$")
        if kind == "multiple_choice":
            distractors = slot["properties"]["distractors"]
            assert distractors["minItems"] == distractors["maxItems"] == DISTRACTORS == 3
            assert distractors["items"]["pattern"].endswith("{0,24}$")
        else:
            assert "distractors" not in slot["properties"]
    nodes = _walk(schema)
    assert not any("maxLength" in n or "minLength" in n for n in nodes)


def test_slot_schema_is_derived_from_the_contract_model() -> None:
    limits = field_limits(REQUEST)
    generated = set(Exercise.model_fields) - {"accepted_answers", "options"}
    for kind in EXERCISE_TYPES:
        slot = slot_schema(kind, limits)
        extra = {"distractors"} if kind == "multiple_choice" else set()
        assert set(slot["properties"]) == generated | extra == set(slot["required"])
        assert slot["additionalProperties"] is False
    required = {name for name, f in Exercise.model_fields.items() if f.is_required()}
    assert required <= generated
    # The answer comes before its distractors, so the model writes them knowing the answer.
    order = list(slot_schema("multiple_choice", limits)["properties"])
    assert order.index("correct_answer") + 1 == order.index("distractors")


@settings(max_examples=200, deadline=None)
@given(
    types=st.lists(st.sampled_from(EXERCISE_TYPES), min_size=1, max_size=3, unique=True),
    quantity=st.integers(1, 20),
    seed=st.integers(0, 2**31),
)
def test_type_plan_gives_every_requested_type_a_fair_share(
    types: list[ExerciseType], quantity: int, seed: int
) -> None:
    plan = type_plan(types, quantity, seed)
    assert len(plan) == quantity and set(plan) <= set(types)
    counts = [plan.count(t) for t in types]
    assert max(counts) - min(counts) <= 1
    if quantity >= len(types):
        assert set(plan) == set(types)
    assert type_plan(types, quantity, seed) == plan


def test_type_plan_order_depends_on_the_seed() -> None:
    plans = {tuple(type_plan(list(EXERCISE_TYPES), 6, seed)) for seed in range(20)}
    assert len(plans) > 5


def _choice(answer: str, distractors: list[str]) -> dict[str, Any]:
    return {
        "type": "multiple_choice",
        "question": "Ieri io ___ al mare.",
        "correct_answer": answer,
        "distractors": distractors,
        "explanation": "Passato prossimo con essere.",
    }


def test_multiple_choice_options_are_assembled_with_a_seeded_shuffle() -> None:
    draft = _choice("sono andato", ["ho andato", "sono andata", "andavo"])
    positions = set()
    for seed in range(12):
        result = assemble(draft, "multiple_choice", seed=seed, slot=0)
        assert result.problem is None and result.exercise is not None
        options = result.exercise.options
        assert options is not None
        assert sorted(options) == sorted(["sono andato", "ho andato", "sono andata", "andavo"])
        assert result.exercise.correct_answer == "sono andato"
        positions.add(options.index("sono andato"))
        again = assemble(draft, "multiple_choice", seed=seed, slot=0).exercise
        assert again is not None and again.options == options
    assert len(positions) >= 3  # the answer is not always in the same place


@pytest.mark.parametrize(
    "distractors",
    [
        ["ho andato", "Ho  Andato", "andavo"],
        ["sono andato", "ho andato", "andavo"],
        ["ho andato", " SONO ANDATO ", "andavo"],
    ],
)
def test_a_repeated_distractor_is_reported_for_its_slot(distractors: list[str]) -> None:
    result = assemble(_choice("sono andato", distractors), "multiple_choice", seed=1, slot=4)
    assert result.exercise is None
    assert result.problem is not None and "differ" in result.problem


def test_a_draft_of_the_wrong_type_is_reported() -> None:
    draft = {"type": "translation", "question": "Ciao", "correct_answer": "Hi", "explanation": "."}
    result = assemble(draft, "fill_in_blank", seed=1, slot=0)
    assert result.exercise is None and "fill_in_blank" in (result.problem or "")
    plain = assemble(draft, "translation", seed=1, slot=0).exercise
    assert plain is not None and plain.options is None


@settings(max_examples=100, deadline=None)
@given(
    texts=st.lists(st.text(max_size=12), min_size=1, max_size=5),
    cuts=st.lists(st.integers(1, 7), min_size=1, max_size=30),
)
def test_exercise_counter_counts_closed_objects_in_any_chunking(
    texts: list[str], cuts: list[int]
) -> None:
    items = [
        _choice(t or "x", [t + "{", '"}' + t, "]" + t]) if i % 2 else {"type": "t", "q": t}
        for i, t in enumerate(texts)
    ]
    text = json.dumps({"exercises": items}, ensure_ascii=False, separators=(",", ":"))
    counter = ExerciseCounter()
    position = 0
    for cut in cuts * 200:
        chunk = text[position : position + cut]
        if not chunk:
            break
        counted = counter.feed(chunk)
        position += len(chunk)
        # What a JSON parser finds complete in the same prefix.
        prefix = text[:position]
        closed = sum(
            1
            for i in range(len(items))
            if prefix.startswith(
                json.dumps(
                    {"exercises": items[: i + 1]}, ensure_ascii=False, separators=(",", ":")
                )[:-2]
            )
        )
        assert counted == closed
    assert counter.feed(text[position:]) == len(items)


def test_field_limits_shrink_so_the_json_fits_max_tokens() -> None:
    roomy = field_limits(REQUEST.model_copy(update={"max_tokens": 16000}), max_chars=240)
    assert roomy == {"question": 240, "correct_answer": 120, "distractors": 60, "explanation": 240}
    tight_request = REQUEST.model_copy(update={"max_tokens": 1200, "quantity": 10})
    tight = field_limits(tight_request, max_chars=240)
    assert all(tight[name] < roomy[name] for name in roomy)
    per_exercise = tight["question"] + tight["correct_answer"] + tight["explanation"]
    per_exercise += DISTRACTORS * tight["distractors"]
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


def test_a_string_opens_with_neither_a_space_nor_a_control_character() -> None:
    """Spelled out, the first character's class is what ``str.strip()`` removes, plus controls:
    the same in every engine, where ``\\s`` is not (and llama.cpp's server refuses it)."""
    pattern = text_pattern(20)
    assert "\\s" not in pattern
    for char in map(chr, range(0x10000)):
        refused = re.fullmatch(pattern, f"{char}ok") is None
        assert refused == (char.isspace() or char < " "), hex(ord(char))


def test_llguidance_enforces_the_slot_schema_token_by_token(tiny_model: Path) -> None:
    from llguidance import LLMatcher
    from llguidance.hf import from_tokenizer
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    limits = {"question": 8, "correct_answer": 8, "distractors": 8, "explanation": 8}
    schema = draft_schema(["translation", "multiple_choice"], limits)
    grammar = LLMatcher.grammar_from_json_schema(schema, overrides={"whitespace_flexible": False})
    matcher = LLMatcher(from_tokenizer(tokenizer, n_vocab=len(tokenizer)), grammar)  # type: ignore[arg-type]

    def accepted(
        question: str, *, first: str = "translation", distractors: int = 3, extra: Any = None
    ) -> bool:
        plain = {"type": first, "question": question, "correct_answer": "Sì.", "explanation": "."}
        choice = _choice("va", ["vado", "vai", "andiamo"][:distractors])
        choice["question"], choice["explanation"] = "Lui ___.", "Così."
        exercises = [plain, choice] if extra is None else [plain, choice, extra]
        text = json.dumps({"exercises": exercises}, ensure_ascii=False, separators=(",", ":"))
        tokens = tokenizer.encode(text, add_special_tokens=False)
        matcher.reset()
        return matcher.validate_tokens(tokens) == len(tokens)

    assert accepted("È già")
    assert accepted('Dì "sì"')
    for bad in (
        "",
        " ciao",
        "\tciao",
        "\u00a0ciao",
        "\u3000ciao",
        "\x1cciao",
        "a\nb",
        "troppo lunga",
    ):
        assert not accepted(bad), bad
    assert not accepted("Ciao", first="fill_in_blank")  # the slot's type is fixed
    assert not accepted("Ciao", distractors=2)  # exactly three distractors
    # Nothing after the plan's last slot, be it another exercise or any other JSON value.
    another = {
        "type": "translation",
        "question": "Ciao",
        "correct_answer": "Sì.",
        "explanation": ".",
    }
    for extra in (another, {}, 1, "x"):
        assert not accepted("Ciao", extra=extra), extra


def test_prompt_names_level_focus_topic_plan_and_quantity() -> None:
    plan = type_plan(REQUEST.exercise_types, REQUEST.quantity, seed=3)
    text = user_prompt(REQUEST, plan, field_limits(REQUEST, max_chars=100))
    for part in ("B1", "congiuntivo", "viaggi", "fill_in_blank", "multiple_choice", "Crea 3"):
        assert part in text
    assert "question 100" in text and "ogni distractor 25" in text
    assert "Ordine: " + ", ".join(f"{i}. {t}" for i, t in enumerate(plan, 1)) in text
    assert "distractors" in text
    only_plain = user_prompt(REQUEST, ["fill_in_blank"])
    assert "Crea 1" in only_plain and "distractors" not in only_plain


def test_base_model_gets_a_plain_prompt() -> None:
    class BaseTokenizer:
        chat_template = None

    chat = messages(REQUEST, ["translation"])
    rendered = render_prompt(BaseTokenizer(), chat)
    assert rendered.endswith("JSON:\n") and chat[1]["content"] in rendered


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"exercises": [', "not complete JSON"),
        ('{"items": []}', "no exercises list"),
        ('{"exercises": []}', "expected 3 exercises"),
    ],
)
def test_unusable_output_says_why(text: str, reason: str) -> None:
    with pytest.raises(UnusableOutput, match=reason):
        parse_drafts(text, ["translation"] * 3)


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
    schema = draft_schema(["translation"], field_limits(request))
    task = GenerationTask(
        request=request,
        schema=schema,
        messages=messages(request, ["translation"]),
        seed=42,
        request_id="abc-1",
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


class ScriptedEngine:
    """An engine whose answers are written by the test: one function per call, given the task."""

    def __init__(self, *answers: Callable[[GenerationTask], str]) -> None:
        self.info = EngineInfo(engine="scripted", model="scripted")
        self.answers = list(answers)
        self.tasks: list[GenerationTask] = []
        self.texts: list[str] = []

    async def generate(self, task: GenerationTask) -> EngineOutput:
        self.tasks.append(task)
        text = self.answers.pop(0)(task)
        self.texts.append(text)
        task.report(len(text), text)
        return EngineOutput(text=text, generated_tokens=len(text), finish_reason="stop")

    async def start(self) -> None:
        """Nothing to load."""

    def gpu_memory_used_mb(self) -> float | None:
        return None

    def queue_depth(self) -> tuple[int, int]:
        return 0, 0

    async def close(self) -> None:
        """Nothing to free."""


def _drafts(task: GenerationTask, *, label: str, repeat_in_slot: int | None = None) -> str:
    items = []
    for slot, spec in enumerate(task.schema["properties"]["exercises"]["prefixItems"]):
        kind = spec["properties"]["type"]["const"]
        if kind == "multiple_choice":
            wrong = ["vai", "va" if slot == repeat_in_slot else "vado", "andiamo"]
            item = _choice("va", wrong)
        else:
            item = {"type": kind, "question": "Io ___ qui.", "correct_answer": "sono"}
            item["explanation"] = "Presente di essere."
        item["question"] = f"{label} {slot}: {item['question']}"
        items.append(item)
    return json.dumps({"exercises": items})


def _service(engine: ScriptedEngine) -> GenerationService:
    settings = WorkerSettings(model="scripted")
    return GenerationService(engine=engine, settings=settings, metrics=WorkerMetrics())


async def test_only_the_slot_with_a_repeated_distractor_is_generated_again() -> None:
    request = REQUEST.model_copy(
        update={"quantity": 4, "exercise_types": ["multiple_choice", "translation"], "seed": 5}
    )
    plan = type_plan(request.exercise_types, 4, seed=5)
    bad = plan.index("multiple_choice")
    engine = ScriptedEngine(
        lambda task: _drafts(task, label="first", repeat_in_slot=bad),
        lambda task: _drafts(task, label="again"),
    )
    progress = Progress(request.quantity)
    response = await _service(engine).generate(request, progress=progress)
    assert [e.type for e in response.exercises] == plan
    second = engine.tasks[1].schema["properties"]["exercises"]
    assert second["minItems"] == 1
    assert second["prefixItems"][0]["properties"]["type"] == {"const": "multiple_choice"}
    assert "Crea 1 " in engine.tasks[1].messages[1]["content"]
    for slot, exercise in enumerate(response.exercises):
        assert exercise.question.startswith("again 0" if slot == bad else f"first {slot}")
    options = response.exercises[bad].options
    assert options is not None and response.exercises[bad].correct_answer in options
    assert response.generated_tokens == sum(len(text) for text in engine.texts)
    assert progress.exercises_complete == 4


async def test_a_slot_that_stays_wrong_fails_the_request_with_its_reason() -> None:
    request = REQUEST.model_copy(
        update={"quantity": 2, "exercise_types": ["multiple_choice"], "temperature": 0.0}
    )
    engine = ScriptedEngine(*[lambda task: _drafts(task, label="x", repeat_in_slot=0)] * 3)
    with pytest.raises(Unusable, match="exercise 1: distractors must differ"):
        await _service(engine).generate(request)
    assert len(engine.tasks) == ATTEMPTS == 3
    assert [t.schema["properties"]["exercises"]["minItems"] for t in engine.tasks] == [2, 1, 1]
    # Greedy decoding would repeat the mistake: redo attempts sample.
    assert [t.request.temperature for t in engine.tasks] == [0.0, 0.5, 0.5]


class _Completion:
    def __init__(self, text: str, tokens: int, finish: str | None) -> None:
        self.text, self.token_ids, self.finish_reason = text, list(range(tokens)), finish


class _RequestOutput:
    def __init__(self, text: str, tokens: int, finish: str | None = None) -> None:
        self.outputs = [_Completion(text, tokens, finish)]


class _AsyncLLMStandIn:
    """What the engine uses of vLLM's AsyncLLM: ``generate`` yields cumulative outputs.

    vllm does not install without a GPU; this stands in for its generator so the engine's own
    logic (prompt, progress, the final output, cancellation) runs here.
    """

    def __init__(self, pieces: list[str], *, hang: bool = False) -> None:
        self.pieces, self.hang = pieces, hang
        self.prompts: list[str] = []
        self.aborted = asyncio.Event()

    async def generate(self, prompt: str, params: Any, request_id: str) -> Any:
        self.prompts.append(prompt)
        text = ""
        try:
            for index, piece in enumerate(self.pieces):
                text += piece
                last = index == len(self.pieces) - 1
                yield _RequestOutput(text, 2 * (index + 1), "stop" if last else None)
                if self.hang:
                    await asyncio.sleep(60)
        except asyncio.CancelledError:  # vLLM aborts the request here
            self.aborted.set()
            raise


async def test_vllm_engine_reports_progress_and_returns_the_final_text() -> None:
    engine = vllm_engine.VLLMEngine(parse_args(["--engine", "vllm", "--model", "m"]))
    stand_in = _AsyncLLMStandIn(['{"exercises":[', '{"a":1}', ",{}]}"])
    engine._engine = stand_in
    engine.sampling_params = vllm_engine.sampling_kwargs  # type: ignore[method-assign]

    class Template:
        chat_template = None

    engine._tokenizer = Template()
    seen: list[tuple[int, str]] = []
    task = GenerationTask(
        request=REQUEST,
        schema={},
        messages=messages(REQUEST, ["translation"]),
        seed=1,
        request_id="v1",
        on_progress=lambda tokens, text: seen.append((tokens, text)),
    )
    output = await engine.generate(task)
    assert output == EngineOutput(
        text='{"exercises":[{"a":1},{}]}', generated_tokens=6, finish_reason="stop"
    )
    assert seen == [(2, '{"exercises":['), (4, '{"a":1}'), (6, ",{}]}")]
    assert stand_in.prompts == [render_prompt(Template(), task.messages)]
    # Cancelling the call cancels vLLM's generator, which aborts the request inside vLLM.
    engine._engine = hanging = _AsyncLLMStandIn(["{", "}"], hang=True)
    call = asyncio.create_task(engine.generate(task))
    await asyncio.sleep(0.05)
    assert engine.queue_depth() == (1, 0)
    call.cancel()
    await asyncio.gather(call, return_exceptions=True)
    assert hanging.aborted.is_set() and engine.queue_depth() == (0, 0)
