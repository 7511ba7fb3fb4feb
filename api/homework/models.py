"""The homework table: one student's exercises for one assignment, and its generation lease."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.core.database import Base, utcnow


class HomeworkStatus(StrEnum):
    pending = "pending"
    generating = "generating"
    available = "available"
    in_progress = "in_progress"
    completed = "completed"
    failed = "failed"


#: States in which generation is over (the exercises exist, or even the fallback failed).
TERMINAL_STATUSES = frozenset(
    {
        HomeworkStatus.available,
        HomeworkStatus.in_progress,
        HomeworkStatus.completed,
        HomeworkStatus.failed,
    }
)


class ExerciseSource(StrEnum):
    model = "model"
    fallback = "fallback"


class Homework(Base):
    __tablename__ = "homework"
    __table_args__ = (
        UniqueConstraint("assignment_id", "student_id"),
        Index("ix_homework_status_lease", "status", "lease_expires_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=HomeworkStatus.pending)
    exercises: Mapped[list[Any] | None]
    source: Mapped[str | None] = mapped_column(String(20))
    model_name: Mapped[str | None] = mapped_column(String(200))
    generated_tokens: Mapped[int | None]
    generation_time: Mapped[float | None]
    fallback_reason: Mapped[str | None] = mapped_column(Text)
    # What the offline generator practised (a grammar point, or "general B1 grammar"); null when
    # the exercises came from the model, which was given the teacher's words as they are.
    practised_focus: Mapped[str | None] = mapped_column(String(120))
    attempts: Mapped[int] = mapped_column(default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(120))
    lease_expires_at: Mapped[datetime | None]
    answers: Mapped[list[Any] | None]
    results: Mapped[list[Any] | None]
    score: Mapped[float | None]
    started_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    generated_at: Mapped[datetime | None]
