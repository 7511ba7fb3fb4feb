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
from api.generation.offline.points._data import band, pick, points, rank

PLURAL_ARTICLES = frozenset({"i", "gli", "le"})
PARTITIVE_ARTICLES: tuple[str, ...] = tuple(
    articulated_preposition("di", a) for a in DEFINITE_ARTICLES
)
_GENDER_WORD = {"m": "masculine", "f": "feminine"}
# What may stand before "the noun is adjective", by band (points._data.band): an opinion or a
# time with the indicative at A1–A2; a governing clause with the congiuntivo presente at B1–B2;
# a past or hypothetical one with the congiuntivo imperfetto at C1–C2.
_DEFINITE_LEADS: tuple[tuple[tuple[str, str, str], ...], ...] = (
    tuple((lead, "è", "sono") for lead in ("Secondo me,", "Secondo Marco,", "Per Giulia,", "Oggi", "Per me,", "Secondo Anna,", "Secondo noi,", "Per Luca,", "Secondo la nonna,", "Per Paolo,", "Anche oggi", "Secondo loro,")),
    tuple((lead, "sia", "siano") for lead in ("Penso che", "Credo che", "Mi sembra che", "Ho l'impressione che", "Spero che", "Non credo che", "Immagino che", "Mi pare che")),
    tuple((lead, "fosse", "fossero") for lead in ("Non avrei mai detto che", "Nessuno si aspettava che", "Pensavo che", "Non sapevo che", "Mi sembrava che", "Ero convinto che", "Chi avrebbe mai detto che", "Tutti credevano che")),
)  # fmt: skip
# What may stand before "a noun adjective": here is one, I look for one, it is (or seems) one.
# The concrete leads need something one can look for or see: not a relative, a strike or an exam.
_NOT_SEEN = frozenset({"sciopero", "stipendio", "esame", "riunione", "lezione"})
# By band: (concrete leads, every noun's leads), each "{a}" the slot and its noun phrase; at
# B1–B2 a relative clause or a governing clause with the congiuntivo presente, at C1–C2 with the
# congiuntivo imperfetto after a conditional or a past.
_INDEFINITE_LEADS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("Ecco {a} {adj}.", "Cerco {a} {adj}.", "Vedo {a} {adj}."), ("È {a} {adj}.", "Non è {a} {adj}.", "Mi sembra {a} {adj}.", "Sembra {a} {adj}.", "Secondo me è {a} {adj}.", "Per me è {a} {adj}.", "Forse è {a} {adj}.")),
    (("Cerco {a} che sia {adj}.", "Mi serve {a} che sia {adj}.", "Ho bisogno di {a} che sia {adj}."), ("Credo che sia {a} {adj}.", "Penso che sia {a} {adj}.", "Mi sembra che sia {a} {adj}.", "Non credo che sia {a} {adj}.")),
    (("Mi servirebbe {a} che fosse {adj}.", "Avrei voluto {a} che fosse {adj}.", "Mi piacerebbe avere {a} che fosse {adj}."), ("Non avrei mai detto che fosse {a} {adj}.", "Pensavo che fosse {a} {adj}.", "Nessuno immaginava che fosse {a} {adj}.", "Tutti dicevano che fosse {a} {adj}.")),
)  # fmt: skip


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
    lead, singular, plural_verb = rng.choice(_DEFINITE_LEADS[band(level)])
    verb = plural_verb if plural else singular
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
    seen, said = _INDEFINITE_LEADS[band(level)]
    lead = rng.choice(seen + said if concrete else said)
    sentence = lead.replace("{a}", f"___ {noun.word}").replace("{adj}", adjective)
    question = f"{sentence} (articolo indeterminativo)"
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
    adjectives (already agreeing), in each template that suits it, the A2 templates and those
    of B1 and C1 (a governing clause, a conditional, a hypothesis)."""
    bank = points()["partitive_bank"]
    result: dict[str, tuple[dict[str, Any], ...]] = {}
    for kind, _ in _PARTITIVE_KINDS:
        entries = []
        for noun in bank[kind]:
            word, gender, adjectives = noun[0], noun[1], noun[2]
            if kind == "mass":
                templates = [(t, "A2") for t in (*bank["mass_templates"]["all"], *bank["mass_templates"][noun[3]])]  # fmt: skip
                for level in ("B1", "C1"):
                    more = bank["level_templates"][level]
                    templates += [(t, level) for t in (*more["all"], *more[noun[3]])]
            else:
                templates = [(t, "A2") for t in bank[f"{kind.rstrip('s')}_templates"]]
                for level in ("B1", "C1"):
                    templates += [(t, level) for t in bank["level_templates"][level][kind]]
            for template, level in templates:
                for adjective in ["", *adjectives]:
                    phrase = f"{word} {adjective}".strip()
                    entries.append(
                        {
                            "text": template.replace("{noun}", phrase),
                            "word": word,
                            "gender": gender,
                            "plural": kind != "mass",
                            "level": level,
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
