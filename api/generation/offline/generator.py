"""Assemble one homework: the requested number of exercises, of the requested types, without
repeats, reproducible for a (request, seed) pair."""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator
from functools import cache, lru_cache

from api.generation.offline import lexicon, registry
from api.generation.offline import matching as m
from api.generation.offline.builders import (
    Item,
    every_indefinite_article_item,
    normalise_answer,
)
from inference_worker.contract import (
    CEFR_LEVELS,
    MULTIPLE_CHOICE_OPTIONS,
    Exercise,
    ExerciseType,
    GenerateRequest,
)

_ATTEMPTS = 60  # random draws per exercise before widening the topic, then the level
_TRANSLATION_FOCUS_NOTES: dict[str, str] = {
    m.PRESENTE: "The presente describes habits and what is true now.",
    m.PASSATO_PROSSIMO: "The passato prossimo (avere or essere + participle) tells a finished action; with essere the participle agrees with the subject.",
    m.IMPERFETTO: "The imperfetto describes past habits and states (English 'used to').",
    m.PASSATO_REMOTO: "The passato remoto tells the events of history and of written stories; the passato prossimo is right too, and is what much of Italy says.",
    m.FUTURO: "The futuro semplice says what will happen.",
    m.CONDIZIONALE: "The condizionale presente expresses wishes, polite requests and hypotheses (English 'would').",
    m.CONGIUNTIVO: "The congiuntivo follows verbs and expressions of opinion, wish and doubt, and conjunctions such as benché and prima che.",
    m.IMPERATIVO: "The imperativo gives orders and advice; the negative tu form is non + infinitive.",
    m.RIFLESSIVI: "Reflexive verbs need the pronouns mi, ti, si, ci, vi, si, and take essere in the passato prossimo.",
    m.ARTICOLI: "Italian articles agree with the noun and change with its first letters (il/lo/l', i/gli).",
    m.PREPOSIZIONI: "Di, a, da, in, su fuse with the article that follows (nel, sullo, alla...).",
    m.AGGETTIVI: "Adjectives agree in gender and number with the noun.",
}

# Contractions the grader should accept either way in English answers, matched whatever the
# case of their first letter ("We are" / "We're", "it is" / "it's").
_CONTRACTIONS: tuple[tuple[str, str], ...] = (
    ("I am", "I'm"),
    ("you are", "you're"),
    ("we are", "we're"),
    ("they are", "they're"),
    ("he is", "he's"),
    ("she is", "she's"),
    ("it is", "it's"),
    ("that is", "that's"),
    ("there is", "there's"),
    ("what is", "what's"),
    ("do not", "don't"),
    ("does not", "doesn't"),
    ("did not", "didn't"),
    ("is not", "isn't"),
    ("are not", "aren't"),
    ("was not", "wasn't"),
    ("were not", "weren't"),
    ("have not", "haven't"),
    ("has not", "hasn't"),
    ("cannot", "can't"),
    ("could not", "couldn't"),
    ("would not", "wouldn't"),
    ("will not", "won't"),
    ("I would", "I'd"),
    ("you would", "you'd"),
    ("we would", "we'd"),
    ("they would", "they'd"),
    ("I will", "I'll"),
    ("you will", "you'll"),
    ("we will", "we'll"),
    ("they will", "they'll"),
    ("let us", "let's"),
    ("where is", "where's"),
    ("here is", "here's"),
)
# "have" contracts only as an auxiliary ("I've finished", "we've got"), not as "possess".
_HAVE_CONTRACTIONS: tuple[tuple[str, str], ...] = (
    ("I have", "I've"),
    ("you have", "you've"),
    ("we have", "we've"),
    ("they have", "they've"),
)
_AUXILIARY_NEXT = (
    r"(?=\s+(?:got|been|had|made|done|seen|written|left|gone|slept|eaten|bought|\w+ed)\b)"
)

# Number words a pupil may write as digits, where they count or tell the time.
_ENGLISH_NUMBERS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20"}  # fmt: skip
_ITALIAN_NUMBERS = {"una": "1", "due": "2", "tre": "3", "quattro": "4", "cinque": "5", "sei": "6", "sette": "7", "otto": "8", "nove": "9", "dieci": "10", "undici": "11", "dodici": "12", "venti": "20"}  # fmt: skip
_ENGLISH_NUMBER = re.compile(
    rf"\b(?:(?P<lead>at|platform|page|number) )?(?P<number>{'|'.join(_ENGLISH_NUMBERS)})\b"
    r"(?P<tail> (?:hours|years|minutes|days|o'clock)\b)?"
)
_ITALIAN_NUMBER = re.compile(
    rf"\b(?:(?P<lead>alle|binario|pagina|numero) )?(?P<number>{'|'.join(_ITALIAN_NUMBERS)})\b"
    r"(?P<tail> (?:ore|anni|minuti|giorni)\b)?"
)


