"""Build one exercise item (sentence, answer, right alternatives, real wrong forms, explanation)
for a grammar point, from the data files and the engines."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from api.generation.offline import lexicon
from api.generation.offline import matching as m
from api.generation.offline.conjugation import (
    Gender,
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
from inference_worker.contract import CEFR_LEVELS


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


# Before "the noun is ___": a main clause at A1–A2, a governing clause with the congiuntivo
# presente at B1–B2, a past one with the congiuntivo imperfetto at C1–C2 (points._data.band).
_AGREEMENT_FRAMES: tuple[tuple[tuple[str, str, str], ...], ...] = (
    tuple((lead, "è", "sono") for lead in ("", "", "Secondo me, ", "Per Marco, ", "Secondo Giulia, ", "Per Luca, ")),
    tuple((lead, "sia", "siano") for lead in ("Penso che ", "Credo che ", "Mi sembra che ", "Non credo che ", "Spero che ")),
    tuple((lead, "fosse", "fossero") for lead in ("Non avrei mai detto che ", "Pensavo che ", "Nessuno immaginava che ", "Tutti dicevano che ")),
)  # fmt: skip


def adjective_item(rng: random.Random, topic: str, level: str = "A1") -> Item | None:
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
    adverb = rng.choice(("", "molto ", "proprio ", "davvero "))
    lead, singular, plural_verb = rng.choice(_AGREEMENT_FRAMES[CEFR_LEVELS.index(level) // 2])
    verb = plural_verb if plural else singular
    question = capitalise(
        f"{lead}{with_article(article, word)} {verb} {adverb}___ ({adjective.ms})."
    )
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


def build_item(rng: random.Random, focus: str, topic: str, level: str) -> Item | None:
    """One item for an article, preposition or adjective focus (verbs: tenses.build_tense_item)."""
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
