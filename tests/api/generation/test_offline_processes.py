"""The offline generator in its own process: the same exercises as in a thread for the same seed
(pupils' homework does not depend on where it was generated), and the process stops with the API."""

from __future__ import annotations

import asyncio

from api.generation.generator import HomeworkGenerator
from inference_worker.contract import GenerateRequest

REQUEST = GenerateRequest(
    cefr_level="B1",
    grammar_focus="congiuntivo imperfetto",
    topic="viaggi",
    quantity=6,
    exercise_types=["fill_in_blank", "multiple_choice", "translation"],
)


async def test_a_process_of_its_own_gives_the_same_homework_as_a_thread() -> None:
    in_thread = HomeworkGenerator(client=None, deadline_seconds=5, max_tokens=256, temperature=0)
    in_process = HomeworkGenerator(
        client=None, deadline_seconds=5, max_tokens=256, temperature=0, offline_processes=1
    )
    try:
        seeds = range(4)
        here = [await in_thread.generate(REQUEST, seed=seed) for seed in seeds]
        there = await asyncio.gather(*(in_process.generate(REQUEST, seed=seed) for seed in seeds))
        assert [o.exercises for o in there] == [o.exercises for o in here]
        assert all(o.source == "fallback" and o.practised_focus for o in there)
        pool = in_process._processes
        assert pool is not None
        workers = list(pool._processes.values())  # type: ignore[attr-defined]
        assert workers and all(worker.is_alive() for worker in workers)
    finally:
        await in_process.aclose()
    for worker in workers:
        worker.join(timeout=10)
    assert not any(worker.is_alive() for worker in workers)
