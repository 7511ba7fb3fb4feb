"""The verb system of the offline generator: one table of tense focuses (name, aliases, levels,
exercise types) and one entry point that builds an item for any of them.

Every item comes from a checked frame (a verb with a complement) placed in a context (a time
marker or a governing clause) under which the tense asked is the right one; fill-ins also name
the tense in brackets. The English of translation items is built with the same frame, so every
accepted answer is right.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal, cast

from api.generation.offline import lexicon
from api.generation.offline.builders import Item, capitalise
from api.generation.offline.conjugation import (
    COMPOUND_TENSES,
    FULL_IMPERATIVE_PERSONS,
    Auxiliary,
    Gender,
    TenseName,
    Verb,
    forms,
    is_plural,
    passato_remoto_forms,
    past_participle,
    past_progressive,
)
from api.generation.offline.matching import PASSATO_REMOTO

LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")
EXERCISE_TYPES = ("fill_in_blank", "multiple_choice", "translation")


@dataclass(frozen=True)
class TenseFocus:
    """A verb tense (or verb point) the offline generator can practise."""

    key: str  # canonical Italian name, e.g. "congiuntivo imperfetto"
    aliases: tuple[str, ...]  # other Italian and English names, lower case
    levels: tuple[str, ...]  # CEFR levels where it is taught
    types: tuple[str, ...]  # exercise types it can build


def _focus(key: str, aliases: str, first_level: str) -> TenseFocus:
    levels = LEVELS[LEVELS.index(first_level) :]
    return TenseFocus(key, tuple(a.strip() for a in aliases.split(",")), levels, EXERCISE_TYPES)


TENSES: tuple[TenseFocus, ...] = (
    _focus(
        "presente",
        "presente indicativo, indicativo presente, present, present tense, simple present, "
        "present simple, verbi regolari, verbi irregolari, regular verbs, irregular verbs, "
        "coniugazione, conjugation",
        "A1",
    ),
    _focus(
        "passato prossimo",
        "passato, past, past tense, present perfect, perfect tense, compound past, passato composto, "
        "participio passato, past participle, ausiliari, auxiliaries",
        "A1",
    ),
    _focus(
        "imperfetto",
        "imperfetto indicativo, indicativo imperfetto, imperfect, imperfect tense, "
        "past continuous, past habitual, used to",
        "A2",
    ),
    _focus("trapassato prossimo", "trapassato, pluperfect, past perfect", "B1"),
    _focus("passato remoto", "remoto, simple past, preterite, past historic, remote past", "B1"),
    _focus("futuro semplice", "futuro, future, future tense, simple future, future simple", "A2"),
    _focus("futuro anteriore", "future perfect, futuro composto", "B1"),
    _focus(
        "condizionale presente",
        "condizionale, conditional, present conditional, conditional present",
        "A2",
    ),
    _focus(
        "condizionale passato",
        "past conditional, conditional perfect, condizionale composto",
        "B1",
    ),
    _focus("congiuntivo presente", "congiuntivo, subjunctive, present subjunctive", "B1"),
    _focus("congiuntivo passato", "past subjunctive, perfect subjunctive", "B1"),
    _focus("congiuntivo imperfetto", "imperfect subjunctive", "B2"),
    _focus("congiuntivo trapassato", "pluperfect subjunctive, past perfect subjunctive", "B2"),
    _focus(
        "imperativo",
        "imperative, imperativo affermativo, affirmative imperative, commands",
        "A2",
    ),
    _focus("imperativo negativo", "negative imperative, prohibitions", "A2"),
    _focus(
        "stare + gerundio",
        "stare e gerundio, gerundio, present continuous, present progressive, progressive",
        "A2",
    ),
    _focus(
        "verbi riflessivi",
        "riflessivi, reflexive verbs, reflexive, pronominal verbs, verbi pronominali",
        "A1",
    ),
)


@dataclass(frozen=True)
class _Rule:
    tense: TenseName
    label: str  # the name a pupil reads in brackets
    # Same-person forms that are wrong in every context of this tense: safe distractors.
    contrast: tuple[TenseName, ...]
    why: str


_RULES: dict[str, _Rule] = {
    "presente": _Rule(
        "presente",
        "presente",
        ("congiuntivo", "passato_remoto"),
        "The presente tells what happens regularly or is true now (with da + time: an action "
        "that started in the past and is still going on).",
    ),
    "passato prossimo": _Rule(
        "passato_prossimo",
        "passato prossimo",
        ("futuro", "congiuntivo_passato"),
        "The passato prossimo tells a finished action at a past time such as ieri or sabato "
        "scorso.",
    ),
    "imperfetto": _Rule(
        "imperfetto",
        "imperfetto",
        ("futuro", "congiuntivo"),
        "The imperfetto describes past habits and an action in progress when something else "
        "happened.",
    ),
    "trapassato prossimo": _Rule(
        "trapassato_prossimo",
        "trapassato prossimo",
        ("futuro_anteriore", "congiuntivo_trapassato"),
        "The trapassato prossimo (imperfetto of avere or essere + participle) tells what had "
        "happened before another past event.",
    ),
    "passato remoto": _Rule(
        "passato_remoto",
        "passato remoto",
        ("futuro", "congiuntivo_imperfetto"),
        "The passato remoto tells finished events of a distant past, in stories and history.",
    ),
    "futuro semplice": _Rule(
        "futuro",
        "futuro semplice",
        ("passato_remoto", "congiuntivo_imperfetto"),
        "The futuro semplice says what will happen.",
    ),
    "futuro anteriore": _Rule(
        "futuro_anteriore",
        "futuro anteriore",
        ("trapassato_prossimo", "congiuntivo_passato"),
        "The futuro anteriore (futuro of avere or essere + participle) says what will have "
        "happened before a future moment; after quando and dopo che Italian uses it where "
        "English uses the present perfect.",
    ),
    "condizionale presente": _Rule(
        "condizionale",
        "condizionale presente",
        ("congiuntivo_imperfetto", "passato_remoto"),
        "The condizionale presente says what would happen, under a condition (se + congiuntivo "
        "imperfetto) or as a wish; the se clause itself never takes the condizionale.",
    ),
    "condizionale passato": _Rule(
        "condizionale_passato",
        "condizionale passato",
        ("congiuntivo_trapassato", "futuro_anteriore"),
        "The condizionale passato (condizionale of avere or essere + participle) says what would "
        "have happened.",
    ),
    "congiuntivo presente": _Rule(
        "congiuntivo",
        "congiuntivo presente",
        ("presente",),
        "Opinion, importance and concession (penso che, è importante che, benché) take the "
        "congiuntivo presente, not the indicative.",
    ),
    "congiuntivo passato": _Rule(
        "congiuntivo_passato",
        "congiuntivo passato",
        ("passato_prossimo", "futuro_anteriore"),
        "After penso che, è strano che, nonostante or dubito che, a past action takes the "
        "congiuntivo passato (congiuntivo of avere or essere + participle).",
    ),
    "congiuntivo imperfetto": _Rule(
        "congiuntivo_imperfetto",
        "congiuntivo imperfetto",
        ("congiuntivo", "condizionale"),
        "After a main verb in the condizionale or in the past (vorrei che, bisognava che), and "
        "in a hypothesis with se, the verb goes in the congiuntivo imperfetto.",
    ),
    "congiuntivo trapassato": _Rule(
        "congiuntivo_trapassato",
        "congiuntivo trapassato",
        ("trapassato_prossimo", "congiuntivo_passato"),
        "After a main verb in the past (speravo che, era strano che) for an earlier action, and "
        "in a past hypothesis with se, the verb goes in the congiuntivo trapassato.",
    ),
    "stare + gerundio": _Rule(
        "stare_gerundio",
        "stare + gerundio",
        ("passato_prossimo", "imperfetto"),
        "Stare + gerundio describes an action in progress right now.",
    ),
    "imperativo": _Rule(
        "imperativo",
        "imperativo",
        (),
        "The imperativo gives orders and advice; the Lei form is the congiuntivo presente.",
    ),
    "imperativo negativo": _Rule(
        "imperativo_negativo",
        "imperativo negativo",
        (),
        "The negative imperativo is non + infinitive for tu, and non + the affirmative form for "
        "Lei, noi and voi.",
    ),
}
_REFLEXIVE_TENSES: dict[str, tuple[str, ...]] = {
    "A1": ("presente", "passato prossimo"),
    "A2": ("presente", "passato prossimo", "imperfetto", "stare + gerundio"),
    "B1": ("passato prossimo", "imperfetto", "futuro semplice", "trapassato prossimo"),
    "B2": ("futuro anteriore", "condizionale presente", "congiuntivo presente", "passato remoto"),
    "C1": ("condizionale passato", "congiuntivo passato", "congiuntivo imperfetto"),
    "C2": ("congiuntivo imperfetto", "congiuntivo trapassato", "passato remoto"),
}
_PERSON_LABEL = ("io", "tu", "lui/lei", "noi", "voi", "loro")
_IMPERATIVE_PERSON = {1: "tu", 2: "Lei", 3: "noi", 4: "voi"}
_GENDER_WORD = {"m": "masculine", "f": "feminine"}

# -- data ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """A sentence subject with its English, person (0..5) and gender (None for io/tu/noi/voi)."""

    it: str
    en: str
    person: int
    gender: Gender | None
    translate: bool
    topics: frozenset[str] | None


@dataclass(frozen=True)
class Context:
    """The sentence around the verb: ``it`` per person for imperatives, else one template."""

    tense: TenseName
    levels: frozenset[str]
    it: dict[int, str] | str
    en: str
    habit: bool
    wish: bool  # a wish, a hypothesis, what matters: never an accident
    excluded: frozenset[int]
    translate: bool  # for translations only: reads naturally with any frame
    # Other right Italian for the same English (clause order, synonyms); per person, like
    # ``it``, for imperatives (per favore at the start or the end).
    it_alt: tuple[str | dict[int, str], ...]


@dataclass(frozen=True)
class VerbFrame:
    """A verb with a complement, in Italian and English, for a topic and a level."""

    verb: str
    it: str
    en: str
    topic: str
    level: str
    imperative: Literal["pos", "neg"] | None
    dont: bool  # an order that reads naturally as a prohibition too (Don't take the bus!)
    once: bool
    accident: bool
    aux: Auxiliary | None
    aux_note: str
    en_verb: tuple[str, str, str] | None
    skip: frozenset[str]

    @property
    def variety_key(self) -> str:
        """Two items of one homework never share this (verb and complement)."""
        return f"{self.verb}|{self.it}"


def _load(name: str) -> Any:
    package = resources.files("api.generation.offline")
    return json.loads(package.joinpath("data", name).read_text("utf-8"))


def verbs() -> dict[str, Verb]:
    """Every verb of verbs.json, by infinitive, with all its irregular data."""
    return lexicon.verbs()


@cache
def _frames_data() -> dict[str, Any]:
    return cast(dict[str, Any], _load("tense_frames.json"))


@cache
def subjects() -> tuple[Subject, ...]:
    """Subjects for the verb frames."""
    return tuple(
        Subject(
            it=entry["it"],
            en=entry["en"],
            person=entry["person"],
            gender=entry.get("gender"),
            translate=entry.get("translate", True),
            topics=frozenset(entry["topics"]) if "topics" in entry else None,
        )
        for entry in _frames_data()["subjects"]
    )


@cache
def contexts() -> tuple[Context, ...]:
    """Every context, for every tense."""
    result = []
    for tense, entries in _frames_data()["contexts"].items():
        for entry in entries:
            it = entry["it"]
            result.append(
                Context(
                    tense=tense,
                    levels=frozenset(entry["levels"].split()),
                    it={int(k): v for k, v in it.items()} if isinstance(it, dict) else it,
                    en=entry["en"],
                    habit=entry.get("habit", False),
                    wish=entry.get("wish", False),
                    excluded=frozenset(entry.get("not", ())),
                    translate=entry.get("translate", False),
                    it_alt=tuple(
                        {int(k): v for k, v in alt.items()} if isinstance(alt, dict) else alt
                        for alt in entry.get("it_alt", ())
                    ),
                )
            )
    return tuple(result)


@cache
def frames() -> tuple[VerbFrame, ...]:
    """Every verb frame."""
    return tuple(
        VerbFrame(
            verb=entry["verb"],
            it=entry["it"],
            en=entry["en"],
            topic=entry["topic"],
            level=entry["level"],
            imperative=entry.get("imp"),
            dont=entry.get("dont", False),
            once=entry.get("once", False),
            accident=entry.get("accident", False),
            aux=entry.get("aux"),
            aux_note=entry.get("aux_note", ""),
            en_verb=tuple(entry["en_verb"]) if "en_verb" in entry else None,  # type: ignore[arg-type]
            skip=frozenset(entry.get("skip", ())),
        )
        for entry in _frames_data()["frames"]
    )


def _vocatives(kind: str) -> tuple[tuple[str, str], ...]:
    """Who an imperative addresses: ``name`` (tu), ``lei`` (formal), ``group`` (voi), ``noi``."""
    return tuple((it, en) for it, en in _frames_data()["vocatives"][kind])


def frame_verb(frame: VerbFrame) -> Verb:
    """The frame's verb, with the auxiliary its meaning takes here."""
    verb = verbs()[frame.verb]
    return dataclasses.replace(verb, auxiliary=frame.aux) if frame.aux else verb


