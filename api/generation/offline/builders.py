"""Build one exercise item (sentence, answer, right alternatives, real wrong forms, explanation)
for a grammar point, from the data files and the engines."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import get_args

from api.generation.offline import lexicon
from api.generation.offline import matching as m
from api.generation.offline.conjugation import (
    IMPERATIVE_PERSONS,
    PERSONS,
    Auxiliary,
    Gender,
    Tense,
    Verb,
    conjugate,
    future_stem,
    imperative_forms,
    is_plural,
    negative_imperative_tu,
    passato_prossimo,
    past_participle,
    simple_forms,
)
from api.generation.offline.morphology import (
    DEFINITE_ARTICLES,
    INDEFINITE_ARTICLES,
    articulated_preposition,
    definite_article,
    indefinite_article,
    takes_lo,
    with_article,
)


@dataclass(frozen=True)
class Item:
    """One exercise before it is given a type: the sentence with ``___`` and what fills it."""

    question: str
    answer: str
    explanation: str
    kind: str  # verb, article, preposition, adjective
    word: str  # the verb, adjective or preposition behind the slot
    accepted: tuple[str, ...] = ()
    # Real wrong forms: the most instructive first (wrong auxiliary, wrong agreement), then others.
    wrong_first: tuple[str, ...] = ()
    wrong_other: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def right(self) -> frozenset[str]:
        """Every right answer, normalised."""
        return frozenset(normalise_answer(a) for a in (self.answer, *self.accepted))


def normalise_answer(text: str) -> str:
    """Compare answers ignoring case and spacing."""
    return " ".join(text.split()).casefold()


def capitalise(sentence: str) -> str:
    """Upper-case the first letter of a sentence."""
    return sentence[:1].upper() + sentence[1:]


def in_topic(item_topic: str, topic: str) -> bool:
    """Whether data tagged ``item_topic`` suits the requested topic key."""
    return topic == "general" or item_topic == topic


_GENDER_WORD = {"m": "masculine", "f": "feminine"}
_PERSON_LABEL = ("io", "tu", "lui/lei", "noi", "voi", "loro")

_MARKERS: dict[str, tuple[str, ...]] = {
    "presente": ("Di solito", "Spesso", "Il sabato"),
    "passato_prossimo": ("Ieri", "Sabato scorso", "La settimana scorsa"),
    "imperfetto": ("Anni fa", "A quei tempi", "Da giovane"),
    "futuro": ("Domani", "Sabato prossimo", "La settimana prossima"),
}
# Habit markers read badly with states (di solito vuole, domani saprà): these fit them.
_STATIVE_MARKERS: dict[str, tuple[str, ...]] = {
    "presente": ("",),
    "futuro": ("Un giorno", "Fra qualche anno"),
}
# Opinion and possibility take the congiuntivo; the set lists the persons that would make the
# sentence odd (penso che io...).
_CONGIUNTIVO_MAINS: tuple[tuple[str, frozenset[int]], ...] = (
    ("Penso che", frozenset({0})),
    ("Credo che", frozenset({0})),
    ("Immagino che", frozenset({0})),
    ("Dubito che", frozenset({0})),
    ("È possibile che", frozenset()),
    ("Sembra che", frozenset()),
)
_VOCATIVES = ("Marco", "Giulia", "Luca", "Sara")


def _subject_fits(subject: lexicon.Subject, frame_topic: str, complement: str) -> bool:
    if subject.topics is not None and frame_topic not in subject.topics:
        return False
    # Never "la nonna telefona alla nonna" or "mio cugino esce con i cugini".
    head = subject.text.split()[-1].casefold()
    words = complement.casefold().replace("'", " ").split()
    return not any(word[:-1] == head[:-1] for word in words if len(word) > 3)


def _forms_of_person(verb: Verb, tense: Tense, person: int, gender: Gender) -> str:
    return conjugate(verb, tense, person, gender)


def _other_persons(
    verb: Verb, tense: Tense, person: int, gender: Gender, rng: random.Random
) -> list[str]:
    others = [p for p in range(6) if p != person]
    rng.shuffle(others)
    result = []
    for other in others:
        other_gender: Gender = gender
        result.append(_forms_of_person(verb, tense, other, other_gender))
    return result


def _verb_note(verb: Verb, tense: Tense) -> str:
    inf = verb.infinitive
    if tense in ("presente", "congiuntivo", "imperfetto") and tense in verb.irregular:
        name = {"presente": "presente", "congiuntivo": "congiuntivo", "imperfetto": "imperfetto"}
        return f" '{inf}' is irregular in the {name[tense]}."
    if tense in ("futuro", "condizionale") and verb.future_stem:
        return f" '{inf}' has the irregular stem {verb.future_stem}-."
    if tense in ("presente", "congiuntivo") and verb.isc:
        return f" '{inf}' adds -isc- in the singular and in the loro form."
    if verb.conjugation == "are" and verb.stem.endswith(("c", "g")):
        if tense in ("futuro", "condizionale"):
            return (
                f" Verbs in -{verb.stem[-1]}are add h to keep the hard sound: {future_stem(verb)}-."
            )
        if tense in ("presente", "congiuntivo"):
            return f" Verbs in -{verb.stem[-1]}are add h before i to keep the hard sound."
    if (
        verb.conjugation == "are"
        and verb.stem.endswith(("ci", "gi"))
        and tense in ("futuro", "condizionale")
    ):
        return f" Verbs in -{verb.stem[-2:]}are drop the i: {future_stem(verb)}-."
    return ""


def _verb_sentence_item(
    rng: random.Random, tense: Tense, topic: str, *, reflexive_only: bool = False
) -> Item | None:
    verbs = lexicon.verbs()
    frames = [
        f
        for f in lexicon.frames()
        if in_topic(f.topic, topic)
        and tense not in f.skip
        and (not reflexive_only or verbs[f.verb].reflexive)
        and (tense != "imperativo" or (f.imperative and not verbs[f.verb].reflexive))
    ]
    fixed = [
        s
        for s in lexicon.fixed_sentences()
        if s.tense == tense and in_topic(s.topic, topic) and not reflexive_only
    ]
    total = len(frames) + len(fixed)
    if total == 0:
        return None
    pick = rng.randrange(total)
    if pick >= len(frames):
        return _fixed_item(rng, fixed[pick - len(frames)])
    frame = frames[pick]
    if tense == "imperativo":
        return _imperative_item(rng, frame)
    return _frame_item(rng, frame, tense)


def _fixed_item(rng: random.Random, sentence: lexicon.FixedSentence) -> Item:
    verb = lexicon.verbs()[sentence.verb]
    answer = conjugate(verb, sentence.tense, sentence.person, sentence.gender)
    question = sentence.text.replace("___", f"___ ({verb.infinitive})", 1)
    plural = is_plural(sentence.person)
    first: list[str] = []
    if sentence.tense == "passato_prossimo":
        first.append(passato_prossimo(verb, sentence.person, sentence.gender, auxiliary="avere"))
        other_gender: Gender = "f" if sentence.gender == "m" else "m"
        first.append(passato_prossimo(verb, sentence.person, other_gender))
        other_number = 2 if plural else 5
        other = [
            passato_prossimo(verb, other_number, sentence.gender),
            passato_prossimo(verb, other_number, other_gender),
        ]
        number = "plural" if plural else "singular"
        explanation = (
            f"'{verb.infinitive}' takes essere in the passato prossimo, so the participle agrees "
            f"with the subject '{sentence.subject}' ({_GENDER_WORD[sentence.gender]} {number}): "
            f"{answer}."
        )
    else:
        other = _other_persons(verb, sentence.tense, sentence.person, sentence.gender, rng)
        explanation = (
            f"The verb agrees with its subject '{sentence.subject}' "
            f"({'plural' if plural else 'singular'}), not with the person who likes or pays: "
            f"{answer}."
        )
    return Item(
        question=question,
        answer=answer,
        explanation=explanation,
        kind="verb",
        word=verb.infinitive,
        wrong_first=tuple(first),
        wrong_other=tuple(other),
        tags={
            "tense": sentence.tense,
            "person": str(sentence.person),
            "gender": sentence.gender,
        },
    )


def _pick_subject(
    rng: random.Random, frame: lexicon.Frame, excluded_persons: frozenset[int] = frozenset()
) -> lexicon.Subject:
    candidates = [
        s
        for s in lexicon.subjects()
        if s.person not in excluded_persons and _subject_fits(s, frame.topic, frame.complement)
    ]
    # Pick the person first, so the six persons come up equally often.
    persons = sorted({s.person for s in candidates})
    person = rng.choice(persons)
    return rng.choice([s for s in candidates if s.person == person])


def _frame_item(rng: random.Random, frame: lexicon.Frame, tense: Tense) -> Item:
    verb = lexicon.verbs()[frame.verb]
    main = ""
    if tense == "congiuntivo":
        main, excluded = rng.choice(_CONGIUNTIVO_MAINS)
        subject = _pick_subject(rng, frame, excluded)
    else:
        subject = _pick_subject(rng, frame)
    person = subject.person
    gender: Gender = subject.gender or "m"
    answer = conjugate(verb, tense, person, gender)
    accepted: list[str] = []
    if subject.gender is None:
        feminine = conjugate(verb, tense, person, "f")
        if feminine != answer:
            accepted.append(feminine)
    slot = f"___ ({verb.infinitive})"
    complement = frame.complement
    marker = ""
    if tense == "condizionale":
        can = ("posso", "puoi", "può", "possiamo", "potete", "possono")[person]
        ending = rng.choice((f"ma non {can}", f"ma oggi non {can}"))
        sentence = f"{subject.text} {slot} volentieri {complement}, {ending}."
    elif tense == "congiuntivo":
        sentence = f"{main} {subject.text} {slot} {complement}."
    else:
        markers = (_STATIVE_MARKERS if frame.stative else {}).get(tense) or _MARKERS[tense]
        marker = rng.choice(markers)
        if marker == "Da giovane" and is_plural(person):
            marker = "Da giovani"
        sentence = f"{marker} {subject.text} {slot} {complement}.".strip()
    question = capitalise(sentence)

    first: list[str] = []
    other = _other_persons(verb, tense, person, gender, rng)
    if tense == "passato_prossimo":
        wrong_aux: Auxiliary = "avere" if verb.compound_auxiliary == "essere" else "essere"
        first.append(passato_prossimo(verb, person, gender, auxiliary=wrong_aux))
        if verb.compound_auxiliary == "essere":
            first.append(passato_prossimo(verb, person, "f" if gender == "m" else "m"))
        other.append(conjugate(verb, "futuro", person))
    elif tense == "imperfetto":
        other.append(conjugate(verb, "futuro", person))
    elif tense == "futuro":
        first.append(conjugate(verb, "passato_prossimo", person, gender))
    elif tense == "condizionale":
        first.append(conjugate(verb, "futuro", person))
    elif tense == "congiuntivo":
        first.append(conjugate(verb, "presente", person))

    explanation = _frame_explanation(verb, tense, person, subject, answer, accepted, marker, main)
    return Item(
        question=question,
        answer=answer,
        explanation=explanation,
        kind="verb",
        word=verb.infinitive,
        accepted=tuple(accepted),
        wrong_first=tuple(first),
        wrong_other=tuple(other),
        tags={"tense": tense, "person": str(person), "gender": subject.gender or "any"},
    )


def _frame_explanation(
    verb: Verb,
    tense: Tense,
    person: int,
    subject: lexicon.Subject,
    answer: str,
    accepted: Sequence[str],
    marker: str,
    main: str,
) -> str:
    inf = verb.infinitive
    label = _PERSON_LABEL[person]
    if person in (2, 5):
        label += f" ({subject.text})"
    note = _verb_note(verb, tense)
    if tense == "passato_prossimo":
        participle = past_participle(verb)
        irregular = (
            ""
            if verb.participle is None
            else f" The participle of '{inf}' is irregular: {participle}."
        )
        if verb.compound_auxiliary == "avere":
            return (
                f"'{inf}' takes avere in the passato prossimo, and with avere the participle does "
                f"not change: {answer}.{irregular}"
            )
        reason = "Reflexive verbs take" if verb.reflexive else f"'{inf}' takes"
        if subject.gender is None:
            agreement = f"{answer} for a man, {accepted[0]} for a woman" if accepted else answer
        else:
            number = "plural" if is_plural(person) else "singular"
            agreement = f"{subject.text}: {_GENDER_WORD[subject.gender]} {number} → {answer}"
        return (
            f"{reason} essere in the passato prossimo, so the participle agrees with the subject "
            f"({agreement}).{irregular}"
        )
    if tense == "presente":
        return f"Presente of '{inf}' ({verb.english}) for {label}: {answer}.{note}"
    if tense == "imperfetto":
        return f"Imperfetto for a past habit or state ('{marker}'), {label}: {answer}.{note}"
    if tense == "futuro":
        return f"Futuro semplice for what will happen ('{marker}'), {label}: {answer}.{note}"
    if tense == "condizionale":
        return (
            f"Condizionale presente for a wish that cannot come true now "
            f"('volentieri, ma non...'), {label}: {answer}.{note}"
        )
    return (
        f"'{main}' expresses an opinion or a possibility, so the verb goes in the congiuntivo "
        f"presente, {label}: {answer}.{note}"
    )


def _imperative_item(rng: random.Random, frame: lexicon.Frame) -> Item:
    verb = lexicon.verbs()[frame.verb]
    inf = verb.infinitive
    complement = frame.complement
    vocative = rng.choice([v for v in _VOCATIVES if v.casefold() not in complement.casefold()])
    tu, noi, voi = (imperative_forms(verb, p) for p in IMPERATIVE_PERSONS)
    if frame.imperative == "negative":
        answer = inf
        question = f"{vocative}, non ___ ({inf}, tu) {complement}!"
        explanation = (
            f"The negative imperative for tu is non + infinitive: {negative_imperative_tu(verb)}."
        )
        return Item(
            question=question,
            answer=answer,
            explanation=explanation,
            kind="verb",
            word=inf,
            wrong_first=(tu[0],),
            wrong_other=(voi[0], noi[0]),
            tags={"tense": "imperativo", "person": "1", "negative": "yes"},
        )
    person = rng.choice(IMPERATIVE_PERSONS)
    forms = {1: tu, 3: noi, 4: voi}
    answer, *alternatives = forms[person]
    who = PERSONS[person]
    lead = {1: f"{vocative},", 3: "Su,", 4: "Ragazzi,"}[person]
    question = f"{lead} ___ ({inf}, {who}) {complement}!"
    explanation = f"Imperativo of '{inf}', {who} form: {answer}."
    if alternatives:
        explanation += f" {', '.join(alternatives)} is also correct."
    if person == 1 and verb.conjugation == "are" and verb.imperative is None:
        explanation += " For -are verbs the tu form ends in -a."
    elif (
        person == 4 and verb.imperative is not None and simple_forms(verb, "presente")[4] != answer
    ):
        explanation += f" It differs from the presente ({simple_forms(verb, 'presente')[4]})."
    wrong = [forms[p][0] for p in IMPERATIVE_PERSONS if p != person] + [inf]
    return Item(
        question=question,
        answer=answer,
        explanation=explanation,
        kind="verb",
        word=inf,
        accepted=tuple(alternatives),
        wrong_other=tuple(wrong),
        tags={"tense": "imperativo", "person": str(person)},
    )


# -- articles, prepositions, adjectives ---------------------------------------------------------


def _nouns_for(topic: str) -> list[lexicon.Noun]:
    return [n for n in lexicon.nouns() if topic == "general" or topic in n.topics]


def _article_reason(word: str, gender: Gender, plural: bool, article: str) -> str:
    number = "plural" if plural else "singular"
    base = f"'{word}' is {_GENDER_WORD[gender]} {number}"
    if article in ("lo", "gli", "uno") and takes_lo(word):
        return f"{base} and starts with {word[:2] if word[0] in 'sgp' else word[0]}, so it takes {article}."
    if article in ("l'", "un'", "gli") and word[0].lower() in "aeiouh":
        return f"{base} and starts with a vowel, so it takes {article}."
    return f"{base}, so it takes {article}."


def _adjective_phrase(noun: lexicon.Noun, plural: bool, rng: random.Random) -> tuple[str, str]:
    adjectives = lexicon.adjectives()
    adjective = adjectives[rng.choice(noun.adjectives)]
    gender = noun.plural_gender if plural else noun.gender
    return adjective.form(gender, plural), adjective.ms


def article_item(rng: random.Random, topic: str) -> Item | None:
    """Definite or indefinite article before a noun, in a sentence with an agreeing adjective."""
    nouns = _nouns_for(topic)
    if not nouns:
        return None
    noun = rng.choice(nouns)
    definite = rng.random() < 0.6
    if definite:
        plural = noun.plural is not None and rng.random() < 0.5
        word = noun.plural if plural and noun.plural else noun.word
        gender = noun.plural_gender if plural else noun.gender
        answer = definite_article(word, gender, plural)
        adjective, _ = _adjective_phrase(noun, plural, rng)
        verb = "sono" if plural else "è"
        lead = rng.choice(("Secondo me,", "Secondo Marco,", "Per Giulia,"))
        question = f"{lead} ___ {word} {verb} {adjective}. (articolo determinativo)"
        same_number = [a for a in DEFINITE_ARTICLES if (a in ("i", "gli", "le")) == plural]
        other_number = [a for a in DEFINITE_ARTICLES if (a in ("i", "gli", "le")) != plural]
        first = [a for a in same_number if a != answer]
        rng.shuffle(first)
        explanation = _article_reason(word, gender, plural, answer)
        return Item(
            question=question,
            answer=answer,
            explanation=explanation,
            kind="article",
            word=word,
            wrong_first=tuple(first[:2]),
            wrong_other=tuple(first[2:] + other_number),
        )
    answer = indefinite_article(noun.word, noun.gender)
    adjective, _ = _adjective_phrase(noun, False, rng)
    lead = rng.choice(("È", "Ecco"))
    question = f"{lead} ___ {noun.word} {adjective}. (articolo indeterminativo)"
    explanation = _article_reason(noun.word, noun.gender, False, answer)
    return Item(
        question=question,
        answer=answer,
        explanation=explanation,
        kind="article",
        word=noun.word,
        wrong_other=tuple(a for a in INDEFINITE_ARTICLES if a != answer),
    )


def preposition_item(rng: random.Random, topic: str) -> Item | None:
    """A simple preposition fused with the article of the noun that follows."""
    sentences = [s for s in lexicon.preposition_sentences() if in_topic(s.topic, topic)]
    people = [n for n in _nouns_for(topic) if n.person]
    templates = lexicon.person_preposition_templates()
    if not sentences and not people:
        return None
    if sentences and (not people or rng.random() < 0.5):
        sentence = rng.choice(sentences)
        preposition, word = sentence.preposition, sentence.noun
        gender, plural = sentence.gender, sentence.plural
        text = sentence.text
    else:
        person = rng.choice(people)
        text, preposition = rng.choice(templates)
        plural = person.plural is not None and rng.random() < 0.5
        word = person.plural if plural and person.plural else person.word
        gender = person.plural_gender if plural else person.gender
        text = text.replace("{noun}", word)
    article = definite_article(word, gender, plural)
    answer = articulated_preposition(preposition, article)
    question = f"{text} ({preposition} + articolo)"
    same_number = [a for a in DEFINITE_ARTICLES if (a in ("i", "gli", "le")) == plural]
    other_number = [a for a in DEFINITE_ARTICLES if (a in ("i", "gli", "le")) != plural]
    first = [articulated_preposition(preposition, a) for a in same_number if a != article]
    rng.shuffle(first)
    number = "plural" if plural else "singular"
    explanation = (
        f"'{word}' is {_GENDER_WORD[gender]} {number} and takes '{article}': "
        f"{preposition} + {article} = {answer}."
    )
    return Item(
        question=question,
        answer=answer,
        explanation=explanation,
        kind="preposition",
        word=preposition,
        wrong_first=tuple(first[:2]),
        wrong_other=tuple(
            first[2:] + [articulated_preposition(preposition, a) for a in other_number]
        ),
    )


def adjective_item(rng: random.Random, topic: str) -> Item | None:
    """An adjective agreeing in gender and number with its noun."""
    nouns = _nouns_for(topic)
    if not nouns:
        return None
    noun = rng.choice(nouns)
    adjective = lexicon.adjectives()[rng.choice(noun.adjectives)]
    # The masculine singular equals the form in brackets, so it is asked less often.
    plural_odds = 0.75 if noun.gender == "m" else 0.5
    plural = noun.plural is not None and rng.random() < plural_odds
    word = noun.plural if plural and noun.plural else noun.word
    gender = noun.plural_gender if plural else noun.gender
    article = definite_article(word, gender, plural)
    answer = adjective.form(gender, plural)
    verb = "sono" if plural else "è"
    adverb = rng.choice(("", "molto ", "proprio "))
    question = capitalise(f"{with_article(article, word)} {verb} {adverb}___ ({adjective.ms}).")
    number = "plural" if plural else "singular"
    explanation = (
        f"'{word}' is {_GENDER_WORD[gender]} {number}, so '{adjective.ms}' becomes '{answer}'."
    )
    if adjective.ms.endswith("e"):
        explanation += (
            " Adjectives in -e have one singular (-e) and one plural (-i) for both genders."
        )
    elif adjective.ms.endswith(("co", "go")) and plural:
        explanation += f" Its plurals are {adjective.mp} and {adjective.fp}."
    if noun.plural_gender != noun.gender and plural:
        explanation += f" '{noun.word}' is masculine, but its plural '{noun.plural}' is feminine."
    wrong = [f for f in adjective.forms if f != answer]
    rng.shuffle(wrong)
    return Item(
        question=question,
        answer=answer,
        explanation=explanation,
        kind="adjective",
        word=adjective.ms,
        wrong_other=tuple(wrong),
    )


# -- dispatch by grammar point ------------------------------------------------------------------

_TENSE_OF_FOCUS: dict[str, Tense] = {
    m.PRESENTE: "presente",
    m.PASSATO_PROSSIMO: "passato_prossimo",
    m.IMPERFETTO: "imperfetto",
    m.FUTURO: "futuro",
    m.CONDIZIONALE: "condizionale",
    m.CONGIUNTIVO: "congiuntivo",
    m.IMPERATIVO: "imperativo",
}
_REFLEXIVE_TENSES: dict[str, tuple[Tense, ...]] = {
    "A1": ("presente",),
    "A2": ("presente", "passato_prossimo"),
    "B1": ("presente", "passato_prossimo", "imperfetto", "futuro"),
}
# Every tense but the imperativo: reflexive imperatives (alzati) are not generated.
_REFLEXIVE_TENSES_ADVANCED: tuple[Tense, ...] = tuple(
    tense for tense in get_args(Tense) if tense != "imperativo"
)


def build_item(rng: random.Random, focus: str, topic: str, level: str) -> Item | None:
    """One item for a known grammar focus and topic key (None when the data has none)."""
    if focus in _TENSE_OF_FOCUS:
        return _verb_sentence_item(rng, _TENSE_OF_FOCUS[focus], topic)
    if focus == m.RIFLESSIVI:
        tense = rng.choice(_REFLEXIVE_TENSES.get(level, _REFLEXIVE_TENSES_ADVANCED))
        return _verb_sentence_item(rng, tense, topic, reflexive_only=True)
    if focus == m.ARTICOLI:
        return article_item(rng, topic)
    if focus == m.PREPOSIZIONI:
        return preposition_item(rng, topic)
    if focus == m.AGGETTIVI:
        return adjective_item(rng, topic)
    raise ValueError(f"no builder for {focus!r}")


def every_indefinite_article_item() -> list[Item]:
    """One indefinite-article item per noun, in data order: the last resort when sampling fails."""
    items = []
    for noun in lexicon.nouns():
        answer = indefinite_article(noun.word, noun.gender)
        adjective = lexicon.adjectives()[noun.adjectives[0]].form(noun.gender, False)
        items.append(
            Item(
                question=f"Ecco ___ {noun.word} {adjective}. (articolo indeterminativo)",
                answer=answer,
                explanation=_article_reason(noun.word, noun.gender, False, answer),
                kind="article",
                word=noun.word,
                wrong_other=tuple(a for a in INDEFINITE_ARTICLES if a != answer),
            )
        )
    return items
