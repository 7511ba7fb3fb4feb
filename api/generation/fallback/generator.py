"""Offline exercises: fill-in-the-blank, multiple choice and translation from checked grammar data.

Every answer is computed by the grammar engines (``grammar.py``) from the data files, never
typed as free text, and multiple-choice distractors are real wrong forms of the same verb,
article, preposition or adjective, checked never to coincide with a right answer.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from typing import get_args

from api.generation.fallback import data
from api.generation.fallback.grammar import (
    PERSONS,
    Gender,
    Tense,
    Verb,
    adjective_form,
    articulated_preposition,
    auxiliary,
    conjugate,
    definite_article,
    indefinite_article,
    participle,
)
from inference_worker.contract import CEFR_LEVELS, Exercise, GenerateRequest

GrammarPoint = str
KNOWN_GRAMMAR_FOCUSES: tuple[GrammarPoint, ...] = (
    *get_args(Tense),
    "verbi_riflessivi",
    "articoli",
    "preposizioni_articolate",
    "aggettivi",
)
KNOWN_TOPICS: tuple[str, ...] = (
    "daily_routine",
    "food",
    "travel",
    "family",
    "work",
    "school",
    "city",
    "culture",
    "general",
)

_FOCUS_ALIASES: dict[GrammarPoint, tuple[str, ...]] = {
    "verbi_riflessivi": ("riflessiv", "reflexive"),
    "passato_prossimo": ("passato prossimo", "passato", "past", "perfect", "ausiliar", "auxiliar"),
    "imperfetto": ("imperfett", "imperfect"),
    "futuro": ("futur",),
    "condizionale": ("condizional", "conditional"),
    "congiuntivo": ("congiuntiv", "subjunctive"),
    "imperativo": ("imperativ",),
    "preposizioni_articolate": ("preposizion", "preposition"),
    "articoli": ("articol", "article"),
    "aggettivi": ("aggettiv", "adjective", "accordo", "agreement"),
    "presente": ("presente", "present", "verbi", "verbs", "coniugazion", "conjugation"),
}
_TOPIC_ALIASES: dict[str, tuple[str, ...]] = {
    "daily_routine": ("routine", "quotidian", "giornata", "daily", "everyday"),
    "food": ("cibo", "food", "cucin", "ristorant", "mangia", "cooking", "restaurant", "cena"),
    "travel": ("viagg", "travel", "vacanz", "holiday", "vacation", "trip", "turism"),
    "family": ("famiglia", "family", "parent", "genitori"),
    "work": ("lavor", "work", "ufficio", "office", "job", "business"),
    "school": ("scuola", "school", "universit", "studi", "class", "lezion"),
    "city": ("citta", "city", "town", "centro", "quartiere"),
    "culture": (
        "cultur",
        "arte",
        "art",
        "cinema",
        "musica",
        "music",
        "teatro",
        "theat",
        "film",
        "libri",
        "books",
    ),
}
_LEVEL_POINTS: dict[str, tuple[GrammarPoint, ...]] = {
    "A1": ("presente", "articoli", "aggettivi"),
    "A2": ("presente", "passato_prossimo", "articoli", "preposizioni_articolate", "aggettivi"),
    "B1": ("passato_prossimo", "imperfetto", "futuro", "imperativo", "preposizioni_articolate"),
    "B2": ("imperfetto", "futuro", "condizionale", "congiuntivo", "imperativo", "passato_prossimo"),
    "C1": ("congiuntivo", "condizionale", "futuro", "imperfetto", "passato_prossimo"),
    "C2": ("congiuntivo", "condizionale", "futuro", "imperfetto", "passato_prossimo"),
}

# (text, person 0..5, gender or None when the sentence does not tell)
_SUBJECTS: tuple[tuple[str, int, Gender | None], ...] = (
    ("io", 0, None),
    ("tu", 1, None),
    ("Marco", 2, "m"),
    ("Giulia", 2, "f"),
    ("mia sorella", 2, "f"),
    ("il professore", 2, "m"),
    ("noi", 3, None),
    ("voi", 4, None),
    ("Marco e Luca", 5, "m"),
    ("Giulia e Anna", 5, "f"),
    ("i miei genitori", 5, "m"),
)
_OPENERS: dict[str, tuple[str, ...]] = {
    "presente": ("Di solito", "Ogni giorno", "Spesso", "Il sabato"),
    "passato_prossimo": ("Ieri", "La settimana scorsa", "Sabato scorso", "Due giorni fa"),
    "imperfetto": (
        "Ogni estate",
        "Negli anni Novanta",
        "Ai tempi dell'università",
        "Quando abitavamo a Roma,",
    ),
    "futuro": ("Domani", "La settimana prossima", "L'anno prossimo", "Fra due giorni"),
    "condizionale": ("Con più tempo,", "Con più soldi,", "Con un po' di fortuna,"),
    "congiuntivo": ("Penso che", "Spero che", "È importante che", "Credo che", "Dubito che"),
}
_TENSE_NAMES = {
    "presente": "presente",
    "passato_prossimo": "passato prossimo",
    "imperfetto": "imperfetto",
    "futuro": "futuro semplice",
    "condizionale": "condizionale presente",
    "congiuntivo": "congiuntivo presente",
    "imperativo": "imperativo",
}
_ALL_DEFINITE = ("il", "lo", "l'", "la", "i", "gli", "le")
_ALL_INDEFINITE = ("un", "uno", "una", "un'")
MAX_DRAWS = 400


@dataclass
class _Item:
    """A grammar question with its answer, other right answers and wrong forms to choose from."""

    question: str
    answer: str
    explanation: str
    accepted: set[str] = field(default_factory=set)
    wrong: list[str] = field(default_factory=list)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def resolve_focus(grammar_focus: str) -> GrammarPoint | None:
    """The known grammar point a teacher's free text names, or None for a level-based mix."""
    folded = _fold(grammar_focus).replace("_", " ")
    for point, aliases in _FOCUS_ALIASES.items():
        if any(alias in folded for alias in aliases):
            return point
    return None


