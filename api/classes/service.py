"""Class operations; every function takes the owning teacher and filters by it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import delete as sql_delete
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.classes.exceptions import ClassNameTaken, ClassNotFound
from api.classes.models import ClassMember, Classroom
from api.classes.schemas import ClassCreate, ClassRead
from api.core.database import utcnow
from api.students import service as students
from api.students.exceptions import StudentNotFound, UnknownStudents


def create(*, db: Session, teacher_id: int, data: ClassCreate) -> ClassRead:
    """A new, empty class; names are unique per teacher."""
    classroom = Classroom(teacher_id=teacher_id, name=data.name, created_at=utcnow())
    db.add(classroom)
    try:
        db.flush()
    except IntegrityError as exc:
        raise ClassNameTaken(data.name) from exc
    return read(db=db, classes=[classroom])[0]


def get(*, db: Session, teacher_id: int, class_id: int) -> Classroom:
    """One of this teacher's classes, or ClassNotFound (also for another teacher's)."""
    classroom = db.get(Classroom, class_id)
    if classroom is None or classroom.teacher_id != teacher_id:
        raise ClassNotFound(class_id)
    return classroom


def list_(*, db: Session, teacher_id: int) -> Sequence[Classroom]:
    """This teacher's classes by name."""
    return db.scalars(
        select(Classroom).where(Classroom.teacher_id == teacher_id).order_by(Classroom.name)
    ).all()


def read(*, db: Session, classes: Sequence[Classroom]) -> list[ClassRead]:
    """Classes with their members' ids (one query)."""
    members: dict[int, list[int]] = defaultdict(list)
    ids = [c.id for c in classes]
    if ids:
        rows = db.execute(
            select(ClassMember.class_id, ClassMember.student_id)
            .where(ClassMember.class_id.in_(ids))
            .order_by(ClassMember.student_id)
        )
        for class_id, student_id in rows:
            members[class_id].append(student_id)
    return [
        ClassRead(id=c.id, name=c.name, student_ids=members[c.id], created_at=c.created_at)
        for c in classes
    ]


def member_ids(*, db: Session, teacher_id: int, class_id: int) -> list[int]:
    """The students of one of this teacher's classes."""
    get(db=db, teacher_id=teacher_id, class_id=class_id)
    return list(
        db.scalars(
            select(ClassMember.student_id)
            .where(ClassMember.class_id == class_id)
            .order_by(ClassMember.student_id)
        )
    )


def add_members(
    *, db: Session, teacher_id: int, class_id: int, student_ids: Sequence[int]
) -> ClassRead:
    """Add this teacher's students to the class; already members stay as they are."""
    classroom = get(db=db, teacher_id=teacher_id, class_id=class_id)
    missing = set(student_ids) - students.owned_ids(
        db=db, teacher_id=teacher_id, student_ids=student_ids
    )
    if missing:
        raise UnknownStudents(missing)
    present = set(
        db.scalars(select(ClassMember.student_id).where(ClassMember.class_id == class_id))
    )
    new = [i for i in student_ids if i not in present]
    if new:
        now = utcnow()
        db.execute(
            insert(ClassMember),
            [{"class_id": class_id, "student_id": i, "added_at": now} for i in new],
        )
    return read(db=db, classes=[classroom])[0]


def remove_member(*, db: Session, teacher_id: int, class_id: int, student_id: int) -> None:
    """Take a student out of a class (the student and their homework stay)."""
    get(db=db, teacher_id=teacher_id, class_id=class_id)
    removed = db.execute(
        sql_delete(ClassMember).where(
            ClassMember.class_id == class_id, ClassMember.student_id == student_id
        )
    )
    if not removed.rowcount:  # type: ignore[attr-defined]
        raise StudentNotFound(student_id)


def delete(*, db: Session, teacher_id: int, class_id: int) -> None:
    """Delete a class; its students and assignments stay."""
    get(db=db, teacher_id=teacher_id, class_id=class_id)
    db.execute(sql_delete(Classroom).where(Classroom.id == class_id))
