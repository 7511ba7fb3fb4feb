"""Translation pairs for simple prepositions, plurals, direct and indirect pronouns, ci and ne,
and comparatives, built from the same checked frames as their fill-in items, with the English of
``translation_frames`` in points.json. Every rendering a teacher accepts is listed: the other
times of day (tutti i giorni), Lo chiamo beside Gli telefono, the digits, with or without the
article (Bread? / The bread?), non è alto come beside è meno alto di."""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

from api.generation.offline import lexicon
from api.generation.offline.conjugation import Gender
from api.generation.offline.morphology import (
    articulated_preposition,
    definite_article,
    with_article,
)
from api.generation.offline.points._data import points
from api.generation.offline.points.comparatives import _second_term
from api.generation.offline.points.nouns import plural_bank
from api.generation.offline.points.prepositions import articulated_frames
from api.generation.offline.points.pronouns import DIRECT, INDIRECT

_SINGULAR_IN_S = frozenset({"news", "series", "bus"})


def _frames() -> dict[str, Any]:
    frames: dict[str, Any] = points()["translation_frames"]
    return frames


def _options(text: str) -> list[str]:
    return text.split("|")


# -- simple prepositions ---------------------------------------------------------------------------


def _prepositions() -> list[lexicon.TranslationPair]:
    frames = _frames()
    focus = "preposizioni semplici"
    pairs = []
    places = [("a", p, e) for p, e in frames["cities"].items()]
    places += [("in", p, e) for p, e in frames["regions"].items()]
    for frame in frames["place_frames"]:
        for preposition, place, english in places:
            it = [t.replace("{p}", f"{preposition} {place}") for t in frame["it"]]
            en = [t.replace("{P}", e) for t in frame["en"] for e in _options(english)]
            pairs.append(lexicon.TranslationPair.of(focus, frame["level"], it, en))
    for frame in frames["vehicle_frames"]:
        for vehicle, english in frames["vehicles"].items():
            en = [
                text.replace("{V}", e)
                for text in (frame["en"], frame["en"].replace("I go ", "I am going "))
                for e in _options(english)
            ]
            pairs.append(
                lexicon.TranslationPair.of(focus, "A1", [frame["it"].replace("{v}", vehicle)], en)
            )
    for (city, english_city), (vehicle, english) in itertools.product(
        frames["cities"].items(), frames["far_vehicles"].items()
    ):
        it = [f"Vado a {city} in {vehicle}."]
        en = [
            f"I {go} to {c} by {e}."
            for go in ("go", "am going")
            for c in _options(english_city)
            for e in _options(english)
        ]
        pairs.append(lexicon.TranslationPair.of(focus, "A1", it, en))
    names = frames["relation_names"]
    for (name, gender), (relation, english) in itertools.product(
        names, frames["relations"].items()
    ):
        if relation.startswith(("la ", "le ")) != (gender == "f"):
            continue
        for other, _ in names:
            if other == name:
                continue
            it = [f"{name} è {relation} di {other}."]
            en = [f"{name} is {other}'s {e}." for e in _options(english)]
            en += [f"{name} is the {e} of {other}." for e in _options(english)]
            pairs.append(lexicon.TranslationPair.of(focus, "A1", it, en))
    for clause in frames["since"]:
        for (number, english_number), (unit, english_unit) in itertools.product(
            frames["since_numbers"].items(), frames["since_units"].items()
        ):
            it = [f"{c} da {number} {unit}." for c in clause["it"]]
            en = [f"{c} for {english_number} {english_unit}." for c in clause["en"]]
            pairs.append(lexicon.TranslationPair.of(focus, "A2", it, en))
    return pairs


# -- plurals -----------------------------------------------------------------------------------------