def resolve_topic(topic: str) -> str:
    """The known topic a teacher's free text names, or ``general``."""
    folded = _fold(topic).replace("_", " ")
    for name, aliases in _TOPIC_ALIASES.items():
        if any(alias in folded for alias in aliases):
            return name
    return "general"


def _pairs(topic: str) -> list[tuple[Verb, str, bool]]:
    pairs_by_topic: dict[str, list[list[object]]] = data.sentences()["pairs"]
    verbs = data.verbs()
    chosen = pairs_by_topic.get(topic) or [p for ps in pairs_by_topic.values() for p in ps]
    return [(verbs[str(v)], str(c), bool(i)) for v, c, i in chosen]


def _genders(gender: Gender | None) -> tuple[Gender, ...]:
    return ("m", "f") if gender is None else (gender,)


def _verb_item(
    rng: random.Random, tense: Tense, topic: str, *, reflexive_only: bool = False
) -> _Item:
    pairs = _pairs(topic)
    if reflexive_only:
        pairs = [p for p in pairs if p[0].reflexive] or [
            p for p in _pairs("daily_routine") if p[0].reflexive
        ]
    if tense == "imperativo":
        pairs = [p for p in pairs if p[2] and not p[0].reflexive] or [
            p for p in _pairs("general") if p[2] and not p[0].reflexive
        ]
        return _imperative_item(rng, pairs)
    verb, complement, _ = rng.choice(pairs)
    subjects = [s for s in _SUBJECTS if not (tense == "congiuntivo" and s[1] == 0)]
    subject, person, gender = rng.choice(subjects)
    opener = rng.choice(_OPENERS[tense])
    sentence = f"{opener} {subject} ___ ({verb.infinitive}) {complement}."
    sentence = sentence[0].upper() + sentence[1:]

    forms = list(dict.fromkeys(conjugate(verb, tense, person, g) for g in _genders(gender)))
    answer, accepted = forms[0], set(forms[1:])
    wrong = _verb_distractors(verb, tense, person, gender)
    return _Item(
        question=sentence,
        answer=answer,
        accepted=accepted,
        wrong=[w for w in wrong if w not in forms],
        explanation=_verb_explanation(verb, tense, person, gender, answer, opener),
    )


