"""Translation pairs of simple prepositions, plurals, pronouns, ci/ne and comparatives: the
renderings a teacher accepts are accepted, the point's mistake is not; and the pupils of one
assignment get different items."""

from __future__ import annotations

import pytest

from api.generation.offline import FOCUSES, generate_exercises, resolve
from api.generation.offline.generator import pair_exercises
from api.generation.offline.points import point_pairs
from api.homework.grading import grade_any
from inference_worker.contract import Exercise, GenerateRequest

_FOCUSES = (
    "preposizioni semplici",
    "preposizioni articolate",
    "plurale dei nomi",
    "pronomi diretti",
    "pronomi indiretti",
    "ci e ne",
    "comparativi",
)


def _verdict(exercise: Exercise, answer: str) -> str:
    return grade_any(answer, [exercise.correct_answer, *(exercise.accepted_answers or [])]).verdict


def _exercises(italian: str) -> tuple[Exercise, Exercise]:
    [pair] = [p for p in point_pairs.translation_pairs() if p.italian == italian]
    return pair_exercises(pair)


@pytest.mark.parametrize(
    ("italian", "to_italian", "to_english"),
    [
        ("Abito a Roma.", "Vivo a Roma.", "I live in Rome."),
        ("Domani vado in Spagna.", "Andrò in Spagna domani.", "I'm going to Spain tomorrow."),
        (
            "Marco è il fratello di Giulia.",
            "Marco è il fratello di Giulia.",
            "Marco is the brother of Giulia.",
        ),  # fmt: skip
        ("Abito qui da tre anni.", "Vivo qui da 3 anni.", "I've been living here for 3 years."),
        (
            "Ci sono tre mele sul tavolo.",
            "Ci sono 3 mele sul tavolo.",
            "There are 3 apples on the table.",
        ),  # fmt: skip
        (
            "Il pane? Lo compro ogni settimana.",
            "Il pane? Lo compro tutte le settimane.",
            "Bread? I buy it every week.",
        ),  # fmt: skip
        (
            "Giulia? La chiamo ogni sera.",
            "Giulia? Le telefono tutte le sere.",
            "Giulia? I ring her every night.",
        ),  # fmt: skip
        (
            "Le mele? Le ho mangiate ieri.",
            "Le mele? Le ho mangiate ieri.",
            "The apples? I ate them yesterday.",
        ),  # fmt: skip
        ("Marco? Gli piace il calcio.", "Marco? A lui piace il calcio.", "Marco? He likes soccer."),
        ("Roma? Ci vado spesso.", "Roma? Ci vado spesso.", "Rome? I go there often."),
        ("Mele? Ne ho tre.", "Le mele? Ne ho 3.", "Apples? I've got three of them."),
        (
            "Marco è meno alto di Luca.",
            "Marco non è alto come Luca.",
            "Marco isn't as tall as Luca.",
        ),  # fmt: skip
        (
            "Un'ora è più breve di un giorno.",
            "Un'ora è più corta di un giorno.",
            "An hour is shorter than a day.",
        ),  # fmt: skip
        (
            "Il treno è più veloce della bicicletta.",
            "Il treno è più veloce della bicicletta.",
            "A train is faster than a bike.",
        ),  # fmt: skip
        ("Le chiavi sono nella borsa.", "Le chiavi sono in borsa.", "The keys are in the bag."),
        (
            "Ti aspetto alla stazione.",
            "Vi aspetto alla stazione.",
            "I'll wait for you at the station.",
        ),  # fmt: skip
        (
            "Metti la borsa sul banco!",
            "Mettete la borsa sulla scrivania!",
            "Put the bag on the desk!",
        ),  # fmt: skip
        (
            "Stasera andiamo al teatro.",
            "Stasera andiamo a teatro.",
            "We're going to the theater tonight.",
        ),  # fmt: skip
        (
            "Questa è la bicicletta degli studenti.",
            "Questa è la bicicletta degli studenti.",
            "This is the students' bike.",
        ),  # fmt: skip
    ],
)
def test_the_renderings_a_teacher_accepts(italian: str, to_italian: str, to_english: str) -> None:
    into_italian, into_english = _exercises(italian)
    assert _verdict(into_italian, to_italian) == "correct"
    assert _verdict(into_english, to_english) == "correct"


