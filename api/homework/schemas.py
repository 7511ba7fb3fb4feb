"""Response bodies of the student homework endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from inference_worker.contract import Exercise

StatusFilter = Literal[
    "all", "pending", "generating", "available", "in_progress", "completed", "failed"
]


class HomeworkRead(BaseModel):
    """One student's homework for one assignment."""

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
    exercises: list[Exercise] = Field(
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
                {
                    "type": "multiple_choice",
                    "question": "Noi ___ al mare la settimana scorsa.",
                    "correct_answer": "siamo andati",
                    "options": ["abbiamo andato", "siamo andati", "siamo andato", "siete andati"],
                    "explanation": "'Andare' takes 'essere': noi siamo andati.",
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
