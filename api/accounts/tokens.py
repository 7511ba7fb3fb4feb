"""Bearer secrets: random, prefixed by kind (so a scanner or a log reader can tell them apart),
stored only as their SHA-256.

A token carries 256 bits from ``secrets``; SHA-256 without a salt is enough for secrets of that
strength (nobody can brute-force them), and it lets a request find its token with one indexed
lookup instead of a slow password hash.
"""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum

TOKEN_BYTES = 32


class TokenKind(StrEnum):
    teacher = "itt_"
    student = "its_"


def new_token(kind: TokenKind) -> str:
    """A fresh secret of ``kind``."""
    return kind.value + secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def kind_of(token: str) -> TokenKind | None:
    """Which kind of token this looks like, or None."""
    for kind in TokenKind:
        if token.startswith(kind.value):
            return kind
    return None
