"""The offline exercise generator: correct Italian from grammar engines and checked data files,
used when the GPU worker is unavailable."""

from api.generation.offline.generator import generate_exercises
from api.generation.offline.matching import (
    KNOWN_GRAMMAR_FOCUSES,
    KNOWN_TOPICS,
    resolve_focus,
    resolve_topic,
)

__all__ = [
    "KNOWN_GRAMMAR_FOCUSES",
    "KNOWN_TOPICS",
    "generate_exercises",
    "resolve_focus",
    "resolve_topic",
]
