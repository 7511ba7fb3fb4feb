"""Translation pairs built from the checked frames of the points beyond verbs: articles,
partitives, possessives, articulated prepositions and adjective agreement, with every rendering a teacher accepts (tu, voi and Lei for "your",
his or her for suo, either cousin)."""

from __future__ import annotations

from functools import cache

from api.generation.offline import lexicon
from api.generation.offline.conjugation import Gender
from api.generation.offline.morphology import (
    articulated_preposition,
    definite_article,
    indefinite_article,
    with_article,
)
from api.generation.offline.points import narrative, point_pairs
from api.generation.offline.points._data import points
from api.generation.offline.points.possessives import possessive

_PLACES = frozenset({"ristorante", "ospedale", "museo", "stazione", "negozio", "parco", "stadio", "piazza", "spiaggia"})  # fmt: skip
# What one looks for or cannot find, and has or would like one of.
_THINGS = frozenset({"orologio", "sveglia", "asciugamano", "spazzolino", "ombrello", "scarpa", "zucchina", "uovo", "arancia", "albicocca", "biglietto", "zaino", "quaderno", "astuccio", "computer", "romanzo", "specchio", "piatto", "strumento", "yogurt"})  # fmt: skip
# What has a time: the definite article in "A che ora è ...?"; the events one has (Domani ho un esame).
_TIMED = frozenset({"treno", "autobus", "aereo", "esame", "lezione", "riunione", "spettacolo", "film"})  # fmt: skip
_EVENTS = frozenset({"esame", "lezione", "riunione"})
# Where-is nouns only: a classroom, a mass noun (no "a sugar").
_WHERE_ONLY = frozenset({"aula", "zucchero", "formaggio", "insalata"})
# Mass nouns one buys but does not order at a table ("Prendo del sale" is odd).
_INGREDIENTS = frozenset({"olio", "sale", "zucchero", "farina", "aceto", "burro", "panna"})
# What one keeps in the fridge.
_FRIDGE = frozenset({"latte", "burro", "formaggio", "acqua", "carne", "frutta", "insalata", "marmellata", "prosciutto", "yogurt", "birra", "panna", "succo", "torta", "vino", "pesce"})  # fmt: skip
_ENGLISH_OWNER = {
    "io": "my",
    "tu": "your",
    "lui": "his",
    "lei": "her",
    "noi": "our",
    "voi": "your",
    "loro": "their",
}
# Who else "your" may be in Italian: tu, voi, or Lei (Suo, with or without its capital).
_YOUR = ("tu", "voi", "Lei")


def _a(english: str) -> str:
    return f"an {english}" if english[:1] in "aeiou" else f"a {english}"


def _pair(
    focus: str, level: str, it: str, en: str, it_alt: list[str], en_alt: list[str]
) -> lexicon.TranslationPair:
    return lexicon.TranslationPair(
        topic="general",
        level=level,
        focus=focus,
        italian=it,
        english=en,
        italian_alternatives=tuple(dict.fromkeys(a for a in it_alt if a != it)),
        english_alternatives=tuple(dict.fromkeys(a for a in en_alt if a != en)),
    )


def _nouns() -> list[tuple[lexicon.Noun, list[str]]]:
    english = points()["translation_nouns"]
    return [(n, english[n.word]) for n in lexicon.nouns() if n.word in english]


