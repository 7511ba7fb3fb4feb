"""Grading verdicts, and properties: normalisation never turns a wrong answer into a right one."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.homework.grading import canonical, grade, grade_any, grade_choice


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
        ("un po", "un po'", "almost", "apostrophes"),
        ("città", "citta", "almost", "accents"),
        ("papa", "papà", "almost", "accents"),
        ("perchè", "perché", "almost", "accents"),
        ("perche' no", "perché no", "almost", "accents"),
        ("c'e'", "c'è", "almost", "accents"),
        ("E'", "e", "almost", "accents, capital letters"),
        ("l amico", "l'amico", "almost", "apostrophes, spacing"),
        ("Sì grazie", "Sì, grazie", "almost", "punctuation"),
        ("Yes thank you", "Yes, thank you.", "almost", "punctuation"),
        ("«ciao»", "ciao", "almost", "punctuation"),
        ("anno", "ano", "incorrect", None),
        ("ss", "ß", "incorrect", None),
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


@pytest.mark.parametrize(
    ("answer", "verdict"),
    [
        ("è", "correct"),
        ("è.", "correct"),
        ("È", "almost"),
        ("e", "incorrect"),
        ("E", "incorrect"),
        ("ha", "incorrect"),
        ("non so", "incorrect"),
    ],
)
def test_multiple_choice_text_picks_one_option(answer: str, verdict: str) -> None:
    assert grade_choice(answer, ["e", "è", "ha", "a"], "è").verdict == verdict


def test_multiple_choice_never_gives_half_a_point_for_another_option() -> None:
    # "E'" is "È", but it also has the letters of the wrong option "e": it chooses nothing.
    ambiguous = grade_choice("E'", ["e", "è", "ha", "a"], "è")
    assert ambiguous.verdict == "incorrect" and ambiguous.note
    assert grade_choice("Siamo andati", ["siamo andati", "siete andati"], "siamo andati") == (
        grade("Siamo andati", "siamo andati")
    )


def _base_letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def _marked_letters(text: str) -> list[str]:
    """Letters with their accents and case: what a correct answer must match exactly."""
    return [c for c in unicodedata.normalize("NFC", text) if c.isalnum()]


ALPHABET = "abcdeilnoprstuàèéìòùAEÈ '’`.,!?-«»\u0300\u0301"
italian = st.text(alphabet=ALPHABET, max_size=16)
edits = st.lists(st.tuples(st.integers(0, 16), st.sampled_from([*ALPHABET, ""])), max_size=3)


def _edit(text: str, changes: list[tuple[int, str]]) -> str:
    """Replace (or, with "", delete) a few characters: near misses are where grading can slip."""
    for position, char in changes:
        position = position % (len(text) + 1)
        text = text[:position] + char + text[position + 1 :]
    return text


@settings(max_examples=2000, deadline=None, derandomize=True)
@given(expected=italian, other=italian, changes=edits, unrelated=st.booleans())
def test_normalisation_never_turns_a_wrong_answer_right(
    expected: str, other: str, changes: list[tuple[int, str]], unrelated: bool
) -> None:
    answer = other if unrelated else _edit(expected, changes)
    result = grade(answer, expected)
    if result.verdict == "correct":
        # Only spaces, final punctuation and apostrophe shapes may differ: never a letter,
        # an accent or a capital.
        assert canonical(answer) == canonical(expected)
        assert _marked_letters(answer) == _marked_letters(expected)
    if result.verdict in ("correct", "almost"):
        assert _base_letters(answer) == _base_letters(expected) != ""
    if result.verdict == "almost":
        assert result.note is not None
        assert result.note.endswith(canonical(expected))
        assert "spelling" not in result.note  # it names which dimension differs
    if _base_letters(answer) != _base_letters(expected):
        assert result.verdict == "incorrect"


def _no_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Slips a student makes with the right answer: each is forgiven as "almost" at worst.
SLIPS = {
    "lower case": str.lower,
    "capitalised": lambda t: t[:1].upper() + t[1:],
    "no accents": _no_accents,
    "accent typed as apostrophe": lambda t: unicodedata.normalize(
        "NFC", "".join("'" if c in "\u0300\u0301" else c for c in unicodedata.normalize("NFD", t))
    ),
    "space after apostrophe": lambda t: t.replace("'", "' "),
    "no apostrophes": lambda t: t.replace("'", ""),
    "typographic apostrophes": lambda t: t.replace("'", "’"),
    "final full stop": lambda t: t + ".",
    "extra spaces": lambda t: "  " + t.replace(" ", "   ") + " ",
    "no commas": lambda t: t.replace(",", ""),
}
RIGHT_ANSWERS = [
    "perché",
    "è",
    "È partita",
    "l'amico",
    "un po'",
    "città",
    "c'è",
    "Dov'è la farmacia?",
    "Sì, grazie",
    "papà",
    "sono andato",
    "dell'anno",
]


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    expected=st.sampled_from(RIGHT_ANSWERS),
    slips=st.lists(st.sampled_from(sorted(SLIPS)), max_size=4),
)
def test_slips_are_almost_at_worst_and_accents_or_capitals_never_correct(
    expected: str, slips: list[str]
) -> None:
    answer = expected
    for slip in slips:
        answer = SLIPS[slip](answer)
    result = grade(answer, expected)
    assert result.verdict in ("correct", "almost"), (answer, result)
    if _marked_letters(answer) != _marked_letters(expected):
        assert result.verdict == "almost"


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


@pytest.mark.parametrize(
    ("answer", "expected", "verdict", "note"),
    [
        # The apostrophe is the point of "___ amica": "un" is another word, as in a multiple choice.
        (
            "un",
            ["un'"],
            "incorrect",
            "un is the masculine form; before a feminine word that starts with a vowel it is un', with the apostrophe: un'",
        ),  # fmt: skip
        ("Un", ["un'"], "incorrect", "un is the masculine form"),
        (
            "un'",
            ["un"],
            "incorrect",
            "un' is the feminine form (with the apostrophe); before a masculine word it is un, with no apostrophe: un",
        ),  # fmt: skip
        ("nessun", ["nessun'"], "incorrect", "nessun is the masculine form"),
        ("un’", ["un'"], "correct", None),
        # A capital in a mid-sentence blank is not a mistake; one the sentence needs still is.
        ("Sono andato", ["sono andato"], "correct", None),
        ("È", ["è"], "correct", None),
        ("Sono andata", ["sono andato", "sono andata"], "correct", None),
        ("la", ["La"], "almost", "Right, but check the capital letters: La"),
        ("Sono andto", ["sono andato"], "incorrect", None),
        # A repeated subject pronoun: the form is right, the pronoun is extra.
        (
            "io sono andato",
            ["sono andato"],
            "almost",
            "Right, but leave out the subject pronoun 'io' (the verb form already says who): sono andato",
        ),  # fmt: skip
        (
            "Noi siamo andate",
            ["siamo andati", "siamo andate"],
            "almost",
            "leave out the subject pronoun 'noi'",
        ),  # fmt: skip
        ("io sono andata", ["sono andato"], "incorrect", None),
        ("io sono andato", ["io sono andato"], "correct", None),
        (
            "lui e andato",
            ["è andato"],
            "almost",
            "Right, but leave out the subject pronoun 'lui' (the verb form already says who) and check the accents: è andato",
        ),  # fmt: skip
    ],
)
def test_fill_in_blank_verdicts(
    answer: str, expected: list[str], verdict: str, note: str | None
) -> None:
    result = grade_any(answer, expected, blank=True)
    assert result.verdict == verdict
    if note is None:
        assert result.note is None
    else:
        assert result.note is not None and note in result.note


def test_outside_a_blank_capitals_and_pronouns_keep_their_verdicts() -> None:
    assert grade_any("Sono andato", ["sono andato"]).verdict == "almost"
    assert grade_any("io sono andato", ["sono andato"]).verdict == "incorrect"
    assert grade_any("un amica", ["un'amica"]).verdict == "incorrect"


def test_multiple_choice_and_fill_in_agree_on_un_for_un_apostrophe() -> None:
    options = ["un", "uno", "una", "un'"]
    assert grade_choice("un", options, "un'").verdict == "incorrect"
    assert grade_any("un", ["un'"], blank=True).verdict == "incorrect"
