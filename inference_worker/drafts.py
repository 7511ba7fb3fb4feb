"""What the model writes, and how the worker turns it into the wire contract.

The model is never asked for something it could get wrong in shape: each position of the answer
has its exercise type fixed in the schema (a *type plan* drawn from the requested types, so every
requested type appears whenever the quantity allows), and a multiple-choice exercise is written
as its ``correct_answer`` plus three ``distractors``. The worker assembles ``options`` itself
(answer and distractors, in a seeded shuffle), so the answer is among the options by
construction. The one thing a JSON schema cannot say is that the distractors differ from each
other and from the answer; ``assemble`` checks that per slot, and the service regenerates only
the slots that fail it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from inference_worker.contract import (
    MULTIPLE_CHOICE_OPTIONS,
    Exercise,
    ExerciseType,
    normalise_option,
)

DISTRACTORS = MULTIPLE_CHOICE_OPTIONS - 1
# Keys of pydantic's JSON schema that say nothing to a decoder. ``minLength``/``maxLength`` go
# too: xgrammar emits invalid JSON with them (xgrammar issue 800); lengths are bounded by the
# ``pattern`` below instead, which every constraint backend (llguidance, xgrammar) compiles.
_DOC_KEYS = frozenset({"title", "description", "examples", "default", "minLength", "maxLength"})
# Not written by the model: options are assembled by the worker; alternatives are graded by the
# API itself, so the model's budget goes to the required fields.
_NOT_GENERATED = frozenset({"options", "accepted_answers"})
# What may not open a string: a control character or anything ``str.strip()`` removes (Python's
# ``\s``). Spelled out, because ``\s`` differs between engines (xgrammar's is ASCII only,
# llguidance's lacks U+001C-U+001F) and llama.cpp's server drops a pattern that uses it.
_BLANK_OR_CONTROL = (
    "\\u0000-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
)
# The string fields whose length the schema bounds (``field_chars`` keys).
TEXT_FIELDS = ("question", "correct_answer", "distractors", "explanation")


class UnusableOutput(ValueError):
    """The model's text is not a valid answer to the request."""


def text_pattern(max_chars: int) -> str:
    """Regex of a non-blank single-line string of at most ``max_chars`` characters.

    The first character is neither a space nor a control character, so blank strings are
    impossible; control characters, which JSON would escape into several tokens each, are
    excluded everywhere.
    """
    return f"^[^{_BLANK_OR_CONTROL}][^\\u0000-\\u001f]{{0,{max(max_chars, 1) - 1}}}$"


def type_plan(types: Sequence[ExerciseType], quantity: int, seed: int) -> list[ExerciseType]:
    """The type of each position: every type as often as the others (±1), in a seeded order."""
    rng = random.Random(seed)
    order = list(dict.fromkeys(types))
    rng.shuffle(order)  # which types get the extra slots when quantity is not a multiple
    plan = [order[slot % len(order)] for slot in range(quantity)]
    rng.shuffle(plan)
    return plan


def _bare(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _bare(value) for key, value in node.items() if key not in _DOC_KEYS}
    if isinstance(node, list):
        return [_bare(value) for value in node]
    return node


def slot_schema(exercise_type: ExerciseType, field_chars: dict[str, int]) -> dict[str, Any]:
    """JSON schema of one position: ``type`` fixed, strings bounded, distractors for choice."""
    base = Exercise.model_json_schema()["properties"]

    def text(name: str) -> dict[str, Any]:
        return {"type": "string", "pattern": text_pattern(field_chars[name])}

    properties: dict[str, Any] = {}
    for name, spec in base.items():
        if name in _NOT_GENERATED:
            continue
        if name == "type":
            properties[name] = {"const": exercise_type}
        elif _bare(spec).get("type") == "string":
            properties[name] = text(name)
        else:  # a new generated field of Exercise must be given a shape here first
            raise TypeError(f"no model-facing shape for Exercise.{name}")
        if name == "correct_answer" and exercise_type == "multiple_choice":
            properties["distractors"] = {
                "type": "array",
                "items": text("distractors"),
                "minItems": DISTRACTORS,
                "maxItems": DISTRACTORS,
            }
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def draft_schema(plan: Sequence[ExerciseType], field_chars: dict[str, int]) -> dict[str, Any]:
    """JSON schema of ``{"exercises": [...]}``: one fixed slot schema per position of the plan."""
    # ``maxItems`` alone closes the array after the last slot. ``"items": false`` would say it
    # twice, and llama.cpp's server refuses it (400) in its default (Jinja) mode.
    return {
        "type": "object",
        "properties": {
            "exercises": {
                "type": "array",
                "prefixItems": [slot_schema(kind, field_chars) for kind in plan],
                "minItems": len(plan),
                "maxItems": len(plan),
            }
        },
        "required": ["exercises"],
        "additionalProperties": False,
    }


