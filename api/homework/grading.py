"""Grading one answer: ``correct``, ``almost`` (right but for accents, apostrophes, capitals or
spacing — with a note saying which) or ``incorrect``.

Only differences that cannot change the word are forgiven outright: surrounding spaces, repeated
spaces, a final full stop, question or exclamation mark, and typographic apostrophes (’ for ').
Accents, capitals, apostrophes and spacing inside the answer make it ``almost``: "e" (and) and
"è" (is) are different words, so an accent is never silently accepted. Different letters are
always ``incorrect``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Verdict = Literal["correct", "almost", "incorrect"]

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_TRAILING = re.compile(r"[\s.!?…;:]+$")
_VOWEL_APOSTROPHE = re.compile(r"([aeiouAEIOU])'(?=\s|$)")  # perche' / E' typed for perché / È


@dataclass(frozen=True)
class Grade:
    verdict: Verdict
    note: str | None = None


def canonical(text: str) -> str:
    """The answer as written, minus differences that cannot change it."""
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES).strip()
    text = " ".join(text.split())
    return _TRAILING.sub("", text)


def _without_accents(text: str) -> str:
    text = _VOWEL_APOSTROPHE.sub(r"\1", text)
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def _letters(text: str) -> str:
    """Only what is left when accents, case, apostrophes and spaces are set aside."""
    return re.sub(r"[\s']", "", _without_accents(canonical(text)).casefold())


def _differences(answer: str, expected: str) -> list[str]:
    """Which forgivable dimensions differ between two answers that have the same letters."""
    a, e = canonical(answer), canonical(expected)

    def accents_kept(text: str) -> str:
        return re.sub(r"[\s']", "", text.casefold())

    def capitals_kept(text: str) -> str:
        return re.sub(r"[\s']", "", _without_accents(text))

    def apostrophes_kept(text: str) -> str:
        return re.sub(r"\s", "", _without_accents(text).casefold())

    notes = []
    if accents_kept(a) != accents_kept(e):
        notes.append("accents")
    if capitals_kept(a) != capitals_kept(e):
        notes.append("capital letters")
    if apostrophes_kept(a) != apostrophes_kept(e):
        notes.append("apostrophes")
    if _spacing(a) != _spacing(e):
        notes.append("spacing")
    return notes


def _spacing(text: str) -> list[int]:
    """Where the spaces fall, counted in letters, ignoring apostrophes and accents."""
    plain = _without_accents(text).casefold().replace("'", "")
    positions, count = [], 0
    for char in plain:
        if char == " ":
            positions.append(count)
        else:
            count += 1
    return positions


def grade(answer: str, expected: str) -> Grade:
    """Compare one answer with one right answer."""
    if canonical(answer) == canonical(expected):
        return Grade("correct")
    if _letters(answer) and _letters(answer) == _letters(expected):
        notes = _differences(answer, expected) or ["spelling marks"]
        return Grade("almost", f"Right, but check the {', '.join(notes)}: {canonical(expected)}")
    return Grade("incorrect")


def grade_any(answer: str, expected: list[str]) -> Grade:
    """The best grade against several right answers (the first is the main one)."""
    best = Grade("incorrect")
    for candidate in expected:
        result = grade(answer, candidate)
        if result.verdict == "correct":
            return result
        if result.verdict == "almost" and best.verdict == "incorrect":
            best = result
    return best
