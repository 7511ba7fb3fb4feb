"""Articles, articulated prepositions and adjective agreement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from api.generation.offline.conjugation import Gender

_VOWELS = "aeiouàèéìòù"
_LO_PREFIXES = ("z", "gn", "ps", "pn", "x", "y")

DEFINITE_ARTICLES: tuple[str, ...] = ("il", "lo", "l'", "la", "i", "gli", "le")
INDEFINITE_ARTICLES: tuple[str, ...] = ("un", "uno", "una", "un'")
SIMPLE_PREPOSITIONS: tuple[str, ...] = ("di", "a", "da", "in", "su")
_PREPOSITION_STEMS = {"di": "de", "a": "a", "da": "da", "in": "ne", "su": "su"}

ArticleKind = Literal["definite", "indefinite"]


def _starts_with_vowel(word: str) -> bool:
    # A silent h counts as a vowel: l'hotel, gli hotel, un hotel.
    w = word.lower()
    return w[0] in _VOWELS or (w.startswith("h") and len(w) > 1 and w[1] in _VOWELS)


def _semivowel_i(word: str) -> bool:
    """i + vowel sounds like y: lo iogurt, la iena."""
    w = word.lower()
    return len(w) > 1 and w[0] == "i" and w[1] in _VOWELS


def takes_lo(word: str) -> bool:
    """Whether a masculine word takes lo/gli/uno: s + consonant, z, gn, ps, pn, x, y, i + vowel."""
    w = word.lower()
    impure_s = w.startswith("s") and len(w) > 1 and w[1] not in _VOWELS
    return impure_s or w.startswith(_LO_PREFIXES) or _semivowel_i(w)


def definite_article(word: str, gender: Gender, plural: bool) -> str:
    """il, lo, l', la, i, gli or le for the word that follows."""
    if gender == "f":
        if plural:
            return "le"
        return "l'" if _starts_with_vowel(word) and not _semivowel_i(word) else "la"
    if takes_lo(word):
        return "gli" if plural else "lo"
    if _starts_with_vowel(word):
        return "gli" if plural else "l'"
    return "i" if plural else "il"


def indefinite_article(word: str, gender: Gender) -> str:
    """un, uno, una or un' for the (singular) word that follows."""
    if gender == "f":
        return "un'" if _starts_with_vowel(word) and not _semivowel_i(word) else "una"
    return "uno" if takes_lo(word) else "un"


def with_article(article: str, word: str) -> str:
    """Join an article to its word, without a space after an apostrophe: l'amica, un'isola."""
    return f"{article}{word}" if article.endswith("'") else f"{article} {word}"


def articulated_preposition(preposition: str, article: str) -> str:
    """di, a, da, in or su fused with a definite article: su + il → sul, in + lo → nello."""
    stem = _PREPOSITION_STEMS[preposition]
    if article == "il":
        return stem + "l"
    if article == "i":
        return stem + "i"
    if article == "gli":
        return stem + "gli"
    return stem + "l" + article  # lo → llo, l' → ll', la → lla, le → lle


@dataclass(frozen=True)
class Adjective:
    """An adjective by its four forms (ms, fs, mp, fp); -e adjectives repeat two of them."""

    ms: str
    fs: str
    mp: str
    fp: str
    english: str

    def form(self, gender: Gender, plural: bool) -> str:
        """The form that agrees with a noun of this gender and number."""
        if plural:
            return self.mp if gender == "m" else self.fp
        return self.ms if gender == "m" else self.fs

    @property
    def forms(self) -> tuple[str, ...]:
        """The distinct forms, in the order ms, fs, mp, fp."""
        return tuple(dict.fromkeys((self.ms, self.fs, self.mp, self.fp)))


def regular_adjective(
    ms: str, english: str, *, mp: str | None = None, fp: str | None = None
) -> Adjective:
    """Build an adjective from its masculine singular; -co/-go/-io plurals may be given."""
    if ms.endswith("e"):
        return Adjective(ms, ms, mp or ms[:-1] + "i", fp or ms[:-1] + "i", english)
    if not ms.endswith("o"):
        return Adjective(ms, ms, ms, ms, english)  # invariable: blu, rosa
    stem = ms[:-1]
    if stem.endswith(("c", "g")) and mp is None:
        # stanco → stanchi but simpatico → simpatici: the data must say which.
        raise ValueError(f"{ms}: give the masculine plural of a -co/-go adjective")
    default_fp = stem + "he" if stem.endswith(("c", "g")) else stem + "e"
    default_mp = stem if stem.endswith("i") else stem + "i"  # vecchio → vecchi
    return Adjective(ms, stem + "a", mp or default_mp, fp or default_fp, english)
