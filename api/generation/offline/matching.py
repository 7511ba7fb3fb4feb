"""Map a teacher's free text (Italian or English, any case, with or without accents) to the
topics the generator knows; grammar points are resolved by ``registry.py``."""

from __future__ import annotations

import re
import unicodedata

GENERAL = "general"

# Names the builders' dispatch uses; what can be practised is the table in ``registry.py``.
PRESENTE = "presente"
PASSATO_PROSSIMO = "passato prossimo"
PASSATO_REMOTO = "passato remoto"
IMPERFETTO = "imperfetto"
FUTURO = "futuro semplice"
CONDIZIONALE = "condizionale presente"
CONGIUNTIVO = "congiuntivo presente"
IMPERATIVO = "imperativo"
RIFLESSIVI = "verbi riflessivi"
ARTICOLI = "articoli"
PREPOSIZIONI = "preposizioni articolate"
AGGETTIVI = "accordo degli aggettivi"

# Public topic names and the keys the data files use.
TOPIC_KEYS: dict[str, str] = {
    GENERAL: "general",
    "routine quotidiana": "routine",
    "cibo": "food",
    "viaggi": "travel",
    "famiglia": "family",
    "lavoro": "work",
    "scuola": "school",
    "città": "city",
    "cultura": "culture",
}
KNOWN_TOPICS: tuple[str, ...] = tuple(TOPIC_KEYS)

_TOPIC_ALIASES: dict[str, tuple[str, ...]] = {
    GENERAL: ("general", "generale", "misto", "mixed", "vari", "any"),
    "routine quotidiana": (
        "routine",
        "daily",
        "quotidian",
        "giornata",
        "abitudin",
        "habit",
        "morning",
        "mattina",
        "everyday life",
        "vita quotidiana",
    ),
    "cibo": (
        "cibo",
        "food",
        "cucina",
        "cooking",
        "ristorant",
        "restaurant",
        "mangiare",
        "eating",
        "pasti",
        "meal",
        "bevand",
        "drink",
        "spesa",
        "groceries",
        "gastronomi",
    ),
    "viaggi": (
        "viagg",
        "travel",
        "trip",
        "vacanz",
        "holiday",
        "vacation",
        "turism",
        "tourism",
        "trasport",
        "transport",
    ),
    "famiglia": ("famigli", "family", "parent", "relatives"),
    "lavoro": ("lavor", "work", "job", "uffici", "office", "business", "profession", "career"),
    "scuola": ("scuol", "school", "studi", "universit", "classe", "classroom", "lezion", "lesson"),
    "città": ("citta", "city", "town", "quartier", "neighbourhood", "shopping", "urban"),
    "cultura": (
        "cultur",
        "arte",
        "art",
        "arts",
        "museo",
        "musei",
        "museum",
        "cinema",
        "film",
        "movie",
        "musica",
        "music",
        "teatro",
        "theatre",
        "theater",
        "letteratur",
        "literature",
        "libri",
        "books",
    ),
}

# Aliases this short must match a whole word ("art" must not match "partenza").
_WHOLE_WORD_MAX = 4


def normalise(text: str) -> str:
    """Lower-case, strip accents and punctuation, collapse spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def _compile(aliases: dict[str, tuple[str, ...]]) -> list[tuple[re.Pattern[str], str]]:
    pairs = sorted(
        ((normalise(alias), canonical) for canonical, names in aliases.items() for alias in names),
        key=lambda pair: -len(pair[0]),
    )
    patterns = []
    for alias, canonical in pairs:
        tail = r"\b" if len(alias) <= _WHOLE_WORD_MAX else ""
        patterns.append((re.compile(rf"\b{re.escape(alias)}{tail}"), canonical))
    return patterns


_TOPIC_PATTERNS = _compile(_TOPIC_ALIASES)


def _match(text: str, patterns: list[tuple[re.Pattern[str], str]]) -> str | None:
    normalised = normalise(text)
    for pattern, canonical in patterns:
        if pattern.search(normalised):
            return canonical
    return None


def resolve_topic(text: str) -> str:
    """The known topic closest to a teacher's text; ``general`` when none fits."""
    return _match(text, _TOPIC_PATTERNS) or GENERAL


def known_topic(text: str) -> bool:
    """Whether the text names a known topic, general included (an empty text means general)."""
    return not normalise(text) or _match(text, _TOPIC_PATTERNS) is not None
