"""Mixed load on the API: many concurrent clients on every endpoint while assignments are created.

Starts the API (uvicorn on 127.0.0.1, as run_api.sh does; a fresh SQLite file; no worker, so the
offline generator writes the exercises) and sets it up through the REST API: the teacher signs in,
creates pupils, two classes and a few assignments, and waits until they are generated. Then, for
each level of concurrent clients, for a fixed time:

  * every client is one keep-alive connection sending one request after another, by default
    without a pause (so N clients keep N requests in flight; --think adds one), each request
    drawn from MIX: pupils listing and reading their homework, saving answers and now and then
    handing one in; teachers listing students, classes and assignments, reading progress,
    results and the pupils' homework, creating students (and deleting some of them again) and
    classes, adding pupils to a class; GET /health. Left out: what would pull a credential from
    under the other clients (a pupil's new link, signing out) and deleting classes and
    assignments;
  * one more teacher creates an assignment every --assignment-every seconds (alternately for a
    class and for a dozen pupils, new ones included), and one more connection polls the progress
    of each, as the teacher's page does; when one completes its homework join the pupils' pool.

Each request has a REQUEST_TIMEOUT; one that runs out counts as a timeout and its connection is
replaced. Errors: every answer other than the expected status, and every broken connection. One
answer is expected besides success: 409 to a pupil's submission, since two clients of the same
pupil may save and hand in the same homework at once and the API refuses to change a homework
already handed in (it is counted and shown apart).

Printed per level: requests and req/s, errors (grouped by endpoint, status and text, with when
they first and last happened), timeouts, p50/p99 per endpoint, /health p99, the API process's
CPU and peak RSS (VmRSS sampled every 0.2 s), the load generator's own CPU, and whether every
assignment created during the level completed within COMPLETION_DEADLINE seconds of its end.
Verdict: PASS when every level had no error and no timeout, every assignment completed and
/health p99 < HEALTH_P99_TARGET; else MISS with what failed (exit code 1).

The load generator is a minimal HTTP/1.1 client on raw asyncio sockets (uvloop when installed),
as in api_bench.py: httpx would spend more CPU than the server at 500 connections on two cores.
Its CPU is printed so that one can tell.

Usage: .venv/bin/python benchmarks/api_load.py [--clients 100,300,500] [--seconds 30] [--quick]
                                               [--assignment-every 3] [--think 0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.api_bench import free_port, uvicorn, wait_http  # noqa: E402

TEACHER_EMAIL = "teacher@example.com"
TEACHER_PASSWORD = "correct-horse-battery"
TEACHER_SESSIONS = 4  # sign-ins: the teacher's requests are spread over these tokens
PUPILS = 60
REQUEST_TIMEOUT = 10.0
COMPLETION_DEADLINE = 60.0
HEALTH_P99_TARGET = 1.0
RSS_SAMPLE_SECONDS = 0.2
PROGRESS_POLL_SECONDS = 0.5
GRAMMAR = ["presente", "passato prossimo", "imperfetto", "futuro semplice", "articoli"]
TOPICS = ["viaggi", "cibo", "famiglia", "scuola", "città"]
LEVELS = ["A1", "A2", "B1", "B2"]

# Endpoint labels, as printed.
PUPIL_LIST = "GET  /api/student/{id}/homework"
PUPIL_GET = "GET  /api/student/{id}/homework/{hid}"
PUPIL_SAVE = "POST /api/student/{id}/homework/{hid}/submissions (save)"
PUPIL_HAND_IN = "POST /api/student/{id}/homework/{hid}/submissions (hand in)"
STUDENTS = "GET  /api/teacher/students"
STUDENT = "GET  /api/teacher/students/{id}"
STUDENT_CREATE = "POST /api/teacher/students"
STUDENT_DELETE = "DEL  /api/teacher/students/{id}"
CLASSES = "GET  /api/teacher/classes"
CLASS = "GET  /api/teacher/classes/{id}"
CLASS_CREATE = "POST /api/teacher/classes"
CLASS_ADD = "POST /api/teacher/classes/{id}/students"
ASSIGNMENTS = "GET  /api/teacher/assignments"
ASSIGNMENT = "GET  /api/teacher/assignments/{id}"
ASSIGNMENT_CREATE = "POST /api/teacher/assignments"
RESULTS = "GET  /api/teacher/assignments/{id}/results"
ASSIGNMENT_HOMEWORK = "GET  /api/teacher/assignments/{id}/homework"
TEACHER_HOMEWORK = "GET  /api/teacher/homework/{hid}"
HEALTH = "GET  /health"

# Share of the clients' requests (percent): pupils polling dominate, as in a class at work.
MIX = {
    PUPIL_LIST: 31.0,
    PUPIL_GET: 22.0,
    PUPIL_SAVE: 14.0,
    PUPIL_HAND_IN: 0.4,
    STUDENTS: 5.0,
    STUDENT: 1.0,
    STUDENT_CREATE: 1.0,
    STUDENT_DELETE: 0.4,
    CLASSES: 4.0,
    CLASS: 1.0,
    CLASS_CREATE: 0.3,
    CLASS_ADD: 0.3,
    ASSIGNMENTS: 5.0,
    ASSIGNMENT: 5.0,
    RESULTS: 4.0,
    ASSIGNMENT_HOMEWORK: 2.0,
    TEACHER_HOMEWORK: 1.6,
    HEALTH: 2.0,
}


# -- the API process ------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def rss_kib(self) -> int:
        """VmRSS of the uvicorn process, from /proc."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def cpu_seconds(self) -> float:
        """User + system CPU time of the uvicorn process, from /proc."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def serve_api(tmp: Path) -> Iterator[Server]:
    """``uvicorn api.main:app`` on a fresh SQLite file; its output goes to ``tmp/api.log``."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'api.db'}",
        "INFERENCE_API_URL": "",
        "TEACHER_EMAIL": TEACHER_EMAIL,
        "TEACHER_PASSWORD": TEACHER_PASSWORD,
        "REQUESTS_PER_TOKEN": "100000000/minute",
        "LOG_LEVEL": "WARNING",
    }
    log = tmp / "api.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            uvicorn("api.main:app", port), cwd=ROOT, env=env, stdout=out, stderr=out
        )
    try:
        wait_http(f"{url}/health")
        yield Server(url, port, proc, log)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