@pytest.mark.parametrize(
    ("italian", "wrong"),
    [
        ("Abito a Roma.", "Abito in Roma."),
        ("Abito in Italia.", "Abito a Italia."),
        ("La pasta? La mangio ogni giorno.", "La pasta? Lo mangio ogni giorno."),
        ("La pasta? L'ho mangiata ieri.", "La pasta? L'ho mangiato ieri."),  # the agreement
        ("Le mele? Le ho mangiate ieri.", "Le mele? Le ho mangiato ieri."),
        ("Giulia? Le piace il calcio.", "Giulia? Gli piace il calcio."),
        ("Mele? Ne ho tre.", "Mele? Le ho tre."),
        ("Marco è più alto di Luca.", "Marco è più alto che Luca."),
        ("Il treno è più veloce della bicicletta.", "Il treno è più veloce di bicicletta."),
        ("Vado al cinema.", "Vado a il cinema."),
        ("Le chiavi sono nella borsa.", "Le chiavi sono nela borsa."),
        ("Ci vediamo davanti al teatro.", "Ci vediamo davanti a teatro."),
    ],
)
def test_the_point_s_mistake_is_refused(italian: str, wrong: str) -> None:
    into_italian, _ = _exercises(italian)
    assert _verdict(into_italian, wrong) == "incorrect"


def test_english_number_matches_the_italian_pronoun() -> None:
    """ "Spaghetti" is singular in English, gli spaghetti plural: no pair asks to translate one
    into the other (it ↔ li)."""
    for pair in point_pairs.translation_pairs():
        if pair.focus != "pronomi diretti":
            continue
        plural = any(f"? {p} " in pair.italian for p in ("Li", "Le")) and "Le telefono" not in pair.italian  # fmt: skip
        assert (" them " in pair.english) == plural, pair


@pytest.mark.parametrize("focus", _FOCUSES)
def test_the_point_has_translations_at_its_levels_and_no_warning(focus: str) -> None:
    assert "translation" in FOCUSES[focus].types
    pairs = [p for p in point_pairs.translation_pairs() if p.focus == focus]
    assert len(pairs) >= 15
    first = FOCUSES[focus].levels[0]
    assert sum(p.level == first for p in pairs) >= 15
    result = resolve(grammar_focus=focus, topic="", level="B2", exercise_types=["translation"])
    assert not any("translation" in w for w in result.warnings), result.warnings


@pytest.mark.parametrize("focus", _FOCUSES)
def test_the_pupils_of_one_assignment_get_different_items(focus: str) -> None:
    level = FOCUSES[focus].levels[0]
    questions: list[str] = []
    for seed in range(30):
        request = GenerateRequest(
            cefr_level=level,
            grammar_focus=focus,
            topic="general",
            quantity=10,
            exercise_types=["fill_in_blank", "multiple_choice", "translation"],
        )
        homework = generate_exercises(request, seed=seed)
        questions += [e.question for e in homework]
        assert len({e.question for e in homework}) == len(homework)
    # The articulated bank is smaller at A1 (about 85% in offline_variety.py).
    floor = 0.8 if focus == "preposizioni articolate" else 0.88
    assert len(set(questions)) / len(questions) >= floor, focus


def test_the_participle_after_li_and_le_agrees_with_them() -> None:
    """Le ho viste, li ho comprati: the B1 items put the pronoun before a participle that agrees."""
    from api.generation.offline.points import pronouns

    entries = [e for e in pronouns._direct_entries() if "agreement" in e]
    assert len(entries) >= 100
    for entry in entries:
        ending = entry["agreement"][-1]
        assert (entry["answer"], ending) in (("li", "i"), ("le", "e")), entry
        assert f"___ ho {entry['agreement']}" in entry["text"] or "non ___ ho" in entry["text"]
        assert entry["level"] == "B1"
    assert any(e["text"].endswith("Sì, ___ ho viste ieri.") for e in entries)


def test_no_city_takes_ad() -> None:
    """a before a city that starts with a vowel becomes ad (ad Atene): none is in the frames."""
    from api.generation.offline.points._data import points

    for city in points()["places"]["cities"]:
        assert city[0].lower() not in "aeiou", city


def test_no_built_pair_repeats_the_italian_of_another() -> None:
    from collections import Counter

    from api.generation.offline.registry import translation_pairs

    built = {pair.italian for pair in point_pairs.translation_pairs()}
    counts = Counter(pair.italian for pair in translation_pairs())
    assert [italian for italian in built if counts[italian] > 1] == []