# -- English ------------------------------------------------------------------------------------

_DOUBLING = frozenset(
    {"get", "run", "swim", "stop", "put", "sit", "begin", "win", "plan", "shop", "cut", "set"}
    | {"travel", "forget", "prefer", "admit", "enrol"}
)
_EN_PRONOUN = ("I", "you", "", "we", "you", "they")
_EN_OBJECT = ("me", "you", "", "us", "you", "them")


def _en_third(word: str) -> str:
    if word == "have":
        return "has"
    if word in ("do", "go") or word.endswith(("s", "sh", "ch", "x", "z")):
        return word + "es"
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _en_ing(word: str) -> str:
    if word.endswith("ie"):
        return word[:-2] + "ying"
    if word in _DOUBLING:
        return word + word[-1] + "ing"
    if word.endswith("e") and not word.endswith(("ee", "ye", "oe")) and word != "be":
        return word[:-1] + "ing"
    return word + "ing"


def _english(
    template: str, subject: Subject, english: tuple[str, str, str], complement: str
) -> str:
    base, past, participle = (part.replace("_", " ") for part in english)
    head, _, rest = base.partition(" ")
    tail = f" {rest}" if rest else ""
    third = subject.person == 2
    pronoun = _EN_PRONOUN[subject.person] or ("she" if subject.gender == "f" else "he")
    obj = subject.en if subject.person in (2, 5) else _EN_OBJECT[subject.person]
    values = {
        "{v:present}": (_en_third(head) + tail) if third else base,
        "{v:past}": past,
        "{v:pp}": participle,
        "{v:base}": base,
        "{v:ing}": _en_ing(head) + tail,
        "{be:present}": ("am", "are", "is", "are", "are", "are")[subject.person],
        "{be:past}": ("was", "were", "was", "were", "were", "were")[subject.person],
        "{have:present}": "has" if third else "have",
        "{s}": subject.en,
        "{p}": pronoun,
        "{o}": obj,
        "{c}": complement,
    }
    text = template
    for key, value in values.items():
        text = text.replace(key, value)
    return _sentence_case(" ".join(text.split()))


