"""A circuit breaker, so a dead worker costs one probe instead of a timeout per student."""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum


class BreakerState(StrEnum):
    closed = "closed"
    open = "open"
    half_open = "half_open"


class CircuitBreaker:
    """Closed: calls pass. Open after N failures in a row: calls are refused for a while.
    Then half-open: one probe passes; its success closes the breaker, its failure reopens it.
    """

    def __init__(
        self,
        *,
        failure_threshold: int,
        reset_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.reset_seconds = reset_seconds
        self._clock = clock
        self._state = BreakerState.closed
        self._failures = 0
        self._opened_at = 0.0
        self._probe_started_at = 0.0

    @property
    def state(self) -> BreakerState:
        """The current state, moving open to half-open once the reset time has passed."""
        if (
            self._state == BreakerState.open
            and self._clock() - self._opened_at >= self.reset_seconds
        ):
            return BreakerState.half_open
        return self._state

    @property
    def retry_in(self) -> float:
        """Seconds until an open breaker lets a probe through."""
        if self._state != BreakerState.open:
            return 0.0
        return max(0.0, self.reset_seconds - (self._clock() - self._opened_at))

    def allow(self) -> bool:
        """Whether a call may go to the worker now (in half-open, only the one probe)."""
        now = self._clock()
        if self._state == BreakerState.closed:
            return True
        if self._state == BreakerState.open:
            if now - self._opened_at < self.reset_seconds:
                return False
            self._state = BreakerState.half_open
            self._probe_started_at = now
            return True
        # Half-open with a probe in flight; a probe lost without a verdict frees the slot later.
        if now - self._probe_started_at >= self.reset_seconds:
            self._probe_started_at = now
            return True
        return False

    def record_success(self) -> None:
        """A call succeeded: close the breaker."""
        self._state = BreakerState.closed
        self._failures = 0

    def record_failure(self) -> None:
        """A call failed: count it, and open the breaker at the threshold or after a failed probe."""
        self._failures += 1
        if self._state == BreakerState.half_open or self._failures >= self.failure_threshold:
            self._state = BreakerState.open
            self._opened_at = self._clock()
