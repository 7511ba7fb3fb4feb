"""The ceiling: a bare FastAPI endpoint returning a homework-sized JSON document, no database."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

app = FastAPI()

_EXERCISE = {
    "type": "multiple_choice",
    "question": "Ieri sera io e Marco ___ (andare) al cinema in centro.",
    "correct_answer": "siamo andati",
    "options": ["siamo andati", "abbiamo andato", "siamo andato", "siete andati"],
    "explanation": "'Andare' forma il passato prossimo con 'essere': il participio concorda.",
    "accepted_answers": None,
}
DOCUMENT: dict[str, Any] = {
    "id": 1,
    "assignment_id": 1,
    "student_id": 1,
    "status": "available",
    "cefr_level": "A2",
    "grammar_focus": "passato prossimo",
    "topic": "viaggi",
    "exercises": [_EXERCISE] * 5,
    "source": "model",
    "model_name": "fake-italian-7b",
    "generated_tokens": 200,
    "generation_time": 1.0,
    "created_at": "2026-11-22T12:00:00Z",
    "generated_at": "2026-11-22T12:00:01Z",
}


@app.get("/bare")
async def bare() -> dict[str, Any]:
    """The same shape and size as a homework with five exercises."""
    return DOCUMENT
