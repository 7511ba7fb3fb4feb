"""Properties of every tense focus × level × exercise type, re-checked against the conjugation
engine: the answer is a form of the tense asked, a multiple choice has exactly one right option
and its wrong options are real forms, translations accept only right sentences; level and
variety as the homework needs them."""

from __future__ import annotations

import dataclasses
import random
import re
import statistics
from functools import cache

import pytest

from api.generation.offline.builders import Item, normalise_answer
from api.generation.offline.conjugation import (
    FULL_IMPERATIVE_PERSONS,
    TenseName,
    Verb,
    every_form,
    forms,
)
from api.generation.offline.tenses import (
    BANK_TRANSLATED,
    EXERCISE_TYPES,
    LEVELS,
    TENSES,
    build_tense_item,
    contexts,
    frame_verb,
    frames,
    subjects,
    verbs,
)

KEYS = [focus.key for focus in TENSES]
SEEDS = range(4)


def _verb(item: Item) -> Verb:
    frame = next(f for f in frames() if f.variety_key == item.tags["variety"])
    return frame_verb(frame)


@cache
def _real_forms(infinitive: str, auxiliary: str) -> frozenset[str]:
    """Every form the engine knows for a verb with this auxiliary: what options may be."""
    verb = dataclasses.replace(verbs()[infinitive], auxiliary=auxiliary)  # type: ignore[arg-type]
    return frozenset(every_form(verb))


def _right(item: Item) -> set[str]:
    """Every form of the requested tense for the item's person, re-derived from the engine."""
    verb = _verb(item)
    tense: TenseName = item.tags["tense"]  # type: ignore[assignment]
    person = int(item.tags["person"])
    genders = ("m", "f") if item.tags["gender"] == "any" else (item.tags["gender"],)
    return {form for g in genders for form in forms(verb, tense, person, g)}  # type: ignore[arg-type]


def _items(key: str, level: str, kind: str) -> list[Item]:
    result = []
    for seed in SEEDS:
        item = build_tense_item(
            random.Random(f"{key}|{level}|{kind}|{seed}"), key, "general", level, kind
        )
        assert item is not None, (key, level, kind, seed)
        result.append(item)
    return result


@pytest.mark.parametrize("kind", ["fill_in_blank", "multiple_choice"])
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("key", KEYS)
def test_answer_is_the_tense_asked_and_exactly_one_option_is_right(
    key: str, level: str, kind: str
) -> None:
    for item in _items(key, level, kind):
        right = _right(item)
        assert item.answer in right, item
        assert set(item.accepted) <= right, item
        # Every form of the tense for this subject is accepted: no right answer is refused.
        assert right == {item.answer, *item.accepted}, item
        assert item.question.count("___") == 1
        hint = re.search(r"___ \(([^)]*)\)", item.question)
        assert hint and hint.group(1).split(", ")[0] == item.word, item
        wrong = {*item.wrong_first, *item.wrong_other}
        assert wrong.isdisjoint(right), item
        assert len({normalise_answer(w) for w in wrong}) >= 3, item  # enough for 4 options
        assert wrong <= _real_forms(item.word, item.tags["auxiliary"]), item


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("key", [k for k in KEYS if k not in BANK_TRANSLATED])
def test_translation_accepts_only_sentences_with_the_tense_asked(key: str, level: str) -> None:
    for item in _items(key, level, "translation"):
        assert item.question.startswith("Traduci in italiano: «") and item.question.endswith("»")
        english = item.question.split("«")[1].rstrip("»")
        assert english[:1].isupper() and english[-1] in ".!", item
        verb = _verb(item)
        tense: TenseName = item.tags["tense"]  # type: ignore[assignment]
        persons = FULL_IMPERATIVE_PERSONS if tense.startswith("imperativo") else range(6)
        # Right now I'm reading: the presente is as right as the progressive.
        accepted_tenses = (tense, "presente") if tense == "stare_gerundio" else (tense,)
        right_forms = {
            f
            for t in accepted_tenses
            for p in persons
            for g in ("m", "f")
            for f in forms(verb, t, p, g)  # type: ignore[arg-type]
        }
        for sentence in (item.answer, *item.accepted):
            assert sentence[:1].isupper() and sentence[-1] in ".!", sentence
            assert any(
                re.search(rf"(^|\s){re.escape(f)}(\s|[,.!]|$)", sentence, re.IGNORECASE)
                for f in right_forms
            ), (sentence, item)
        assert len(set(item.accepted)) == len(item.accepted)


def test_english_you_accepts_tu_voi_and_lei() -> None:
    seen = 0
    for seed in range(200):
        item = build_tense_item(random.Random(seed), "presente", "general", "A1", "translation")
        assert item is not None
        if " you " not in f" {item.question.split('«')[1].casefold()} ":
            continue
        seen += 1
        verb = _verb(item)
        sentences = {normalise_answer(s) for s in (item.answer, *item.accepted)}
        for person in (1, 2, 4):
            form = forms(verb, "presente", person)[0]
            assert any(f" {form} " in f" {s} " for s in sentences), (person, item)
    assert seen >= 10


