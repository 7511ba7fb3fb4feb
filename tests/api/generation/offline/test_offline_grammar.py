"""The offline generator's engines against hand-checked forms: conjugation, auxiliaries and
agreement, articles, articulated prepositions, adjectives."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.generation.offline import lexicon
from api.generation.offline.conjugation import (
    IMPERATIVE_PERSONS,
    Auxiliary,
    Gender,
    Tense,
    all_forms,
    conjugate,
    imperative_forms,
    negative_imperative_tu,
    passato_prossimo,
)
from api.generation.offline.morphology import (
    articulated_preposition,
    definite_article,
    indefinite_article,
    with_article,
)

GOLDEN = Path(__file__).with_name("golden_forms.txt")


def _golden_rows() -> list[tuple[str, str, str, int, str]]:
    rows = []
    for line in GOLDEN.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        infinitive, tense_field, forms = (part.strip() for part in line.split("|"))
        tense, _, gender = tense_field.partition(":")
        persons = IMPERATIVE_PERSONS if tense == "imperativo" else range(6)
        for person, form in zip(persons, forms.split(","), strict=True):
            rows.append((infinitive, tense, gender or "m", person, form.strip()))
    return rows


GOLDEN_ROWS = _golden_rows()


def test_golden_table_has_at_least_300_forms() -> None:
    assert len(GOLDEN_ROWS) >= 300


@pytest.mark.parametrize(("infinitive", "tense", "gender", "person", "expected"), GOLDEN_ROWS)
def test_golden_form(
    infinitive: str, tense: Tense, gender: str, person: int, expected: str
) -> None:
    verb = lexicon.verbs()[infinitive]
    assert conjugate(verb, tense, person, "f" if gender == "f" else "m") == expected


@pytest.mark.parametrize(
    ("infinitive", "wrong"),
    [
        ("andare", "ho andato"),
        ("partire", "ho partito"),
        ("piacere", "ho piaciuto"),
        ("mangiare", "sono mangiato"),
    ],
)
def test_wrong_auxiliary_is_a_distinct_form(infinitive: str, wrong: str) -> None:
    verb = lexicon.verbs()[infinitive]
    aux: Auxiliary = "avere" if verb.compound_auxiliary == "essere" else "essere"
    assert passato_prossimo(verb, 0, "m", auxiliary=aux) == wrong
    assert conjugate(verb, "passato_prossimo", 0) != wrong


@pytest.mark.parametrize(
    "infinitive",
    [
        "andare", "venire", "tornare", "restare", "rimanere", "uscire", "partire", "arrivare",
        "nascere", "morire", "piacere", "sembrare", "riuscire", "succedere", "costare",
        "diventare", "essere", "stare", "alzarsi", "vestirsi",
    ],
)  # fmt: skip
def test_essere_verbs(infinitive: str) -> None:
    assert lexicon.verbs()[infinitive].compound_auxiliary == "essere"


@pytest.mark.parametrize(
    ("infinitive", "tu"),
    [("andare", ("va'", "vai")), ("fare", ("fa'", "fai")), ("dare", ("da'", "dai")),
     ("stare", ("sta'", "stai")), ("dire", ("di'",)), ("essere", ("sii",)), ("avere", ("abbi",)),
     ("sapere", ("sappi",)), ("venire", ("vieni",)), ("finire", ("finisci",))],
)  # fmt: skip
def test_imperative_tu(infinitive: str, tu: tuple[str, ...]) -> None:
    assert imperative_forms(lexicon.verbs()[infinitive], 1) == tu


def test_negative_imperative_is_non_plus_infinitive() -> None:
    assert negative_imperative_tu(lexicon.verbs()["parlare"]) == "non parlare"
    assert negative_imperative_tu(lexicon.verbs()["andare"]) == "non andare"


def test_reflexive_imperative_is_not_generated() -> None:
    with pytest.raises(ValueError):
        imperative_forms(lexicon.verbs()["alzarsi"], 1)


def test_all_forms_holds_every_tense_and_the_wrong_auxiliary() -> None:
    forms = all_forms(lexicon.verbs()["andare"])
    assert {"vado", "andrò", "andrei", "vada", "andavo", "sono andate", "ho andato", "va'"} <= forms


ARTICLES = [
    # word, gender, plural, definite, indefinite (None: not asked in the plural)
    ("studente", "m", False, "lo", "uno"),
    ("studenti", "m", True, "gli", None),
    ("amica", "f", False, "l'", "un'"),
    ("amiche", "f", True, "le", None),
    ("amico", "m", False, "l'", "un"),
    ("amici", "m", True, "gli", None),
    ("zio", "m", False, "lo", "uno"),
    ("zii", "m", True, "gli", None),
    ("psicologo", "m", False, "lo", "uno"),
    ("psicologi", "m", True, "gli", None),
    ("gnocco", "m", False, "lo", "uno"),
    ("gnocchi", "m", True, "gli", None),
    ("zaino", "m", False, "lo", "uno"),
    ("orologio", "m", False, "l'", "un"),
    ("orologi", "m", True, "gli", None),
    ("yogurt", "m", False, "lo", "uno"),
    ("iogurt", "m", False, "lo", "uno"),
    ("xilofono", "m", False, "lo", "uno"),
    ("pneumatico", "m", False, "lo", "uno"),
    ("pneumatici", "m", True, "gli", None),
    ("sciopero", "m", False, "lo", "uno"),
    ("libro", "m", False, "il", "un"),
    ("libri", "m", True, "i", None),
    ("casa", "f", False, "la", "una"),
    ("isola", "f", False, "l'", "un'"),
    ("iena", "f", False, "la", "una"),
    ("hotel", "m", False, "l'", "un"),
    ("uova", "f", True, "le", None),
    ("uovo", "m", False, "l'", "un"),
]


@pytest.mark.parametrize(("word", "gender", "plural", "definite", "indefinite"), ARTICLES)
def test_articles(
    word: str, gender: str, plural: bool, definite: str, indefinite: str | None
) -> None:
    g: Gender = "f" if gender == "f" else "m"
    assert definite_article(word, g, plural) == definite
    if indefinite is not None:
        assert indefinite_article(word, g) == indefinite


def test_article_joins_without_space_after_apostrophe() -> None:
    assert with_article("l'", "amica") == "l'amica"
    assert with_article("un'", "amica") == "un'amica"
    assert with_article("lo", "zaino") == "lo zaino"


@pytest.mark.parametrize(
    ("preposition", "article", "fused"),
    [
        ("di", "il", "del"), ("di", "lo", "dello"), ("di", "l'", "dell'"), ("di", "la", "della"),
        ("di", "i", "dei"), ("di", "gli", "degli"), ("di", "le", "delle"),
        ("a", "il", "al"), ("a", "lo", "allo"), ("a", "l'", "all'"), ("a", "gli", "agli"),
        ("da", "la", "dalla"), ("da", "i", "dai"), ("da", "l'", "dall'"),
        ("in", "il", "nel"), ("in", "lo", "nello"), ("in", "la", "nella"), ("in", "gli", "negli"),
        ("in", "le", "nelle"), ("su", "il", "sul"), ("su", "lo", "sullo"), ("su", "la", "sulla"),
        ("su", "i", "sui"), ("su", "gli", "sugli"), ("su", "l'", "sull'"),
    ],
)  # fmt: skip
def test_articulated_prepositions(preposition: str, article: str, fused: str) -> None:
    assert articulated_preposition(preposition, article) == fused


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Il telefono è ___ zaino.", "nello"),
        ("Metto i vestiti ___ armadio.", "nell'"),
        ("Sono appena tornato ___ Stati Uniti.", "dagli"),
        ("Il libro è ___ scaffale.", "sullo"),
        ("Ci sono molti turisti ___ isole greche.", "sulle"),
        ("Il colore ___ occhi di Sara è verde.", "degli"),
    ],
)
def test_preposition_sentences(sentence: str, expected: str) -> None:
    entry = next(s for s in lexicon.preposition_sentences() if s.text == sentence)
    article = definite_article(entry.noun, entry.gender, entry.plural)
    assert articulated_preposition(entry.preposition, article) == expected


@pytest.mark.parametrize(
    ("adjective", "forms"),
    [
        ("buono", ("buono", "buona", "buoni", "buone")),
        ("stanco", ("stanco", "stanca", "stanchi", "stanche")),
        ("simpatico", ("simpatico", "simpatica", "simpatici", "simpatiche")),
        ("lungo", ("lungo", "lunga", "lunghi", "lunghe")),
        ("vecchio", ("vecchio", "vecchia", "vecchi", "vecchie")),
        ("fresco", ("fresco", "fresca", "freschi", "fresche")),
        ("grande", ("grande", "grande", "grandi", "grandi")),
        ("antico", ("antico", "antica", "antichi", "antiche")),
    ],
)
def test_adjective_agreement(adjective: str, forms: tuple[str, str, str, str]) -> None:
    entry = lexicon.adjectives()[adjective]
    assert (entry.ms, entry.fs, entry.mp, entry.fp) == forms


def test_data_files_are_consistent() -> None:
    verbs = lexicon.verbs()
    adjectives = lexicon.adjectives()
    for frame in lexicon.frames():
        assert frame.verb in verbs, frame
        if frame.imperative:
            assert not verbs[frame.verb].reflexive, frame
    for sentence in lexicon.fixed_sentences():
        assert sentence.verb in verbs and sentence.text.count("___") == 1, sentence
    for noun in lexicon.nouns():
        assert noun.adjectives and all(a in adjectives for a in noun.adjectives), noun
    for entry in lexicon.preposition_sentences():
        assert entry.text.count("___") == 1, entry
    for verb in verbs.values():
        for tense, forms in verb.irregular.items():
            assert len(forms) == 6, (verb.infinitive, tense)
