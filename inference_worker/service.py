"""The serving logic between HTTP and the engine: queue limit, time limit, assembly, repairs.

The model writes one draft per slot of a type plan; the worker assembles exercises from them.
A draft that cannot be used (a distractor equal to the answer or to another distractor) is
redone alone: the next attempt asks only for the missing slots, so a homework is never thrown
away for one bad exercise. Output that is not JSON at all (budget too small) is retried whole.
After ``ATTEMPTS`` engine calls the request fails with the last reason (502).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from dataclasses import dataclass

from inference_worker.config import WorkerSettings
from inference_worker.contract import Exercise, GenerateRequest, GenerateResponse, check_exercises
from inference_worker.drafts import (
    ExerciseCounter,
    UnusableOutput,
    assemble,
    draft_schema,
    parse_drafts,
    type_plan,
)
from inference_worker.engines import Engine, GenerationTask, UpstreamFailed
from inference_worker.metrics import WorkerMetrics
from inference_worker.prompts import field_limits, messages

logger = logging.getLogger("inference_worker.service")

ATTEMPTS = 3
REDO_MIN_TEMPERATURE = 0.5


class Busy(Exception):
    """Too many requests are in progress; the client should retry later."""


class TimedOut(Exception):
    """The generation passed its time limit."""


class Unusable(Exception):
    """Every attempt left some exercise unusable."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EngineFailed(Exception):
    """The engine raised: a fault of the worker, not of the model's text."""


class Progress:
    """How far a request has got; written as tokens arrive (any thread), read by the stream."""

    def __init__(self, quantity: int) -> None:
        self.quantity = quantity
        self.generated_tokens = 0
        self.exercises_complete = 0
        self._tokens_before = 0
        self._done_before = 0
        self._counter = ExerciseCounter()

    def begin_attempt(self, *, exercises_done: int) -> None:
        """A new engine call starts; ``exercises_done`` are already kept from earlier ones."""
        self._tokens_before = self.generated_tokens
        self._done_before = exercises_done
        self._counter = ExerciseCounter()
        self.exercises_complete = exercises_done

    def advance(self, generated_tokens: int, text: str) -> None:
        """The engine produced more: this attempt's token count and its new text."""
        self.generated_tokens = self._tokens_before + generated_tokens
        complete = self._done_before + self._counter.feed(text)
        self.exercises_complete = min(complete, self.quantity)

    def end_attempt(self, generated_tokens: int) -> None:
        """The engine call ended: its final token count (an engine may not report the last)."""
        self.generated_tokens = self._tokens_before + generated_tokens


