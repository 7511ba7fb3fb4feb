"""What every engine shares: the prompt, and the bounds on each string of the answer.

The schema itself comes from ``inference_worker.drafts`` (one fixed type per position, answer
plus distractors for multiple choice). String lengths are bounded with a ``pattern`` instead of
``maxLength``/``minLength`` (which make xgrammar emit invalid JSON, xgrammar issue 800), and the
bounds shrink with ``max_tokens`` so even a weak model closes its JSON within its budget; the
prompt states the same bounds and the same plan, so a real model is not cut short or surprised.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inference_worker.contract import ExerciseType, GenerateRequest
from inference_worker.drafts import DISTRACTORS, text_pattern

_TYPE_INSTRUCTIONS = {
    "fill_in_blank": (
        "fill_in_blank: una frase con ___ al posto della parola mancante e, tra parentesi, "
        "l'infinito o la forma base; correct_answer è la parola mancante."
    ),
    "multiple_choice": (
        "multiple_choice: una frase con ___; correct_answer è la parola giusta; distractors "
        f"sono {DISTRACTORS} forme sbagliate della stessa parola, diverse tra loro e dalla "
        "risposta giusta."
    ),
    "translation": (
        "translation: una frase da tradurre (dall'inglese all'italiano o viceversa); "
        "correct_answer è la traduzione."
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

# Shares of the longest string (``--max-field-chars``) each field may use: answers and
# distractors are words or short phrases, questions and explanations sentences.
FIELD_SHARES = {"question": 1.0, "correct_answer": 0.5, "distractors": 0.25, "explanation": 1.0}
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
    distractors = DISTRACTORS if "multiple_choice" in request.exercise_types else 0
    per_exercise = sum(limits.values()) - limits["distractors"]
    per_exercise += distractors * limits["distractors"]
    text_tokens = request.max_tokens - request.quantity * STRUCTURE_TOKENS_PER_EXERCISE
    affordable = max(text_tokens, 0) * CHARS_PER_TOKEN / request.quantity
    if affordable < per_exercise:
        scale = affordable / per_exercise
        limits = {name: max(MIN_FIELD_CHARS, int(chars * scale)) for name, chars in limits.items()}
    return limits


def system_prompt() -> str:
    """The teacher persona, in Italian."""
    return (
        "Sei un insegnante madrelingua di italiano per stranieri. Scrivi esercizi naturali, "
        "corretti e adatti al livello QCER indicato. Ogni esercizio ha una sola risposta "
        "corretta e una spiegazione breve e chiara per lo studente. Rispondi solo con JSON."
    )


def user_prompt(
    request: GenerateRequest,
    plan: Sequence[ExerciseType],
    field_chars: dict[str, int] | None = None,
) -> str:
    """The task for one homework (or the slots being redone): the plan, type by type."""
    kinds = list(dict.fromkeys(plan))
    types = "\n".join(f"- {_TYPE_INSTRUCTIONS[t]}" for t in kinds)
    order = ", ".join(f"{slot}. {kind}" for slot, kind in enumerate(plan, start=1))
    lengths = ""
    if field_chars:  # the schema cuts longer strings short: better the model knows
        lengths = (
            f"Lunghezza massima in caratteri: question {field_chars['question']}, "
            f"correct_answer {field_chars['correct_answer']}, "
            f"ogni distractor {field_chars['distractors']}, "
            f"explanation {field_chars['explanation']}.\n"
        )
    choice = ""
    if "multiple_choice" in kinds:
        choice = (
            f' (multiple_choice anche "distractors": [{DISTRACTORS} stringhe] dopo correct_answer)'
        )
    return (
        f"Crea {len(plan)} esercizi di italiano.\n"
        f"Livello: {request.cefr_level} ({_LEVEL_NOTES[request.cefr_level]}).\n"
        f"Grammatica: {request.grammar_focus}.\n"
        f"Argomento: {request.topic}.\n"
        f"Tipi di esercizio:\n{types}\n"
        f"Ordine: {order}.\n"
        f"{lengths}"
        'Formato: {"exercises": [{"type": ..., "question": ..., "correct_answer": ..., '
        f'"explanation": ...}}]}}{choice}'
    )


def messages(
    request: GenerateRequest,
    plan: Sequence[ExerciseType],
    field_chars: dict[str, int] | None = None,
) -> list[dict[str, str]]:
    """Chat messages: the persona, then the task."""
    return [
        {"role": "system", "content": system_prompt()},
        {"role": "user", "content": user_prompt(request, plan, field_chars)},
    ]


def render_prompt(tokenizer: Any, chat: list[dict[str, str]]) -> str:
    """The prompt text: the model's chat template, or a plain prompt for a base model."""
    if getattr(tokenizer, "chat_template", None):
        rendered: str = tokenizer.apply_chat_template(
            chat, tokenize=False, add_generation_prompt=True
        )
        return rendered
    return "\n\n".join(message["content"] for message in chat) + "\n\nJSON:\n"
