"""The serving logic between HTTP and the engine: queue limit, time limit, parse, one retry."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass

from inference_worker.config import WorkerSettings
from inference_worker.contract import GenerateRequest, GenerateResponse
from inference_worker.engines import Engine
from inference_worker.metrics import WorkerMetrics
from inference_worker.prompts import UnusableOutput, parse_exercises, response_schema

logger = logging.getLogger("inference_worker.service")


class Busy(Exception):
    """Too many requests are waiting; the client should retry later."""


class TimedOut(Exception):
    """The generation passed its time limit."""


class Unusable(Exception):
    """Two attempts produced nothing usable."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class GenerationService:
    """Turns a request into validated exercises with the one engine of this process."""

    engine: Engine
    settings: WorkerSettings
    metrics: WorkerMetrics
    in_flight: int = 0

    async def generate(self, request: GenerateRequest) -> GenerateResponse:
        """Generate, parse and check; retry once with a new seed when the output is unusable."""
        if self.in_flight >= self.settings.max_queue:
            self.metrics.failures.labels("busy").inc()
            raise Busy(f"{self.in_flight} requests in progress")
        self.in_flight += 1
        self.metrics.in_flight.inc()
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.settings.request_timeout):
                return await self._generate(request, started)
        except TimeoutError:
            self.metrics.failures.labels("timeout").inc()
            raise TimedOut(f"no answer within {self.settings.request_timeout:g} s") from None
        finally:
            self.in_flight -= 1
            self.metrics.in_flight.dec()
            self.metrics.latency.observe(time.perf_counter() - started)

    async def _generate(self, request: GenerateRequest, started: float) -> GenerateResponse:
        schema = response_schema(request, max_chars=self.settings.max_field_chars)
        seed = request.seed if request.seed is not None else random.randrange(2**31)
        tokens = 0
        reason = ""
        for attempt in (1, 2):
            output = await self.engine.generate(request, schema, seed)
            tokens += output.generated_tokens
            self.metrics.tokens.inc(output.generated_tokens)
            try:
                exercises = parse_exercises(output.text, request)
            except UnusableOutput as exc:
                reason = str(exc)
                if output.finish_reason == "length":
                    reason += f" (stopped at max_tokens={request.max_tokens})"
                self.metrics.failures.labels("unusable").inc()
                logger.warning("generate.unusable attempt=%d reason=%s", attempt, reason)
                seed = random.randrange(2**31)
                continue
            return GenerateResponse(
                exercises=exercises,
                generated_tokens=tokens,
                inference_time=round(time.perf_counter() - started, 3),
                model=self.engine.info.model,
                finish_reason=output.finish_reason,
            )
        raise Unusable(reason)