def _swap(text: str, pattern: str, replacement: str, after: str = "") -> str:
    """Replace a phrase whatever the case of its first letter, keeping that case."""

    def keep_case(match: re.Match[str]) -> str:
        found = match.group(0)
        return replacement[:1].upper() + replacement[1:] if found[:1].isupper() else replacement

    first = pattern[:1]
    # "I" is always a capital; other first letters may be either case.
    head = (
        "I"
        if pattern.startswith("I ") or pattern.startswith("I'")
        else f"[{first.lower()}{first.upper()}]"
    )
    return re.sub(rf"\b{head}{re.escape(pattern[1:])}\b{after}", keep_case, text)


def _english_variants(sentence: str) -> list[str]:
    expanded = contracted = sentence
    for full, short in _CONTRACTIONS:
        expanded = _swap(expanded, short, full)
        contracted = _swap(contracted, full, short)
    for full, short in _HAVE_CONTRACTIONS:
        expanded = _swap(expanded, short, full)
        contracted = _swap(contracted, full, short, _AUXILIARY_NEXT)
    variants = [expanded, contracted]
    return variants + [_digits(v, _ENGLISH_NUMBER, _ENGLISH_NUMBERS) for v in variants]


def _digits(sentence: str, pattern: re.Pattern[str], numbers: dict[str, str]) -> str:
    """Number words as digits where they tell the time or count ("at 7", "alle 7", "20 anni")."""

    def replace(match: re.Match[str]) -> str:
        lead, tail = match.group("lead"), match.group("tail")
        if not lead and not tail:  # "sei" may be "you are", "one" a pronoun: leave them
            return match.group(0)
        number = numbers[match.group("number")]
        return f"{lead + ' ' if lead else ''}{number}{tail or ''}"

    return pattern.sub(replace, sentence)


_ITALIAN_PRONOUN = re.compile(r"^(Io|Tu|Noi|Voi) (\w)")


def _italian_variants(sentence: str) -> list[str]:
    variants = [_digits(sentence, _ITALIAN_NUMBER, _ITALIAN_NUMBERS)]
    match = _ITALIAN_PRONOUN.match(sentence)
    if match:
        rest = sentence[match.end(1) + 1 :]
        variants.append(rest[:1].upper() + rest[1:])
    return variants


def _unique(answer: str, candidates: list[str]) -> list[str] | None:
    seen = {normalise_answer(answer)}
    result = []
    for candidate in candidates:
        key = normalise_answer(candidate)
        if key not in seen:
            seen.add(key)
            result.append(candidate)
    return result or None


@cache
def pair_exercises(pair: lexicon.TranslationPair) -> tuple[Exercise, Exercise]:
    """A translation pair as two exercises, into Italian and into English, with every accepted
    rendering: the listed ones, without the subject pronoun, with digits, with or without
    contractions."""
    note = _TRANSLATION_FOCUS_NOTES.get(pair.focus, "")
    to_italian = Exercise(
        type="translation",
        question=f"Traduci in italiano: «{pair.english}»",
        correct_answer=pair.italian,
        explanation=f"{pair.italian} {note}".strip(),
        accepted_answers=_unique(
            pair.italian,
            [
                variant
                for text in (pair.italian, *pair.italian_alternatives)
                for variant in (text, *_italian_variants(text))
            ],
        ),
    )
    to_english = Exercise(
        type="translation",
        question=f"Traduci in inglese: «{pair.italian}»",
        correct_answer=pair.english,
        explanation=f"{pair.english} {note}".strip(),
        accepted_answers=_unique(
            pair.english,
            [
                variant
                for text in (pair.english, *pair.english_alternatives)
                for variant in (text, *_english_variants(text))
            ],
        ),
    )
    return to_italian, to_english


