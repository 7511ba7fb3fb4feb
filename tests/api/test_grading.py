"""Grading verdicts, and properties: normalisation never turns a wrong answer into a right one."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.homework.grading import canonical, grade, grade_any


@pytest.mark.parametrize(
    ("answer", "expected", "verdict", "note"),
    [
        ("sono andato", "sono andato", "correct", None),
        ("  sono   andato ", "sono andato", "correct", None),
        ("sono andato.", "sono andato", "correct", None),
        ("I wake up at seven", "I wake up at seven.", "correct", None),
        ("Dov'è la farmacia", "Dov'è la farmacia?", "correct", None),
        ("l’amico", "l'amico", "correct", None),
        ("perche", "perché", "almost", "accents"),
        ("perche'", "perché", "almost", "accents"),
        ("E'", "È", "almost", "accents"),
        ("e'", "è", "almost", "accents"),
        ("e", "è", "almost", "accents"),
        ("l' amico", "l'amico", "almost", "spacing"),
        ("lamico", "l'amico", "almost", "apostrophes"),
        ("Sono andato", "sono andato", "almost", "capital letters"),
        ("sonoandato", "sono andato", "almost", "spacing"),
        ("un pò", "un po'", "almost", "accents"),
        ("città", "citta", "almost", "accents"),
        ("anno", "ano", "incorrect", None),
        ("sono andata", "sono andato", "incorrect", None),
        ("ho andato", "sono andato", "incorrect", None),
        ("", "sono", "incorrect", None),
        ("...", "sono", "incorrect", None),
    ],
)
def test_verdicts(answer: str, expected: str, verdict: str, note: str | None) -> None:
    result = grade(answer, expected)
    assert result.verdict == verdict
    if note is None:
        assert result.note is None
    else:
        assert result.note is not None and note in result.note
        assert canonical(expected) in result.note


def test_alternatives_are_accepted() -> None:
    expected = ["I have breakfast at home.", "I eat breakfast at home."]
    assert grade_any("I eat breakfast at home", expected).verdict == "correct"
    assert grade_any("i eat breakfast at home", expected).verdict == "almost"
    assert grade_any("I eat lunch at home", expected).verdict == "incorrect"


def _base_letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


italian = st.text(alphabet="abcdefghilmnopqrstuvzàèéìòùABCEÈ '’.!?", max_size=20)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(answer=italian, expected=italian)
def test_correct_means_the_same_text(answer: str, expected: str) -> None:
    result = grade(answer, expected)
    if result.verdict == "correct":
        assert canonical(answer) == canonical(expected)
    if result.verdict in ("correct", "almost"):
        assert _base_letters(answer) == _base_letters(expected)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(
    word=st.text(alphabet="abcdefghilmnopqrstuvz", min_size=1, max_size=12),
    position=st.integers(0, 11),
    letter=st.sampled_from("abcdefghilmnopqrstuvz"),
)
def test_a_different_letter_is_never_right(word: str, position: int, letter: str) -> None:
    position %= len(word)
    changed = word[:position] + letter + word[position + 1 :]
    if changed == word:
        return
    assert grade(changed, word).verdict == "incorrect"
    assert grade(word + letter, word).verdict == "incorrect"
    assert grade(word[:position] + word[position + 1 :], word).verdict == "incorrect"
