"""The offline generator's grammar against hand-checked forms, and its exercises' properties."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.generation.fallback import (
    KNOWN_TOPICS,
    generate_exercises,
    resolve_focus,
    resolve_topic,
)
from api.generation.fallback.data import sentences, verbs
from api.generation.fallback.grammar import (
    AVERE_PRESENTE,
    ESSERE_PRESENTE,
    PERSONS,
    Tense,
    adjective_form,
    articulated_preposition,
    conjugate,
    definite_article,
    indefinite_article,
    participle,
)
from inference_worker.contract import (
    CEFR_LEVELS,
    EXERCISE_TYPES,
    GenerateRequest,
    check_exercises,
)

GOLDEN = Path(__file__).with_name("golden_forms.txt")


def _golden() -> list[tuple[str, str, int, str]]:
    rows = []
    for line in GOLDEN.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        infinitive, tense, forms = (part.strip() for part in line.split("|"))
        persons = (1, 3, 4) if tense == "imperativo" else range(6)
        for person, form in zip(persons, forms.split(","), strict=True):
            rows.append((infinitive, tense, person, form.strip()))
    return rows


GOLDEN_ROWS = _golden()


def test_golden_table_is_large() -> None:
    assert len(GOLDEN_ROWS) >= 300


@pytest.mark.parametrize(("infinitive", "tense", "person", "expected"), GOLDEN_ROWS)
def test_conjugation_matches_golden_form(
    infinitive: str, tense: Tense, person: int, expected: str
) -> None:
    assert conjugate(verbs()[infinitive], tense, person) == expected


@pytest.mark.parametrize(
    ("infinitive", "person", "gender", "expected"),
    [
        ("andare", 2, "f", "è andata"),
        ("partire", 5, "f", "sono partite"),
        ("arrivare", 3, "m", "siamo arrivati"),
        ("diventare", 1, "f", "sei diventata"),
        ("svegliarsi", 0, "f", "mi sono svegliata"),
        ("vestirsi", 5, "f", "si sono vestite"),
        ("venire", 4, "f", "siete venute"),
        ("mangiare", 2, "f", "ha mangiato"),  # avere: no agreement with the subject
        ("prendere", 5, "f", "hanno preso"),
    ],
)
def test_auxiliary_and_agreement(infinitive: str, person: int, gender: str, expected: str) -> None:
    assert conjugate(verbs()[infinitive], "passato_prossimo", person, gender) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("word", "gender", "plural", "article"),
    [
        ("studente", "m", False, "lo"),
        ("studenti", "m", True, "gli"),
        ("amica", "f", False, "l'"),
        ("amiche", "f", True, "le"),
        ("zii", "m", True, "gli"),
        ("zio", "m", False, "lo"),
        ("psicologo", "m", False, "lo"),
        ("gnocchi", "m", True, "gli"),
        ("zaino", "m", False, "lo"),
        ("orologio", "m", False, "l'"),
        ("amici", "m", True, "gli"),
        ("yogurt", "m", False, "lo"),
        ("pneumatico", "m", False, "lo"),  # the grammar-book form; il pneumatico is common speech
        ("libro", "m", False, "il"),
        ("libri", "m", True, "i"),
        ("casa", "f", False, "la"),
        ("isola", "f", False, "l'"),
        ("iogurt", "m", False, "lo"),
    ],
)
def test_definite_articles(word: str, gender: str, plural: bool, article: str) -> None:
    assert definite_article(word, gender, plural) == article  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("word", "gender", "article"),
    [
        ("amica", "f", "un'"),
        ("studente", "m", "uno"),
        ("amico", "m", "un"),
        ("zio", "m", "uno"),
        ("casa", "f", "una"),
        ("psicologo", "m", "uno"),
        ("scuola", "f", "una"),
        ("albero", "m", "un"),
    ],
)
def test_indefinite_articles(word: str, gender: str, article: str) -> None:
    assert indefinite_article(word, gender) == article  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("preposition", "article", "expected"),
    [
        ("di", "il", "del"),
        ("in", "lo", "nello"),
        ("su", "la", "sulla"),
        ("a", "l'", "all'"),
        ("da", "i", "dai"),
        ("in", "gli", "negli"),
        ("di", "gli", "degli"),
        ("su", "le", "sulle"),
        ("a", "gli", "agli"),
        ("da", "lo", "dallo"),
        ("in", "il", "nel"),
        ("di", "l'", "dell'"),
    ],
)
def test_articulated_prepositions(preposition: str, article: str, expected: str) -> None:
    assert articulated_preposition(preposition, article) == expected


@pytest.mark.parametrize(
    ("adjective", "gender", "plural", "expected"),
    [
        ("simpatico", "f", True, "simpatiche"),
        ("simpatico", "m", True, "simpatici"),
        ("stanco", "m", True, "stanchi"),
        ("lungo", "m", True, "lunghi"),
        ("lungo", "f", True, "lunghe"),
        ("gentile", "f", True, "gentili"),
        ("gentile", "f", False, "gentile"),
        ("bravo", "f", False, "brava"),
    ],
)
def test_adjective_agreement(adjective: str, gender: str, plural: bool, expected: str) -> None:
    assert adjective_form(adjective, gender, plural) == expected  # type: ignore[arg-type]


def _all_forms() -> set[str]:
    forms: set[str] = set()
    for verb in verbs().values():
        for tense in get_args(Tense):
            persons = (1, 3, 4) if tense == "imperativo" else range(6)
            for person in persons:
                for gender in ("m", "f"):
                    try:
                        forms.add(conjugate(verb, tense, person, gender))
                    except ValueError:
                        pass
        forms.add(verb.infinitive)  # negative tu imperative: non + infinitive
        # The wrong auxiliary is a deliberate distractor: "ha andato", "sono mangiati".
        part = participle(verb)
        pronouns = ("mi ", "ti ", "si ", "ci ", "vi ", "si ") if verb.reflexive else ("",) * 6
        for person in range(6):
            forms.add(f"{pronouns[person]}{AVERE_PRESENTE[person]} {part}")
            for ending in "oaie":  # wrong agreement is a deliberate distractor too
                forms.add(f"{pronouns[person]}{ESSERE_PRESENTE[person]} {part[:-1]}{ending}")
    for noun, gender, plural in sentences()["nouns"]:
        forms.add(definite_article(noun, gender, False))
        forms.add(definite_article(plural, gender, True))
        forms.add(indefinite_article(noun, gender))
    articles = ("il", "lo", "l'", "la", "i", "gli", "le")
    forms |= set(articles) | {"un", "uno", "una", "un'"}
    for preposition in ("di", "a", "da", "in", "su"):
        forms |= {articulated_preposition(preposition, article) for article in articles}
    for _, _, _, adjectives in sentences()["adjective_subjects"]:
        for adjective in adjectives:
            forms |= {adjective_form(adjective, g, p) for g in ("m", "f") for p in (False, True)}
    forms |= {f.replace("'", "i") for f in forms if f.endswith("'")}  # va'/vai
    return forms


ALL_FORMS = _all_forms()

requests = st.builds(
    GenerateRequest,
    cefr_level=st.sampled_from(CEFR_LEVELS),
    grammar_focus=st.sampled_from(
        [
            "",
            "presente",
            "Passato Prossimo",
            "imperfetto",
            "futuro",
            "condizionale",
            "congiuntivo",
            "imperativo",
            "verbi riflessivi",
            "articoli",
            "preposizioni articolate",
            "aggettivi",
            "past tense",
            "subjunctive",
            "something unknown",
        ]
    ),
    topic=st.sampled_from(
        [
            "",
            "cibo",
            "viaggi",
            "famiglia",
            "lavoro",
            "scuola",
            "città",
            "cultura",
            "routine",
            "calcio",
            "food",
        ]
    ),
    quantity=st.integers(1, 20),
    exercise_types=st.lists(st.sampled_from(EXERCISE_TYPES), min_size=1, max_size=3, unique=True),
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(request=requests, seed=st.integers(0, 10**6))
def test_generated_exercises_are_valid_unique_and_reproducible(
    request: GenerateRequest, seed: int
) -> None:
    exercises = generate_exercises(request, seed=seed)
    check_exercises(request, exercises)  # exact count, requested types only
    assert len({e.question for e in exercises}) == len(exercises)
    assert generate_exercises(request, seed=seed) == exercises
    for exercise in exercises:
        assert "___" in exercise.question or exercise.type == "translation"
        if exercise.type == "translation":
            continue
        assert exercise.correct_answer in ALL_FORMS, exercise
        if exercise.type == "multiple_choice":
            assert exercise.options is not None
            right = {exercise.correct_answer, *(exercise.accepted_answers or [])}
            assert sum(option in right for option in exercise.options) == 1
            assert all(option in ALL_FORMS for option in exercise.options), exercise


def test_different_students_get_different_exercises() -> None:
    request = GenerateRequest(cefr_level="B1", quantity=10)
    assert generate_exercises(request, seed=1) != generate_exercises(request, seed=2)


def test_topic_changes_the_sentences() -> None:
    food = GenerateRequest(
        cefr_level="A2",
        grammar_focus="presente",
        topic="cibo",
        quantity=10,
        exercise_types=["fill_in_blank"],
    )
    work = food.model_copy(update={"topic": "lavoro"})
    food_text = " ".join(e.question for e in generate_exercises(food, seed=5))
    work_text = " ".join(e.question for e in generate_exercises(work, seed=5))
    assert food_text != work_text
    assert any(
        w in food_text
        for w in (
            "pasta",
            "pizza",
            "pane",
            "cena",
            "mercato",
            "conto",
            "risotto",
            "ristorante",
            "acqua",
        )
    )


@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("Passato Prossimo", "passato_prossimo"),
        ("past tense", "passato_prossimo"),
        ("il congiuntivo", "congiuntivo"),
        ("Subjunctive", "congiuntivo"),
        ("verbi riflessivi", "verbi_riflessivi"),
        ("articoli determinativi", "articoli"),
        ("preposizioni articolate", "preposizioni_articolate"),
        ("futuro semplice", "futuro"),
        ("general", None),
        ("", None),
        ("qualcosa di strano", None),
    ],
)
def test_focus_resolution(text: str, point: str | None) -> None:
    assert resolve_focus(text) == point


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Cibo", "food"),
        ("viaggi", "travel"),
        ("Città", "city"),
        ("la famiglia", "family"),
        ("calcio", "general"),
        ("", "general"),
        ("daily routine", "daily_routine"),
    ],
)
def test_topic_resolution(text: str, topic: str) -> None:
    assert resolve_topic(text) == topic
    assert topic in KNOWN_TOPICS


def test_every_person_label_exists() -> None:
    assert PERSONS == ("io", "tu", "lui/lei", "noi", "voi", "loro")
