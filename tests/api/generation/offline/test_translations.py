"""Translation exercises: every accepted answer is right, and the renderings a teacher accepts
(tu/voi/Lei, gender, abitare/vivere, frigo, hotel, digits, contractions) are accepted."""

from __future__ import annotations

import re

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
            assert not re.search(r"(?<!\d)6 ", accepted) or "alle 6" in accepted, accepted


def _built(italian: str) -> lexicon.TranslationPair:
    from api.generation.offline.points.translations import translation_pairs

    return next(p for p in translation_pairs() if p.italian == italian)


@pytest.mark.parametrize(
    ("italian", "to_italian", "to_english"),
    [
        ("Dov'è il tuo asciugamano?", "Dov'è il vostro asciugamano?", "Where's your towel?"),
        ("Dov'è tua zia?", "Dov'è Sua zia?", "Where is your aunt?"),
        ("Dov'è mio cugino?", "Dov'è mia cugina?", "Where's my cousin?"),
        ("Dov'è suo nonno?", "Dove è suo nonno?", "Where is her grandpa?"),
        ("Dov'è il loro zaino?", "Dov'è il loro zaino?", "Where is their rucksack?"),
        (
            "Vorrei del vino, per favore.",
            "Vorrei un po' di vino, per favore.",
            "I'd like some wine, please.",
        ),  # fmt: skip
        (
            "Abbiamo comprato dell'acqua.",
            "Abbiamo comprato un po' di acqua.",
            "We've bought some water.",
        ),  # fmt: skip
        ("Dov'è lo zaino?", "Dove è lo zaino?", "Where's the backpack?"),
        ("Ho un'arancia.", "Ho un'arancia.", "I've got an orange."),
        (
            "C'è un ospedale qui vicino?",
            "Qui vicino c'è un ospedale?",
            "Is there a hospital nearby?",
        ),
    ],
)
def test_pairs_built_from_the_points_accept_every_rendering(
    italian: str, to_italian: str, to_english: str
) -> None:
    into_italian, into_english = pair_exercises(_built(italian))
    assert _verdict(into_italian, to_italian) == "correct"
    assert _verdict(into_english, to_english) == "correct"


@pytest.mark.parametrize(
    ("italian", "wrong_italian"),
    [
        ("Dov'è tua zia?", "Dov'è la tua zia?"),  # no article before a singular family noun
        ("Dov'è il loro zaino?", "Dov'è loro zaino?"),  # loro keeps it
        ("Ho un'arancia.", "Ho un arancia."),
        ("Vorrei del vino, per favore.", "Vorrei dello vino, per favore."),
    ],
)
def test_pairs_built_from_the_points_refuse_the_point_s_mistake(
    italian: str, wrong_italian: str
) -> None:
    into_italian, _ = pair_exercises(_built(italian))
    assert _verdict(into_italian, wrong_italian) == "incorrect"


def test_every_point_with_translations_has_at_least_fifteen_pairs() -> None:
    from api.generation.offline.registry import FOCUSES, translation_pairs

    for focus in FOCUSES.values():
        if "translation" in focus.types and focus.kind == "point":
            pairs = [p for p in translation_pairs() if p.focus == focus.key]
            assert len(pairs) >= 15, (focus.key, len(pairs))
