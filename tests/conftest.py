"""Fixtures for the whole suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from api.accounts import passwords

# Still argon2, with the lowest cost: the recommended settings take about 0.25 s a hash here, and
# most tests sign a teacher in (a hash at start-up, a verification at sign-in). Servers started in
# subprocesses (tests/live_server.py) keep the recommended settings.
_CHEAP = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[None]:
    """Make in-process password hashing cheap for the tests."""
    original = passwords._hasher
    passwords._hasher = lambda: _CHEAP  # type: ignore[assignment]
    passwords._dummy_hash.cache_clear()
    yield
    passwords._hasher = original
    passwords._dummy_hash.cache_clear()
