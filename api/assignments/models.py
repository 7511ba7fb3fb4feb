"""The assignment table: what the teacher asked for, and its derived progress."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api.core.database import Base, utcnow


class AssignmentStatus(StrEnum):
    pending = "pending"
    generating = "generating"
    completed = "completed"
    failed = "failed"


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int | None] = mapped_column(
        ForeignKey("teachers.id", ondelete="CASCADE"), index=True
    )
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="SET NULL"))
    cefr_level: Mapped[str] = mapped_column(String(2))
    grammar_focus: Mapped[str] = mapped_column(String(120))
    topic: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[int]
    exercise_types: Mapped[list[Any]]
    status: Mapped[str] = mapped_column(String(20), default=AssignmentStatus.pending, index=True)
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None]
