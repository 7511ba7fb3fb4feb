"""Possessive adjectives with or without the article: mio fratello, il loro fratello, i miei
fratelli, la mia sveglia."""

from __future__ import annotations

import random

from api.generation.offline import lexicon
from api.generation.offline.builders import Item
from api.generation.offline.conjugation import Gender
from api.generation.offline.morphology import definite_article, with_article
from api.generation.offline.points._data import band, points, rank

# ms, fs, mp, fp for each owner.
POSSESSIVES: dict[str, tuple[str, str, str, str]] = {
    "io": ("mio", "mia", "miei", "mie"),
    "tu": ("tuo", "tua", "tuoi", "tue"),
    "lui": ("suo", "sua", "suoi", "sue"),
    "lei": ("suo", "sua", "suoi", "sue"),
    "noi": ("nostro", "nostra", "nostri", "nostre"),
    "voi": ("vostro", "vostra", "vostri", "vostre"),
    "loro": ("loro", "loro", "loro", "loro"),
}
# Loro, which keeps its article before a family noun, comes at A2.
_BEGINNER_OWNERS = ("io", "tu", "lui", "lei", "noi", "voi")
_GENDER_WORD = {"m": "masculine", "f": "feminine"}


def possessive(owner: str, gender: Gender, plural: bool, *, family: bool) -> str:
    """The possessive with its article, or bare before a singular family noun (not with loro)."""
    form = POSSESSIVES[owner][(2 if plural else 0) + (1 if gender == "f" else 0)]
    if family and not plural and owner != "loro":
        return form
    return with_article(definite_article(form, gender, plural), form)


def _things() -> list[lexicon.Noun]:
    wanted = set(points()["everyday_things"])
    # An invariable noun (il computer, i computer) would leave the number to guess.
    return [n for n in lexicon.nouns() if n.word in wanted and n.plural not in (None, n.word)]


def possessive_item(rng: random.Random, topic: str, level: str) -> Item | None:
    """A possessive agreeing with the thing owned, with the article when it needs one."""
    data = points()
    # A1–A2 main clauses; from B1 a governing clause, from C1 a hypothesis or a conditional.
    templates = data["possessive_templates"]
    if band(level) > 0:
        templates = templates["by_level"]["B1" if band(level) == 1 else "C1"]
    family = topic in ("general", "family") and (not _things() or rng.random() < 0.5)
    owners = _BEGINNER_OWNERS if rank(level) == 0 else tuple(POSSESSIVES)
    owner = rng.choice(owners)
    plural = rng.random() < (0.4 if rank(level) > 0 else 0.25)
    if family:
        entry = rng.choice(data["family"])
        word = entry["plural"] if plural else entry["word"]
        gender: Gender = entry["gender"]
        template = rng.choice(templates["family_plural" if plural else "family_singular"])
    else:
        noun = rng.choice(_things())
        word = (noun.plural or noun.word) if plural else noun.word
        gender = noun.plural_gender if plural else noun.gender
        template = rng.choice(templates["thing_plural" if plural else "thing_singular"])
    answer = possessive(owner, gender, plural, family=family)
    other_gender: Gender = "f" if gender == "m" else "m"
    bare = POSSESSIVES[owner][(2 if plural else 0) + (1 if gender == "f" else 0)]
    article_error = bare if answer != bare else possessive(owner, gender, plural, family=False)
    first = [article_error, possessive(owner, other_gender, plural, family=family)]
    other = [possessive(owner, g, not plural, family=family) for g in ("m", "f")]
    other += [possessive(o, gender, plural, family=family) for o in POSSESSIVES if o != owner]
    number = "plural" if plural else "singular"
    explanation = f"'{word}' is {_GENDER_WORD[gender]} {number}, so {owner} → {answer}."
    if family and owner == "loro" and not plural:
        explanation += " Loro always keeps the article, even before a family noun."
    elif family and not plural:
        explanation += " A singular family noun takes no article after the possessive."
    else:
        explanation += " The possessive takes the article of the noun it belongs to."
    right = {answer}
    return Item(
        question=template.replace("{owner}", owner).replace("{noun}", word),
        answer=answer,
        explanation=explanation,
        kind="possessive",
        word=owner,
        wrong_first=tuple(dict.fromkeys(f for f in first if f not in right)),
        wrong_other=tuple(dict.fromkeys(f for f in other if f not in right)),
        tags={"point": "aggettivi possessivi"},
    )
