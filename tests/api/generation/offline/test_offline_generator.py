"""Properties of offline homework: count, types, no repeats, reproducibility, real forms only,
exactly one right option; and the mapping of a teacher's free text."""

from __future__ import annotations

import dataclasses
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.generation.offline import (
    KNOWN_GRAMMAR_FOCUSES,
    KNOWN_TOPICS,
    generate_exercises,
    lexicon,
    resolve_focus,
    resolve_topic,
)
from api.generation.offline.builders import Item, normalise_answer
from api.generation.offline.conjugation import (
    all_forms,
    conjugate,
    imperative_forms,
)
from api.generation.offline.generator import _to_exercise
from api.generation.offline.matching import GENERAL, TOPIC_KEYS
from api.generation.offline.morphology import (
    DEFINITE_ARTICLES,
    INDEFINITE_ARTICLES,
    articulated_preposition,
    definite_article,
    indefinite_article,
)
from api.generation.offline.points import articles, comparatives, nouns, possessives, pronouns
from api.generation.offline.points._data import points
from api.generation.offline.points.prepositions import SIMPLE_PREPOSITIONS
from api.generation.offline.registry import FOCUSES
from inference_worker.contract import (
    CEFR_LEVELS,
    EXERCISE_TYPES,
    GenerateRequest,
    check_exercises,
)

FREE_TEXT_FOCUSES = [*KNOWN_GRAMMAR_FOCUSES, "verbi riflessivi", "past tense", "Passato Prossimo",
                     "congiuntivo", "articoli", "subjunctive", "pronomi diretti", "periodo ipotetico",
                     "astronomia", ""]  # fmt: skip
FREE_TEXT_TOPICS = [*KNOWN_TOPICS, "cibo", "food", "calcio", "Città", "travel", ""]

requests = st.builds(
    GenerateRequest,
    cefr_level=st.sampled_from(CEFR_LEVELS),
    grammar_focus=st.sampled_from(FREE_TEXT_FOCUSES),
    topic=st.sampled_from(FREE_TEXT_TOPICS),
    quantity=st.integers(min_value=1, max_value=20),
    exercise_types=st.lists(st.sampled_from(EXERCISE_TYPES), min_size=1, max_size=3, unique=True),
)


def _hint(question: str) -> str:
    match = re.search(r"___[^(]*\(([^)]*)\)", question) or re.search(r"\(([^)]*)\)$", question)
    assert match, question
    return match.group(1)


_POINT_FORMS: dict[str, set[str]] = {
    "articolo determinativo": set(DEFINITE_ARTICLES),
    "articolo indeterminativo": set(INDEFINITE_ARTICLES),
    "articolo partitivo": set(articles.PARTITIVE_ARTICLES),
    "preposizione semplice": set(SIMPLE_PREPOSITIONS),
    "pronome diretto": {*pronouns.DIRECT.values(), *pronouns.PERSON_PRONOUNS, "gli"},
    "pronome indiretto": {*pronouns.INDIRECT.values(), *pronouns.PERSON_PRONOUNS, "lo", "la", "li"},
    "ci o ne": {"ci", "ne", "lo", "gli"},
    "comparativo": set(comparatives.COMPARATIVE_LINKS),
}
_POSSESSIVE_FORMS = {
    possessives.possessive(owner, gender, plural, family=family)
    for owner in possessives.POSSESSIVES
    for gender in ("m", "f")
    for plural in (False, True)
    for family in (False, True)
} | {form for forms in possessives.POSSESSIVES.values() for form in forms}
_NOUNS = {noun.word: noun for noun in (*lexicon.nouns(), *nouns.plural_bank())}