# -- Italian ------------------------------------------------------------------------------------


def _italian(template: str, subject_text: str, person: int, verb_text: str, complement: str) -> str:
    """Fill an Italian template; {avere:congiuntivo_imperfetto} conjugates for the person."""
    text = (
        template.replace("{s}", subject_text).replace("{v}", verb_text).replace("{c}", complement)
    )
    while "{" in text and ":" in text[text.index("{") :]:
        start = text.index("{")
        end = text.index("}", start)
        infinitive, tense = text[start + 1 : end].split(":")
        form = forms(verbs()[infinitive], cast(TenseName, tense), person)[0]
        text = text[:start] + form + text[end + 1 :]
    return _sentence_case(" ".join(text.split()).replace(" ,", ","))


def _sentence_case(text: str) -> str:
    """Upper-case the first letter of the text and of each sentence in it (Guarda! Stiamo...)."""
    parts = re.split(r"(?<=[.!?] )", text)
    return "".join(capitalise(part) for part in parts)


def _clashes(subject_text: str, *texts: str) -> bool:
    """Never "la nonna telefona alla nonna" or "Marco ... Marco"."""
    head = subject_text.split()[-1].casefold()
    words = " ".join(texts).casefold().replace("'", " ").split()
    return any(word[:-1] == head[:-1] for word in words if len(word) > 3)


