"""A fake inference worker that speaks real HTTP on 127.0.0.1, with switchable failure modes.

It answers ``POST /generate`` like the real worker (exercises from the offline grammar bank,
so the Italian is real) or misbehaves on purpose: HTTP 500, malformed JSON, a wrong schema, a
dropped connection, a hang, or a slow answer. A raw asyncio server gives full control over the
socket, which a framework would not (a dropped connection must really drop).

With ``streaming=True`` it speaks the streaming protocol when asked (``"stream": true``): an
NDJSON answer of ``start``, ``progress`` every ``progress_interval`` seconds and ``done`` (or
``error`` in mode ``stream_error``; silence after the last progress in mode ``stream_hang``),
and it counts clients that close the connection mid-stream. ``shape="original"`` answers in the
original Italian Teacher document's shape (no ``model``, no ``finish_reason``);
``failure_rate`` answers HTTP 500 to that share of requests, at random.

Run it alone for benchmarks: ``python -m tests.fake_worker --port 8001 --latency 1.0``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Literal

from api.generation.offline import generate_exercises
from inference_worker.contract import GenerateRequest

Mode = Literal[
    "ok",
    "error500",
    "malformed",
    "wrong_schema",
    "drop",
    "hang",
    "wrong_count",
    "unauthorized",
    "stream_hang",
    "stream_error",
]
Shape = Literal["full", "original"]


@dataclass
class FakeWorkerStats:
    requests: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0
    seeds: list[int | None] = field(default_factory=list)
    authorization: list[str | None] = field(default_factory=list)
    stream_flags: list[object] = field(default_factory=list)
    streamed: int = 0
    disconnects: int = 0


class FakeWorker:
    """The server; ``mode`` and ``latency`` may be changed while it runs."""

    def __init__(
        self,
        *,
        mode: Mode = "ok",
        latency: float = 0.0,
        api_key: str | None = None,
        streaming: bool = False,
        shape: Shape = "full",
        failure_rate: float = 0.0,
        progress_interval: float = 0.2,
        random_seed: int | None = None,
        cache_exercises: bool = False,
    ) -> None:
        self.mode: Mode = mode
        self.latency = latency
        self.api_key = api_key
        self.streaming = streaming
        self.shape: Shape = shape
        self.failure_rate = failure_rate
        self.progress_interval = progress_interval
        self._random = random.Random(random_seed)
        # Benchmarks: generate once per kind of request, so the simulation costs no CPU.
        self.cache_exercises = cache_exercises
        self._cache: dict[str, list[dict[str, object]]] = {}
        self.stats = FakeWorkerStats()
        self.port = 0
        self._server: asyncio.Server | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, port: int = 0) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", port, backlog=512)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    return
                method, path, _ = request_line.decode().split(" ", 2)
                headers: dict[str, str] = {}
                while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = line.decode().partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                if not await self._respond(method, path, headers, body, reader, writer):
                    return
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            return
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _respond(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        if path == "/stats":
            await _send(
                writer,
                200,
                {"requests": self.stats.requests, "peak_in_flight": self.stats.peak_in_flight},
            )
            return True
        if path == "/stats/reset":
            self.stats = FakeWorkerStats()
            await _send(writer, 200, {"reset": True})
            return True
        if path == "/health":
            await _send(writer, 200, {"status": "ok", "model": "fake-italian-7b"})
            return True
        if method != "POST" or path != "/generate":
            await _send(writer, 404, {"detail": "not found"})
            return True
        with self._lock:
            self.stats.requests += 1
            self.stats.in_flight += 1
            self.stats.peak_in_flight = max(self.stats.peak_in_flight, self.stats.in_flight)
            self.stats.authorization.append(headers.get("authorization"))
        try:
            payload = json.loads(body)
            self.stats.seeds.append(payload.get("seed"))
            self.stats.stream_flags.append(payload.get("stream"))
            if (
                self.api_key is not None
                and headers.get("authorization") != f"Bearer {self.api_key}"
            ):
                await _send(writer, 401, {"detail": "missing or wrong bearer key"})
                return True
            mode = self.mode
            if self.failure_rate and self._random.random() < self.failure_rate:
                await asyncio.sleep(self.latency * self._random.random())
                await _send(writer, 500, {"detail": "CUDA out of memory"})
                return True
            if self.streaming and payload.get("stream") is True and mode in _STREAMED:
                request = GenerateRequest.model_validate(payload)
                return await self._stream(request, reader, writer)
            if mode == "hang":
                await asyncio.sleep(3600)
            if self.latency:
                await asyncio.sleep(self.latency)
            if mode == "drop":
                writer.transport.abort()
                return False
            if mode == "error500":
                await _send(writer, 500, {"detail": "CUDA out of memory"})
                return True
            if mode == "malformed":
                await _send_raw(writer, 200, b'{"exercises": [{"type": "fill_in_blank", "quest')
                return True
            if mode == "unauthorized":
                await _send(writer, 401, {"detail": "wrong key"})
                return True
            request = GenerateRequest.model_validate(payload)
            await _send(writer, 200, self._answer(request, mode))
            return True
        finally:
            with self._lock:
                self.stats.in_flight -= 1

    def _answer(self, request: GenerateRequest, mode: Mode) -> dict[str, object]:
        started = time.perf_counter()
        if self.cache_exercises:
            key = request.model_dump_json(exclude={"seed"})
            if key not in self._cache:
                made = generate_exercises(request, seed=request.seed or 0)
                self._cache[key] = [e.model_dump() for e in made]
            exercises = [dict(e) for e in self._cache[key]]
        else:
            exercises = [
                e.model_dump() for e in generate_exercises(request, seed=request.seed or 0)
            ]
        if mode == "wrong_schema":
            for exercise in exercises:
                exercise.pop("correct_answer")
        if mode == "wrong_count":
            exercises = exercises[:-1] if len(exercises) > 1 else exercises * 2
        answer: dict[str, object] = {
            "exercises": exercises,
            "generated_tokens": 40 * len(exercises),
            "inference_time": round(self.latency + time.perf_counter() - started, 3),
        }
        if self.shape == "full":
            answer |= {"model": "fake-italian-7b", "finish_reason": "stop"}
        return answer

    async def _stream(
        self, request: GenerateRequest, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """An NDJSON answer; a client that closes the connection stops it (and is counted)."""
        self.stats.streamed += 1
        sender = asyncio.create_task(self._send_stream(request, writer))
        closed = asyncio.create_task(reader.read(1))
        done, _ = await asyncio.wait({sender, closed}, return_when=asyncio.FIRST_COMPLETED)
        if sender not in done:
            sender.cancel()
            with contextlib.suppress(BaseException):
                await sender
            if closed.result() == b"":
                self.stats.disconnects += 1
            return False
        closed.cancel()
        with contextlib.suppress(BaseException):
            await closed
        return sender.result()

    async def _send_stream(self, request: GenerateRequest, writer: asyncio.StreamWriter) -> bool:
        mode = self.mode
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\n"
            b"transfer-encoding: chunked\r\n\r\n"
        )
        await _chunk(writer, {"event": "start", "model": "fake-italian-7b"})
        total = 40 * request.quantity
        started = time.perf_counter()
        while (elapsed := time.perf_counter() - started) < self.latency:
            tokens = int(total * elapsed / self.latency)
            await _chunk(
                writer,
                {
                    "event": "progress",
                    "generated_tokens": tokens,
                    "exercises_complete": tokens // 40,
                },
            )
            await asyncio.sleep(min(self.progress_interval, self.latency - elapsed))
        await _chunk(
            writer,
            {
                "event": "progress",
                "generated_tokens": total,
                "exercises_complete": request.quantity,
            },
        )
        if mode == "stream_hang":
            await asyncio.sleep(3600)
        if mode == "stream_error":
            await _chunk(
                writer,
                {"event": "error", "status": 503, "detail": "The engine stopped. Try again."},
            )
        else:
            await _chunk(writer, {"event": "done", "response": self._answer(request, mode)})
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True


_STREAMED = frozenset({"ok", "stream_hang", "stream_error", "wrong_schema", "wrong_count"})


async def _chunk(writer: asyncio.StreamWriter, event: object) -> None:
    line = json.dumps(event).encode() + b"\n"
    writer.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
    await writer.drain()


async def _send(writer: asyncio.StreamWriter, status: int, payload: object) -> None:
    await _send_raw(writer, status, json.dumps(payload).encode())


async def _send_raw(writer: asyncio.StreamWriter, status: int, body: bytes) -> None:
    head = (
        f"HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    ).encode()
    writer.write(head + body)
    await writer.drain()


class ThreadedFakeWorker:
    """A FakeWorker running on its own event loop in a thread (for servers in other processes)."""

    def __init__(self, **kwargs: object) -> None:
        self.worker = FakeWorker(**kwargs)  # type: ignore[arg-type]
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> FakeWorker:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.worker.start(), self._loop).result(5)
        return self.worker

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.worker.close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--mode", default="ok")
    parser.add_argument("--streaming", action="store_true", help="answer NDJSON when asked")
    parser.add_argument("--shape", choices=["full", "original"], default="full")
    parser.add_argument("--failure-rate", type=float, default=0.0)
    args = parser.parse_args()

    async def serve() -> None:
        worker = FakeWorker(
            mode=args.mode,
            latency=args.latency,
            streaming=args.streaming,
            shape=args.shape,
            failure_rate=args.failure_rate,
        )
        await worker.start(args.port)
        print(f"fake worker on {worker.url} mode={args.mode} latency={args.latency}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
