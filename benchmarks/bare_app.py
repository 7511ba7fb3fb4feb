"""The ceilings: bare FastAPI endpoints with no framework of ours around them.

``GET /bare`` returns a homework-sized JSON document without touching a database; ``POST
/bare/write`` does one raw sqlite3 INSERT + COMMIT per request on a WAL file with
synchronous=NORMAL (``BARE_SQLITE`` names the file), the floor for a durable write on this stack.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
_DATABASE = Path(os.environ.get("BARE_SQLITE") or Path(tempfile.mkdtemp()) / "bare.db")
_connection = sqlite3.connect(_DATABASE, isolation_level=None, check_same_thread=False)
_connection.execute("PRAGMA journal_mode=WAL")
_connection.execute("PRAGMA synchronous=NORMAL")
_connection.execute(
    "CREATE TABLE IF NOT EXISTS students "
    "(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, email TEXT UNIQUE)"
)

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


class _Student(BaseModel):
    name: str
    email: str


@app.post("/bare/write", status_code=201)
async def bare_write(student: _Student) -> dict[str, Any]:
    """One INSERT and its COMMIT, inline: the durable-write ceiling."""
    _connection.execute("BEGIN IMMEDIATE")
    cursor = _connection.execute(
        "INSERT INTO students (name, email) VALUES (?, ?)", (student.name, student.email)
    )
    _connection.execute("COMMIT")
    return {"id": cursor.lastrowid, "name": student.name, "email": student.email}
