"""Pupils and classes: ``students import|list``, ``links``, ``classes list|create``.

A roster is read and checked with the same rules as the web page's import (``api.students.roster``),
then the whole file is checked against the API before anything is written: a file with a refused
row creates nothing unless ``--partial``; if the API refuses a row anyway midway, what this run
created is deleted again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api.cli import session
from api.cli.output import print_json, spreadsheet_safe, table, write_csv
from api.cli.session import EXIT_USAGE, Api, fail, warn

if TYPE_CHECKING:
    from api.students.roster import Roster

students_app = typer.Typer(help="Your pupils: import a roster, list them.", no_args_is_help=True)
classes_app = typer.Typer(help="Your classes.", no_args_is_help=True)

STUDENTS = "/api/teacher/students"
CLASSES = "/api/teacher/classes"
PAGE = 500
ANY_ERROR = range(400, 600)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
ClassOption = Annotated[
    str | None, typer.Option("--class", "-c", help="A class by name, e.g. 3B.", show_default=False)
]


def all_students(api: Api) -> list[dict[str, Any]]:
    """Every pupil of the signed-in teacher, in creation order."""
    return api.paged(STUDENTS, page=PAGE)


def all_classes(api: Api) -> list[dict[str, Any]]:
    """The teacher's classes, by name."""
    return list(api.get(CLASSES))


