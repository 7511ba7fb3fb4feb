"""What the access checks cost on the hottest read: a pupil listing their homework.

Starts the API (uvicorn on 127.0.0.1, a fresh SQLite file, the offline generator) with one extra
route that only this benchmark adds, GET /bench/student/{student_id}/homework: the same service
call through ``database.single_read()`` and the same JSON serialisation as
GET /api/student/{student_id}/homework, without the ``CurrentStudent`` dependency (token lookup
and per-token rate limit). One pupil, one homework of 5 exercises. Both reads are driven by the
same raw-socket load generator, alternating over several rounds (ABBA) to cancel drift, and the
figures are compared. Target: with the checks, at most 15% slower (time per request).

Usage: .venv/bin/python benchmarks/access_overhead.py [--seconds 4] [--rounds 6] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import httpx
from fastapi import APIRouter, FastAPI, Query, Response

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.core.deps import DatabaseDep  # noqa: E402
from api.core.ids import StudentIdPath  # noqa: E402
from api.homework import router as homework_router  # noqa: E402
from api.homework import service  # noqa: E402
from api.homework.schemas import StatusFilter  # noqa: E402
from api.main import create_app  # noqa: E402
from benchmarks.api_bench import Load, free_port, process, uvicorn  # noqa: E402

TEACHER_EMAIL = "teacher@example.com"
TEACHER_PASSWORD = "correct-horse-battery"
TARGET_SLOWDOWN = 0.15
CHECKED = "with access checks"
UNCHECKED = "without"


def serve_app() -> FastAPI:
    """The API as ``api.main`` builds it (settings from the environment), plus the pupil's
    homework list without the access checks (``uvicorn --factory``)."""
    app = create_app()
    unchecked = APIRouter(include_in_schema=False)

    @unchecked.get("/bench/student/{student_id}/homework")
    async def list_homework_unchecked(
        student_id: StudentIdPath,
        database: DatabaseDep,
        status: Annotated[StatusFilter, Query()] = "all",
    ) -> Response:
        """GET /api/student/{student_id}/homework without ``CurrentStudent``."""
        # The real endpoint's own helper: the same single read and the same serialisation.
        return await homework_router._read(
            database, service.list_for_student, student_id=student_id, status=status
        )

    app.include_router(unchecked)
    # First in line: it never pays more routing than the real endpoint, so the overhead
    # measured errs on the high side.
    app.router.routes.insert(0, app.router.routes.pop())
    return app


@dataclass
class Variant:
    name: str
    request: bytes


async def _connection(
    port: int, request: bytes, ends: float, latencies: list[float] | None
) -> None:
    """One keep-alive connection sending the same GET back to back; 200 expected."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < ends:
            started = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            if latencies is not None:
                latencies.append(time.perf_counter() - started)
            if status_line.split()[1] != b"200":
                raise RuntimeError(f"answered {status_line!r} to {request!r}")
    finally:
        writer.close()


async def drive(port: int, request: bytes, concurrency: int, seconds: float) -> Load:
    """``concurrency`` connections for ``seconds``, after a half-second warm-up."""
    warm_end = time.perf_counter() + 0.5
    await asyncio.gather(*(_connection(port, request, warm_end, None) for _ in range(concurrency)))
    latencies: list[float] = []
    started = time.perf_counter()
    ends = started + seconds
    await asyncio.gather(*(_connection(port, request, ends, latencies) for _ in range(concurrency)))
    return Load(len(latencies), time.perf_counter() - started, latencies)


def set_up(url: str) -> tuple[int, str]:
    """A teacher's pupil with one completed homework of 5 exercises: (id, access token)."""
    with httpx.Client(base_url=url, timeout=30) as client:
        signed_in = client.post(
            "/api/auth/token", data={"username": TEACHER_EMAIL, "password": TEACHER_PASSWORD}
        )
        signed_in.raise_for_status()
        client.headers["Authorization"] = f"Bearer {signed_in.json()['access_token']}"
        pupil = client.post(
            "/api/teacher/students", json={"name": "Giulia Rossi", "email": "giulia@example.com"}
        )
        pupil.raise_for_status()
        student_id, token = int(pupil.json()["id"]), str(pupil.json()["access_token"])
        created = client.post(
            "/api/teacher/assignments",
            json={
                "cefr_level": "A2",
                "grammar_focus": "passato prossimo",
                "topic": "viaggi",
                "quantity": 5,
                "exercise_types": ["fill_in_blank", "multiple_choice", "translation"],
                "student_ids": [student_id],
            },
        )
        created.raise_for_status()
        ends = time.monotonic() + 60
        while (
            status := client.get(f"/api/teacher/assignments/{created.json()['id']}").json()[
                "status"
            ]
        ) != "completed":
            if status == "failed" or time.monotonic() > ends:
                raise RuntimeError(f"the assignment did not complete: {status}")
            time.sleep(0.05)
    return student_id, token


