"""The student table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.core.database import Base, utcnow


class Student(Base):
    __tablename__ = "students"
    __table_args__ = (UniqueConstraint("teacher_id", "email"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    # Null only for students made before accounts existed, until the first administrator adopts them.
    teacher_id: Mapped[int | None] = mapped_column(
        ForeignKey("teachers.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    # The SHA-256 of the pupil's personal link token; the token itself is never stored.
    access_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    access_token_created_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