def _articles() -> list[lexicon.TranslationPair]:
    """Dov'è / Cerco / Non trovo / Ecco / Quanto costa / A che ora è + the; Ho / Vorrei / Cerco / C'è ... qui vicino?
    / Domani ho + a: each noun in the sentences that suit it."""
    pairs = []
    for noun, english in _nouns():
        word = noun.word
        the = with_article(definite_article(word, noun.gender, False), word)
        a = with_article(indefinite_article(word, noun.gender), word)
        definite: list[tuple[str, list[str], list[str]]] = []
        if word not in _TIMED or word in ("treno", "autobus", "aereo"):
            definite.append((f"Dov'è {the}?", [f"Dove è {the}?"], [f"Where is the {e}?" for e in english]))  # fmt: skip
        if word in _THINGS or word in _PLACES or word in _WHERE_ONLY:
            definite.append((f"Cerco {the}.", [f"Sto cercando {the}."], [f"I am looking for the {e}." for e in english]))  # fmt: skip
        if word in _THINGS or word in ("zucchero", "formaggio"):
            definite.append((f"Non trovo {the}.", [f"Non riesco a trovare {the}."], [f"I can't find the {e}." for e in english]))  # fmt: skip
        if word in _THINGS or word in _PLACES or word in _WHERE_ONLY:
            definite.append((f"Ecco {the}.", [], [f"Here is the {e}." for e in english]))
        if word in _THINGS:
            how_much = [f"How much is the {e}?" for e in english]
            how_much += [f"How much does the {e} cost?" for e in english]
            definite.append((f"Quanto costa {the}?", [], how_much))
        if word in _TIMED:
            definite.append((f"A che ora è {the}?", [], [f"What time is the {e}?" for e in english]))  # fmt: skip
        for it, it_alt, en in definite:
            pairs.append(_pair("articoli determinativi", "A1", it, en[0], it_alt, en[1:]))
        indefinite: list[tuple[str, list[str], list[str]]] = []
        if word in _PLACES:
            en_alt = [f"Is there {_a(e)} {where}?" for e in english for where in ("near here", "nearby", "close by")]  # fmt: skip
            indefinite.append((f"C'è {a} qui vicino?", [f"Qui vicino c'è {a}?"], en_alt))
            indefinite.append((f"Cerco {a}.", [f"Sto cercando {a}."], [f"I am looking for {_a(e)}." for e in english]))  # fmt: skip
        elif word in _THINGS:
            have = [f"I have {_a(e)}." for e in english] + [f"I have got {_a(e)}." for e in english]
            indefinite.append((f"Ho {a}.", [], have))
            indefinite.append((f"Vorrei {a}.", [], [f"I would like {_a(e)}." for e in english]))
            indefinite.append((f"Cerco {a}.", [f"Sto cercando {a}."], [f"I am looking for {_a(e)}." for e in english]))  # fmt: skip
        elif word in _EVENTS:
            tomorrow = [f"I have {_a(e)} tomorrow." for e in english]
            tomorrow += [f"Tomorrow I have {_a(e)}." for e in english]
            tomorrow += [f"I have got {_a(e)} tomorrow." for e in english]
            indefinite.append((f"Domani ho {a}.", [f"Ho {a} domani."], tomorrow))
        for it, it_alt, en in indefinite:
            pairs.append(_pair("articoli indeterminativi", "A1", it, en[0], it_alt, en[1:]))
        pairs += _advanced_articles(word, noun.gender, english, the, a)
    return pairs


# Places one asks about opening; things one buys new (not food).
_OPENING = frozenset({"ristorante", "museo", "negozio", "parco", "stazione"})
_NOT_NEW = frozenset({"zucchina", "uovo", "arancia", "albicocca", "yogurt"})


