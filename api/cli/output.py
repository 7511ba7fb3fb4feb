"""How the command line prints: rich tables for people, JSON for scripts, CSV for spreadsheets."""

from __future__ import annotations

import contextlib
import csv
import json
import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from api.cli.session import fail


def console(*, stderr: bool = False) -> Console:
    """A console for this call (bound to the current stdout/stderr, as test runners swap them)."""
    return Console(stderr=stderr, highlight=False)


def print_json(data: Any) -> None:
    """JSON on stdout, nothing else."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A table on stdout; cells are plain text (a name with [brackets] is not markup)."""
    grid = Table(title=title, title_justify="left")
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*(Text("" if value is None else str(value)) for value in row))
    console().print(grid)


def when(value: str | None) -> str:
    """An API timestamp as local date and time, minutes precision."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *, private: bool = False
) -> int:
    """Write a CSV file Excel reads correctly (UTF-8 with a BOM); the rows written.

    ``private`` files (pupils' links are their passwords) are readable only by the user.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    count = 0
    try:
        descriptor = os.open(
            temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644
        )
        with os.fdopen(descriptor, "w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            for row in rows:
                writer.writerow(["" if value is None else value for value in row])
                count += 1
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        fail(f"cannot write {path}: {exc.strerror or exc}")
    return count
