"""Italian grammar engines: verb conjugation (with auxiliaries and agreement), articles,
articulated prepositions and adjective agreement.

Regular forms are derived by rule; irregular ones come from the verb table, which overrides
the rule person by person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Tense = Literal[
    "presente",
    "passato_prossimo",
    "imperfetto",
    "futuro",
    "condizionale",
    "congiuntivo",
    "imperativo",
]
Gender = Literal["m", "f"]

PERSONS = ("io", "tu", "lui/lei", "noi", "voi", "loro")
REFLEXIVE_PRONOUNS = ("mi", "ti", "si", "ci", "vi", "si")
ESSERE_PRESENTE = ("sono", "sei", "è", "siamo", "siete", "sono")
AVERE_PRESENTE = ("ho", "hai", "ha", "abbiamo", "avete", "hanno")

_ENDINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "are": {
        "presente": ("o", "i", "a", "iamo", "ate", "ano"),
        "imperfetto": ("avo", "avi", "ava", "avamo", "avate", "avano"),
        "congiuntivo": ("i", "i", "i", "iamo", "iate", "ino"),
    },
    "ere": {
        "presente": ("o", "i", "e", "iamo", "ete", "ono"),
        "imperfetto": ("evo", "evi", "eva", "evamo", "evate", "evano"),
        "congiuntivo": ("a", "a", "a", "iamo", "iate", "ano"),
    },
    "ire": {
        "presente": ("o", "i", "e", "iamo", "ite", "ono"),
        "imperfetto": ("ivo", "ivi", "iva", "ivamo", "ivate", "ivano"),
        "congiuntivo": ("a", "a", "a", "iamo", "iate", "ano"),
    },
    "isc": {
        "presente": ("isco", "isci", "isce", "iamo", "ite", "iscono"),
        "imperfetto": ("ivo", "ivi", "iva", "ivamo", "ivate", "ivano"),
        "congiuntivo": ("isca", "isca", "isca", "iamo", "iate", "iscano"),
    },
}
_FUTURE_ENDINGS = ("ò", "ai", "à", "emo", "ete", "anno")
_CONDITIONAL_ENDINGS = ("ei", "esti", "ebbe", "emmo", "este", "ebbero")
_PARTICIPLE = {"are": "ato", "ere": "uto", "ire": "ito", "isc": "ito"}


@dataclass(frozen=True)
class Verb:
    """A verb: its infinitive, class, auxiliary and whatever is irregular about it."""

    infinitive: str
    english: str
    auxiliary: Literal["avere", "essere"] = "avere"
    isc: bool = False
    participle: str | None = None
    future_stem: str | None = None
    irregular: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def reflexive(self) -> bool:
        return self.infinitive.endswith("si")

    @property
    def base(self) -> str:
        """The infinitive without a reflexive ``si`` (svegliarsi → svegliare)."""
        if self.reflexive:
            return self.infinitive[:-2] + "e"
        return self.infinitive

    @property
    def conjugation(self) -> str:
        if self.isc:
            return "isc"
        return self.base[-3:]

    @property
    def stem(self) -> str:
        return self.base[:-3]


def _join(stem: str, ending: str, kind: str) -> str:
    """Attach an ending, applying the spelling rules of -care/-gare and -ciare/-giare/-iare."""
    if kind != "are":
        return stem + ending  # leggere: leggi, vincere: vinci (no h, no dropped i)
    if ending.startswith(("i", "e")) and stem.endswith(("c", "g")):
        return stem + "h" + ending  # cerc+i → cerchi, pag+erò → pagherò
    if ending.startswith("i") and stem.endswith("i"):
        return stem + ending[1:]  # mangi+iamo → mangiamo, studi+i → studi
    return stem + ending


def _regular(verb: Verb, tense: str) -> tuple[str, ...]:
    kind = verb.conjugation
    stem = verb.stem
    if tense in ("presente", "imperfetto", "congiuntivo"):
        return tuple(_join(stem, e, kind) for e in _ENDINGS[kind][tense])
    if tense in ("futuro", "condizionale"):
        endings = _FUTURE_ENDINGS if tense == "futuro" else _CONDITIONAL_ENDINGS
        future_stem = verb.future_stem
        if future_stem is None:
            if kind == "are":
                if stem.endswith(("ci", "gi")):
                    future_stem = stem[:-1] + "er"  # mangi- → manger-
                elif stem.endswith(("c", "g")):
                    future_stem = stem + "her"  # cerc- → cercher-
                else:
                    future_stem = stem + "er"
            else:
                future_stem = verb.base[:-1]  # prendere → prender-, dormire → dormir-
        return tuple(future_stem + e for e in endings)
    raise ValueError(f"no regular rule for {tense}")


def simple_forms(verb: Verb, tense: str) -> tuple[str, ...]:
    """The six forms of a simple tense (no reflexive pronoun)."""
    if tense in verb.irregular:
        return verb.irregular[tense]
    if tense == "condizionale" and "futuro" in verb.irregular:
        raise ValueError(f"{verb.infinitive}: give condizionale with an irregular futuro")
    return _regular(verb, tense)


def participle(verb: Verb) -> str:
    """The masculine singular past participle."""
    return verb.participle or verb.stem + _PARTICIPLE[verb.conjugation]


def agree(participle_ms: str, gender: Gender, plural: bool) -> str:
    """Inflect a participle ending in -o for gender and number (andato → andate)."""
    stem = participle_ms[:-1]
    return (
        stem
        + {("m", False): "o", ("f", False): "a", ("m", True): "i", ("f", True): "e"}[
            (gender, plural)
        ]
    )


def auxiliary(verb: Verb) -> str:
    """essere or avere in compound tenses (reflexives always take essere)."""
    return "essere" if verb.reflexive else verb.auxiliary


def conjugate(verb: Verb, tense: Tense, person: int, gender: Gender = "m") -> str:
    """One form, with its reflexive pronoun and participle agreement where needed.

    ``person`` is 0..5 (io..loro); for the imperativo only 1 (tu), 3 (noi) and 4 (voi) exist.
    """
    plural = person >= 3
    if tense == "passato_prossimo":
        uses_essere = auxiliary(verb) == "essere"
        aux = (ESSERE_PRESENTE if uses_essere else AVERE_PRESENTE)[person]
        part = participle(verb)
        if uses_essere:
            part = agree(part, gender, plural)
        form = f"{aux} {part}"
    elif tense == "imperativo":
        if person not in (1, 3, 4):
            raise ValueError("the imperativo here has tu, noi and voi only")
        if verb.reflexive:
            raise ValueError("reflexive imperatives are not generated")
        if "imperativo" in verb.irregular:
            return verb.irregular["imperativo"][person]
        kind = verb.conjugation
        if person == 1:
            tu = {"are": "a", "ere": "i", "ire": "i", "isc": "isci"}[kind]
            return _join(verb.stem, tu, kind)
        return simple_forms(verb, "presente")[person]
    else:
        form = simple_forms(verb, tense)[person]
    if verb.reflexive:
        return f"{REFLEXIVE_PRONOUNS[person]} {form}"
    return form


# -- articles ----------------------------------------------------------------------------------

VOWELS = "aeiouàèéìòù"


def _needs_lo(word: str) -> bool:
    """lo/gli/uno before s+consonant, z, gn, ps, pn, x, y and i+vowel (lo iogurt)."""
    w = word.lower()
    return (
        (w.startswith("s") and len(w) > 1 and w[1] not in VOWELS)
        or w.startswith(("z", "gn", "ps", "pn", "x", "y"))
        or (w.startswith("i") and len(w) > 1 and w[1] in VOWELS)
    )


def definite_article(word: str, gender: Gender, plural: bool) -> str:
    """il, lo, l', la, i, gli, le for the word that follows."""
    first = word[0].lower()
    if gender == "f":
        if plural:
            return "le"
        return "l'" if first in VOWELS else "la"
    if plural:
        return "gli" if first in VOWELS or _needs_lo(word) else "i"
    if first in VOWELS and not _needs_lo(word):
        return "l'"
    return "lo" if _needs_lo(word) else "il"


