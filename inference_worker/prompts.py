"""What both engines share: the prompt, the JSON schema of the answer, and parsing.

The schema is derived from the contract: the fields of ``Exercise``, exactly ``quantity`` items,
``type`` restricted to the requested types, multiple choice with exactly 4 options. String
lengths are bounded with a ``pattern`` instead of ``maxLength``/``minLength`` (which make
xgrammar emit invalid JSON, xgrammar issue 800), so even a weak model closes its JSON within
``max_tokens``. What a schema cannot say (the answer is one of the options, options are unique)
is checked after parsing by the contract models themselves.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from inference_worker.contract import (
    ContractViolation,
    Exercise,
    GenerateRequest,
    check_exercises,
)

_TYPE_INSTRUCTIONS = {
    "fill_in_blank": (
        "fill_in_blank: una frase con ___ al posto della parola mancante e, tra parentesi, "
        "l'infinito o la forma base; correct_answer è la parola mancante; options è null."
    ),
    "multiple_choice": (
        "multiple_choice: una frase con ___ e 4 opzioni diverse in options, una sola corretta "
        "e uguale a correct_answer; le altre sono forme sbagliate della stessa parola."
    ),
    "translation": (
        "translation: una frase da tradurre (dall'inglese all'italiano o viceversa); "
        "correct_answer è la traduzione; options è null."
    ),
}
_LEVEL_NOTES = {
    "A1": "frasi brevissime, presente, lessico di base",
    "A2": "frasi brevi, passato prossimo e lessico quotidiano",
    "B1": "frasi complete, tempi del passato e futuro",
    "B2": "frasi articolate, condizionale e congiuntivo",
    "C1": "frasi complesse e lessico ricco",
    "C2": "frasi ricercate, registro formale e idiomatico",
}


class UnusableOutput(ValueError):
    """The model's text is not a valid answer to the request."""


def field_pattern(max_chars: int) -> str:
    """A non-blank single-line string of at most ``max_chars`` characters."""
    return f"^[^\\s][^\\n\\r]{{0,{max_chars - 1}}}$"


def response_schema(request: GenerateRequest, *, max_chars: int = 240) -> dict[str, Any]:
    """The JSON schema the engine must follow for this request."""
    text: dict[str, Any] = {"type": "string", "pattern": field_pattern(max_chars)}
    fields = [name for name in Exercise.model_fields if name != "accepted_answers"]
    variants: list[dict[str, Any]] = []
    plain_types = [t for t in request.exercise_types if t != "multiple_choice"]
    if plain_types:
        properties = dict.fromkeys(fields, text)
        properties["type"] = {"type": "string", "enum": plain_types}
        properties["options"] = {"type": "null"}
        variants.append(_object(properties, fields))
    if "multiple_choice" in request.exercise_types:
        properties = dict.fromkeys(fields, text)
        properties["type"] = {"type": "string", "const": "multiple_choice"}
        properties["options"] = {"type": "array", "items": text, "minItems": 4, "maxItems": 4}
        variants.append(_object(properties, fields))
    item = variants[0] if len(variants) == 1 else {"anyOf": variants}
    exercises = {
        "type": "array",
        "items": item,
        "minItems": request.quantity,
        "maxItems": request.quantity,
    }
    return _object({"exercises": exercises}, ["exercises"])


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def system_prompt() -> str:
    """The teacher persona, in Italian."""
    return (
        "Sei un insegnante madrelingua di italiano per stranieri. Scrivi esercizi naturali, "
        "corretti e adatti al livello QCER indicato. Ogni esercizio ha una sola risposta "
        "corretta e una spiegazione breve e chiara per lo studente. Rispondi solo con JSON."
    )


def user_prompt(request: GenerateRequest) -> str:
    """The task for one homework."""
    types = "\n".join(f"- {_TYPE_INSTRUCTIONS[t]}" for t in request.exercise_types)
    return (
        f"Crea {request.quantity} esercizi di italiano.\n"
        f"Livello: {request.cefr_level} ({_LEVEL_NOTES[request.cefr_level]}).\n"
        f"Grammatica: {request.grammar_focus}.\n"
        f"Argomento: {request.topic}.\n"
        f"Tipi di esercizio (alternali):\n{types}\n"
        'Formato: {"exercises": [{"type": ..., "question": ..., "correct_answer": ..., '
        '"options": ..., "explanation": ...}]}'
    )


def messages(request: GenerateRequest) -> list[dict[str, str]]:
    """Chat messages for models with a chat template."""
    return [
        {"role": "system", "content": system_prompt()},
        {"role": "user", "content": user_prompt(request)},
    ]


def render_prompt(tokenizer: Any, request: GenerateRequest) -> str:
    """The prompt text: the model's chat template, or a plain prompt for a base model."""
    if getattr(tokenizer, "chat_template", None):
        rendered: str = tokenizer.apply_chat_template(
            messages(request), tokenize=False, add_generation_prompt=True
        )
        return rendered
    return f"{system_prompt()}\n\n{user_prompt(request)}\n\nJSON:\n"


def parse_exercises(text: str, request: GenerateRequest) -> list[Exercise]:
    """Parse and check the model's JSON; UnusableOutput says why it cannot be used."""
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnusableOutput(f"output is not complete JSON ({exc.msg})") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("exercises"), list):
        raise UnusableOutput("output has no exercises list")
    try:
        exercises = [Exercise.model_validate(item) for item in payload["exercises"]]
        return check_exercises(request, exercises)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UnusableOutput(f"exercise does not satisfy the contract: {first['msg']}") from None
    except ContractViolation as exc:
        raise UnusableOutput(str(exc)) from None
