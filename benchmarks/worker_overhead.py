"""Worker throughput and HTTP overhead on the tiny local model.

The same requests (same seeds, so the same tokens) go through a direct call of the serving
logic (engine + parsing, no HTTP) and through POST /generate on a real uvicorn on 127.0.0.1, in
the same run; it prints latency and throughput for both and the overhead ratio (target <= 5%).

Usage: .venv/bin/python benchmarks/worker_overhead.py [--requests 24] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from inference_worker.app import create_app  # noqa: E402
from inference_worker.config import WorkerSettings  # noqa: E402
from inference_worker.contract import GenerateRequest  # noqa: E402
from inference_worker.engines.transformers_engine import TransformersEngine  # noqa: E402
from inference_worker.metrics import WorkerMetrics  # noqa: E402
from inference_worker.service import GenerationService  # noqa: E402
from tests.tiny_model import build_tiny_model  # noqa: E402
from tests.worker.conftest import ServedWorker, wait_ready  # noqa: E402


def requests(count: int) -> list[GenerateRequest]:
    return [
        GenerateRequest(
            cefr_level="A2",
            quantity=2,
            exercise_types=["fill_in_blank", "translation"],
            max_tokens=800,
            seed=i,
        )
        for i in range(count)
    ]


async def run_direct(
    service: GenerationService, batch: list[GenerateRequest], concurrency: int
) -> tuple[float, list[float]]:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(request: GenerateRequest) -> None:
        async with gate:
            started = time.perf_counter()
            await service.generate(request)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(one(r) for r in batch))
    return time.perf_counter() - started, latencies


async def run_http(
    url: str, batch: list[GenerateRequest], concurrency: int
) -> tuple[float, list[float]]:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=300) as client:

        async def one(request: GenerateRequest) -> None:
            async with gate:
                started = time.perf_counter()
                response = await client.post("/generate", json=request.model_dump(mode="json"))
                response.raise_for_status()
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(one(r) for r in batch))
    return time.perf_counter() - started, latencies


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=24)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    model = build_tiny_model(Path(tempfile.mkdtemp(prefix="tiny-model-")))
    settings = WorkerSettings(model=str(model), max_field_chars=16, max_batch_size=args.concurrency)
    batch = requests(args.requests)

    async def direct() -> tuple[float, list[float]]:
        engine = TransformersEngine(model=str(model), max_batch_size=args.concurrency)
        await engine.start()
        service = GenerationService(engine=engine, settings=settings, metrics=WorkerMetrics())
        await run_direct(service, batch[:4], args.concurrency)  # warm-up
        result = await run_direct(service, batch, args.concurrency)
        await engine.close()
        return result

    direct_total, direct_lat = asyncio.run(direct())
    engine = TransformersEngine(model=str(model), max_batch_size=args.concurrency)
    with ServedWorker(create_app(settings, engine)) as worker:
        wait_ready(worker.url)
        asyncio.run(run_http(worker.url, batch[:4], args.concurrency))
        http_total, http_lat = asyncio.run(run_http(worker.url, batch, args.concurrency))

    print(f"worker overhead — tiny model, {args.requests} requests, concurrency {args.concurrency}")
    for name, total, lat in (
        ("direct engine call", direct_total, direct_lat),
        ("HTTP POST /generate", http_total, http_lat),
    ):
        print(
            f"{name:<22} {args.requests / total:6.2f} req/s   mean {statistics.mean(lat) * 1000:7.1f} ms"
            f"   p50 {statistics.median(lat) * 1000:7.1f} ms   total {total:6.2f} s"
        )
    overhead = http_total / direct_total - 1
    verdict = "PASS" if overhead <= 0.05 else "MISS"
    print(f"HTTP overhead on total time: {overhead:+.1%}   [{verdict} <= 5%]")


if __name__ == "__main__":
    main()
