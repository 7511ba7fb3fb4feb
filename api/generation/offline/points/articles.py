"""Definite, indefinite and partitive articles: each focus asks only for its own kind."""

from __future__ import annotations

import random
from functools import cache
from typing import Any

from api.generation.offline import lexicon
from api.generation.offline.builders import Item, _adjective_phrase, _article_reason, _nouns_for
from api.generation.offline.conjugation import Gender
from api.generation.offline.morphology import (
    DEFINITE_ARTICLES,
    INDEFINITE_ARTICLES,
    articulated_preposition,
    definite_article,
    indefinite_article,
)
from api.generation.offline.points._data import pick, points, rank

PLURAL_ARTICLES = frozenset({"i", "gli", "le"})
PARTITIVE_ARTICLES: tuple[str, ...] = tuple(
    articulated_preposition("di", a) for a in DEFINITE_ARTICLES
)
_GENDER_WORD = {"m": "masculine", "f": "feminine"}
# What may stand before "the noun is adjective": an opinion or a time.
_DEFINITE_LEADS = ("Secondo me,", "Secondo Marco,", "Per Giulia,", "Oggi", "Per me,", "Secondo Anna,", "Secondo noi,", "Per Luca,", "Secondo la nonna,", "Per Paolo,", "Anche oggi", "Secondo loro,")  # fmt: skip
# What may stand before "a noun adjective": here is one, I look for one, it is (or seems) one.
# The first three need something one can look for or see: not a relative, a strike or an exam.
_NOT_SEEN = frozenset({"sciopero", "stipendio", "esame", "riunione", "lezione"})
_INDEFINITE_LEADS = ("Ecco", "Cerco", "Vedo", "È", "Non è", "Mi sembra", "Sembra", "Secondo me è", "Per me è", "Forse è")  # fmt: skip