# -- choosing -----------------------------------------------------------------------------------


def _level_window(level: str, widen: int) -> frozenset[str]:
    """A1 → {A1}; other levels → the level and the one below; widened (down, or up from A1)."""
    index = LEVELS.index(level) if level in LEVELS else 2
    low = max(0, index - (0 if index == 0 else 1) - widen)
    high = index + (widen if index == 0 else 0)
    return frozenset(LEVELS[low : high + 1])


def translated_tenses() -> frozenset[TenseName]:
    """The tenses with contexts written for translation: any frame reads naturally in them."""
    return frozenset(c.tense for c in contexts() if c.translate)


# Tenses translated in the bank's sentences alone: the passato remoto in historical sentences
# (Dante nacque a Firenze nel 1265); its frames are everyday actions, where the passato
# prossimo is as right.
BANK_TRANSLATED = frozenset({PASSATO_REMOTO})


def has_translations(key: str) -> bool:
    """Whether tense focus ``key`` has translations built from its own checked frames."""
    rule = _RULES.get(key)
    return rule is not None and rule.tense in translated_tenses()


def _contexts_for(tense: TenseName, level: str, translation: bool) -> list[Context]:
    of_tense = [c for c in contexts() if c.tense == tense]
    if tense in translated_tenses():  # its translations have their own contexts, fill-ins others
        of_tense = [c for c in of_tense if c.translate == translation]
    at_level = [c for c in of_tense if level in c.levels]
    return at_level or of_tense


