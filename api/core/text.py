"""Checking text a user typed before it is stored: no control characters, no bidi overrides."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, EmailStr

# Bidirectional overrides and isolates can make a name display as something else.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def unsafe_characters(value: str) -> list[str]:
    """The control (C0, C1, DEL) and bidirectional-override characters in ``value``."""
    return [ch for ch in value if unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS]


def clean_line(value: object) -> object:
    """One line of text: refused if it holds control or bidi characters; spaces collapsed."""
    if not isinstance(value, str):
        return value
    unsafe = unsafe_characters(value)
    if unsafe:
        shown = ", ".join(sorted({f"U+{ord(ch):04X}" for ch in unsafe}))
        raise ValueError(
            f"contains control or text-direction characters ({shown}); type plain text"
        )
    return " ".join(value.split())


#: A field of one line of plain text (``Annotated[str, PlainLine]``).
PlainLine = BeforeValidator(clean_line)
#: An email address, compared and stored in lower case.
LowerEmail = Annotated[EmailStr, AfterValidator(str.lower)]
