"""One homework's exercises: from the GPU worker when it answers well, else from the offline generator."""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from api.core.logging import log_event
from api.generation.client import ProgressCallback, WorkerResult, WorkerUnavailable
from api.generation.offline import generate_exercises, practised, resolve
from api.homework.models import ExerciseSource
from inference_worker.contract import Exercise, GenerateRequest, check_exercises

logger = logging.getLogger("api.generation.generator")

OFFLINE_MODEL_NAME = "offline-grammar-bank"
#: Recorded when a worker (in the original shape) does not name its model.
UNNAMED_MODEL = "unnamed model"
#: What the offline generator's processes make once at start-up, to load what they need.
WARM_UP = GenerateRequest(
    cefr_level="A2",
    grammar_focus="passato prossimo",
    topic="general",
    quantity=3,
    exercise_types=["fill_in_blank", "multiple_choice", "translation"],
)


class Workers(Protocol):
    """One worker client or a pool of them."""

    async def generate(
        self,
        request: GenerateRequest,
        *,
        deadline: float,
        on_progress: ProgressCallback | None = None,
    ) -> WorkerResult: ...


@dataclass(frozen=True)
class GenerationOutcome:
    """Valid exercises and where they came from."""

    exercises: list[Exercise]
    source: ExerciseSource
    model_name: str
    generated_tokens: int | None
    generation_time: float
    fallback_reason: str | None = None
    practised_focus: str | None = None  # offline only: what the exercises practise


class HomeworkGenerator:
    """Asks the worker within a deadline and falls back offline, so no homework is ever lost."""

    def __init__(
        self,
        *,
        client: Workers | None,
        deadline_seconds: float,
        max_tokens: int,
        temperature: float,
        offline_processes: int = 0,
    ) -> None:
        self.client = client
        self.deadline_seconds = deadline_seconds
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.offline_processes = offline_processes
        self._processes: Executor | None = None
        self._warming: Future[list[Exercise]] | None = None

    def _executor(self) -> Executor | None:
        """The offline generator's own processes, started on first use; None: a thread here.

        Generating is pure Python: in a thread of this process it holds the interpreter lock
        against the event loop, so at a class's worth of homework the pupils' requests and
        /health waited for it. In its own process it runs on another core.
        """
        if self.offline_processes > 0 and self._processes is None:
            # forkserver: children are forked from a clean process, never from this threaded
            # one; spawn where there is no forkserver (Windows).
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context(
                "forkserver" if "forkserver" in methods else "spawn"
            )
            self._processes = ProcessPoolExecutor(self.offline_processes, mp_context=context)
        return self._processes

    def start(self) -> Future[list[Exercise]] | None:
        """Start the offline generator's processes now and have them load their tables, so that
        the first homework to fall back (the worker down at 8 a.m.) does not wait about a second
        for a process to start. Returns the warm-up's future (its exercises are thrown away), or
        None where generation runs in a thread of this process."""
        executor = self._executor()
        if executor is None:
            return None
        self._warming = executor.submit(generate_exercises, WARM_UP, seed=0)
        return self._warming

    async def aclose(self) -> None:
        """Stop the offline generator's processes (generation in flight is abandoned)."""
        if self._processes is not None:
            self._processes.shutdown(wait=False, cancel_futures=True)
            self._processes = None

    async def generate(
        self,
        request: GenerateRequest,
        *,
        seed: int,
        use_worker: bool = True,
        on_progress: ProgressCallback | None = None,
    ) -> GenerationOutcome:
        """Exercises for one homework; ``seed`` makes the offline ones reproducible per student.

        ``on_progress`` hears the tokens generated so far while a streaming worker works.
        """
        if self.client is None:
            return await self._offline(
                request, seed, "no worker configured (INFERENCE_API_URL unset)"
            )
        if not use_worker:
            return await self._offline(request, seed, "too many interrupted attempts")
        worker_request = request.model_copy(
            update={"max_tokens": self.max_tokens, "temperature": self.temperature, "seed": seed}
        )
        try:
            result = await self.client.generate(
                worker_request, deadline=self.deadline_seconds, on_progress=on_progress
            )
        except WorkerUnavailable as exc:
            return await self._offline(request, seed, exc.reason)
        answer = result.response
        return GenerationOutcome(
            exercises=answer.exercises,
            source=ExerciseSource.model,
            model_name=answer.model or UNNAMED_MODEL,
            generated_tokens=answer.generated_tokens,
            generation_time=result.elapsed,
        )

    async def _offline(self, request: GenerateRequest, seed: int, reason: str) -> GenerationOutcome:
        started = time.perf_counter()
        executor = self._executor()
        if executor is None or (self._warming is not None and not self._warming.done()):
            # No process, or it is still starting: a thread here meanwhile (the same exercises
            # for the same seed; the lock is held only while the process cannot take it).
            exercises = await asyncio.to_thread(generate_exercises, request, seed=seed)
        else:
            loop = asyncio.get_running_loop()
            exercises = await loop.run_in_executor(
                executor, functools.partial(generate_exercises, request, seed=seed)
            )
        check_exercises(request, exercises)
        log_event(logger, "generation.offline", reason=reason, seed=seed)
        return GenerationOutcome(
            exercises=exercises,
            source=ExerciseSource.fallback,
            model_name=OFFLINE_MODEL_NAME,
            generated_tokens=None,
            generation_time=time.perf_counter() - started,
            fallback_reason=reason,
            practised_focus=practised(
                resolve(
                    grammar_focus=request.grammar_focus,
                    topic=request.topic,
                    level=request.cefr_level,
                    exercise_types=request.exercise_types,
                ),
                request.cefr_level,
            ),
        )
