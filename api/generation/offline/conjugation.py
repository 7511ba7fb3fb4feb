"""The conjugation engine: regular forms by rule, irregular tables that override them.

Persons are indexed 0..5 (io, tu, lui/lei, noi, voi, loro). The whole indicative, congiuntivo
and condizionale, stare + gerundio, and the imperativo for tu (1), Lei (2), noi (3) and voi (4),
affirmative and negative. A form in the data may list accepted variants after a slash
("diedi/detti"): the first is the one taught.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, cast, get_args

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
# Every tense of the verb system; ``Tense`` above is the subset the first builders knew.
TenseName = Literal[
    "presente",
    "passato_prossimo",
    "imperfetto",
    "trapassato_prossimo",
    "passato_remoto",
    "futuro",
    "futuro_anteriore",
    "condizionale",
    "condizionale_passato",
    "congiuntivo",
    "congiuntivo_passato",
    "congiuntivo_imperfetto",
    "congiuntivo_trapassato",
    "imperativo",
    "imperativo_negativo",
    "stare_gerundio",
]
ALL_TENSES: tuple[TenseName, ...] = get_args(TenseName)
# Compound tense → the tense of its auxiliary.
COMPOUND_TENSES: dict[TenseName, TenseName] = {
    "passato_prossimo": "presente",
    "trapassato_prossimo": "imperfetto",
    "futuro_anteriore": "futuro",
    "condizionale_passato": "condizionale",
    "congiuntivo_passato": "congiuntivo",
    "congiuntivo_trapassato": "congiuntivo_imperfetto",
}
FULL_IMPERATIVE_PERSONS: tuple[int, ...] = (1, 2, 3, 4)  # tu, Lei, noi, voi
_AUXILIARY_FORMS: dict[str, dict[str, tuple[str, ...]]] = {
    "essere": {
        "presente": ("sono", "sei", "è", "siamo", "siete", "sono"),
        "imperfetto": ("ero", "eri", "era", "eravamo", "eravate", "erano"),
        "futuro": ("sarò", "sarai", "sarà", "saremo", "sarete", "saranno"),
        "condizionale": ("sarei", "saresti", "sarebbe", "saremmo", "sareste", "sarebbero"),
        "congiuntivo": ("sia", "sia", "sia", "siamo", "siate", "siano"),
        "congiuntivo_imperfetto": ("fossi", "fossi", "fosse", "fossimo", "foste", "fossero"),
    },
    "avere": {
        "presente": ("ho", "hai", "ha", "abbiamo", "avete", "hanno"),
        "imperfetto": ("avevo", "avevi", "aveva", "avevamo", "avevate", "avevano"),
        "futuro": ("avrò", "avrai", "avrà", "avremo", "avrete", "avranno"),
        "condizionale": ("avrei", "avresti", "avrebbe", "avremmo", "avreste", "avrebbero"),
        "congiuntivo": ("abbia", "abbia", "abbia", "abbiamo", "abbiate", "abbiano"),
        "congiuntivo_imperfetto": ("avessi", "avessi", "avesse", "avessimo", "aveste", "avessero"),
    },
}
_STARE_PRESENTE = ("sto", "stai", "sta", "stiamo", "state", "stanno")
_STARE_IMPERFETTO = ("stavo", "stavi", "stava", "stavamo", "stavate", "stavano")
_SUBJUNCTIVE_IMPERFECT_ENDINGS = ("ssi", "ssi", "sse", "ssimo", "ste", "ssero")

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
    # The io form of a strong passato remoto (presi → prese, presero; the rest is regular).
    remoto: str | None = None
    gerund: str | None = None
    level: str = "A1"
    # English base form, simple past, past participle (for translation items).
    english_forms: tuple[str, str, str] | None = None

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
        if ending == "rre":  # tradurre, porre: second conjugation, every irregular form in the data
            return "ere"
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
        return tuple(variants(form)[0] for form in verb.irregular[tense])
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
    """The affirmative imperativo for tu, Lei, noi or voi: the taught form first, then variants."""
    if person not in FULL_IMPERATIVE_PERSONS:
        raise ValueError("the imperativo has tu, Lei, noi and voi")
    if verb.reflexive:
        raise ValueError(f"{verb.infinitive}: reflexive imperatives are not generated")
    if person == 2:
        return _simple_variants(verb, "congiuntivo", 2)  # parli, prenda, vada, faccia
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


def conjugate(verb: Verb, tense: TenseName, person: int, gender: Gender = "m") -> str:
    """One form of ``verb`` (with its reflexive pronoun and participle agreement where needed)."""
    return forms(verb, tense, person, gender)[0]


def all_forms(verb: Verb) -> set[str]:
    """Every form the engine knows for ``verb``, in every tense, with both auxiliaries and both
    genders (the wrong auxiliary is a classic distractor): options must be among these."""
    return every_form(verb)


# -- the whole verb system ----------------------------------------------------------------------


def variants(form: str) -> tuple[str, ...]:
    """A data form with its accepted variants: "diedi/detti" → ("diedi", "detti")."""
    return tuple(part.strip() for part in form.split("/"))


def verb_from_entry(entry: dict[str, object]) -> Verb:
    """A verb from one entry of verbs.json."""
    irregular = cast(dict[str, list[str]], entry.get("irregular", {}))
    imperative = cast(list[list[str]] | None, entry.get("imperative"))
    english = cast(list[str] | None, entry.get("en"))
    return Verb(
        infinitive=cast(str, entry["infinitive"]),
        english=cast(str, entry["english"]),
        auxiliary=cast(Auxiliary, entry.get("auxiliary", "avere")),
        isc=cast(bool, entry.get("isc", False)),
        participle=cast(str | None, entry.get("participle")),
        future_stem=cast(str | None, entry.get("future_stem")),
        irregular={tense: tuple(forms) for tense, forms in irregular.items()},
        imperative=tuple(tuple(forms) for forms in imperative) if imperative else None,
        remoto=cast(str | None, entry.get("remoto")),
        gerund=cast(str | None, entry.get("gerund")),
        level=cast(str, entry.get("level", "A1")),
        english_forms=(english[0], english[1], english[2]) if english else None,
    )


def _weak_stem(verb: Verb) -> str:
    """The imperfetto stem (parla-, prende-, dormi-, face-, dice-, beve-), which also builds the
    congiuntivo imperfetto and the weak persons of the passato remoto."""
    io = variants(verb.irregular["imperfetto"][0])[0] if "imperfetto" in verb.irregular else None
    if io is None:
        io = simple_forms(verb, "imperfetto")[0]
    return io[:-2]  # parlavo → parla


def _table(verb: Verb, tense: str) -> tuple[tuple[str, ...], ...] | None:
    if tense in verb.irregular:
        return tuple(variants(form) for form in verb.irregular[tense])
    return None


def passato_remoto_forms(verb: Verb) -> tuple[tuple[str, ...], ...]:
    """The six persons of the passato remoto, each with its accepted variants."""
    table = _table(verb, "passato_remoto")
    if table:
        return table
    weak = _weak_stem(verb)
    stem = verb.stem
    kind = verb.conjugation
    weak_forms = (weak + "sti", weak + "mmo", weak + "ste")
    io: tuple[str, ...]
    lui: tuple[str, ...]
    loro: tuple[str, ...]
    if verb.remoto:
        strong = verb.remoto[:-1]
        io, lui, loro = (verb.remoto,), (strong + "e",), (strong + "ero",)
    elif kind == "are":
        io, lui, loro = (stem + "ai",), (stem + "ò",), (stem + "arono",)
    elif kind == "ere":
        io, lui, loro = (stem + "ei",), (stem + "é",), (stem + "erono",)
        if not stem.endswith("t"):  # credetti, but never ripetetti
            io, lui, loro = (*io, stem + "etti"), (*lui, stem + "ette"), (*loro, stem + "ettero")
    else:
        io, lui, loro = (stem + "ii",), (stem + "ì",), (stem + "irono",)
    return (io, (weak_forms[0],), lui, (weak_forms[1],), (weak_forms[2],), loro)


def subjunctive_imperfect_forms(verb: Verb) -> tuple[tuple[str, ...], ...]:
    """The six persons of the congiuntivo imperfetto (parlassi, facessi; fossi, dessi, stessi)."""
    table = _table(verb, "congiuntivo_imperfetto")
    if table:
        return table
    weak = _weak_stem(verb)
    return tuple((weak + ending,) for ending in _SUBJUNCTIVE_IMPERFECT_ENDINGS)


def gerund(verb: Verb) -> str:
    """The gerundio: parlando, prendendo, dormendo, finendo; facendo, dicendo, bevendo."""
    if verb.gerund:
        return verb.gerund
    return verb.stem + ("ando" if verb.conjugation == "are" else "endo")


def _simple_variants(verb: Verb, tense: TenseName, person: int) -> tuple[str, ...]:
    if tense == "passato_remoto":
        return passato_remoto_forms(verb)[person]
    if tense == "congiuntivo_imperfetto":
        return subjunctive_imperfect_forms(verb)[person]
    table = _table(verb, tense)
    if table:
        return table[person]
    return (simple_forms(verb, cast(Tense, tense))[person],)


def _participles(verb: Verb) -> tuple[str, ...]:
    return variants(past_participle(verb))


def imperative_full(verb: Verb, person: int, *, negative: bool = False) -> tuple[str, ...]:
    """The imperativo for tu, Lei, noi or voi without ``non``: the taught form first.

    Negative tu is the infinitive (non parlare); the other negatives repeat the affirmative form.
    """
    if person not in FULL_IMPERATIVE_PERSONS:
        raise ValueError("the imperativo has tu, Lei, noi and voi")
    if verb.reflexive:
        raise ValueError(f"{verb.infinitive}: reflexive imperatives are not generated")
    if negative and person == 1:
        return (verb.infinitive,)
    return imperative_forms(verb, person)


def forms(
    verb: Verb,
    tense: TenseName,
    person: int,
    gender: Gender = "m",
    *,
    auxiliary: Auxiliary | None = None,
) -> tuple[str, ...]:
    """Every right form of ``verb`` in ``tense`` for ``person``, the taught one first.

    Compound tenses agree with the subject when the auxiliary is essere; ``auxiliary`` forces the
    other one, to build the classic wrong form (*ho andato*). Reflexive pronouns are included.
    """
    if tense in ("imperativo", "imperativo_negativo"):
        return imperative_full(verb, person, negative=tense == "imperativo_negativo")
    pronoun = f"{REFLEXIVE_PRONOUNS[person]} " if verb.reflexive else ""
    if tense in COMPOUND_TENSES:
        aux = auxiliary or verb.compound_auxiliary
        aux_form = _AUXILIARY_FORMS[aux][COMPOUND_TENSES[tense]][person]
        result = []
        for participle in _participles(verb):
            if aux == "essere":
                participle = agree_participle(participle, gender, is_plural(person))
            result.append(f"{pronoun}{aux_form} {participle}")
        return tuple(result)
    if tense == "stare_gerundio":
        taught = f"{pronoun}{_STARE_PRESENTE[person]} {gerund(verb)}"
        if verb.reflexive:  # mi sto alzando, sto alzandomi
            enclitic = REFLEXIVE_PRONOUNS[person]
            return (taught, f"{_STARE_PRESENTE[person]} {gerund(verb)}{enclitic}")
        return (taught,)
    return tuple(f"{pronoun}{form}" for form in _simple_variants(verb, tense, person))


def past_progressive(verb: Verb, person: int) -> str:
    """stare in the imperfetto + gerundio (stavo mangiando): the past of stare + gerundio."""
    pronoun = f"{REFLEXIVE_PRONOUNS[person]} " if verb.reflexive else ""
    return f"{pronoun}{_STARE_IMPERFETTO[person]} {gerund(verb)}"


def form(verb: Verb, tense: TenseName, person: int, gender: Gender = "m") -> str:
    """The taught form of ``verb`` in any tense for ``person``."""
    return forms(verb, tense, person, gender)[0]


def every_form(verb: Verb) -> set[str]:
    """Every form of every tense, both auxiliaries and genders: real words to draw options from."""
    result = {verb.infinitive}
    if not verb.reflexive:
        result.add(negative_imperative_tu(verb))
        for person in IMPERATIVE_PERSONS:
            result.update(imperative_forms(verb, person))
    for tense in ALL_TENSES:
        if tense.startswith("imperativo"):
            if verb.reflexive:
                continue
            for person in FULL_IMPERATIVE_PERSONS:
                result.update(forms(verb, tense, person))
            continue
        for person in range(6):
            for gender in ("m", "f"):
                for aux in ("avere", "essere"):
                    result.update(forms(verb, tense, person, gender, auxiliary=aux))
    result.update(past_progressive(verb, person) for person in range(6))
    return result
