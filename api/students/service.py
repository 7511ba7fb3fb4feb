"""Student operations; functions take keyword-only arguments so calls read like sentences."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.core.database import utcnow
from api.students.exceptions import EmailAlreadyRegistered, StudentNotFound
from api.students.models import Student
from api.students.schemas import StudentCreate, StudentRead

_INSERT = insert(Student).returning(Student.id, Student.name, Student.email, Student.created_at)


def create(*, db: Connection, data: StudentCreate) -> StudentRead:
    """Register a student; the email must be new (the unique index decides, race-free)."""
    values = {"name": data.name, "email": data.email, "created_at": utcnow()}
    try:
        row = db.execute(_INSERT, values).one()
    except IntegrityError as exc:
        raise EmailAlreadyRegistered(data.email) from exc
    return StudentRead.model_validate(row._asdict())


def get(*, db: Session, student_id: int) -> Student:
    """One student, or StudentNotFound."""
    student = db.get(Student, student_id)
    if student is None:
        raise StudentNotFound(student_id)
    return student


def list_(*, db: Session, limit: int, offset: int) -> tuple[Sequence[Student], int]:
    """A page of students in creation order, and the total."""
    total = db.scalar(select(func.count()).select_from(Student)) or 0
    rows = db.scalars(select(Student).order_by(Student.id).limit(limit).offset(offset)).all()
    return rows, total


def existing_ids(*, db: Session, student_ids: Sequence[int]) -> set[int]:
    """Which of ``student_ids`` exist."""
    if not student_ids:
        return set()
    return set(db.scalars(select(Student.id).where(Student.id.in_(student_ids))))


def delete(*, db: Session, student_id: int) -> list[int]:
    """Delete a student and their homework; return the assignments that lost homework."""
    from api.homework.models import Homework  # the homework table depends on students

    student = get(db=db, student_id=student_id)
    assignment_ids = list(
        db.scalars(select(Homework.assignment_id).where(Homework.student_id == student_id))
    )
    db.delete(student)
    db.flush()
    return assignment_ids