def _plurals() -> list[lexicon.TranslationPair]:
    frames = _frames()
    english = frames["plural_english"]
    kinds = {row["word"]: row["kind"] for row in points()["plural_nouns"]}
    pairs = []
    for noun in plural_bank():
        frame = frames["plural_frames"].get(kinds[noun.word])
        if frame is None or noun.word not in english or not noun.plural:
            continue
        for number, (word, digit) in frames["numbers"].items():
            it = [frame["it"].replace("{n}", n).replace("{w}", noun.plural) for n in (number, digit)]  # fmt: skip
            en = [
                text.replace("{N}", n).replace("{W}", w)
                for text in frame["en"]
                for w in _options(english[noun.word])
                for n in (word, digit)
            ]
            pairs.append(lexicon.TranslationPair.of("plurale dei nomi", "A1", it, en))
            for level, by_kind in frames["plural_frames_by_level"].items():
                if level.startswith("_") or kinds[noun.word] not in by_kind:
                    continue
                framed = by_kind[kinds[noun.word]]
                it = [t.replace("{n}", n).replace("{w}", noun.plural) for t in framed["it"] for n in (number, digit)]  # fmt: skip
                en = [
                    text.replace("{N}", n).replace("{W}", w)
                    for text in framed["en"]
                    for w in _options(english[noun.word])
                    for n in (word, digit)
                ]
                pairs.append(lexicon.TranslationPair.of("plurale dei nomi", level, it, en))
    return pairs


# -- direct and indirect pronouns --------------------------------------------------------------------


def _english_plural(english: str) -> bool:
    last = english.split()[-1].lower()
    return last.endswith("s") and last not in _SINGULAR_IN_S


def _object_renderings(phrase: str, english: str, person: bool) -> list[str]:
    """The English of an object at the head of a sentence: Bread? / The bread?"""
    if person:
        return [lexicon.capitalised(e) for e in _options(english)]
    return [f"The {e}" for e in _options(english)] + [
        lexicon.capitalised(e) for e in _options(english)
    ]


def _participle(part: str, gender: str, plural: bool) -> str:
    ending = {("m", False): "o", ("f", False): "a", ("m", True): "i", ("f", True): "e"}
    return part[:-1] + ending[(gender, plural)]


def _with_past(pronoun: str) -> str:
    """lo and la elide before ho (L'ho visto), li and le do not (Li ho visti)."""
    return "L'ho" if pronoun in ("lo", "la") else f"{lexicon.capitalised(pronoun)} ho"


def _direct() -> list[lexicon.TranslationPair]:
    frames = _frames()
    objects = points()["pronoun_objects"]
    times, past_times = frames["times"], frames["past_times"]
    pairs = []
    for verb in frames["direct"]:
        group_objects = [o for g in verb["groups"] for o in objects[g]]
        for phrase, gender, plural, english in group_objects:
            person = verb["groups"] == ["people"]
            renderings = [e for e in _options(english) if person or _english_plural(e) == plural]
            if not renderings:  # spaghetti, homework: the English number differs
                continue
            if person:
                english_pronoun = "them" if plural else {"m": "him", "f": "her"}[gender]
            else:
                english_pronoun = "them" if plural else "it"
            heads = _object_renderings(phrase, "|".join(renderings), person)
            # The same English may name another object of the verb (glasses: bicchieri, occhiali).
            same = [
                o for o in group_objects if set(_options(o[3])) & set(renderings) and o[0] != phrase
            ]
            italian_objects = [(phrase, gender, plural), *((o[0], o[1], o[2]) for o in same)]
            for key in verb["times"]:
                it = [
                    f"{lexicon.capitalised(obj)}? {lexicon.capitalised(DIRECT[(g, p)])} {verb['io']} {when}."
                    for obj, g, p in italian_objects
                    for when in times[key]["it"]
                ]
                if verb["io"] == "chiamo":
                    it += [
                        f"{lexicon.capitalised(phrase)}? {lexicon.capitalised(INDIRECT[(gender, plural)])} telefono {when}."
                        for when in times[key]["it"]
                    ]
                en = [
                    f"{head}? I {v} {english_pronoun} {when}."
                    for head in heads
                    for v in _options(verb["en"])
                    for when in times[key]["en"]
                ]
                pairs.append(lexicon.TranslationPair.of("pronomi diretti", "A2", it, en))
            for when in past_times.values():
                it = [
                    f"{lexicon.capitalised(obj)}? {_with_past(DIRECT[(g, p)])} {_participle(verb['part'], g, p)} {w}."  # fmt: skip
                    for obj, g, p in italian_objects
                    for w in when["it"]
                ]
                if verb["io"] == "chiamo":
                    it += [
                        f"{lexicon.capitalised(phrase)}? {lexicon.capitalised(INDIRECT[(gender, plural)])} ho telefonato {w}."
                        for w in when["it"]
                    ]
                en = [
                    f"{head}? I {v} {english_pronoun} {w}."
                    for head in heads
                    for v in _options(verb["past"])
                    for w in when["en"]
                ]
                pairs.append(lexicon.TranslationPair.of("pronomi diretti", "B1", it, en))
    return pairs


