"""Rate limits on the `limits` library: failed sign-ins per account and per address, and
requests per token. Counters live in memory per process by default; RATE_LIMIT_STORAGE=redis://…
makes several replicas share them.

One exception, measured: with ``memory://``, the per-token count of every request goes to a
fixed-window counter of our own. limits' MemoryStorage starts a timer thread on about every other
hit (472 thread starts in 1000 requests), which made a pupil's hot read 1.6x slower; a dict of
counters costs a microsecond. Shared storages (Redis, Memcached) keep using limits."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many, storage
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from api.core.config import Settings
from api.core.errors import TooManyRequests


class LocalWindows:
    """Fixed-window counters in this process's memory: for each key, hits in the current window."""

    SWEEP_EVERY = 10_000  # keys: old windows are dropped when the table grows past this

    def __init__(self, item: RateLimitItem) -> None:
        self.amount = item.amount
        self.period = item.get_expiry()
        self._counts: dict[str, tuple[int, int]] = {}
        self._next_sweep = self.SWEEP_EVERY

    def hit(self, key: str) -> int | None:
        """Count a hit; None when allowed, else the seconds until the window resets."""
        now = time.time()
        window = int(now // self.period)
        start, count = self._counts.get(key, (window, 0))
        if start != window:
            count = 0
        self._counts[key] = (window, count + 1)
        if len(self._counts) > self._next_sweep:
            self._counts = {k: v for k, v in self._counts.items() if v[0] == window}
            self._next_sweep = max(self.SWEEP_EVERY, 2 * len(self._counts))
        if count + 1 > self.amount:
            return max(1, math.ceil((window + 1) * self.period - now))
        return None


class RateLimits:
    """The API's limits, built once in the lifespan."""

    def __init__(self, settings: Settings) -> None:
        backend = storage.storage_from_string(settings.rate_limit_storage)
        # A moving window for sign-ins: no burst of 2x the limit across a window edge.
        self._logins = MovingWindowRateLimiter(backend)
        self._requests = FixedWindowRateLimiter(backend)
        self._per_account = parse_many(settings.login_failures_per_account)
        self._per_address = parse_many(settings.login_failures_per_address)
        self._per_token = parse_many(settings.requests_per_token)
        self._local = (
            [LocalWindows(item) for item in self._per_token]
            if settings.rate_limit_storage.startswith("memory://")
            else None
        )

    @staticmethod
    def _retry_after(
        limiter: FixedWindowRateLimiter | MovingWindowRateLimiter,
        item: RateLimitItem,
        *identifiers: str,
    ) -> int:
        reset = limiter.get_window_stats(item, *identifiers).reset_time
        return max(1, math.ceil(reset - time.time()))

    def check_login(self, *, email: str, address: str) -> None:
        """Refuse a sign-in attempt while the account or the address has failed too often."""
        for items, key in ((self._per_account, email), (self._per_address, address)):
            for item in items:
                if not self._logins.test(item, "login", key):
                    retry = self._retry_after(self._logins, item, "login", key)
                    raise TooManyRequests(
                        f"Too many failed sign-ins; wait {retry} s before trying again.", retry
                    )

    def record_login_failure(self, *, email: str, address: str) -> None:
        """Count one failed sign-in against the account and the address."""
        for items, key in ((self._per_account, email), (self._per_address, address)):
            for item in items:
                self._logins.hit(item, "login", key)

    def hit_token(self, token_hash: str) -> None:
        """Count one request made with a token; 429 once the token is over its limit."""
        if self._local is not None:
            for counter, item in zip(self._local, self._per_token, strict=True):
                retry = counter.hit(token_hash)
                if retry is not None:
                    raise TooManyRequests(
                        f"Too many requests with this token ({item}); wait {retry} s.", retry
                    )
            return
        for item in self._per_token:
            if not self._requests.hit(item, "token", token_hash[:32]):
                retry = self._retry_after(self._requests, item, "token", token_hash[:32])
                raise TooManyRequests(
                    f"Too many requests with this token ({item}); wait {retry} s.", retry
                )
