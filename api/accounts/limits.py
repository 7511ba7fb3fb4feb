"""Rate limits on the `limits` library: failed sign-ins per account and per address, and
requests per token. Counters live in memory per process by default; RATE_LIMIT_STORAGE=redis://…
makes several replicas share them."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many, storage
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from api.core.config import Settings
from api.core.errors import TooManyRequests


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
        for item in self._per_token:
            if not self._requests.hit(item, "token", token_hash[:32]):
                retry = self._retry_after(self._requests, item, "token", token_hash[:32])
                raise TooManyRequests(
                    f"Too many requests with this token ({item}); wait {retry} s.", retry
                )
