"""Request and response bodies of the students endpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator


class StudentCreate(BaseModel):
    """A new student."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        min_length=1, max_length=200, description="Full name.", examples=["Giulia Rossi"]
    )
    email: EmailStr = Field(description="Unique email address.", examples=["giulia@example.com"])

    @field_validator("name", mode="before")
    @classmethod
    def _strip_name(cls, value: object) -> object:
        return " ".join(value.split()) if isinstance(value, str) else value

    @field_validator("email")
    @classmethod
    def _lower_email(cls, value: str) -> str:
        return value.lower()


class StudentRead(BaseModel):
    """A student as stored."""

    model_config = ConfigDict(from_attributes=True)

    id: int = Field(examples=[1])
    name: str = Field(examples=["Giulia Rossi"])
    email: str = Field(examples=["giulia@example.com"])
    created_at: datetime