# -- the world the clients act in -----------------------------------------------------------


@dataclass
class Pupil:
    id: int
    auth: str  # the Authorization header line
    homework: list[int] = field(default_factory=list)
    open: list[int] = field(default_factory=list)  # not handed in yet


@dataclass
class World:
    """What the clients know: tokens, pupils and their homework, classes and assignments."""

    teacher_auth: list[str]
    pupils: dict[int, Pupil]
    classes: list[int]
    setup_classes: list[int]
    assignments: list[int]
    leavers: list[int] = field(default_factory=list)  # students created to be deleted again
    serial: int = 0

    def __post_init__(self) -> None:
        self.with_homework = [p for p in self.pupils.values() if p.homework]

    def add_homework(self, rows: list[dict[str, Any]]) -> None:
        """Homework of a completed assignment (GET .../homework) joins the pupils' pool."""
        for row in rows:
            pupil = self.pupils.get(row["student_id"])
            if pupil is None or row["id"] in pupil.homework:
                continue
            if not pupil.homework:
                self.with_homework.append(pupil)
            pupil.homework.append(row["id"])
            if row["status"] in ("available", "in_progress"):
                pupil.open.append(row["id"])

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial


@dataclass
class Request:
    label: str
    method: str
    path: str
    auth: str
    body: dict[str, Any] | list[Any] | None = None
    expect: int = 200
    tolerate: int | None = None  # another expected status (a submission's 409)
    then: Callable[[int, bytes], None] | None = None  # sees the status and body

    def encode(self) -> bytes:
        head = f"{self.method} {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{self.auth}"
        if self.body is None:
            return (head + "\r\n").encode()
        payload = json.dumps(self.body).encode()
        head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        return head.encode() + payload


