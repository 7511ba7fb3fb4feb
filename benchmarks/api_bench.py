"""Measure the API end to end and print figures against a bare-FastAPI ceiling from the same run.

Starts real processes on 127.0.0.1 — a fake worker with a fixed latency, the API (uvicorn, as
run_api.sh starts it) and a bare FastAPI app — and drives them with one Python load generator:

  (a) time for an assignment of 20 students x 5 exercises to complete at 1.0 s worker latency,
      and the worker's peak concurrency (target <= 1.3 s)
  (b) GET homework: req/s, p50, p99 at concurrency 32 (target >= 70% of the ceiling's req/s,
      p99 <= 2x the ceiling's p99)
  (c) POST student: req/s, p99 at concurrency 16 against the durable-write ceiling, the same
      bare app doing one raw sqlite3 INSERT + COMMIT per request (WAL, synchronous=NORMAL)
      (target >= 60% of the ceiling's req/s, p99 <= 50 ms)
  (d) time to complete 20 students with the worker down, and with it hung
      (targets: <= 1 s; <= the configured deadline + 1 s)

(b) and (c) alternate with their ceilings in --rounds rounds (the bare app runs beside the API
all along): the ratio printed is the median of the rounds' ratios, each taken between
neighbouring rounds, since this machine's speed drifts by tens of percent within a minute.

Usage: .venv/bin/python benchmarks/api_bench.py [--seconds 8] [--rounds 4] [--client raw|httpx]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
HUNG_DEADLINE = 5.0
TEACHER_EMAIL = "bench@example.com"
TEACHER_PASSWORD = "bench-password-long-enough"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float = 30) -> None:
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@contextmanager
def process(args: list[str], env: dict[str, str], ready_url: str) -> Iterator[None]:
    proc = subprocess.Popen(
        args,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_http(ready_url)
        yield
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def uvicorn(app: str, port: int) -> list[str]:
    return [
        PYTHON,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]


@contextmanager
def fake_worker(mode: str = "ok", latency: float = 0.0) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [
        PYTHON,
        "-m",
        "tests.fake_worker",
        "--port",
        str(port),
        "--mode",
        mode,
        "--latency",
        str(latency),
    ]
    with process(args, {}, f"{url}/health"):
        yield url


@contextmanager
def api(worker_url: str | None, db: Path, **env: str) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = {
        "DATABASE_URL": f"sqlite:///{db}",
        "INFERENCE_API_URL": worker_url or "",
        "LOG_LEVEL": "WARNING",
        "GENERATION_POLL_SECONDS": "1",
        "TEACHER_EMAIL": TEACHER_EMAIL,
        "TEACHER_PASSWORD": TEACHER_PASSWORD,
        "REQUESTS_PER_TOKEN": "100000000/minute",
        **env,
    }
    with process(uvicorn("api.main:app", port), settings, f"{url}/health"):
        yield url


@dataclass
class Load:
    requests: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def line(self, name: str) -> str:
        return (
            f"{name:<34} {self.rps:8.0f} req/s   p50 {self.pct(0.5):6.1f} ms   "
            f"p99 {self.pct(0.99):6.1f} ms   (n={self.requests})"
        )


# method, path, JSON body or None, bearer token or None
RequestMaker = Callable[[int], tuple[str, str, bytes | None, str | None]]


async def _raw_loop(
    port: int,
    make: RequestMaker,
    expect: int,
    ends: float,
    latencies: list[float],
    counter: list[int],
) -> None:
    """One keep-alive HTTP/1.1 connection sending requests back to back (a minimal client:
    a general-purpose one would spend more CPU than the server and measure itself)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < ends:
            counter[0] += 1
            method, path, body, token = make(counter[0])
            head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            if token is not None:
                head += f"Authorization: Bearer {token}\r\n"
            if body is not None:
                head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            started = time.perf_counter()
            writer.write(head.encode() + b"\r\n" + (body or b""))
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            status = int(status_line.split()[1])
            if status != expect:
                raise RuntimeError(f"{method} {path} answered {status}, expected {expect}")
    finally:
        writer.close()