def _advanced_articles(
    word: str, gender: Gender, english: list[str], the: str, a: str
) -> list[lexicon.TranslationPair]:
    """The same nouns in the structures of B1–C1: an indirect question (Non so dove sia il
    treno, with dov'è accepted), a relative clause with the congiuntivo (Cerco un ombrello che
    costi poco), a conditional (Mi servirebbe un orologio nuovo)."""
    pairs = []
    new = lexicon.adjectives()["nuovo"].form(gender, False)
    is_open = lexicon.adjectives()["aperto"].form(gender, False)
    definite: list[tuple[str, str, list[str], list[str]]] = []
    if word in _THINGS or word in _PLACES or word in _WHERE_ONLY or word in ("treno", "autobus", "aereo"):  # fmt: skip
        definite.append(("B2", f"Non so dove sia {the}.", [f"Non so dov'è {the}.", f"Non so dove è {the}."], [f"I do not know where the {e} is." for e in english]))  # fmt: skip
    if word in _THINGS:
        definite.append(("C1", f"Mi chiedo quanto costi {the}.", [f"Mi domando quanto costi {the}."], [f"I wonder how much the {e} costs." for e in english] + [f"I wonder how much the {e} is." for e in english]))  # fmt: skip
    if word in _OPENING:
        definite.append(("C1", f"Mi chiedo se {the} sia {is_open}.", [f"Mi domando se {the} sia {is_open}."], [f"I wonder {w} the {e} is open." for w in ("if", "whether") for e in english]))  # fmt: skip
    if word in ("treno", "autobus", "aereo"):
        definite.append(("B2", f"Sai a che ora parte {the}?", [f"{v} a che ora parte {the}?" for v in ("Sa", "Sapete")], [f"Do you know what time the {e} leaves?" for e in english] + [f"Do you know when the {e} leaves?" for e in english]))  # fmt: skip
    for level, it, it_alt, en in definite:
        pairs.append(_pair("articoli determinativi", level, it, en[0], it_alt, en[1:]))
    indefinite: list[tuple[str, str, list[str], list[str]]] = []
    if word in _PLACES:
        asks = [f"Do you know {w} there is {_a(e)} {where}?" for w in ("if", "whether") for e in english for where in ("near here", "nearby", "close by")]  # fmt: skip
        indefinite.append(("B1", f"Sai se c'è {a} qui vicino?", [f"{v} se {c}?" for v in ("Sai", "Sa", "Sapete") for c in (f"c'è {a} qui vicino", f"qui vicino c'è {a}")], asks))  # fmt: skip
    elif word in _THINGS and word not in _NOT_NEW:
        cheap = [f"I am looking for {_a(e)} that does not cost much." for e in english]
        cheap += [f"I am looking for {_a(e)} that does not cost a lot." for e in english]
        cheap += [f"I am looking for a cheap {e}." for e in english]
        indefinite.append(("B2", f"Cerco {a} che costi poco.", [f"Sto cercando {a} che costi poco."], cheap))  # fmt: skip
        needed = [f"I would need a new {e}." for e in english]
        indefinite.append(("C1", f"Mi servirebbe {a} {new}.", [f"Avrei bisogno di {a} {new}."], needed))  # fmt: skip
    elif word in _EVENTS:
        fear = [f"I am afraid there is {_a(e)} tomorrow." for e in english]
        fear += [f"I am afraid that there is {_a(e)} tomorrow." for e in english]
        indefinite.append(("B2", f"Temo che domani ci sia {a}.", [f"Temo che ci sia {a} domani."], fear))  # fmt: skip
    for level, it, it_alt, en in indefinite:
        pairs.append(_pair("articoli indeterminativi", level, it, en[0], it_alt, en[1:]))
    return pairs


def _partitives() -> list[lexicon.TranslationPair]:
    pairs = []
    for entry in points()["partitive_nouns"]:
        word, gender, english = entry["word"], entry["gender"], entry["english"]
        if word == "aranciata":  # no one English word for it
            continue
        some = articulated_preposition("di", definite_article(word, gender, False))
        phrase = with_article(some, word)
        pairs.append(
            _pair(
                "articoli partitivi",
                "A2",
                f"Vorrei {phrase}, per favore.",
                f"I would like some {english}, please.",
                [f"Vorrei un po' di {word}, per favore."],
                [],
            )
        )
        pairs.append(
            _pair(
                "articoli partitivi",
                "A2",
                f"Abbiamo comprato {phrase}.",
                f"We bought some {english}.",
                [f"Abbiamo comprato un po' di {word}."],
                [f"We have bought some {english}."],
            )
        )
    pairs += _more_partitives()
    return pairs


