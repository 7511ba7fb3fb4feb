"""The conjugation engine: regular forms by rule, irregular tables that override them.

Persons are indexed 0..5 (io, tu, lui/lei, noi, voi, loro). The imperativo exists for tu (1),
noi (3) and voi (4) only; the negative tu form is ``non`` + infinitive.
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
Auxiliary = Literal["avere", "essere"]

TENSES: tuple[Tense, ...] = (
    "presente",
    "passato_prossimo",
    "imperfetto",
    "futuro",
    "condizionale",
    "congiuntivo",
    "imperativo",
)
SIMPLE_TENSES: tuple[Tense, ...] = (
    "presente",
    "imperfetto",
    "futuro",
    "condizionale",
    "congiuntivo",
)
PERSONS: tuple[str, ...] = ("io", "tu", "lui/lei", "noi", "voi", "loro")
IMPERATIVE_PERSONS: tuple[int, ...] = (1, 3, 4)
REFLEXIVE_PRONOUNS: tuple[str, ...] = ("mi", "ti", "si", "ci", "vi", "si")
ESSERE_PRESENTE: tuple[str, ...] = ("sono", "sei", "è", "siamo", "siete", "sono")
AVERE_PRESENTE: tuple[str, ...] = ("ho", "hai", "ha", "abbiamo", "avete", "hanno")

Conjugation = Literal["are", "ere", "ire", "isc"]

_ENDINGS: dict[Conjugation, dict[str, tuple[str, ...]]] = {
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
_FUTURO_ENDINGS = ("ò", "ai", "à", "emo", "ete", "anno")
_CONDIZIONALE_ENDINGS = ("ei", "esti", "ebbe", "emmo", "este", "ebbero")
_PARTICIPLE_ENDINGS: dict[Conjugation, str] = {
    "are": "ato",
    "ere": "uto",
    "ire": "ito",
    "isc": "ito",
}
_AGREEMENT: dict[tuple[Gender, bool], str] = {
    ("m", False): "o",
    ("f", False): "a",
    ("m", True): "i",
    ("f", True): "e",
}


@dataclass(frozen=True)
class Verb:
    """A verb: infinitive, English gloss, auxiliary, and whatever about it is irregular."""

    infinitive: str
    english: str
    auxiliary: Auxiliary = "avere"
    isc: bool = False
    participle: str | None = None
    future_stem: str | None = None
    # Whole tenses that override the rules, six forms io..loro.
    irregular: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Imperativo tu, noi, voi; each entry lists the form taught first, then accepted variants.
    imperative: tuple[tuple[str, ...], ...] | None = None

    @property
    def reflexive(self) -> bool:
        """Whether the infinitive ends in -rsi (alzarsi, vestirsi)."""
        return self.infinitive.endswith("rsi")

    @property
    def base(self) -> str:
        """The infinitive without its reflexive pronoun: alzarsi → alzare."""
        return self.infinitive[:-2] + "e" if self.reflexive else self.infinitive

    @property
    def conjugation(self) -> Conjugation:
        """The regular class whose endings the verb follows."""
        if self.isc:
            return "isc"
        ending = self.base[-3:]
        if ending not in ("are", "ere", "ire"):
            raise ValueError(f"{self.infinitive}: unknown conjugation")
        return ending  # type: ignore[return-value]

    @property
    def stem(self) -> str:
        """The infinitive minus -are/-ere/-ire."""
        return self.base[:-3]

    @property
    def compound_auxiliary(self) -> Auxiliary:
        """The auxiliary of the passato prossimo (reflexive verbs always take essere)."""
        return "essere" if self.reflexive else self.auxiliary


def _attach(stem: str, ending: str, kind: Conjugation) -> str:
    """Add an ending, keeping -care/-gare hard (cerchi) and not doubling the i of -iare (mangi)."""
    if kind == "are":
        if stem.endswith(("c", "g")) and ending.startswith(("i", "e")):
            return stem + "h" + ending
        if stem.endswith("i") and ending.startswith("i"):
            return stem + ending[1:]
    return stem + ending


def future_stem(verb: Verb) -> str:
    """The stem of the futuro and condizionale: parler-, cercher-, manger-, or an irregular one."""
    if verb.future_stem:
        return verb.future_stem
    stem = verb.stem
    if verb.conjugation == "are":
        if stem.endswith(("ci", "gi")):
            return stem[:-1] + "er"  # mangi- → manger-, cominci- → comincer-
        if stem.endswith(("c", "g")):
            return stem + "her"  # cerc- → cercher-, pag- → pagher-
        return stem + "er"
    return verb.base[:-1]  # prendere → prender-, dormire → dormir-


def simple_forms(verb: Verb, tense: Tense) -> tuple[str, ...]:
    """The six forms of a simple tense, without reflexive pronouns."""
    if tense in verb.irregular:
        return verb.irregular[tense]
    kind = verb.conjugation
    if tense in ("presente", "imperfetto", "congiuntivo"):
        return tuple(_attach(verb.stem, ending, kind) for ending in _ENDINGS[kind][tense])
    if tense == "futuro":
        return tuple(future_stem(verb) + ending for ending in _FUTURO_ENDINGS)
    if tense == "condizionale":
        return tuple(future_stem(verb) + ending for ending in _CONDIZIONALE_ENDINGS)
    raise ValueError(f"{tense} is not a simple tense")


def past_participle(verb: Verb) -> str:
    """The masculine singular past participle."""
    return verb.participle or verb.stem + _PARTICIPLE_ENDINGS[verb.conjugation]


def agree_participle(participle: str, gender: Gender, plural: bool) -> str:
    """Inflect a participle in -o for gender and number: andato → andata, andati, andate."""
    return participle[:-1] + _AGREEMENT[(gender, plural)]


def is_plural(person: int) -> bool:
    """noi, voi and loro are plural."""
    return person >= 3


def passato_prossimo(
    verb: Verb, person: int, gender: Gender = "m", *, auxiliary: Auxiliary | None = None
) -> str:
    """Auxiliary + participle, agreeing with the subject when the auxiliary is essere.

    ``auxiliary`` forces the other auxiliary, to build the classic wrong form (*ho andato*).
    """
    aux = auxiliary or verb.compound_auxiliary
    participle = past_participle(verb)
    if aux == "essere":
        participle = agree_participle(participle, gender, is_plural(person))
        form = f"{ESSERE_PRESENTE[person]} {participle}"
    else:
        form = f"{AVERE_PRESENTE[person]} {participle}"
    if verb.reflexive:
        return f"{REFLEXIVE_PRONOUNS[person]} {form}"
    return form


def imperative_forms(verb: Verb, person: int) -> tuple[str, ...]:
    """The affirmative imperativo for tu, noi or voi: the taught form first, then variants."""
    if person not in IMPERATIVE_PERSONS:
        raise ValueError("the imperativo has tu, noi and voi only here")
    if verb.reflexive:
        raise ValueError(f"{verb.infinitive}: reflexive imperatives are not generated")
    if verb.imperative is not None:
        return verb.imperative[IMPERATIVE_PERSONS.index(person)]
    presente = simple_forms(verb, "presente")
    if person == 1 and verb.conjugation == "are":
        return (_attach(verb.stem, "a", "are"),)  # parla, mangia, cerca
    return (presente[person],)  # prendi, dormi, finisci; noi and voi as in the presente


def negative_imperative_tu(verb: Verb) -> str:
    """The negative tu imperative: non + infinitive (non parlare)."""
    if verb.reflexive:
        raise ValueError(f"{verb.infinitive}: reflexive imperatives are not generated")
    return f"non {verb.infinitive}"


def conjugate(verb: Verb, tense: Tense, person: int, gender: Gender = "m") -> str:
    """One form of ``verb`` (with its reflexive pronoun and participle agreement where needed)."""
    if tense == "passato_prossimo":
        return passato_prossimo(verb, person, gender)
    if tense == "imperativo":
        return imperative_forms(verb, person)[0]
    form = simple_forms(verb, tense)[person]
    if verb.reflexive:
        return f"{REFLEXIVE_PRONOUNS[person]} {form}"
    return form


def all_forms(verb: Verb) -> set[str]:
    """Every form the engine knows for ``verb``: used to check that options are real words."""
    forms: set[str] = set()
    for tense in TENSES:
        for person in range(6):
            if tense == "imperativo":
                if verb.reflexive or person not in IMPERATIVE_PERSONS:
                    continue
                forms.update(imperative_forms(verb, person))
            elif tense == "passato_prossimo":
                for gender in ("m", "f"):
                    for aux in ("avere", "essere"):
                        forms.add(passato_prossimo(verb, person, gender, auxiliary=aux))
            else:
                forms.add(conjugate(verb, tense, person))
    forms.add(verb.infinitive)
    if not verb.reflexive:
        forms.add(negative_imperative_tu(verb))
    return forms
