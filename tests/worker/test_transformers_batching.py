"""Continuous batching in the transformers engine on the tiny model: joining mid-batch changes
nothing in what a request generates, and a latecomer does not wait for the batch to end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from inference_worker.contract import GenerateRequest
from inference_worker.drafts import draft_schema, type_plan
from inference_worker.engines import EngineOutput, GenerationTask
from inference_worker.engines.transformers_engine import TransformersEngine
from inference_worker.prompts import field_limits, messages


def _task(seed: int, quantity: int, log: list[tuple[int, int]] | None = None) -> GenerationTask:
    request = GenerateRequest(
        cefr_level="A2",
        quantity=quantity,
        exercise_types=["translation", "multiple_choice"],
        max_tokens=150 * quantity,
        temperature=0.8,
        seed=seed,
    )
    limits = field_limits(request, max_chars=16)
    plan = type_plan(request.exercise_types, quantity, seed)
    return GenerationTask(
        request=request,
        schema=draft_schema(plan, limits),
        messages=messages(request, plan, limits),
        seed=seed,
        request_id=f"r{seed}",
        on_progress=None if log is None else lambda tokens, _text: log.append((seed, tokens)),
    )


@pytest.fixture
async def engines(tiny_model: Path) -> AsyncIterator[dict[bool, TransformersEngine]]:
    built = {
        mode: TransformersEngine(model=str(tiny_model), threads=1, continuous_batching=mode)
        for mode in (True, False)
    }
    for engine in built.values():  # one at a time: transformers' loading is not thread-safe
        await engine.start()
    yield built
    await asyncio.gather(*(engine.close() for engine in built.values()))


async def _with_latecomer(
    engine: TransformersEngine, log: list[tuple[int, int]]
) -> tuple[EngineOutput, EngineOutput]:
    """Request 1 (long) starts; request 2 is sent once request 1 has produced 10 tokens."""
    first = asyncio.create_task(engine.generate(_task(1, 3, log)))
    while not any(seed == 1 and tokens >= 10 for seed, tokens in log):
        await asyncio.sleep(0.005)
    second = await engine.generate(_task(2, 1, log))
    return await first, second


async def test_a_request_that_joins_a_running_batch_generates_what_it_would_alone(
    engines: dict[bool, TransformersEngine],
) -> None:
    engine = engines[True]
    alone = [await engine.generate(_task(seed, q)) for seed, q in ((1, 3), (2, 1))]
    log: list[tuple[int, int]] = []
    together = await _with_latecomer(engine, log)
    assert [o.text for o in together] == [o.text for o in alone]
    assert [o.generated_tokens for o in together] == [o.generated_tokens for o in alone]
    # The latecomer was decoded while request 1 was still running, not after it.
    first_of_second = log.index(next(entry for entry in log if entry[0] == 2))
    assert any(seed == 1 for seed, _ in log[first_of_second:])
    assert engine.queue_depth() == (0, 0)


async def test_one_batch_at_a_time_makes_the_latecomer_wait(
    engines: dict[bool, TransformersEngine],
) -> None:
    log: list[tuple[int, int]] = []
    first, second = await _with_latecomer(engines[False], log)
    first_of_second = log.index(next(entry for entry in log if entry[0] == 2))
    assert all(seed == 2 for seed, _ in log[first_of_second:])
    assert log[first_of_second - 1] == (1, first.generated_tokens)
    # Same seeds, same tokens, whichever mode served them.
    continuous = await _with_latecomer(engines[True], [])
    assert [first.text, second.text] == [o.text for o in continuous]


async def test_a_cancelled_request_leaves_the_batch_and_the_others_finish(
    engines: dict[bool, TransformersEngine],
) -> None:
    engine = engines[True]
    log: list[tuple[int, int]] = []
    doomed = asyncio.create_task(engine.generate(_task(3, 8, log)))
    survivor = asyncio.create_task(engine.generate(_task(4, 2, log)))
    while {seed for seed, _ in log} != {3, 4}:  # both are decoding
        await asyncio.sleep(0.005)
    assert engine.queue_depth()[0] == 2
    doomed.cancel()
    await asyncio.gather(doomed, return_exceptions=True)
    result = await survivor
    assert result.finish_reason == "stop" and result.text.endswith("]}")
    tokens_at_cancel = max(tokens for seed, tokens in log if seed == 3)
    await asyncio.sleep(0.1)
    # No token was generated for it after it left (at most the step already under way).
    assert max(tokens for seed, tokens in log if seed == 3) <= tokens_at_cancel + 1
    assert max(tokens for seed, tokens in log if seed == 3) < 8 * 150
    assert engine.queue_depth() == (0, 0)
