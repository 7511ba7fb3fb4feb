"""Every translation item of a homework practises the focus asked, at every level: in range or
not (comparativi at A1 are translated with comparatives, never with general A1 sentences).

The check reads the Italian sentence itself, not a label: a verb focus needs a form of its tense
from the conjugation engine (any verb, any person), a point one of its words (an articulated
preposition, a possessive, a clitic before a verb, più or meno...)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources

import pytest

from api.generation.offline import FOCUSES, generate_exercises, lexicon
from api.generation.offline.conjugation import (
    FULL_IMPERATIVE_PERSONS,
    Auxiliary,
    Gender,
    TenseName,
    every_form,
    forms,
    verb_from_entry,
)
from api.generation.offline.morphology import articulated_preposition
from api.generation.offline.points.nouns import plural_bank
from api.generation.offline.registry import translation_pairs
from api.generation.offline.tenses import verbs
from inference_worker.contract import CEFR_LEVELS, Exercise, GenerateRequest

SEEDS = range(6)
_TENSE_OF: dict[str, TenseName] = {
    "presente": "presente",
    "passato prossimo": "passato_prossimo",
    "imperfetto": "imperfetto",
    "trapassato prossimo": "trapassato_prossimo",
    "passato remoto": "passato_remoto",
    "futuro semplice": "futuro",
    "futuro anteriore": "futuro_anteriore",
    "condizionale presente": "condizionale",
    "condizionale passato": "condizionale_passato",
    "congiuntivo presente": "congiuntivo",
    "congiuntivo passato": "congiuntivo_passato",
    "congiuntivo imperfetto": "congiuntivo_imperfetto",
    "congiuntivo trapassato": "congiuntivo_trapassato",
    "imperativo": "imperativo",
    "imperativo negativo": "imperativo_negativo",
    "stare + gerundio": "stare_gerundio",
}


_GENDERS: tuple[Gender, ...] = ("m", "f")
_AUXILIARIES: tuple[Auxiliary, ...] = ("avere", "essere")


def words(text: str) -> list[str]:
    """Lower-case words; an elided word keeps its apostrophe (l'ho → l', ho)."""
    text = text.casefold().replace("’", "'")
    return re.sub(r"[^\w' ]", " ", text).replace("'", "' ").split()


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(words(text))


def _contains(sentence: str, phrases: frozenset[tuple[str, ...]]) -> bool:
    tokens = words(sentence)
    return any(
        tuple(tokens[i : i + n]) in phrases for n in range(1, 5) for i in range(len(tokens) - n + 1)
    )


@cache
def tense_forms(tense: TenseName) -> frozenset[tuple[str, ...]]:
    """Every form of a tense, for every verb, person, gender and auxiliary."""
    result: set[tuple[str, ...]] = set()
    for verb in verbs().values():
        if tense.startswith("imperativo"):
            if verb.reflexive:
                continue
            for person in FULL_IMPERATIVE_PERSONS:
                for form in forms(verb, tense, person):
                    result.add(_phrase(f"non {form}" if tense == "imperativo_negativo" else form))
                    if tense == "imperativo":  # a plain imperativo mixes in prohibitions
                        for negative in forms(verb, "imperativo_negativo", person):
                            result.add(_phrase(f"non {negative}"))
            continue
        for person in range(6):
            for gender in _GENDERS:
                for auxiliary in _AUXILIARIES:
                    for form in forms(verb, tense, person, gender, auxiliary=auxiliary):
                        result.add(_phrase(form))
    return frozenset(result)


# Regular verbs of the bank's historical sentences that the verb table lacks (Giulio Cesare
# attraversò il Rubicone), conjugated by the engine.
_HISTORY_VERBS = ("attraversare", "osservare", "votare", "esplorare", "ospitare")


@cache
def _history_remoto() -> frozenset[tuple[str, ...]]:
    """The passato remoto of the historical works (scolpì, dipinse, progettò) and of the bank's
    regular verbs the table lacks."""
    path = resources.files("api.generation.offline").joinpath("data", "translations.json")
    history = json.loads(path.read_text(encoding="utf-8"))
    result = {
        _phrase(form) for work in history["history"]["works"] for form in work["remoto"].split("|")
    }
    for infinitive in _HISTORY_VERBS:
        verb = verb_from_entry({"infinitive": infinitive, "english": ""})
        result.update(_phrase(f) for p in range(6) for f in forms(verb, "passato_remoto", p))
    return frozenset(result)


@cache
def reflexive_forms() -> frozenset[tuple[str, ...]]:
    return frozenset(
        _phrase(form)
        for verb in verbs().values()
        if verb.reflexive
        for form in every_form(verb)
        if form != verb.infinitive
    )


@cache
def verb_words() -> frozenset[str]:
    """Every one-word form of every verb (the word after a clitic)."""
    return frozenset(
        word for verb in verbs().values() for form in every_form(verb) for word in words(form)
    )


def _clitic_before_verb(clitics: Iterable[str]) -> Callable[[str], bool]:
    """A clitic before a verb form (Le compro, L'ho vista, Ci vado, Ne ho tre) or after an
    infinitive (comprarle, andarci)."""
    wanted = frozenset(clitics)
    enclitic = re.compile(rf"^(\w+)r({'|'.join(c.rstrip(chr(39)) for c in wanted)})$")

    def check(sentence: str) -> bool:
        tokens = words(sentence)
        for word, following in zip(tokens, [*tokens[1:], ""], strict=True):
            if word in wanted and following in verb_words():
                return True
            match = enclitic.match(word)
            if match and f"{match.group(1)}re" in verb_words():
                return True
        return False

    return check


def _any_word(*found: str) -> Callable[[str], bool]:
    wanted = frozenset(found)
    return lambda sentence: any(w in wanted for w in words(sentence))


def _any_phrase(phrases: frozenset[tuple[str, ...]]) -> Callable[[str], bool]:
    return lambda sentence: _contains(sentence, phrases)


_ARTICLES = ("il", "lo", "l'", "la", "i", "gli", "le")


@cache
def _plural_nouns() -> frozenset[str]:
    nouns = (*lexicon.nouns(), *plural_bank())
    return frozenset(w for n in nouns if n.plural for w in words(n.plural))


@cache
def _adjective_forms() -> frozenset[str]:
    return frozenset(
        w
        for a in lexicon.adjectives().values()
        for form in (a.ms, a.fs, a.mp, a.fp)
        for w in words(form)
    )


def _point_marker(focus: str) -> Callable[[str], bool]:
    if focus == "articoli determinativi":
        return _any_word(*_ARTICLES)
    if focus == "articoli indeterminativi":
        return _any_word("un", "uno", "una", "un'")
    if focus == "articoli partitivi":
        return _any_word("del", "dello", "dell'", "della", "dei", "degli", "delle")
    if focus == "preposizioni semplici":
        return _any_word("di", "d'", "a", "ad", "da", "in", "con", "su", "per", "tra", "fra")
    if focus == "preposizioni articolate":
        return _any_word(
            *(
                articulated_preposition(p, a)
                for p in ("di", "a", "da", "in", "su")
                for a in _ARTICLES
            )
        )
    if focus == "plurale dei nomi":
        return lambda sentence: any(w in _plural_nouns() for w in words(sentence))
    if focus == "aggettivi possessivi":
        return _any_word(
            *(f"{stem}{end}" for stem in ("mi", "tu", "su") for end in ("o", "a", "oi", "e")),
            *(f"{stem}{end}" for stem in ("nostr", "vostr") for end in "oaie"),
            "loro",
        )
    if focus == "accordo degli aggettivi":
        return lambda sentence: any(w in _adjective_forms() for w in words(sentence))
    if focus == "pronomi diretti":
        return _clitic_before_verb(("lo", "la", "li", "le", "l'", "mi", "ti", "ci", "vi"))
    if focus == "pronomi indiretti":
        return _clitic_before_verb(("gli", "le", "mi", "ti", "ci", "vi"))
    if focus == "ci e ne":
        return _clitic_before_verb(("ci", "ce", "ne", "n'", "c'"))
    if focus == "comparativi":
        return _any_word(
            "più", "meno", "come", "quanto", "migliore", "migliori", "peggiore", "peggiori",
            "maggiore", "maggiori", "minore", "minori", "meglio", "peggio",
        )  # fmt: skip
    if focus == "passato prossimo e imperfetto":
        return _any_phrase(tense_forms("passato_prossimo") | tense_forms("imperfetto"))
    raise KeyError(focus)


@cache
def marker(focus: str) -> Callable[[str], bool]:
    """Whether an Italian sentence practises ``focus``."""
    if focus == "passato remoto":  # history also has verbs the table lacks (scolpì, dipinse)
        return _any_phrase(tense_forms("passato_remoto") | _history_remoto())
    if focus in _TENSE_OF:
        return _any_phrase(tense_forms(_TENSE_OF[focus]))
    if focus == "verbi riflessivi":
        return _any_phrase(reflexive_forms())
    parts = FOCUSES[focus].parts
    if parts:
        checks = [marker(part) for part in parts]
        return lambda sentence: any(check(sentence) for check in checks)
    return _point_marker(focus)


def italian_of(exercise: Exercise) -> str:
    """The Italian sentence of a translation, whichever the direction."""
    question = exercise.question
    if question.startswith("Traduci in italiano:"):
        return exercise.correct_answer
    assert question.startswith("Traduci in inglese: «"), question
    return question.split("«", 1)[1].rstrip("»")


def translations(focus: str, level: str, seed: int, quantity: int = 10) -> list[Exercise]:
    request = GenerateRequest(
        cefr_level=level,
        grammar_focus=focus,
        topic="general",
        quantity=quantity,
        exercise_types=["translation"],
    )
    return generate_exercises(request, seed=seed)


@pytest.mark.parametrize("level", CEFR_LEVELS)
@pytest.mark.parametrize("focus", list(FOCUSES))
def test_every_translation_practises_the_focus(focus: str, level: str) -> None:
    check = marker(focus)
    wanted = {focus, *FOCUSES[focus].parts}
    for seed in SEEDS:
        for exercise in translations(focus, level, seed):
            italian = italian_of(exercise)
            assert check(italian), (focus, level, seed, exercise.question)
            # Where the words of a point are common (il, di), the pair it came from says more.
            if FOCUSES[focus].kind != "verb":
                assert _pair_focuses().get(italian, set()) & wanted, (focus, level, italian)


@cache
def _pair_focuses() -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for pair in translation_pairs():
        result.setdefault(pair.italian, set()).add(pair.focus)
    return result


@pytest.mark.parametrize(
    ("focus", "sentence"),
    [
        ("comparativi", "Domani Giulia va al bar."),
        ("passato remoto", "Domani Davide va dal veterinario."),
        ("pronomi diretti", "Vado a Milano in treno."),
        ("ci e ne", "La zucchina è fresca."),
        ("articoli partitivi", "Cerco un museo."),
        ("pronomi", "Il museo è aperto."),
    ],
)
def test_the_check_refuses_a_general_sentence(focus: str, sentence: str) -> None:
    """The off-focus sentences that A1 homework once translated fail the check."""
    assert not marker(focus)(sentence)


@pytest.mark.parametrize("focus", list(FOCUSES))
def test_a1_and_c2_never_translate_the_same_sentence(focus: str) -> None:
    """Below its levels a focus borrows the easier half of its lowest level, which C1–C2 reach
    last: an A1 and a C2 homework never share a sentence, in either direction."""

    def sentences(level: str) -> set[str]:
        return {italian_of(e) for seed in range(12) for e in translations(focus, level, seed, 12)}

    assert not sentences("A1") & sentences("C2")