def draw(world: World, rng: random.Random) -> Request:
    """One request of the mix."""
    label = rng.choices(MIX_LABELS, cum_weights=MIX_CUMULATIVE)[0]
    teacher = rng.choice(world.teacher_auth)
    if label in (PUPIL_LIST, PUPIL_GET, PUPIL_SAVE, PUPIL_HAND_IN):
        return _pupil_request(world, rng, label)
    if label == STUDENTS:
        return Request(label, "GET", "/api/teacher/students", teacher)
    if label == STUDENT:
        return Request(label, "GET", f"/api/teacher/students/{rng.choice(PUPIL_IDS)}", teacher)
    if label == STUDENT_CREATE:
        return _create_student(world, teacher)
    if label == STUDENT_DELETE:
        if not world.leavers:  # none created yet: the teacher looks at the list instead
            return Request(STUDENTS, "GET", "/api/teacher/students", teacher)
        student_id = world.leavers.pop()
        return Request(label, "DELETE", f"/api/teacher/students/{student_id}", teacher, None, 204)
    if label == CLASSES:
        return Request(label, "GET", "/api/teacher/classes", teacher)
    if label == CLASS:
        return Request(label, "GET", f"/api/teacher/classes/{rng.choice(world.classes)}", teacher)
    if label == CLASS_CREATE:
        return _create_class(world, teacher)
    if label == CLASS_ADD:
        class_id = rng.choice(world.classes[len(world.setup_classes) :] or world.classes)
        members = rng.sample(list(world.pupils), 3)
        path = f"/api/teacher/classes/{class_id}/students"
        return Request(label, "POST", path, teacher, {"student_ids": members})
    if label == ASSIGNMENTS:
        return Request(label, "GET", "/api/teacher/assignments", teacher)
    assignment = rng.choice(world.assignments)
    if label == ASSIGNMENT:
        return Request(label, "GET", f"/api/teacher/assignments/{assignment}", teacher)
    if label == RESULTS:
        return Request(label, "GET", f"/api/teacher/assignments/{assignment}/results", teacher)
    if label == ASSIGNMENT_HOMEWORK:
        return Request(label, "GET", f"/api/teacher/assignments/{assignment}/homework", teacher)
    if label == TEACHER_HOMEWORK:
        homework = rng.choice(rng.choice(world.with_homework).homework)
        return Request(label, "GET", f"/api/teacher/homework/{homework}", teacher)
    return Request(HEALTH, "GET", "/health", "")


def _pupil_request(world: World, rng: random.Random, label: str) -> Request:
    pupil = rng.choice(world.with_homework)
    base = f"/api/student/{pupil.id}/homework"
    if label == PUPIL_LIST:
        return Request(label, "GET", base, pupil.auth)
    if label == PUPIL_GET or not pupil.open:
        return Request(PUPIL_GET, "GET", f"{base}/{rng.choice(pupil.homework)}", pupil.auth)
    homework = rng.choice(pupil.open)
    final = label == PUPIL_HAND_IN

    def handed_in(status: int, _body: bytes) -> None:
        if (final and status == 200) or status == 409:
            if homework in pupil.open:
                pupil.open.remove(homework)

    return Request(
        label,
        "POST",
        f"{base}/{homework}/submissions",
        pupil.auth,
        {"answers": ["sono andata", "abbiamo mangiato", None], "final": final},
        tolerate=409,
        then=handed_in,
    )


def _create_student(world: World, teacher: str) -> Request:
    serial = world.next_serial()

    def keep(status: int, body: bytes) -> None:
        if status != 201:
            return
        created = json.loads(body)
        if serial % 3 == 0:  # one in three leaves again (DELETE), the others join the pool
            world.leavers.append(created["id"])
        else:
            auth = f"Authorization: Bearer {created['access_token']}\r\n"
            world.pupils[created["id"]] = Pupil(created["id"], auth)

    body = {"name": f"Alunno {serial}", "email": f"alunno{serial}@example.com"}
    return Request(STUDENT_CREATE, "POST", "/api/teacher/students", teacher, body, 201, then=keep)


def _create_class(world: World, teacher: str) -> Request:
    def keep(status: int, body: bytes) -> None:
        if status == 201:
            world.classes.append(json.loads(body)["id"])

    body = {"name": f"Corso {world.next_serial()}"}
    return Request(CLASS_CREATE, "POST", "/api/teacher/classes", teacher, body, 201, then=keep)


MIX_LABELS = list(MIX)
MIX_CUMULATIVE = [sum(list(MIX.values())[: i + 1]) for i in range(len(MIX))]
PUPIL_IDS: list[int] = []  # the pupils created at set-up (never deleted)


