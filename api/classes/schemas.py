"""Request and response bodies of the classes endpoints."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.core.ids import StudentId
from api.core.text import clean_line


class ClassCreate(BaseModel):
    """A new class."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120, description="Name.", examples=["3B"])

    @field_validator("name", mode="before")
    @classmethod
    def _clean(cls, value: object) -> object:
        return clean_line(value)


class ClassMembersAdd(BaseModel):
    """Students to add to a class (already members are left as they are)."""

    model_config = ConfigDict(extra="forbid")

    student_ids: list[StudentId] = Field(
        min_length=1, max_length=1000, description="Your students' ids.", examples=[[1, 2]]
    )

    @field_validator("student_ids")
    @classmethod
    def _unique(cls, value: list[int]) -> list[int]:
        return list(Counter(value))


class ClassRead(BaseModel):
    """A class and its members."""

    id: int = Field(examples=[1])
    name: str = Field(examples=["3B"])
    student_ids: list[int] = Field(examples=[[1, 2]])
    created_at: datetime
