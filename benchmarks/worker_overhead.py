"""Worker throughput and HTTP overhead on the tiny local model.

One engine, one uvicorn on 127.0.0.1, one run. The same requests (same seeds, so the same tokens)
go alternately through a direct call of the serving logic (engine + parsing, no HTTP, on the
server's own event loop) and through POST /generate (the HTTP client in a separate process, as
the API would be, so it does not compete with the engine for this process's GIL), for
several rounds; it prints throughput and latency for both, tokens per second, and the overhead of
HTTP on the median round (target <= 5%).

Usage: .venv/bin/python benchmarks/worker_overhead.py [--requests 24] [--concurrency 8] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from inference_worker.__main__ import build_engine  # noqa: E402
from inference_worker.app import create_app  # noqa: E402
from inference_worker.config import WorkerSettings  # noqa: E402
from inference_worker.contract import GenerateRequest  # noqa: E402
from inference_worker.service import GenerationService  # noqa: E402
from tests.tiny_model import build_tiny_model  # noqa: E402
from tests.worker.conftest import free_port, wait_ready  # noqa: E402


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
    """Run the comparison and print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=24)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    model = build_tiny_model(Path(tempfile.mkdtemp(prefix="tiny-model-")) / "model")
    settings = WorkerSettings(
        model=str(model), max_field_chars=16, max_batch_size=args.concurrency, threads=1
    )
    batch = requests(args.requests)
    app = create_app(settings, build_engine(settings))
    results: dict[str, list[tuple[float, list[float]]]] = {"direct": [], "http": []}

    async def bench() -> None:
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        serving = asyncio.create_task(server.serve())
        url = f"http://127.0.0.1:{port}"
        await asyncio.to_thread(wait_ready, url)
        service: GenerationService = app.state.service

        loop = asyncio.get_running_loop()

        async def http(requests: list[GenerateRequest]) -> tuple[float, list[float]]:
            payloads = [r.model_dump(mode="json") for r in requests]
            return await loop.run_in_executor(clients, _http_round, url, payloads, args.concurrency)

        await run_direct(service, batch[: args.concurrency], args.concurrency)  # warm-up
        await http(batch[: args.concurrency])
        for _ in range(args.rounds):
            results["direct"].append(await run_direct(service, batch, args.concurrency))
            results["http"].append(await http(batch))
        server.should_exit = True
        await serving

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as clients:
        asyncio.run(bench())
    tokens = _tokens(app)
    print(
        f"worker overhead: tiny model, {args.requests} requests x {args.rounds} rounds per path, "
        f"concurrency {args.concurrency}, batch {settings.max_batch_size}"
    )
    medians = {}
    for name, label in (("direct", "direct engine call"), ("http", "HTTP POST /generate")):
        totals = [total for total, _ in results[name]]
        latencies = [lat for _, lats in results[name] for lat in lats]
        medians[name] = statistics.median(totals)
        print(
            f"{label:<20} {args.requests / medians[name]:6.2f} req/s"
            f"   mean {statistics.mean(latencies) * 1000:7.1f} ms"
            f"   p50 {statistics.median(latencies) * 1000:7.1f} ms"
            f"   rounds {' '.join(f'{t:.2f}' for t in totals)} s"
        )
    seconds = sum(medians.values()) * args.rounds
    print(f"tokens generated: {tokens:.0f} in all ({tokens / seconds:.0f} tokens/s overall)")
    overhead = medians["http"] / medians["direct"] - 1
    verdict = "PASS" if overhead <= 0.05 else "MISS"
    print(f"HTTP overhead on the median round: {overhead:+.1%}   [{verdict} <= 5%]")


def _http_round(
    url: str, payloads: list[dict[str, Any]], concurrency: int
) -> tuple[float, list[float]]:
    """One round of HTTP requests, run in the client process."""
    batch = [GenerateRequest.model_validate(p) for p in payloads]
    return asyncio.run(run_http(url, batch, concurrency))


def _tokens(app: Any) -> float:
    service: GenerationService = app.state.service
    return float(service.metrics.tokens._value.get())


if __name__ == "__main__":
    main()
