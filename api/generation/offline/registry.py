"""The one table of what the offline generator can practise: every grammar point with its name,
aliases (Italian and English), levels, exercise types and builder. The focus resolver, the
assignment's OpenAPI description and the pages' suggestions all read it, and a request it cannot
practise is reported in plain sentences, never replaced in silence."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Literal

from api.generation.offline import lexicon, tenses
from api.generation.offline.builders import Item, adjective_item
from api.generation.offline.matching import (
    GENERAL,
    TOPIC_KEYS,
    known_topic,
    normalise,
    resolve_topic,
)
from api.generation.offline.points import (
    articles,
    comparatives,
    narrative,
    nouns,
    possessives,
    prepositions,
    pronouns,
)
from api.generation.offline.points import translations as point_translations
from inference_worker.contract import CEFR_LEVELS, ExerciseType

#: (rng, topic key, level, exercise type) → an item, or None when the data has none.
Builder = Callable[[random.Random, str, str, str], Item | None]
Kind = Literal["verb", "point", "composite"]

_GRAMMAR_TYPES: tuple[ExerciseType, ...] = ("fill_in_blank", "multiple_choice")


@dataclass(frozen=True)
class Focus:
    """A grammar point the offline generator practises."""

    key: str
    aliases: tuple[str, ...]
    levels: tuple[str, ...]
    types: tuple[ExerciseType, ...]
    build: Builder = field(compare=False, repr=False)
    kind: Kind
    parts: tuple[str, ...] = ()  # a composite draws from these keys


def _point(build: Callable[[random.Random, str, str], Item | None]) -> Builder:
    def builder(rng: random.Random, topic: str, level: str, exercise_type: str) -> Item | None:
        if exercise_type not in _GRAMMAR_TYPES:
            return None
        return build(rng, topic, level)

    return builder


def _adjectives(rng: random.Random, topic: str, level: str) -> Item | None:
    return adjective_item(rng, topic, level)


def _levels(first: str, last: str = "C2") -> tuple[str, ...]:
    return CEFR_LEVELS[CEFR_LEVELS.index(first) : CEFR_LEVELS.index(last) + 1]


# The points beyond verbs. Aliases match at the start of a word of the normalised text, so a
# stem ("determinativ") covers every ending; the longest alias found wins.
_POINTS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], Builder], ...] = (
    (
        "articoli determinativi",
        ("articolo determinativo", "determinativ", "definite article", "the definite article"),
        _levels("A1"),
        _point(articles.definite_item),
    ),
    (
        "articoli indeterminativi",
        (
            "articolo indeterminativo",
            "indeterminativ",
            "indefinite article",
            "the indefinite article",
        ),
        _levels("A1"),
        _point(articles.indefinite_item),
    ),
    (
        "articoli partitivi",
        ("articolo partitivo", "partitiv", "partitive", "partitive article", "some and any"),
        _levels("A2"),
        _point(articles.partitive_item),
    ),
    (
        "preposizioni semplici",
        ("preposizione semplice", "simple preposition", "simple prepositions"),
        _levels("A1"),
        _point(prepositions.simple_item),
    ),
    (
        "preposizioni articolate",
        (
            "preposizione articolata",
            "articolat",
            "articulated preposition",
            "contracted preposition",
            "combined preposition",
            "preposizioni con l articolo",
        ),
        _levels("A1"),
        _point(prepositions.articulated_item),
    ),
    (
        "plurale dei nomi",
        (
            "plurale",
            "plurali",
            "plural",
            "plurals",
            "noun plural",
            "plural of nouns",
            "singolare e plurale",
        ),
        _levels("A1"),
        _point(nouns.plural_item),
    ),
    (
        "aggettivi possessivi",
        ("possessiv", "possessive", "possessive adjective", "possessives"),
        _levels("A1"),
        _point(possessives.possessive_item),
    ),
    (
        "accordo degli aggettivi",
        (
            "aggettiv",
            "adjective",
            "adjectives",
            "accordo",
            "agreement",
            "genere e numero",
            "adjective agreement",
        ),
        _levels("A1"),
        _point(_adjectives),
    ),
    (
        "pronomi diretti",
        (
            "pronome diretto",
            "pronomi oggetto diretto",
            "direct object pronoun",
            "direct pronoun",
            "complemento oggetto",
        ),
        _levels("A2"),
        _point(pronouns.direct_item),
    ),
    (
        "pronomi indiretti",
        (
            "pronome indiretto",
            "indirect object pronoun",
            "indirect pronoun",
            "complemento di termine",
        ),
        _levels("A2"),
        _point(pronouns.indirect_item),
    ),
    (
        "ci e ne",
        (
            "ci ne",
            "ne e ci",
            "pronomi ci e ne",
            "particella ci",
            "particella ne",
            "particelle ci e ne",
            "ci and ne",
            "the particles ci and ne",
        ),
        _levels("A2"),
        _point(pronouns.ci_ne_item),
    ),
    (
        "comparativi",
        (
            "comparativ",
            "comparative",
            "comparatives",
            "comparison",
            "piu di",
            "piu che",
            "more than",
        ),
        _levels("A2"),
        _point(comparatives.comparative_item),
    ),
    (
        narrative.POINT,
        (
            "passato prossimo o imperfetto",
            "passato prossimo vs imperfetto",
            "passato prossimo versus imperfetto",
            "passato prossimo imperfetto",
            "imperfetto e passato prossimo",
            "imperfetto o passato prossimo",
            "imperfetto vs passato prossimo",
            "imperfetto passato prossimo",
            "passato prossimo o l imperfetto",
            "passato prossimo e l imperfetto",
            "perfect vs imperfect",
            "perfect or imperfect",
            "perfect and imperfect",
        ),
        _levels("A2"),
        _point(narrative.narrative_item),
    ),
)

# Points that mix others: the plain word ("articoli") asks for every kind.
_COMPOSITES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "articoli",
        ("articol", "article", "articles"),
        ("articoli determinativi", "articoli indeterminativi"),
    ),
    (
        "preposizioni",
        ("preposizion", "preposition", "prepositions"),
        ("preposizioni semplici", "preposizioni articolate"),
    ),
    (
        "pronomi",
        ("pronom", "pronoun", "pronouns", "object pronouns", "pronomi oggetto"),
        ("pronomi diretti", "pronomi indiretti"),
    ),
)

# Grammar a teacher may name that the offline generator cannot practise (yet): naming one of
# these is reported, never matched to a shorter alias ("congiuntivo imperfetto" is not
# "congiuntivo"). A name that the table above (or tenses.TENSES) knows is dropped from here.
NOT_OFFLINE: tuple[str, ...] = (
    "periodo ipotetico", "if clause", "if clauses", "conditional sentence", "conditional sentences",
    "si impersonale", "impersonal si", "si passivante", "forma passiva", "passivo", "passive",
    "passive voice", "gerundio", "gerund", "stare gerundio", "present continuous",
    "participio presente", "infinito", "discorso indiretto", "reported speech",
    "indirect speech", "concordanza dei tempi", "sequence of tenses", "pronomi relativi",
    "relative pronoun", "relative pronouns", "pronomi combinati", "combined pronouns",
    "double pronouns", "pronomi tonici", "stressed pronouns", "passato remoto", "remote past",
    "past historic", "trapassato prossimo", "trapassato remoto", "trapassato", "pluperfect",
    "past perfect", "futuro anteriore", "future perfect", "condizionale passato",
    "conditional perfect", "past conditional", "congiuntivo passato", "past subjunctive",
    "perfect subjunctive", "congiuntivo imperfetto", "imperfect subjunctive",
    "congiuntivo trapassato", "pluperfect subjunctive", "imperativo negativo",
    "negative imperative", "imperativo formale", "formal imperative", "superlativo",
    "superlativi", "superlative", "avverbi", "adverb", "adverbs", "dimostrativi",
    "demonstrative", "demonstratives", "numeri", "numbers", "negazione", "negation",
    "interrogativi", "question words", "congiunzioni", "conjunctions",
    "futuro nel passato", "verbi modali", "modal verbs",
)  # fmt: skip

GENERAL_ALIASES: tuple[str, ...] = ("general", "generale", "misto", "mixed", "ripasso", "review", "revision", "tutto", "grammatica")  # fmt: skip


def _tense_builder(key: str) -> Builder:
    def builder(rng: random.Random, topic: str, level: str, exercise_type: str) -> Item | None:
        return tenses.build_tense_item(rng, key, topic, level, exercise_type)

    return builder


def _composite_builder(parts: tuple[str, ...]) -> Builder:
    def builder(rng: random.Random, topic: str, level: str, exercise_type: str) -> Item | None:
        return FOCUSES[rng.choice(parts)].build(rng, topic, level, exercise_type)

    return builder


@cache
def translation_pairs() -> tuple[lexicon.TranslationPair, ...]:
    """The translation bank, the pairs built from its historical facts and from the points'
    frames."""
    return (
        *lexicon.translation_pairs(),
        *lexicon.history_pairs(),
        *point_translations.translation_pairs(),
    )


@cache
def translation_focuses() -> frozenset[str]:
    """The focuses that have translation pairs."""
    return frozenset(pair.focus for pair in translation_pairs())


def _with_translation(key: str, types: tuple[str, ...]) -> tuple[ExerciseType, ...]:
    chosen = [t for t in _GRAMMAR_TYPES if t in types]
    if key in translation_focuses() or tenses.has_translations(key):
        chosen.append("translation")
    return tuple(chosen)


def _table() -> dict[str, Focus]:
    table: dict[str, Focus] = {}
    for tense in tenses.TENSES:
        table[tense.key] = Focus(
            key=tense.key,
            aliases=tuple(tense.aliases),
            levels=tuple(tense.levels),
            types=_with_translation(tense.key, tense.types),
            build=_tense_builder(tense.key),
            kind="verb",
        )
    for key, aliases, levels, build in _POINTS:
        table[key] = Focus(key, aliases, levels, _with_translation(key, _GRAMMAR_TYPES), build, "point")  # fmt: skip
    for key, aliases, parts in _COMPOSITES:
        levels = tuple(lv for lv in CEFR_LEVELS if any(lv in table[p].levels for p in parts))
        table[key] = Focus(
            key=key,
            aliases=aliases,
            levels=levels,
            # Translations of any part serve the composite (the generator asks for its parts').
            types=max((_with_translation(k, _GRAMMAR_TYPES) for k in (key, *parts)), key=len),
            build=_composite_builder(parts),
            kind="composite",
            parts=parts,
        )
    return table


FOCUSES: dict[str, Focus] = _table()
KNOWN_GRAMMAR_FOCUSES: tuple[str, ...] = (GENERAL, *FOCUSES)


def general_mix(level: str) -> tuple[str, ...]:
    """What a general homework practises at a level: every single point taught there."""
    return tuple(f.key for f in FOCUSES.values() if f.kind != "composite" and level in f.levels)


# -- resolution -----------------------------------------------------------------------------------

_WHOLE_WORD_MAX = 4  # aliases this short must match a whole word ("ne" is not "negozio")

NameKind = Literal["focus", "general", "not_offline"]


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str, NameKind], ...]:
    names: dict[str, tuple[str, NameKind]] = {}
    for focus in FOCUSES.values():
        for alias in (focus.key, *focus.aliases):
            names.setdefault(normalise(alias), (focus.key, "focus"))
    for alias in GENERAL_ALIASES:
        names.setdefault(normalise(alias), (GENERAL, "general"))
    for alias in NOT_OFFLINE:
        names.setdefault(normalise(alias), (alias, "not_offline"))
    patterns = []
    for alias, (target, kind) in sorted(names.items(), key=lambda pair: -len(pair[0])):
        tail = r"\b" if len(alias) <= _WHOLE_WORD_MAX else ""
        patterns.append((re.compile(rf"\b{re.escape(alias)}{tail}"), target, kind))
    return tuple(patterns)


def _names_in(text: str) -> list[tuple[str, NameKind]]:
    """Every grammar name in the text, longest first, none overlapping a longer one."""
    normalised = normalise(text)
    taken: list[tuple[int, int]] = []
    found: list[tuple[str, NameKind]] = []
    for pattern, target, kind in _patterns():
        for match in pattern.finditer(normalised):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            if (target, kind) not in found:
                found.append((target, kind))
    return found


@dataclass(frozen=True)
class Resolution:
    """What the offline generator will practise for a request, and what it cannot honour."""

    focus: str  # a key of FOCUSES, or "general"
    topic: str  # a public topic name, or "general"
    warnings: tuple[str, ...]


def resolve_focus(text: str) -> str:
    """The key of the point a teacher's text names; ``general`` when none fits."""
    for target, kind in _names_in(text):
        if kind == "focus":
            return target
    return GENERAL


