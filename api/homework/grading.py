"""Grading one answer: ``correct``, ``almost`` (right but for accents, apostrophes, capitals,
spacing or punctuation — with a note saying which) or ``incorrect``.

Only differences that cannot change the answer are forgiven outright: surrounding spaces, repeated
spaces, final sentence punctuation (. ! ? … ; :) and typographic apostrophes (’ for ').
Accents, capitals, apostrophes, spacing and punctuation inside the answer make it ``almost``:
"e" (and) and "è" (is) are different words, so an accent is never silently accepted. A vowel
followed by an apostrophe ("perche'", "E'") is how Italians type an accent on an English keyboard,
so it is read as an accent. Different letters are always ``incorrect``, and so is "un" for "un'"
(and "un'" for "un"): the masculine and the elided feminine are different words, and telling them
apart is the point of the exercise, as it is in a multiple choice.

In a fill-in blank (``blank=True``), a capital letter where the blank is in mid-sentence is
correct (the blank is a word, not the start of a sentence), and a repeated subject pronoun
("io sono andato" for "sono andato") is ``almost``: the form is right, the pronoun is extra.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Verdict = Literal["correct", "almost", "incorrect"]

# Words whose elided feminine is the masculine plus an apostrophe: un / un', nessun / nessun'.
_MASCULINE_OF_ELIDED = frozenset({"un", "nessun", "alcun", "ciascun", "qualcun"})
_WORD = re.compile(r"[^\W\d_]+'?")  # a word with the apostrophe that may close it
SUBJECT_PRONOUNS = frozenset({"io", "tu", "lui", "lei", "noi", "voi", "loro"})

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_TRAILING = re.compile(r"[\s.!?…;:]+$")


@dataclass(frozen=True)
class Grade:
    verdict: Verdict
    note: str | None = None


def canonical(text: str) -> str:
    """The answer as written, minus differences that cannot change it."""
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES).strip()
    text = " ".join(text.split())
    return _TRAILING.sub("", text)


def _is_punctuation(char: str) -> bool:
    return char != "'" and unicodedata.category(char).startswith("P")


def _without_punctuation(text: str) -> str:
    return "".join(c for c in text if not _is_punctuation(c))


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def letters(text: str) -> str:
    """Only the base letters (and digits), with every forgivable mark set aside."""
    folded = _without_accents(_without_punctuation(canonical(text))).lower()
    return re.sub(r"[\s']", "", folded)


def _slots(text: str) -> tuple[str, dict[int, str]]:
    """The base letters (case kept), and what follows each: spaces, apostrophes, accents."""
    decomposed = unicodedata.normalize("NFD", _without_punctuation(canonical(text)))
    base: list[str] = []
    slots: dict[int, str] = {}
    for char in decomposed:
        if char in " '" or unicodedata.combining(char):
            slots[len(base)] = slots.get(len(base), "") + char
        else:
            base.append(char)
    return "".join(base), slots


_DIMENSIONS = ("accents", "capital letters", "apostrophes", "spacing", "punctuation")


def _differences(answer: str, expected: str) -> list[str]:
    """Which forgivable dimensions differ between two answers that have the same letters."""
    answer_base, answer_slots = _slots(answer)
    expected_base, expected_slots = _slots(expected)
    notes: set[str] = set()
    if answer_base != expected_base:
        notes.add("capital letters")
    for slot in answer_slots.keys() | expected_slots.keys():
        given, wanted = answer_slots.get(slot, ""), expected_slots.get(slot, "")
        given_marks, wanted_marks = given.replace(" ", ""), wanted.replace(" ", "")
        if given.count(" ") != wanted.count(" "):
            notes.add("spacing")
        if given_marks == wanted_marks:
            if given != wanted:  # "a' b" for "a 'b": the same marks, spaced differently
                notes.add("spacing")
            continue
        given_accents, wanted_accents = given_marks.replace("'", ""), wanted_marks.replace("'", "")
        if given_accents != wanted_accents:
            notes.add("accents")
        given_apostrophe, wanted_apostrophe = "'" in given_marks, "'" in wanted_marks
        if given_apostrophe == wanted_apostrophe:
            continue
        word_end = slot == len(answer_base) or " " in given
        after_vowel = slot > 0 and answer_base[slot - 1].lower() in "aeiou"
        if given_apostrophe and after_vowel and word_end:
            # "perche'", "E'": an accent typed on an English keyboard, whether one was wanted or not.
            notes.add("accents")
        elif not (wanted_apostrophe and given_accents and not wanted_accents):
            notes.add("apostrophes")  # unless "pò" for "po'": an accent mistake, noted above
    answer_punctuation = [c for c in canonical(answer) if _is_punctuation(c)]
    if answer_punctuation != [c for c in canonical(expected) if _is_punctuation(c)]:
        notes.add("punctuation")
    return [name for name in _DIMENSIONS if name in notes]


def _elision_mistake(answer: str, expected: str) -> str | None:
    """The note for "un" written for "un'" (or the other way round), if that is the difference."""
    given = _WORD.findall(canonical(answer).lower())
    wanted = _WORD.findall(canonical(expected).lower())
    if len(given) != len(wanted):
        return None
    for said, right in zip(given, wanted, strict=True):
        bare = right.rstrip("'")
        if said == right or said.rstrip("'") != bare or bare not in _MASCULINE_OF_ELIDED:
            continue
        if right.endswith("'"):
            return (
                f"{said} is the masculine form; before a feminine word that starts with a "
                f"vowel it is {right}, with the apostrophe: {canonical(expected)}"
            )
        return (
            f"{said} is the feminine form (with the apostrophe); before a masculine word it "
            f"is {right}, with no apostrophe: {canonical(expected)}"
        )
    return None


def grade(answer: str, expected: str) -> Grade:
    """Compare one answer with one right answer."""
    if not letters(answer):  # blank or only punctuation: nothing to be right about
        return Grade("incorrect")
    if canonical(answer) == canonical(expected):
        return Grade("correct")
    if letters(answer) == letters(expected):
        mistake = _elision_mistake(answer, expected)
        if mistake:
            return Grade("incorrect", mistake)
        notes = _differences(answer, expected) or ["spelling"]
        return Grade("almost", f"Right, but check the {', '.join(notes)}: {canonical(expected)}")
    return Grade("incorrect")


def grade_blank(answer: str, expected: str) -> Grade:
    """Compare the word(s) written in a fill-in blank with one right answer."""
    text, wanted = canonical(answer), canonical(expected)
    if text[:1].isupper() and wanted[:1].islower():
        # The blank is in mid-sentence (its answer starts with a small letter): a capital
        # there is not a mistake worth a note.
        text = text[:1].lower() + text[1:]
    result = grade(text, wanted)
    if result.verdict != "incorrect":
        return result
    first, _, rest = text.partition(" ")
    if (
        first.lower() in SUBJECT_PRONOUNS
        and rest
        and wanted.split()[0].lower() not in SUBJECT_PRONOUNS
    ):
        without = grade_blank(rest, wanted)
        if without.verdict != "incorrect":
            note = f"Right, but leave out the subject pronoun '{first}' (the verb form already says who)"
            if without.verdict == "almost":
                checks = _differences(rest, wanted) or ["spelling"]
                note += f" and check the {', '.join(checks)}"
            return Grade("almost", f"{note}: {wanted}")
    return result


def grade_any(answer: str, expected: list[str], *, blank: bool = False) -> Grade:
    """The best grade against several right answers (the first is the main one)."""
    best = Grade("incorrect")
    for candidate in expected:
        result = grade_blank(answer, candidate) if blank else grade(answer, candidate)
        if result.verdict == "correct":
            return result
        if result.verdict == "almost" and best.verdict == "incorrect":
            best = result
        elif result.verdict == "incorrect" and best == Grade("incorrect") and result.note:
            best = result  # the note says what was off ("un" for "un'")
    return best


def grade_choice(answer: str, options: list[str], expected: str) -> Grade:
    """A multiple-choice answer typed as text: it must pick out one option and no other."""
    for same in (canonical, lambda text: canonical(text).lower()):
        chosen = [option for option in options if same(option) == same(answer)]
        if len(chosen) == 1:
            if canonical(chosen[0]) != canonical(expected):
                return Grade("incorrect")
            return grade(answer, expected)
    result = grade(answer, expected)
    if result.verdict == "almost":
        # "e" among options "e" and "è" would otherwise earn half a point for the wrong choice.
        rivals = [o for o in options if o != expected and letters(o) == letters(answer)]
        if rivals:
            return Grade("incorrect", "This matches more than one option; choose one of them.")
    return result
