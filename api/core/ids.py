"""Ids as users send them: positive and within a 64-bit signed integer, so that an absurd id is a
422 with a message and never an overflow inside the database driver."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import Field, StrictInt

MAX_ID = 2**63 - 1

#: An id in a JSON body (a JSON integer; ``true`` or ``"5"`` are refused).
StudentId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]


def id_path(what: str) -> object:
    """A path parameter holding the id of ``what``."""
    return Path(ge=1, le=MAX_ID, description=f"The {what}'s id.", examples=[1])


StudentIdPath = Annotated[int, id_path("student")]
AssignmentIdPath = Annotated[int, id_path("assignment")]
HomeworkIdPath = Annotated[int, id_path("homework")]
ClassIdPath = Annotated[int, id_path("class")]
TeacherIdPath = Annotated[int, id_path("teacher")]
