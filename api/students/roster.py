"""A class roster, pasted or uploaded as CSV: read and checked row by row (pure functions), then
imported through the students service, each row on its own so one refused row never stops the
others.

What a roster may look like, because that is what teachers have at hand:
- UTF-8 with or without a BOM; Windows-1252 or Latin-1 when it is not valid UTF-8 (older Excel);
  UTF-16 with a BOM (Excel's "Unicode text");
- commas, semicolons (Excel set to Italian) or tabs (cells copied from a spreadsheet and pasted);
- an optional header row naming the columns ``name``/``nome`` and ``email`` in any order;
- blank lines anywhere, spaces around values, quoted names with commas in them.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy.orm import Session

from api.classes import service as classes
from api.classes.schemas import ClassCreate, ClassRead
from api.core.errors import Invalid
from api.core.logging import log_event
from api.students import service as students
from api.students.exceptions import EmailAlreadyRegistered
from api.students.schemas import StudentCreate, StudentRead

logger = logging.getLogger("api.students.roster")

MAX_ROWS = 1000
DELIMITERS = (",", ";", "\t")
NAME_HEADERS = frozenset(
    {"name", "full name", "student", "nome", "nome e cognome", "nome completo", "studente"}
)
EMAIL_HEADERS = frozenset({"email", "e-mail", "mail", "email address", "indirizzo email"})
_LOOKS_LIKE_EMAIL = re.compile(r"[^\s@,;\"]+@[^\s@,;\"]+")
# How many rows are enough to tell the separator.
_SAMPLE_ROWS = 50
# Zip (xlsx, ods) and the old OLE2 format (xls): a workbook, not a CSV file.
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


class RosterUnreadable(Invalid):
    """The roster is not text we can read as rows."""


class EmptyRoster(Invalid):
    def __init__(self) -> None:
        super().__init__(
            "The roster has no students: paste one pupil per line as name and email "
            "(for example: Giulia Rossi, giulia@example.com), or choose a CSV file."
        )


class RosterTooLong(Invalid):
    def __init__(self) -> None:
        super().__init__(
            f"The roster has more than {MAX_ROWS} rows: import at most {MAX_ROWS} pupils at "
            "once, splitting the file in parts."
        )


@dataclass(frozen=True)
class RosterRow:
    """One row of the roster: its line, the values as written, and the student or why not."""

    number: int
    values: tuple[str, ...]
    name: str
    email: str
    student: StudentCreate | None = None
    problem: str | None = None


@dataclass(frozen=True)
class Roster:
    """The rows of a roster (blank lines and the header left out)."""

    rows: tuple[RosterRow, ...]
    delimiter: str
    has_header: bool


@dataclass(frozen=True)
class RowOutcome:
    """What importing one row did: a student with their access token, or the reason why not."""

    row: RosterRow
    student: StudentRead | None = None
    token: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class ImportResult:
    """Every row's outcome, and the class the new students joined (if one was chosen)."""

    outcomes: tuple[RowOutcome, ...]
    classroom: ClassRead | None

    @property
    def created(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.student is not None]

    @property
    def refused(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.student is None]


def decode(data: bytes) -> str:
    """The text of an uploaded roster file, whatever its usual encoding."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass  # not UTF-16 after all; the checks below explain what is wrong
    if data.startswith(_WORKBOOK_MAGIC):
        raise RosterUnreadable(
            "This file is a spreadsheet workbook, not a CSV file: in your spreadsheet choose "
            "File › Save as (or Download) › CSV, then choose that file here."
        )
    if b"\x00" in data:
        raise RosterUnreadable(
            "This file is not a text file: save the roster as CSV (UTF-8) and choose that file."
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # every byte is a Latin-1 character


def parse(text: str) -> Roster:
    """Read a roster's rows and check each one; RosterTooLong beyond MAX_ROWS rows."""
    text = text.removeprefix("\ufeff")
    delimiter = _delimiter(text)
    lines = list(_rows(text, delimiter, limit=MAX_ROWS + 2))  # a header and one row too many
    if not lines:
        raise EmptyRoster()
    first_number, first = lines[0]
    columns = _header(first)
    if columns is not None:
        lines = lines[1:]
    if not lines:
        raise EmptyRoster()
    if len(lines) > MAX_ROWS:
        raise RosterTooLong()
    name_at, email_at, width = columns or (0, 1, 2)
    rows: list[RosterRow] = []
    first_seen: dict[str, int] = {}
    for number, values in lines:
        row = _check(number, values, name_at=name_at, email_at=email_at, width=width)
        if row.student is not None:
            earlier = first_seen.setdefault(row.student.email, number)
            if earlier != number:
                row = RosterRow(
                    number,
                    row.values,
                    row.name,
                    row.email,
                    problem=f"duplicate in the file: the same email as row {earlier}",
                )
        rows.append(row)
    return Roster(rows=tuple(rows), delimiter=delimiter, has_header=columns is not None)


