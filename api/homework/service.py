"""Homework as students see it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, select

from api.assignments.models import Assignment
from api.homework.exceptions import HomeworkNotFound
from api.homework.models import Homework
from api.homework.schemas import StatusFilter
from api.students.exceptions import StudentNotFound
from api.students.models import Student

_COLUMNS = (
    Homework.id,
    Homework.assignment_id,
    Homework.student_id,
    Homework.status,
    Assignment.cefr_level,
    Assignment.grammar_focus,
    Assignment.topic,
    Homework.exercises,
    Homework.source,
    Homework.model_name,
    Homework.generated_tokens,
    Homework.generation_time,
    Homework.created_at,
    Homework.generated_at,
    Homework.answers,
    Homework.results,
    Homework.score,
    Homework.started_at,
    Homework.submitted_at,
)


def _utc(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def _read(row: Row[Any]) -> dict[str, Any]:
    # Stored exercises were validated against the contract before they were written, so the
    # hot read path serialises the row as it is instead of validating it again.
    data = row._asdict()
    data["exercises"] = data["exercises"] or []
    for key, value in data.items():
        if isinstance(value, datetime):
            data[key] = _utc(value)
    return data


# Statements built once: building a select costs more than running it on SQLite.
_BY_STUDENT = (
    select(*_COLUMNS)
    .join(Assignment, Assignment.id == Homework.assignment_id)
    .where(Homework.student_id == bindparam("student_id"))
    .order_by(Homework.id.desc())
)
_BY_STUDENT_AND_STATUS = _BY_STUDENT.where(Homework.status == bindparam("status"))
_STUDENT_EXISTS = select(Student.id).where(Student.id == bindparam("student_id"))
_ONE = (
    select(*_COLUMNS)
    .join(Assignment, Assignment.id == Homework.assignment_id)
    .where(Homework.id == bindparam("homework_id"), Homework.student_id == bindparam("student_id"))
)


def list_for_student(
    *, db: Connection, student_id: int, status: StatusFilter
) -> list[dict[str, Any]]:
    """A student's homework (HomeworkRead fields), newest first, optionally of one status."""
    if status == "all":
        rows = db.execute(_BY_STUDENT, {"student_id": student_id}).all()
    else:
        rows = db.execute(
            _BY_STUDENT_AND_STATUS, {"student_id": student_id, "status": status}
        ).all()
    if not rows and db.execute(_STUDENT_EXISTS, {"student_id": student_id}).first() is None:
        raise StudentNotFound(student_id)
    return [_read(row) for row in rows]


def get_for_student(*, db: Connection, student_id: int, homework_id: int) -> dict[str, Any]:
    """One homework of this student (HomeworkRead fields); another student's is not found."""
    row = db.execute(_ONE, {"student_id": student_id, "homework_id": homework_id}).one_or_none()
    if row is None:
        raise HomeworkNotFound(student_id, homework_id)
    return _read(row)
