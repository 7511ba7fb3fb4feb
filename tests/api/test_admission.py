"""Admission control: a bounded number of requests at once, in arrival order; probes never wait."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Route

from api.core.admission import Admission


def build(limit: int) -> tuple[Admission, list[str], dict[str, asyncio.Event]]:
    started: list[str] = []
    gates: dict[str, asyncio.Event] = {}

    async def work(request: Request) -> PlainTextResponse:
        name = request.path_params["name"]
        started.append(name)
        await gates.setdefault(name, asyncio.Event()).wait()
        return PlainTextResponse(name)

    async def stream(_request: Request) -> StreamingResponse:
        async def events() -> AsyncIterator[bytes]:
            yield b"start\n"
            await gates.setdefault("stream", asyncio.Event()).wait()
            yield b"end\n"

        return StreamingResponse(events())

    async def health(_request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = Starlette(
        routes=[
            Route("/work/{name}", work),
            Route("/stream", stream),
            Route("/health", health),
        ]
    )
    return Admission(app, limit=limit), started, gates


async def until(condition: object, timeout: float = 2.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.005)


async def test_requests_beyond_the_limit_wait_and_run_in_arrival_order() -> None:
    admission, started, gates = build(limit=2)
    transport = httpx.ASGITransport(app=admission)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        calls = {}
        for name in ("a", "b", "c", "d"):
            calls[name] = asyncio.create_task(client.get(f"/work/{name}"))
            await until(lambda n=name: n in started or admission.waiting > 0)
        await until(lambda: admission.waiting == 2)
        assert started == ["a", "b"]

        # A probe does not queue behind the work in progress.
        async with asyncio.timeout(1):
            assert (await client.get("/health")).text == "ok"

        gates.setdefault("b", asyncio.Event()).set()
        assert (await calls["b"]).text == "b"
        await until(lambda: len(started) == 3)
        assert started == ["a", "b", "c"]  # the oldest waiting request goes first
        for name in ("a", "c", "d"):
            gates.setdefault(name, asyncio.Event()).set()
        assert [(await calls[name]).text for name in ("a", "c", "d")] == ["a", "c", "d"]
    assert admission.waiting == 0


async def test_a_stream_gives_its_slot_back_once_its_response_starts() -> None:
    admission, started, gates = build(limit=1)
    messages: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        await asyncio.Event().wait()  # the client never sends a body nor disconnects
        return {}

    async def send(message: dict[str, object]) -> None:
        messages.append(message)

    scope = {"type": "http", "method": "GET", "path": "/stream", "headers": [], "query_string": b""}
    streaming = asyncio.create_task(admission(scope, receive, send))  # type: ignore[arg-type]
    await until(lambda: any(m.get("body") == b"start\n" for m in messages))

    # The stream is still open, yet the next request runs at once.
    gates["x"] = asyncio.Event()
    gates["x"].set()
    transport = httpx.ASGITransport(app=admission)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        async with asyncio.timeout(1):
            assert (await client.get("/work/x")).text == "x"
    assert started == ["x"]

    gates.setdefault("stream", asyncio.Event()).set()
    async with asyncio.timeout(1):
        await streaming
    assert any(m.get("body") == b"end\n" for m in messages)


async def test_work_that_never_pauses_runs_in_batches_with_probes_between() -> None:
    """Handlers that do all their work without a pause (SQLite inline) run at most ``limit``
    per turn of the loop, so a probe that arrives meanwhile is answered in the next turn."""
    order: list[str] = []

    async def busy(request: Request) -> PlainTextResponse:
        order.append(request.path_params["name"])  # no await: like an inline SQLite request
        return PlainTextResponse("done")

    async def health(_request: Request) -> PlainTextResponse:
        order.append("health")
        return PlainTextResponse("ok")

    admission = Admission(
        Starlette(routes=[Route("/busy/{name}", busy), Route("/health", health)]), limit=2
    )

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message: dict[str, object]) -> None:
        return None

    def call(path: str) -> asyncio.Task[None]:
        scope = {"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b""}
        return asyncio.create_task(admission(scope, receive, send))  # type: ignore[arg-type]

    calls = [call(f"/busy/{n}") for n in range(8)]
    await asyncio.sleep(0)  # one turn of the loop: the eight arrived; a probe comes next
    probe = call("/health")
    await asyncio.gather(*calls, probe)
    # The probe is answered with the first batch of two, not after all eight.
    assert order.index("health") <= 2, order
    assert [name for name in order if name != "health"] == [str(n) for n in range(8)]