def _indirect() -> list[lexicon.TranslationPair]:
    frames = _frames()
    times = frames["times"]
    pairs = []
    for who, gender, plural, subject, object_, *english_who in frames["indirect_people"]:
        heads = _options(english_who[0]) if english_who else [who]
        pronoun = INDIRECT[(gender, plural)]
        stressed = "loro" if plural else {"m": "lui", "f": "lei"}[gender]
        for thing, many, english in frames["likes"]:
            verb = "piacciono" if many else "piace"
            it = [
                f"{who}? {lexicon.capitalised(pronoun)} {verb} {thing}.",
                f"{who}? A {stressed} {verb} {thing}.",
                f"{who}? {lexicon.capitalised(thing)} {pronoun} {verb}.",
            ]
            like = "like" if plural else "likes"
            en = [
                f"{h}? {lexicon.capitalised(subject)} {like} {e}."
                for h in heads
                for e in _options(english)
            ]
            pairs.append(lexicon.TranslationPair.of("pronomi indiretti", "A2", it, en))
        direct = DIRECT[(gender, plural)]
        for key in ("ogni sera", "ogni settimana"):
            it = [f"{who}? {lexicon.capitalised(pronoun)} telefono {w}." for w in times[key]["it"]]
            it += [f"{who}? {lexicon.capitalised(direct)} chiamo {w}." for w in times[key]["it"]]
            en = [
                f"{h}? I {v} {object_} {w}."
                for h in heads
                for v in ("phone", "call", "ring")
                for w in times[key]["en"]
            ]
            pairs.append(lexicon.TranslationPair.of("pronomi indiretti", "A2", it, en))
        for key in ("ogni settimana", "ogni mese"):
            it = [f"{who}? {lexicon.capitalised(pronoun)} scrivo {w}." for w in times[key]["it"]]
            en = [
                f"{h}? I write {to}{object_} {w}."
                for h in heads
                for to in ("to ", "")
                for w in times[key]["en"]
            ]
            pairs.append(lexicon.TranslationPair.of("pronomi indiretti", "A2", it, en))
    return pairs


# -- ci and ne ---------------------------------------------------------------------------------------