def _levels_text(levels: tuple[str, ...]) -> str:
    return levels[0] if len(levels) == 1 else f"{levels[0]}–{levels[-1]}"


def resolve(
    *, grammar_focus: str, topic: str, level: str, exercise_types: Sequence[str]
) -> Resolution:
    """Resolve a request against the table, with a plain sentence for each thing not honoured.

    Remembered per request (a teacher's list of assignments resolves each one, the dispatcher
    each homework, on the event loop), and a ``Resolution`` is immutable."""
    return _resolve(grammar_focus, topic, level, "translation" in exercise_types)


@lru_cache(maxsize=4096)
def _resolve(grammar_focus: str, topic: str, level: str, translations: bool) -> Resolution:
    warnings: list[str] = []
    names = _names_in(grammar_focus)
    known = [target for target, kind in names if kind == "focus"]
    missing = [target for target, kind in names if kind == "not_offline"]
    focus = known[0] if known else GENERAL
    general = f"general {level} grammar"
    if (
        not known
        and not missing
        and normalise(grammar_focus) not in ("", GENERAL)
        and not any(kind == "general" for _, kind in names)
    ):
        missing = [grammar_focus.strip()]
    for name in missing:
        what = f"only {focus}" if known else general
        warnings.append(
            f"'{name}' is not in the offline generator: homework generated offline will "
            f"practise {what}."
        )
    for other in known[1:]:
        warnings.append(
            f"The offline generator practises one grammar point per homework: homework "
            f"generated offline will practise {focus}, not {other}."
        )
    if focus != GENERAL:
        chosen = FOCUSES[focus]
        if level not in chosen.levels:
            warnings.append(
                f"'{focus}' is usually taught at {_levels_text(chosen.levels)}: homework "
                f"generated offline will practise it at {level} all the same."
            )
        if translations and "translation" not in chosen.types:
            warnings.append(
                f"The offline generator has no translations for '{focus}': translation "
                f"exercises generated offline will practise general {level} sentences."
            )
    resolved_topic = resolve_topic(topic)
    if not known_topic(topic):
        warnings.append(
            f"The topic '{topic.strip()}' is not in the offline generator: homework generated "
            f"offline will use sentences on every topic ({', '.join(t for t in TOPIC_KEYS if t != GENERAL)})."
        )
    return Resolution(focus=focus, topic=resolved_topic, warnings=tuple(warnings))


def practised(resolution: Resolution, level: str) -> str:
    """The name a pupil sees for what a homework generated offline practises."""
    return f"general {level} grammar" if resolution.focus == GENERAL else resolution.focus


# -- documentation --------------------------------------------------------------------------------

COVERAGE_START = "<!-- coverage table: generated from the registry by `python -m api.generation.offline.coverage`; a test keeps it equal -->"
COVERAGE_END = "<!-- end of coverage table -->"


def coverage_table() -> str:
    """The Markdown table of every focus: levels, exercise types and other names it answers to."""
    rows = [
        "| focus | levels | exercise types | also matches |",
        "| --- | --- | --- | --- |",
    ]
    for focus in FOCUSES.values():
        key = f"`{focus.key}`" + (f" ({' + '.join(focus.parts)})" if focus.parts else "")
        words = [
            a for a in focus.aliases if not any(b != a and b.startswith(a) for b in focus.aliases)
        ]
        aliases = ", ".join(words[:4]) + (", …" if len(words) > 4 else "")
        rows.append(
            f"| {key} | {_levels_text(focus.levels)} | {', '.join(focus.types)} | {aliases} |"
        )
    return "\n".join([COVERAGE_START, *rows, COVERAGE_END])