def find_class(classes: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    """The class with this name (spaces and case do not matter)."""
    wanted = " ".join(name.split()).casefold()
    return next((c for c in classes if " ".join(c["name"].split()).casefold() == wanted), None)


def resolve_class(api: Api, name: str) -> dict[str, Any]:
    """The class called ``name``, or a clear error listing the classes there are."""
    classes = all_classes(api)
    found = find_class(classes, name)
    if found is None:
        names = ", ".join(c["name"] for c in classes) or "none yet"
        fail(
            f"you have no class called {name!r} (your classes: {names}); "
            f"`{session.APP_NAME} classes create NAME` makes one"
        )
    return found


def pupils(api: Api, class_name: str | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Every pupil, or the members of one class; and that class."""
    everyone = all_students(api)
    if class_name is None:
        return everyone, None
    classroom = resolve_class(api, class_name)
    members = set(classroom["student_ids"])
    return [s for s in everyone if s["id"] in members], classroom


# --- students import -------------------------------------------------------------------------


@dataclass
class Outcome:
    """One roster row: what happened to it."""

    line: int
    name: str
    email: str
    outcome: str  # created | existing | refused | skipped
    reason: str | None = None
    student_id: int | None = None
    access_url: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "name": self.name,
            "email": self.email,
            "outcome": self.outcome,
            "reason": self.reason,
            "student_id": self.student_id,
            "access_url": self.access_url,
        }


def _read_roster(path: Path) -> Roster:
    # The web page's rules, imported here: they bring the database layer, which other commands
    # do not need at start-up.
    from api.core.errors import AppError
    from api.students import roster as rosters

    try:
        return rosters.parse(rosters.decode(path.read_bytes()))
    except AppError as exc:
        fail(f"{path}: {exc.detail}")
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")


def _report(outcomes: list[Outcome], classroom: dict[str, Any] | None, json_: bool) -> None:
    counts = {kind: sum(o.outcome == kind for o in outcomes) for kind in OUTCOMES}
    if json_:
        print_json(
            {
                "class": classroom,
                **counts,
                "rows": [o.to_json() for o in outcomes],
            }
        )
        return
    table(
        "Roster",
        ["line", "name", "email", "outcome", "personal link"],
        (
            (
                o.line,
                o.name,
                o.email,
                o.outcome + (f": {o.reason}" if o.reason else ""),
                o.access_url or "",
            )
            for o in outcomes
        ),
    )
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    where = f" in class {classroom['name']}" if classroom else ""
    typer.echo(f"{summary or 'nothing to import'}{where}.")


OUTCOMES = ("created", "existing", "refused", "skipped")


def import_roster(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV roster: name,email per line, with or without a header.",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    class_name: ClassOption = None,
    partial: Annotated[
        bool,
        typer.Option(help="Import the good rows even if some are refused."),
    ] = False,
    json_: JsonOption = False,
) -> None:
    """Import a class roster; a per-row report. A refused row stops the whole file unless
    --partial; pupils already yours are reported (and put in the --class)."""
    roster = _read_roster(file)
    with session.connect() as api:
        existing = {s["email"]: s for s in all_students(api)}
        outcomes: list[Outcome] = []
        to_create: list[tuple[Outcome, dict[str, str]]] = []
        for row in roster.rows:
            outcome = Outcome(row.number, row.name, row.email, "refused", row.problem)
            if row.student is not None:
                known = existing.get(row.student.email)
                if known is not None:
                    outcome.outcome, outcome.reason = "existing", "already one of your pupils"
                    outcome.student_id = known["id"]
                else:
                    outcome.outcome, outcome.reason = "created", None
                    to_create.append((outcome, row.student.model_dump()))
            outcomes.append(outcome)
        refused = [o for o in outcomes if o.outcome == "refused"]
        if refused and not partial:
            for outcome, _ in to_create:
                outcome.outcome, outcome.reason = "skipped", "not imported: the file has errors"
            _report(outcomes, None, json_)
            fail(
                f"{file}: {len(refused)} row(s) refused, so nothing was imported: correct "
                "them, or import the other rows with --partial"
            )

        classroom: dict[str, Any] | None = None
        made_class = False
        if class_name is not None:
            classroom = find_class(all_classes(api), class_name)
            if classroom is None:
                classroom = api.post(CLASSES, json={"name": class_name})
                made_class = True

        created: list[Outcome] = []
        try:
            for outcome, body in to_create:
                response = api.call("POST", STUDENTS, json=body, allow=ANY_ERROR)
                if response.is_success:
                    student = response.json()
                    outcome.student_id = student["id"]
                    outcome.access_url = student["access_url"]
                    created.append(outcome)
                elif response.status_code == 409:  # added meanwhile (another tab, another run)
                    outcome.outcome, outcome.reason = "existing", "already one of your pupils"
                elif partial:
                    outcome.outcome, outcome.reason = "refused", session.error_message(response)
                else:
                    fail(f"line {outcome.line}: {session.error_message(response)}")
        except BaseException:  # refused midway, the API gone, Ctrl-C
            if not partial:
                _undo(api, created, classroom if made_class else None)
                created = []
            raise
        finally:  # the links of pupils who stay are shown only once: keep them
            session.remember_links(
                {o.student_id: o.access_url for o in created if o.student_id and o.access_url}
            )

        if any(o.outcome == "existing" and o.student_id is None for o in outcomes):
            ids = {s["email"]: s["id"] for s in all_students(api)}
            for o in outcomes:
                if o.outcome == "existing" and o.student_id is None:
                    o.student_id = ids.get(o.email.strip().lower())
        if classroom is not None:
            members = [o.student_id for o in outcomes if o.student_id is not None]
            if members:
                classroom = api.post(
                    f"{CLASSES}/{classroom['id']}/students", json={"student_ids": members}
                )
    _report(outcomes, classroom, json_)
    if created and not json_:
        typer.echo(
            "Give each pupil their personal link (shown only now): "
            f"`{session.APP_NAME} links --csv links.csv` writes them to a file."
        )


def _undo(api: Api, created: list[Outcome], new_class: dict[str, Any] | None) -> None:
    """Delete what a failed import created, so that nothing of the file is half-imported."""
    try:
        for outcome in created:
            api.call("DELETE", f"{STUDENTS}/{outcome.student_id}", allow=(404,))
        if new_class is not None:
            api.call("DELETE", f"{CLASSES}/{new_class['id']}", allow=(404,))
    except typer.Exit:
        warn(
            "the pupils created before the error could not all be deleted again: check with "
            f"`{session.APP_NAME} students list`"
        )
    else:
        if created:
            typer.echo(
                f"Nothing was imported: the {len(created)} pupil(s) created before the error "
                "were deleted again.",
                err=True,
            )


# --- students list, links ----------------------------------------------------------------------


def list_students(class_name: ClassOption = None, json_: JsonOption = False) -> None:
    """List your pupils (or one class's)."""
    with session.connect() as api:
        chosen, _ = pupils(api, class_name)
        if json_:
            print_json(chosen)
            return
        classes = all_classes(api)
    membership: dict[int, list[str]] = {}
    for classroom in classes:
        for student_id in classroom["student_ids"]:
            membership.setdefault(student_id, []).append(classroom["name"])
    table(
        None,
        ["id", "name", "email", "classes"],
        ((s["id"], s["name"], s["email"], ", ".join(membership.get(s["id"], []))) for s in chosen),
    )
    typer.echo(f"{len(chosen)} pupil(s).")


def links(
    class_name: ClassOption = None,
    student: Annotated[
        list[int] | None,
        typer.Option("--student", "-s", help="Only this pupil (by id); repeat for more."),
    ] = None,
    csv_path: Annotated[
        Path | None,
        typer.Option(
            "--csv", help="Write student_id,name,email,link to this file.", dir_okay=False
        ),
    ] = None,
    rotate: Annotated[
        bool,
        typer.Option(help="Issue new links; the old ones stop working at once."),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before --rotate.")] = False,
    json_: JsonOption = False,
) -> None:
    """Each pupil's personal link: those issued to this sign-in, or new ones with --rotate."""
    with session.connect() as api:
        chosen, _ = pupils(api, class_name)
        if student:
            wanted = set(student)
            unknown = sorted(wanted - {s["id"] for s in chosen})
            if unknown:
                fail(
                    f"no pupil with id {', '.join(map(str, unknown))}"
                    + (f" in class {class_name}" if class_name else "")
                    + f" (`{session.APP_NAME} students list`)"
                )
            chosen = [s for s in chosen if s["id"] in wanted]
        if rotate and chosen:
            if not yes:
                typer.confirm(
                    f"Issue new links for {len(chosen)} pupil(s)? Their current links stop working",
                    abort=True,
                )
            issued = {
                s["id"]: str(api.post(f"{STUDENTS}/{s['id']}/access-token")["access_url"])
                for s in chosen
            }
            session.remember_links(issued)
            known = issued
        else:
            known = session.known_links()
    rows = [(s["id"], s["name"], s["email"], known.get(s["id"], "")) for s in chosen]
    missing = sum(1 for row in rows if not row[3])
    if csv_path is not None:
        written = write_csv(
            csv_path,
            ["student_id", "name", "email", "link"],
            ((i, spreadsheet_safe(n), e, link) for i, n, e, link in rows),
            private=True,
        )
        typer.echo(f"Wrote {written} pupil(s) to {csv_path} (readable only by you).", err=json_)
    if json_:
        print_json(
            [{"id": i, "name": n, "email": e, "link": link or None} for i, n, e, link in rows]
        )
    elif csv_path is None:
        table(None, ["id", "name", "email", "personal link"], rows)
    if missing:
        warn(
            f"{missing} pupil(s) have no link on record here (a link is shown only when it is "
            "issued): --rotate issues new ones, and their old links stop working"
        )


# --- classes ------------------------------------------------------------------------------------


def list_classes(json_: JsonOption = False) -> None:
    """List your classes."""
    with session.connect() as api:
        classes = all_classes(api)
    if json_:
        print_json(classes)
        return
    table(
        None,
        ["id", "name", "pupils"],
        ((c["id"], c["name"], len(c["student_ids"])) for c in classes),
    )


def create_class(
    name: Annotated[str, typer.Argument(help="The class's name, e.g. 3B.")],
    json_: JsonOption = False,
) -> None:
    """Create an empty class (``students import --class`` also creates one)."""
    if not name.strip():
        fail("give the class a name", EXIT_USAGE)
    with session.connect() as api:
        if find_class(all_classes(api), name) is not None:
            fail(f"you already have a class called {name!r}")
        created = api.post(CLASSES, json={"name": name})
    if json_:
        print_json(created)
    else:
        typer.echo(f"Created class {created['name']} (id {created['id']}).")


students_app.command("import")(import_roster)
students_app.command("list")(list_students)
classes_app.command("list")(list_classes)
classes_app.command("create")(create_class)
