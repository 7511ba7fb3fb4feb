"""The wire contract between the API and the inference worker.

Plain Pydantic models with no heavy imports: the API imports this module, the worker serves it.
What the model itself is asked to write (answer and distractors, one fixed type per slot) is
derived from these models in ``inference_worker.drafts``, which assembles its parts into
``Exercise``s, so there is exactly one definition of what an exercise is.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CEFRLevel = Literal["A1", "A2", "B1", "B2", "C1", "C2"]
ExerciseType = Literal["fill_in_blank", "translation", "multiple_choice"]

CEFR_LEVELS: tuple[str, ...] = get_args(CEFRLevel)
EXERCISE_TYPES: tuple[ExerciseType, ...] = get_args(ExerciseType)
MAX_QUANTITY = 20
MULTIPLE_CHOICE_OPTIONS = 4
GENERAL = "general"


def normalise_option(text: str) -> str:
    """An option as it is compared: spaces collapsed, case folded."""
    return " ".join(text.split()).casefold()


class GenerateRequest(BaseModel):
    """What the API asks the worker for: one homework's worth of exercises."""

    model_config = ConfigDict(extra="ignore")

    cefr_level: CEFRLevel = Field(description="CEFR level of the learner.", examples=["A2"])
    grammar_focus: str = Field(
        default=GENERAL,
        max_length=120,
        description="Grammar point to practise; empty means general practice.",
        examples=["passato prossimo"],
    )
    topic: str = Field(
        default=GENERAL,
        max_length=120,
        description="Theme of the sentences; empty means general.",
        examples=["viaggi"],
    )
    quantity: int = Field(
        default=5, ge=1, le=MAX_QUANTITY, description="Number of exercises.", examples=[5]
    )
    exercise_types: list[ExerciseType] = Field(
        default_factory=lambda: list(EXERCISE_TYPES),
        min_length=1,
        description="Exercise types to mix, in any order.",
        examples=[["fill_in_blank", "multiple_choice"]],
    )
    max_tokens: int = Field(default=2048, ge=64, le=16384, description="Generation budget.")
    temperature: float = Field(default=0.7, ge=0.0, le=2.0, description="Sampling temperature.")
    seed: int | None = Field(default=None, description="Sampling seed, for reproducible output.")
    stream: bool = Field(
        default=False,
        description="Answer NDJSON progress events and a final one instead of one JSON body.",
    )

    @field_validator("cefr_level", mode="before")
    @classmethod
    def _upper_level(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("grammar_focus", "topic", mode="before")
    @classmethod
    def _general_when_empty(cls, value: Any) -> Any:
        if value is None:
            return GENERAL
        if isinstance(value, str):
            value = " ".join(value.split())
            return value or GENERAL
        return value

    @field_validator("exercise_types")
    @classmethod
    def _dedupe_types(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class Exercise(BaseModel):
    """One exercise as a student sees it."""

    model_config = ConfigDict(extra="ignore")

    type: ExerciseType = Field(description="Kind of exercise.", examples=["fill_in_blank"])
    question: str = Field(
        min_length=1,
        description="The prompt shown to the student; a blank is written as ___.",
        examples=["Ieri io ___ (andare) al cinema con Marco."],
    )
    correct_answer: str = Field(
        min_length=1, description="The expected answer.", examples=["sono andato"]
    )
    options: list[str] | None = Field(
        default=None,
        description="Multiple choice only: exactly 4 unique options, one of them the answer.",
        examples=[None],
    )
    explanation: str = Field(
        min_length=1,
        description="Why the answer is right, for the learner.",
        examples=["'Andare' forma il passato prossimo con 'essere'."],
    )
    accepted_answers: list[str] | None = Field(
        default=None, description="Other answers that are also right (translations)."
    )

    @field_validator("question", "correct_answer", "explanation")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise ValueError("must not be blank")
        return stripped

    @model_validator(mode="after")
    def _check_options(self) -> Exercise:
        if self.type != "multiple_choice":
            if self.options:
                raise ValueError(f"options are only allowed for multiple_choice, not {self.type}")
            self.options = None
            return self
        options = [option.strip() for option in self.options or []]
        if len(options) != MULTIPLE_CHOICE_OPTIONS:
            raise ValueError(
                f"multiple_choice needs exactly {MULTIPLE_CHOICE_OPTIONS} options, got {len(options)}"
            )
        if any(not option for option in options):
            raise ValueError("multiple_choice options must not be blank")
        normalised = [normalise_option(option) for option in options]
        if len(set(normalised)) != len(normalised):
            raise ValueError("multiple_choice options must be unique")
        if normalise_option(self.correct_answer) not in normalised:
            raise ValueError("multiple_choice correct_answer must be one of the options")
        self.options = options
        return self


class GenerateResponse(BaseModel):
    """What the worker answers: the exercises and how they were made."""

    model_config = ConfigDict(extra="ignore", protected_namespaces=())

    exercises: list[Exercise]
    generated_tokens: int = Field(ge=0)
    inference_time: float = Field(ge=0)
    model: str
    finish_reason: str


class ContractViolation(ValueError):
    """An answer that parses but does not satisfy the request (wrong count or types)."""


def check_exercises(request: GenerateRequest, exercises: list[Exercise]) -> list[Exercise]:
    """Check what the schema alone cannot: the count and the requested types."""
    if len(exercises) != request.quantity:
        raise ContractViolation(f"expected {request.quantity} exercises, got {len(exercises)}")
    unexpected = sorted({e.type for e in exercises} - set(request.exercise_types))
    if unexpected:
        raise ContractViolation(f"exercise types not requested: {', '.join(unexpected)}")
    return exercises