def _split_by_number(
    forms: tuple[str, ...], answer: str, plural: bool, rng: random.Random
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Wrong forms of the same number first (the instructive mistake), then the others."""
    same = [f for i, f in enumerate(forms) if (DEFINITE_ARTICLES[i] in PLURAL_ARTICLES) == plural]
    other = [f for i, f in enumerate(forms) if (DEFINITE_ARTICLES[i] in PLURAL_ARTICLES) != plural]
    first = [f for f in same if f != answer]
    rng.shuffle(first)
    return tuple(first[:2]), tuple(first[2:] + other)


def definite_item(rng: random.Random, topic: str, level: str) -> Item | None:
    """il, lo, l', la, i, gli, le before a noun with an agreeing adjective."""
    nouns = _nouns_for(topic)
    if not nouns:
        return None
    noun = rng.choice(nouns)
    plural_odds = 0.3 if rank(level) == 0 else 0.6
    plural = noun.plural is not None and rng.random() < plural_odds
    word = noun.plural if plural and noun.plural else noun.word
    gender = noun.plural_gender if plural else noun.gender
    answer = definite_article(word, gender, plural)
    adjective, _ = _adjective_phrase(noun, plural, rng)
    verb = "sono" if plural else "è"
    lead = rng.choice(_DEFINITE_LEADS)
    question = f"{lead} ___ {word} {verb} {adjective}. (articolo determinativo)"
    first, other = _split_by_number(DEFINITE_ARTICLES, answer, plural, rng)
    return Item(
        question=question,
        answer=answer,
        explanation=_article_reason(word, gender, plural, answer),
        kind="article",
        word=word,
        wrong_first=first,
        wrong_other=other,
        tags={"point": "articoli determinativi"},
    )


def indefinite_item(rng: random.Random, topic: str, level: str) -> Item | None:
    """un, uno, una, un' before a singular noun with an agreeing adjective."""
    # A mass noun (lo zucchero) takes no indefinite article.
    nouns = [n for n in _nouns_for(topic) if n.plural is not None]
    if not nouns:
        return None
    noun = rng.choice(nouns)
    answer = indefinite_article(noun.word, noun.gender)
    adjective, _ = _adjective_phrase(noun, False, rng)
    concrete = "family" not in noun.topics and noun.word not in _NOT_SEEN
    lead = rng.choice(_INDEFINITE_LEADS if concrete else _INDEFINITE_LEADS[3:])
    question = f"{lead} ___ {noun.word} {adjective}. (articolo indeterminativo)"
    # un' before a feminine vowel and uno before s + consonant are the instructive mistakes.
    wrong = [a for a in INDEFINITE_ARTICLES if a != answer]
    first = [w for w in wrong if {w, answer} in ({"un", "un'"}, {"un", "uno"}, {"una", "un'"})]
    return Item(
        question=question,
        answer=answer,
        explanation=_article_reason(noun.word, noun.gender, False, answer),
        kind="article",
        word=noun.word,
        wrong_first=tuple(first),
        wrong_other=tuple(w for w in wrong if w not in first),
        tags={"point": "articoli indeterminativi"},
    )


def _things() -> list[lexicon.Noun]:
    wanted = set(points()["everyday_things"])
    return [n for n in lexicon.nouns() if n.word in wanted and n.plural]


# How often each kind of partitive is drawn: some (an amount of) with a mass noun most often.
_PARTITIVE_KINDS = (("mass", 0.45), ("food", 0.2), ("objects", 0.15), ("people", 0.2))
_PARTITIVE_TOPICS = {"mass": "food", "food": "food", "objects": "general", "people": "general"}


@cache
def _partitive_entries() -> dict[str, tuple[dict[str, Any], ...]]:
    """Every sentence of the partitive bank, by kind: each noun alone and with each of its
    adjectives (already agreeing), in each template that suits it."""
    bank = points()["partitive_bank"]
    result: dict[str, tuple[dict[str, Any], ...]] = {}
    for kind, _ in _PARTITIVE_KINDS:
        entries = []
        for noun in bank[kind]:
            word, gender, adjectives = noun[0], noun[1], noun[2]
            if kind == "mass":
                templates = [*bank["mass_templates"]["all"], *bank["mass_templates"][noun[3]]]
            else:
                templates = bank[f"{kind.rstrip('s')}_templates"]
            for template in templates:
                for adjective in ["", *adjectives]:
                    phrase = f"{word} {adjective}".strip()
                    entries.append(
                        {
                            "text": template.replace("{noun}", phrase),
                            "word": word,
                            "gender": gender,
                            "plural": kind != "mass",
                            "level": "A2",
                            "topic": _PARTITIVE_TOPICS[kind],
                            "variety": f"{template}|{word}",
                        }
                    )
        result[kind] = tuple(entries)
    return result


def partitive_item(rng: random.Random, topic: str, level: str) -> Item | None:
    """del, dello, dell', della (some, with a mass noun), dei, degli, delle (some, plural)."""
    banks = _partitive_entries()
    kind = rng.choices([k for k, _ in _PARTITIVE_KINDS], [w for _, w in _PARTITIVE_KINDS])[0]
    entry = pick(rng, banks[kind], topic, level) or pick(
        rng, [e for bank in banks.values() for e in bank], topic, level
    )
    if entry is None:
        return None
    word, plural = entry["word"], entry["plural"]
    gender: Gender = entry["gender"]
    article = definite_article(word, gender, plural)
    answer = articulated_preposition("di", article)
    first, other = _split_by_number(PARTITIVE_ARTICLES, answer, plural, rng)
    number = "plural" if plural else "singular"
    meaning = "some (a few)" if plural else "some (an amount of)"
    return Item(
        question=entry["text"] + " (articolo partitivo)",
        answer=answer,
        explanation=(
            f"The partitive means {meaning}: di + the definite article. '{word}' is "
            f"{_GENDER_WORD[gender]} {number} and takes '{article}', so di + {article} = {answer}."
        ),
        kind="article",
        word=word,
        wrong_first=first,
        wrong_other=other,
        tags={"point": "articoli partitivi", "variety": entry["variety"]},
    )
