"""Homework as pupils see it (answers hidden until the hand-in) and as teachers see it (all)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, select

from api.accounts.dependencies import PupilToken, verify_pupil
from api.assignments.models import Assignment
from api.core.database import Database
from api.core.prepared import Prepared
from api.homework.exceptions import HomeworkNotFound, TeacherHomeworkNotFound
from api.homework.models import Homework, HomeworkStatus
from api.homework.schemas import StatusFilter
from api.students.models import Student

#: What a pupil must not see before the final hand-in.
HIDDEN_UNTIL_HANDED_IN = ("correct_answer", "accepted_answers", "explanation")

_COLUMNS = (
    Homework.id,
    Homework.assignment_id,
    Homework.student_id,
    Homework.status,
    Assignment.cefr_level,
    Assignment.grammar_focus,
    Assignment.topic,
    Homework.practised_focus,
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


def _read(row: Row[Any] | dict[str, Any], *, for_pupil: bool) -> dict[str, Any]:
    # Stored exercises were validated against the contract before they were written, so the
    # hot read path serialises the row as it is instead of validating it again.
    data = dict(row) if isinstance(row, dict) else row._asdict()
    exercises = data["exercises"] or []
    if for_pupil and data["status"] != HomeworkStatus.completed:
        exercises = [
            {k: v for k, v in exercise.items() if k not in HIDDEN_UNTIL_HANDED_IN}
            for exercise in exercises
        ]
    data["exercises"] = exercises
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
_ONE = (
    select(*_COLUMNS)
    .join(Assignment, Assignment.id == Homework.assignment_id)
    .where(Homework.id == bindparam("homework_id"), Homework.student_id == bindparam("student_id"))
)
# The REST reads of a pupil check the pupil's token in the same statement (a join on the token's
# hash), so access control costs no extra round trip on the hottest path.
_TOKEN_MATCHES = (Student.id == Homework.student_id) & (
    Student.access_token_hash == bindparam("token_hash")
)
_BY_PUPIL = _BY_STUDENT.join(Student, _TOKEN_MATCHES)
_ONE_OF_PUPIL = _ONE.join(Student, _TOKEN_MATCHES)
_BY_STATUS = Homework.status == bindparam("status")
_FOR_TEACHER = (
    select(*_COLUMNS, Student.name.label("student_name"))
    .join(Assignment, Assignment.id == Homework.assignment_id)
    .join(Student, Student.id == Homework.student_id)
    .where(Assignment.teacher_id == bindparam("teacher_id"))
)
_BY_ASSIGNMENT = _FOR_TEACHER.where(Homework.assignment_id == bindparam("assignment_id")).order_by(
    Student.name, Student.id
)
_ONE_FOR_TEACHER = _FOR_TEACHER.where(Homework.id == bindparam("homework_id"))


def list_for_student(
    *, db: Connection, student_id: int, status: StatusFilter
) -> list[dict[str, Any]]:
    """A pupil's homework (HomeworkRead fields), newest first, optionally of one status."""
    statement = _BY_STUDENT if status == "all" else _BY_STUDENT.where(_BY_STATUS)
    rows = db.execute(statement, {"student_id": student_id, "status": status}).all()
    return [_read(row, for_pupil=True) for row in rows]


def get_for_student(*, db: Connection, student_id: int, homework_id: int) -> dict[str, Any]:
    """One homework of this pupil (HomeworkRead fields); another pupil's is not found."""
    row = db.execute(_ONE, {"student_id": student_id, "homework_id": homework_id}).one_or_none()
    if row is None:
        raise HomeworkNotFound(student_id, homework_id)
    return _read(row, for_pupil=True)


_BY_PUPIL_AND_STATUS = _BY_PUPIL.where(_BY_STATUS)


# On SQLite they are prepared statements (``api.core.prepared``): a pupil's read runs no
# SQLAlchemy machinery at all.
BY_PUPIL = Prepared(_BY_PUPIL)
BY_PUPIL_AND_STATUS = Prepared(_BY_PUPIL_AND_STATUS)
ONE_OF_PUPIL = Prepared(_ONE_OF_PUPIL)


async def _verify(database: Database, pupil: PupilToken) -> None:
    """Why a pupil's read found nothing: 401 for a wrong token, 404 for another pupil's path."""

    def check() -> None:
        with database.single_read() as db:
            verify_pupil(db, pupil)

    await database.run(check)


async def list_for_pupil(
    *, database: Database, pupil: PupilToken, status: StatusFilter
) -> list[dict[str, Any]]:
    """``list_for_student`` for a token not yet checked: checked in the same statement, and
    only an empty answer asks the database why (401, 404, or simply nothing yet)."""
    values = {"student_id": pupil.student_id, "token_hash": pupil.token_hash, "status": status}
    rows = await database.all(BY_PUPIL if status == "all" else BY_PUPIL_AND_STATUS, values)
    if not rows:
        await _verify(database, pupil)
    return [_read(row, for_pupil=True) for row in rows]


async def get_for_pupil(
    *, database: Database, pupil: PupilToken, homework_id: int
) -> dict[str, Any]:
    """``get_for_student`` for a token not yet checked, in the same statement."""
    values = {
        "student_id": pupil.student_id,
        "token_hash": pupil.token_hash,
        "homework_id": homework_id,
    }
    row = await database.one(ONE_OF_PUPIL, values)
    if row is None:
        await _verify(database, pupil)
        raise HomeworkNotFound(pupil.student_id, homework_id)
    return _read(row, for_pupil=True)


def list_for_assignment(
    *, db: Connection, teacher_id: int, assignment_id: int
) -> list[dict[str, Any]]:
    """Every pupil's homework of one of this teacher's assignments, in full, by pupil name."""
    rows = db.execute(
        _BY_ASSIGNMENT, {"teacher_id": teacher_id, "assignment_id": assignment_id}
    ).all()
    return [_read(row, for_pupil=False) for row in rows]


def get_for_teacher(*, db: Connection, teacher_id: int, homework_id: int) -> dict[str, Any]:
    """One homework of this teacher's pupils, in full (answers, verdicts, right answers)."""
    row = db.execute(
        _ONE_FOR_TEACHER, {"teacher_id": teacher_id, "homework_id": homework_id}
    ).one_or_none()
    if row is None:
        raise TeacherHomeworkNotFound(homework_id)
    return _read(row, for_pupil=False)
