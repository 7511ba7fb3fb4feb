"""Continuous batching against one batch at a time, on the tiny local model.

One transformers engine (the serving logic called directly, no HTTP, so the engine is what is
measured); for 1, 8 and 32 concurrent clients, each sending its share of the same requests
(mixed sizes, fixed seeds) one after another, it runs the old mode (a batch runs until its last
request ends; latecomers wait) and the continuous mode (a latecomer joins at the next step),
alternately for several rounds in the same run (so a machine whose load changes affects both
alike), and prints the median requests per second of each mode, their ratio, and the mean number
of requests decoded together per step.

Usage: .venv/bin/python benchmarks/worker_batching.py [--clients 1 8 32] [--per-client 2]
       [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from inference_worker.config import WorkerSettings  # noqa: E402
from inference_worker.contract import EXERCISE_TYPES, GenerateRequest  # noqa: E402
from inference_worker.engines.transformers_engine import TransformersEngine  # noqa: E402
from inference_worker.metrics import WorkerMetrics  # noqa: E402
from inference_worker.service import GenerationService  # noqa: E402
from tests.tiny_model import build_tiny_model  # noqa: E402


def requests(count: int) -> list[GenerateRequest]:
    """Homework of 1 to 4 exercises: batches whose requests end at different times."""
    rng = random.Random(5)
    return [
        GenerateRequest(
            cefr_level="A2",
            quantity=rng.randint(1, 4),
            exercise_types=rng.sample(EXERCISE_TYPES, rng.randint(1, 3)),
            max_tokens=800,
            seed=index,
        )
        for index in range(count)
    ]


async def run(service: GenerationService, clients: int, per_client: int) -> float:
    """Requests per second with ``clients`` clients each sending ``per_client`` in turn."""
    batch = requests(clients * per_client)

    async def client(mine: list[GenerateRequest]) -> None:
        for request in mine:
            await service.generate(request)

    started = time.perf_counter()
    await asyncio.gather(*(client(batch[i::clients]) for i in range(clients)))
    return len(batch) / (time.perf_counter() - started)


class StepCounter:
    """Counts the engine's decoding steps and the requests in each (its ``_step`` wrapped)."""

    def __init__(self, engine: TransformersEngine) -> None:
        self.steps = 0
        self.rows = 0
        step = engine._step

        def counted(batch: Any) -> Any:
            self.steps += 1
            self.rows += len(batch.jobs)
            return step(batch)

        engine._step = counted  # type: ignore[method-assign]

    def take(self) -> float:
        mean = self.rows / max(self.steps, 1)
        self.steps = self.rows = 0
        return mean


async def main(levels: list[int], per_client: int, rounds: int) -> None:
    model = build_tiny_model(Path(tempfile.gettempdir()) / "italian-teacher-tiny-model")
    settings = WorkerSettings(model=str(model), max_field_chars=24, max_batch_size=8)
    engine = TransformersEngine(model=str(model), threads=1, max_batch_size=8)
    await engine.start()
    counter = StepCounter(engine)
    service = GenerationService(engine=engine, settings=settings, metrics=WorkerMetrics())
    await run(service, 2, 1)  # warm-up
    print(f"{rounds} rounds per mode, medians; rows = requests decoded together per step")
    print(f"{'clients':>7} {'one batch at a time':>26} {'continuous':>22} {'ratio':>6}")
    try:
        for clients in levels:
            rates: dict[bool, list[float]] = {False: [], True: []}
            rows: dict[bool, list[float]] = {False: [], True: []}
            counter.take()
            for _ in range(rounds):
                for continuous in (False, True):
                    engine.continuous_batching = continuous
                    rates[continuous].append(await run(service, clients, per_client))
                    rows[continuous].append(counter.take())
            old, new = (statistics.median(rates[mode]) for mode in (False, True))
            old_rows, new_rows = (statistics.median(rows[mode]) for mode in (False, True))
            print(
                f"{clients:>7} {old:>10.2f} r/s ({old_rows:.1f} rows) "
                f"{new:>8.2f} r/s ({new_rows:.1f} rows) {new / old:>5.2f}x"
            )
    finally:
        await engine.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--per-client", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.clients, args.per_client, args.rounds))
