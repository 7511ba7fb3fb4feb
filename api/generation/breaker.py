"""A circuit breaker, so a dead worker costs one probe instead of a timeout per student.

Closed, it counts the outcome of every call in a sliding window and opens when the failure rate
over the window reaches a threshold (once the window holds enough calls), or at once after a few
connection failures in a row (refused connections and timeouts: the worker is down or hung).
Calls still in flight count as not failed (yet): an HTTP 500 comes back in milliseconds while a
success takes seconds of generation, so among twenty concurrent calls the first ten outcomes
would otherwise be mostly failures even when most calls succeed.
Open, it refuses calls for ``reset_seconds``; then half-open, it lets a few probes through at
once: the first success closes it, any failure opens it again.

Retries and the breaker do not fight: a failure in a busy window is one call among many, so
homework keep retrying while the worker mostly answers; only a worker that mostly fails, or does
not answer at all, opens it.

The maintained Python breakers (pybreaker, purgatory, aiobreaker, circuitbreaker) open on a count
of consecutive failures only, which is exactly the rule that made retries and the breaker fight
(three failures among twenty concurrent calls opened it); none has a sliding-window failure rate
or several concurrent half-open probes, hence this small one.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from enum import StrEnum


class BreakerState(StrEnum):
    closed = "closed"
    open = "open"
    half_open = "half_open"


class Permit:
    """One call let through; report its outcome once (later reports are ignored)."""

    __slots__ = ("_breaker", "_epoch", "_probe", "_settled")

    def __init__(self, breaker: CircuitBreaker, *, epoch: int, probe: bool) -> None:
        self._breaker = breaker
        self._epoch = epoch
        self._probe = probe
        self._settled = False

    def success(self) -> None:
        """The call got a valid answer."""
        if not self._settled:
            self._settled = True
            self._breaker._settle(self._epoch, self._probe, failed=False, connection=False)

    def failure(self, *, connection: bool = False) -> None:
        """The call failed; ``connection`` when the worker was unreachable or did not answer."""
        if not self._settled:
            self._settled = True
            self._breaker._settle(self._epoch, self._probe, failed=True, connection=connection)

    def release(self) -> None:
        """The call ended without a verdict (cancelled): free a probe slot, count nothing."""
        if not self._settled:
            self._settled = True
            self._breaker._release(self._epoch, self._probe)


class CircuitBreaker:
    """Sliding-window failure rate and consecutive connection failures; several half-open probes."""

    def __init__(
        self,
        *,
        failure_threshold: int,
        reset_seconds: float,
        window: int = 20,
        min_calls: int = 10,
        failure_rate: float = 0.7,
        half_open_probes: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < failure_rate <= 1:
            raise ValueError("failure_rate must be in (0, 1]")
        self.failure_threshold = failure_threshold
        self.reset_seconds = reset_seconds
        self.min_calls = min(min_calls, window)
        self.failure_rate = failure_rate
        self.half_open_probes = half_open_probes
        self._clock = clock
        self._state = BreakerState.closed
        self._window: deque[bool] = deque(maxlen=window)  # True: the call failed
        self._connection_failures = 0
        self._opened_at = 0.0
        self._probes = 0
        self._in_flight = 0  # calls let through while closed, not settled yet
        # Outcomes of calls let through before the last change of state count for nothing.
        self._epoch = 0

    @property
    def state(self) -> BreakerState:
        """The current state, moving open to half-open once the reset time has passed."""
        if self._state == BreakerState.open and self.retry_in == 0:
            return BreakerState.half_open
        return self._state

    @property
    def retry_in(self) -> float:
        """Seconds until an open breaker lets probes through."""
        if self._state != BreakerState.open:
            return 0.0
        return max(0.0, self.reset_seconds - (self._clock() - self._opened_at))

    @property
    def probe_slot_free(self) -> bool:
        """Whether a half-open breaker would let one more probe through now."""
        return self.state == BreakerState.half_open and self._probes < self.half_open_probes

    def acquire(self) -> Permit | None:
        """A permit for one call now, or None while open (or half-open with every probe out)."""
        if self.state == BreakerState.closed:
            self._in_flight += 1
            return Permit(self, epoch=self._epoch, probe=False)
        if self.state == BreakerState.open:
            return None
        if self._state == BreakerState.open:  # the reset time has passed: start probing
            self._move(BreakerState.half_open)
        if self._probes >= self.half_open_probes:
            return None
        self._probes += 1
        return Permit(self, epoch=self._epoch, probe=True)

    def _move(self, state: BreakerState) -> None:
        self._state = state
        self._epoch += 1
        self._probes = 0
        self._in_flight = 0
        self._window.clear()
        self._connection_failures = 0
        if state == BreakerState.open:
            self._opened_at = self._clock()

    def _settle(self, epoch: int, probe: bool, *, failed: bool, connection: bool) -> None:
        if epoch != self._epoch:
            return
        if probe:
            self._move(BreakerState.open if failed else BreakerState.closed)
            return
        self._in_flight -= 1
        self._window.append(failed)
        self._connection_failures = self._connection_failures + 1 if connection else 0
        if self._connection_failures >= self.failure_threshold:
            self._move(BreakerState.open)
        elif len(self._window) >= self.min_calls:
            calls = len(self._window) + self._in_flight
            if sum(self._window) >= self.failure_rate * calls:
                self._move(BreakerState.open)

    def _release(self, epoch: int, probe: bool) -> None:
        if epoch != self._epoch:
            return
        if probe:
            self._probes -= 1
        else:
            self._in_flight -= 1