def test_gender_variants_are_accepted_with_essere() -> None:
    for seed in range(300):
        item = build_tense_item(
            random.Random(seed), "passato prossimo", "general", "A1", "translation"
        )
        assert item is not None
        sentences = " | ".join((item.answer, *item.accepted))
        if re.search(r"\b(sono|siamo|sei|siete) \w+ato\b", sentences):
            stem = re.search(r"\b(?:sono|siamo|sei|siete) (\w+)at[oi]\b", sentences)
            assert stem is not None
            assert re.search(rf"\b{stem.group(1)}at[ae]\b", sentences), item
            return
    pytest.fail("no essere verb with a pronoun subject in 300 draws")


def test_congiuntivo_never_looks_like_the_indicative() -> None:
    for seed in range(300):
        for level in ("B1", "C2"):
            item = build_tense_item(
                random.Random(seed), "congiuntivo presente", "general", level, "fill_in_blank"
            )
            assert item is not None
            person = int(item.tags["person"])
            assert person != 3, item  # noi: identical to the indicative
            assert item.answer != forms(_verb(item), "presente", person)[0], item


def test_plural_subjects_are_explained_as_groups() -> None:
    for seed in range(400):
        item = build_tense_item(
            random.Random(seed), "passato prossimo", "general", "A2", "fill_in_blank"
        )
        assert item is not None
        if int(item.tags["person"]) in (3, 4, 5):
            assert "for a man" not in item.explanation, item
            if item.accepted:
                assert "mixed group" in item.explanation and "all-female" in item.explanation


def test_negative_imperative_is_always_negative() -> None:
    for seed in range(100):
        item = build_tense_item(
            random.Random(seed), "imperativo negativo", "general", "B1", "fill_in_blank"
        )
        assert item is not None
        assert "non ___" in item.question, item


def test_auxiliary_note_where_the_meaning_chooses_it() -> None:
    found = False
    for seed in range(400):
        item = build_tense_item(
            random.Random(seed), "passato prossimo", "general", "B1", "fill_in_blank"
        )
        assert item is not None
        if item.tags["variety"] == "correre|a casa":
            assert item.answer.split()[0] in ("sono", "sei", "è", "siamo", "siete"), item
            assert "takes essere" in item.explanation
            found = True
    assert found


@pytest.mark.parametrize("key", KEYS)
def test_a1_and_c2_share_no_item(key: str) -> None:
    for seed in range(15):
        for kind in EXERCISE_TYPES:
            if kind == "translation" and key in BANK_TRANSLATED:
                continue  # the bank's historical sentences, not the frames
            low = build_tense_item(random.Random(seed), key, "general", "A1", kind)
            high = build_tense_item(random.Random(seed), key, "general", "C2", kind)
            assert low is not None and high is not None
            assert low.question != high.question
            assert low.tags["variety"] != high.tags["variety"]


def test_sentences_grow_with_the_level() -> None:
    def mean_words(level: str) -> float:
        lengths = []
        for key in KEYS:
            for seed in range(10):
                item = build_tense_item(random.Random(seed), key, "general", level, "fill_in_blank")
                assert item is not None
                lengths.append(len(item.question.split()))
        return statistics.mean(lengths)

    a1, b1, c2 = mean_words("A1"), mean_words("B1"), mean_words("C2")
    assert a1 < b1 < c2, (a1, b1, c2)


@pytest.mark.parametrize("key", KEYS)
def test_thirty_pupils_get_different_homework(key: str) -> None:
    questions = []
    for pupil in range(30):
        rng = random.Random(f"assignment-1|{pupil}")
        used: list[str] = []
        for _ in range(10):
            item = build_tense_item(rng, key, "general", "B1", "fill_in_blank", avoid=used)
            assert item is not None
            assert item.tags["variety"] not in used  # no two items share verb and complement
            used.append(item.tags["variety"])
            questions.append(item.question)
    assert len(set(questions)) / len(questions) >= 0.9


def test_data_is_consistent() -> None:
    for frame in frames():
        verb = verbs()[frame.verb]
        assert frame.level in LEVELS and (frame.en_verb or verb.english_forms), frame
        if frame.imperative:
            assert not verb.reflexive, frame
    for context in contexts():
        templates = context.it.values() if isinstance(context.it, dict) else [context.it]
        for template in templates:
            assert template.count("{v}") == 1 and "{c}" in template, context
        assert context.levels <= set(LEVELS) and context.en.count("{c}") == 1, context
    assert {s.person for s in subjects()} == set(range(6))
    assert len(verbs()) >= 150
