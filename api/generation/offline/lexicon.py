"""Load the data files shipped with the package, once per process, into typed records."""

from __future__ import annotations

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
    """The translation bank."""
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
