"""Assignment operations: creation with its homework, progress, and the derived status."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from api.assignments.exceptions import AssignmentNotFound, NoStudents
from api.assignments.models import Assignment, AssignmentStatus
from api.assignments.schemas import AssignmentCreate, AssignmentRead
from api.classes import service as classes
from api.core.database import utcnow
from api.generation import offline
from api.homework.models import (
    TERMINAL_STATUSES,
    ExerciseSource,
    Homework,
    HomeworkStatus,
)
from api.students import service as students
from api.students.exceptions import UnknownStudents

MAX_REASONS_SHOWN = 3


def recipients(*, db: Session, teacher_id: int, data: AssignmentCreate) -> list[int]:
    """The students who receive the assignment: the class's, then any others named."""
    missing = set(data.student_ids) - students.owned_ids(
        db=db, teacher_id=teacher_id, student_ids=data.student_ids
    )
    if missing:
        raise UnknownStudents(missing)
    chosen: list[int] = []
    if data.class_id is not None:
        chosen = classes.member_ids(db=db, teacher_id=teacher_id, class_id=data.class_id)
    chosen += [i for i in data.student_ids if i not in set(chosen)]
    if not chosen:
        raise NoStudents()
    return chosen


def create(*, db: Session, teacher_id: int, data: AssignmentCreate) -> Assignment:
    """Write the assignment and one pending homework per student in the caller's transaction."""
    student_ids = recipients(db=db, teacher_id=teacher_id, data=data)
    now = utcnow()
    assignment = Assignment(
        teacher_id=teacher_id,
        class_id=data.class_id,
        cefr_level=data.cefr_level,
        grammar_focus=data.grammar_focus,
        topic=data.topic,
        quantity=data.quantity,
        exercise_types=list(data.exercise_types),
        status=AssignmentStatus.pending,
        created_at=now,
        updated_at=now,
    )
    db.add(assignment)
    db.flush()
    db.execute(
        insert(Homework),
        [
            {
                "assignment_id": assignment.id,
                "student_id": student_id,
                "status": HomeworkStatus.pending,
                "attempts": 0,
                "created_at": now,
                "updated_at": now,
            }
            for student_id in student_ids
        ],
    )
    return assignment


def get(*, db: Session, teacher_id: int, assignment_id: int) -> Assignment:
    """One of this teacher's assignments, or AssignmentNotFound (also for another teacher's)."""
    assignment = db.get(Assignment, assignment_id)
    if assignment is None or assignment.teacher_id != teacher_id:
        raise AssignmentNotFound(assignment_id)
    return assignment


def delete(*, db: Session, teacher_id: int, assignment_id: int) -> None:
    """Delete an assignment and all of its homework."""
    get(db=db, teacher_id=teacher_id, assignment_id=assignment_id)
    db.execute(sql_delete(Assignment).where(Assignment.id == assignment_id))


def list_(
    *, db: Session, teacher_id: int, limit: int, offset: int
) -> tuple[Sequence[Assignment], int]:
    """A page of this teacher's assignments, newest first, and the total."""
    owned = Assignment.teacher_id == teacher_id
    total = db.scalar(select(func.count()).select_from(Assignment).where(owned)) or 0
    rows = db.scalars(
        select(Assignment).where(owned).order_by(Assignment.id.desc()).limit(limit).offset(offset)
    ).all()
    return rows, total


def read(*, db: Session, assignments: Sequence[Assignment]) -> list[AssignmentRead]:
    """Assignments with their student ids and per-status homework counts (two queries)."""
    ids = [a.id for a in assignments]
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    student_ids: dict[int, list[int]] = defaultdict(list)
    if ids:
        rows = db.execute(
            select(Homework.assignment_id, Homework.student_id, Homework.status)
            .where(Homework.assignment_id.in_(ids))
            .order_by(Homework.id)
        )
        for assignment_id, student_id, status in rows:
            counts[assignment_id][status] += 1
            student_ids[assignment_id].append(student_id)
    resolutions = {a.id: _resolution(a) for a in assignments}
    return [
        AssignmentRead(
            id=a.id,
            cefr_level=a.cefr_level,
            grammar_focus=a.grammar_focus,
            topic=a.topic,
            quantity=a.quantity,
            exercise_types=list(a.exercise_types),
            student_ids=student_ids[a.id],
            class_id=a.class_id,
            status=a.status,
            homework_counts={s.value: counts[a.id][s.value] for s in HomeworkStatus},
            error_message=a.error_message,
            resolved_focus=resolutions[a.id].focus,
            warnings=list(resolutions[a.id].warnings),
            created_at=a.created_at,
            completed_at=a.completed_at,
        )
        for a in assignments
    ]


