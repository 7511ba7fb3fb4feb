"""Simple prepositions (di, a, da, in, con, su, per, tra/fra) chosen by meaning, and the
articulated ones (di, a, da, in, su fused with the article)."""

from __future__ import annotations

import random
from dataclasses import replace
from functools import cache
from typing import Any

from api.generation.offline.builders import Item, preposition_item
from api.generation.offline.morphology import (
    DEFINITE_ARTICLES,
    articulated_preposition,
    definite_article,
)
from api.generation.offline.points._data import band, pick, points, rank

SIMPLE_PREPOSITIONS: tuple[str, ...] = ("di", "a", "da", "in", "con", "su", "per", "tra", "fra")
# The choices learners confuse, offered first: a/in with places, di/a/da before an infinitive.
_CONFUSED: dict[str, tuple[str, ...]] = {
    "a": ("in", "da"),
    "in": ("a", "da"),
    "di": ("da", "a"),
    "da": ("di", "a"),
    "per": ("a", "da"),
    "con": ("da", "di"),
    "tra": ("in", "da"),
}
_GENDER_WORD = {"m": "masculine", "f": "feminine"}
_USES: dict[str, str] = {
    "a": "a goes with cities (a Roma), a scuola, before an infinitive after cominciare, imparare, provare, riuscire, continuare, aiutare, and before a person after telefonare and pensare",
    "in": "in goes with countries and regions (in Spagna, in Sicilia), means of transport without an article (in treno, in bicicletta) and many places ending in -ia or -eria (in biblioteca, in ufficio)",
    "di": "di marks belonging and family ties (il fratello di Marco) and comes before an infinitive after finire, smettere, decidere, cercare, sperare, avere paura, avere voglia, essere stanco; avere bisogno di",
    "da": "da marks purpose after a noun or adjective (facile da capire, cose da fare, occhiali da sole), and how long something has been going on, with the present (abito qui da due anni)",
    "con": "con means together with",
    "per": "per marks purpose, destination after partire, cause and the person something is meant for",
    "tra": "tra (or fra) means between two things, or in a time from now",
}


# How often each kind of sentence is drawn; the kinds a level does not reach are skipped.
_KINDS: tuple[tuple[str, float], ...] = (
    ("written", 0.02),
    ("places", 0.3),
    ("vehicles", 0.17),
    ("family", 0.25),
    ("together", 0.1),
    ("since", 0.1),
    ("infinitives", 0.1),
)


def _entry(text: str, answer: str, level: str, topic: str, variety: str) -> dict[str, Any]:
    return {"text": text, "answer": answer, "level": level, "topic": topic, "variety": variety}


@cache
def _simple_entries() -> dict[str, tuple[dict[str, Any], ...]]:
    """Every sentence of each kind: a with a city and in with a country or region, in with a
    means of transport, di with a relative, con with company, da with a length of time, a or
    di before an infinitive."""
    data = points()
    bank = data["simple_bank"]
    kinds: dict[str, list[dict[str, Any]]] = {k: [] for k, _ in _KINDS}
    kinds["written"] = list(data["simple_prepositions"])
    for frame in data["place_frames"]:
        for kind, answer in (("cities", "a"), ("regions", "in")):
            for place in data["places"][kind]:
                text = frame["text"].replace("{place}", place)
                kinds["places"].append(
                    _entry(text, answer, frame["level"], frame["topic"], f"{frame['text']}|{kind}")
                )
    vehicles = bank["vehicles"]
    for frame in vehicles["frames"]:
        for dests, means in (("local_dests", "local"), ("far_dests", "far")):
            for dest in vehicles[dests]:
                for vehicle in vehicles[means]:
                    text = frame.replace("{dest}", dest).replace("{vehicle}", vehicle)
                    kinds["vehicles"].append(_entry(text, "in", "A1", "travel", f"{frame}|{dest}"))
    family = bank["family"]
    for name, gender in family["names"]:
        for relation, relation_gender in family["relations"]:
            if relation_gender != gender:
                continue
            for other, _ in family["names"]:
                if other != name:
                    text = f"{name} è {relation} ___ {other}."
                    kinds["family"].append(_entry(text, "di", "A1", "family", f"{name}|{other}"))
    together = bank["together"]
    for activity in together["activities"]:
        for company in together["people"]:
            text = f"{activity} ___ {company}."
            kinds["together"].append(_entry(text, "con", "A1", "routine", activity))
    since = bank["since"]
    for clause, units in since["clauses"]:
        for unit in units:
            for number in since["numbers"]:
                # ormai rules out a planned length (Studio l'italiano per tre mesi): only da.
                text = f"Ormai {clause[:1].lower()}{clause[1:]} ___ {number} {unit}."
                kinds["since"].append(_entry(text, "da", "A2", "routine", clause))
    infinitives = bank["infinitives"]
    leads = [("A2", infinitives)] + list(infinitives["by_level"].items())
    for level, by_answer in leads:
        for answer in ("a", "di"):
            for lead in by_answer[answer]:
                for action in infinitives["actions"]:
                    text = f"{lead} ___ {action}."
                    kinds["infinitives"].append(_entry(text, answer, level, "general", action))
    return {kind: tuple(entries) for kind, entries in kinds.items()}