def _ci_ne() -> list[lexicon.TranslationPair]:
    frames = _frames()
    pairs = []
    for city, english in frames["cities"].items():
        for often in frames["ci_often"].values():
            it = [f"{city}? Ci vado {w}." for w in often["it"]]
            en = [f"{c}? {e}." for c in _options(english) for e in often["en"]]
            pairs.append(lexicon.TranslationPair.of("ci e ne", "A2", it, en))
        for number, english_number in frames["since_numbers"].items():
            it = [f"{city}? Ci {v} da {number} anni." for v in ("abito", "vivo")]
            en = [
                f"{c}? I have {v} there for {english_number} years."
                for c in _options(english)
                for v in ("lived", "been living")
            ]
            pairs.append(lexicon.TranslationPair.of("ci e ne", "A2", it, en))
    people = {"fratelli", "sorelle", "figli", "gatti"}
    for noun, (gender, english) in frames["ne_nouns"].items():
        article = "Le" if gender == "f" else ("Gli" if noun[0] in "aeiou" else "I")
        heads_it = [lexicon.capitalised(noun), f"{article} {noun}"]
        heads_en = [lexicon.capitalised(e) for e in _options(english)] + [
            f"The {e}" for e in _options(english)
        ]
        for number, renderings in frames["ne_numbers"].items():
            numbers_it = [number, renderings[1]]
            it = [f"{h}? Ne ho {n}." for h in heads_it for n in numbers_it]
            en = [
                f"{h}? I have {got}{n}{tail}."
                for h in heads_en
                for got in ("", "got ")
                for n in renderings
                for tail in ("", " of them")
            ]
            pairs.append(lexicon.TranslationPair.of("ci e ne", "A2", it, en))
            if noun in people:
                continue
            it = [f"{h}? Ne vorrei {n}, per favore." for h in heads_it for n in numbers_it]
            en = [f"{h}? I would like {n}, please." for h in heads_en for n in renderings]
            pairs.append(lexicon.TranslationPair.of("ci e ne", "A2", it, en))
    return pairs


# -- comparatives ------------------------------------------------------------------------------------


def _comparatives() -> list[lexicon.TranslationPair]:
    frames = _frames()
    adjectives = lexicon.adjectives()
    pairs = []
    names = frames["comparative_names"]
    for (name, gender), (other, _) in itertools.permutations(names, 2):
        for adjective, english in frames["comparative_adjectives"].items():
            more, plain = _options(english)
            form = adjectives[adjective].form(gender, False)
            it = [f"{name} è più {form} di {other}."]
            pairs.append(
                lexicon.TranslationPair.of(
                    "comparativi", "A2", it, [f"{name} is {more} than {other}."]
                )
            )
            it = [f"{name} è meno {form} di {other}."]
            it += [
                f"{name} non è {so}{form} {as_} {other}."
                for so, as_ in (
                    ("", "come"),
                    ("", "quanto"),
                    ("così ", "come"),
                    ("tanto ", "quanto"),
                )  # fmt: skip
            ]
            en = [f"{name} is not as {plain} as {other}.", f"{name} is less {plain} than {other}."]
            pairs.append(lexicon.TranslationPair.of("comparativi", "A2", it, en))
    english_of = frames["chain_english"]
    for chain in points()["comparative_chains"]:
        items = [(p, g) for p, g in chain["items"] if p in english_of]
        for i, (big, big_gender) in enumerate(items):
            for small, small_gender in items[i + 1 :]:
                # The bigger is più grande, the smaller più piccolo: both ways round.
                for one, one_gender, forms, two, two_gender in (
                    (big, big_gender, chain["more"], small, small_gender),
                    (small, small_gender, chain["less"], big, big_gender),
                ):
                    adjective_en = frames["chain_adjectives"].get(forms[0])
                    if adjective_en is not None:
                        pairs.append(
                            _chain_pair(one, one_gender, forms, two, two_gender, adjective_en)
                        )
    return pairs