def _frame_fits(frame: VerbFrame, tense: TenseName, context: Context, reflexive_only: bool) -> bool:
    verb = verbs()[frame.verb]
    if reflexive_only and not verb.reflexive:
        return False
    if tense in frame.skip or (context.habit and frame.once) or (context.wish and frame.accident):
        return False
    if tense == "imperativo":
        return frame.imperative == "pos" and not verb.reflexive
    if tense == "imperativo_negativo" and context.translate:  # the English says "don't"
        return (frame.imperative == "neg" or frame.dont) and not verb.reflexive
    if tense == "imperativo_negativo":
        return frame.imperative in ("pos", "neg") and not verb.reflexive
    return True


def _persons(verb: Verb, tense: TenseName, context: Context) -> list[int]:
    if isinstance(context.it, dict):
        return sorted(context.it)
    persons = [p for p in range(6) if p not in context.excluded]
    if tense == "congiuntivo":
        # Only persons whose congiuntivo differs from the indicative (never noi).
        persons = [p for p in persons if forms(verb, tense, p)[0] != forms(verb, "presente", p)[0]]
    return persons


# -- items --------------------------------------------------------------------------------------


@cache
def _options(
    tense: TenseName, level: str, topic: str, reflexive_only: bool, widen: int, translation: bool
) -> tuple[tuple[Context, VerbFrame], ...]:
    """Every (context, frame) pair that fits a tense, a level window and a topic."""
    window = _level_window(level, widen)
    return tuple(
        (context, frame)
        for context in _contexts_for(tense, level, translation)
        for frame in frames()
        if frame.level in window
        and (topic == "general" or frame.topic == topic)
        and _frame_fits(frame, tense, context, reflexive_only)
    )


@dataclass(frozen=True)
class _Choice:
    rule: _Rule
    frame: VerbFrame
    verb: Verb
    context: Context
    person: int
    subject: Subject | None  # None for imperatives
    vocatives: dict[str, tuple[str, str]]  # {name}, {lei}, {group} → Italian, English


