"""Passato prossimo or imperfetto in a short narrative: the teacher's words resolve to it, and the
marker of each sentence decides the one right tense."""

from __future__ import annotations

import random
import re
from collections import Counter
from typing import Any

import pytest

from api.generation.offline import resolve
from api.generation.offline.builders import normalise_answer
from api.generation.offline.generator import _to_exercise, pair_exercises
from api.generation.offline.points.narrative import HINT, POINT, narrative_item, translation_pairs


@pytest.mark.parametrize(
    "words",
    [
        "passato prossimo vs imperfetto",
        "Passato prossimo e imperfetto",
        "imperfetto o passato prossimo",
        "passato prossimo / imperfetto",
        "il passato prossimo o l'imperfetto",
    ],
)
def test_the_usual_names_resolve_without_a_warning(words: str) -> None:
    result = resolve(grammar_focus=words, topic="", level="B1", exercise_types=["fill_in_blank"])
    assert (result.focus, result.warnings) == (POINT, ())


# The marker of the sentence → the tense it requires.
_MARKERS = (
    (re.compile(r"^Mentre [^,]*___"), "imperfetto"),
    (re.compile(r"^(Da bambin[oaie]|Quando \w+ piccol[oaie]),"), "imperfetto"),
    (re.compile(r"(all'improvviso|quando) ___"), "passato prossimo"),
    (re.compile(r"___ \(\w+\)[^,]*, poi "), "passato prossimo"),
)
_IMPERFETTO = re.compile(r"^\w+(v[oiae]|vamo|vate|vano)$")


@pytest.mark.parametrize("level", ["A2", "B1", "C2"])
def test_the_marker_decides_the_tense_and_one_option_is_right(level: str) -> None:
    rng = random.Random(level)
    kinds = set()
    for _ in range(300):
        item = narrative_item(rng, "general", level)
        assert item is not None and item.question.endswith(HINT)
        wanted = [tense for marker, tense in _MARKERS if marker.search(item.question)]
        assert len(wanted) == 1, item.question
        kinds.add(wanted[0])
        assert item.tags["tense"] == wanted[0].replace(" ", "_")
        for answer in (item.answer, *item.accepted):
            is_imperfetto = bool(_IMPERFETTO.match(answer))
            assert is_imperfetto == (wanted[0] == "imperfetto"), (item.question, answer)
        choice = _to_exercise(item, "multiple_choice", rng)
        assert choice is not None and choice.options is not None
        assert [o for o in choice.options if normalise_answer(o) in item.right] == [item.answer]
        other_tense = [o for o in choice.options if bool(_IMPERFETTO.match(o)) != is_imperfetto]
        assert other_tense, choice.options  # the other tense of the same verb is offered
    assert kinds == {"imperfetto", "passato prossimo"}


# Hand-checked answers: (what the question contains, the right answers).
_GOLDEN = {
    " Giulia ___ (uscire) con gli amici": {"è uscita"},
    " io ___ (uscire) con gli amici": {"sono uscito", "sono uscita"},
    " noi ___ (tornare) a casa alle sei": {"siamo tornati", "siamo tornate"},
    "Da bambina, Giulia ___ (bere)": {"beveva"},
    "quando ___ (arrivare) i nonni": {"sono arrivati"},
    "all'improvviso ___ (entrare) la vicina": {"è entrata"},
    "Mentre voi ___ (fare) la doccia": {"facevate"},
    " mio fratello ___ (scrivere) tre mail": {"ha scritto"},
}


def test_agreement_follows_a_named_subject_and_either_is_right_for_io() -> None:
    rng = random.Random(3)
    found: set[str] = set()
    for _ in range(30000):
        item = narrative_item(rng, "general", "B1")
        assert item is not None
        for text, right in _GOLDEN.items():
            if text in item.question:
                assert {item.answer, *item.accepted} == right, item.question
                found.add(text)
        if found == set(_GOLDEN):
            break
    assert found == set(_GOLDEN)


def _pair_for(italian: str) -> Any:
    return next(p for p in translation_pairs() if p.italian == italian)


@pytest.mark.parametrize(
    ("italian", "right", "wrong"),
    [
        (
            "Mentre leggevo il giornale, è arrivato Paolo.",
            [
                "Mentre io stavo leggendo il giornale, Paolo è arrivato.",
                "Paolo è arrivato mentre leggevo il giornale.",
            ],
            [
                "Mentre ho letto il giornale, è arrivato Paolo.",
                "Mentre leggevo il giornale, arrivava Paolo.",
            ],
        ),
        (
            "Da bambina, Giulia andava al mare ogni estate.",
            ["Quando era piccola, Giulia andava al mare ogni estate."],
            [
                "Da bambina, Giulia è andata al mare ogni estate.",
                "Da bambino, Giulia andava al mare ogni estate.",
            ],
        ),
    ],
)
def test_translations_accept_the_other_renderings_and_refuse_the_other_tense(
    italian: str, right: list[str], wrong: list[str]
) -> None:
    to_italian, _ = pair_exercises(_pair_for(italian))
    accepted = {normalise_answer(a) for a in (to_italian.correct_answer, *(to_italian.accepted_answers or []))}  # fmt: skip
    assert all(normalise_answer(r) in accepted for r in right)
    assert not any(normalise_answer(w) in accepted for w in wrong)


def test_english_of_a_habit_accepts_used_to_the_past_and_would() -> None:
    _, to_english = pair_exercises(
        _pair_for("Da bambino, Marco giocava a calcio tutti i pomeriggi.")
    )
    accepted = {to_english.correct_answer, *(to_english.accepted_answers or [])}
    assert {
        "As a child, Marco used to play football every afternoon.",
        "As a child, Marco played soccer every afternoon.",
        "When Marco was little, he would play football every afternoon.",
    } <= accepted


def test_fifteen_translations_at_each_level_of_the_point() -> None:
    levels = Counter(pair.level for pair in translation_pairs())
    assert levels["A2"] >= 15 and levels["B1"] >= 15