def indefinite_article(word: str, gender: Gender) -> str:
    """un, uno, una, un' for the word that follows."""
    first = word[0].lower()
    if gender == "f":
        return "un'" if first in VOWELS else "una"
    return "uno" if _needs_lo(word) else "un"


_PREPOSITION_STEMS = {"di": "de", "a": "a", "da": "da", "in": "ne", "su": "su"}


def articulated_preposition(preposition: str, article: str) -> str:
    """di/a/da/in/su fused with a definite article (su + il → sul, in + lo → nello)."""
    stem = _PREPOSITION_STEMS[preposition]
    if article == "il":
        return stem + "l"
    if article == "i":
        return stem + "i"
    if article == "l'":
        return stem + "ll'"
    if article == "gli":
        return stem + "gli"  # degli, agli, dagli, negli, sugli
    return stem + "l" + article  # lo → llo, la → lla, le → lle


def adjective_form(adjective_ms: str, gender: Gender, plural: bool) -> str:
    """Agree an adjective given in the masculine singular (-o or -e)."""
    if adjective_ms.endswith("e"):
        return adjective_ms[:-1] + "i" if plural else adjective_ms
    stem = adjective_ms[:-1]
    if not plural:
        return stem + ("o" if gender == "m" else "a")
    if gender == "f":
        if stem.endswith(("c", "g")):
            return stem + "he"  # stanche, lunghe
        return stem + "e"
    if stem.endswith("g") or stem in _CHI_ADJECTIVES:
        return stem + "hi"  # lunghi, stanchi, bianchi
    return stem + "i"  # simpatici, magnifici


# Adjectives in -co whose masculine plural keeps the hard sound (others soften: simpatici).
_CHI_ADJECTIVES = {"stanc", "bianc", "ricc", "poc", "sporc", "tedesc", "fresc", "antic"}
