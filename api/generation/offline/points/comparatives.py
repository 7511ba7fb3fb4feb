"""Comparatives: più/meno ... di (fused with the article) before a noun or pronoun, che between
two adjectives, verbs or phrases."""

from __future__ import annotations

import random

from api.generation.offline.builders import Item
from api.generation.offline.points._data import pick, points

COMPARATIVE_LINKS: tuple[str, ...] = ("di", "che", "del", "dello", "dell'", "della", "dei", "degli", "delle")  # fmt: skip


def comparative_item(rng: random.Random, topic: str, level: str) -> Item | None:
    """di, che or di fused with the article, after più or meno."""
    entry = pick(rng, points()["comparatives"], topic, level)
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
