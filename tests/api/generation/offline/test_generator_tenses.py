"""A homework on a tense: its translations are sentences in that tense (built from the tense's
checked frames, not the general bank), and no two items share a verb and its complement."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from api.generation.offline import conjugation, lexicon
from api.generation.offline.generator import generate_exercises
from inference_worker.contract import GenerateRequest


def _forms_of(tense: conjugation.TenseName) -> set[str]:
    found: set[str] = set()
    for verb in lexicon.verbs().values():
        # Both auxiliaries: several verbs take either, by meaning (ha passato, è passato).
        for auxiliary in ("avere", "essere"):
            with_auxiliary = replace(verb, auxiliary=auxiliary)
            for person in range(6):
                for gender in ("m", "f"):
                    forms = conjugation.forms(with_auxiliary, tense, person, gender)
                    found.update(form.lower() for form in forms)
    return found


@pytest.mark.parametrize(
    ("focus", "tense", "level"),
    [
        ("futuro anteriore", "futuro_anteriore", "B1"),
        ("trapassato prossimo", "trapassato_prossimo", "B1"),
    ],
)
def test_translations_of_a_tense_are_in_that_tense(
    focus: str, tense: conjugation.TenseName, level: str
) -> None:
    forms = _forms_of(tense)
    for seed in range(4):
        request = GenerateRequest(
            cefr_level=level, grammar_focus=focus, quantity=6, exercise_types=["translation"]
        )
        for exercise in generate_exercises(request, seed=seed):
            assert exercise.type == "translation"
            answer = exercise.correct_answer.lower()
            assert any(re.search(rf"\b{re.escape(form)}\b", answer) for form in forms), (
                focus,
                exercise.question,
                exercise.correct_answer,
            )


def test_no_two_items_share_a_verb_and_its_complement() -> None:
    for seed in range(10):
        request = GenerateRequest(
            cefr_level="A2",
            grammar_focus="passato prossimo",
            quantity=20,
            exercise_types=["fill_in_blank", "multiple_choice"],
        )
        exercises = generate_exercises(request, seed=seed)
        # The verb is named in brackets; its complement is what follows the blank.
        pairs = [
            (m.group(1), e.question.split(")", 1)[1].strip(" .").lower())
            for e in exercises
            if (m := re.search(r"___ \((\w+)", e.question))
        ]
        assert len(pairs) == len(set(pairs)), pairs
