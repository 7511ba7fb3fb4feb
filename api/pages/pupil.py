"""The pupil's pages, behind their personal link /s/{token}."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
