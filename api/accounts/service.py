"""Teacher accounts and sign-in tokens; functions take keyword-only arguments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.accounts.exceptions import InvalidCredentials, TeacherEmailTaken, TeacherNotFound
from api.accounts.models import Teacher, TeacherToken
from api.accounts.passwords import hash_password, verify_password
from api.accounts.schemas import TeacherCreate
from api.accounts.tokens import TokenKind, hash_token, new_token
from api.core.database import utcnow
from api.core.prepared import Prepared


@dataclass(frozen=True, slots=True)
class SignedInTeacher:
    """Who a teacher's request comes from, resolved from its bearer token."""

    id: int
    name: str
    email: str
    is_admin: bool
    token_hash: str


def count(*, db: Session) -> int:
    """How many teacher accounts exist."""
    return db.scalar(select(func.count()).select_from(Teacher)) or 0


def list_(*, db: Session) -> Sequence[Teacher]:
    """Every teacher account, oldest first."""
    return db.scalars(select(Teacher).order_by(Teacher.id)).all()


def get(*, db: Session, teacher_id: int) -> Teacher:
    """One teacher account, or TeacherNotFound."""
    teacher = db.get(Teacher, teacher_id)
    if teacher is None:
        raise TeacherNotFound(teacher_id)
    return teacher


def create(*, db: Session, data: TeacherCreate) -> Teacher:
    """A new account; the email must be new. The first account ever made is an administrator."""
    first = count(db=db) == 0
    teacher = Teacher(
        name=data.name,
        email=data.email,
        password_hash=hash_password(data.password),
        is_admin=data.is_admin or first,
    )
    db.add(teacher)
    try:
        db.flush()
    except IntegrityError as exc:
        raise TeacherEmailTaken(data.email) from exc
    if first:
        adopt_orphans(db=db, teacher_id=teacher.id)
    return teacher


def ensure(*, db: Session, email: str, password: str, name: str) -> tuple[Teacher, str]:
    """Make sure this administrator exists with this password; say what was done."""
    teacher = db.scalar(select(Teacher).where(Teacher.email == email.lower()))
    if teacher is None:
        data = TeacherCreate(name=name, email=email, password=password, is_admin=True)
        return create(db=db, data=data), "created"
    changed = "unchanged"
    if not verify_password(password, teacher.password_hash):
        teacher.password_hash = hash_password(password)
        changed = "password updated"
    if not teacher.is_admin:
        teacher.is_admin = True
        changed = "made administrator"
    adopt_orphans(db=db, teacher_id=teacher.id)
    return teacher, changed


def adopt_orphans(*, db: Session, teacher_id: int) -> None:
    """Give students, classes and assignments made before accounts existed to this teacher."""
    from api.models import Assignment, Classroom, Student

    for table in (Student, Classroom, Assignment):
        db.execute(
            update(table)
            .where(table.teacher_id.is_(None))  # type: ignore[attr-defined]
            .values(teacher_id=teacher_id)
            .execution_options(synchronize_session=False)
        )


def authenticate(*, db: Session, email: str, password: str) -> Teacher:
    """The teacher with these credentials, or InvalidCredentials (same error either way)."""
    teacher = db.scalar(select(Teacher).where(Teacher.email == email.strip().lower()))
    if not verify_password(password, teacher.password_hash if teacher else None):
        raise InvalidCredentials()
    assert teacher is not None
    return teacher


def issue_token(*, db: Session, teacher_id: int, ttl: timedelta) -> str:
    """A new bearer token for this teacher; expired tokens are swept at the same time."""
    now = utcnow()
    db.execute(delete(TeacherToken).where(TeacherToken.expires_at < now))
    token = new_token(TokenKind.teacher)
    db.add(
        TeacherToken(
            token_hash=hash_token(token),
            teacher_id=teacher_id,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    db.flush()
    return token


def revoke_token(*, db: Session, token_hash: str) -> None:
    """Make a token useless at once."""
    db.execute(delete(TeacherToken).where(TeacherToken.token_hash == token_hash))


_BY_TOKEN = (
    select(Teacher.id, Teacher.name, Teacher.email, Teacher.is_admin, TeacherToken.expires_at)
    .join(TeacherToken, TeacherToken.teacher_id == Teacher.id)
    .where(
        TeacherToken.token_hash == bindparam("token_hash"),
        TeacherToken.expires_at > bindparam("now"),
    )
)


BY_TOKEN = Prepared(_BY_TOKEN)


def signed_in(*, db: Connection, token_hash: str) -> SignedInTeacher | None:
    """The teacher whose unexpired token has this hash, or None."""
    row = db.execute(_BY_TOKEN, {"token_hash": token_hash, "now": utcnow()}).one_or_none()
    if row is None:
        return None
    return SignedInTeacher(
        id=row.id, name=row.name, email=row.email, is_admin=row.is_admin, token_hash=token_hash
    )
