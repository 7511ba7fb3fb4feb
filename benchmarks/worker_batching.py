"""Continuous batching against one batch at a time, on the tiny local model.

One transformers engine (the serving logic called directly, no HTTP, so the engine is what is
measured); for 1, 8 and 32 concurrent clients, each sending its share of the same requests
(mixed sizes, fixed seeds) one after another, it runs the old mode (a batch runs until its last
request ends; latecomers wait) and the continuous mode (a latecomer joins at the next step),
alternately in the same run, and prints requests per second for both and their ratio.

Usage: .venv/bin/python benchmarks/worker_batching.py [--clients 1 8 32] [--per-client 3]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

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


async def main(levels: list[int], per_client: int) -> None:
    model = build_tiny_model(Path(tempfile.gettempdir()) / "italian-teacher-tiny-model")
    settings = WorkerSettings(model=str(model), max_field_chars=24, max_batch_size=8)
    engine = TransformersEngine(model=str(model), threads=1, max_batch_size=8)
    await engine.start()
    service = GenerationService(engine=engine, settings=settings, metrics=WorkerMetrics())
    await run(service, 2, 1)  # warm-up
    print(f"{'clients':>7} {'one batch at a time':>20} {'continuous':>11} {'ratio':>6}")
    try:
        for clients in levels:
            figures = {}
            for continuous in (False, True):
                engine.continuous_batching = continuous
                figures[continuous] = await run(service, clients, per_client)
            ratio = figures[True] / figures[False]
            print(
                f"{clients:>7} {figures[False]:>16.2f} r/s {figures[True]:>7.2f} r/s {ratio:>5.2f}x"
            )
    finally:
        await engine.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--per-client", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.clients, args.per_client))
