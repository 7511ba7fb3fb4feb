"""Checking text a user typed before it is stored: no control characters, no bidi overrides."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from pydantic import BeforeValidator, EmailStr, ValidatorFunctionWrapHandler, WrapValidator

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
# An address email-validator accepts unchanged apart from case: a dot-atom local part of at most
# 64 characters, then a domain of letter-digit-hyphen labels ending in letters, no "--". Everything else
# (quoted or internationalised addresses, special-use domains, anything odd) takes the full check.
_PLAIN_EMAIL = re.compile(
    r"(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}",
    re.ASCII,
)
_SPECIAL_USE = tuple(SPECIAL_USE_DOMAIN_NAMES)


def _email(value: object, full_check: ValidatorFunctionWrapHandler) -> str:
    """Lower case; the common plain address skips email-validator's Unicode work (it would
    give the same answer), which is most of the cost of a request that creates a student."""
    if isinstance(value, str) and len(value) <= 254 and _PLAIN_EMAIL.fullmatch(value):
        domain = value.rpartition("@")[2].lower()
        # "--" marks IDNA labels (xn--...), which have rules of their own.
        if "--" not in domain and not any(
            domain == name or domain.endswith("." + name) for name in _SPECIAL_USE
        ):
            return value.lower()
    return str(full_check(value)).lower()


#: An email address, compared and stored in lower case.
LowerEmail = Annotated[EmailStr, WrapValidator(_email)]