def _real_forms(question: str) -> set[str]:
    """Every form the engines know for the word or point named in the question's brackets."""
    hint = _hint(question)
    if hint in _POINT_FORMS:
        return _POINT_FORMS[hint]
    if hint.endswith("+ articolo"):
        preposition = hint.split()[0]
        return {articulated_preposition(preposition, a) for a in DEFINITE_ARTICLES}
    if hint in possessives.POSSESSIVES:
        return _POSSESSIVE_FORMS
    word = hint.split(",")[0].strip()
    if word in lexicon.adjectives():
        return set(lexicon.adjectives()[word].forms)
    if word in _NOUNS and word not in lexicon.verbs():
        first, other = nouns.wrong_plurals(_NOUNS[word])
        return {_NOUNS[word].plural or word, *first, *other}
    return all_forms(lexicon.verbs()[word])


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=requests, seed=st.integers(min_value=0, max_value=2**31))
def test_homework_properties(request: GenerateRequest, seed: int) -> None:
    exercises = generate_exercises(request, seed=seed)
    check_exercises(request, exercises)  # exact count, requested types only
    questions = [normalise_answer(e.question) for e in exercises]
    assert len(set(questions)) == len(questions), questions
    assert generate_exercises(request, seed=seed) == exercises
    for exercise in exercises:
        assert "___" in exercise.question or exercise.type == "translation"
        if exercise.type == "translation":
            assert exercise.question.startswith(("Traduci in italiano", "Traduci in inglese"))
            continue
        forms = _real_forms(exercise.question)
        assert exercise.correct_answer in forms, exercise
        for option in exercise.options or []:
            assert option in forms, (option, exercise)


@pytest.mark.parametrize("level", ["A1", "B1", "C2"])
@pytest.mark.parametrize("focus", KNOWN_GRAMMAR_FOCUSES)
@pytest.mark.parametrize("kind", EXERCISE_TYPES)
def test_twenty_distinct_exercises_for_every_combination(level: str, focus: str, kind: str) -> None:
    request = GenerateRequest(
        cefr_level=level, grammar_focus=focus, topic="cibo", quantity=20, exercise_types=[kind]
    )
    exercises = generate_exercises(request, seed=7)
    assert len({e.question for e in exercises}) == 20


def test_focus_is_respected_when_data_allows() -> None:
    request = GenerateRequest(
        cefr_level="B1", grammar_focus="passato prossimo", topic="viaggi", quantity=10,
        exercise_types=["fill_in_blank"],
    )  # fmt: skip
    for exercise in generate_exercises(request, seed=3):
        verb = lexicon.verbs()[_hint(exercise.question).split(",")[0]]
        past = {conjugate(verb, "passato_prossimo", p, g) for p in range(6) for g in ("m", "f")}
        assert exercise.correct_answer in past, exercise


def test_different_seeds_give_different_homework() -> None:
    request = GenerateRequest(cefr_level="A2", quantity=10)
    first = generate_exercises(request, seed=1)
    assert any(generate_exercises(request, seed=s) != first for s in (2, 3))
    assert generate_exercises(request, seed=2) != generate_exercises(request, seed=3)


def test_topic_changes_the_vocabulary() -> None:
    def words(topic: str) -> set[str]:
        request = GenerateRequest(
            cefr_level="A2", grammar_focus="presente", topic=topic, quantity=10,
            exercise_types=["fill_in_blank"],
        )  # fmt: skip
        return {e.question for e in generate_exercises(request, seed=5)}

    assert words("cibo").isdisjoint(words("lavoro"))