def _choose(
    rng: random.Random,
    rule: _Rule,
    topic: str,
    level: str,
    *,
    translation: bool,
    reflexive_only: bool,
    avoid: Collection[str],
) -> _Choice | None:
    tense = rule.tense
    for widen in range(len(LEVELS)):  # beyond the level only when the bank runs out
        options = [
            (context, frame)
            for context, frame in _options(tense, level, topic, reflexive_only, widen, translation)
            if frame.variety_key not in avoid
        ]
        if options:
            break
    else:
        return None
    context, frame = rng.choice(options)
    verb = frame_verb(frame)
    persons = _persons(verb, tense, context)
    if not persons:
        return None
    if isinstance(context.it, dict):
        vocatives = {
            kind: rng.choice([v for v in _vocatives(kind) if not _clashes(v[0], frame.it)])
            for kind in ("name", "lei", "group", "noi")
        }
        return _Choice(rule, frame, verb, context, rng.choice(persons), None, vocatives)
    candidates = [
        s
        for s in subjects()
        if s.person in persons
        and (s.topics is None or frame.topic in s.topics)
        and (s.translate or not translation)
        and not _clashes(s.it, frame.it, str(context.it))
    ]
    if not candidates:
        return None
    # A third of the time by person, so io, tu, noi and voi come up; else by subject, for variety.
    if rng.random() < 0.35:
        person = rng.choice(sorted({s.person for s in candidates}))
        candidates = [s for s in candidates if s.person == person]
    subject = rng.choice(candidates)
    return _Choice(rule, frame, verb, context, subject.person, subject, {})


def _template(choice: _Choice, person: int) -> str:
    it = choice.context.it
    return it[person] if isinstance(it, dict) else it


def _address(template: str, choice: _Choice, language: int) -> str:
    """Put the people addressed into a template (language 0: Italian, 1: English)."""
    for kind, names in choice.vocatives.items():
        template = template.replace("{" + kind + "}", names[language])
    return template


def _slot_hint(choice: _Choice) -> str:
    inf = choice.verb.infinitive
    if choice.subject is None:
        return f"({inf}, {_IMPERATIVE_PERSON[choice.person]})"
    return f"({inf}, {choice.rule.label})"


def _right_forms(choice: _Choice) -> tuple[str, ...]:
    """The taught form first, then every other right form (gender for io/tu/noi/voi, variants)."""
    tense, verb, person = choice.rule.tense, choice.verb, choice.person
    subject = choice.subject
    gender: Gender = subject.gender if subject and subject.gender else "m"
    result = list(forms(verb, tense, person, gender))
    if subject is not None and subject.gender is None:
        result += forms(verb, tense, person, "f")
    return tuple(dict.fromkeys(result))


def _wrong_forms(choice: _Choice, right: Collection[str]) -> tuple[list[str], list[str]]:
    """Instructive wrong forms first (auxiliary, agreement, the tense confused with), then
    other persons; none of them right in this sentence."""
    tense, verb, person = choice.rule.tense, choice.verb, choice.person
    gender: Gender = choice.subject.gender if choice.subject and choice.subject.gender else "m"
    first: list[str] = []
    other: list[str] = []
    if tense in ("imperativo", "imperativo_negativo"):
        used = set(choice.context.it) if isinstance(choice.context.it, dict) else set()
        negative = tense == "imperativo_negativo"
        for p in FULL_IMPERATIVE_PERSONS:
            if p not in used:
                other.append(forms(verb, tense, p)[0])
        if negative:
            first.append(forms(verb, "imperativo", 1)[0])  # non mangia
        else:
            other.append(verb.infinitive)
        if person == 2:
            first.append(forms(verb, "presente", 2)[0])  # prende for prenda
        # Indicative forms are never imperatives here: enough real wrong forms for a choice.
        other += [forms(verb, "presente", p)[0] for p in (0, 2, 5)]
        return _clean(first, right), _clean(other, right)
    if tense in COMPOUND_TENSES and not verb.reflexive:
        wrong_aux: Auxiliary = "avere" if verb.compound_auxiliary == "essere" else "essere"
        first.append(forms(verb, tense, person, gender, auxiliary=wrong_aux)[0])
    if tense in COMPOUND_TENSES and verb.compound_auxiliary == "essere" and choice.subject:
        if choice.subject.gender is not None:
            first.append(forms(verb, tense, person, "f" if gender == "m" else "m")[0])
    for contrast in choice.rule.contrast:
        first.append(forms(verb, contrast, person, gender)[0])
    if tense == "stare_gerundio":
        first.append(past_progressive(verb, person))
    others = [p for p in range(6) if p != person]
    for p in others:
        other.append(forms(verb, tense, p, gender)[0])
    return _clean(first, right), _clean(other, right)


def _clean(candidates: Sequence[str], right: Collection[str]) -> list[str]:
    return [c for c in dict.fromkeys(candidates) if c not in right]


