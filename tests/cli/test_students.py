"""Roster import, pupils' links and classes from the command line, against a real API."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path
from typing import Any

import httpx

from tests.cli.conftest import Cli


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def emails(cli: Cli) -> set[str]:
    with cli.http() as http:
        return {s["email"] for s in http.get("/api/teacher/students?limit=500").json()}


def classes(cli: Cli) -> dict[str, dict[str, Any]]:
    with cli.http() as http:
        return {c["name"]: c for c in http.get("/api/teacher/classes").json()}


def test_a_roster_with_a_bad_row_creates_nothing(teacher: Cli, tmp_path: Path) -> None:
    roster = write(
        tmp_path / "roster.csv",
        "name,email\nAnna Verdi,anna.v@example.com\nLuca Neri,not-an-email\n"
        "Sofia Gialli,sofia.g@example.com\n",
    )
    before = emails(teacher)

    result = teacher("students", "import", str(roster), "--class", "1A")

    assert result.exit_code == 1
    assert "1 row(s) refused" in result.stderr and "--partial" in result.stderr
    assert "invalid email address" in result.stdout and "not-an-email" in result.stdout
    assert emails(teacher) == before
    assert "1A" not in classes(teacher)


def test_partial_imports_the_good_rows_into_a_new_class(teacher: Cli, tmp_path: Path) -> None:
    roster = write(
        tmp_path / "roster.csv",
        "Paolo Rossi;paolo.r@example.com\nMissing Email\nElena Bruni;ELENA.B@example.com\n",
    )

    report = teacher.json("students", "import", str(roster), "--class", "2A", "--partial")
    again = teacher.json("students", "import", str(roster), "--class", "2A", "--partial")

    outcomes = {row["line"]: row for row in report["rows"]}
    assert [outcomes[n]["outcome"] for n in (1, 2, 3)] == ["created", "refused", "created"]
    assert outcomes[2]["reason"] == "missing email"
    assert {"paolo.r@example.com", "elena.b@example.com"} <= emails(teacher)
    created_ids = {outcomes[1]["student_id"], outcomes[3]["student_id"]}
    assert set(classes(teacher)["2A"]["student_ids"]) == created_ids
    assert (report["created"], report["refused"]) == (2, 1)
    assert (again["created"], again["existing"], again["refused"]) == (0, 2, 1)
    for n in (1, 3):  # the link printed once opens that pupil's homework
        token = outcomes[n]["access_url"].rsplit("/", 1)[1]
        homework = httpx.get(
            f"{teacher.url}/api/student/{outcomes[n]['student_id']}/homework",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert homework.status_code == 200, homework.text


def test_links_csv_and_rotation(teacher: Cli, tmp_path: Path) -> None:
    roster = write(
        tmp_path / "roster.csv",
        "email,nome\nchiara.l@example.com,Chiara Lupo\n=cmd@example.com,=Formula Name\n",
    )
    imported = teacher.json("students", "import", str(roster), "--class", "3B")
    issued = {row["student_id"]: row["access_url"] for row in imported["rows"]}
    assert len(issued) == 2 and all(issued.values())

    out = tmp_path / "links.csv"
    teacher.ok("links", "--class", "3B", "--csv", str(out))
    with out.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))

    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert {int(r["student_id"]): r["link"] for r in rows} == issued
    assert {r["name"] for r in rows} == {"Chiara Lupo", "'=Formula Name"}

    rotated = teacher.json("links", "--class", "3B", "--rotate", "--yes")
    listed = teacher.json("links", "--class", "3B")

    new_links = {row["id"]: row["link"] for row in rotated}
    assert new_links == {row["id"]: row["link"] for row in listed}
    for student_id, old in issued.items():
        assert new_links[student_id] != old
        for link, expected in ((old, 401), (new_links[student_id], 200)):
            answer = httpx.get(
                f"{teacher.url}/api/student/{student_id}/homework",
                headers={"Authorization": f"Bearer {link.rsplit('/', 1)[1]}"},
            )
            assert answer.status_code == expected, (link, answer.text)


def test_rotation_asks_first(teacher: Cli) -> None:
    refused = teacher("links", "--rotate", input="n\n")

    assert refused.exit_code == 1
    assert "stop working" in refused.output


def test_listings_as_json_and_classes_by_name(teacher: Cli, tmp_path: Path) -> None:
    roster = write(tmp_path / "r.csv", "Irene Sole,irene.s@example.com\n")
    teacher.ok("classes", "create", "4C")
    teacher.ok("students", "import", str(roster), "--class", " 4c ")  # the same class

    listed = teacher.json("students", "list", "--class", "4C")
    every = teacher.json("students", "list")
    known = teacher.json("classes", "list")
    missing = teacher("students", "list", "--class", "9Z")
    twice = teacher("classes", "create", "4C")

    assert [s["email"] for s in listed] == ["irene.s@example.com"]
    assert {s["email"] for s in every} == emails(teacher)
    assert {c["name"] for c in known} == set(classes(teacher))
    assert missing.exit_code == 1 and "no class called '9Z'" in missing.stderr
    assert "4C" in missing.stderr
    assert twice.exit_code == 1
    table = teacher.ok("students", "list", "--class", "4C").stdout
    assert "Irene Sole" in table and "1 pupil(s)" in table
    assert json.loads(teacher.ok("classes", "list", "--json").stdout) == known
