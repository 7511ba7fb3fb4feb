"""Homework as students see it."""

from __future__ import annotations

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from api.assignments.models import Assignment
from api.homework.exceptions import HomeworkNotFound
from api.homework.models import Homework
from api.homework.schemas import HomeworkRead, StatusFilter
from api.students import service as students

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
)


def _read(row: Row[tuple[object, ...]]) -> HomeworkRead:
    data = row._asdict()
    data["exercises"] = data["exercises"] or []
    return HomeworkRead.model_validate(data)


def list_for_student(*, db: Session, student_id: int, status: StatusFilter) -> list[HomeworkRead]:
    """A student's homework, newest first, optionally of one status."""
    students.get(db=db, student_id=student_id)
    query = (
        select(*_COLUMNS)
        .join(Assignment, Assignment.id == Homework.assignment_id)
        .where(Homework.student_id == student_id)
        .order_by(Homework.id.desc())
    )
    if status != "all":
        query = query.where(Homework.status == status)
    return [_read(row) for row in db.execute(query)]


def get_for_student(*, db: Session, student_id: int, homework_id: int) -> HomeworkRead:
    """One homework of this student; another student's homework is not found."""
    row = db.execute(
        select(*_COLUMNS)
        .join(Assignment, Assignment.id == Homework.assignment_id)
        .where(Homework.id == homework_id, Homework.student_id == student_id)
    ).one_or_none()
    if row is None:
        raise HomeworkNotFound(student_id, homework_id)
    return _read(row)
