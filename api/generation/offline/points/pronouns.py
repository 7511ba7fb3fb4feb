"""Direct and indirect object pronouns, and ci and ne, in short exchanges."""

from __future__ import annotations

import random
from typing import Any

from api.generation.offline import lexicon
from api.generation.offline.builders import Item
from api.generation.offline.conjugation import Gender
from api.generation.offline.morphology import definite_article, with_article
from api.generation.offline.points._data import pick, points

DIRECT: dict[tuple[str, bool], str] = {("m", False): "lo", ("f", False): "la", ("m", True): "li", ("f", True): "le"}  # fmt: skip
INDIRECT: dict[tuple[str, bool], str] = {("m", False): "gli", ("f", False): "le", ("m", True): "gli", ("f", True): "gli"}  # fmt: skip
PERSON_PRONOUNS: tuple[str, ...] = ("mi", "ti", "ci", "vi")
_GENDER_WORD = {"m": "masculine", "f": "feminine"}


def _person_item(rng: random.Random, kind: str, topic: str, level: str, point: str) -> Item | None:
    entries = [e for e in points()["person_pronouns"] if e["kind"] == kind]
    entry = pick(rng, entries, topic, level)
    if entry is None:
        return None
    answer = entry["answer"]
    wrong = [p for p in PERSON_PRONOUNS if p != answer]
    rng.shuffle(wrong)
    third = ("lo", "la") if kind == "direct" else ("gli", "le")
    return Item(
        question=f"{entry['text']} (pronome {'diretto' if kind == 'direct' else 'indiretto'})",
        answer=answer,
        explanation=(
            f"The reply turns the question's person round: the pronoun for the other speaker "
            f"is {answer}."
        ),
        kind="pronoun",
        word=answer,
        wrong_first=tuple(wrong[:2]),
        wrong_other=(*wrong[2:], *third),
        tags={"point": point},
    )


def direct_item(rng: random.Random, topic: str, level: str) -> Item | None:
    """lo, la, li, le (and mi, ti, ci, vi) for a direct object already named."""
    if rng.random() < 0.2:
        return _person_item(rng, "direct", topic, level, "pronomi diretti")
    frame = pick(rng, points()["direct_object_frames"], topic, level)
    if frame is None:
        return _person_item(rng, "direct", topic, level, "pronomi diretti")
    if frame["objects"] == "everyday_things":  # any everyday object, singular or plural
        wanted = set(points()["everyday_things"])
        noun = rng.choice([n for n in lexicon.nouns() if n.word in wanted and n.plural != n.word])
        plural = rng.random() < 0.5
        word = (noun.plural or noun.word) if plural else noun.word
        gender = noun.plural_gender if plural else noun.gender
        obj = with_article(definite_article(word, gender, plural), word)
    else:
        obj, gender, plural = rng.choice(frame["objects"])
    answer = DIRECT[(gender, plural)]
    question = frame["question"].replace("{object}", obj)
    number = "plural" if plural else "singular"
    wrong = [p for p in DIRECT.values() if p != answer]
    first = [p for (g, n), p in DIRECT.items() if p != answer and (g == gender or n == plural)]
    return Item(
        question=f"— {question} — {frame['reply']} (pronome diretto)",
        answer=answer,
        explanation=(
            f"'{obj}' is the direct object, {_GENDER_WORD[gender]} {number}: it becomes "
            f"{answer}, before the verb."
        ),
        kind="pronoun",
        word=obj,
        wrong_first=tuple(first),
        wrong_other=(*(p for p in wrong if p not in first), "gli"),
        tags={"point": "pronomi diretti"},
    )


def indirect_item(rng: random.Random, topic: str, level: str) -> Item | None:
    """gli, le (and mi, ti, ci, vi) for the person something is given or said to."""
    data = points()
    if rng.random() < 0.25:
        return _person_item(rng, "indirect", topic, level, "pronomi indiretti")
    template = pick(rng, data["indirect_templates"], topic, level)
    if template is None:
        return _person_item(rng, "indirect", topic, level, "pronomi indiretti")
    who, of, gender, plural = rng.choice(data["indirect_people"])
    g: Gender = gender
    answer = INDIRECT[(g, plural)]
    text = (
        template["text"]
        .replace("{who}", who)
        .replace("{of}", of)
        .replace("{gift}", rng.choice(data["gifts"]))
        .replace("{sta}", "stanno" if plural else "sta")
        .replace("{parte}", "partono" if plural else "parte")
    )
    text = text[:1].upper() + text[1:]
    if plural:
        reason = (
            f"'{who}' is plural: a gli, standard in speech and writing (loro after the verb "
            "is formal)."
        )
    else:
        reason = f"'{who}' is {_GENDER_WORD[g]}: a lui → gli, a lei → le."
    direct = DIRECT[(g, plural)]
    wrong = [p for p in ("gli", "le", "lo", "la", "li") if p != answer]
    return Item(
        question=f"{text} (pronome indiretto)",
        answer=answer,
        explanation=f"The person is the indirect object (a + person). {reason}",
        kind="pronoun",
        word=who,
        wrong_first=tuple(
            dict.fromkeys(p for p in (direct, "le" if answer == "gli" else "gli") if p != answer)
        ),
        wrong_other=tuple(wrong),
        tags={"point": "pronomi indiretti"},
    )


_CI_NE_ROUNDS = 6  # built exchanges drawn about as often as the written ones


def _ci_ne_entries(rng: random.Random) -> list[dict[str, Any]]:
    """One ci exchange about a city and one ne exchange about a quantity, from their frames."""
    data = points()
    ci, ne = data["ci_frames"], data["ne_frames"]
    city = rng.choice(data["places"]["cities"])
    ci_text = rng.choice(ci["questions"]).replace("{city}", city)
    word = rng.choice(ne["nouns"])
    noun = next(n for n in lexicon.nouns() if n.word == word)
    how = "Quante" if noun.plural_gender == "f" else "Quanti"
    ne_text = (
        rng.choice(ne["questions"])
        .replace("{how}", how)
        .replace("{noun}", noun.plural or noun.word)
        .replace("{number}", rng.choice(ne["numbers"]))
    )
    return [
        {
            "text": ci_text.replace("{often}", rng.choice(ci["often"])),
            "answer": "ci",
            "level": "A2",
            "topic": "travel",
        },  # fmt: skip
        {"text": ne_text, "answer": "ne", "level": "A2", "topic": "food"},
    ]


def ci_ne_item(rng: random.Random, topic: str, level: str) -> Item | None:
    """ci for a place or a + thing, ne for a quantity or di + thing."""
    built = [e for _ in range(_CI_NE_ROUNDS) for e in _ci_ne_entries(rng)]
    entry = pick(rng, [*points()["ci_ne"], *built], topic, level)
    if entry is None:
        return None
    answer = entry["answer"]
    other = "ne" if answer == "ci" else "ci"
    reason = (
        "ci replaces a place or a + something (a Roma, alla festa, a quella storia)"
        if answer == "ci"
        else "ne replaces a quantity (due, molti, un chilo) or di + something"
    )
    return Item(
        question=f"{entry['text']} (ci o ne)",
        answer=answer,
        explanation=f"{reason[:1].upper()}{reason[1:]}: {answer}.",
        kind="pronoun",
        word=answer,
        wrong_first=(other,),
        wrong_other=("lo", "gli"),
        tags={"point": "ci e ne"},
    )
