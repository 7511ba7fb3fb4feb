"""Response bodies of the student homework endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from api.core.text import PlainLine
from inference_worker.contract import MAX_QUANTITY, Exercise

StatusFilter = Literal[
    "all", "pending", "generating", "available", "in_progress", "completed", "failed"
]


class PupilExercise(BaseModel):
    """An exercise as the pupil sees it: the right answer comes only with the hand-in."""

    type: str = Field(examples=["multiple_choice"])
    question: str = Field(examples=["Noi ___ al mare la settimana scorsa."])
    options: list[str] | None = Field(
        default=None, examples=[["abbiamo andato", "siamo andati", "siamo andato", "siete andati"]]
    )
    correct_answer: str | None = Field(
        default=None, description="Absent until the homework is handed in (final submission)."
    )
    accepted_answers: list[str] | None = Field(
        default=None, description="Absent until the homework is handed in."
    )
    explanation: str | None = Field(
        default=None, description="Absent until the homework is handed in."
    )


class HomeworkRead(BaseModel):
    """One pupil's homework for one assignment, as the pupil sees it."""

    model_config = {"protected_namespaces": ()}

    id: int = Field(examples=[7])
    assignment_id: int = Field(examples=[1])
    student_id: int = Field(examples=[1])
    status: str = Field(
        description="pending, generating, available, in_progress, completed or failed.",
        examples=["available"],
    )
    cefr_level: str = Field(examples=["A2"])
    grammar_focus: str = Field(examples=["passato prossimo"])
    topic: str = Field(examples=["viaggi"])
    practised_focus: str | None = Field(
        default=None,
        description="What homework generated offline practises: a grammar point of the offline "
        "generator, or general grammar of the level when it could not practise grammar_focus; "
        "null for exercises written by the model.",
        examples=["passato prossimo"],
    )
    exercises: list[PupilExercise] = Field(
        description="Empty until the homework is available; correct_answer, accepted_answers "
        "and explanation are left out until the homework is handed in.",
        examples=[
            [
                {"type": "fill_in_blank", "question": "Ieri Marta ___ (partire) per Roma."},
                {
                    "type": "multiple_choice",
                    "question": "Noi ___ al mare la settimana scorsa.",
                    "options": ["abbiamo andato", "siamo andati", "siamo andato", "siete andati"],
                },
            ]
        ],
    )
    source: str | None = Field(
        default=None, description="model (GPU worker) or fallback (offline generator)."
    )
    model_name: str | None = Field(default=None, examples=["Qwen/Qwen2.5-7B-Instruct-AWQ"])
    generated_tokens: int | None = None
    generation_time: float | None = Field(default=None, description="Seconds spent generating.")
    created_at: datetime
    generated_at: datetime | None = None
    answers: list[str | int | None] | None = Field(
        default=None, description="The student's saved answers, in exercise order."
    )
    results: list[ExerciseResult] | None = Field(
        default=None, description="Verdicts, once the homework is submitted."
    )
    score: float | None = Field(default=None, description="0–100, once submitted.", examples=[80.0])
    started_at: datetime | None = Field(default=None, description="First saved answer.")
    submitted_at: datetime | None = Field(default=None, description="Final submission.")


class TeacherHomeworkRead(HomeworkRead):
    """One pupil's homework as their teacher sees it: everything, right answers included."""

    student_name: str = Field(examples=["Giulia Rossi"])
    exercises: list[Exercise] = Field(  # type: ignore[assignment]
        description="Empty until the homework is available.",
        examples=[
            [
                {
                    "type": "fill_in_blank",
                    "question": "Ieri Marta ___ (partire) per Roma.",
                    "correct_answer": "è partita",
                    "options": None,
                    "explanation": "'Partire' takes 'essere'; the participle agrees: partita.",
                },
            ]
        ],
    )


class SubmissionCreate(BaseModel):
    """A student's answers: one per exercise, in order; ``null`` leaves one unanswered."""

    model_config = ConfigDict(extra="forbid")

    # StrictInt: JSON true or 1.5 is a mistake, not option 1.
    answers: list[Annotated[str, PlainLine, Field(max_length=500)] | StrictInt | None] = Field(
        max_length=MAX_QUANTITY,
        description="One per exercise, in order: text, or for multiple choice the option's text "
        "or its 0-based index (a JSON integer); null or fewer answers leave exercises unanswered.",
        examples=[["sono andato", 2, "I went to Rome"]],
    )
    final: StrictBool = Field(
        default=True,
        description="true grades and completes the homework; false only saves progress.",
        examples=[True],
    )


class ExerciseResult(BaseModel):
    """The verdict on one answer."""

    index: int = Field(description="0-based position of the exercise.", examples=[0])
    answer: str | int | None = Field(examples=["sono andato"])
    verdict: Literal["correct", "almost", "incorrect", "unanswered"] = Field(examples=["correct"])
    note: str | None = Field(default=None, examples=[None])
    expected: str = Field(examples=["sono andato"])
    explanation: str = Field(examples=["'Andare' takes essere in the passato prossimo."])


class SubmissionRead(BaseModel):
    """What a submission did: saved progress, or the graded homework."""

    homework_id: int
    status: str = Field(description="in_progress after a save, completed after the final one.")
    answered: int = Field(description="Exercises with an answer.")
    total: int
    score: float | None = Field(
        default=None,
        description="0–100: correct counts 1, almost 0.5; only on the final submission.",
    )
    results: list[ExerciseResult] = Field(
        default_factory=list, description="Per-exercise verdicts; empty for a partial save."
    )
    started_at: datetime | None = None
    submitted_at: datetime | None = None


HomeworkRead.model_rebuild()
TeacherHomeworkRead.model_rebuild()