def _more_partitives() -> list[lexicon.TranslationPair]:
    """Some with the mass nouns and plurals of the partitive bank: Hai del latte? / Avete del
    latte? / Ha del latte? for "Do you have any milk?", un po' di and alcuni/alcune as well."""
    english = points()["partitive_english"]
    genders = {n[0]: n[1] for kind in ("mass", "food", "objects") for n in points()["partitive_bank"][kind]}  # fmt: skip
    pairs = []
    for word, en in english["mass"].items():
        gender = genders[word]
        phrase = with_article(articulated_preposition("di", definite_article(word, gender, False)), word)  # fmt: skip
        ens = en.split("|")
        little = f"un po' di {word}"
        pairs.append(
            _pair(
                "articoli partitivi",
                "A2",
                f"Hai {phrase}?",
                f"Do you have any {ens[0]}?",
                [f"{v} {p}?" for v in ("Hai", "Avete", "Ha") for p in (phrase, little)],
                [
                    f"{q} {a} {e}?"
                    for q in ("Do you have", "Have you got")
                    for a in ("any", "some")
                    for e in ens
                ],  # fmt: skip
            )
        )
        if word not in _INGREDIENTS:  # what one orders at a table
            pairs.append(
                _pair(
                    "articoli partitivi",
                    "A2",
                    f"Prendo {phrase}.",
                    f"I'll have some {ens[0]}.",
                    [f"Prendo {little}."],
                    [
                        f"I {v} some {e}."
                        for v in ("will have", "will take", "am having")
                        for e in ens
                    ],  # fmt: skip
                )
            )
        pairs.append(
            _pair(
                "articoli partitivi",
                "A2",
                f"Al supermercato ho comprato {phrase}.",
                f"I bought some {ens[0]} at the supermarket.",
                [
                    f"Al supermercato ho comprato {little}.",
                    f"Ho comprato {phrase} al supermercato.",
                ],  # fmt: skip
                [
                    f"I {v} some {e} at the supermarket."
                    for v in ("bought", "have bought")
                    for e in ens
                ],  # fmt: skip
            )
        )
    written = {e["word"] for e in points()["partitive_nouns"]}  # Vorrei del pane: a pair already
    for word, en in english["mass"].items():
        gender = genders[word]
        phrase = with_article(articulated_preposition("di", definite_article(word, gender, False)), word)  # fmt: skip
        ens = en.split("|")
        little = f"un po' di {word}"
        if word not in written:
            pairs.append(
                _pair(
                    "articoli partitivi",
                    "A2",
                    f"Vorrei {phrase}, per favore.",
                    f"I would like some {ens[0]}, please.",
                    [f"Vorrei {little}, per favore."],
                    [f"I would like some {e}, please." for e in ens],
                )
            )
        if word in _FRIDGE:
            pairs.append(
                _pair(
                    "articoli partitivi",
                    "A2",
                    f"Nel frigo c'è {phrase}.",
                    f"There is some {ens[0]} in the fridge.",
                    [
                        f"{where} c'è {what}."
                        for where in ("Nel frigo", "Nel frigorifero")
                        for what in (phrase, little)
                    ]
                    + [f"C'è {phrase} nel frigo.", f"C'è {phrase} nel frigorifero."],
                    [
                        f"There is some {e} in the {f}."
                        for e in ens
                        for f in ("fridge", "refrigerator")
                    ],  # fmt: skip
                )
            )
    for word, en in english["plural"].items():
        gender = genders[word]
        some = articulated_preposition("di", definite_article(word, gender, True))
        phrase = with_article(some, word)
        few = f"{'alcune' if gender == 'f' else 'alcuni'} {word}"
        ens = en.split("|")
        pairs.append(
            _pair(
                "articoli partitivi",
                "A2",
                f"Ho comprato {phrase}.",
                f"I bought some {ens[0]}.",
                [f"Ho comprato {few}."],
                [f"I {v} some {e}." for v in ("bought", "have bought") for e in ens],
            )
        )
        pairs.append(
            _pair(
                "articoli partitivi",
                "A2",
                f"Sul tavolo ci sono {phrase}.",
                f"There are some {ens[0]} on the table.",
                [
                    f"Sul tavolo ci sono {few}.",
                    f"Ci sono {phrase} sul tavolo.",
                    f"Ci sono {few} sul tavolo.",
                ],  # fmt: skip
                [f"There are some {e} on the table." for e in ens],
            )
        )
    return pairs


