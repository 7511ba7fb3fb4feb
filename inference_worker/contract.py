"""The wire contract between the API and the inference worker.

Plain Pydantic models with no heavy imports: the API imports this module, the worker serves it.
The JSON schema handed to an engine for constrained decoding is derived from the same models, so
there is exactly one definition of what an exercise is.
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


def _normalise_option(text: str) -> str:
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
        normalised = [_normalise_option(option) for option in options]
        if len(set(normalised)) != len(normalised):
            raise ValueError("multiple_choice options must be unique")
        if _normalise_option(self.correct_answer) not in normalised:
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


# -- the JSON schema handed to an engine for constrained decoding ------------------------------

# Keys of pydantic's JSON schema that say nothing to a decoder. ``minLength``/``maxLength`` go
# too: xgrammar emits invalid JSON with them (xgrammar issue 800); lengths are bounded by the
# ``pattern`` below instead, which every constraint backend (llguidance, xgrammar) compiles.
_DOC_KEYS = frozenset({"title", "description", "examples", "default", "minLength", "maxLength"})
# Optional, and the API grades alternatives itself: the model's budget goes to required fields.
_NOT_GENERATED = frozenset({"accepted_answers"})


def text_pattern(max_chars: int) -> str:
    """Regex of a non-blank single-line string of at most ``max_chars`` characters.

    The first character is not a space, so blank strings are impossible; control characters,
    which JSON would escape into several tokens each, are excluded.
    """
    return f"^[^\\s][^\\u0000-\\u001f]{{0,{max(max_chars, 1) - 1}}}$"


def _bare(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _bare(value) for key, value in node.items() if key not in _DOC_KEYS}
    if isinstance(node, list):
        return [_bare(value) for value in node]
    return node


def exercises_json_schema(
    request: GenerateRequest, *, field_chars: dict[str, int]
) -> dict[str, Any]:
    """JSON schema of ``{"exercises": [...]}`` for this request, derived from ``Exercise``.

    Exactly ``quantity`` items; ``type`` limited to the requested types; every string bounded by
    ``field_chars[name]`` through a pattern; ``options`` an array of exactly 4 strings for
    multiple choice and null otherwise (one ``anyOf`` branch per shape). What a schema cannot
    say (options unique, the answer among them) is checked by ``Exercise`` after parsing.
    """
    base = Exercise.model_json_schema()
    names = [name for name in base["properties"] if name not in _NOT_GENERATED]

    def text(name: str) -> dict[str, Any]:
        return {"type": "string", "pattern": text_pattern(field_chars[name])}

    def variant(types: list[str], options: dict[str, Any]) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        for name in names:
            spec = _bare(base["properties"][name])
            if name == "type":
                spec["enum"] = types
            elif name == "options":
                spec = options
            elif spec.get("type") == "string":
                spec = text(name)
            properties[name] = spec
        # Every field is required, options included: the output has one fixed shape.
        return {
            "type": "object",
            "properties": properties,
            "required": names,
            "additionalProperties": False,
        }

    variants = []
    plain: list[str] = [t for t in request.exercise_types if t != "multiple_choice"]
    if plain:
        variants.append(variant(plain, {"type": "null"}))
    if "multiple_choice" in request.exercise_types:
        four = {
            "type": "array",
            "items": text("options"),
            "minItems": MULTIPLE_CHOICE_OPTIONS,
            "maxItems": MULTIPLE_CHOICE_OPTIONS,
        }
        variants.append(variant(["multiple_choice"], four))
    return {
        "type": "object",
        "properties": {
            "exercises": {
                "type": "array",
                "items": variants[0] if len(variants) == 1 else {"anyOf": variants},
                "minItems": request.quantity,
                "maxItems": request.quantity,
            }
        },
        "required": ["exercises"],
        "additionalProperties": False,
    }