@cache
def _easier_half(focus: str) -> tuple[int, frozenset[int]]:
    """The lowest level of a focus's translation pairs and, when it is above A1, the easier
    (shorter) half of its pairs at that level, by number: what a homework below that level
    borrows, and what a C1–C2 homework leaves for last, so that the two never share a sentence."""
    wanted = {focus, *registry.FOCUSES[focus].parts}
    pairs = [(n, p) for n, p in enumerate(registry.translation_pairs()) if p.focus in wanted]
    if not pairs:
        return 0, frozenset()
    lowest = min(CEFR_LEVELS.index(p.level) for _, p in pairs)
    if lowest == 0:
        return 0, frozenset()
    at_lowest = sorted(
        (len(p.italian.split()), n) for n, p in pairs if CEFR_LEVELS.index(p.level) == lowest
    )
    return lowest, frozenset(n for _, n in at_lowest[: len(at_lowest) // 2])


@lru_cache(maxsize=512)
def _translation_ranks(level: str, focus: str, topic: str) -> tuple[tuple[int, ...], ...]:
    """The numbers of the translation pairs a homework may use, best-fitting first: the focus
    (every pair of it before any other), level and topic, then anything easier; one group per
    score, in the bank's order.

    A homework below the levels of a focus's pairs (comparativi at A1, the passato remoto at
    A2) takes the focus's pairs from the nearest level that has them, the easier half first,
    as its fill-in items take the easiest sentences: it practises the focus asked rather than
    general sentences of its level. A C1–C2 homework reaches that easier half last. Sentences
    of another focus come only when the focus has none left, and never from above the level."""
    rank = CEFR_LEVELS.index(level)
    wanted = {focus, *registry.FOCUSES[focus].parts} if focus != m.GENERAL else set()
    lowest, easier = _easier_half(focus) if focus != m.GENERAL else (0, frozenset())
    bank = len(lexicon.translation_pairs())
    groups: dict[tuple[int, int, int, float], list[int]] = {}
    for number, pair in enumerate(registry.translation_pairs()):
        pair_rank = CEFR_LEVELS.index(pair.level)
        on_focus = focus != m.GENERAL and pair.focus in wanted
        above = pair_rank - rank
        if above > 0 and not on_focus:
            continue
        score: float = 0
        if topic != "general" and pair.topic != topic:
            score += 2
        # The level and the one below first, then two or three below, then the rest: a C2
        # homework reaches the A1 sentences, which an A1 homework draws, only when it has
        # used every harder one.
        distance = rank - pair_rank
        if above <= 0:
            score += 0 if distance <= 1 else (0.5 if distance <= 3 else 1)
        if focus == m.GENERAL and number >= bank:
            score += 1  # a general homework translates the bank's sentences first
        later = 0
        if on_focus and pair_rank == lowest and easier:
            if rank < lowest:
                later = int(number not in easier)
            elif rank >= CEFR_LEVELS.index("C1"):
                later = int(number in easier)
        off_focus = int(focus != m.GENERAL and not on_focus)
        groups.setdefault((off_focus, max(above, 0), later, score), []).append(number)
    return tuple(tuple(groups[key]) for key in sorted(groups))


def _translation_exercises(
    request: GenerateRequest, focus: str, topic: str, rng: random.Random
) -> Iterator[Exercise]:
    """Translation exercises, best-fitting first: topic, focus and level, then anything easier,
    in a random order within each group.

    A sentence is used in one direction only, since the other would give its answer away.
    """
    pairs = registry.translation_pairs()
    groups = [list(group) for group in _translation_ranks(request.cefr_level, focus, topic)]
    for numbers in groups:
        rng.shuffle(numbers)
    if focus == m.GENERAL:
        # The bank's sentences (every tense) alternate with those built from the points' frames,
        # each best-fitting first, so the pupils of one assignment do not all translate the same
        # few bank sentences.
        bank = len(lexicon.translation_pairs())
        ranked = [n for numbers in groups for n in numbers]
        written = [n for n in ranked if n < bank]
        built = [n for n in ranked if n >= bank]
        groups = [[n for pair in itertools.zip_longest(written, built) for n in pair if n is not None]]  # fmt: skip
    for numbers in groups:
        for number in numbers:
            to_italian, to_english = pair_exercises(pairs[number])
            exercise = to_italian if rng.random() < 0.5 else to_english
            # A copy: the cached exercise is shared by every homework of the process.
            yield exercise.model_copy(deep=True)


def _to_exercise(item: Item, kind: ExerciseType, rng: random.Random) -> Exercise | None:
    if kind in ("translation", "fill_in_blank"):
        # A translation is built from a checked frame too: every accepted answer is right.
        return Exercise(
            type=kind,
            question=item.question,
            correct_answer=item.answer,
            explanation=item.explanation,
            accepted_answers=list(item.accepted) or None,
        )
    right = item.right
    taken: set[str] = set()

    def usable(forms: tuple[str, ...]) -> list[str]:
        result = []
        for form in forms:
            key = normalise_answer(form)
            if key not in right and key not in taken:
                taken.add(key)
                result.append(form)
        return result

    first = usable(item.wrong_first)[:2]
    rest = usable(item.wrong_other) + usable(item.wrong_first)
    needed = MULTIPLE_CHOICE_OPTIONS - 1 - len(first)
    if len(rest) < needed:
        return None
    options = [item.answer, *first, *rng.sample(rest, needed)]
    rng.shuffle(options)
    return Exercise(
        type="multiple_choice",
        question=item.question,
        correct_answer=item.answer,
        options=options,
        explanation=item.explanation,
    )


def _plan_types(request: GenerateRequest, rng: random.Random) -> list[ExerciseType]:
    types = list(request.exercise_types)
    plan = [types[i % len(types)] for i in range(request.quantity)]
    rng.shuffle(plan)
    return plan


def _question_key(question: str) -> str:
    return normalise_answer(question)


def generate_exercises(request: GenerateRequest, *, seed: int) -> list[Exercise]:
    """Exactly ``request.quantity`` correct exercises of the requested types, reproducible per seed."""
    resolution = registry.resolve(
        grammar_focus=request.grammar_focus,
        topic=request.topic,
        level=request.cefr_level,
        exercise_types=request.exercise_types,
    )
    focus = resolution.focus
    topic = m.TOPIC_KEYS[resolution.topic]
    rng = random.Random(
        f"{seed}|{request.cefr_level}|{focus}|{topic}|{request.quantity}|"
        f"{','.join(request.exercise_types)}"
    )
    mix = registry.general_mix(request.cefr_level)
    focuses = mix if focus == m.GENERAL else (focus,)
    seen: set[str] = set()
    variety: set[str] = set()  # verb and complement of the items so far: none twice
    translations = _translation_exercises(request, focus, topic, rng)
    # A tense is translated in sentences built from its own checked frames, in that tense.
    framed = focus != m.GENERAL and registry.FOCUSES[focus].kind == "verb"
    exercises: list[Exercise] = []
    for index, kind in enumerate(_plan_types(request, rng)):
        exercise = None
        if kind == "translation" and framed:
            exercise = _grammar_exercise(
                kind, focuses, focuses, topic, request.cefr_level, index, seen, rng, variety
            )
        if kind == "translation" and exercise is None:
            exercise = next(
                (e for e in translations if _question_key(e.question) not in seen), None
            )
        elif kind != "translation":
            exercise = _grammar_exercise(
                kind, focuses, mix, topic, request.cefr_level, index, seen, rng, variety
            )
        if exercise is None:
            exercise = _last_resort(kind, seen, rng)
        seen.add(_question_key(exercise.question))
        exercises.append(exercise)
    return exercises


def _grammar_exercise(
    kind: ExerciseType,
    focuses: tuple[str, ...],
    mix: tuple[str, ...],
    topic: str,
    level: str,
    index: int,
    seen: set[str],
    rng: random.Random,
    variety: set[str],
) -> Exercise | None:
    # Rotate through the focuses so a mixed homework covers each grammar point; widen the topic,
    # then the level (the nearest first, so an A1 homework never jumps to C2 sentences), and
    # only then the grammar point, when the narrow choice has run out of fresh sentences.
    stages = [
        (focuses, topic, level),
        (focuses, "general", level),
        *((focuses, "general", other) for other in _nearest_levels(level)),
        (mix, "general", level),
    ]
    for stage_focuses, stage_topic, stage_level in stages:
        for attempt in range(_ATTEMPTS):
            focus = registry.FOCUSES[stage_focuses[(index + attempt) % len(stage_focuses)]]
            item = focus.build(rng, stage_topic, stage_level, kind)
            if item is None or _question_key(item.question) in seen:
                continue
            pair = item.tags.get("variety")
            if pair is not None and pair in variety:
                continue  # the same verb with the same complement is in the homework already
            exercise = _to_exercise(item, kind, rng)
            if exercise is not None:
                if pair is not None:
                    variety.add(pair)
                return exercise
    return None


@cache
def _nearest_levels(level: str) -> tuple[str, ...]:
    """The other levels, nearest first, the one above before the one below."""
    rank = CEFR_LEVELS.index(level)
    others = [lv for lv in CEFR_LEVELS if lv != level]
    return tuple(sorted(others, key=lambda lv: (abs(CEFR_LEVELS.index(lv) - rank), CEFR_LEVELS.index(lv) < rank)))  # fmt: skip


def _last_resort(kind: ExerciseType, seen: set[str], rng: random.Random) -> Exercise:
    """Walk the whole article list (75 nouns, each fit for every grammar type)."""
    if kind == "translation":
        for pair in lexicon.translation_pairs():
            question = f"Traduci in italiano: «{pair.english}»"
            if _question_key(question) not in seen:
                return Exercise(
                    type="translation",
                    question=question,
                    correct_answer=pair.italian,
                    explanation=pair.italian,
                    accepted_answers=list(pair.italian_alternatives) or None,
                )
    for item in every_indefinite_article_item():
        if _question_key(item.question) not in seen:
            exercise = _to_exercise(item, "fill_in_blank" if kind == "translation" else kind, rng)
            if exercise is not None:
                return exercise
    raise RuntimeError("the offline data cannot fill this homework")
