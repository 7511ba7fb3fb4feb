"""Contract failures of the worker on a random model: answers usable by construction.

The tiny local model has random weights, so whatever it writes is noise shaped by the schema; if
the answer can still break the contract (the answer not among the options, a requested type
missing, repeated options), this finds it. One worker on 127.0.0.1 (transformers engine), 50
requests of mixed types and sizes over real HTTP, half of them streamed. It prints the contract
failures (target 0), the slots the worker had to redo, and requests per second.

Usage: .venv/bin/python benchmarks/worker_contract.py [--requests 50] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from inference_worker.__main__ import build_engine  # noqa: E402
from inference_worker.app import create_app  # noqa: E402
from inference_worker.config import WorkerSettings  # noqa: E402
from inference_worker.contract import (  # noqa: E402
    EXERCISE_TYPES,
    ContractViolation,
    GenerateRequest,
    GenerateResponse,
    check_exercises,
)
from tests.tiny_model import build_tiny_model  # noqa: E402
from tests.worker.conftest import ServedWorker, wait_ready  # noqa: E402


def mixed_requests(count: int) -> list[dict[str, Any]]:
    """Requests of every combination of types, 1 to 10 exercises, streamed or not."""
    rng = random.Random(11)
    bodies = []
    for index in range(count):
        types = rng.sample(EXERCISE_TYPES, rng.randint(1, len(EXERCISE_TYPES)))
        quantity = rng.randint(1, 10)
        bodies.append(
            {
                "cefr_level": rng.choice(["A1", "A2", "B1", "B2", "C1", "C2"]),
                "quantity": quantity,
                "exercise_types": types,
                "max_tokens": 200 * quantity,
                "temperature": rng.choice([0.0, 0.7, 1.2]),
                "seed": index,
                "stream": index % 2 == 1,
            }
        )
    return bodies


def contract_problem(body: dict[str, Any], status: int, payload: Any) -> str | None:
    """Why an answer breaks the contract, or None."""
    if status != 200:
        return f"HTTP {status}: {payload}"
    request = GenerateRequest.model_validate(body)
    try:
        response = GenerateResponse.model_validate(payload)
        check_exercises(request, response.exercises)
    except (ValueError, ContractViolation) as exc:
        return str(exc).splitlines()[0]
    if request.quantity >= len(request.exercise_types):
        missing = set(request.exercise_types) - {e.type for e in response.exercises}
        if missing:
            return f"requested types missing: {sorted(missing)}"
    return None


async def send(client: httpx.AsyncClient, body: dict[str, Any]) -> tuple[int, Any]:
    if not body["stream"]:
        response = await client.post("/generate", json=body)
        return response.status_code, response.json()
    async with client.stream("POST", "/generate", json=body) as response:
        if response.status_code != 200:
            return response.status_code, json.loads(await response.aread())
        last: dict[str, Any] = {}
        async for line in response.aiter_lines():
            last = json.loads(line)
        if last.get("event") == "done":
            return 200, last["response"]
        return int(last.get("status", 599)), last.get("detail")


async def run(url: str, bodies: list[dict[str, Any]], concurrency: int) -> list[str | None]:
    gate = asyncio.Semaphore(concurrency)

    async def one(client: httpx.AsyncClient, body: dict[str, Any]) -> str | None:
        async with gate:
            status, payload = await send(client, body)
        return contract_problem(body, status, payload)

    async with httpx.AsyncClient(base_url=url, timeout=300) as client:
        return await asyncio.gather(*(one(client, body) for body in bodies))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    model = build_tiny_model(Path(tempfile.gettempdir()) / "italian-teacher-tiny-model")
    settings = WorkerSettings(model=str(model), max_field_chars=24, threads=1, max_batch_size=8)
    with ServedWorker(create_app(settings, build_engine(settings))) as worker:
        wait_ready(worker.url)
        bodies = mixed_requests(args.requests)
        started = time.perf_counter()
        problems = asyncio.run(run(worker.url, bodies, args.concurrency))
        elapsed = time.perf_counter() - started
        metrics = httpx.get(f"{worker.url}/metrics").text
    redone = next(
        (
            float(line.rsplit(" ", 1)[1])
            for line in metrics.splitlines()
            if line.startswith('worker_failures_total{reason="slot_redone"}')
        ),
        0.0,
    )
    exercises = sum(body["quantity"] for body in bodies)
    failures = [(body, problem) for body, problem in zip(bodies, problems, strict=True) if problem]
    print(f"requests: {len(bodies)} ({exercises} exercises, concurrency {args.concurrency})")
    print(f"contract failures: {len(failures)} (target 0)")
    for body, problem in failures[:10]:
        print(f"  seed {body['seed']} types {body['exercise_types']}: {problem}")
    print(f"slots redone by the worker: {redone:g} of {exercises}")
    print(f"throughput: {len(bodies) / elapsed:.2f} requests/s ({elapsed:.1f} s)")


if __name__ == "__main__":
    main()
