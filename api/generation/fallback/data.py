"""Load the grammar data files shipped with the package (once per process)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from api.generation.fallback.grammar import Verb


def _load(name: str) -> Any:
    text = resources.files("api.generation.fallback").joinpath("data", name).read_text("utf-8")
    return json.loads(text)


@cache
def verbs() -> dict[str, Verb]:
    """Every verb by infinitive."""
    result = {}
    for entry in _load("verbs.json")["verbs"]:
        irregular = {tense: tuple(forms) for tense, forms in entry.get("irregular", {}).items()}
        result[entry["infinitive"]] = Verb(
            infinitive=entry["infinitive"],
            english=entry["english"],
            auxiliary=entry.get("auxiliary", "avere"),
            isc=entry.get("isc", False),
            participle=entry.get("participle"),
            future_stem=entry.get("future_stem"),
            irregular=irregular,  # type: ignore[arg-type]
        )
    return result


@cache
def sentences() -> dict[str, Any]:
    """Verb/complement pairs by topic, nouns, prepositions and adjective subjects."""
    data: dict[str, Any] = _load("sentences.json")
    return data


@cache
def translations() -> list[list[Any]]:
    """Translation pairs: topic, level, Italian, English, Italian and English alternatives."""
    pairs: list[list[Any]] = _load("translations.json")["pairs"]
    return pairs
