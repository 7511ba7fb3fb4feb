"""The checks on typed text: the email fast path answers exactly as email-validator does."""

from __future__ import annotations

from typing import Annotated

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import AfterValidator, EmailStr, TypeAdapter, ValidationError

from api.core.text import LowerEmail

FAST = TypeAdapter(LowerEmail)
FULL = TypeAdapter(Annotated[EmailStr, AfterValidator(str.lower)])

_ATEXT = "abcXYZ019!#$%&'*+/=?^_`{|}~-."
_LABEL = st.text("abzAZ09-", min_size=1, max_size=70)


def _outcome(adapter: TypeAdapter[str], value: str) -> str:
    try:
        return "ok: " + adapter.validate_python(value)
    except ValidationError:
        return "refused"


@pytest.mark.parametrize(
    "value",
    [
        "Giulia.Rossi@Example.COM",
        "maria+3b@school.it",
        "o'brien@mail.ie",
        "a@b.co",
        "x@localhost",
        "x@printer.local",
        "x@example.test",
        "x@Example.INVALID",
        "x@sub.onion",
        "x@123.456",
        "x@-bad.com",
        "x@bad-.com",
        ".x@a.com",
        "x.@a.com",
        "x..y@a.com",
        "x@a..com",
        "x@a.c",
        "@a.com",
        "x@",
        "x",
        "",
        "a" * 64 + "@a.com",
        "a" * 65 + "@a.com",
        "x@" + "a" * 63 + ".com",
        "x@" + "a" * 64 + ".com",
        "x@" + ("a" * 60 + ".") * 4 + "com",
        '"quoted"@a.com',
        "giulià@esempio.it",
        "giulia@esèmpio.it",
        "x@a.com\n",
        " x@a.com",
    ],
)
def test_known_addresses_get_the_same_answer(value: str) -> None:
    assert _outcome(FAST, value) == _outcome(FULL, value)


@settings(max_examples=400, deadline=None)
@given(
    local=st.text(_ATEXT, min_size=0, max_size=70),
    labels=st.lists(_LABEL, min_size=1, max_size=4),
    tld=st.sampled_from(["com", "it", "c", "co", "test", "local", "museum", "123", "x-y"]),
)
def test_generated_addresses_get_the_same_answer(local: str, labels: list[str], tld: str) -> None:
    value = f"{local}@{'.'.join([*labels, tld])}"
    assert _outcome(FAST, value) == _outcome(FULL, value)


@settings(max_examples=200, deadline=None)
@given(st.emails())
def test_valid_addresses_are_kept_in_lower_case(value: str) -> None:
    assert _outcome(FAST, value) == _outcome(FULL, value)


def test_values_that_are_not_text_get_the_same_answer() -> None:
    for value in (None, 5, ["x@a.com"]):
        assert _outcome(FAST, value) == _outcome(FULL, value) == "refused"  # type: ignore[arg-type]
    assert _outcome(FAST, b"X@a.com") == _outcome(FULL, b"X@a.com")  # type: ignore[arg-type]
