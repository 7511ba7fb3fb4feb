"""Admission control: a few requests are worked on at a time, the rest wait their turn in order.

On SQLite a request's work runs inline on the event loop, without a pause. Left alone, the loop
reads every waiting request at once and works through all of them in one turn: at 500
connections that turn lasts seconds, and a ``/health`` read in it waits as long as everybody.
Here a request first queues (strict first come, first served: a freed place is handed to the
oldest waiter, never to a newcomer), then yields once, so each turn of the loop works on at most
``limit`` requests and between turns the loop reads the sockets again. Probes, metrics and static
files skip the queue: they are answered in the first turn after they arrive. The dispatcher's
tasks run between turns too, so generation never waits behind request traffic either.
"""

from __future__ import annotations

import asyncio
from collections import deque

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Probes, metrics and static files never wait behind request traffic: they are cheap, and a probe
# that queues behind the load it is meant to report on reports nothing.
BYPASS = ("/health", "/metrics", "/static")


class Admission:
    """Pure ASGI middleware: at most ``limit`` HTTP requests run the app at once, in arrival order.

    A request gives its place back as soon as its response starts, so a long stream (the
    teacher's live progress) holds none while it waits for events.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.active = 0
        self._queue: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        return sum(1 for future in self._queue if not future.done())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(BYPASS):
            await self.app(scope, receive, send)
            return
        await self._enter()
        held = True

        def release() -> None:
            nonlocal held
            if held:
                held = False
                self._leave()

        async def send_and_release(message: Message) -> None:
            if message["type"] == "http.response.start":
                release()
            await send(message)

        try:
            # One pause before the work: the loop goes round (reading sockets, answering probes)
            # between each batch of at most ``limit`` requests.
            await asyncio.sleep(0)
            await self.app(scope, receive, send_and_release)
        finally:
            release()

    async def _enter(self) -> None:
        if self.active < self.limit and not self._queue:
            self.active += 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append(future)
        try:
            await future  # the place is handed over with the result: ``active`` already counts it
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._leave()  # handed a place just as the client went away: pass it on
            else:
                self._queue.remove(future)
            raise

    def _leave(self) -> None:
        while self._queue:
            future = self._queue.popleft()
            if not future.done():
                future.set_result(None)  # the oldest waiter takes this place
                return
        self.active -= 1