def _owned(owner: str, gender: Gender, family: bool) -> list[str]:
    """Every Italian possessive for the English owner: tu, voi and Lei for "your"."""
    owners = _YOUR if owner in ("tu", "voi") else (owner,)
    forms = []
    for who in owners:
        if who == "Lei":
            form = possessive("lei", gender, False, family=family)
            forms += [form.replace("suo", "Suo").replace("sua", "Sua"), form]
        else:
            forms.append(possessive(who, gender, False, family=family))
    return forms


def _possessives() -> list[lexicon.TranslationPair]:
    pairs = []
    family = points()["family"]
    things = [(n.word, n.gender, english) for n, english in _nouns() if n.word in _THINGS]
    people = [
        (f["word"], f["gender"], [f["english"], *f.get("english_alternatives", [])]) for f in family
    ]
    for owner in _ENGLISH_OWNER:
        for word, gender, english in people + things:
            is_family = any(word == f["word"] for f in family)
            phrases = [f"{p} {word}" for p in _owned(owner, gender, is_family)]
            # "my cousin": cugino or cugina, each with its own possessive.
            phrases += [
                f"{p} {f['word']}"
                for f in family
                if f["english"] == english[0] and f["word"] != word
                for p in _owned(owner, f["gender"], True)
            ]
            english_owners = ["his", "her"] if owner in ("lui", "lei") else [_ENGLISH_OWNER[owner]]
            for leads, en_lead, end in ((("Dov'è", "Dove è"), "Where is", "?"), (("Ecco",), "Here is", ".")):  # fmt: skip
                it = f"{leads[0]} {phrases[0]}{end}"
                it_alt = [f"{lead} {phrase}{end}" for phrase in phrases for lead in leads]
                en_all = [f"{en_lead} {o} {e}{end}" for o in english_owners for e in english]
                if owner in ("lui", "lei"):  # suo is his or her: ask for the one the pair names
                    named = f"{en_lead} {_ENGLISH_OWNER[owner]} "
                    en_all = [s for s in en_all if s.startswith(named)] + [
                        s for s in en_all if not s.startswith(named)
                    ]
                pairs.append(_pair("aggettivi possessivi", "A1", it, en_all[0], it_alt, en_all[1:]))
            # B2: an indirect question (Non so dove sia mio padre, dov'è accepted); C1: I wonder
            # how a relative is, where I put a thing.
            advanced = [("B2", ("Non so dove sia", "Non so dov'è", "Non so dove è"), "I do not know where {o} {e} is.")]  # fmt: skip
            if is_family:
                advanced.append(("C1", ("Mi chiedo come stia", "Mi domando come stia", "Chissà come sta"), "I wonder how {o} {e} is."))  # fmt: skip
            else:
                advanced.append(("C1", ("Chissà dove ho messo", "Mi chiedo dove ho messo", "Mi chiedo dove abbia messo"), "I wonder where I put {o} {e}."))  # fmt: skip
            for level, wordings, template in advanced:
                it = f"{wordings[0]} {phrases[0]}."
                it_alt = [f"{lead} {phrase}." for phrase in phrases for lead in wordings]
                en_all = [template.replace("{o}", o).replace("{e}", e) for o in english_owners for e in english]  # fmt: skip
                if owner in ("lui", "lei"):
                    named = template.split("{o}")[0] + _ENGLISH_OWNER[owner] + " "
                    en_all = [s for s in en_all if s.startswith(named)] + [s for s in en_all if not s.startswith(named)]  # fmt: skip
                if "I put" in template:
                    en_all += [s.replace("I put", "I have put") for s in en_all]
                pairs.append(_pair("aggettivi possessivi", level, it, en_all[0], it_alt, en_all[1:]))  # fmt: skip
    return pairs