@dataclass
class GenerationService:
    """Turns a request into validated exercises with the one engine of this process."""

    engine: Engine
    settings: WorkerSettings
    metrics: WorkerMetrics
    in_flight: int = 0

    def admit(self, request_id: str) -> None:
        """Count a request in, or raise Busy when ``max_queue`` are already in progress."""
        if self.in_flight >= self.settings.max_queue:
            self.metrics.failures.labels("busy").inc()
            logger.warning("generate.busy id=%s in_flight=%d", request_id, self.in_flight)
            raise Busy(f"{self.in_flight} requests in progress, limit WORKER_MAX_QUEUE")
        self.in_flight += 1
        self.metrics.in_flight.inc()

    async def generate(
        self,
        request: GenerateRequest,
        *,
        request_id: str | None = None,
        progress: Progress | None = None,
    ) -> GenerateResponse:
        """Admit, then generate, assemble and check (see ``run``)."""
        request_id = request_id or uuid.uuid4().hex[:12]
        self.admit(request_id)
        return await self.run(request, request_id=request_id, progress=progress)

    async def run(
        self, request: GenerateRequest, *, request_id: str, progress: Progress | None = None
    ) -> GenerateResponse:
        """Generate an admitted request within the time limit; always counts it out again."""
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.settings.request_timeout):
                return await self._generate(
                    request, request_id, started, progress or Progress(request.quantity)
                )
        except TimeoutError:
            self.metrics.failures.labels("timeout").inc()
            logger.warning("generate.timeout id=%s", request_id)
            raise TimedOut(
                f"no answer within {self.settings.request_timeout:g} s "
                "(WORKER_REQUEST_TIMEOUT); ask for fewer exercises or fewer max_tokens"
            ) from None
        except asyncio.CancelledError:
            logger.info("generate.cancelled id=%s", request_id)
            raise
        finally:
            self.in_flight -= 1
            self.metrics.in_flight.dec()
            self.metrics.latency.observe(time.perf_counter() - started)

    async def _generate(
        self, request: GenerateRequest, request_id: str, started: float, progress: Progress
    ) -> GenerateResponse:
        field_chars = field_limits(request, max_chars=self.settings.max_field_chars)
        seed = request.seed if request.seed is not None else random.randrange(2**31)
        plan = type_plan(request.exercise_types, request.quantity, seed)
        kept: list[Exercise | None] = [None] * request.quantity
        finish_reason = ""
        reason = ""
        logger.info(
            "generate.start id=%s level=%s quantity=%d plan=%s",
            request_id,
            request.cefr_level,
            request.quantity,
            ",".join(plan),
        )
        for attempt in range(1, ATTEMPTS + 1):
            # The first attempt writes every slot; later ones only the slots still missing.
            slots = [slot for slot, exercise in enumerate(kept) if exercise is None]
            slot_plan = [plan[slot] for slot in slots]
            sampling = request
            if attempt > 1 and request.temperature < REDO_MIN_TEMPERATURE:
                # Greedy decoding would write the same mistake again: a redo samples.
                sampling = request.model_copy(update={"temperature": REDO_MIN_TEMPERATURE})
            task = GenerationTask(
                request=sampling,
                # Prompt and schema are built from the same plan and bounds, so they agree.
                schema=draft_schema(slot_plan, field_chars),
                messages=messages(request, slot_plan, field_chars),
                seed=seed if attempt == 1 else random.randrange(2**31),
                request_id=f"{request_id}-{attempt}",
                on_progress=progress.advance,
            )
            progress.begin_attempt(exercises_done=request.quantity - len(slots))
            try:
                output = await self.engine.generate(task)
            except (asyncio.CancelledError, TimeoutError):
                raise
            except UpstreamFailed as exc:  # a remote server's fault, with its own status
                self.metrics.failures.labels("upstream").inc()
                logger.warning(
                    "generate.upstream_failed id=%s status=%d detail=%s",
                    request_id,
                    exc.status,
                    exc.detail,
                )
                raise
            except Exception as exc:
                self.metrics.failures.labels("engine_error").inc()
                logger.exception("generate.engine_error id=%s attempt=%d", request_id, attempt)
                raise EngineFailed(f"{type(exc).__name__}: {exc}") from exc
            progress.end_attempt(output.generated_tokens)
            self.metrics.tokens.inc(output.generated_tokens)
            finish_reason = output.finish_reason
            try:
                if output.refusal:
                    raise UnusableOutput(f"the model declined: {output.refusal[:200]}")
                drafts = parse_drafts(output.text, slot_plan)
            except UnusableOutput as exc:
                reason = str(exc)
                if output.finish_reason == "length":
                    reason += f" (stopped at max_tokens={request.max_tokens}; raise max_tokens)"
                self.metrics.failures.labels("unusable").inc()
                logger.warning(
                    "generate.unusable id=%s attempt=%d reason=%s", request_id, attempt, reason
                )
                continue
            problems = []
            for slot, draft in zip(slots, drafts, strict=True):
                assembled = assemble(draft, plan[slot], seed=seed, slot=slot)
                kept[slot] = assembled.exercise
                if assembled.problem:
                    problems.append(f"exercise {slot + 1}: {assembled.problem}")
            if problems:
                reason = "; ".join(problems)
                self.metrics.failures.labels("slot_redone").inc(len(problems))
                logger.warning(
                    "generate.slots_redone id=%s attempt=%d reason=%s", request_id, attempt, reason
                )
                continue
            exercises = [exercise for exercise in kept if exercise is not None]
            elapsed = time.perf_counter() - started
            logger.info(
                "generate.done id=%s attempts=%d tokens=%d seconds=%.3f finish=%s",
                request_id,
                attempt,
                progress.generated_tokens,
                elapsed,
                finish_reason,
            )
            return GenerateResponse(
                exercises=check_exercises(request, exercises),
                generated_tokens=progress.generated_tokens,
                inference_time=round(elapsed, 3),
                model=self.engine.info.model,
                finish_reason=finish_reason,
            )
        logger.warning("generate.failed id=%s reason=%s", request_id, reason)
        raise Unusable(reason)
