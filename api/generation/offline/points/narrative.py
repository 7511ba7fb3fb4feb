"""Passato prossimo or imperfetto, chosen in a short narrative by the marker that decides it:
an action in progress after ``mentre`` or a childhood habit (imperfetto), an event that cuts in
or a finished action in a bounded time followed by the next one (passato prossimo). Every form
comes from the conjugation engine."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from typing import Any

from api.generation.offline import lexicon
from api.generation.offline.builders import Item
from api.generation.offline.conjugation import (
    Auxiliary,
    Gender,
    TenseName,
    Verb,
    forms,
    is_plural,
    past_progressive,
)
from api.generation.offline.points._data import pick, points

POINT = "passato prossimo e imperfetto"
HINT = "(passato prossimo o imperfetto)"
PAST: tuple[TenseName, TenseName] = ("passato_prossimo", "imperfetto")
_OTHER: dict[TenseName, TenseName] = {"passato_prossimo": "imperfetto", "imperfetto": "passato_prossimo"}  # fmt: skip
_GENDER_WORD = {"m": "masculine", "f": "feminine"}
_CHILD = {("m", False): "bambino", ("f", False): "bambina", ("m", True): "bambini", ("f", True): "bambine"}  # fmt: skip
_SMALL = {("m", False): "piccolo", ("f", False): "piccola", ("m", True): "piccoli", ("f", True): "piccole"}  # fmt: skip


@dataclass(frozen=True)
class Subject:
    """Who does the action: its text, person (0..5) and gender (None: either)."""

    it: str
    person: int
    gender: Gender | None


def _data() -> dict[str, Any]:
    data: dict[str, Any] = points()["narrative"]
    return data


@cache
def _subjects() -> tuple[Subject, ...]:
    return tuple(Subject(it, person, gender) for it, person, gender in _data()["subjects"])


def _verb(infinitive: str) -> Verb:
    return lexicon.verbs()[infinitive]


def _form(infinitive: str, tense: TenseName, person: int, gender: Gender = "m") -> str:
    return forms(_verb(infinitive), tense, person, gender)[0]


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


# How often each kind of narrative is drawn (the blank in the mentre clause, in the event that
# cuts in, a habit, a bounded action), so the few habits are not drowned by the many events.
_KINDS = (("background", 0.3), ("event", 0.25), ("habit", 0.25), ("bounded", 0.2))


@cache
def _entries() -> dict[str, tuple[dict[str, Any], ...]]:
    """Every narrative the data allows, by the kind of blank, as what an item is built from."""
    data = _data()
    entries: list[dict[str, Any]] = []
    for subject in _subjects():
        for verb, complement, where in data["backgrounds"]:
            for event in data["events"]:
                if event[4] not in ("any", where) or event[1] == subject.it:
                    continue
                for blank in ("background", "event"):
                    entries.append(
                        {
                            "kind": "mentre",
                            "blank": blank,
                            "subject": subject,
                            "verb": verb,
                            "complement": complement,
                            "event": event,
                            "level": "A2" if blank == "background" else "B1",
                            "topic": "general",
                        }
                    )
        for verb, complement in data["habits"]:
            entries.append(
                {
                    "kind": "habit",
                    "blank": "habit",
                    "subject": subject,
                    "verb": verb,
                    "complement": complement,
                    "level": "A2",
                    "topic": "general",
                }
            )
        for verb, complement in data["bounded"]:
            entries.append(
                {
                    "kind": "bounded",
                    "blank": "bounded",
                    "subject": subject,
                    "verb": verb,
                    "complement": complement,
                    "level": "A2",
                    "topic": "general",
                }
            )
    return {kind: tuple(e for e in entries if e["blank"] == kind) for kind, _ in _KINDS}


def _gender(subject: Subject, rng: random.Random) -> Gender:
    if subject.gender is not None:
        return subject.gender
    return "f" if rng.random() < 0.5 else "m"


def _agreement(infinitive: str, subject: Subject, gender: Gender) -> str:
    """How the participle agrees, for the explanation of a passato prossimo."""
    verb = _verb(infinitive)
    if verb.compound_auxiliary == "avere":
        return f"'{infinitive}' takes avere, so the participle does not change."
    plural = is_plural(subject.person)
    if subject.gender is None:
        other = _form(infinitive, "passato_prossimo", subject.person, "f")
        group = "an all-female group" if plural else "a woman"
        return f"'{infinitive}' takes essere, so the participle agrees with the subject ({other} for {group})."
    number = "plural" if plural else "singular"
    return (
        f"'{infinitive}' takes essere, so the participle agrees with {subject.it}, "
        f"{_GENDER_WORD[gender]} {number}."
    )


def narrative_item(rng: random.Random, topic: str, level: str) -> Item | None:
    """A two-clause narrative with one blank, whose tense the marker decides."""
    kind = rng.choices([k for k, _ in _KINDS], [w for _, w in _KINDS])[0]
    entry = pick(rng, _entries()[kind], topic, level)
    if entry is None:
        return None
    subject: Subject = entry["subject"]
    verb, complement = entry["verb"], entry["complement"]
    kind, blank = entry["kind"], entry["blank"]
    gender = _gender(subject, rng)
    tense: TenseName
    if kind == "mentre":
        event_verb, event_subject, event_gender, event_plural, _ = entry["event"]
        event_person = 5 if event_plural else 2
        background = _join(subject.it, _form(verb, "imperfetto", subject.person), complement)
        event = _join(_form(event_verb, "passato_prossimo", event_person, event_gender), event_subject)  # fmt: skip
        if blank == "background":
            question = f"Mentre {_join(subject.it, f'___ ({verb})', complement)}, {event}."
            target = Subject(subject.it, subject.person, subject.gender)
            infinitive, tense = verb, "imperfetto"
            why = f"'Mentre' introduces an action in progress, the background to an event: imperfetto of '{verb}'."  # fmt: skip
        else:
            slot = f"___ ({event_verb}) {event_subject}"
            if rng.random() < 0.5:
                question = f"Mentre {background}, all'improvviso {slot}."
            else:
                time = rng.choice(_data()["event_times"])
                question = f"{time} {background} quando {slot}."
            target = Subject(event_subject, event_person, event_gender)
            infinitive, tense = event_verb, "passato_prossimo"
            gender = event_gender
            why = f"An event that happens once and cuts into the action in progress: passato prossimo of '{event_verb}'."  # fmt: skip
    elif kind == "habit":
        plural = is_plural(subject.person)
        if rng.random() < 0.5:
            intro = f"Da {_CHILD[(gender, plural)]},"
        else:
            intro = f"Quando {_form('essere', 'imperfetto', subject.person)} {_SMALL[(gender, plural)]},"  # fmt: skip
        question = f"{intro} {_join(subject.it, f'___ ({verb})', complement)}."
        target, infinitive, tense = subject, verb, "imperfetto"
        why = f"A habit in the past (da bambino, ogni ...): imperfetto of '{verb}'."
    else:
        time = rng.choice(_data()["bounded_times"])
        following = [n for n in _data()["next"] if n[0] != verb]
        next_verb, next_complement = rng.choice(following)
        then = _join(_form(next_verb, "passato_prossimo", subject.person), next_complement)
        question = f"{time} {_join(subject.it, f'___ ({verb})', complement)}, poi {then}."
        target, infinitive, tense = subject, verb, "passato_prossimo"
        why = f"A finished action at a given time, followed by the next one: passato prossimo of '{verb}'."  # fmt: skip
    return _item(question, infinitive, tense, target, gender, why, entry)


def _item(
    question: str,
    infinitive: str,
    tense: TenseName,
    subject: Subject,
    gender: Gender,
    why: str,
    entry: dict[str, Any],
) -> Item:
    verb, person = _verb(infinitive), subject.person
    right = list(forms(verb, tense, person, gender))
    if subject.gender is None and tense == "passato_prossimo":
        right += forms(verb, tense, person, "f" if gender == "m" else "m")
    right = list(dict.fromkeys(right))
    answer = right[0]
    other = forms(verb, _OTHER[tense], person, gender)[0]
    explanation = f"{why} {subject.it}: {answer}."
    if tense == "passato_prossimo":
        explanation += " " + _agreement(infinitive, subject, gender)
    explanation += f" Not {other}: the {_OTHER[tense].replace('_', ' ')} does not fit here."
    wrong_aux: Auxiliary = "avere" if verb.compound_auxiliary == "essere" else "essere"
    rest = [
        forms(verb, "passato_prossimo", person, gender, auxiliary=wrong_aux)[0],
        forms(verb, "presente", person)[0],
        *(forms(verb, tense, p, gender)[0] for p in range(6) if p != person),
    ]
    return Item(
        question=f"{question} {HINT}",
        answer=answer,
        explanation=explanation,
        kind="verb",
        word=infinitive,
        accepted=tuple(right[1:]),
        wrong_first=(other,),
        wrong_other=tuple(dict.fromkeys(f for f in rest if f not in right and f != other)),
        tags={
            "point": POINT,
            "tense": tense,
            "person": str(person),
            "gender": subject.gender or ("any" if tense == "passato_prossimo" else gender),
            "variety": f"{entry['kind']}|{entry['verb']}|{entry['complement']}",
        },
    )


# -- translations ---------------------------------------------------------------------------------


def _while_pairs(subject: Subject, english: dict[str, Any]) -> list[lexicon.TranslationPair]:
    """Mentre leggevo il giornale, è arrivato Paolo. / While I was reading the newspaper, Paolo
    arrived. The action in progress may be stava + gerundio, the event may come first."""
    data = _data()
    who = english["subjects"][subject.it]
    pronoun = subject.it == "io"
    pairs = []
    for verb, complement, where in data["backgrounds"]:
        doing = english["backgrounds"][f"{verb}|{complement}"]
        progress = [
            _form(verb, "imperfetto", subject.person),
            past_progressive(_verb(verb), subject.person),
        ]
        named = ["", "io"] if pronoun else [subject.it]
        backgrounds = [_join(s, p, complement) for p in progress for s in named]
        for event_verb, event_subject, gender, plural, event_where in data["events"]:
            event_en = english["events"].get(f"{event_verb}|{event_subject}")
            if event_en is None or plural or event_where not in ("any", where):
                continue
            done = _form(event_verb, "passato_prossimo", 2, gender)
            events = [f"{done} {event_subject}", f"{event_subject} {done}", *event_en.get("it", ())]
            italian = [f"Mentre {b}, {e}." for b in backgrounds for e in events]
            italian += [
                f"{lexicon.capitalised(e)} mentre {b}." for b in backgrounds for e in events
            ]
            en = [f"While {who} was {d}, {e}." for d in doing for e in event_en["en"]]
            en += [
                f"{lexicon.capitalised(e)} while {who} was {d}."
                for d in doing
                for e in event_en["en"]
            ]
            pairs.append(lexicon.TranslationPair.of(POINT, "A2" if pronoun else "B1", italian, en))
    return pairs


def _habit_pairs(subject: Subject, english: dict[str, Any]) -> list[lexicon.TranslationPair]:
    """Da bambino, Marco andava al mare ogni estate. / As a child, Marco used to go to the
    seaside every summer (went, would go)."""
    who = english["subjects"][subject.it]
    pronoun = "I" if subject.it == "io" else ("she" if subject.gender == "f" else "he")
    genders: tuple[Gender, ...] = (subject.gender,) if subject.gender else ("m", "f")
    was = _form("essere", "imperfetto", subject.person)
    intros = [
        f"{lead},"
        for g in genders
        for lead in (
            f"Da {_CHILD[(g, False)]}",
            f"Da {_SMALL[(g, False)]}",
            f"Quando {was} {_SMALL[(g, False)]}",
            f"Quando {was} {_CHILD[(g, False)]}",
        )
    ]
    named = ["", "io "] if subject.it == "io" else [f"{subject.it} "]
    leads_en = [f"As a child, {who}"] + [
        f"When {who} was {age}, {pronoun}" for age in ("a child", "little", "small", "young")
    ]
    pairs = []
    for verb, complement in _data()["habits"]:
        phrases = english["habits"].get(f"{verb}|{complement}")
        if phrases is None:
            continue
        used = _form(verb, "imperfetto", subject.person)
        italian = [f"{intro} {s}{used} {complement}." for intro in intros for s in named]
        en = []
        for phrase in phrases:
            base, rest = phrase.split(" ", 1)
            for lead in leads_en:
                en += [
                    f"{lead} used to {phrase}.",
                    f"{lead} {english['past'][base]} {rest}.",
                    f"{lead} would {phrase}.",
                ]
        pairs.append(lexicon.TranslationPair.of(POINT, "A2", italian, en))
    return pairs


@cache
def translation_pairs() -> tuple[lexicon.TranslationPair, ...]:
    """Narratives that translate one way only, with every rendering a teacher accepts."""
    english = _data()["translation"]
    pairs = []
    for subject in _subjects():
        if subject.it in english["subjects"]:
            pairs += _while_pairs(subject, english)
            pairs += _habit_pairs(subject, english)
    return tuple(pairs)
