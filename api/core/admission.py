"""Admission control: a bounded number of requests run at once, the rest wait their turn.

Without it every open connection's request is a task on the event loop, all progressing step by
step: at 500 connections each loop iteration walks 500 requests, so every answer — ``/health`` and
the dispatcher's bookkeeping included — waits for all of them, and the unluckiest wait longest.
A waiting request here costs nothing but a place in a FIFO queue, so the loop only ever interleaves
a few dozen requests, the oldest are served first, and the probes skip the queue altogether.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Probes, metrics and static files never wait behind request traffic: they are cheap, and a probe
# that queues behind the load it is meant to report on reports nothing.
BYPASS = ("/health", "/metrics", "/static")


class Admission:
    """Pure ASGI middleware: at most ``limit`` HTTP requests run the app at once, in arrival order.

    A request gives its slot back as soon as its response starts, so a long stream (the teacher's
    live progress) holds no slot while it waits for events.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._slots = asyncio.Semaphore(limit)
        self.waiting = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(BYPASS):
            await self.app(scope, receive, send)
            return
        self.waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self.waiting -= 1
        held = True

        def release() -> None:
            nonlocal held
            if held:
                held = False
                self._slots.release()

        async def send_and_release(message: Message) -> None:
            if message["type"] == "http.response.start":
                release()
            await send(message)

        try:
            await self.app(scope, receive, send_and_release)
        finally:
            release()