@cache
def _lowest(kind: str) -> int:
    """The rank of the easiest sentence of a kind."""
    return min(rank(e["level"]) for e in _simple_entries()[kind])


@cache
def _highest(kind: str) -> int:
    """The rank of the hardest sentence of a kind."""
    return max(rank(e["level"]) for e in _simple_entries()[kind])


def _pick_entry(rng: random.Random, topic: str, level: str) -> dict[str, Any] | None:
    banks = _simple_entries()
    reachable = [(k, w) for k, w in _KINDS if _lowest(k) <= rank(level)] or list(_KINDS)
    if band(level) == 2:  # C1–C2: the kinds with sentences from B1 up (cities, infinitives)
        reachable = [(k, w) for k, w in reachable if _highest(k) >= rank("B1")] or reachable
    kind = rng.choices([k for k, _ in reachable], weights=[w for _, w in reachable])[0]
    entry = pick(rng, banks[kind], topic, level)
    if entry is None:
        entry = pick(rng, [e for bank in banks.values() for e in bank], topic, level)
    return entry


def simple_item(rng: random.Random, topic: str, level: str) -> Item | None:
    """A simple preposition chosen by the meaning of the sentence."""
    entry = _pick_entry(rng, topic, level)
    if entry is None:
        return None
    answer: str = entry["answer"]
    accepted = tuple(entry.get("accepted", ()))
    right = {answer, *accepted}
    first = [p for p in _CONFUSED.get(answer, ()) if p not in right]
    other = [p for p in SIMPLE_PREPOSITIONS if p not in right and p not in first]
    rng.shuffle(other)
    explanation = f"{entry['text'].replace('___', answer.upper())} — {_USES[answer]}."
    if accepted:
        explanation += f" {', '.join(accepted)} is equally right."
    return Item(
        question=f"{entry['text']} (preposizione semplice)",
        answer=answer,
        explanation=explanation,
        kind="preposition",
        word=answer,
        accepted=accepted,
        wrong_first=tuple(first),
        wrong_other=tuple(other),
        tags={"point": "preposizioni semplici", "variety": entry.get("variety", entry["text"])},
    )


_ARTICULATED_KINDS = ("place", "people", "container", "surface", "owner")
_BUILT_ODDS = 0.95  # the frames below, else the lexicon's sentences and people


def articulated_frames(kind: str) -> list[dict[str, Any]]:
    """The frames of a kind of the articulated bank, one per name where a frame has {name}."""
    bank = points()["articulated_bank"]
    frames = []
    for frame in bank[f"{kind}_frames"]:
        if "{name}" not in frame["it"]:
            frames.append(frame)
            continue
        for name in bank["names"]:
            frames.append(
                {
                    **frame,
                    "it": frame["it"].replace("{name}", name),
                    "alt": [t.replace("{name}", name) for t in frame.get("alt", ())],
                    "en": [t.replace("{name}", name) for t in frame["en"]],
                }
            )
    return frames


@cache
def _articulated_entries() -> tuple[dict[str, Any], ...]:
    """Every sentence of the articulated bank: each frame with each noun of its kind (a, da
    with places and people, in with containers, su with surfaces, di with owners)."""
    bank = points()["articulated_bank"]
    entries = []
    for kind in _ARTICULATED_KINDS:
        for frame in articulated_frames(kind):
            for word, gender, plural, _ in bank[f"{kind}s" if kind != "people" else "people"]:
                if word in frame.get("skip", ()):
                    continue
                entries.append(
                    {
                        "text": frame["it"].replace("{n}", word),
                        "preposition": frame["p"],
                        "word": word,
                        "gender": gender,
                        "plural": plural,
                        "level": frame["level"],
                        "topic": "general",
                    }
                )
    return tuple(entries)


def articulated_item(rng: random.Random, topic: str, level: str) -> Item | None:
    """di, a, da, in, su fused with the article of the noun that follows."""
    # The lexicon's sentences (any level) only below C1: a C1–C2 homework keeps to its own.
    built = band(level) == 2 or rng.random() < _BUILT_ODDS
    entry = pick(rng, _articulated_entries(), topic, level) if built else None
    if entry is None:
        item = preposition_item(rng, topic)
        if item is None:
            return None
        return replace(item, tags={"point": "preposizioni articolate", "variety": item.question})
    preposition, word = entry["preposition"], entry["word"]
    gender, plural = entry["gender"], entry["plural"]
    article = definite_article(word, gender, plural)
    answer = articulated_preposition(preposition, article)
    same = [a for a in DEFINITE_ARTICLES if (a in ("i", "gli", "le")) == plural and a != article]
    other = [a for a in DEFINITE_ARTICLES if (a in ("i", "gli", "le")) != plural]
    rng.shuffle(same)
    number = "plural" if plural else "singular"
    return Item(
        question=f"{entry['text']} ({preposition} + articolo)",
        answer=answer,
        explanation=(
            f"'{word}' is {_GENDER_WORD[gender]} {number} and takes '{article}': "
            f"{preposition} + {article} = {answer}."
        ),
        kind="preposition",
        word=preposition,
        wrong_first=tuple(articulated_preposition(preposition, a) for a in same[:2]),
        wrong_other=tuple(articulated_preposition(preposition, a) for a in [*same[2:], *other]),
        tags={"point": "preposizioni articolate", "variety": f"{preposition}|{word}"},
    )