def _imperative_item(rng: random.Random, pairs: list[tuple[Verb, str, bool]]) -> _Item:
    verb, complement, _ = rng.choice(pairs)
    person = rng.choice((1, 1, 3, 4))
    vocative = {1: rng.choice(("Marco", "Giulia")), 3: "Dai", 4: "Ragazzi"}[person]
    if person == 1 and rng.random() < 0.25:
        question = f"{vocative}, non ___ ({verb.infinitive}) {complement}!"
        wrong = [conjugate(verb, "imperativo", 1), conjugate(verb, "presente", 1)]
        wrong += [conjugate(verb, "imperativo", 4)]
        return _Item(
            question=question,
            answer=verb.infinitive,
            wrong=[w for w in wrong if w != verb.infinitive],
            explanation=f"The negative imperative of tu is non + infinitive: non {verb.infinitive}.",
        )
    answer = conjugate(verb, "imperativo", person)
    accepted = set()
    if answer.endswith("'"):  # va', fa', da', sta' are also written vai, fai, dai, stai
        accepted.add(answer[:-1] + "i")
    wrong = [conjugate(verb, "imperativo", p) for p in (1, 3, 4) if p != person]
    wrong += [conjugate(verb, "presente", p) for p in (0, 2, 5)]
    wrong += [conjugate(verb, "futuro", person)]
    who = {1: "tu", 3: "noi", 4: "voi"}[person]
    return _Item(
        question=f"{vocative}, ___ ({verb.infinitive}) {complement}!",
        answer=answer,
        accepted=accepted,
        wrong=[w for w in wrong if w != answer and w not in accepted],
        explanation=f"Imperativo, {who} form of {verb.infinitive}: {answer}"
        + (f" (also written {sorted(accepted)[0]})" if accepted else "")
        + ".",
    )


def _verb_distractors(verb: Verb, tense: Tense, person: int, gender: Gender | None) -> list[str]:
    g: Gender = gender or "m"
    wrong: list[str] = []
    if tense == "passato_prossimo":
        part = participle(verb)
        pronoun = f"{('mi', 'ti', 'si', 'ci', 'vi', 'si')[person]} " if verb.reflexive else ""
        if auxiliary(verb) == "essere":
            wrong.append(
                pronoun + f"{('ho', 'hai', 'ha', 'abbiamo', 'avete', 'hanno')[person]} {part}"
            )
            if gender is not None:
                other: Gender = "f" if g == "m" else "m"
                wrong.append(conjugate(verb, tense, person, other))
            wrong.append(conjugate(verb, tense, person, g).rsplit(" ", 1)[0] + " " + part)
        else:
            essere = ("sono", "sei", "è", "siamo", "siete", "sono")[person]
            wrong.append(f"{essere} {part[:-1]}{'o' if person < 3 else 'i'}")
        wrong.append(conjugate(verb, "presente", person, g))
        wrong += [conjugate(verb, tense, p, g) for p in range(6) if p != person]
    else:
        others: list[Tense] = ["presente", "imperfetto", "futuro", "condizionale", "congiuntivo"]
        wrong += [conjugate(verb, t, person, g) for t in others if t != tense]
        wrong += [conjugate(verb, tense, p, g) for p in range(6) if p != person]
    return list(dict.fromkeys(wrong))


def _verb_explanation(
    verb: Verb, tense: Tense, person: int, gender: Gender | None, answer: str, opener: str
) -> str:
    who = PERSONS[person]
    name = _TENSE_NAMES[tense]
    if tense == "passato_prossimo":
        aux = auxiliary(verb)
        text = f"Passato prossimo = {aux} in the presente + past participle ({participle(verb)})."
        if verb.reflexive:
            text += " Reflexive verbs always take essere, so the participle agrees with the subject"
        elif aux == "essere":
            text += f" '{verb.infinitive}' takes essere, so the participle agrees with the subject"
        else:
            text += f" '{verb.infinitive}' takes avere: the participle does not change"
        if aux == "essere" and gender is None:
            feminine = conjugate(verb, tense, person, "f")
            text += f": {who} → {answer} (or {feminine} for a woman or women)."
        elif aux == "essere":
            text += f": {answer}."
        else:
            text += f": {who} → {answer}."
        return text
    irregular = tense in verb.irregular or (
        tense in ("futuro", "condizionale") and verb.future_stem is not None
    )
    kind = "irregular" if irregular else ("-isc-" if verb.isc else f"regular -{verb.base[-3:]}")
    reason = {
        "presente": "",
        "imperfetto": " The imperfetto describes habits and repeated actions in the past.",
        "futuro": " The futuro semplice tells what will happen.",
        "condizionale": " The condizionale expresses what would happen under a condition.",
        "congiuntivo": f" '{opener}' introduces an opinion, hope or doubt, which takes the congiuntivo.",
    }.get(tense, "")
    return f"{name.capitalize()} of '{verb.infinitive}' ({kind} verb): {who} → {answer}.{reason}"


