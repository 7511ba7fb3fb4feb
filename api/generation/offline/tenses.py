"""The verb system of the offline generator: one table of tense focuses (name, aliases, levels,
exercise types) and one entry point that builds an item for any of them."""

from __future__ import annotations

import random
from dataclasses import dataclass

from api.generation.offline import builders
from api.generation.offline.builders import Item
from api.generation.offline.conjugation import Tense

_ALL_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")
_GRAMMAR_TYPES = ("fill_in_blank", "multiple_choice")


@dataclass(frozen=True)
class TenseFocus:
    """A verb tense (or verb point) the offline generator can practise."""

    key: str  # canonical Italian name, e.g. "congiuntivo imperfetto"
    aliases: tuple[str, ...]  # other Italian and English names, lower case
    levels: tuple[str, ...]  # CEFR levels where it is taught
    types: tuple[str, ...]  # exercise types it can build


TENSES: tuple[TenseFocus, ...] = (
    TenseFocus(
        "presente",
        (
            "presente indicativo",
            "indicativo presente",
            "present",
            "present tense",
            "simple present",
        ),
        _ALL_LEVELS,
        _GRAMMAR_TYPES,
    ),
    TenseFocus(
        "passato prossimo",
        ("present perfect", "perfect tense", "compound past", "past tense"),
        _ALL_LEVELS,
        _GRAMMAR_TYPES,
    ),
    TenseFocus(
        "imperfetto",
        ("imperfetto indicativo", "imperfect", "past continuous", "past habitual", "used to"),
        _ALL_LEVELS[1:],
        _GRAMMAR_TYPES,
    ),
    TenseFocus(
        "futuro semplice",
        ("futuro", "future", "future tense", "simple future"),
        _ALL_LEVELS[1:],
        _GRAMMAR_TYPES,
    ),
    TenseFocus(
        "condizionale presente",
        ("condizionale", "conditional", "present conditional"),
        _ALL_LEVELS[1:],
        _GRAMMAR_TYPES,
    ),
    TenseFocus(
        "congiuntivo presente",
        ("congiuntivo", "subjunctive", "present subjunctive"),
        _ALL_LEVELS[2:],
        _GRAMMAR_TYPES,
    ),
    TenseFocus(
        "imperativo",
        ("imperative", "commands", "imperativo affermativo"),
        _ALL_LEVELS[1:],
        _GRAMMAR_TYPES,
    ),
    TenseFocus(
        "verbi riflessivi",
        ("riflessivi", "reflexive verbs", "reflexive", "pronominal verbs"),
        _ALL_LEVELS,
        _GRAMMAR_TYPES,
    ),
)

_TENSE_OF_KEY: dict[str, Tense] = {
    "presente": "presente",
    "passato prossimo": "passato_prossimo",
    "imperfetto": "imperfetto",
    "futuro semplice": "futuro",
    "condizionale presente": "condizionale",
    "congiuntivo presente": "congiuntivo",
    "imperativo": "imperativo",
}
_REFLEXIVE_TENSES: dict[str, tuple[Tense, ...]] = {
    "A1": ("presente",),
    "A2": ("presente", "passato_prossimo"),
    "B1": ("presente", "passato_prossimo", "imperfetto", "futuro"),
}
_REFLEXIVE_TENSES_ADVANCED: tuple[Tense, ...] = (
    "presente",
    "passato_prossimo",
    "imperfetto",
    "futuro",
    "condizionale",
    "congiuntivo",
)


def build_tense_item(
    rng: random.Random, key: str, topic: str, level: str, exercise_type: str
) -> Item | None:
    """One item for tense focus ``key`` on a topic key at a level; None when the data has none."""
    if exercise_type not in _GRAMMAR_TYPES:
        return None
    if key == "verbi riflessivi":
        tense = rng.choice(_REFLEXIVE_TENSES.get(level, _REFLEXIVE_TENSES_ADVANCED))
        return builders._verb_sentence_item(rng, tense, topic, reflexive_only=True)
    if key not in _TENSE_OF_KEY:
        raise ValueError(f"unknown tense focus {key!r}")
    return builders._verb_sentence_item(rng, _TENSE_OF_KEY[key], topic)
