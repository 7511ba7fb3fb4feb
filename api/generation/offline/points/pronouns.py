"""Direct and indirect object pronouns, and ci and ne, in short exchanges."""

from __future__ import annotations

import random
from functools import cache
from typing import Any

from api.generation.offline import lexicon
from api.generation.offline.builders import Item
from api.generation.offline.conjugation import Gender
from api.generation.offline.morphology import (
    articulated_preposition,
    definite_article,
    with_article,
)
from api.generation.offline.points._data import band, first_of_each, pick, points

DIRECT: dict[tuple[str, bool], str] = {("m", False): "lo", ("f", False): "la", ("m", True): "li", ("f", True): "le"}  # fmt: skip
INDIRECT: dict[tuple[str, bool], str] = {("m", False): "gli", ("f", False): "le", ("m", True): "gli", ("f", True): "gli"}  # fmt: skip
PERSON_PRONOUNS: tuple[str, ...] = ("mi", "ti", "ci", "vi")
_GENDER_WORD = {"m": "masculine", "f": "feminine"}


# Who asks (mi: me, ci: us), with which form of the verb, and the pronoun of the reply.
_ASKERS: tuple[tuple[str, str, str, str], ...] = (
    ("Mi", "tu", "io", "ti"),
    ("Ci", "tu", "io", "vi"),
    ("Mi", "voi", "noi", "ti"),
    ("Ci", "voi", "noi", "vi"),
)


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


@cache
def _person_entries(kind: str) -> tuple[dict[str, Any], ...]:
    """The written exchanges with mi, ti, ci, vi, and those built from ``person_verbs``: the
    reply turns the question's person round (Mi chiami? → Sì, ti chiamo)."""
    data = points()
    entries = [e for e in data["person_pronouns"] if e["kind"] == kind]
    for verb in (v for v in data["person_verbs"] if v["kind"] == kind):
        for asker, asked, replying, answer in _ASKERS:
            for ask in verb["asks"]:
                for reply in verb["replies"]:
                    again = ask if verb.get("repeat") else ""
                    text = _join(
                        f"— {asker} {verb[asked]}",
                        f"{ask}? — Sì, ___ {verb[replying]}",
                        again,
                        reply,
                    ).replace(" ?", "?")
                    entries.append(
                        {
                            "text": f"{text}.",
                            "answer": answer,
                            "level": "A2",
                            "topic": "general",
                            "variety": f"{verb['io']}|{ask}",
                        }
                    )
    if kind == "indirect":  # Ti piace? → Sì, mi piace; Vi piace? → Sì, ci piace
        liking = data["piacere"]
        for who, answer in (("Ti", "mi"), ("Vi", "ci")):
            for thing, plural in liking["things"]:
                verb = "piacciono" if plural else "piace"
                for how in liking["yes"]:
                    entries.append(
                        {
                            "text": f"— {who} {verb} {thing}? — Sì, ___ {verb} {how}.",
                            "answer": answer,
                            "level": "A2",
                            "topic": "general",
                            "variety": f"piacere|{thing}",
                        }
                    )
    return first_of_each(entries)


def _person_item(rng: random.Random, kind: str, topic: str, level: str, point: str) -> Item | None:
    entry = pick(rng, _person_entries(kind), topic, level)
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
        tags={"point": point, "variety": entry.get("variety", entry["text"])},
    )


def _object_entry(
    text: str, obj: str, gender: str, plural: bool, level: str, topic: str, variety: str
) -> dict[str, Any]:
    return {
        "text": text,
        "answer": DIRECT[(gender, plural)],
        "object": obj,
        "gender": gender,
        "plural": plural,
        "level": level,
        "topic": topic,
        "variety": variety,
    }