def check_same_read(url: str, student_id: int, token: str) -> None:
    """Both routes answer the same document, and the real one refuses a request without token."""
    real = httpx.get(
        f"{url}/api/student/{student_id}/homework",
        headers={"Authorization": f"Bearer {token}"},
    )
    bare = httpx.get(f"{url}/bench/student/{student_id}/homework")
    refused = httpx.get(f"{url}/api/student/{student_id}/homework")
    if real.status_code != 200 or real.content != bare.content or refused.status_code != 401:
        raise RuntimeError(f"the two reads differ: {real.status_code} {bare.status_code}")
    exercises = len(real.json()[0]["exercises"])
    if len(real.json()) != 1 or exercises != 5:
        raise RuntimeError(f"expected 1 homework of 5 exercises, got {real.text[:200]}")


def get(path: str, headers: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=4.0, help="each measured run")
    parser.add_argument("--rounds", type=int, default=6, help="runs of each variant, alternated")
    parser.add_argument("--concurrency", type=int, default=16, help="keep-alive connections")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="it-access-"))
    env = {
        "DATABASE_URL": f"sqlite:///{tmp / 'api.db'}",
        "INFERENCE_API_URL": "",
        "LOG_LEVEL": "WARNING",
        "TEACHER_EMAIL": TEACHER_EMAIL,
        "TEACHER_PASSWORD": TEACHER_PASSWORD,
        # Far out of reach: the per-token counter is still kept, as in production.
        "REQUESTS_PER_TOKEN": "1000000000/minute",
        "LOGIN_FAILURES_PER_ACCOUNT": "1000000/minute",
        "LOGIN_FAILURES_PER_ADDRESS": "1000000/minute",
    }
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    print(
        f"Access-check overhead — {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"c={args.concurrency}, {args.rounds} rounds x {args.seconds:g} s per variant"
    )
    command = [*uvicorn("benchmarks.access_overhead:serve_app", port), "--factory"]
    try:
        with process(command, env, f"{url}/health"):
            student_id, token = set_up(url)
            check_same_read(url, student_id, token)
            variants = [
                Variant(
                    CHECKED,
                    get(
                        f"/api/student/{student_id}/homework",
                        f"Authorization: Bearer {token}\r\n",
                    ),
                ),
                Variant(UNCHECKED, get(f"/bench/student/{student_id}/homework")),
            ]
            runs: dict[str, list[Load]] = {variant.name: [] for variant in variants}
            client_cpu = 0.0
            for round_ in range(args.rounds):
                for variant in variants if round_ % 2 == 0 else variants[::-1]:
                    cpu = time.process_time()
                    load = asyncio.run(drive(port, variant.request, args.concurrency, args.seconds))
                    client_cpu = max(client_cpu, (time.process_time() - cpu) / load.seconds)
                    runs[variant.name].append(load)
                    print(f"  round {round_ + 1}: " + load.line(variant.name))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report(runs, client_cpu)


def report(runs: dict[str, list[Load]], client_cpu: float) -> None:
    """req/s: median of the rounds; p50 and p99: all rounds' latencies together; the verdict on
    the median of the per-round ratios (each round pairs adjacent runs, so drift cancels)."""

    def pooled(loads: list[Load]) -> Load:
        latencies = [latency for load in loads for latency in load.latencies]
        return Load(len(latencies), sum(load.seconds for load in loads), latencies)

    checked, unchecked = pooled(runs[CHECKED]), pooled(runs[UNCHECKED])
    rps = {name: statistics.median(load.rps for load in loads) for name, loads in runs.items()}
    ratios = [a.rps / b.rps for a, b in zip(runs[CHECKED], runs[UNCHECKED], strict=True)]
    ratio = statistics.median(ratios)
    print()
    print(f"{'GET homework (pupil)':<24}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name, load in ((CHECKED, checked), (UNCHECKED, unchecked)):
        print(f"{name:<24}{rps[name]:>10.0f}{load.pct(0.5):>10.2f}{load.pct(0.99):>10.2f}")
    print(
        f"{'ratio with / without':<24}{ratio:>10.2f}"
        f"{checked.pct(0.5) / unchecked.pct(0.5):>10.2f}"
        f"{checked.pct(0.99) / unchecked.pct(0.99):>10.2f}"
    )
    slower = 1 / ratio - 1
    print(
        f"\nWith the access checks a request takes {slower:.0%} longer (req/s ratio per round: "
        f"{', '.join(f'{r:.2f}' for r in ratios)}; median {ratio:.2f}).  "
        f"[{'PASS' if slower <= TARGET_SLOWDOWN else 'MISS'}: target at most "
        f"{TARGET_SLOWDOWN:.0%} slower, i.e. ratio >= {1 / (1 + TARGET_SLOWDOWN):.2f}]"
    )
    print(f"Load generator: at most {client_cpu:.0%} of one CPU, so not the bottleneck.")


if __name__ == "__main__":
    main()