# -- the load generator ---------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection (Content-Length bodies only, as the API answers)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, request: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(request)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
            elif name == b"transfer-encoding":
                raise ConnectionError("a chunked answer (not expected from this API)")
        body = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        return int(status_line.split()[1]), body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Stats:
    """What one level measured."""

    started: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    timeouts: Counter[str] = field(default_factory=Counter)
    broken: Counter[str] = field(default_factory=Counter)  # connections lost (also errors)
    tolerated: Counter[str] = field(default_factory=Counter)
    # (label, status or exception, text) -> [count, first, last] in seconds since the start
    samples: dict[tuple[str, str, str], list[float]] = field(default_factory=dict)
    recording: bool = True

    def note(self, label: str, what: str, text: str) -> None:
        now = time.perf_counter() - self.started
        sample = self.samples.setdefault((label, what, text[:200]), [0, now, now])
        sample[0] += 1
        sample[2] = now


async def call(connection: Connection, request: Request, stats: Stats) -> tuple[int, bytes] | None:
    """Send one request under REQUEST_TIMEOUT and record it; None on a timeout or broken line."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT):
            status, body = await connection.send(request.encode())
    except TimeoutError:
        connection.close()  # its answer may still come: this connection is out of step
        if stats.recording:
            stats.timeouts[request.label] += 1
            stats.note(request.label, "timeout", f"no answer within {REQUEST_TIMEOUT:g} s")
        return None
    except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
        connection.close()
        if stats.recording:
            stats.errors[request.label] += 1
            stats.broken[request.label] += 1
            stats.note(request.label, type(exc).__name__, str(exc))
        await asyncio.sleep(0.05)  # no busy loop against a server that is gone
        return None
    if stats.recording:
        stats.latencies[request.label].append(time.perf_counter() - started)
        if status == request.tolerate:
            stats.tolerated[request.label] += 1
        elif status != request.expect:
            stats.errors[request.label] += 1
            stats.note(request.label, str(status), body.decode(errors="replace"))
    if request.then is not None:
        request.then(status, body)
    return status, body


async def client(
    port: int, world: World, stats: Stats, ends: float, seed: int, think: float
) -> None:
    rng = random.Random(seed)
    connection = Connection(port)
    try:
        while time.perf_counter() < ends:
            await call(connection, draw(world, rng), stats)
            if think:  # not past the end: the level's duration stays what was asked
                pause = rng.uniform(0, 2 * think)
                await asyncio.sleep(min(pause, max(0.0, ends - time.perf_counter())))
    finally:
        connection.close()


@dataclass
class Progress:
    """The assignments created during a level and how they ended."""

    created: dict[int, float] = field(default_factory=dict)  # id -> when (perf_counter)
    finished: dict[int, tuple[str, float]] = field(default_factory=dict)  # id -> status, seconds
    failed_creations: int = 0


async def assignment_stream(
    port: int, world: World, stats: Stats, progress: Progress, ends: float, every: float
) -> None:
    """A teacher creating an assignment every ``every`` seconds."""
    rng = random.Random(7)
    connection = Connection(port)
    due = time.perf_counter()
    try:
        while due < ends:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            serial = world.next_serial()
            body: dict[str, Any] = {
                "cefr_level": rng.choice(LEVELS),
                "grammar_focus": rng.choice(GRAMMAR),
                "topic": rng.choice(TOPICS),
                "quantity": rng.randint(5, 8),
            }
            if serial % 2:
                body["class_id"] = rng.choice(world.setup_classes)
            else:
                body["student_ids"] = rng.sample(list(world.pupils), 12)
            request = Request(
                ASSIGNMENT_CREATE,
                "POST",
                "/api/teacher/assignments",
                rng.choice(world.teacher_auth),
                body,
                201,
            )
            answer = await call(connection, request, stats)
            if answer is not None and answer[0] == 201:
                progress.created[json.loads(answer[1])["id"]] = time.perf_counter()
            else:
                progress.failed_creations += 1
            due += every
    finally:
        connection.close()


async def watch_progress(
    port: int,
    world: World,
    stats: Stats,
    progress: Progress,
    stream: asyncio.Task[None],
    deadline: Callable[[], float],
) -> None:
    """Poll each new assignment until it completes or fails (the teacher's progress page);
    then its homework joins the pupils' pool and the teachers' reads cover it."""
    connection = Connection(port)
    teacher = world.teacher_auth[0]
    try:
        while time.perf_counter() < deadline():
            waiting = [a for a in progress.created if a not in progress.finished]
            if not waiting and stream.done():
                return
            for assignment in waiting:
                path = f"/api/teacher/assignments/{assignment}"
                answer = await call(connection, Request(ASSIGNMENT, "GET", path, teacher), stats)
                if answer is None or answer[0] != 200:
                    continue
                status = json.loads(answer[1])["status"]
                if status not in ("completed", "failed"):
                    continue
                took = time.perf_counter() - progress.created[assignment]
                progress.finished[assignment] = (status, took)
                request = Request(ASSIGNMENT_HOMEWORK, "GET", f"{path}/homework", teacher)
                homework = await call(connection, request, stats)
                if homework is not None and homework[0] == 200:
                    world.add_homework(json.loads(homework[1]))
                world.assignments.append(assignment)  # the teachers' reads now cover it too
            await asyncio.sleep(PROGRESS_POLL_SECONDS)
    finally:
        connection.close()


async def sample_rss(server: Server, ends: float, peak: list[int]) -> None:
    while time.perf_counter() < ends:
        try:
            peak[0] = max(peak[0], server.rss_kib())
        except OSError:
            return  # the process is gone; the level will say so
        await asyncio.sleep(RSS_SAMPLE_SECONDS)


@dataclass
class Level:
    clients: int
    planned: float  # seconds of new requests
    seconds: float  # until the last answer came back
    stats: Stats
    progress: Progress
    rss_start_kib: int
    rss_peak_kib: int
    server_cpu: float
    client_cpu: float
    load_average: float  # of this machine over the minute before the level
    new_log_lines: list[str]

    @property
    def requests(self) -> int:
        answered = sum(len(v) for v in self.stats.latencies.values())
        return answered + sum(self.stats.broken.values()) + sum(self.stats.timeouts.values())

    @property
    def errors(self) -> int:
        return sum(self.stats.errors.values())

    @property
    def timeouts(self) -> int:
        return sum(self.stats.timeouts.values())

    @property
    def health_p99(self) -> float | None:
        latencies = self.stats.latencies.get(HEALTH)
        return percentile(latencies, 0.99) if latencies else None

    @property
    def incomplete(self) -> int:
        done = sum(1 for status, _ in self.progress.finished.values() if status == "completed")
        return len(self.progress.created) - done + self.progress.failed_creations

    def failures(self) -> list[str]:
        """What missed the targets at this level; empty when it passed."""
        missed = []
        if self.errors:
            missed.append(f"{self.errors} errors")
        if self.timeouts:
            missed.append(f"{self.timeouts} timeouts")
        if self.incomplete:
            missed.append(f"{self.incomplete} assignments not completed")
        p99 = self.health_p99
        if p99 is None:
            missed.append("/health never answered")
        elif p99 >= HEALTH_P99_TARGET:
            missed.append(f"/health p99 {p99:.2f} s")
        return missed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run_level(
    server: Server, world: World, clients: int, seconds: float, every: float, think: float
) -> Level:
    """``clients`` connections for ``seconds``, the assignment stream beside them, then up to
    COMPLETION_DEADLINE more seconds for the new assignments to complete."""
    log_offset = server.log.stat().st_size
    load_average = os.getloadavg()[0]
    rss_start = server.rss_kib()
    peak = [rss_start]
    cpu_before, server_cpu_before = time.process_time(), server.cpu_seconds()
    started = time.perf_counter()
    ends = started + seconds
    stats, progress = Stats(started), Progress()
    clients_done: list[float] = []

    def deadline() -> float:
        return clients_done[0] + COMPLETION_DEADLINE if clients_done else float("inf")

    stream = asyncio.create_task(
        assignment_stream(server.port, world, stats, progress, ends, every)
    )
    watcher = asyncio.create_task(
        watch_progress(server.port, world, stats, progress, stream, deadline)
    )
    sampler = asyncio.create_task(sample_rss(server, ends + REQUEST_TIMEOUT, peak))
    await asyncio.gather(
        *(client(server.port, world, stats, ends, seed, think) for seed in range(clients)),
        stream,
    )
    finished = time.perf_counter()
    stats.recording = False  # the wait for completion below is not part of the load
    clients_done.append(finished)
    client_cpu = (time.process_time() - cpu_before) / (finished - started)
    server_cpu = (server.cpu_seconds() - server_cpu_before) / (finished - started)
    sampler.cancel()
    await watcher
    with server.log.open("rb") as log:
        log.seek(log_offset)
        new_lines = log.read().decode(errors="replace").splitlines()
    return Level(
        clients,
        seconds,
        finished - started,
        stats,
        progress,
        rss_start,
        peak[0],
        server_cpu,
        client_cpu,
        load_average,
        new_lines,
    )


def run(coroutine: Coroutine[Any, Any, Level]) -> Level:
    """Run on uvloop when it is installed: the load generator spends less CPU per request."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)


# -- set-up through the REST API ------------------------------------------------------------


def set_up(url: str) -> World:
    """Teacher sessions, PUPILS pupils, two classes and four generated assignments."""
    with httpx.Client(base_url=url, timeout=60) as api:
        tokens = []
        for _ in range(TEACHER_SESSIONS):
            signed_in = api.post(
                "/api/auth/token", data={"username": TEACHER_EMAIL, "password": TEACHER_PASSWORD}
            )
            signed_in.raise_for_status()
            tokens.append(signed_in.json()["access_token"])
        api.headers["Authorization"] = f"Bearer {tokens[0]}"
        pupils: dict[int, Pupil] = {}
        for i in range(PUPILS):
            created = api.post(
                "/api/teacher/students",
                json={"name": f"Pupil {i}", "email": f"pupil{i}@example.com"},
            )
            created.raise_for_status()
            body = created.json()
            pupils[body["id"]] = Pupil(
                body["id"], f"Authorization: Bearer {body['access_token']}\r\n"
            )
        ids = list(pupils)
        half = len(ids) // 2
        classes = []
        for name, members in (("3A", ids[:half]), ("3B", ids[half:])):
            created = api.post("/api/teacher/classes", json={"name": name})
            created.raise_for_status()
            class_id = created.json()["id"]
            api.post(
                f"/api/teacher/classes/{class_id}/students", json={"student_ids": members}
            ).raise_for_status()
            classes.append(class_id)
        assignments = []
        for target in (
            {"class_id": classes[0]},
            {"class_id": classes[1]},
            {"student_ids": ids[::3]},
            {"student_ids": ids},
        ):
            created = api.post(
                "/api/teacher/assignments",
                json={"cefr_level": "A2", "grammar_focus": "passato prossimo", "quantity": 6}
                | target,
            )
            created.raise_for_status()
            assignments.append(created.json()["id"])
        world = World(
            [f"Authorization: Bearer {token}\r\n" for token in tokens],
            pupils,
            list(classes),
            classes,
            assignments,
        )
        ends = time.monotonic() + COMPLETION_DEADLINE
        for assignment in assignments:
            while (
                status := api.get(f"/api/teacher/assignments/{assignment}").json()["status"]
            ) not in (
                "completed",
                "failed",
            ):
                if time.monotonic() > ends:
                    raise RuntimeError(f"set-up assignment {assignment} still {status}")
                time.sleep(0.1)
            if status != "completed":
                raise RuntimeError(f"set-up assignment {assignment} {status}")
            world.add_homework(api.get(f"/api/teacher/assignments/{assignment}/homework").json())
    PUPIL_IDS[:] = ids
    return world


# -- the report -----------------------------------------------------------------------------


def report(level: Level) -> None:
    stats = level.stats
    print(
        f"\n== {level.clients} clients for {level.planned:g} s (last answer at "
        f"{level.seconds:.1f} s): {level.requests} requests "
        f"({level.requests / level.seconds:.0f} req/s), {level.errors} errors, "
        f"{level.timeouts} timeouts, {sum(stats.tolerated.values())} expected 409 "
        f"(submission to a homework already handed in)"
    )
    print(
        f"   API process: CPU {level.server_cpu:.0%} of one core, RSS "
        f"{level.rss_start_kib / 1024:.0f} MiB at the start, peak {level.rss_peak_kib / 1024:.0f} MiB; load generator: CPU "
        f"{level.client_cpu:.0%} of one core (this machine: {os.cpu_count()} CPUs, load "
        f"average {level.load_average:.1f} just before)"
    )
    print(f"   {'endpoint':<60}{'n':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'err':>6}{'t/o':>6}")
    for label in [*MIX_LABELS, ASSIGNMENT_CREATE]:
        latencies = stats.latencies.get(label, [])
        errors, timeouts = stats.errors[label], stats.timeouts[label]
        if not latencies and not errors and not timeouts:
            continue
        figures = (
            f"{percentile(latencies, 0.5) * 1000:>9.1f}{percentile(latencies, 0.99) * 1000:>9.1f}"
            f"{max(latencies) * 1000:>9.1f}"
            if latencies
            else f"{'-':>9}{'-':>9}{'-':>9}"
        )
        print(f"   {label:<60}{len(latencies):>8}{figures}{errors:>6}{timeouts:>6}")
    p99 = level.health_p99
    print(
        "   /health p99: "
        + (f"{p99 * 1000:.1f} ms" if p99 is not None else "no answer")
        + f"   [target < {HEALTH_P99_TARGET * 1000:.0f} ms]"
    )
    progress = level.progress
    completed = [took for status, took in progress.finished.values() if status == "completed"]
    print(
        f"   assignments created during the level: {len(progress.created)} "
        f"({progress.failed_creations} creations failed); completed within "
        f"{COMPLETION_DEADLINE:g} s of the end: {len(completed)}/{len(progress.created)}"
        + (f", slowest {max(completed):.1f} s after creation" if completed else "")
    )
    failed = [a for a, (status, _) in progress.finished.items() if status != "completed"]
    stuck = [a for a in progress.created if a not in progress.finished]
    if failed or stuck:
        print(f"   not completed: failed {failed}, still pending or generating {stuck}")
    if stats.samples:
        print("   errors and timeouts (endpoint, status, count, first/last second, text):")
        ordered = sorted(stats.samples.items(), key=lambda item: -item[1][0])
        for (label, what, text), (count, first, last) in ordered[:12]:
            print(
                f"     {label.split(' (')[0]} -> {what} x{count:.0f} "
                f"(at {first:.1f}-{last:.1f} s): {text}"
            )
    if level.new_log_lines:
        print(f"   API log: {len(level.new_log_lines)} new lines; the first ones:")
        for line in level.new_log_lines[:8]:
            print(f"     {line[:240]}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--clients", default="100,300,500", help="levels of concurrent clients, comma-separated"
    )
    parser.add_argument("--seconds", type=float, default=30.0, help="duration of each level")
    parser.add_argument("--quick", action="store_true", help="5-second levels")
    parser.add_argument(
        "--assignment-every",
        type=float,
        default=3.0,
        help="seconds between the assignments the teacher creates during a level",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean pause of a client between its requests, in seconds (default 0: none, so "
        "N clients keep N requests in flight)",
    )
    args = parser.parse_args()
    seconds = 5.0 if args.quick else args.seconds
    levels = [int(n) for n in args.clients.split(",")]

    tmp = Path(tempfile.mkdtemp(prefix="it-load-"))
    print(
        f"Italian Teacher API under mixed load — {os.cpu_count()} CPUs, Python "
        f"{sys.version.split()[0]}, levels {levels} clients x {seconds:g} s, one assignment "
        f"every {args.assignment_every:g} s, pause between a client's requests "
        f"{args.think:g} s on average, request timeout {REQUEST_TIMEOUT:g} s"
    )
    results: list[Level] = []
    with serve_api(tmp) as server:
        started = time.perf_counter()
        world = set_up(server.url)
        homework = sum(len(p.homework) for p in world.pupils.values())
        print(
            f"Set-up: {len(world.pupils)} pupils, {len(world.classes)} classes, "
            f"{len(world.assignments)} assignments, {homework} homework generated "
            f"({time.perf_counter() - started:.1f} s)"
        )
        for clients in levels:
            level = run(
                run_level(server, world, clients, seconds, args.assignment_every, args.think)
            )
            results.append(level)
            report(level)
            if server.process.poll() is not None:
                print(f"   the API process exited with code {server.process.returncode}")
                break

    missed = [
        f"{level.clients} clients: {', '.join(level.failures())}"
        for level in results
        if level.failures()
    ]
    if len(results) < len(levels):
        missed.append("the API process exited")
    # The database and the API's log stay for a look when the API logged something.
    kept = server.log.stat().st_size > 0
    if not kept:
        shutil.rmtree(tmp, ignore_errors=True)
    if missed:
        print(f"\nMISS: {'; '.join(missed)}" + (f"  (API log: {server.log})" if kept else ""))
        sys.exit(1)
    print(
        f"\nPASS: {len(results)} level(s), no errors, no timeouts, every assignment completed, "
        f"/health p99 < {HEALTH_P99_TARGET:g} s"
    )


if __name__ == "__main__":
    main()