def import_roster(
    *,
    db: Session,
    teacher_id: int,
    roster: Roster,
    class_id: int | None = None,
    new_class: ClassCreate | None = None,
) -> ImportResult:
    """Create the roster's valid rows as this teacher's students, each row in a savepoint (an
    email already taken is reported, not fatal), then add them to a class: an existing one or
    a new one. A class that is not found or a name that is taken stops the import before any
    student is written."""
    classroom_id = class_id
    if new_class is not None:
        classroom_id = classes.create(db=db, teacher_id=teacher_id, data=new_class).id
    elif class_id is not None:
        classes.get(db=db, teacher_id=teacher_id, class_id=class_id)
    outcomes: list[RowOutcome] = []
    for row in roster.rows:
        if row.student is None:
            outcomes.append(RowOutcome(row, reason=row.problem))
            continue
        try:
            with db.begin_nested():
                student, token = students.create(
                    db=db.connection(), teacher_id=teacher_id, data=row.student
                )
        except EmailAlreadyRegistered:
            outcomes.append(RowOutcome(row, reason="already one of your students"))
            continue
        outcomes.append(RowOutcome(row, student=student, token=token))
    created_ids = [o.student.id for o in outcomes if o.student is not None]
    classroom: ClassRead | None = None
    if classroom_id is not None and created_ids:
        classroom = classes.add_members(
            db=db, teacher_id=teacher_id, class_id=classroom_id, student_ids=created_ids
        )
    elif classroom_id is not None:
        chosen = classes.get(db=db, teacher_id=teacher_id, class_id=classroom_id)
        classroom = classes.read(db=db, classes=[chosen])[0]
    result = ImportResult(outcomes=tuple(outcomes), classroom=classroom)
    log_event(
        logger,
        "roster.imported",
        teacher_id=teacher_id,
        created=len(created_ids),
        refused=len(outcomes) - len(created_ids),
        class_id=classroom_id,
    )
    return result


def _rows(text: str, delimiter: str, *, limit: int) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Non-blank rows as (line number where the row starts, trimmed values), at most ``limit``."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    count = 0
    ended_at = 0
    try:
        for record in reader:
            starts_at = ended_at + 1
            ended_at = reader.line_num
            # A line break or tab inside a cell (Alt+Enter in a spreadsheet) is only layout.
            values = tuple(" ".join(value.split()) for value in record)
            while values and not values[-1]:  # trailing separators, as spreadsheets write them
                values = values[:-1]
            if not values:
                continue
            yield starts_at, values
            count += 1
            if count >= limit:
                return
    except csv.Error as exc:
        raise RosterUnreadable(
            f"Line {ended_at + 1} of the roster cannot be read ({exc}): "
            "check its quotes, or save the roster again as CSV."
        ) from None


def _delimiter(text: str) -> str:
    """The separator that puts email addresses in a column of their own on most rows."""

    def score(delimiter: str) -> tuple[int, int]:
        try:
            sample = [values for _, values in _rows(text, delimiter, limit=_SAMPLE_ROWS)]
        except RosterUnreadable:
            return -1, -1
        emails = sum(1 for values in sample for v in values if _LOOKS_LIKE_EMAIL.fullmatch(v))
        pairs = sum(1 for values in sample if len(values) == 2)
        return emails, pairs

    return max(DELIMITERS, key=score)  # ties keep the first: comma, then semicolon


def _header(values: Sequence[str]) -> tuple[int, int, int] | None:
    """(name column, email column, columns) when the row names the columns, else None."""
    names = [" ".join(v.lower().replace("_", " ").split()) for v in values]
    name_at = next((i for i, v in enumerate(names) if v in NAME_HEADERS), None)
    email_at = next((i for i, v in enumerate(names) if v in EMAIL_HEADERS), None)
    if name_at is None or email_at is None:
        return None
    return name_at, email_at, len(values)


def _check(
    number: int, values: tuple[str, ...], *, name_at: int, email_at: int, width: int
) -> RosterRow:
    """One row checked as a new student, with the problem in plain words when it is refused."""
    name = values[name_at] if name_at < len(values) else ""
    email = values[email_at] if email_at < len(values) else ""

    def refused(problem: str) -> RosterRow:
        return RosterRow(number, values, name, email, problem=problem)

    if len(values) > width:
        extra = ", ".join(repr(v) for v in values[width:] if v)
        return refused(
            f"too many columns: {len(values)} values where only name and email were "
            f"expected (extra: {extra})"
        )
    if len(values) == 1 and "@" in values[0]:
        return refused("missing name: only an email address")
    if not email:
        return refused("missing email")
    if not name:
        return refused("missing name")
    try:
        student = StudentCreate(name=name, email=email)
    except ValidationError as exc:
        return refused("; ".join(_explain(error) for error in exc.errors()))
    return RosterRow(number, values, name, email, student=student)


def _explain(error: ErrorDetails) -> str:
    """A validation error of StudentCreate in a teacher's words."""
    field = error["loc"][0] if error["loc"] else ""
    context = error.get("ctx") or {}
    if field == "email":
        reason = context.get("reason")
        return f"invalid email address ({reason})" if reason else "invalid email address"
    if error["type"] == "string_too_long":
        return f"{field} is longer than {context.get('max_length')} characters"
    if error["type"] == "string_too_short":
        return f"missing {field}"
    return f"{field} {error['msg'].removeprefix('Value error, ')}"
