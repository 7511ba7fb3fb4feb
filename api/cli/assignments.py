"""Assignments: ``assign`` (with a live progress bar), ``assignments list|show``.

Progress is read from the REST API: the assignment's per-status homework counts on every poll,
and, whenever more homework is ready, its homework list for how many came from the model and how
many from the offline generator.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.cli import session
from api.cli.output import console, print_json, table, when
from api.cli.session import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, Api, fail, warn
from api.cli.students import JsonOption, resolve_class

assignments_app = typer.Typer(help="Your assignments.", no_args_is_help=True)

ASSIGNMENTS = "/api/teacher/assignments"
READY = ("available", "in_progress", "completed")
FINAL = ("completed", "failed")


class Level(StrEnum):
    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"


def _types(value: str | None) -> list[str] | None:
    """The exercise types asked for; the API checks them (a newer server may know more)."""
    if value is None:
        return None
    chosen = list(dict.fromkeys(t.strip() for t in value.split(",") if t.strip()))
    if not chosen:
        raise typer.BadParameter("name at least one type, e.g. fill_in_blank,multiple_choice")
    return chosen


@dataclass
class Generation:
    """Where an assignment's generation stands."""

    assignment: dict[str, Any]
    total: int
    ready: int
    failed: int
    model: int
    offline: int

    @property
    def done(self) -> bool:
        return self.assignment["status"] in FINAL

    def sources(self) -> str:
        text = f"{self.model} model · {self.offline} offline"
        return text + (f" · {self.failed} failed" if self.failed else "")


def _counts(assignment: dict[str, Any]) -> tuple[int, int, int]:
    counts: dict[str, int] = assignment.get("homework_counts") or {}
    return sum(counts.values()), sum(counts.get(s, 0) for s in READY), counts.get("failed", 0)


def _sources(api: Api, assignment_id: int) -> tuple[int, int]:
    """(model, offline) among the homework generated so far."""
    homework = api.get(f"{ASSIGNMENTS}/{assignment_id}/homework")
    model = sum(1 for h in homework if h.get("source") == "model" and h["status"] in READY)
    offline = sum(1 for h in homework if h.get("source") == "fallback" and h["status"] in READY)
    return model, offline


class Watcher:
    """Polls one assignment; fetches the homework sources only when more homework is ready."""

    def __init__(self, api: Api, assignment_id: int) -> None:
        self.api = api
        self.assignment_id = assignment_id
        self._seen = -1
        self._model = self._offline = 0

    def poll(self) -> Generation:
        assignment = self.api.get(f"{ASSIGNMENTS}/{self.assignment_id}")
        total, ready, failed = _counts(assignment)
        if ready + failed != self._seen or assignment["status"] in FINAL:
            self._seen = ready + failed
            self._model, self._offline = _sources(self.api, self.assignment_id)
        return Generation(assignment, total, ready, failed, self._model, self._offline)


