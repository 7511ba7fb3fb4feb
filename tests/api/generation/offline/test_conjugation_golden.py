"""The whole verb system against forms written by hand (golden_tenses.txt): every tense, every
irregular verb of the data, the accepted variants, and the auxiliary chosen by meaning."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.generation.offline import lexicon
from api.generation.offline.conjugation import (
    ALL_TENSES,
    FULL_IMPERATIVE_PERSONS,
    Gender,
    TenseName,
    forms,
    gerund,
    past_participle,
)
from api.generation.offline.tenses import frame_verb, frames

GOLDEN = Path(__file__).with_name("golden_tenses.txt")


Row = tuple[str, str, Gender, tuple[tuple[str, ...], ...]]


def _rows() -> list[Row]:
    """One row per line: infinitive, tense, gender, and per person the right forms."""
    rows: list[Row] = []
    for line in GOLDEN.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        infinitive, tense_field, cells = (part.strip() for part in line.split("|"))
        tense, _, gender = tense_field.partition(":")
        expected = tuple(tuple(v.strip() for v in cell.split("/")) for cell in cells.split(","))
        rows.append((infinitive, tense, "f" if gender == "f" else "m", expected))
    return rows


ROWS = _rows()


def _persons(tense: str) -> tuple[int, ...]:
    if tense.startswith("imperativo"):
        return FULL_IMPERATIVE_PERSONS
    return (0,) if tense in ("participio", "gerundio") else tuple(range(6))


def test_the_golden_table_covers_every_tense() -> None:
    assert {tense for _, tense, _, _ in ROWS} >= set(ALL_TENSES)
    assert sum(len(expected) for *_, expected in ROWS) >= 1000


def test_every_irregular_verb_has_golden_forms() -> None:
    covered = {infinitive for infinitive, *_ in ROWS}
    irregular = {
        verb.infinitive
        for verb in lexicon.verbs().values()
        if verb.participle or verb.remoto or verb.irregular or verb.gerund or verb.future_stem
    }
    assert irregular - covered == set()


@pytest.mark.parametrize(
    ("infinitive", "tense", "gender", "expected"), ROWS, ids=[f"{r[0]}-{r[1]}" for r in ROWS]
)
def test_golden_forms(
    infinitive: str, tense: str, gender: Gender, expected: tuple[tuple[str, ...], ...]
) -> None:
    verb = lexicon.verbs()[infinitive]
    if tense == "participio":
        assert (past_participle(verb),) == expected[0]
    elif tense == "gerundio":
        assert (gerund(verb),) == expected[0]
    else:
        persons = _persons(tense)
        assert len(persons) == len(expected)
        actual = tuple(forms(verb, tense, p, gender) for p in persons)  # type: ignore[arg-type]
        assert actual == expected


@pytest.mark.parametrize(
    ("verb", "complement", "tense", "person", "gender", "expected"),
    [
        ("correre", "al parco", "passato_prossimo", 0, "m", "ho corso"),
        ("correre", "a casa", "passato_prossimo", 0, "m", "sono corso"),
        ("salire", "sull'autobus", "passato_prossimo", 2, "f", "è salita"),
        ("salire", "le scale a piedi", "passato_prossimo", 2, "f", "ha salito"),
        ("scendere", "dal treno", "trapassato_prossimo", 5, "f", "erano scese"),
        ("scendere", "le scale di corsa", "trapassato_prossimo", 5, "f", "avevano sceso"),
        ("passare", "le vacanze in montagna", "passato_prossimo", 3, "m", "abbiamo passato"),
        ("passare", "da un amico", "passato_prossimo", 3, "f", "siamo passate"),
        ("cambiare", "casa", "passato_prossimo", 5, "m", "hanno cambiato"),
        ("cambiare", "molto", "passato_prossimo", 5, "m", "sono cambiati"),
        ("crescere", "in campagna", "condizionale_passato", 2, "f", "sarebbe cresciuta"),
        ("crescere", "tre figli", "condizionale_passato", 2, "f", "avrebbe cresciuto"),
    ],
)
def test_auxiliary_follows_the_meaning(
    verb: str, complement: str, tense: TenseName, person: int, gender: Gender, expected: str
) -> None:
    frame = next(f for f in frames() if f.verb == verb and f.it == complement)
    assert forms(frame_verb(frame), tense, person, gender)[0] == expected