@cache
def _direct_entries() -> tuple[dict[str, Any], ...]:
    """Every exchange with lo, la, li, le: the written frames with each of their objects, and
    the verbs of ``direct_verbs`` with each object of their groups (Compri il pane? Sì, lo
    compro oggi / No, non lo compro più / Chi compra il pane? Oggi lo compro io)."""
    data = points()
    entries: list[dict[str, Any]] = []
    things = set(data["everyday_things"])
    everyday = []
    for noun in (n for n in lexicon.nouns() if n.word in things and n.plural != n.word):
        for plural in (False, True):
            word = (noun.plural or noun.word) if plural else noun.word
            gender = noun.plural_gender if plural else noun.gender
            everyday.append((with_article(definite_article(word, gender, plural), word), gender, plural))  # fmt: skip
    for frame in data["direct_object_frames"]:
        objects = everyday if frame["objects"] == "everyday_things" else frame["objects"]
        for obj, gender, plural in objects:
            question = frame["question"].replace("{object}", obj)
            verb = frame["reply"].split("___ ")[1].split()[0]
            entries.append(
                _object_entry(
                    f"— {question} — {frame['reply']}",
                    obj,
                    gender,
                    plural,
                    frame["level"],
                    frame["topic"],
                    f"{verb}|{obj}",
                )
            )
    groups = data["pronoun_objects"]
    for verb in data["direct_verbs"]:
        for group in verb["groups"]:
            for obj, gender, plural, _ in groups[group]:
                tu = verb["tu"][:1].upper() + verb["tu"][1:]
                texts = [f"— {tu} {obj}? — Sì, ___ {verb['io']} {when}." for when in verb["yes"]]
                texts += [f"— {tu} {obj}? — No, non ___ {verb['io']} {when}." for when in verb["no"]]  # fmt: skip
                texts += [f"— Chi {verb['lui']} {obj}? — {lead} ___ {verb['io']} io." for lead in verb["who"]]  # fmt: skip
                for text in texts:
                    entries.append(
                        _object_entry(
                            text,
                            obj,
                            gender,
                            plural,
                            verb["level"],
                            verb["topic"],
                            f"{verb['io']}|{obj}",
                        )
                    )
    # B1: li and le before a past participle that agrees with them (Le ho viste).
    past = data["direct_past"]
    for verb in (v for v in data["direct_verbs"] if v["io"] in past["verbs"]):
        for group in verb["groups"]:
            for obj, gender, plural, _ in groups[group]:
                if not plural:  # lo and la elide before ho (l'ho): no slot of their own
                    continue
                agreeing = verb["part"][:-1] + ("i" if gender == "m" else "e")
                asked = f"— Hai {verb['part']} {obj}?"
                texts = [f"{asked} — Sì, ___ ho {agreeing} {when}." for when in past["yes"]]
                texts += [f"{asked} — No, non ___ ho {word} {agreeing}." for word in past["no"]]
                for text in texts:
                    entry = _object_entry(
                        text, obj, gender, plural, "B1", verb["topic"], f"{verb['io']}|{obj}"
                    )
                    entries.append(entry | {"agreement": agreeing})
                # B2: the same agreement in the trapassato (Le avevo già comprate il giorno prima).
                asked = f"— Avevi già {verb['part']} {obj}?"
                texts = [
                    f"{asked} — Sì, ___ avevo già {agreeing} {when}." for when in past["before"]
                ]
                texts.append(f"{asked} — No, non ___ avevo mai {agreeing} prima.")
                for text in texts:
                    entry = _object_entry(
                        text, obj, gender, plural, "B2", verb["topic"], f"{verb['io']}|{obj}"
                    )
                    entries.append(entry | {"agreement_before": agreeing})
    return tuple(entries)


