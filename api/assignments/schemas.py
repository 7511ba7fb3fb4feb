"""Request and response bodies of the assignments endpoints."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from api.core.ids import StudentId
from api.core.text import clean_line
from api.generation.offline import FOCUSES, KNOWN_GRAMMAR_FOCUSES, KNOWN_TOPICS
from api.homework.models import HomeworkStatus
from inference_worker.contract import (
    EXERCISE_TYPES,
    GENERAL,
    MAX_QUANTITY,
    CEFRLevel,
    ExerciseType,
)


class AssignmentCreate(BaseModel):
    """What the teacher asks for: one homework per student is generated from it."""

    model_config = ConfigDict(extra="forbid")

    cefr_level: CEFRLevel = Field(description="CEFR level, A1 to C2.", examples=["A2"])
    grammar_focus: str = Field(
        default=GENERAL,
        max_length=120,
        description="Grammar point to practise, in Italian or English; empty means general. "
        "The model is given these words as they are; the offline generator (used when no worker "
        f"answers) knows: {', '.join(KNOWN_GRAMMAR_FOCUSES)}, and says in the response's "
        "warnings when it cannot practise what was asked.",
        examples=[
            k for k in ("passato prossimo", "articoli determinativi", "ci e ne") if k in FOCUSES
        ],
    )
    topic: str = Field(
        default=GENERAL,
        max_length=120,
        description="Theme of the sentences; empty means general. "
        f"The offline generator knows: {', '.join(KNOWN_TOPICS)}.",
        examples=["viaggi"],
    )
    quantity: StrictInt = Field(
        default=5, ge=1, le=MAX_QUANTITY, description="Exercises per student.", examples=[5]
    )
    exercise_types: list[ExerciseType] = Field(
        default_factory=lambda: list(EXERCISE_TYPES),
        min_length=1,
        description=f"Any of: {', '.join(EXERCISE_TYPES)}.",
        examples=[["fill_in_blank", "multiple_choice", "translation"]],
    )
    student_ids: list[StudentId] = Field(
        default_factory=list,
        max_length=1000,
        description="Your students who receive it; with class_id, they are added to the class.",
        examples=[[1, 2]],
    )
    class_id: StudentId | None = Field(
        default=None,
        description="One of your classes: every student in it receives the assignment.",
        examples=[None],
    )

    @field_validator("cefr_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("grammar_focus", "topic", mode="before")
    @classmethod
    def _general_when_empty(cls, value: object) -> object:
        # null is refused (the schema says string): an empty string or leaving the field out
        # means general practice.
        if isinstance(value, str):
            return clean_line(value) or GENERAL
        return value

    @field_validator("exercise_types")
    @classmethod
    def _no_duplicate_types(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @field_validator("student_ids")
    @classmethod
    def _unique_students(cls, value: list[int]) -> list[int]:
        duplicates = sorted(i for i, n in Counter(value).items() if n > 1)
        if duplicates:
            raise ValueError(f"duplicate student id(s) {', '.join(map(str, duplicates))}")
        return value


class AssignmentRead(BaseModel):
    """An assignment with the progress of its homework."""

    id: int = Field(examples=[1])
    cefr_level: str = Field(examples=["A2"])
    grammar_focus: str = Field(examples=["passato prossimo"])
    topic: str = Field(examples=["viaggi"])
    quantity: int = Field(examples=[5])
    exercise_types: list[str] = Field(examples=[["fill_in_blank", "multiple_choice"]])
    student_ids: list[int] = Field(examples=[[1, 2]])
    class_id: int | None = Field(default=None, examples=[None])
    status: str = Field(
        description="pending, generating, completed, or failed (some homework has no exercises).",
        examples=["completed"],
    )
    homework_counts: dict[str, int] = Field(
        description="How many of its homework are in each status.",
        examples=[{s.value: (2 if s == "available" else 0) for s in HomeworkStatus}],
    )
    error_message: str | None = Field(
        default=None,
        description="What degraded, e.g. how many homework were generated offline and why.",
        examples=[None],
    )
    resolved_focus: str = Field(
        description="What homework generated offline practises: a grammar point of the offline "
        "generator, or general (the level's mix) when it cannot practise grammar_focus.",
        examples=["passato prossimo"],
    )
    warnings: list[str] = Field(
        default_factory=list,
        description="Plain sentences on what the offline generator cannot practise as asked "
        "(grammar point, topic, level, exercise type); empty when it can.",
        examples=[
            [
                "'periodo ipotetico' is not in the offline generator: homework generated "
                "offline will practise general B1 grammar."
            ]
        ],
    )
    created_at: datetime
    completed_at: datetime | None = None