def _nouns() -> list[tuple[str, Gender, str]]:
    return [(str(n), g, str(p)) for n, g, p in data.sentences()["nouns"]]


def _article_rule(word: str, gender: Gender) -> str:
    lower = word.lower()
    if lower[0] in "aeiou":
        return f"'{word}' begins with a vowel"
    for prefix in ("gn", "ps", "pn", "z", "x", "y"):
        if lower.startswith(prefix):
            return f"'{word}' begins with {prefix}"
    if lower.startswith("s") and lower[1] not in "aeiou":
        return f"'{word}' begins with s + consonant"
    return f"'{word}' is {'masculine' if gender == 'm' else 'feminine'} and begins with a consonant"


def _article_item(rng: random.Random) -> _Item:
    noun, gender, plural_form = rng.choice(_nouns())
    kinds = ["definite", "indefinite"] + (["plural"] if plural_form != noun else [])
    kind = rng.choice(kinds)
    pool: tuple[str, ...]
    if kind == "indefinite":
        answer = indefinite_article(noun, gender)
        word, pool, label = noun, _ALL_INDEFINITE, "indeterminativo"
    else:
        plural = kind == "plural"
        word = plural_form if plural else noun
        answer = definite_article(word, gender, plural)
        pool, label = _ALL_DEFINITE, "determinativo"
    number = "plural" if kind == "plural" else "singular"
    sex = "masculine" if gender == "m" else "feminine"
    return _Item(
        question=f"Completa con l'articolo {label}: ___ {word}",
        answer=answer,
        wrong=[a for a in pool if a != answer],
        explanation=f"{_article_rule(word, gender)} ({sex} {number}), so the article is {answer}: "
        f"{answer}{'' if answer.endswith(chr(39)) else ' '}{word}.",
    )


def _preposition_item(rng: random.Random) -> _Item:
    before, preposition, noun, gender, plural, after = rng.choice(data.sentences()["prepositions"])
    article = definite_article(noun, gender, plural)
    answer = articulated_preposition(preposition, article)
    options = {articulated_preposition(preposition, a) for a in _ALL_DEFINITE}
    gap = "" if answer.endswith("'") else " "
    return _Item(
        question=f"{before} ___ ({preposition}){' '}{noun}{after}",
        answer=answer,
        wrong=sorted(options - {answer}),
        explanation=f"'{noun}' takes the article {article}; {preposition} + {article} = {answer}: "
        f"{answer}{gap}{noun}.",
    )


def _adjective_item(rng: random.Random, *, for_choice: bool) -> _Item:
    subjects = data.sentences()["adjective_subjects"]
    # Only pairs where the adjective changes: "Il film è ___ (nuovo)" teaches nothing.
    pairs = [
        (subject, adjective)
        for subject in subjects
        for adjective in subject[3]
        if adjective_form(adjective, subject[1], subject[2]) != adjective
        and (not for_choice or adjective.endswith("o"))
    ]
    (text, gender, plural, _), adjective = rng.choice(pairs)
    answer = adjective_form(adjective, gender, plural)
    forms = {adjective_form(adjective, g, p) for g in ("m", "f") for p in (False, True)}
    sex = "masculine" if gender == "m" else "feminine"
    number = "plural" if plural else "singular"
    return _Item(
        question=f"{text} ___ ({adjective}).",
        answer=answer,
        wrong=sorted(forms - {answer}),
        explanation=f"The adjective agrees with the subject, {sex} {number}: {adjective} → {answer}.",
    )


