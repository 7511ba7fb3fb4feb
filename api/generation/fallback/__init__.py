"""The offline exercise generator: correct Italian from grammar rules and checked data files."""

from api.generation.fallback.generator import (
    KNOWN_GRAMMAR_FOCUSES,
    KNOWN_TOPICS,
    generate_exercises,
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
