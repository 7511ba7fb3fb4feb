"""Load the data files shipped with the package, once per process, into typed records."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal, cast

from api.generation.offline.conjugation import Gender, Tense, Verb, verb_from_entry
from api.generation.offline.morphology import Adjective, regular_adjective

Imperative = Literal["positive", "negative"]


@dataclass(frozen=True)
class Frame:
    """A verb with a complement that fits every subject and every tense not in ``skip``."""

    verb: str
    complement: str
    topic: str
    skip: frozenset[str]
    imperative: Imperative | None
    stative: bool


@dataclass(frozen=True)
class Subject:
    """A sentence subject: its text, person (0..5) and gender (None: unknown, io/tu/noi/voi)."""

    text: str
    person: int
    gender: Gender | None
    topics: frozenset[str] | None


@dataclass(frozen=True)
class FixedSentence:
    """A hand-written sentence with one verb slot, for verbs that need a particular subject."""

    text: str
    verb: str
    tense: Tense
    person: int
    gender: Gender
    subject: str
    topic: str


@dataclass(frozen=True)
class Noun:
    """A noun with its gender, plural (None for a mass noun) and the adjectives it takes."""

    word: str
    gender: Gender
    plural: str | None
    plural_gender: Gender
    english: str
    person: bool
    topics: frozenset[str]
    adjectives: tuple[str, ...]


@dataclass(frozen=True)
class PrepositionSentence:
    """A sentence with a slot for a preposition fused with the article of ``noun``."""

    text: str
    preposition: str
    noun: str
    gender: Gender
    plural: bool
    topic: str


@dataclass(frozen=True)
class TranslationPair:
    """An Italian sentence and its English translation, with other correct renderings."""

    topic: str
    level: str
    focus: str
    italian: str
    english: str
    italian_alternatives: tuple[str, ...]
    english_alternatives: tuple[str, ...]

    @classmethod
    def of(
        cls, focus: str, level: str, italian: Iterable[str], english: Iterable[str]
    ) -> TranslationPair:
        """A general-topic pair whose first Italian and English renderings are the main ones
        (repeated renderings kept once)."""
        it = list(dict.fromkeys(italian))
        en = list(dict.fromkeys(english))
        return cls(
            topic="general",
            level=level,
            focus=focus,
            italian=it[0],
            english=en[0],
            italian_alternatives=tuple(it[1:]),
            english_alternatives=tuple(en[1:]),
        )


def capitalised(text: str) -> str:
    """``text`` with its first letter in upper case, the rest as it is."""
    return text[:1].upper() + text[1:]


def _load(name: str) -> Any:
    package = resources.files("api.generation.offline")
    return json.loads(package.joinpath("data", name).read_text("utf-8"))


@cache
def verbs() -> dict[str, Verb]:
    """Every verb the generator conjugates, by infinitive."""
    return {entry["infinitive"]: verb_from_entry(entry) for entry in _load("verbs.json")["verbs"]}


@cache
def frames() -> tuple[Frame, ...]:
    """Every verb frame, each tagged with its topic."""
    data = _load("frames.json")["frames"]
    return tuple(
        Frame(
            verb=entry["verb"],
            complement=entry["it"],
            topic=topic,
            skip=frozenset(entry.get("skip", ())),
            imperative=entry.get("imperative"),
            stative=entry.get("stative", False),
        )
        for topic, entries in data.items()
        for entry in entries
    )


@cache
def subjects() -> tuple[Subject, ...]:
    """Subjects for the verb frames."""
    return tuple(
        Subject(
            text=entry["text"],
            person=entry["person"],
            gender=entry.get("gender"),
            topics=frozenset(entry["topics"]) if "topics" in entry else None,
        )
        for entry in _load("frames.json")["subjects"]
    )


@cache
def fixed_sentences() -> tuple[FixedSentence, ...]:
    """Hand-written sentences for piacere, costare, nascere and the like."""
    return tuple(
        FixedSentence(
            text=entry["text"],
            verb=entry["verb"],
            tense=cast(Tense, entry["tense"]),
            person=entry["person"],
            gender=entry["gender"],
            subject=entry["subject"],
            topic=entry["topic"],
        )
        for entry in _load("frames.json")["fixed"]
    )


@cache
def adjectives() -> dict[str, Adjective]:
    """Adjectives by masculine singular."""
    return {
        entry["ms"]: regular_adjective(entry["ms"], entry["english"], mp=entry.get("mp"))
        for entry in _load("lexicon.json")["adjectives"]
    }


@cache
def nouns() -> tuple[Noun, ...]:
    """Nouns for the article, adjective and preposition exercises."""
    return tuple(
        Noun(
            word=entry["word"],
            gender=entry["gender"],
            plural=entry["plural"],
            plural_gender=entry.get("plural_gender", entry["gender"]),
            english=entry["english"],
            person=entry.get("person", False),
            topics=frozenset(entry["topics"]),
            adjectives=tuple(entry["adjectives"]),
        )
        for entry in _load("lexicon.json")["nouns"]
    )


@cache
def preposition_sentences() -> tuple[PrepositionSentence, ...]:
    """Sentences with a slot for an articulated preposition."""
    return tuple(
        PrepositionSentence(
            text=entry["text"],
            preposition=entry["preposition"],
            noun=entry["noun"],
            gender=entry["gender"],
            plural=entry["plural"],
            topic=entry["topic"],
        )
        for entry in _load("lexicon.json")["prepositions"]
    )


@cache
def person_preposition_templates() -> tuple[tuple[str, str], ...]:
    """Sentences (with a {noun} slot) whose preposition fuses with the article of a person."""
    return tuple(
        (entry["text"], entry["preposition"])
        for entry in _load("lexicon.json")["person_prepositions"]
    )


@cache
def translation_pairs() -> tuple[TranslationPair, ...]:
    """The translation bank's written pairs."""
    return tuple(
        TranslationPair(
            topic=entry["topic"],
            level=entry["level"],
            focus=entry["focus"],
            italian=entry["it"],
            english=entry["en"],
            italian_alternatives=tuple(entry["it_alt"]),
            english_alternatives=tuple(entry["en_alt"]),
        )
        for entry in _load("translations.json")["pairs"]
    )


