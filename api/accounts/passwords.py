"""Password hashing with argon2 (pwdlib's recommended settings)."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash


@lru_cache
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


@lru_cache
def _dummy_hash() -> str:
    return _hasher().hash("no account has this password")


def hash_password(password: str) -> str:
    """An argon2 hash of ``password``."""
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether ``password`` matches; without a hash, spend the same time and answer False."""
    if password_hash is None:
        _hasher().verify(password, _dummy_hash())  # no timing difference for unknown emails
        return False
    return bool(_hasher().verify(password, password_hash))