def _chain_pair(
    one: str, one_gender: str, forms: list[str], two: str, two_gender: str, adjective_en: str
) -> lexicon.TranslationPair:
    english_of = _frames()["chain_english"]
    link, rest = _second_term(two, two_gender)
    form = forms[0 if one_gender == "m" else 1]
    it = [f"{lexicon.capitalised(one)} è più {form} {link} {rest}.".replace("' ", "'")]
    if forms[0] == "breve":  # of time, corto is as right as breve
        it.append(it[0].replace(f" {form} ", " corto " if one_gender == "m" else " corta "))
    en = []
    for adjective in _options(adjective_en):
        for first in _options(english_of[one]):
            for second in _options(english_of[two]):
                if first.startswith(("a ", "an ")):
                    en.append(f"{lexicon.capitalised(first)} is {adjective} than {second}.")
                    continue
                en.append(f"The {first} is {adjective} than the {second}.")
                a_first = f"an {first}" if first[0] in "aeiou" else f"a {first}"
                a_second = f"an {second}" if second[0] in "aeiou" else f"a {second}"
                en.append(f"{lexicon.capitalised(a_first)} is {adjective} than {a_second}.")
    return lexicon.TranslationPair.of("comparativi", "A2", it, en)


# -- articulated prepositions ------------------------------------------------------------------------


def _possessive(english: str, plural: bool) -> str:
    """the students' / the boy's / the children's."""
    return f"{english}'" if plural and english.endswith("s") else f"{english}'s"


def _fused(preposition: str, word: str, gender: Gender, plural: bool) -> str:
    article = definite_article(word, gender, plural)
    return with_article(articulated_preposition(preposition, article), word)


def _articulated() -> list[lexicon.TranslationPair]:
    """Vado al cinema, Le chiavi sono nella borsa (or in borsa), Il gatto dorme sul divano,
    Questa è la bicicletta dei vicini: the frames of the articulated bank with their English."""
    bank = points()["articulated_bank"]
    places = set(points()["translation_places"])  # Vado al museo: already a pair
    pairs = []
    for kind in ("place", "people", "container", "surface", "owner"):
        nouns = bank["people" if kind == "people" else f"{kind}s"]
        for frame in articulated_frames(kind):
            for word, _, plural, english in nouns:
                if word in frame.get("skip", ()) or (frame["it"] == "Vado ___ {n}." and word in places):  # fmt: skip
                    continue
                texts = [frame["it"], *frame.get("alt", ())]
                # Another noun of the frame with the same English is as right (desk: scrivania,
                # banco), and so is the usual phrase without article (in borsa, a teatro).
                same = [n for n in nouns if set(_options(n[3])) & set(_options(english))]
                it = [
                    t.replace("___ {n}", _fused(frame["p"], *n[:3]))
                    for n in sorted(same, key=lambda n: n[0] != word)
                    if n[0] not in frame.get("skip", ())
                    for t in texts
                ]
                if frame["p"] == "in" and word in bank["bare_in"]:
                    it += [t.replace("___ {n}", f"in {word}") for t in texts]
                if frame["p"] == "a" and word in bank["bare_a"] and "davanti" not in frame["it"]:
                    it += [t.replace("___ {n}", bank["bare_a"][word]) for t in texts]
                renderings = _options(english)
                if kind == "owner":
                    renderings = [_possessive(e, plural) for e in renderings]
                    en = [
                        t.replace("{E}'s", e).replace(
                            "the {E}", f"the {e[:-2] if e.endswith(chr(39) + 's') else e[:-1]}"
                        )
                        for t in frame["en"]
                        for e in renderings
                    ]
                else:
                    en = [t.replace("{E}", e) for t in frame["en"] for e in renderings]
                pairs.append(
                    lexicon.TranslationPair.of("preposizioni articolate", frame["level"], it, en)
                )
    return pairs


@cache
def translation_pairs() -> tuple[lexicon.TranslationPair, ...]:
    """The pairs of the points whose translations are built here, none with the Italian of
    another pair (a homework would otherwise give one's answer in the other's question)."""
    taken = {pair.italian for pair in lexicon.translation_pairs()}
    pairs = []
    for pair in (
        *_prepositions(),
        *_plurals(),
        *_direct(),
        *_indirect(),
        *_ci_ne(),
        *_comparatives(),
        *_articulated(),
    ):
        if pair.italian not in taken:
            taken.add(pair.italian)
            pairs.append(pair)
    return tuple(pairs)