def _history_pair(level: str, italian: list[str], english: list[str]) -> TranslationPair:
    pair = TranslationPair.of("passato remoto", level, italian, english)
    return dataclasses.replace(pair, topic="culture")


def _life_pairs(person: dict[str, Any], names: list[str]) -> list[TranslationPair]:
    """Birth and death in one sentence, the birth in a relative clause (B2): Giacomo Puccini,
    che nacque a Lucca nel 1858, morì a Bruxelles nel 1924. The passato prossimo is accepted
    in either clause, and so is the participle clause (Puccini, nato a Lucca nel 1858, ...)."""
    if person["born"] is None or person["died"] is None:
        return []
    ending = "a" if person["gender"] == "f" else "o"
    (born_place, born_english, born_year), (died_place, died_english, died_year) = (
        person["born"],
        person["died"],
    )
    born_where = f" {born_place}" if born_place else ""
    died_where = f" {died_place}" if died_place else ""
    italian = [
        f"{who}, {clause}{born_where} nel {born_year}, {died}{died_where} nel {died_year}."
        for who in person["it"].split("|")
        for clause in ("che nacque", f"che è nat{ending}", f"nat{ending}")
        for died in ("morì", f"è mort{ending}")
    ]
    english = [
        f"{name}, who was born{f' {born_english}' if born_english else ''} in {born_year}, "
        f"died{f' {died_english}' if died_english else ''} in {died_year}."
        for name in names
    ]
    return [_history_pair("B2", italian, english)]


@cache
def history_pairs() -> tuple[TranslationPair, ...]:
    """Passato remoto pairs from the bank's historical facts: births and deaths (Puccini nacque
    a Lucca nel 1858), Nobel prizes, works (Umberto Eco scrisse Il nome della rosa). The passato
    prossimo is accepted too (è nata, ha scritto), so are the year first and the other names;
    none repeats the Italian of a written pair."""
    history = _load("translations.json")["history"]
    pairs = []
    for person in history["people"]:
        names = person["en"].split("|")
        for event, remoto, participle, english_verb in (
            ("born", "nacque", "nat", "was born"),
            ("died", "morì", "mort", "died"),
        ):
            if person[event] is None:
                continue
            place, english_place, year = person[event]
            where = f" {place}" if place else ""
            english_where = f" {english_place}" if english_place else ""
            prossimo = f"è {participle}{'a' if person['gender'] == 'f' else 'o'}"
            italian = [
                text
                for who in person["it"].split("|")
                for text in (
                    f"{who} {remoto}{where} nel {year}.",
                    f"{who} {prossimo}{where} nel {year}.",
                    f"Nel {year} {who} {remoto}{where}.",
                    f"Nel {year} {who} {prossimo}{where}.",
                )
            ]
            english = [f"{name} {english_verb}{english_where} in {year}." for name in names]
            english += [f"In {year} {name} {english_verb}{english_where}." for name in names]
            pairs.append(_history_pair("B1", italian, english))
        pairs.extend(_life_pairs(person, names))
    fields = history["fields"]
    for prize in history["prizes"]:
        field, year = prize["field"], prize["year"]
        nobel = [f"il premio Nobel per la {field}", f"il Nobel per la {field}"]
        italian = [
            f"{text}"
            for verb in ("vinse", "ha vinto")
            for prize_name in nobel
            for text in (
                f"{prize['it']} {verb} {prize_name} nel {year}.",
                f"Nel {year} {prize['it']} {verb} {prize_name}.",
            )
        ]
        english = [
            f"{lead}{name} won the Nobel Prize {for_in} {english_field}{tail}."
            for name in prize["en"].split("|")
            for english_field in fields[field].split("|")
            for for_in in ("in", "for")
            for lead, tail in (("", f" in {year}"), (f"In {year} ", ""))
        ]
        pairs.append(_history_pair("B1", italian, english))
    for work in history["works"]:
        italian = [
            f"{who} {verb} {title}."
            for who in work["it"].split("|")
            for verb in (*work["remoto"].split("|"), *work["prossimo"].split("|"))
            for title in work["work_it"].split("|")
        ]
        english = [
            f"{name} {verb} {title}."
            for name in work["en"].split("|")
            for verb in work["verb_en"].split("|")
            for title in work["work_en"].split("|")
        ]
        pairs.append(_history_pair("B1", italian, english))
    taken = {pair.italian for pair in translation_pairs()}
    return tuple(pair for pair in pairs if pair.italian not in taken)
