"""Comparatives: più/meno ... di (fused with the article) before a noun or pronoun, che between
two adjectives, verbs or phrases."""

from __future__ import annotations

import itertools
import random
from functools import cache
from typing import Any

from api.generation.offline import lexicon
from api.generation.offline.builders import Item
from api.generation.offline.morphology import articulated_preposition, definite_article
from api.generation.offline.points._data import pick, points

COMPARATIVE_LINKS: tuple[str, ...] = ("di", "che", "del", "dello", "dell'", "della", "dei", "degli", "delle")  # fmt: skip


_ARTICLES = ("il ", "lo ", "la ", "i ", "gli ", "le ", "l'")


def _second_term(phrase: str, gender: str) -> tuple[str, str]:
    """The link and what follows it: della + bicicletta, dell' + aereo, di + un mese."""
    for article in _ARTICLES:
        if phrase.startswith(article):
            fused = articulated_preposition("di", article.strip())
            return fused, phrase[len(article) :]
    return "di", phrase


# The same comparison by band: a main clause at A2, under "it seems to me" with the congiuntivo
# presente at B1, under "I would never have said" with the congiuntivo imperfetto at C1; facts
# (the plane is faster than the train) under "everybody knows" and "nobody doubts".
_PEOPLE_FRAMES = (("A2", "{s} è"), ("B1", "Mi sembra che {s} sia"), ("C1", "Non avrei mai detto che {s} fosse"))  # fmt: skip
_FACT_FRAMES = (("A2", "{S} è"), ("B1", "Tutti sanno che {s} è"), ("C1", "Nessuno mette in dubbio che {s} sia"))  # fmt: skip


def _framed(frame: str, subject: str) -> str:
    return frame.replace("{s}", subject).replace("{S}", subject[:1].upper() + subject[1:])


@cache
def _people_entries() -> tuple[tuple[dict[str, Any], ...], tuple[dict[str, Any], ...], tuple[dict[str, Any], ...]]:  # fmt: skip
    """Comparisons of two people by name (di), of a person and a relative (del, della), and of
    two qualities of one person (che)."""
    data = points()["comparative_people"]
    adjectives = lexicon.adjectives()
    family = {f["word"]: f for f in points()["family"]}
    names: list[dict[str, Any]] = []
    relatives: list[dict[str, Any]] = []
    qualities: list[dict[str, Any]] = []
    for name, gender in data["names"]:
        for other, _ in data["names"]:
            if other == name:
                continue
            for adjective in data["adjectives"]:
                form = adjectives[adjective].form(gender, False)
                for (level, frame), more in itertools.product(_PEOPLE_FRAMES, ("più", "meno")):
                    lead = _framed(frame, name)
                    names.append(
                        {
                            "text": f"{lead} {more} {form} ___ {other}.",
                            "answer": "di",
                            "level": level,
                            "topic": "family",
                        }
                    )
                    for wanted in data["relatives"]:
                        relative = family[wanted]
                        article = definite_article(relative["word"], relative["gender"], False)
                        relatives.append(
                            {
                                "text": f"{lead} {more} {form} ___ {relative['word']} di {other}.",
                                "answer": articulated_preposition("di", article),
                                "level": level,
                                "topic": "family",
                            }
                        )
        for pair in data["quality_pairs"]:
            one, two = (adjectives[a].form(gender, False) for a in pair)
            for first, second in ((one, two), (two, one)):
                qualities.append(
                    {
                        "text": f"{name} è più {first} ___ {second}.",
                        "answer": "che",
                        "level": "B1",
                        "topic": "family",
                    }
                )
    return tuple(names), tuple(relatives), tuple(qualities)


@cache
def _chain_entries() -> tuple[dict[str, Any], ...]:
    """Comparisons of things in a known order (the plane is faster than the train), with più
    and meno: L'aereo è più veloce del treno, Il treno è meno veloce dell'aereo, Il treno è più
    lento dell'aereo."""
    entries: list[dict[str, Any]] = []
    for chain in points()["comparative_chains"]:
        more, less = chain["more"], chain["less"]
        items = chain["items"]
        for i, (big, big_gender) in enumerate(items):
            for small, small_gender in items[i + 1 :]:
                g_big, g_small = (0 if g == "m" else 1 for g in (big_gender, small_gender))
                for subject, s_gender, adjective, more_or_less, other, o_gender in (
                    (big, g_big, more, "più", small, small_gender),
                    (small, g_small, less, "più", big, big_gender),
                    (small, g_small, more, "meno", big, big_gender),
                ):
                    link, rest = _second_term(other, o_gender)
                    for level, frame in _FACT_FRAMES:
                        entries.append(
                            {
                                "text": f"{_framed(frame, subject)} {more_or_less} "
                                f"{adjective[s_gender]} ___ {rest}.",
                                "answer": link,
                                "level": level,
                                "topic": chain["topic"],
                            }
                        )
    return tuple(entries)


# How often each kind of comparison is drawn: the written sentences are few, so they are drawn
# less often than the kinds built from names, relatives and things.
_KINDS = (("written", 0.05), ("names", 0.35), ("relatives", 0.35), ("things", 0.25))


@cache
def _banks() -> dict[str, tuple[dict[str, Any], ...]]:
    names, relatives, qualities = _people_entries()
    written = tuple(points()["comparatives"])
    # A built sentence that is also written (Il Po è più lungo del Tevere) keeps its written level.
    texts = {e["text"] for e in written}
    return {
        "written": written,
        "names": (*names, *qualities),
        "relatives": relatives,
        "things": tuple(e for e in _chain_entries() if e["text"] not in texts),
    }


def _entry(rng: random.Random, topic: str, level: str) -> dict[str, Any] | None:
    banks = _banks()
    kind = rng.choices([k for k, _ in _KINDS], weights=[w for _, w in _KINDS])[0]
    entry = pick(rng, banks[kind], topic, level)
    if entry is None:
        entry = pick(rng, [e for bank in banks.values() for e in bank], topic, level)
    return entry


def comparative_item(rng: random.Random, topic: str, level: str) -> Item | None:
    """di, che or di fused with the article, after più or meno."""
    entry = _entry(rng, topic, level)
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
