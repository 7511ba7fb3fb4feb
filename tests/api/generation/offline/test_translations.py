"""Translation exercises: every accepted answer is right, and the renderings a teacher accepts
(tu/voi/Lei, gender, abitare/vivere, frigo, hotel, digits, contractions) are accepted."""

from __future__ import annotations

import pytest

from api.generation.offline import lexicon
from api.generation.offline.generator import pair_exercises
from api.homework.grading import grade_any
from inference_worker.contract import Exercise


def _pair(italian: str) -> lexicon.TranslationPair:
    [pair] = [p for p in lexicon.translation_pairs() if p.italian == italian]
    return pair


def _verdict(exercise: Exercise, answer: str) -> str:
    return grade_any(answer, [exercise.correct_answer, *(exercise.accepted_answers or [])]).verdict


@pytest.mark.parametrize(
    ("italian", "answer"),
    [
        ("Abito in centro.", "Vivo in centro."),
        ("Gli zii abitano a Milano.", "I miei zii vivono a Milano."),
        ("Il latte è nel frigorifero.", "Il latte è in frigo."),
        ("Domani prenoteremo un albergo a Firenze.", "Domani prenoteremo un hotel a Firenze."),
        ("Mi sveglio alle sette.", "Mi sveglio alle 7."),
        ("Mia sorella ha vent'anni.", "Mia sorella ha 20 anni."),
        ("Come ti chiami?", "Come si chiama?"),
        ("Come ti chiami?", "Come vi chiamate?"),
        ("Mi potresti aiutare?", "Potrebbe aiutarmi?"),
        ("Non dimenticare le chiavi!", "Non dimenticate le chiavi!"),
        ("Prima che tu parta, dobbiamo parlare.", "Prima che Lei parta, dobbiamo parlare."),
        ("Ieri sono uscito di casa alle otto.", "Ieri sono uscita di casa alle 8."),
        ("Siamo italiani.", "Siamo italiane."),
    ],
)
def test_into_italian_accepts_what_a_teacher_accepts(italian: str, answer: str) -> None:
    to_italian, _ = pair_exercises(_pair(italian))
    assert _verdict(to_italian, answer) == "correct"


@pytest.mark.parametrize(
    ("italian", "answer"),
    [
        ("Siamo italiani.", "We're Italian."),
        ("Non parlo bene l'inglese.", "I don't speak English well."),
        ("Domani mi alzerò alle sei.", "Tomorrow I'll get up at 6."),
        ("Il treno arriva al binario tre.", "The train arrives at platform 3."),
        ("Mia sorella ha vent'anni.", "My sister is 20 years old."),
        ("Come ti chiami?", "What's your name?"),
        ("È importante che tu dorma otto ore.", "It's important that you sleep 8 hours."),
        ("Vorrei un caffè, per favore.", "I'd like a coffee, please."),
    ],
)
def test_into_english_accepts_contractions_with_a_capital_and_digits(
    italian: str, answer: str
) -> None:
    _, to_english = pair_exercises(_pair(italian))
    assert _verdict(to_english, answer) == "correct"


@pytest.mark.parametrize(
    ("italian", "wrong"),
    [
        ("Ho finito il progetto ieri sera.", "I have finished the project last night."),
        ("Ho finito il progetto ieri sera.", "I've finished the project last night."),
        ("Giulia si è alzata tardi.", "Giulia woke up late."),
        ("Ho uno zaino e una valigia.", "I've a backpack and a suitcase."),
    ],
)
def test_wrong_renderings_are_not_accepted(italian: str, wrong: str) -> None:
    _, to_english = pair_exercises(_pair(italian))
    assert _verdict(to_english, wrong) == "incorrect"


def test_sei_as_a_verb_never_becomes_a_digit() -> None:
    for pair in lexicon.translation_pairs():
        to_italian, _ = pair_exercises(pair)
        for accepted in to_italian.accepted_answers or []:
            assert "6 " not in accepted or "alle 6" in accepted, accepted