def direct_item(rng: random.Random, topic: str, level: str) -> Item | None:
    """lo, la, li, le (and mi, ti, ci, vi) for a direct object already named."""
    if rng.random() < 0.2:
        return _person_item(rng, "direct", topic, level, "pronomi diretti")
    entry = pick(rng, _direct_entries(), topic, level)
    if entry is None:
        return _person_item(rng, "direct", topic, level, "pronomi diretti")
    obj, gender, plural = entry["object"], entry["gender"], entry["plural"]
    answer = entry["answer"]
    number = "plural" if plural else "singular"
    wrong = [p for p in DIRECT.values() if p != answer]
    first = [p for (g, n), p in DIRECT.items() if p != answer and (g == gender or n == plural)]
    return Item(
        question=f"{entry['text']} (pronome diretto)",
        answer=answer,
        explanation=(
            f"'{obj}' is the direct object, {_GENDER_WORD[gender]} {number}: it becomes "
            f"{answer}, before the verb."
            + (
                f" With avere, the past participle agrees with {answer} before it: "
                f"{answer} ho {entry['agreement']}."
                if "agreement" in entry
                else ""
            )
            + (
                f" In the trapassato too the participle agrees with {answer} before it: "
                f"{answer} avevo {entry['agreement_before']}."
                if "agreement_before" in entry
                else ""
            )
        ),
        kind="pronoun",
        word=obj,
        wrong_first=tuple(first),
        wrong_other=(*(p for p in wrong if p not in first), "gli"),
        tags={"point": "pronomi diretti", "variety": entry["variety"]},
    )


@cache
def _indirect_entries() -> tuple[tuple[dict[str, Any], ...], tuple[dict[str, Any], ...]]:
    """The exchanges with gli and le: the templates with each person (and gift), and piacere
    with each person and thing (A Marco piace il calcio? Sì, gli piace molto)."""
    data = points()
    templates: list[dict[str, Any]] = []
    for template in data["indirect_templates"]:
        gifts = data["gifts"] if "{gift}" in template["text"] else [""]
        for who, of, gender, plural in data["indirect_people"]:
            for gift in gifts:
                text = (
                    template["text"]
                    .replace("{who}", who)
                    .replace("{of}", of)
                    .replace("{gift}", gift)
                    .replace("{sta}", "stanno" if plural else "sta")
                    .replace("{parte}", "partono" if plural else "parte")
                )
                templates.append(
                    {
                        "text": text[:1].upper() + text[1:],
                        "who": who,
                        "gender": gender,
                        "plural": plural,
                        "level": template["level"],
                        "topic": template["topic"],
                        "variety": f"{template['text']}|{who}",
                    }
                )
    liking = data["piacere"]
    likes: list[dict[str, Any]] = []
    for who, gender, plural in liking["people"]:
        person = who.split(" ", 1)[1]
        for thing, many in liking["things"]:
            verb = "piacciono" if many else "piace"
            replies = [f"Sì, ___ {verb} {how}" for how in liking["yes"]]
            replies += [f"No, non ___ {verb} {how}" for how in liking["no"]]
            for reply in replies:
                likes.append(
                    {
                        "text": f"— {who[:1].upper()}{who[1:]} {verb} {thing}? — {reply}.",
                        "who": person,
                        "gender": gender,
                        "plural": plural,
                        "level": "A2",
                        "topic": "general",
                        "variety": f"piacere|{thing}",
                    }
                )
    return tuple(templates), tuple(likes)


def indirect_item(rng: random.Random, topic: str, level: str) -> Item | None:
    """gli, le (and mi, ti, ci, vi) for the person something is given or said to."""
    if rng.random() < 0.25:
        return _person_item(rng, "indirect", topic, level, "pronomi indiretti")
    templates, likes = _indirect_entries()
    # The liking exchanges (A Marco piace il calcio?) are A2: C1–C2 get the written templates.
    liking = rng.random() >= 0.4 and band(level) < 2
    entry = pick(rng, likes if liking else templates, topic, level)
    if entry is None:
        entry = pick(rng, [*templates, *likes], topic, level)
    if entry is None:
        return _person_item(rng, "indirect", topic, level, "pronomi indiretti")
    who, plural = entry["who"], entry["plural"]
    g: Gender = entry["gender"]
    answer = INDIRECT[(g, plural)]
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
        question=f"{entry['text']} (pronome indiretto)",
        answer=answer,
        explanation=f"The person is the indirect object (a + person). {reason}",
        kind="pronoun",
        word=who,
        wrong_first=tuple(
            dict.fromkeys(p for p in (direct, "le" if answer == "gli" else "gli") if p != answer)
        ),
        wrong_other=tuple(wrong),
        tags={"point": "pronomi indiretti", "variety": entry["variety"]},
    )


