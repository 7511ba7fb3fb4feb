"""The hand-checked sentences of ``data/points.json``, loaded once, and level-aware picking."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

from inference_worker.contract import CEFR_LEVELS

# How often a sentence written for the requested level (or the nearest below) is preferred to an
# easier one, so a B1 homework mostly practises B1 sentences yet still draws from the whole bank.
_AT_LEVEL_ODDS = 0.7
_ABOVE_LEVEL_ODDS = 0.9


@cache
def points() -> dict[str, Any]:
    """The parsed data file."""
    package = resources.files("api.generation.offline")
    data: dict[str, Any] = json.loads(package.joinpath("data", "points.json").read_text("utf-8"))
    return data


def rank(level: str) -> int:
    """The position of a CEFR level (A1 = 0)."""
    return CEFR_LEVELS.index(level)


def pick(
    rng: random.Random, entries: Sequence[dict[str, Any]], topic: str, level: str
) -> dict[str, Any] | None:
    """An entry of the topic at or below the level, usually one written for the level itself."""
    on_topic = [e for e in entries if topic == "general" or e.get("topic") in (topic, "general")]
    if not on_topic:
        return None
    fitting = [e for e in on_topic if rank(e.get("level", "A1")) <= rank(level)]
    if not fitting:  # asked below the point's levels: its easiest sentences
        easiest = min(rank(e.get("level", "A1")) for e in on_topic)
        return rng.choice([e for e in on_topic if rank(e.get("level", "A1")) == easiest])
    top = max(rank(e.get("level", "A1")) for e in fitting)
    at_level = [e for e in fitting if rank(e.get("level", "A1")) == top]
    # Above the point's own levels, its hardest sentences nearly always (so a C2 homework differs
    # from an A1 one), yet every sentence stays reachable when a homework needs many.
    odds = _ABOVE_LEVEL_ODDS if rank(level) > top else _AT_LEVEL_ODDS
    return rng.choice(at_level if rng.random() < odds else fitting)