def _grammar_item(
    point: GrammarPoint, topic: str, rng: random.Random, *, for_choice: bool
) -> _Item:
    if point == "articoli":
        return _article_item(rng)
    if point == "preposizioni_articolate":
        return _preposition_item(rng)
    if point == "aggettivi":
        return _adjective_item(rng, for_choice=for_choice)
    if point == "verbi_riflessivi":
        tense: Tense = rng.choice(("presente", "passato_prossimo"))
        return _verb_item(rng, tense, topic, reflexive_only=True)
    return _verb_item(rng, point, topic)  # type: ignore[arg-type]


def _translation(rng: random.Random, level: str, topic: str) -> tuple[str, str, list[str], str]:
    rank = CEFR_LEVELS.index(level)
    pairs = [p for p in data.translations() if CEFR_LEVELS.index(p[1]) <= rank]
    on_topic = [p for p in pairs if p[0] == topic]
    pool = on_topic if on_topic and rng.random() < 0.75 else pairs
    _, _, italian, english, italian_alternatives, english_alternatives = rng.choice(pool)
    if rng.random() < 0.5:
        others = list(italian_alternatives)
        note = "Also correct: " + "; ".join(others) if others else "A natural Italian rendering."
        return f'Traduci in italiano: "{english}"', italian, others, note
    others = list(english_alternatives)
    note = "Also correct: " + "; ".join(others) if others else "A natural English rendering."
    return f'Traduci in inglese: "{italian}"', english, others, note


def _to_exercise(item: _Item, kind: str, rng: random.Random) -> Exercise | None:
    if kind == "fill_in_blank":
        return Exercise(
            type="fill_in_blank",
            question=item.question,
            correct_answer=item.answer,
            explanation=item.explanation,
            accepted_answers=sorted(item.accepted) or None,
        )
    right = {_fold(item.answer)} | {_fold(a) for a in item.accepted}
    wrong = list(dict.fromkeys(w for w in item.wrong if _fold(w) not in right))
    if len(wrong) < 3:
        return None
    options = [item.answer, *rng.sample(wrong, 3)]
    rng.shuffle(options)
    return Exercise(
        type="multiple_choice",
        question=item.question,
        correct_answer=item.answer,
        options=options,
        explanation=item.explanation,
    )


def generate_exercises(request: GenerateRequest, *, seed: int) -> list[Exercise]:
    """Exactly ``request.quantity`` exercises of the requested types, reproducible per seed."""
    rng = random.Random(f"{seed}:{request.cefr_level}:{request.grammar_focus}:{request.topic}")
    focus = resolve_focus(request.grammar_focus)
    topic = resolve_topic(request.topic)
    points = (focus,) if focus else _LEVEL_POINTS[request.cefr_level]
    types = list(request.exercise_types)
    rng.shuffle(types)

    exercises: list[Exercise] = []
    seen: set[str] = set()
    draws = 0
    while len(exercises) < request.quantity and draws < MAX_DRAWS:
        draws += 1
        kind = types[len(exercises) % len(types)]
        exercise: Exercise | None
        if kind == "translation":
            question, answer, others, note = _translation(rng, request.cefr_level, topic)
            exercise = Exercise(
                type="translation",
                question=question,
                correct_answer=answer,
                explanation=note,
                accepted_answers=others or None,
            )
        else:
            item = _grammar_item(
                rng.choice(points), topic, rng, for_choice=kind == "multiple_choice"
            )
            exercise = _to_exercise(item, kind, rng)
        if exercise is None or exercise.question in seen:
            continue
        seen.add(exercise.question)
        exercises.append(exercise)
    if len(exercises) < request.quantity:
        # A tiny bank for this combination (e.g. 20 translations at A1): widen to every point.
        widened = request.model_copy(update={"grammar_focus": "general", "topic": "general"})
        if widened != request:
            extra = generate_exercises(widened, seed=seed + 1)
            for exercise in extra:
                if exercise.question not in seen and len(exercises) < request.quantity:
                    seen.add(exercise.question)
                    exercises.append(exercise)
    return exercises