def watch(api: Api, assignment_id: int, *, timeout: float, interval: float) -> Generation:
    """A live progress bar (on stderr) until the assignment is done; Ctrl-C stops watching only."""
    watcher = Watcher(api, assignment_id)
    started = time.monotonic()
    bar = Progress(
        TextColumn("[bold]homework ready"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[sources]}"),
        TimeElapsedColumn(),
        console=console(stderr=True),
    )
    try:
        with bar:
            state = watcher.poll()
            task = bar.add_task("generating", total=state.total or None, sources=state.sources())
            while True:
                bar.update(
                    task,
                    completed=state.ready + state.failed,
                    total=state.total or None,
                    sources=state.sources(),
                )
                if state.done:
                    return state
                if time.monotonic() - started > timeout:
                    fail(
                        f"assignment {assignment_id} is still generating after {timeout:g} s "
                        f"({state.ready} of {state.total} ready); it goes on on the server: "
                        f"`{session.APP_NAME} assignments show {assignment_id} --wait`"
                    )
                time.sleep(interval)
                state = watcher.poll()
    except KeyboardInterrupt:
        typer.echo(
            f"\nStopped watching. Assignment {assignment_id} keeps generating on the server; "
            f"follow it again with `{session.APP_NAME} assignments show {assignment_id} --wait`.",
            err=True,
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None


def _print_notes(assignment: dict[str, Any]) -> None:
    """The API's warnings (what the offline generator cannot practise) and what it will."""
    for note in assignment.get("warnings") or []:
        warn(str(note))
    resolved = assignment.get("resolved_focus")
    if resolved and str(resolved).casefold() != str(assignment["grammar_focus"]).casefold():
        typer.echo(f"Homework generated offline practises: {resolved}.", err=True)


def _finish(state: Generation, elapsed: float, json_: bool) -> None:
    """The one-line summary (or the final JSON); exit 1 when some homework failed."""
    assignment = state.assignment
    if json_:
        print_json({**assignment, "sources": {"model": state.model, "offline": state.offline}})
    else:
        verdict = "ready" if assignment["status"] == "completed" else "finished with failures"
        typer.echo(
            f"Assignment {assignment['id']} {verdict}: {state.ready} of {state.total} homework "
            f"ready ({state.model} model, {state.offline} offline"
            + (f", {state.failed} failed" if state.failed else "")
            + f") in {elapsed:.1f} s."
        )
        if assignment.get("error_message"):
            typer.echo(f"Note: {assignment['error_message']}")
    if assignment["status"] != "completed":
        raise typer.Exit(EXIT_FAILURE)


def assign(
    level: Annotated[
        Level, typer.Option("--level", "-l", case_sensitive=False, help="CEFR level.")
    ],
    class_name: Annotated[
        str | None,
        typer.Option("--class", "-c", help="Give it to every pupil of this class (by name)."),
    ] = None,
    student: Annotated[
        list[int] | None,
        typer.Option("--student", "-s", help="A pupil by id; repeat for more."),
    ] = None,
    focus: Annotated[
        str, typer.Option("--focus", "-f", help="Grammar point, e.g. 'passato prossimo'.")
    ] = "",
    topic: Annotated[str, typer.Option("--topic", help="Theme, e.g. viaggi.")] = "",
    quantity: Annotated[
        int, typer.Option("--quantity", "-q", min=1, help="Exercises for each pupil.")
    ] = 5,
    types: Annotated[
        str | None,
        typer.Option(
            "--types",
            "-t",
            help="Comma-separated, e.g. fill_in_blank,multiple_choice,translation "
            "(default: every type).",
            show_default=False,
        ),
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", "-w", help="Show live progress until it is ready.")
    ] = False,
    timeout: Annotated[
        float, typer.Option(min=1, help="With --wait: give up watching after these seconds.")
    ] = 900,
    interval: Annotated[float, typer.Option(min=0.1, max=60, hidden=True)] = 0.5,
    json_: JsonOption = False,
) -> None:
    """Create an assignment: one homework per pupil, generated in the background."""
    exercise_types = _types(types)
    if class_name is None and not student:
        fail("say who receives it: --class NAME and/or --student ID", EXIT_USAGE)
    body: dict[str, Any] = {
        "cefr_level": level.value,
        "grammar_focus": focus,
        "topic": topic,
        "quantity": quantity,
        "student_ids": list(student or []),
    }
    if exercise_types is not None:
        body["exercise_types"] = exercise_types
    with session.connect() as api:
        if class_name is not None:
            body["class_id"] = resolve_class(api, class_name)["id"]
        started = time.monotonic()
        created = api.post(ASSIGNMENTS, json=body)
        _print_notes(created)
        pupils = len(created["student_ids"])
        if not wait:
            if json_:
                print_json(created)
            else:
                typer.echo(
                    f"Assignment {created['id']} created for {pupils} pupil(s); generating in "
                    f"the background (`{session.APP_NAME} assignments show {created['id']} "
                    "--wait`)."
                )
            return
        typer.echo(f"Assignment {created['id']} created for {pupils} pupil(s).", err=True)
        state = watch(api, created["id"], timeout=timeout, interval=interval)
    _finish(state, time.monotonic() - started, json_)


def list_assignments(
    limit: Annotated[int, typer.Option(min=1, max=200, help="How many, newest first.")] = 20,
    json_: JsonOption = False,
) -> None:
    """Your assignments, newest first, with their progress."""
    with session.connect() as api:
        rows = api.get(ASSIGNMENTS, params={"limit": limit})
    if json_:
        print_json(rows)
        return
    table(
        None,
        ["id", "created", "level", "focus", "topic", "status", "ready"],
        (
            (
                a["id"],
                when(a["created_at"]),
                a["cefr_level"],
                a["grammar_focus"],
                a["topic"],
                a["status"],
                "{1} of {0}".format(*_counts(a)),
            )
            for a in rows
        ),
    )


def show_assignment(
    assignment_id: Annotated[int, typer.Argument(min=1, help="The assignment's id.")],
    wait: Annotated[
        bool, typer.Option("--wait", "-w", help="Show live progress until it is ready.")
    ] = False,
    timeout: Annotated[float, typer.Option(min=1, help="With --wait: give up after.")] = 900,
    interval: Annotated[float, typer.Option(min=0.1, max=60, hidden=True)] = 0.5,
    json_: JsonOption = False,
) -> None:
    """One assignment and its progress; --wait follows it until it is ready."""
    started = time.monotonic()
    with session.connect() as api:
        if wait:
            state = watch(api, assignment_id, timeout=timeout, interval=interval)
        else:
            state = Watcher(api, assignment_id).poll()
    if wait:
        _finish(state, time.monotonic() - started, json_)
        return
    assignment = state.assignment
    if json_:
        print_json({**assignment, "sources": {"model": state.model, "offline": state.offline}})
        return
    _print_notes(assignment)
    typer.echo(
        f"Assignment {assignment['id']}: {assignment['cefr_level']}, "
        f"{assignment['grammar_focus']}, {assignment['topic']}, {assignment['quantity']} "
        f"exercises ({', '.join(assignment['exercise_types'])}); created "
        f"{when(assignment['created_at'])}."
    )
    typer.echo(
        f"Status {assignment['status']}: {state.ready} of {state.total} homework ready "
        f"({state.sources()})."
    )
    if assignment.get("error_message"):
        typer.echo(f"Note: {assignment['error_message']}")


assignments_app.command("list")(list_assignments)
assignments_app.command("show")(show_assignment)
