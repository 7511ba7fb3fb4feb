"""The offline generator's process starts with the API and loads its tables before any homework
needs it."""

from __future__ import annotations

import asyncio

from api.generation.generator import WARM_UP, HomeworkGenerator
from inference_worker.contract import check_exercises


async def test_start_warms_the_offline_process_before_the_first_homework() -> None:
    generator = HomeworkGenerator(
        client=None, deadline_seconds=5, max_tokens=256, temperature=0, offline_processes=1
    )
    try:
        warming = generator.start()
        assert warming is not None
        pool = generator._processes
        assert pool is not None
        workers = list(pool._processes.values())  # type: ignore[attr-defined]
        assert workers and all(worker.is_alive() for worker in workers)
        # The warm-up ran in that process: real exercises for its request.
        exercises = await asyncio.wrap_future(warming)
        check_exercises(WARM_UP, exercises)
        assert len(exercises) == WARM_UP.quantity
    finally:
        await generator.aclose()


def test_in_a_thread_there_is_nothing_to_start() -> None:
    generator = HomeworkGenerator(client=None, deadline_seconds=5, max_tokens=256, temperature=0)
    assert generator.start() is None
    assert generator._processes is None


async def test_homework_that_falls_back_while_the_process_starts_is_made_here_meanwhile() -> None:
    starting = HomeworkGenerator(
        client=None, deadline_seconds=5, max_tokens=256, temperature=0, offline_processes=1
    )
    in_thread = HomeworkGenerator(client=None, deadline_seconds=5, max_tokens=256, temperature=0)
    try:
        warming = starting.start()
        assert warming is not None and not warming.done()  # a process takes a while to start
        outcomes = await asyncio.gather(*(starting.generate(WARM_UP, seed=s) for s in range(3)))
        expected = [await in_thread.generate(WARM_UP, seed=s) for s in range(3)]
        assert [o.exercises for o in outcomes] == [o.exercises for o in expected]
        await asyncio.wrap_future(warming)
        # Once it has started, the process takes the work.
        later = await starting.generate(WARM_UP, seed=7)
        assert later.exercises == (await in_thread.generate(WARM_UP, seed=7)).exercises
    finally:
        await starting.aclose()