def _resolution(assignment: Assignment) -> offline.Resolution:
    """What the offline generator makes of the request (from its table: nothing is stored)."""
    return offline.resolve(
        grammar_focus=assignment.grammar_focus,
        topic=assignment.topic,
        level=assignment.cefr_level,
        exercise_types=list(assignment.exercise_types),
    )


def _summarise(count: int, total: int, what: str, reasons: Counter[str]) -> str:
    shown = "; ".join(reason for reason, _ in reasons.most_common(MAX_REASONS_SHOWN))
    return f"{count} of {total} homework {what}" + (f": {shown}" if shown else "")


def refresh_status(*, db: Session, assignment_id: int) -> None:
    """Derive the assignment's status and error_message from its homework."""
    # Row lock (PostgreSQL): replicas storing homework of one assignment at once take turns, so
    # the last one to commit counts everybody's results. SQLite's write lock already serialises.
    assignment = db.get(Assignment, assignment_id, with_for_update=True, populate_existing=True)
    if assignment is None:
        return
    rows = db.execute(
        select(Homework.status, Homework.source, Homework.fallback_reason).where(
            Homework.assignment_id == assignment_id
        )
    ).all()
    total = len(rows)
    statuses = Counter(status for status, _, _ in rows)
    offline_reasons = Counter(
        reason or "no reason recorded"
        for status, source, reason in rows
        if source == ExerciseSource.fallback and status != HomeworkStatus.failed
    )
    failed_reasons = Counter(
        reason or "no reason recorded"
        for status, _, reason in rows
        if status == HomeworkStatus.failed
    )
    messages = []
    if offline_reasons:
        messages.append(
            _summarise(sum(offline_reasons.values()), total, "generated offline", offline_reasons)
        )
    if failed_reasons:
        messages.append(_summarise(sum(failed_reasons.values()), total, "failed", failed_reasons))
    if total == 0:
        messages.append("no homework left: every student of this assignment was deleted")

    if total and statuses[HomeworkStatus.pending] == total:
        status = AssignmentStatus.pending
    elif any(s not in TERMINAL_STATUSES for s in statuses):
        status = AssignmentStatus.generating
    elif statuses[HomeworkStatus.failed]:
        status = AssignmentStatus.failed
    else:
        status = AssignmentStatus.completed

    done = status in (AssignmentStatus.completed, AssignmentStatus.failed)
    assignment.status = status
    assignment.error_message = "; ".join(messages) or None
    if done and assignment.completed_at is None:
        assignment.completed_at = utcnow()
    elif not done:
        assignment.completed_at = None
    db.flush()


#: How a pupil's homework reads on the live page, by homework status.
GENERATION_STATE = {
    HomeworkStatus.pending: "pending",
    HomeworkStatus.generating: "generating",
    HomeworkStatus.available: "ready",
    HomeworkStatus.in_progress: "ready",
    HomeworkStatus.completed: "ready",
    HomeworkStatus.failed: "failed",
}


def progress(*, db: Session, teacher_id: int, assignment_id: int) -> dict[str, Any]:
    """The live state of an assignment: its status, what degraded, each pupil's homework."""
    from api.students.models import Student  # students depend on nothing here; avoid a cycle

    assignment = get(db=db, teacher_id=teacher_id, assignment_id=assignment_id)
    rows = db.execute(
        select(Homework.id, Homework.student_id, Student.name, Homework.status, Homework.source)
        .join(Student, Student.id == Homework.student_id)
        .where(Homework.assignment_id == assignment_id)
        .order_by(Student.name, Student.id)
    ).all()
    return {
        "status": assignment.status,
        "message": assignment.error_message,
        "homework": [
            {
                "homework_id": homework_id,
                "student_id": student_id,
                "student_name": name,
                "status": GENERATION_STATE.get(HomeworkStatus(status), status),
                "source": {"model": "model", "fallback": "offline"}.get(source or "", ""),
            }
            for homework_id, student_id, name, status, source in rows
        ],
    }
