"""Student operations; every function takes the owning teacher and filters by it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.accounts.tokens import TokenKind, hash_token, new_token
from api.core.database import Database, utcnow
from api.core.prepared import Prepared
from api.students.exceptions import EmailAlreadyRegistered, StudentNotFound
from api.students.models import Student
from api.students.schemas import StudentCreate, StudentRead

_INSERT = insert(Student).returning(Student.id, Student.name, Student.email, Student.created_at)
_BY_TOKEN = select(Student.id).where(Student.access_token_hash == bindparam("token_hash"))
BY_TOKEN = Prepared(_BY_TOKEN)


_COLUMNS = (
    "teacher_id",
    "name",
    "email",
    "access_token_hash",
    "access_token_created_at",
    "created_at",
)
INSERT = Prepared(_INSERT, column_keys=_COLUMNS)


def _new_student(teacher_id: int, data: StudentCreate) -> tuple[dict[str, object], str]:
    """The row of a new student, and their access token (only its hash is stored)."""
    token = new_token(TokenKind.student)
    now = utcnow()
    values = {
        "teacher_id": teacher_id,
        "name": data.name,
        "email": data.email,
        "access_token_hash": hash_token(token),
        "access_token_created_at": now,
        "created_at": now,
    }
    return values, token


def create(*, db: Connection, teacher_id: int, data: StudentCreate) -> tuple[StudentRead, str]:
    """Register a student in the caller's transaction (a roster import adds many in one)."""
    values, token = _new_student(teacher_id, data)
    try:
        row = db.execute(_INSERT, values).one()
    except IntegrityError as exc:
        raise EmailAlreadyRegistered(data.email) from exc
    return StudentRead.model_validate(row._asdict()), token


async def register(
    *, database: Database, teacher_id: int, data: StudentCreate
) -> tuple[StudentRead, str]:
    """Register one student in its own transaction: one prepared INSERT ... RETURNING."""
    values, token = _new_student(teacher_id, data)
    try:
        row = await database.write_one(INSERT, values)
    except IntegrityError as exc:
        raise EmailAlreadyRegistered(data.email) from exc
    return StudentRead.model_validate(row), token


def get(*, db: Session, teacher_id: int, student_id: int) -> Student:
    """One of this teacher's students, or StudentNotFound (also for another teacher's)."""
    student = db.get(Student, student_id)
    if student is None or student.teacher_id != teacher_id:
        raise StudentNotFound(student_id)
    return student


def list_(
    *, db: Session, teacher_id: int, limit: int, offset: int
) -> tuple[Sequence[Student], int]:
    """A page of this teacher's students in creation order, and the total."""
    owned = Student.teacher_id == teacher_id
    total = db.scalar(select(func.count()).select_from(Student).where(owned)) or 0
    rows = db.scalars(
        select(Student).where(owned).order_by(Student.id).limit(limit).offset(offset)
    ).all()
    return rows, total


def owned_ids(*, db: Session, teacher_id: int, student_ids: Sequence[int]) -> set[int]:
    """Which of ``student_ids`` are this teacher's students."""
    if not student_ids:
        return set()
    return set(
        db.scalars(
            select(Student.id).where(Student.id.in_(student_ids), Student.teacher_id == teacher_id)
        )
    )


def rotate_access_token(*, db: Session, teacher_id: int, student_id: int) -> str:
    """A new access token for the student; the old one stops working at once."""
    get(db=db, teacher_id=teacher_id, student_id=student_id)
    token = new_token(TokenKind.student)
    db.execute(
        update(Student)
        .where(Student.id == student_id)
        .values(access_token_hash=hash_token(token), access_token_created_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return token


def student_for_token(*, db: Connection, token_hash: str) -> int | None:
    """The id of the student whose access token has this hash, or None."""
    return db.execute(_BY_TOKEN, {"token_hash": token_hash}).scalar_one_or_none()


def delete(*, db: Session, teacher_id: int, student_id: int) -> None:
    """Delete a student and their homework; the assignments that lost homework are re-evaluated."""
    # Assignments and homework depend on students, not the reverse: imported here.
    from api.assignments import service as assignments
    from api.homework.models import Homework

    student = get(db=db, teacher_id=teacher_id, student_id=student_id)
    assignment_ids = set(
        db.scalars(select(Homework.assignment_id).where(Homework.student_id == student_id))
    )
    db.delete(student)
    db.flush()
    for assignment_id in sorted(assignment_ids):
        assignments.refresh_status(db=db, assignment_id=assignment_id)
