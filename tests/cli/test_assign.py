"""Assignments with a live progress bar and results exported as CSV, against a real API with no
worker (the offline generator)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import httpx

from tests.cli.conftest import Cli


def test_assign_wait_then_results_as_csv(teacher: Cli, tmp_path: Path) -> None:
    roster = tmp_path / "5a.csv"
    roster.write_text("Bianca Neve,bianca.n@example.com\nDario Fo,dario.f@example.com\n")
    imported = teacher.json("students", "import", str(roster), "--class", "5A")
    links = {row["student_id"]: row["access_url"] for row in imported["rows"]}

    result = teacher(
        "assign", "--class", "5A", "--level", "a2", "--focus", "passato prossimo",
        "--topic", "viaggi", "--quantity", "3", "--types", "fill_in_blank,multiple_choice",
        "--wait",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    summary = result.stdout.strip().splitlines()[0]
    assignment_id = int(summary.split()[1])
    assert "2 of 2 homework ready (0 model, 2 offline)" in summary
    with teacher.http() as http:
        assignment = http.get(f"/api/teacher/assignments/{assignment_id}").json()
        homework = http.get(f"/api/teacher/assignments/{assignment_id}/homework").json()
    assert assignment["status"] == "completed"
    assert assignment["cefr_level"] == "A2" and assignment["quantity"] == 3
    assert {h["source"] for h in homework} == {"fallback"}
    assert "homework ready" in result.stderr  # the progress bar, on stderr
    shown_now = teacher.json("assignments", "show", str(assignment_id), "--wait")
    assert shown_now["status"] == "completed" and shown_now["sources"] == {"model": 0, "offline": 2}
    assert assignment_id in [a["id"] for a in teacher.json("assignments", "list")]

    first = homework[0]
    handed_in, score = first["student_id"], hand_in(teacher.url, first, links[first["student_id"]])
    out = tmp_path / "results.csv"
    teacher.ok("results", str(assignment_id), "--csv", str(out))
    with out.open(encoding="utf-8-sig", newline="") as file:
        rows = {int(r["student_id"]): r for r in csv.DictReader(file)}
    shown = teacher.json("results", str(assignment_id))
    table = teacher.ok("results", str(assignment_id)).stdout

    assert set(rows) == set(links)
    assert rows[handed_in]["status"] == "completed"
    assert float(rows[handed_in]["score"]) == score
    assert rows[handed_in]["handed_in_at"]
    other = next(i for i in rows if i != handed_in)
    assert rows[other]["score"] == "" and rows[other]["handed_in_at"] == ""
    assert rows[other]["total"] == "3"
    assert shown["average_score"] == score and shown["submitted"] == 1
    assert "Handed in: 1 of 2" in table and "Most missed" in table
    [first_type] = [t for t in shown["missed_by_type"] if t["missed"]][:1]
    assert f"{first_type['type']} {first_type['missed']} of {first_type['attempted']}" in table
    assert shown["most_missed"][0]["question"][:20] in table


def hand_in(url: str, homework: dict[str, Any], link: str) -> float:
    """The pupil hands in with their link: every answer right but the first one; the score."""
    answers: list[str | None] = [e["correct_answer"] for e in homework["exercises"]]
    answers[0] = None
    submitted = httpx.post(
        f"{url}/api/student/{homework['student_id']}/homework/{homework['id']}/submissions",
        json={"answers": answers, "final": True},
        headers={"Authorization": f"Bearer {link.rsplit('/', 1)[1]}"},
    )
    assert submitted.status_code == 200, submitted.text
    score = float(submitted.json()["score"])
    assert 0 < score < 100
    return score


def test_the_apis_warnings_are_printed(teacher: Cli, tmp_path: Path) -> None:
    roster = tmp_path / "6a.csv"
    roster.write_text("Ugo Foscolo,ugo.f@example.com\n")
    teacher.ok("students", "import", str(roster), "--class", "6A")

    result = teacher(
        "assign", "--class", "6A", "--level", "B1", "--focus", "astrofisica quantistica", "--json"
    )

    assert result.exit_code == 0, result.output
    created = json.loads(result.stdout)
    assert created["warnings"], created
    for warning in created["warnings"]:
        assert f"warning: {warning}" in result.stderr
    assert f"practises: {created['resolved_focus']}." in result.stderr


def test_unknown_assignment_and_class_are_failures(teacher: Cli) -> None:
    missing = teacher("results", "987654")
    no_class = teacher("assign", "--class", "nope", "--level", "A1")

    assert missing.exit_code == 1 and "987654" in missing.stderr
    assert no_class.exit_code == 1 and "no class called 'nope'" in no_class.stderr
