"""Request and response bodies of the students endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from api.core.text import LowerEmail, PlainLine


class StudentCreate(BaseModel):
    """A new student."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, PlainLine] = Field(
        min_length=1, max_length=200, description="Full name.", examples=["Giulia Rossi"]
    )
    email: LowerEmail = Field(
        description="Email address, unique among your students.", examples=["giulia@example.com"]
    )


class StudentRead(BaseModel):
    """A student as stored."""

    model_config = ConfigDict(from_attributes=True)

    id: int = Field(examples=[1])
    name: str = Field(examples=["Giulia Rossi"])
    email: str = Field(examples=["giulia@example.com"])
    created_at: datetime


class StudentAccess(BaseModel):
    """A pupil's credential, shown once: give the link to the pupil; it is their password."""

    access_token: str = Field(
        description="Bearer token for /api/student/{id}/…; shown only in this response.",
        examples=["its_Vd8…"],
    )
    access_url: str = Field(
        description="The pupil's personal link to their homework pages.",
        examples=["http://127.0.0.1:8000/s/its_Vd8…"],
    )


class StudentCreated(StudentRead, StudentAccess):
    """A new student with their personal link (shown only now; issue a new one to see it again)."""