def _prepositions() -> list[lexicon.TranslationPair]:
    """a and da fused with the article of a place: Vado al museo, Torno dalla stazione."""
    places = points()["translation_places"]
    pairs = []
    for noun in lexicon.nouns():
        if noun.word not in places:
            continue
        english = places[noun.word]
        article = definite_article(noun.word, noun.gender, False)
        to = with_article(articulated_preposition("a", article), noun.word)
        back = with_article(articulated_preposition("da", article), noun.word)
        pairs.append(
            _pair(
                "preposizioni articolate",
                "A1",
                f"Vado {to}.",
                f"I am going to the {english[0]}.",
                [f"Sto andando {to}.", f"Io vado {to}."],
                [f"I am going to the {e}." for e in english[1:]]
                + [f"I go to the {e}." for e in english],
            )
        )
        pairs.append(
            _pair(
                "preposizioni articolate",
                "A2",
                f"Torno {back}.",
                f"I am coming back from the {english[0]}.",
                [f"Sto tornando {back}.", f"Ritorno {back}.", f"Io torno {back}."],
                [f"I am coming back from the {e}." for e in english[1:]]
                + [f"I come back from the {e}." for e in english],
            )
        )
    return pairs


def _adjectives() -> list[lexicon.TranslationPair]:
    """Agreement: the adjective after essere takes the noun's gender (La sveglia è nuova)."""
    pairs = []
    adjectives = lexicon.adjectives()
    # Only adjectives with one Italian rendering ("big" may be grande or grosso: not these).
    unambiguous = set(points()["translation_adjectives"])
    for noun, english in _nouns():
        for name in (a for a in noun.adjectives if a in unambiguous):
            adjective = adjectives[name]
            glosses = [g.strip() for g in adjective.english.split(",")]
            the = with_article(definite_article(noun.word, noun.gender, False), noun.word)
            form = adjective.form(noun.gender, False)
            for verb, en_verb in (("è", "is"), ("non è", "is not")):
                it = f"{the[:1].upper()}{the[1:]} {verb} {form}."
                en_all = [f"The {e} {en_verb} {g}." for e in english for g in glosses]
                pairs.append(_pair("accordo degli aggettivi", "A1", it, en_all[0], [], en_all[1:]))
            # B2 an opinion with the congiuntivo presente, C1 a past one with the imperfetto.
            for level, leads, verb, en_lead, en_verb in (
                ("B2", ("Penso che", "Credo che"), "sia", "I think", "is"),
                ("C1", ("Pensavo che", "Credevo che"), "fosse", "I thought", "was"),
            ):
                it_all = [f"{lead} {the} {verb} {form}." for lead in leads]
                en_all = [f"{en_lead}{that} the {e} {en_verb} {g}." for that in ("", " that") for e in english for g in glosses]  # fmt: skip
                pairs.append(_pair("accordo degli aggettivi", level, it_all[0], en_all[0], it_all[1:], en_all[1:]))  # fmt: skip
    return pairs


@cache
def translation_pairs() -> tuple[lexicon.TranslationPair, ...]:
    """The pairs built from the points' frames."""
    return (
        *_articles(),
        *_partitives(),
        *_possessives(),
        *_prepositions(),
        *_adjectives(),
        *point_pairs.translation_pairs(),
        *narrative.translation_pairs(),
    )
