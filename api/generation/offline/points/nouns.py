"""The plural of nouns: -o/-e → -i, -a → -e, -ca/-ga → -che/-ghe, -io → -i, invariable nouns
(film, città, yogurt) and irregular ones (l'uovo → le uova)."""

from __future__ import annotations

import random
from functools import cache
from typing import Any

from api.generation.offline import lexicon
from api.generation.offline.builders import Item, _nouns_for
from api.generation.offline.points._data import band, points, rank

# The topic each kind of noun of the plural bank belongs to ("general": any topic).
_KIND_TOPICS = {"small": "routine", "food": "food", "clothes": "routine", "place": "city", "word": "school", "person": "general", "animal": "general", "wild": "culture", "town": "travel"}  # fmt: skip
_NUMBERS = ("due", "tre", "quattro")


@cache
def plural_bank() -> tuple[lexicon.Noun, ...]:
    """The nouns of the plural bank in points.json, as lexicon nouns."""
    return tuple(
        lexicon.Noun(
            word=row["word"],
            gender=row["gender"],
            plural=row["plural"],
            plural_gender=row["gender"],
            english="",
            person=row["kind"] == "person",
            topics=frozenset({_KIND_TOPICS[row["kind"]]}),
            adjectives=(),
        )
        for row in points()["plural_nouns"]
    )


@cache
def _bank_rows() -> dict[str, dict[str, Any]]:
    return {row["word"]: row for row in points()["plural_nouns"]}


def is_tricky(noun: lexicon.Noun) -> bool:
    """Whether the plural breaks the first rule learners meet (A2 and up)."""
    word = noun.word
    row = _bank_rows().get(word)
    return (
        bool(row and row.get("tricky"))
        or noun.plural == word
        or word[-1] not in "aeo"
        or word[:-1].endswith(("c", "g", "i"))
        or noun.plural_gender != noun.gender
    )


def wrong_plurals(noun: lexicon.Noun) -> tuple[list[str], list[str]]:
    """Learners' wrong plurals: the instructive ones first (the singular, the hard sound lost)."""
    word = noun.word
    answer = noun.plural or word
    if word[-1] in "aeio":
        stem = word[:-1]
        first = [word]
        other = [stem + "i", stem + "e", stem + "a", word + "s"]
        if stem.endswith(("c", "g")):
            first += [stem + "i", stem + "e", stem + "hi", stem + "he"]
    else:  # a foreign or truncated word: invariable
        first = [word + "s"]
        other = [word + "i", word + "e"]
    seen = {answer}
    result: tuple[list[str], list[str]] = ([], [])
    for bucket, forms in zip(result, (first, other), strict=True):
        for form in forms:
            if form not in seen:
                seen.add(form)
                bucket.append(form)
    return result


def _reason(noun: lexicon.Noun) -> str:
    word, plural = noun.word, noun.plural or noun.word
    row = _bank_rows().get(word)
    if row and "note" in row:
        return str(row["note"])
    if plural == word:
        if word[-1] not in "aeio":
            return (
                f"'{word}' ends in a consonant (a foreign word), so it does not change: {plural}."
            )
        return f"'{word}' is invariable: {plural}."
    if noun.plural_gender != noun.gender:
        return f"'{word}' has an irregular plural, which is feminine: le {plural}."
    if word.endswith(("ca", "ga")):
        return f"Nouns in -{word[-2:]} keep the hard sound with h: {plural}."
    if word.endswith(("co", "go")):
        return f"The plural of '{word}' is {plural}: learn -co/-go plurals one by one (amici, parchi, psicologi)."
    if word.endswith("io"):
        return f"Nouns in -io drop the o: {plural}."
    if word.endswith("a"):
        return f"Feminine nouns in -a take -e in the plural: {plural}."
    return f"Nouns in -{word[-1]} take -i in the plural: {plural}."


def _questions(noun: lexicon.Noun) -> list[str]:
    """The sentences a noun fits, with the number before the slot."""
    row = _bank_rows().get(noun.word)
    if row is not None:
        templates = points()["plural_templates"][row["kind"]]
    elif noun.person:
        templates = [
            "Ho conosciuto {n} ___ ({w}).",
            "Ho conosciuto {n} ___ ({w}) alla festa.",
            "Ho conosciuto {n} ___ ({w}) in vacanza.",
        ]
    else:
        templates = ["Ci sono {n} ___ ({w}).", "Ho visto {n} ___ ({w})."]
    return [t.replace("{w}", noun.word) for t in templates]


# The same sentence at B1–B2 under a governing clause, at C1–C2 under a past one.
_LEADS: dict[str, tuple[str, str]] = {
    "Ci sono": ("Credo che ci siano", "Pensavo che ci fossero"),
    "Ho visto": ("Mi sembra di aver visto", "Ero sicuro di aver visto"),
    "Ho conosciuto": ("Credo di aver conosciuto", "Non pensavo di conoscere"),
}


def _at_band(question: str, level: str) -> str:
    if band(level) == 0:
        return question
    for lead, (middle, high) in _LEADS.items():
        if question.startswith(f"{lead} "):
            return (middle if band(level) == 1 else high) + question[len(lead) :]
    return question


def plural_item(rng: random.Random, topic: str, level: str) -> Item | None:
    """The plural of a noun, in a sentence with a number before it."""
    bank = [n for n in plural_bank() if topic == "general" or topic in n.topics or "general" in n.topics]  # fmt: skip
    nouns = [n for n in (*_nouns_for(topic), *bank) if n.plural]
    if not nouns:
        return None
    tricky = [n for n in nouns if is_tricky(n)]
    plain = [n for n in nouns if not is_tricky(n)]
    # C1–C2 ask only for the tricky plurals (i problemi, le uova, gli psicologi).
    prefer_tricky = rank(level) > 0 and tricky and (band(level) == 2 or rng.random() < 0.6)
    noun = rng.choice(tricky if prefer_tricky else plain or nouns)
    question = _at_band(rng.choice(_questions(noun)), level).replace("{n}", rng.choice(_NUMBERS))
    first, other = wrong_plurals(noun)
    return Item(
        question=question,
        answer=noun.plural or noun.word,
        explanation=_reason(noun),
        kind="noun",
        word=noun.word,
        wrong_first=tuple(first),
        wrong_other=tuple(other),
        tags={"point": "plurale dei nomi", "variety": noun.word},
    )
