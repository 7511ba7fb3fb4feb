"""The offline exercise generator: correct Italian from grammar engines and checked data files,
used when the GPU worker is unavailable."""

from api.generation.offline.generator import generate_exercises
from api.generation.offline.matching import KNOWN_TOPICS, resolve_topic
from api.generation.offline.registry import (
    FOCUSES,
    KNOWN_GRAMMAR_FOCUSES,
    Resolution,
    practised,
    resolve,
    resolve_focus,
)

__all__ = [
    "FOCUSES",
    "KNOWN_GRAMMAR_FOCUSES",
    "KNOWN_TOPICS",
    "Resolution",
    "generate_exercises",
    "practised",
    "resolve",
    "resolve_focus",
    "resolve_topic",
]
