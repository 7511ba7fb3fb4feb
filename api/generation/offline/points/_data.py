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


def band(level: str) -> int:
    """The sentence structures a level gets: 0 at A1–A2 (main clauses), 1 at B1–B2 (a
    governing clause with the congiuntivo presente), 2 at C1–C2 (past or hypothetical
    governing clauses, the congiuntivo imperfetto)."""
    return rank(level) // 2


# At C1–C2 a bank with sentences from B1 up never falls back on its A1–A2 ones, which the
# lower levels draw: an A1 and a C2 homework then share no sentence.
_ADVANCED = 4
_INTERMEDIATE = 2


def _tiers(
    entries: Sequence[dict[str, Any]], topic: str, level: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], float] | None:
    """The entries pick draws from: those written for the level (or the nearest below), all
    those at or below it, and the odds of the first; None when the topic has none."""
    on_topic = [e for e in entries if topic == "general" or e.get("topic") in (topic, "general")]
    if not on_topic:
        return None
    fitting = [e for e in on_topic if rank(e.get("level", "A1")) <= rank(level)]
    if not fitting:  # asked below the point's levels: its easiest sentences
        easiest = min(rank(e.get("level", "A1")) for e in on_topic)
        return [e for e in on_topic if rank(e.get("level", "A1")) == easiest], [], 1.0
    if rank(level) >= _ADVANCED:
        harder = [e for e in fitting if rank(e.get("level", "A1")) >= _INTERMEDIATE]
        fitting = harder or fitting
    top = max(rank(e.get("level", "A1")) for e in fitting)
    at_level = [e for e in fitting if rank(e.get("level", "A1")) == top]
    # Above the point's own levels, its hardest sentences nearly always (so a C2 homework differs
    # from an A1 one), yet every sentence stays reachable when a homework needs many.
    odds = _ABOVE_LEVEL_ODDS if rank(level) > top else _AT_LEVEL_ODDS
    return at_level, fitting, odds


def first_of_each(entries: Sequence[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    """The entries without a repeated sentence, the first kept: a sentence written for one
    level and built again at another would reach both."""
    seen: set[str] = set()
    kept = []
    for entry in entries:
        if entry["text"] not in seen:
            seen.add(entry["text"])
            kept.append(entry)
    return tuple(kept)


# The tiers of the banks built once (tuples kept alive here, so their ids stay theirs).
_TIERS: dict[tuple[int, str, str], tuple[Sequence[dict[str, Any]], Any]] = {}


def pick(
    rng: random.Random, entries: Sequence[dict[str, Any]], topic: str, level: str
) -> dict[str, Any] | None:
    """An entry of the topic at or below the level, usually one written for the level itself."""
    if isinstance(entries, tuple):  # a bank built once: its tiers are remembered
        key = (id(entries), topic, level)
        if key not in _TIERS:
            _TIERS[key] = (entries, _tiers(entries, topic, level))
        tiers = _TIERS[key][1]
    else:
        tiers = _tiers(entries, topic, level)
    if tiers is None:
        return None
    at_level, fitting, odds = tiers
    if not fitting:
        return rng.choice(at_level)
    return rng.choice(at_level if rng.random() < odds else fitting)
