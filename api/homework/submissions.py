"""Saving and grading a student's answers; each submission is one short transaction.

``final: false`` stores the answers (replacing any earlier save) and moves the homework to
``in_progress`` without grading, so saves cannot be used to probe for the right answers.
``final: true`` (the default) grades every exercise, stores answers, verdicts and score, and
completes the homework; answers missing or ``null`` count as unanswered (no points).
Score = (correct + 0.5 × almost) / exercises × 100, rounded to one decimal.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.core.database import utcnow
from api.core.logging import log_event
from api.homework.exceptions import (
    BadChoiceIndex,
    HomeworkAlreadySubmitted,
    HomeworkNotFound,
    HomeworkNotReady,
    TooManyAnswers,
)
from api.homework.grading import grade_any, grade_choice
from api.homework.models import Homework, HomeworkStatus
from api.homework.schemas import ExerciseResult, SubmissionCreate, SubmissionRead

logger = logging.getLogger("api.homework.submissions")

ALMOST_WEIGHT = 0.5
_OPEN = (HomeworkStatus.available, HomeworkStatus.in_progress)


def is_answered(answer: object) -> bool:
    """Whether a stored answer counts as given (``null`` and blank text do not)."""
    return answer is not None and not (isinstance(answer, str) and not answer.strip())


def _resolve_choice(exercise: dict[str, Any], position: int, answer: str | int) -> str:
    """Multiple choice takes the option's text or its 0-based index (a JSON integer, not "2")."""
    if isinstance(answer, int) and not isinstance(answer, bool):
        options = exercise.get("options") or []
        if not 0 <= answer < len(options):
            raise BadChoiceIndex(position, answer)
        return str(options[answer])
    return str(answer)


def grade_exercises(
    exercises: list[dict[str, Any]], answers: list[str | int | None]
) -> tuple[list[ExerciseResult], float]:
    """Verdicts for every exercise (missing answers are unanswered) and the score 0–100."""
    results = []
    points = 0.0
    for index, exercise in enumerate(exercises):
        note: str | None
        answer = answers[index] if index < len(answers) else None
        expected = [exercise["correct_answer"], *(exercise.get("accepted_answers") or [])]
        if answer is None or not is_answered(answer):
            verdict, note = "unanswered", "No answer given."
        else:
            if exercise["type"] == "multiple_choice":
                text = _resolve_choice(exercise, index, answer)
                result = grade_choice(text, exercise["options"] or [], exercise["correct_answer"])
            else:
                result = grade_any(str(answer), expected, blank=exercise["type"] == "fill_in_blank")
            verdict, note = result.verdict, result.note
        points += {"correct": 1.0, "almost": ALMOST_WEIGHT}.get(verdict, 0.0)
        results.append(
            ExerciseResult(
                index=index,
                answer=answer,
                verdict=verdict,  # type: ignore[arg-type]
                note=note,
                expected=exercise["correct_answer"],
                explanation=exercise["explanation"],
            )
        )
    score = round(100 * points / len(exercises), 1) if exercises else 0.0
    return results, score


def submit(
    *, db: Session, student_id: int, homework_id: int, data: SubmissionCreate
) -> SubmissionRead:
    """Save answers (partial) or grade and complete the homework (final)."""
    homework = db.scalar(
        select(Homework).where(Homework.id == homework_id, Homework.student_id == student_id)
    )
    if homework is None:
        raise HomeworkNotFound(student_id, homework_id)
    if homework.status == HomeworkStatus.completed:
        raise HomeworkAlreadySubmitted(homework_id)
    if homework.status not in _OPEN:
        raise HomeworkNotReady(homework_id, homework.status)
    exercises: list[dict[str, Any]] = homework.exercises or []
    if len(data.answers) > len(exercises):
        raise TooManyAnswers(len(data.answers), len(exercises))
    for position, answer in enumerate(data.answers):
        if isinstance(answer, int) and exercises[position]["type"] == "multiple_choice":
            _resolve_choice(exercises[position], position, answer)

    now = utcnow()
    answers = list(data.answers) + [None] * (len(exercises) - len(data.answers))
    values: dict[str, Any] = {"answers": answers, "updated_at": now}
    values["started_at"] = homework.started_at or now
    results: list[ExerciseResult] = []
    score = None
    if data.final:
        results, score = grade_exercises(exercises, answers)
        values |= {
            "status": HomeworkStatus.completed,
            "results": [r.model_dump(mode="json") for r in results],
            "score": score,
            "submitted_at": now,
        }
    else:
        values["status"] = HomeworkStatus.in_progress
    # Conditional on the status read above: of two final submissions at once, one wins.
    stored = db.execute(
        update(Homework)
        .where(Homework.id == homework_id, Homework.status.in_(_OPEN))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not stored.rowcount:  # type: ignore[attr-defined]
        raise HomeworkAlreadySubmitted(homework_id)
    answered = sum(is_answered(a) for a in answers)
    log_event(
        logger,
        "homework.submitted" if data.final else "homework.saved",
        homework_id=homework_id,
        student_id=student_id,
        answered=answered,
        score=score,
    )
    return SubmissionRead(
        homework_id=homework_id,
        status=values["status"],
        answered=answered,
        total=len(exercises),
        score=score,
        results=results,
        started_at=values["started_at"],
        submitted_at=values.get("submitted_at"),
    )
