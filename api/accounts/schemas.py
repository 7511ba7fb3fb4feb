"""Request and response bodies of the accounts endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from api.core.config import MIN_PASSWORD_LENGTH
from api.core.text import LowerEmail, PlainLine


class TeacherCreate(BaseModel):
    """A new teacher account."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, PlainLine] = Field(
        min_length=1, max_length=200, description="Full name.", examples=["Maria Bianchi"]
    )
    email: LowerEmail = Field(description="Sign-in email, unique.", examples=["maria@school.it"])
    password: str = Field(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=128,
        description=f"At least {MIN_PASSWORD_LENGTH} characters.",
        examples=["correct-horse-battery"],
    )
    is_admin: StrictBool = Field(
        default=False, description="Administrators create teacher accounts.", examples=[False]
    )

    @field_validator("password")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the password cannot be only spaces")
        return value


class TeacherRead(BaseModel):
    """A teacher account (never its password)."""

    model_config = ConfigDict(from_attributes=True)

    id: int = Field(examples=[1])
    name: str = Field(examples=["Maria Bianchi"])
    email: str = Field(examples=["maria@school.it"])
    is_admin: StrictBool = Field(examples=[False])
    created_at: datetime


class TokenRead(BaseModel):
    """A teacher's bearer token (OAuth2 password flow)."""

    access_token: str = Field(examples=["itt_3q2-…"])
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.", examples=[43200])
