"""Comparatives: più/meno ... di (fused with the article) before a noun or pronoun, che between
two adjectives, verbs or phrases."""

from __future__ import annotations

import random
from typing import Any

from api.generation.offline import lexicon
from api.generation.offline.builders import Item
from api.generation.offline.morphology import articulated_preposition, definite_article
from api.generation.offline.points._data import pick, points

COMPARATIVE_LINKS: tuple[str, ...] = ("di", "che", "del", "dello", "dell'", "della", "dei", "degli", "delle")  # fmt: skip


_PEOPLE_ROUNDS = 8


def _people_entries(rng: random.Random) -> list[dict[str, Any]]:
    """Comparisons of two people by name, of a person and a relative, of two qualities."""
    data = points()["comparative_people"]
    adjectives = lexicon.adjectives()
    (name, gender), (other, _) = rng.sample(data["names"], 2)
    first = adjectives[rng.choice(data["adjectives"])].form(gender, False)
    # Two qualities that a sentence can sensibly weigh against each other.
    one, two = (adjectives[a].form(gender, False) for a in rng.choice(data["quality_pairs"]))
    more = rng.choice(("più", "meno"))
    wanted = rng.choice(data["relatives"])
    relative = next(f for f in points()["family"] if f["word"] == wanted)
    article = definite_article(relative["word"], relative["gender"], False)
    fused = articulated_preposition("di", article)
    return [
        {
            "text": f"{name} è {more} {first} ___ {other}.",
            "answer": "di",
            "level": "A2",
            "topic": "family",
        },
        {
            "text": f"{name} è {more} {first} ___ {relative['word']} di {other}.",
            "answer": fused,
            "level": "A2",
            "topic": "family",
        },
        {
            "text": f"{name} è più {one} ___ {two}.",
            "answer": "che",
            "level": "B1",
            "topic": "family",
        },
    ]


def comparative_item(rng: random.Random, topic: str, level: str) -> Item | None:
    """di, che or di fused with the article, after più or meno."""
    # As many comparisons of people as written sentences, so both are drawn about as often.
    people = [e for _ in range(_PEOPLE_ROUNDS) for e in _people_entries(rng)]
    entry = pick(rng, [*points()["comparatives"], *people], topic, level)
    if entry is None:
        return None
    answer: str = entry["answer"]
    if answer == "che":
        first = ["di"]
        reason = "Two adjectives, verbs or phrases are compared with che."
    elif answer == "di":
        first = ["che"]
        reason = "Before a name, a pronoun or a noun without article, the second term takes di."
    else:
        first = ["di", "che"]
        reason = f"Before a noun with its article, di fuses with the article: {answer}."
    other = [link for link in COMPARATIVE_LINKS if link != answer and link not in first]
    rng.shuffle(other)
    return Item(
        question=f"{entry['text']} (comparativo)",
        answer=answer,
        explanation=f"{entry['text'].replace('___', answer.upper())} {reason}",
        kind="comparative",
        word=answer,
        wrong_first=tuple(first),
        wrong_other=tuple(other),
        tags={"point": "comparativi"},
    )