def _valid_verb_answers(item: Item) -> set[str]:
    """The right answers re-derived from the engine and the item's subject."""
    verb = lexicon.verbs()[item.word]
    if "auxiliary" in item.tags:  # the auxiliary a frame's meaning takes (sono corso a casa)
        verb = dataclasses.replace(verb, auxiliary=item.tags["auxiliary"])  # type: ignore[arg-type]
    tense = item.tags["tense"]
    person = int(item.tags["person"])
    if tense == "imperativo":
        if item.tags.get("negative"):
            return {verb.infinitive}
        return set(imperative_forms(verb, person))
    genders = ("m", "f") if item.tags["gender"] == "any" else (item.tags["gender"],)
    return {conjugate(verb, tense, person, g) for g in genders}  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(
    # Verb focuses are checked against the conjugation engine by the verb system's own tests.
    focus=st.sampled_from([key for key, focus in FOCUSES.items() if focus.kind != "verb"]),
    topic=st.sampled_from(sorted(set(TOPIC_KEYS.values()))),
    level=st.sampled_from(CEFR_LEVELS),
    seed=st.integers(min_value=0, max_value=2**31),
)
def test_exactly_one_right_option(focus: str, topic: str, level: str, seed: int) -> None:
    rng = random.Random(seed)
    item = FOCUSES[focus].build(rng, topic, level, "multiple_choice")
    if item is None:
        return
    if item.kind == "verb":
        valid = _valid_verb_answers(item)
        assert item.answer in valid, item
        assert {normalise_answer(v) for v in valid} == set(item.right), item
    else:
        valid = {item.answer, *item.accepted}
        expected = _rederived(item.question)
        assert expected is None or item.answer == expected, (item, expected)
    fill = _to_exercise(item, "fill_in_blank", rng)
    assert fill is not None and fill.correct_answer == item.answer
    choice = _to_exercise(item, "multiple_choice", rng)
    if choice is None:  # an adjective in -e has only two forms: no multiple choice
        assert item.kind == "adjective"
        return
    if item.kind == "noun":  # a plural: the lexicon's, and no invented form is right
        assert item.answer == _NOUNS[item.word].plural
    right_options = [o for o in choice.options or [] if o in valid]
    assert right_options == [item.answer], (choice, valid)


def _gender_of(word: str) -> tuple[str, bool] | None:
    """Gender and number of a noun as written (singular or plural), from the data files."""
    for noun in lexicon.nouns():
        if word == noun.word:
            return noun.gender, False
        if word == noun.plural:
            return noun.plural_gender, True
    for entry in points()["partitive_nouns"] + points()["family"]:
        if word == entry["word"]:
            return entry["gender"], False
        if word == entry.get("plural"):
            return entry["gender"], True
    bank = points()["partitive_bank"]
    for kind in ("mass", "food", "objects", "people"):
        for noun in bank[kind]:
            if word == noun[0]:
                return noun[1], kind != "mass"
    return None


def _mass_nouns() -> set[str]:
    """The nouns a partitive takes in the singular (some bread), from the data files."""
    return {e["word"] for e in points()["partitive_nouns"]} | {
        noun[0] for noun in points()["partitive_bank"]["mass"]
    }


def _rederived(question: str) -> str | None:
    """The answer of an article, partitive or possessive item, worked out again from its text."""
    hint = _hint(question)
    after = question.split("___ ", 1)[1]
    if hint in ("articolo determinativo", "articolo indeterminativo", "articolo partitivo"):
        word = after.split()[0].rstrip(".,?!")
        found = _gender_of(word)
        assert found, word
        gender, plural = found
        if hint == "articolo determinativo":  # an invariable noun: the verb says the number
            plural = any(f" {verb} " in after for verb in ("sono", "siano", "fossero"))
        if hint == "articolo partitivo":  # a mass noun, else some of a plural
            plural = word not in _mass_nouns()
        if hint == "articolo indeterminativo":
            return indefinite_article(word, gender)  # type: ignore[arg-type]
        article = definite_article(word, gender, plural)  # type: ignore[arg-type]
        return (
            article if hint == "articolo determinativo" else articulated_preposition("di", article)
        )
    if hint in possessives.POSSESSIVES:
        word = after.split(") ", 1)[1].split()[0].rstrip(".,?")
        found = _gender_of(word)
        assert found, word
        gender, plural = found
        family = any(word in (f["word"], f["plural"]) for f in points()["family"])
        return possessives.possessive(hint, gender, plural, family=family)  # type: ignore[arg-type]
    return None