def _explanation(choice: _Choice, answer: str, right: Sequence[str]) -> str:
    rule, verb, person = choice.rule, choice.verb, choice.person
    inf = verb.infinitive
    subject = choice.subject
    who = _IMPERATIVE_PERSON[person] if subject is None else _PERSON_LABEL[person]
    if subject is not None and person in (2, 5):
        who += f" ({subject.it})"
    text = f"{rule.why} '{inf}' ({verb.english}), {who}: {answer}."
    if rule.tense == "imperativo_negativo" and person == 1:
        text = f"{rule.why} '{inf}', tu: non {answer}."
    if rule.tense in COMPOUND_TENSES:
        text += _agreement_note(choice, answer, right)
    if rule.tense == "passato_remoto" and (verb.remoto or "passato_remoto" in verb.irregular):
        table = passato_remoto_forms(verb)
        text += (
            f" '{inf}' has an irregular passato remoto: {table[0][0]}, {table[2][0]}, "
            f"{table[5][0]}."
        )
    if len(right) > 1 and rule.tense not in COMPOUND_TENSES:
        text += f" Also right: {', '.join(right[1:])}."
    return text


def _agreement_note(choice: _Choice, answer: str, right: Sequence[str]) -> str:
    verb, person, subject = choice.verb, choice.person, choice.subject
    inf = verb.infinitive
    participle = past_participle(verb)
    note = ""
    if verb.participle is not None:
        note += f" The participle of '{inf}' is irregular: {participle}."
    if choice.frame.aux_note:
        note += f" {capitalise(choice.frame.aux_note)}."
    if verb.compound_auxiliary == "avere":
        return note + " With avere the participle does not change."
    reason = "Reflexive verbs take" if verb.reflexive else f"'{inf}' takes"
    if subject is None or subject.gender is None:
        others = [r for r in right if r != answer]
        if others and is_plural(person):
            agreement = (
                f"{answer} for a masculine or mixed group, {others[0]} for an all-female group"
            )
        elif others:
            agreement = f"{answer} for a man, {others[0]} for a woman"
        else:
            agreement = answer
    else:
        number = "plural" if is_plural(person) else "singular"
        agreement = f"{subject.it}: {_GENDER_WORD[subject.gender]} {number} → {answer}"
    return note + f" {reason} essere, so the participle agrees with the subject ({agreement})."


def _tags(choice: _Choice, kind: str) -> dict[str, str]:
    return {
        "tense": choice.rule.tense,
        "focus": choice.rule.label,
        "person": str(choice.person),
        "gender": (choice.subject.gender or "any") if choice.subject else "any",
        "variety": choice.frame.variety_key,
        "level": choice.frame.level,
        "auxiliary": choice.verb.compound_auxiliary,
        "type": kind,
    }


def _grammar_item(choice: _Choice, kind: str) -> Item:
    right = _right_forms(choice)
    answer = right[0]
    slot = f"___ {_slot_hint(choice)}"
    subject_text = choice.subject.it if choice.subject else ""
    template = _address(_template(choice, choice.person), choice, 0)
    question = _italian(template, subject_text, choice.person, slot, choice.frame.it)
    first, other = _wrong_forms(choice, right)
    return Item(
        question=question,
        answer=answer,
        explanation=_explanation(choice, answer, right),
        kind="verb",
        word=choice.verb.infinitive,
        accepted=right[1:],
        wrong_first=tuple(first),
        wrong_other=tuple(other),
        tags=_tags(choice, kind),
    )


