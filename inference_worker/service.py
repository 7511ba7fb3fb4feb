"""The serving logic between HTTP and the engine: queue limit, time limit, parse, one retry."""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from dataclasses import dataclass

from inference_worker.config import WorkerSettings
from inference_worker.contract import GenerateRequest, GenerateResponse, exercises_json_schema
from inference_worker.engines import Engine, GenerationTask
from inference_worker.metrics import WorkerMetrics
from inference_worker.prompts import UnusableOutput, field_limits, parse_exercises

logger = logging.getLogger("inference_worker.service")


class Busy(Exception):
    """Too many requests are in progress; the client should retry later."""


class TimedOut(Exception):
    """The generation passed its time limit."""


class Unusable(Exception):
    """Two attempts produced nothing usable."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EngineFailed(Exception):
    """The engine raised: a fault of the worker, not of the model's text."""


@dataclass
class GenerationService:
    """Turns a request into validated exercises with the one engine of this process."""

    engine: Engine
    settings: WorkerSettings
    metrics: WorkerMetrics
    in_flight: int = 0

    async def generate(
        self, request: GenerateRequest, *, request_id: str | None = None
    ) -> GenerateResponse:
        """Generate, parse and check; retry once with a new seed when the output is unusable."""
        request_id = request_id or uuid.uuid4().hex[:12]
        if self.in_flight >= self.settings.max_queue:
            self.metrics.failures.labels("busy").inc()
            logger.warning("generate.busy id=%s in_flight=%d", request_id, self.in_flight)
            raise Busy(f"{self.in_flight} requests in progress, limit WORKER_MAX_QUEUE")
        self.in_flight += 1
        self.metrics.in_flight.inc()
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.settings.request_timeout):
                return await self._generate(request, request_id, started)
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
        self, request: GenerateRequest, request_id: str, started: float
    ) -> GenerateResponse:
        field_chars = field_limits(request, max_chars=self.settings.max_field_chars)
        # Prompt and schema are built from the same bounds, so they agree.
        schema = exercises_json_schema(request, field_chars=field_chars)
        seed = request.seed if request.seed is not None else random.randrange(2**31)
        tokens = 0
        reason = ""
        logger.info(
            "generate.start id=%s level=%s quantity=%d types=%s",
            request_id,
            request.cefr_level,
            request.quantity,
            ",".join(request.exercise_types),
        )
        for attempt in (1, 2):
            task = GenerationTask(
                request=request,
                schema=schema,
                field_chars=field_chars,
                seed=seed,
                request_id=f"{request_id}-{attempt}",
            )
            try:
                output = await self.engine.generate(task)
            except (asyncio.CancelledError, TimeoutError):
                raise
            except Exception as exc:
                self.metrics.failures.labels("engine_error").inc()
                logger.exception("generate.engine_error id=%s attempt=%d", request_id, attempt)
                raise EngineFailed(f"{type(exc).__name__}: {exc}") from exc
            tokens += output.generated_tokens
            self.metrics.tokens.inc(output.generated_tokens)
            try:
                exercises = parse_exercises(output.text, request)
            except UnusableOutput as exc:
                reason = str(exc)
                if output.finish_reason == "length":
                    reason += f" (stopped at max_tokens={request.max_tokens}; raise max_tokens)"
                self.metrics.failures.labels("unusable").inc()
                logger.warning(
                    "generate.unusable id=%s attempt=%d reason=%s", request_id, attempt, reason
                )
                seed = random.randrange(2**31)
                continue
            elapsed = time.perf_counter() - started
            logger.info(
                "generate.done id=%s attempt=%d tokens=%d seconds=%.3f finish=%s",
                request_id,
                attempt,
                tokens,
                elapsed,
                output.finish_reason,
            )
            return GenerateResponse(
                exercises=exercises,
                generated_tokens=tokens,
                inference_time=round(elapsed, 3),
                model=self.engine.info.model,
                finish_reason=output.finish_reason,
            )
        logger.warning("generate.failed id=%s reason=%s", request_id, reason)
        raise Unusable(reason)
