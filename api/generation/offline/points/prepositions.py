"""Simple prepositions (di, a, da, in, con, su, per, tra/fra) chosen by meaning, and the
articulated ones (di, a, da, in, su fused with the article)."""

from __future__ import annotations

import random
from dataclasses import replace

from api.generation.offline.builders import Item, preposition_item
from api.generation.offline.points._data import pick, points

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
_USES: dict[str, str] = {
    "a": "a goes with cities (a Roma), a scuola, before an infinitive after cominciare, imparare, provare, riuscire, aiutare, and before a person after telefonare and pensare",
    "in": "in goes with countries and regions (in Spagna, in Sicilia), means of transport (in bicicletta) and many places ending in -ia or -eria (in biblioteca, in ufficio)",
    "di": "di marks belonging and comes before an infinitive after finire, smettere, decidere, avere paura, avere voglia, essere stanco; avere bisogno di",
    "da": "da marks purpose after a noun or adjective (facile da capire, cose da fare, occhiali da sole)",
    "con": "con means together with",
    "per": "per marks purpose, destination after partire, cause and the person something is meant for",
    "tra": "tra (or fra) means between two things, or in a time from now",
}


_PLACE_ROUNDS = 3  # sentences with places drawn about as often as the written ones


def _place_entries(rng: random.Random) -> list[dict[str, object]]:
    """a with a city, in with a country or region, in the frames of points.json (one place each)."""
    data = points()
    entries: list[dict[str, object]] = []
    for frame in data["place_frames"]:
        kind, answer = rng.choice((("cities", "a"), ("regions", "in")))
        place = rng.choice(data["places"][kind])
        entries.append(frame | {"text": frame["text"].replace("{place}", place), "answer": answer})
    return entries


def simple_item(rng: random.Random, topic: str, level: str) -> Item | None:
    """A simple preposition chosen by the meaning of the sentence."""
    places = [e for _ in range(_PLACE_ROUNDS) for e in _place_entries(rng)]
    entries = [*points()["simple_prepositions"], *places]
    entry = pick(rng, entries, topic, level)
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
        tags={"point": "preposizioni semplici"},
    )


def articulated_item(rng: random.Random, topic: str, level: str) -> Item | None:
    """di, a, da, in, su fused with the article of the noun that follows."""
    item = preposition_item(rng, topic)
    if item is None:
        return None
    return replace(item, tags={"point": "preposizioni articolate"})