def _known_or_general(key: str) -> str:
    """The key when the table has it (the verb system grows), else general: never a neighbour."""
    return key if key in FOCUSES else GENERAL


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("verbi riflessivi", "verbi riflessivi"),
        ("Reflexive verbs", "verbi riflessivi"),
        ("past tense", "passato prossimo"),
        ("Passato Prossimo", "passato prossimo"),
        ("il passato prossimo con essere", "passato prossimo"),
        ("congiuntivo", "congiuntivo presente"),
        ("imperfect subjunctive", _known_or_general("congiuntivo imperfetto")),
        ("congiuntivo imperfetto", _known_or_general("congiuntivo imperfetto")),
        ("imperativo negativo", _known_or_general("imperativo negativo")),
        ("L'imperfetto", "imperfetto"),
        ("future tense", "futuro semplice"),
        ("CONDIZIONALE", "condizionale presente"),
        ("imperative", "imperativo"),
        ("articoli", "articoli"),
        ("articoli determinativi", "articoli determinativi"),
        ("Articoli indeterminativi", "articoli indeterminativi"),
        ("indefinite articles", "articoli indeterminativi"),
        ("partitive", "articoli partitivi"),
        ("preposizioni articolate", "preposizioni articolate"),
        ("preposizioni semplici", "preposizioni semplici"),
        ("preposizioni", "preposizioni"),
        ("aggettivi possessivi", "aggettivi possessivi"),
        ("concordanza dei tempi", GENERAL),
        ("direct object pronouns", "pronomi diretti"),
        ("pronomi indiretti", "pronomi indiretti"),
        ("pronomi", "pronomi"),
        ("ci e ne", "ci e ne"),
        ("comparatives", "comparativi"),
        ("plurale dei nomi", "plurale dei nomi"),
        ("articulated prepositions", "preposizioni articolate"),
        ("aggettivi", "accordo degli aggettivi"),
        ("presente indicativo", "presente"),
        ("general", GENERAL),
        ("pronomi diretti", "pronomi diretti"),
        ("periodo ipotetico", GENERAL),
        ("", GENERAL),
    ],
)
def test_focus_mapping(text: str, expected: str) -> None:
    assert resolve_focus(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cibo", "cibo"),
        ("food", "cibo"),
        ("Cucina italiana", "cibo"),
        ("calcio", GENERAL),
        ("viaggi", "viaggi"),
        ("Travel", "viaggi"),
        ("Città", "città"),
        ("citta", "città"),
        ("la famiglia", "famiglia"),
        ("daily routine", "routine quotidiana"),
        ("al lavoro", "lavoro"),
        ("school", "scuola"),
        ("art and museums", "cultura"),
        ("partenza", GENERAL),
        ("general", GENERAL),
    ],
)
def test_topic_mapping(text: str, expected: str) -> None:
    assert resolve_topic(text) == expected


def test_known_names_resolve_to_themselves() -> None:
    assert all(resolve_focus(name) == name for name in KNOWN_GRAMMAR_FOCUSES)
    assert all(resolve_topic(name) == name for name in KNOWN_TOPICS)


@pytest.mark.parametrize(
    "focus",
    [
        "articoli determinativi",
        "articoli indeterminativi",
        "aggettivi possessivi",
        "accordo degli aggettivi",
        "preposizioni semplici",
        "preposizioni articolate",
        "plurale dei nomi",
    ],
)
def test_a_c2_homework_translates_none_of_the_a1_sentences(focus: str) -> None:
    """C1–C2 draw the B1–C1 pairs of a point first, so they never reach the A1 ones."""

    def translations(level: str) -> set[str]:
        request = GenerateRequest(
            cefr_level=level,
            grammar_focus=focus,
            quantity=6,
            exercise_types=["translation"],
        )
        return {e.question for seed in range(20) for e in generate_exercises(request, seed=seed)}

    assert not translations("A1") & translations("C2")


def test_an_exhausted_homework_widens_to_the_nearest_level() -> None:
    from api.generation.offline.generator import _nearest_levels

    assert _nearest_levels("A1") == ("A2", "B1", "B2", "C1", "C2")
    assert _nearest_levels("C2")[:2] == ("C1", "B2")
    assert _nearest_levels("B1")[:2] == ("B2", "A2")
