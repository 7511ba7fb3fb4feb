"""The registry of grammar points: resolution of a teacher's words, warnings instead of silent
substitution, homework that practises only the point asked, and what the API reports."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from api.generation.offline import FOCUSES, generate_exercises, resolve, resolve_focus
from api.generation.offline.matching import GENERAL, normalise
from api.generation.offline.registry import NOT_OFFLINE, general_mix
from inference_worker.contract import CEFR_LEVELS, EXERCISE_TYPES, GenerateRequest
from tests.api.conftest import Api
from tests.fake_worker import FakeWorker

# The bracketed hint that says which point a (non-verb) question practises.
POINT_HINTS: dict[str, re.Pattern[str]] = {
    "articoli determinativi": re.compile(r"\(articolo determinativo\)$"),
    "articoli indeterminativi": re.compile(r"\(articolo indeterminativo\)$"),
    "articoli partitivi": re.compile(r"\(articolo partitivo\)$"),
    "preposizioni semplici": re.compile(r"\(preposizione semplice\)$"),
    "preposizioni articolate": re.compile(r"\((di|a|da|in|su) \+ articolo\)$"),
    "plurale dei nomi": re.compile(
        r"(Ci sono|Ho visto|Ho conosciuto|ci siano|ci fossero|aver visto|aver conosciuto|"
        r"di conoscere) (due|tre|quattro) ___ \("
    ),
    "aggettivi possessivi": re.compile(r"___ \((io|tu|lui|lei|noi|voi|loro)\) "),
    "pronomi diretti": re.compile(r"\(pronome diretto\)$"),
    "pronomi indiretti": re.compile(r"\(pronome indiretto\)$"),
    "ci e ne": re.compile(r"\(ci o ne\)$"),
    "comparativi": re.compile(r"\(comparativo\)$"),
    "passato prossimo e imperfetto": re.compile(r"___ \(\w+\).*\(passato prossimo o imperfetto\)$"),
}


def test_every_point_beyond_verbs_has_a_hint_and_every_key_resolves_to_itself() -> None:
    points = {key for key, focus in FOCUSES.items() if focus.kind == "point"}
    assert points - {"accordo degli aggettivi"} == set(POINT_HINTS)
    for key, focus in FOCUSES.items():
        assert resolve_focus(key) == key
        for alias in focus.aliases:
            assert resolve_focus(alias) == key, (alias, key)


def test_no_alias_names_two_points() -> None:
    owners: dict[str, str] = {}
    for key, focus in FOCUSES.items():
        for alias in (key, *focus.aliases):
            assert owners.setdefault(normalise(alias), key) == key, alias


@pytest.mark.parametrize("name", NOT_OFFLINE)
def test_a_name_the_table_lacks_is_never_read_as_a_shorter_one(name: str) -> None:
    # "congiuntivo imperfetto" must not become "congiuntivo presente" because it starts with
    # "congiuntivo": either the table has exactly this name, or the result is general + warning.
    result = resolve(
        grammar_focus=name, topic="viaggi", level="B1", exercise_types=["fill_in_blank"]
    )
    if result.focus == GENERAL:
        assert result.warnings == (
            f"'{name}' is not in the offline generator: homework generated offline will "
            "practise general B1 grammar.",
        )
    else:
        aliases = {normalise(a) for a in (result.focus, *FOCUSES[result.focus].aliases)}
        assert normalise(name) in aliases


@pytest.mark.parametrize(
    ("focus", "topic", "expected_focus", "warnings"),
    [
        (
            "periodo ipotetico",
            "viaggi",
            GENERAL,
            [
                "'periodo ipotetico' is not in the offline generator: homework generated offline will practise general B1 grammar."
            ],
        ),  # fmt: skip
        (
            "astronomia",
            "cibo",
            GENERAL,
            [
                "'astronomia' is not in the offline generator: homework generated offline will practise general B1 grammar."
            ],
        ),  # fmt: skip
        (
            "Articoli determinativi",
            "la moda",
            "articoli determinativi",
            [
                "The topic 'la moda' is not in the offline generator: homework generated offline will use sentences on every topic (routine quotidiana, cibo, viaggi, famiglia, lavoro, scuola, città, cultura)."
            ],
        ),  # fmt: skip
        (
            "passato prossimo e periodo ipotetico",
            "viaggi",
            "passato prossimo",
            [
                "'periodo ipotetico' is not in the offline generator: homework generated offline will practise only passato prossimo."
            ],
        ),  # fmt: skip
        (
            "pronomi diretti e comparativi",
            "",
            "pronomi diretti",
            [
                "The offline generator practises one grammar point per homework: homework generated offline will practise pronomi diretti, not comparativi."
            ],
        ),  # fmt: skip
        (
            "passato prossimo",
            "il calcio",
            "passato prossimo",
            [
                "The topic 'il calcio' is not in the offline generator: homework generated offline will use sentences on every topic (routine quotidiana, cibo, viaggi, famiglia, lavoro, scuola, città, cultura)."
            ],
        ),  # fmt: skip
        ("ci e ne", "viaggi", "ci e ne", []),
        ("", "", GENERAL, []),
        ("general", "general", GENERAL, []),
        ("ripasso", "mixed", GENERAL, []),
    ],
)
def test_resolution_and_its_warnings(
    focus: str, topic: str, expected_focus: str, warnings: list[str]
) -> None:
    result = resolve(grammar_focus=focus, topic=topic, level="B1", exercise_types=["fill_in_blank"])
    assert result.focus == expected_focus
    assert list(result.warnings) == warnings


def test_level_and_type_the_point_lacks_are_reported() -> None:
    result = resolve(
        grammar_focus="stare + gerundio",
        topic="cibo",
        level="A1",
        exercise_types=["fill_in_blank", "translation"],
    )
    assert result.focus == "stare + gerundio"
    assert result.warnings == (
        "'stare + gerundio' is usually taught at A2–C2: homework generated offline will practise "
        "it at A1 all the same.",
    )
    # Every point has translations of its own: a pupil only hears about the level.
    assert all("translation" in f.types for f in FOCUSES.values())
    pronouns = resolve(
        grammar_focus="pronomi diretti",
        topic="cibo",
        level="A1",
        exercise_types=["fill_in_blank", "translation"],
    )
    assert pronouns.warnings == (
        "'pronomi diretti' is usually taught at A2–C2: homework generated offline will practise "
        "it at A1 all the same.",
    )


def _questions(focus: str, level: str, kind: str, seed: int, quantity: int = 10) -> list[str]:
    request = GenerateRequest(
        cefr_level=level,
        grammar_focus=focus,
        topic="general",
        quantity=quantity,
        exercise_types=[kind],
    )
    return [e.question for e in generate_exercises(request, seed=seed)]


@pytest.mark.parametrize("focus", sorted(POINT_HINTS))
@pytest.mark.parametrize("level", CEFR_LEVELS)
def test_a_point_gives_only_its_own_items(focus: str, level: str) -> None:
    for kind in ("fill_in_blank", "multiple_choice"):
        for question in _questions(focus, level, kind, seed=CEFR_LEVELS.index(level)):
            assert POINT_HINTS[focus].search(question), (focus, question)


def test_a_composite_draws_from_its_parts_only() -> None:
    questions = _questions("articoli", "A2", "fill_in_blank", seed=4, quantity=20)
    kinds = {
        part
        for question in questions
        for part in ("articoli determinativi", "articoli indeterminativi")
        if POINT_HINTS[part].search(question)
    }
    assert kinds == {"articoli determinativi", "articoli indeterminativi"}
    assert all(
        POINT_HINTS["articoli determinativi"].search(q)
        or POINT_HINTS["articoli indeterminativi"].search(q)
        for q in questions
    )


def test_general_mix_follows_the_levels_of_the_table() -> None:
    for level in CEFR_LEVELS:
        mix = general_mix(level)
        assert mix and all(level in FOCUSES[key].levels for key in mix)
    assert "pronomi diretti" not in general_mix("A1")
    assert "pronomi diretti" in general_mix("B1")


def test_every_focus_offers_the_types_it_claims() -> None:
    for focus in FOCUSES.values():
        assert set(focus.types) <= set(EXERCISE_TYPES)
        assert {"fill_in_blank", "multiple_choice"} <= set(focus.types), focus.key


# -- the API ------------------------------------------------------------------------------------


async def _homework_of(api: Api, student: dict[str, Any]) -> dict[str, Any]:
    response = await api.client.get(
        f"/api/student/{student['id']}/homework", headers=api.pupil_headers(student)
    )
    assert response.status_code == 200, response.text
    [homework] = response.json()
    return dict(homework)


async def test_the_response_says_what_offline_homework_practises(api: Api) -> None:
    pupil = await api.student("Giulia")
    created = await api.assignment(
        [pupil["id"]], cefr_level="B1", grammar_focus="periodo ipotetico", topic="astronomia"
    )
    expected = [
        "'periodo ipotetico' is not in the offline generator: homework generated offline will "
        "practise general B1 grammar.",
        "The topic 'astronomia' is not in the offline generator: homework generated offline "
        "will use sentences on every topic (routine quotidiana, cibo, viaggi, famiglia, lavoro, "
        "scuola, città, cultura).",
    ]
    assert created["resolved_focus"] == GENERAL
    assert created["warnings"] == expected
    assert created["grammar_focus"] == "periodo ipotetico"  # what the teacher wrote, kept
    done = await api.wait_done(created["id"])
    assert done["warnings"] == expected
    listing = (await api.client.get("/api/teacher/assignments")).json()
    [entry] = [a for a in listing if a["id"] == created["id"]]
    assert (entry["resolved_focus"], entry["warnings"]) == (GENERAL, expected)

    homework = await _homework_of(api, pupil)
    assert homework["practised_focus"] == "general B1 grammar"
    link = urlsplit(pupil["access_url"]).path
    page = await api.client.get(f"{link}/homework/{homework['id']}")
    assert page.status_code == 200
    assert "<h1>General B1 grammar: astronomia</h1>" in page.text


async def test_a_point_the_table_knows_has_no_warning(api: Api) -> None:
    pupil = await api.student("Marco")
    created = await api.assignment(
        [pupil["id"]],
        cefr_level="A2",
        grammar_focus="Articoli indeterminativi",
        topic="cibo",
        exercise_types=["fill_in_blank", "multiple_choice"],
    )
    assert (created["resolved_focus"], created["warnings"]) == ("articoli indeterminativi", [])
    await api.wait_done(created["id"])
    homework = await _homework_of(api, pupil)
    assert homework["practised_focus"] == "articoli indeterminativi"
    assert all(
        POINT_HINTS["articoli indeterminativi"].search(e["question"]) for e in homework["exercises"]
    )


async def test_with_a_worker_the_model_gets_the_request_and_nothing_is_recorded_offline(
    start_api: Any, make_settings: Any, fake_worker: FakeWorker
) -> None:
    api: Api = await start_api(make_settings(inference_api_url=fake_worker.url))
    pupil = await api.student("Sara")
    created = await api.assignment(
        [pupil["id"]], cefr_level="B1", grammar_focus="periodo ipotetico"
    )
    assert created["resolved_focus"] == GENERAL and len(created["warnings"]) == 1
    await api.wait_done(created["id"])
    homework = await _homework_of(api, pupil)
    assert homework["source"] == "model"
    assert homework["practised_focus"] is None
    assert homework["grammar_focus"] == "periodo ipotetico"
    assert fake_worker.stats.requests == 1


def test_the_coverage_table_of_the_docs_is_the_registry() -> None:
    from pathlib import Path

    from api.generation.offline.registry import COVERAGE_END, COVERAGE_START, coverage_table

    docs = (Path(__file__).parents[4] / "docs" / "italian.md").read_text("utf-8")
    start = docs.index(COVERAGE_START)
    end = docs.index(COVERAGE_END) + len(COVERAGE_END)
    assert docs[start:end] == coverage_table(), (
        "docs/italian.md is out of date: paste `python -m api.generation.offline.coverage`"
    )