async def _httpx_loop(
    port: int,
    make: RequestMaker,
    expect: int,
    ends: float,
    latencies: list[float],
    counter: list[int],
) -> None:
    """The same loop through httpx, a typical Python client (it spends more CPU per request)."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        while time.perf_counter() < ends:
            counter[0] += 1
            method, path, body, token = make(counter[0])
            headers = {"Content-Type": "application/json"} if body else {}
            if token is not None:
                headers["Authorization"] = f"Bearer {token}"
            started = time.perf_counter()
            response = await client.request(method, path, content=body, headers=headers)
            latencies.append(time.perf_counter() - started)
            if response.status_code != expect:
                raise RuntimeError(f"{method} {path} answered {response.status_code}")


CLIENT = "raw"


async def load(
    port: int, make: RequestMaker, concurrency: int, seconds: float, expect: int
) -> Load:
    """Drive ``concurrency`` connections for ``seconds`` after a short warm-up."""
    _connection_loop = _raw_loop if CLIENT == "raw" else _httpx_loop
    counter = [0]
    warm: list[float] = []
    warm_end = time.perf_counter() + min(1.0, seconds / 4)
    await asyncio.gather(
        *(_connection_loop(port, make, expect, warm_end, warm, counter) for _ in range(concurrency))
    )
    latencies: list[float] = []
    started = time.perf_counter()
    ends = started + seconds
    await asyncio.gather(
        *(
            _connection_loop(port, make, expect, ends, latencies, counter)
            for _ in range(concurrency)
        )
    )
    return Load(len(latencies), time.perf_counter() - started, latencies)


Target = tuple[int, RequestMaker, int]  # port, requests, expected status


def alternate(
    ceiling: Target, ours: Target, concurrency: int, seconds: float, rounds: int
) -> tuple[Load, Load, list[float]]:
    """Load the ceiling and the API in alternating rounds of ``seconds / rounds`` each: both
    totals, and each round's ratio of req/s (the machine's speed drifts; a pair of neighbouring
    rounds sees the same machine)."""
    loads: tuple[list[Load], list[Load]] = ([], [])
    for _ in range(rounds):
        for (port, make, expect), done in zip((ceiling, ours), loads, strict=True):
            done.append(asyncio.run(load(port, make, concurrency, seconds / rounds, expect)))
    totals = [
        Load(
            sum(run.requests for run in runs),
            sum(run.seconds for run in runs),
            [latency for run in runs for latency in run.latencies],
        )
        for runs in loads
    ]
    ratios = [mine.rps / bare.rps for bare, mine in zip(*loads, strict=True)]
    return totals[0], totals[1], ratios


def _percentages(ratios: list[float]) -> str:
    return " ".join(f"{ratio:.0%}" for ratio in ratios)


def sign_in(url: str) -> str:
    """The teacher's bearer token."""
    answer = httpx.post(
        f"{url}/api/auth/token", data={"username": TEACHER_EMAIL, "password": TEACHER_PASSWORD}
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def create_students(url: str, token: str, count: int, prefix: str) -> list[tuple[int, str]]:
    """``count`` pupils as (id, their own bearer token)."""
    pupils = []
    for i in range(count):
        answer = httpx.post(
            f"{url}/api/teacher/students",
            json={"name": f"{prefix} {i}", "email": f"{prefix}{i}@example.com"},
            headers={"Authorization": f"Bearer {token}"},
        )
        answer.raise_for_status()
        pupils.append((answer.json()["id"], answer.json()["access_token"]))
    return pupils


def time_assignment(
    url: str, token: str, pupils: list[tuple[int, str]], quantity: int = 5
) -> tuple[float, dict]:
    student_ids = [pupil_id for pupil_id, _ in pupils]
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, timeout=30, headers=auth) as client:
        started = time.perf_counter()
        created = client.post(
            "/api/teacher/assignments",
            json={
                "cefr_level": "A2",
                "grammar_focus": "passato prossimo",
                "topic": "viaggi",
                "quantity": quantity,
                "student_ids": student_ids,
                "exercise_types": ["fill_in_blank", "multiple_choice", "translation"],
            },
        )
        created.raise_for_status()
        while True:
            body = client.get(f"/api/teacher/assignments/{created.json()['id']}").json()
            if body["status"] in ("completed", "failed"):
                return time.perf_counter() - started, body
            time.sleep(0.01)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--seconds", type=float, default=8.0, help="duration of each load run (all its rounds)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="alternating rounds of ceiling and API per measurement; the ratio is their median",
    )
    parser.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="load generator: a minimal keep-alive socket client (default), or httpx",
    )
    args = parser.parse_args()
    global CLIENT
    CLIENT = args.client
    tmp = Path(tempfile.mkdtemp(prefix="it-bench-"))
    print(
        f"Italian Teacher API benchmark — {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"load generator: {args.client}"
    )

    # Ceilings: the same server stack and load generator on bare endpoints, running beside the
    # API for the whole run, so that each measurement alternates with its ceiling's.
    port = free_port()
    bare_env = {"BARE_SQLITE": str(tmp / "bare.db")}
    written = itertools.count()  # emails stay unique across rounds, in both apps
    bare: RequestMaker = lambda _i: ("GET", "/bare", None, None)  # noqa: E731
    bare_write: RequestMaker = lambda _i: (  # noqa: E731
        "POST",
        "/bare/write",
        json.dumps({"name": "Bench", "email": f"b{next(written)}@example.com"}).encode(),
        None,
    )
    with (
        process(
            uvicorn("benchmarks.bare_app:app", port), bare_env, f"http://127.0.0.1:{port}/bare"
        ),
        fake_worker(latency=1.0) as worker_url,
        api(worker_url, tmp / "a.db") as url,
    ):
        teacher = sign_in(url)
        pupils = create_students(url, teacher, 20, "a")
        httpx.get(f"{worker_url}/stats/reset")
        elapsed, body = time_assignment(url, teacher, pupils)
        peak = httpx.get(f"{worker_url}/stats").json()["peak_in_flight"]
        print(
            f"(a) 20 students x 5 exercises at 1.0 s latency: {elapsed:.2f} s, worker peak "
            f"concurrency {peak}, status {body['status']}   [{verdict(elapsed <= 1.3)} <= 1.3 s]"
        )

        homework = [
            (
                sid,
                token,
                httpx.get(
                    f"{url}/api/student/{sid}/homework",
                    headers={"Authorization": f"Bearer {token}"},
                ).json()[0]["id"],
            )
            for sid, token in pupils
        ]
        api_port = int(url.rsplit(":", 1)[1])
        read: RequestMaker = lambda i: (  # noqa: E731
            "GET",
            f"/api/student/{homework[i % 20][0]}/homework/{homework[i % 20][2]}",
            None,
            homework[i % 20][1],
        )
        ceiling32, get, ratios = alternate(
            (port, bare, 200), (api_port, read, 200), 32, args.seconds, args.rounds
        )
        print(ceiling32.line("ceiling GET bare (c=32)"))
        ratio = statistics.median(ratios)
        p99 = get.pct(0.99) / ceiling32.pct(0.99)
        print(
            get.line("(b) GET homework (c=32)") + f"   {ratio:.0%} of ceiling "
            f"(rounds: {_percentages(ratios)}), p99 {p99:.2f}x   "
            f"[{verdict(ratio >= 0.7 and p99 <= 2)} >= 70%, <= 2x]"
        )

        create: RequestMaker = lambda _i: (  # noqa: E731
            "POST",
            "/api/teacher/students",
            json.dumps({"name": "Bench", "email": f"b{next(written)}@example.com"}).encode(),
            teacher,
        )
        ceiling16, post, ratios = alternate(
            (port, bare_write, 201), (api_port, create, 201), 16, args.seconds, args.rounds
        )
        print(ceiling16.line("ceiling INSERT+COMMIT (c=16)"))
        ratio = statistics.median(ratios)
        print(
            post.line("(c) POST student (c=16)") + f"   {ratio:.0%} of ceiling "
            f"(rounds: {_percentages(ratios)})   "
            f"[{verdict(ratio >= 0.6 and post.pct(0.99) <= 50)} >= 60%, p99 <= 50 ms]"
        )

    with api(f"http://127.0.0.1:{free_port()}", tmp / "d.db") as url:
        teacher = sign_in(url)
        elapsed, body = time_assignment(url, teacher, create_students(url, teacher, 20, "d"))
        print(
            f"(d) 20 students, worker down: {elapsed:.2f} s ({body['error_message']})   "
            f"[{verdict(elapsed <= 1.0)} <= 1 s]"
        )
    with (
        fake_worker(mode="hang") as worker_url,
        api(worker_url, tmp / "h.db", GENERATION_DEADLINE_SECONDS=str(HUNG_DEADLINE)) as url,
    ):
        teacher = sign_in(url)
        elapsed, body = time_assignment(url, teacher, create_students(url, teacher, 20, "h"))
        print(
            f"(d) 20 students, worker hung (deadline {HUNG_DEADLINE:g} s): {elapsed:.2f} s   "
            f"[{verdict(elapsed <= HUNG_DEADLINE + 1)} <= {HUNG_DEADLINE + 1:g} s]"
        )


if __name__ == "__main__":
    main()