def _italian_renderings(choice: _Choice) -> list[str]:
    """Every right Italian sentence for the English one: the "you" persons, genders, with and
    without a subject pronoun (where the verb alone shows the person)."""
    tense, verb = choice.rule.tense, choice.verb
    template_of = _template
    results: list[str] = []
    if choice.subject is None:
        persons = sorted(choice.context.it) if isinstance(choice.context.it, dict) else []
        alternatives = [alt for alt in choice.context.it_alt if isinstance(alt, dict)]
        for person in persons:
            for text in (template_of(choice, person), *(a[person] for a in alternatives)):
                template = _address(text, choice, 0)
                for form in forms(verb, tense, person):
                    results.append(_italian(template, "", person, form, choice.frame.it))
        return results
    subject = choice.subject
    renderings: list[tuple[str, int, Gender | None]] = [
        (subject.it, subject.person, subject.gender)
    ]
    if subject.en == "you":
        for text, person in (("tu", 1), ("voi", 4), ("Lei", 2)):
            if person not in choice.context.excluded and text != subject.it:
                renderings.append((text, person, None))
    templates = [template_of(choice, choice.person)]
    templates += [alt for alt in choice.context.it_alt if isinstance(alt, str)]
    # For an English "-ing" sentence (Right now I'm reading) the presente is as right as the
    # progressive: accepted after it, in the contexts written for translation.
    accepted_tenses: tuple[TenseName, ...] = (tense,)
    if tense == "stare_gerundio" and choice.context.translate:
        accepted_tenses = (tense, "presente")
    for template, used in ((t, u) for u in accepted_tenses for t in templates):
        for text, person, gender in renderings:
            genders: tuple[Gender, ...] = (gender,) if gender else ("m", "f")
            pronoun = gender is None
            for g in genders:
                for form in forms(verb, used, person, g):
                    dropped = _italian(template, "", person, form, choice.frame.it)
                    full = _italian(template, text, person, form, choice.frame.it)
                    if pronoun and _person_is_clear(verb, used, person):
                        results += [dropped, full]
                    elif pronoun and choice.context.translate:
                        # Se avessi finito..., Volevo che venissi: right without the pronoun,
                        # though the form alone does not show the person; shown with it.
                        results += [full, dropped]
                    else:
                        results.append(full)
    return results


def _person_is_clear(verb: Verb, tense: TenseName, person: int) -> bool:
    mine = forms(verb, tense, person)[0]
    return all(forms(verb, tense, p)[0] != mine for p in range(6) if p != person)


def _translation_item(choice: _Choice) -> Item | None:
    english_forms = choice.frame.en_verb or choice.verb.english_forms
    if english_forms is None:
        return None
    subject = choice.subject or Subject("", "you", choice.person, None, True, None)
    template = _address(choice.context.en, choice, 1)
    english = _english(template, subject, english_forms, choice.frame.en)
    renderings = list(dict.fromkeys(_italian_renderings(choice)))
    answer = renderings[0]
    rule = choice.rule
    explanation = f"{answer} {rule.why}"
    if rule.tense in COMPOUND_TENSES:
        explanation += _agreement_note(choice, _right_forms(choice)[0], _right_forms(choice))
    return Item(
        question=f"Traduci in italiano: «{english}»",
        answer=answer,
        explanation=explanation,
        kind="verb",
        word=choice.verb.infinitive,
        accepted=tuple(renderings[1:]),
        tags=_tags(choice, "translation"),
    )


def build_tense_item(
    rng: random.Random,
    key: str,
    topic: str,
    level: str,
    exercise_type: str,
    *,
    avoid: Collection[str] = (),
) -> Item | None:
    """One item for tense focus ``key`` on a topic key at a CEFR level, for one exercise type.

    ``avoid`` holds the ``tags["variety"]`` of items already in the homework (verb and
    complement), so no two items share them. None when the data has nothing that fits.
    """
    if exercise_type not in EXERCISE_TYPES:
        raise ValueError(f"unknown exercise type {exercise_type!r}")
    reflexive_only = key == "verbi riflessivi"
    if reflexive_only:
        keys = _REFLEXIVE_TENSES.get(level, _REFLEXIVE_TENSES["B1"])
        if exercise_type == "translation":
            keys = tuple(k for k in keys if k not in BANK_TRANSLATED)
        key = rng.choice(keys)
    elif key == "imperativo" and rng.random() < 0.25:
        key = "imperativo negativo"  # a plain "imperativo" mixes in some prohibitions
    if key not in _RULES:
        raise ValueError(f"unknown tense focus {key!r}")
    translation = exercise_type == "translation"
    if translation and key in BANK_TRANSLATED:
        return None  # the generator takes the bank's sentences of the focus
    choice = _choose(
        rng,
        _RULES[key],
        topic,
        level,
        translation=translation,
        reflexive_only=reflexive_only,
        avoid=avoid,
    )
    if choice is None:
        return None
    if translation:
        return _translation_item(choice)
    return _grammar_item(choice, exercise_type)
