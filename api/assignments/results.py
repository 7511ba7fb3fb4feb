"""The teacher's view of how an assignment went: per student, and the most missed exercises."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.assignments import service as assignments
from api.homework import submissions
from api.homework.models import Homework, HomeworkStatus
from api.students.models import Student

MOST_MISSED_SHOWN = 10


class StudentResult(BaseModel):
    student_id: int
    name: str
    homework_id: int
    status: str
    score: float | None = Field(default=None, description="0–100 once submitted.")
    answered: int = Field(description="Exercises answered so far.")
    total: int
    submitted_at: datetime | None = None


class MissedExercise(BaseModel):
    question: str
    type: str
    correct_answer: str
    missed: int = Field(description="Students who answered it incorrectly or left it blank.")
    attempted: int = Field(description="Students who submitted it.")


class MissedByType(BaseModel):
    type: str = Field(examples=["fill_in_blank"])
    missed: int = Field(description="Exercises of this type answered incorrectly or left blank.")
    attempted: int = Field(description="Exercises of this type in submitted homework.")


class AssignmentResults(BaseModel):
    """Per-student progress and scores; the class average; what was most often missed."""

    assignment_id: int
    submitted: int
    total_students: int
    average_score: float | None = Field(default=None, description="Mean of submitted scores.")
    students: list[StudentResult]
    most_missed: list[MissedExercise] = Field(
        description="Exercises (by question) most often missed in submitted homework; students "
        "may have different exercises, so each counts the students who had that one."
    )
    missed_by_type: list[MissedByType] = Field(
        description="The same, by exercise type: meaningful even when every student's exercises "
        "differ. Most missed first."
    )


def results(*, db: Session, teacher_id: int, assignment_id: int) -> AssignmentResults:
    """Gather the results of one of this teacher's assignments."""
    assignments.get(db=db, teacher_id=teacher_id, assignment_id=assignment_id)
    rows = db.execute(
        select(Homework, Student.name)
        .join(Student, Student.id == Homework.student_id)
        .where(Homework.assignment_id == assignment_id)
        .order_by(Student.name, Student.id)
    ).all()
    students = []
    missed: Counter[str] = Counter()
    attempted: Counter[str] = Counter()
    details: dict[str, dict[str, Any]] = {}
    type_missed: Counter[str] = Counter()
    type_attempted: Counter[str] = Counter()
    for homework, name in rows:
        answers = homework.answers or []
        exercises = homework.exercises or []
        students.append(
            StudentResult(
                student_id=homework.student_id,
                name=name,
                homework_id=homework.id,
                status=homework.status,
                score=homework.score,
                answered=sum(submissions.is_answered(a) for a in answers),
                total=len(exercises),
                submitted_at=homework.submitted_at,
            )
        )
        if homework.status != HomeworkStatus.completed:
            continue
        for exercise, result in zip(exercises, homework.results or [], strict=False):
            key = exercise["question"]
            details.setdefault(key, exercise)
            attempted[key] += 1
            type_attempted[exercise["type"]] += 1
            if result["verdict"] in ("incorrect", "unanswered"):
                missed[key] += 1
                type_missed[exercise["type"]] += 1
    scores = [
        s.score for s in students if s.status == HomeworkStatus.completed and s.score is not None
    ]
    return AssignmentResults(
        assignment_id=assignment_id,
        submitted=len(scores),
        total_students=len(students),
        average_score=round(sum(scores) / len(scores), 1) if scores else None,
        students=students,
        most_missed=[
            MissedExercise(
                question=question,
                type=details[question]["type"],
                correct_answer=details[question]["correct_answer"],
                missed=count,
                attempted=attempted[question],
            )
            for question, count in missed.most_common(MOST_MISSED_SHOWN)
        ],
        missed_by_type=sorted(
            (
                MissedByType(type=kind, missed=type_missed[kind], attempted=count)
                for kind, count in type_attempted.items()
            ),
            key=lambda row: (-row.missed, row.type),
        ),
    )
