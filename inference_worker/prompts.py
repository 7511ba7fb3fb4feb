"""What both engines share: the prompt, the JSON schema of the answer, and parsing.

The schema comes from the contract (``exercises_json_schema``): the fields of ``Exercise``,
exactly ``quantity`` items, ``type`` restricted to the requested types, multiple choice with
exactly 4 options. String lengths are bounded with a ``pattern`` instead of
``maxLength``/``minLength`` (which make xgrammar emit invalid JSON, xgrammar issue 800), and the
bounds shrink with ``max_tokens`` so even a weak model closes its JSON within its budget. What a
schema cannot say (the answer is one of the options, options are unique) is checked after
parsing by the contract models themselves.
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
    exercises_json_schema,
    text_pattern,
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


# Shares of the longest string (``--max-field-chars``) each field may use: answers and options
# are words or short phrases, questions and explanations sentences.
FIELD_SHARES = {"question": 1.0, "correct_answer": 0.5, "options": 0.25, "explanation": 1.0}
MIN_FIELD_CHARS = 8
# Tokens of JSON syntax, keys and the ``type`` value per exercise (compact JSON).
STRUCTURE_TOKENS_PER_EXERCISE = 40
# Conservative: Italian prose is about 3.5-4 characters per token for current tokenizers.
CHARS_PER_TOKEN = 2.0


def field_pattern(max_chars: int) -> str:
    """A non-blank single-line string of at most ``max_chars`` characters."""
    return text_pattern(max_chars)


def field_limits(request: GenerateRequest, *, max_chars: int = 240) -> dict[str, int]:
    """Longest string per field: ``max_chars`` shares, shrunk so the JSON fits ``max_tokens``.

    A constraint engine cannot count tokens, so the budget is estimated: if every string used
    its whole bound at ``CHARS_PER_TOKEN``, the answer should still close before
    ``max_tokens``. A model that writes longer tokens than that only finishes sooner; one that
    does not fit anyway stops at ``max_tokens`` with invalid JSON, which the service retries and
    then reports (502) with the advice to raise ``max_tokens``.
    """
    limits = {
        name: max(MIN_FIELD_CHARS, int(max_chars * share)) for name, share in FIELD_SHARES.items()
    }
    options = 4 if "multiple_choice" in request.exercise_types else 0
    per_exercise = sum(limits.values()) - limits["options"] + options * limits["options"]
    text_tokens = request.max_tokens - request.quantity * STRUCTURE_TOKENS_PER_EXERCISE
    affordable = max(text_tokens, 0) * CHARS_PER_TOKEN / request.quantity
    if affordable < per_exercise:
        scale = affordable / per_exercise
        limits = {name: max(MIN_FIELD_CHARS, int(chars * scale)) for name, chars in limits.items()}
    return limits


def response_schema(request: GenerateRequest, *, max_chars: int = 240) -> dict[str, Any]:
    """The JSON schema the engine must follow for this request."""
    return exercises_json_schema(request, field_chars=field_limits(request, max_chars=max_chars))


def system_prompt() -> str:
    """The teacher persona, in Italian."""
    return (
        "Sei un insegnante madrelingua di italiano per stranieri. Scrivi esercizi naturali, "
        "corretti e adatti al livello QCER indicato. Ogni esercizio ha una sola risposta "
        "corretta e una spiegazione breve e chiara per lo studente. Rispondi solo con JSON."
    )


def user_prompt(request: GenerateRequest, field_chars: dict[str, int] | None = None) -> str:
    """The task for one homework; ``field_chars`` are the schema's length bounds, if any."""
    types = "\n".join(f"- {_TYPE_INSTRUCTIONS[t]}" for t in request.exercise_types)
    lengths = ""
    if field_chars:  # the schema cuts longer strings short: better the model knows
        lengths = (
            f"Lunghezza massima in caratteri: question {field_chars['question']}, "
            f"correct_answer {field_chars['correct_answer']}, "
            f"ogni opzione {field_chars['options']}, explanation {field_chars['explanation']}.\n"
        )
    return (
        f"Crea {request.quantity} esercizi di italiano.\n"
        f"Livello: {request.cefr_level} ({_LEVEL_NOTES[request.cefr_level]}).\n"
        f"Grammatica: {request.grammar_focus}.\n"
        f"Argomento: {request.topic}.\n"
        f"Tipi di esercizio (alternali):\n{types}\n"
        f"{lengths}"
        'Formato: {"exercises": [{"type": ..., "question": ..., "correct_answer": ..., '
        '"options": ..., "explanation": ...}]}'
    )


def messages(
    request: GenerateRequest, field_chars: dict[str, int] | None = None
) -> list[dict[str, str]]:
    """Chat messages for models with a chat template."""
    return [
        {"role": "system", "content": system_prompt()},
        {"role": "user", "content": user_prompt(request, field_chars)},
    ]


def render_prompt(
    tokenizer: Any, request: GenerateRequest, field_chars: dict[str, int] | None = None
) -> str:
    """The prompt text: the model's chat template, or a plain prompt for a base model."""
    if getattr(tokenizer, "chat_template", None):
        rendered: str = tokenizer.apply_chat_template(
            messages(request, field_chars), tokenize=False, add_generation_prompt=True
        )
        return rendered
    return f"{system_prompt()}\n\n{user_prompt(request, field_chars)}\n\nJSON:\n"


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
