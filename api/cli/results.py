"""``results ASSIGNMENT_ID``: how an assignment went, as a table, JSON or a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli import session
from api.cli.output import print_json, spreadsheet_safe, table, when, write_csv
from api.cli.students import JsonOption

#: The columns of the web page's results.csv, so both files read the same.
CSV_HEADER = ("student_id", "name", "status", "score", "answered", "total", "handed_in_at")
MOST_MISSED_SHOWN = 5


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def results(
    assignment_id: Annotated[int, typer.Argument(min=1, help="The assignment's id.")],
    csv_path: Annotated[
        Path | None,
        typer.Option("--csv", help="Write one row per pupil to this file.", dir_okay=False),
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Scores and hand-in times per pupil, the class average, the most-missed exercises."""
    with session.connect() as api:
        body: dict[str, Any] = api.get(f"/api/teacher/assignments/{assignment_id}/results")
    students: list[dict[str, Any]] = body["students"]
    if csv_path is not None:
        written = write_csv(
            csv_path,
            CSV_HEADER,
            (
                (
                    s["student_id"],
                    spreadsheet_safe(s["name"]),
                    s["status"],
                    _score(s.get("score")),
                    s["answered"],
                    s["total"],
                    s.get("submitted_at") or "",
                )
                for s in students
            ),
        )
        typer.echo(f"Wrote {written} pupil(s) to {csv_path}.", err=json_)
    if json_:
        print_json(body)
        return
    if csv_path is not None:
        return
    table(
        f"Assignment {assignment_id}",
        ["pupil", "status", "score", "answered", "handed in"],
        (
            (
                s["name"],
                s["status"],
                _score(s.get("score")),
                f"{s['answered']} of {s['total']}",
                when(s.get("submitted_at")),
            )
            for s in students
        ),
    )
    average = body.get("average_score")
    typer.echo(
        f"Handed in: {body['submitted']} of {body['total_students']}"
        + (f"; class average {average:g}" if average is not None else "")
        + "."
    )
    by_type = body.get("missed_by_type") or []
    if by_type:
        typer.echo(
            "Missed by type: "
            + ", ".join(f"{t['type']} {t['missed']} of {t['attempted']}" for t in by_type)
            + "."
        )
    missed = body.get("most_missed") or []
    if missed:
        table(
            "Most missed",
            ["question", "type", "right answer", "missed"],
            (
                (
                    m["question"],
                    m["type"],
                    m["correct_answer"],
                    f"{m['missed']} of {m['attempted']}",
                )
                for m in missed[:MOST_MISSED_SHOWN]
            ),
        )