@cache
def _ci_ne_entries() -> tuple[dict[str, Any], ...]:
    """The written exchanges, and those built from the frames: ci for a city or a place
    (Vai spesso a Roma? Sì, ci vado ogni mese), ne for a quantity (Quante mele compri? Oggi ne
    compro due)."""
    data = points()
    ci, ne = data["ci_frames"], data["ne_frames"]
    entries: list[dict[str, Any]] = list(data["ci_ne"])

    def add(text: str, answer: str, topic: str, variety: str, level: str = "A2") -> None:
        entries.append(
            {"text": text, "answer": answer, "level": level, "topic": topic, "variety": variety}
        )

    fills = {
        "{often}": ci["often"],
        "{travel}": ci["travel"],
        "{past}": ci["past"],
        "{when}": ci["when"],
        "{company}": ci["company"],
    }
    for city in data["places"]["cities"]:
        for question in ci["questions"]:
            slot = next(key for key in fills if key in question)
            for fill in fills[slot]:
                text = question.replace("{city}", city).replace(slot, fill)
                add(text, "ci", "travel", f"{question.split('?')[0]}|{city}")
        # B1 a conditional (ci andrei volentieri), C1 a past one (ci sarei andato).
        for level, questions in ci["by_level"].items():
            for question in questions:
                for when in ci["when"] if "{when}" in question else [""]:
                    text = question.replace("{city}", city).replace("{when}", when)
                    add(text, "ci", "travel", f"{question.split('?')[0]}|{city}", level)
    local = ci["local"]
    local_fills = {
        "{often}": local["often"],
        "{when}": local["when"],
        "{company}": local["company"],
        "{how}": local["how"],
    }
    for place in local["places"]:
        for question in local["questions"]:
            slot = next(key for key in local_fills if key in question)
            for fill in local_fills[slot]:
                text = question.replace("{place}", place).replace(slot, fill)
                add(text, "ci", "city", f"{question.split('?')[0]}|{place}")
    for noun, gender in ne["nouns"]:
        how = "Quante" if gender == "f" else "Quanti"
        some = articulated_preposition("di", definite_article(noun, gender, True))
        for question in ne["questions"]:
            if ("frigo" in question and noun not in ne["fridge"]) or (
                "mangi" in question and noun not in ne["food"]
            ):
                continue
            for number in ne["numbers"]:
                text = (
                    question.replace("{how}", how)
                    .replace("{some}", some)
                    .replace("{noun}", noun)
                    .replace("{number}", number)
                )
                add(text, "ne", "food", f"{question.split('?')[0]}|{noun}")
        # B2: the participle after ne agrees with what is counted (Ne ho comprate tre); C1
        # the same in a hypothesis (Se avessi avuto più soldi, ne avrei comprate dieci).
        ending = "e" if gender == "f" else "i"
        for asked, stem, lead, hypothesis in ne["agreeing"]["verbs"]:
            if "mangiat" in stem and noun not in ne["food"]:
                continue
            for number in ne["numbers"]:
                text = f"— {how} {noun} {asked}? — {lead} ___ ho {stem}{ending} {number}."
                add(text, "ne", "food", f"{asked}|{noun}", "B2")
                if hypothesis:
                    text = f"— {how} {noun} {asked}? — {hypothesis} ___ avrei {stem}{ending} {number}."  # fmt: skip
                    add(text, "ne", "food", f"{asked}|{noun}", "C1")
    return first_of_each(entries)


def ci_ne_item(rng: random.Random, topic: str, level: str) -> Item | None:
    """ci for a place or a + thing, ne for a quantity or di + thing."""
    entry = pick(rng, _ci_ne_entries(), topic, level)
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
        tags={"point": "ci e ne", "variety": entry.get("variety", entry["text"])},
    )