def parse_drafts(text: str, plan: Sequence[ExerciseType]) -> list[Any]:
    """The list of drafts in the model's JSON; UnusableOutput when there is no such list."""
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnusableOutput(f"output is not complete JSON ({exc.msg})") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("exercises"), list):
        raise UnusableOutput("output has no exercises list")
    drafts: list[Any] = payload["exercises"]
    if len(drafts) != len(plan):
        raise UnusableOutput(f"expected {len(plan)} exercises, got {len(drafts)}")
    return drafts


def shuffled_options(answer: str, distractors: Sequence[str], *, seed: int, slot: int) -> list[str]:
    """The answer among the distractors at a position drawn from ``seed`` and ``slot``."""
    options = [answer, *distractors]
    random.Random(f"{seed}:{slot}").shuffle(options)
    return options


@dataclass(frozen=True)
class Assembled:
    """One slot's outcome: an exercise, or the reason its draft cannot be used."""

    exercise: Exercise | None
    problem: str | None = None


def assemble(draft: Any, exercise_type: ExerciseType, *, seed: int, slot: int) -> Assembled:
    """The exercise a draft describes, or why it cannot be one (e.g. a repeated distractor)."""
    if not isinstance(draft, dict):
        return Assembled(None, "exercise is not an object")
    if draft.get("type") != exercise_type:
        return Assembled(None, f"expected a {exercise_type} exercise, got {draft.get('type')!r}")
    fields = {key: draft.get(key) for key in ("type", "question", "correct_answer", "explanation")}
    if exercise_type == "multiple_choice":
        distractors = draft.get("distractors")
        answer = draft.get("correct_answer")
        if (
            not isinstance(distractors, list)
            or len(distractors) != DISTRACTORS
            or not all(isinstance(d, str) for d in distractors)
            or not isinstance(answer, str)
        ):
            return Assembled(None, f"multiple_choice needs {DISTRACTORS} distractors as strings")
        seen = {normalise_option(answer)}
        for distractor in distractors:
            key = normalise_option(distractor)
            if key in seen:
                return Assembled(
                    None, "distractors must differ from each other and from the answer"
                )
            seen.add(key)
        fields["options"] = shuffled_options(answer, distractors, seed=seed, slot=slot)
    try:
        return Assembled(Exercise.model_validate(fields))
    except ValidationError as exc:
        return Assembled(None, f"exercise does not satisfy the contract: {exc.errors()[0]['msg']}")


class ExerciseCounter:
    """Counts the exercise objects closed so far in partial JSON, fed one chunk at a time.

    A scan of brackets outside strings: ``{"exercises":[{...},{...}`` closes an exercise each
    time an object ends at nesting depth 2. Cheap enough to run on every generated token.
    """

    def __init__(self) -> None:
        self.complete = 0
        self._depth = 0
        self._in_string = False
        self._escaped = False

    def feed(self, chunk: str) -> int:
        """Read more text; returns the number of complete exercises so far."""
        for char in chunk:
            if self._in_string:
                if self._escaped:
                    self._escaped = False
                elif char == "\\":
                    self._escaped = True
                elif char == '"':
                    self._in_string = False
            elif char == '"':
                self._in_string = True
            elif char in "{[":
                self._depth += 1
            elif char in "}]":
                self._depth -= 1
                if char == "}" and self._depth == 2:
                    self.complete += 1
        return self.complete
