"""Cleaning text a user typed before it is stored: no control characters, no bidi overrides."""

from __future__ import annotations

import unicodedata

# Bidirectional overrides and isolates can make a name display as something else.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def clean_line(value: object) -> object:
    """One line of text: control and bidi characters dropped, whitespace collapsed."""
    if not isinstance(value, str):
        return value
    kept = (
        " " if ch.isspace() else ch
        for ch in value
        if ch.isspace() or (unicodedata.category(ch) != "Cc" and ch not in _BIDI_CONTROLS)
    )
    return " ".join("".join(kept).split())
