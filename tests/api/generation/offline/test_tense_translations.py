"""Translations of the compound tenses and the congiuntivi, built from their own neutral contexts:
hand-checked pairs, every other right rendering accepted (tu/voi/Lei, both genders, the other
clause order, a synonym), the wrong tense refused, and enough of them for a class; the passato
remoto in the bank's historical sentences, with the passato prossimo accepted too; stare +
gerundio with the presente accepted too; the negative imperative with the person fixed by the
person addressed, or every "you" accepted, and per favore at the start or the end."""

from __future__ import annotations

import random
from functools import cache

import pytest

from api.generation.offline import FOCUSES, lexicon, registry, resolve
from api.generation.offline.builders import Item, normalise_answer
from api.generation.offline.generator import generate_exercises, pair_exercises
from api.generation.offline.tenses import (
    _RULES,
    BANK_TRANSLATED,
    _Choice,
    _translation_item,
    build_tense_item,
    contexts,
    forms,
    frame_verb,
    frames,
    has_translations,
    subjects,
)
from api.homework.grading import grade_any
from inference_worker.contract import GenerateRequest

TRANSLATED = (
    "trapassato prossimo",
    "condizionale passato",
    "congiuntivo imperfetto",
    "congiuntivo trapassato",
    "futuro anteriore",
    "congiuntivo passato",
    "stare + gerundio",
    "imperativo negativo",
)


@cache
def _items(focus: str, level: str) -> dict[str, Item]:
    """The items of 1500 seeds, by their English sentence."""
    found: dict[str, Item] = {}
    for seed in range(1500):
        item = build_tense_item(random.Random(seed), focus, "general", level, "translation")
        assert item is not None
        found.setdefault(item.question.split("«")[1].rstrip("»"), item)
    return found


def _built(focus: str, context_it: str, verb: str, complement: str, subject_it: str) -> Item:
    """The translation item of one context, frame and subject, as the generator builds it."""
    rule = _RULES[focus]
    context = next(
        c for c in contexts() if c.translate and c.tense == rule.tense and c.it == context_it
    )
    frame = next(f for f in frames() if f.verb == verb and f.it == complement)
    subject = next(s for s in subjects() if s.it == subject_it)
    choice = _Choice(rule, frame, frame_verb(frame), context, subject.person, subject, {})
    item = _translation_item(choice)
    assert item is not None
    return item


def _accepted(item: Item) -> set[str]:
    return {normalise_answer(s) for s in (item.answer, *item.accepted)}


@pytest.mark.parametrize("focus", TRANSLATED)
def test_the_tense_has_translations_and_no_warning(focus: str) -> None:
    assert has_translations(focus) and "translation" in FOCUSES[focus].types
    result = resolve(
        grammar_focus=focus, topic="general", level="B2", exercise_types=["translation"]
    )
    assert not any("translation" in w for w in result.warnings), result.warnings


def test_the_passato_remoto_is_translated_in_the_bank_s_historical_sentences() -> None:
    assert not has_translations("passato remoto") and "passato remoto" in BANK_TRANSLATED
    assert "translation" in FOCUSES["passato remoto"].types
    result = resolve(
        grammar_focus="passato remoto", topic="general", level="B1", exercise_types=["translation"]
    )
    assert not any("translation" in w for w in result.warnings), result.warnings
    pairs = [p for p in registry.translation_pairs() if p.focus == "passato remoto"]
    assert sum(p.level == "B1" for p in pairs) >= 120 and sum(p.level == "B2" for p in pairs) >= 15
    history = {p.italian for p in pairs} | {p.english for p in pairs}
    for level in ("B1", "B2", "C1", "C2"):
        request = GenerateRequest(
            cefr_level=level,
            grammar_focus="passato remoto",
            quantity=8,
            exercise_types=["translation"],
        )
        for seed in range(3):
            for exercise in generate_exercises(request, seed=seed):
                assert exercise.question.split("«")[1].rstrip("»") in history, exercise.question


@pytest.mark.parametrize(
    ("english", "right", "wrong"),
    [
        (
            "Dante was born in Florence in 1265.",
            [
                "Dante nacque a Firenze nel 1265.",
                "Nel 1265 Dante nacque a Firenze.",
                "Dante è nato a Firenze nel 1265.",  # the passato prossimo is right too
            ],
            ["Dante nasceva a Firenze nel 1265.", "Dante era nato a Firenze nel 1265."],
        ),
        (
            "Italy became a republic in 1946.",
            [
                "L'Italia diventò una repubblica nel 1946.",
                "L'Italia divenne una repubblica nel 1946.",
                "Nel 1946 l'Italia è diventata una repubblica.",
            ],
            [
                "L'Italia diventava una repubblica nel 1946.",
                "L'Italia diventerà una repubblica nel 1946.",
            ],
        ),
        (
            "Michelangelo painted the ceiling of the Sistine Chapel.",
            [
                "Michelangelo dipinse la volta della Cappella Sistina.",
                "Michelangelo dipinse il soffitto della Cappella Sistina.",
                "Michelangelo ha dipinto la volta della Cappella Sistina.",
            ],
            ["Michelangelo dipingeva la volta della Cappella Sistina."],
        ),
        (  # built from the bank's facts: the participle agrees with a woman
            "Maria Montessori was born in Chiaravalle in 1870.",
            [
                "Maria Montessori nacque a Chiaravalle nel 1870.",
                "Maria Montessori è nata a Chiaravalle nel 1870.",
                "Nel 1870 Maria Montessori nacque a Chiaravalle.",
            ],
            [
                "Maria Montessori è nato a Chiaravalle nel 1870.",
                "Maria Montessori nasceva a Chiaravalle nel 1870.",
                "Maria Montessori era nata a Chiaravalle nel 1870.",
            ],
        ),
        (
            "Umberto Eco wrote The Name of the Rose.",
            [
                "Umberto Eco scrisse Il nome della rosa.",
                "Umberto Eco ha scritto Il nome della rosa.",
            ],
            [
                "Umberto Eco scriveva Il nome della rosa.",
                "Umberto Eco aveva scritto Il nome della rosa.",
            ],
        ),
        (
            "Rita Levi-Montalcini won the Nobel Prize in Medicine in 1986.",
            [
                "Rita Levi-Montalcini vinse il premio Nobel per la medicina nel 1986.",
                "Nel 1986 Rita Levi-Montalcini ha vinto il Nobel per la medicina.",
            ],
            ["Rita Levi-Montalcini vinceva il premio Nobel per la medicina nel 1986."],
        ),
        (  # B2: birth and death in one sentence, the birth in a relative clause
            "Rita Levi-Montalcini, who was born in Turin in 1909, died in Rome in 2012.",
            [
                "Rita Levi-Montalcini, che nacque a Torino nel 1909, morì a Roma nel 2012.",
                "Rita Levi-Montalcini, nata a Torino nel 1909, morì a Roma nel 2012.",
                "Rita Levi-Montalcini, che è nata a Torino nel 1909, è morta a Roma nel 2012.",
            ],
            [
                "Rita Levi-Montalcini, che nasceva a Torino nel 1909, moriva a Roma nel 2012.",
                "Rita Levi-Montalcini, che era nata a Torino nel 1909, morì a Roma nel 2012.",
                "Rita Levi-Montalcini, che è nato a Torino nel 1909, è morto a Roma nel 2012.",
            ],
        ),
    ],
)
def test_passato_remoto_pairs(english: str, right: list[str], wrong: list[str]) -> None:
    pair = next(p for p in registry.translation_pairs() if p.english == english)
    to_italian, _ = pair_exercises(pair)
    assert to_italian.correct_answer == right[0]
    answers = [to_italian.correct_answer, *(to_italian.accepted_answers or [])]
    assert all(grade_any(r, answers).verdict == "correct" for r in right)
    assert all(grade_any(w, answers).verdict == "incorrect" for w in wrong)


@pytest.mark.parametrize(
    ("focus", "built", "english", "right", "wrong"),
    [
        (
            "trapassato prossimo",
            ("Mi hanno detto che {s} {v} {c}.", "trasferirsi", "a Milano", "Luca"),
            "They told me that Luca had moved to Milan.",
            ["Mi hanno detto che Luca si era trasferito a Milano."],
            [
                "Mi hanno detto che Luca si è trasferito a Milano.",  # passato prossimo
                "Mi hanno detto che Luca si era trasferita a Milano.",  # agreement
                "Mi hanno detto che Luca aveva trasferito a Milano.",  # auxiliary
            ],
        ),
        (
            "trapassato prossimo",
            ("Quando è arrivata la lettera, {s} {v} {c}.", "partire", "per Roma", "io"),
            "When the letter arrived, I had left for Rome.",
            [
                "Quando è arrivata la lettera, ero partito per Roma.",
                "Quando è arrivata la lettera, io ero partita per Roma.",
                "Quando la lettera è arrivata, ero partita per Roma.",
                "Ero partito per Roma quando è arrivata la lettera.",
            ],
            [
                "Quando è arrivata la lettera, sono partito per Roma.",  # passato prossimo
                "Quando è arrivata la lettera, avevo partito per Roma.",  # auxiliary
            ],
        ),
        (
            "condizionale passato",
            (
                "Se {s} {avere:congiuntivo_trapassato} tempo, {v} {c}.",
                "organizzare",
                "una festa a sorpresa",
                "io",
            ),
            "If I had had time, I would have organised a surprise party.",
            [
                "Se avessi avuto tempo, avrei organizzato una festa a sorpresa.",
                "Se io avessi avuto tempo, avrei organizzato una festa a sorpresa.",
                "Avrei organizzato una festa a sorpresa, se avessi avuto tempo.",
            ],
            [
                "Se avessi avuto tempo, organizzerei una festa a sorpresa.",  # condizionale presente
                "Se avevo avuto tempo, avrei organizzato una festa a sorpresa.",
            ],
        ),
        (
            "condizionale passato",
            ("{s} {v} {c}, ma non c'è stato tempo.", "partire", "per Roma", "io"),
            "I would have left for Rome, but there was no time.",
            [
                "Sarei partito per Roma, ma non c'è stato tempo.",
                "Sarei partita per Roma, ma non c'era tempo.",
                "Io sarei partito per Roma, ma non c'è stato tempo.",
            ],
            [
                "Avrei partito per Roma, ma non c'è stato tempo.",  # auxiliary
                "Partirei per Roma, ma non c'è stato tempo.",  # condizionale presente
            ],
        ),
        (
            "congiuntivo imperfetto",
            ("Volevo che {s} {v} {c}.", "organizzare", "una festa a sorpresa", "tu"),
            "I wanted you to organise a surprise party.",
            [
                "Volevo che tu organizzassi una festa a sorpresa.",
                "Volevo che organizzassi una festa a sorpresa.",
                "Volevo che voi organizzaste una festa a sorpresa.",
                "Volevo che organizzaste una festa a sorpresa.",
                "Volevo che Lei organizzasse una festa a sorpresa.",
            ],
            [
                "Volevo che tu organizzi una festa a sorpresa.",  # congiuntivo presente
                "Volevo che tu organizzavi una festa a sorpresa.",  # imperfetto
            ],
        ),
        (
            "congiuntivo imperfetto",
            ("Se {s} {v} {c}, sarebbe tutto più facile.", "trasferirsi", "a Milano", "noi"),
            "If we moved to Milan, everything would be easier.",
            [
                "Se ci trasferissimo a Milano, sarebbe tutto più facile.",
                "Se noi ci trasferissimo a Milano, tutto sarebbe più facile.",
                "Sarebbe tutto più facile se ci trasferissimo a Milano.",
            ],
            [
                "Se ci trasferiremmo a Milano, sarebbe tutto più facile.",  # condizionale
                "Se ci trasferiamo a Milano, sarebbe tutto più facile.",  # presente
            ],
        ),
        (
            "congiuntivo trapassato",
            ("Pensavo che {s} {v} {c}.", "crescere", "in campagna", "Marco e Giulia"),
            "I thought Marco and Giulia had grown up in the countryside.",
            [
                "Pensavo che Marco e Giulia fossero cresciuti in campagna.",
                "Credevo che Marco e Giulia fossero cresciuti in campagna.",
            ],
            [
                "Pensavo che Marco e Giulia fossero cresciute in campagna.",
                "Pensavo che Marco e Giulia erano cresciuti in campagna.",  # indicative
                "Pensavo che Marco e Giulia siano cresciuti in campagna.",  # congiuntivo passato
            ],
        ),
        (
            "congiuntivo trapassato",
            ("Se {s} {v} {c}, sarebbe stato tutto più facile.", "finire", "i compiti", "io"),
            "If I had finished the homework, everything would have been easier.",
            [
                "Se io avessi finito i compiti, sarebbe stato tutto più facile.",
                "Se avessi finito i compiti, sarebbe stato tutto più facile.",
                "Sarebbe stato tutto più facile se avessi finito i compiti.",
                "Se avessi finito i compiti, tutto sarebbe stato più facile.",
            ],
            [
                "Se avrei finito i compiti, sarebbe stato tutto più facile.",  # condizionale
                "Se avevo finito i compiti, sarebbe stato tutto più facile.",  # indicative
                "Se io abbia finito i compiti, sarebbe stato tutto più facile.",  # cong. passato
            ],
        ),
        (
            "futuro anteriore",
            ("Entro domani sera {s} {v} {c}.", "organizzare", "una festa a sorpresa", "io"),
            "By tomorrow evening I will have organised a surprise party.",
            [
                "Entro domani sera avrò organizzato una festa a sorpresa.",
                "Entro domani sera io avrò organizzato una festa a sorpresa.",
                "Avrò organizzato una festa a sorpresa entro domani sera.",
                "Per domani sera avrò organizzato una festa a sorpresa.",
            ],
            [
                "Entro domani sera organizzerò una festa a sorpresa.",  # futuro semplice
                "Entro domani sera avrei organizzato una festa a sorpresa.",
            ],
        ),
        (
            "futuro anteriore",
            ("Quando {s} {v} {c}, sarà tutto più facile.", "finire", "i compiti", "tu"),
            "When you have finished the homework, everything will be easier.",
            [
                "Quando avrai finito i compiti, sarà tutto più facile.",
                "Quando avrete finito i compiti, tutto sarà più facile.",
                "Sarà tutto più facile quando Lei avrà finito i compiti.",
            ],
            [
                "Quando hai finito i compiti, sarà tutto più facile.",  # passato prossimo
                "Quando finirai i compiti, sarà tutto più facile.",  # futuro semplice
            ],
        ),
        (
            "congiuntivo passato",
            ("Penso che {s} {v} {c}.", "partire", "per Roma", "Marco"),
            "I think Marco has left for Rome.",
            [
                "Penso che Marco sia partito per Roma.",
                "Credo che Marco sia partito per Roma.",
            ],
            [
                "Penso che Marco è partito per Roma.",  # indicative
                "Penso che Marco fosse partito per Roma.",  # congiuntivo trapassato
                "Penso che Marco abbia partito per Roma.",  # auxiliary
            ],
        ),
    ],
)
def test_hand_checked_pairs(
    focus: str, built: tuple[str, str, str, str], english: str, right: list[str], wrong: list[str]
) -> None:
    item = _built(focus, *built)
    assert item.question == f"Traduci in italiano: «{english}»"
    assert item.answer in right, item
    accepted = _accepted(item)
    assert all(normalise_answer(r) in accepted for r in right), item
    assert not any(normalise_answer(w) in accepted for w in wrong), item


def test_the_speaker_of_io_is_either_gender() -> None:
    items = _items("condizionale passato", "B2")
    essere = [
        i for e, i in items.items() if e.startswith("If I had had time") and "sarei" in i.answer
    ]
    assert essere
    for item in essere:
        accepted = _accepted(item)
        participle = normalise_answer(item.answer).split("sarei ")[1].split()[0]
        assert participle.endswith("o"), item
        feminine = normalise_answer(item.answer).replace(
            f"sarei {participle}", f"sarei {participle[:-1]}a"
        )
        assert feminine in accepted, item


def test_i_am_glad_accepts_contenta_felice_and_mi_fa_piacere() -> None:
    items = _items("congiuntivo passato", "B2")
    glad = [i for e, i in items.items() if e.startswith("I am glad that")]
    assert glad
    for item in glad:
        accepted = _accepted(item)
        tail = normalise_answer(item.answer).removeprefix("sono contento che")
        assert {
            f"sono contenta che{tail}",
            f"sono felice che{tail}",
            f"mi fa piacere che{tail}",
        } <= accepted, item


@pytest.mark.parametrize("focus", TRANSLATED)
def test_fifteen_pairs_per_level_and_thirty_pupils_differ(focus: str) -> None:
    for level in FOCUSES[focus].levels:
        assert len(_items(focus, level)) >= 15, level
    request = GenerateRequest(
        cefr_level=FOCUSES[focus].levels[0],
        grammar_focus=focus,
        quantity=5,
        exercise_types=["translation"],
    )
    homeworks = {
        tuple(e.question for e in generate_exercises(request, seed=seed)) for seed in range(30)
    }
    assert len(homeworks) == 30
    assert all(len(set(h)) == 5 for h in homeworks)


def _built_order(context_en: str, verb: str, complement: str, person: int, **names: str) -> Item:
    """The translation item of one imperative context, frame and person addressed."""
    rule = _RULES["imperativo negativo"]
    context = next(
        c for c in contexts() if c.translate and c.tense == rule.tense and c.en == context_en
    )
    frame = next(f for f in frames() if f.verb == verb and f.it == complement)
    english = {"Signora": "Madam", "Ragazzi": "Guys", "Stasera": "Tonight"}
    vocatives = {kind: (it, english.get(it, it)) for kind, it in names.items()}
    choice = _Choice(rule, frame, frame_verb(frame), context, person, None, vocatives)
    item = _translation_item(choice)
    assert item is not None
    return item


def _check(item: Item, english: str, right: list[str], wrong: list[str]) -> None:
    assert item.question == f"Traduci in italiano: «{english}»"
    assert item.answer == right[0], item
    answers = [item.answer, *item.accepted]
    assert all(grade_any(r, answers).verdict == "correct" for r in right), item
    assert all(grade_any(w, answers).verdict != "correct" for w in wrong), item
    accepted = _accepted(item)
    assert not any(normalise_answer(w) in accepted for w in wrong), item


@pytest.mark.parametrize(
    ("built", "english", "right", "wrong"),
    [
        (
            ("In questo momento {s} {v} {c}.", "leggere", "il giornale", "io"),
            "Right now I am reading the newspaper.",
            [
                "In questo momento sto leggendo il giornale.",
                "Sto leggendo il giornale in questo momento.",
                "Proprio adesso io sto leggendo il giornale.",
                "In questo momento leggo il giornale.",  # the presente, as right
                "Adesso leggo il giornale.",
            ],
            [
                "In questo momento stavo leggendo il giornale.",  # past progressive
                "In questo momento leggevo il giornale.",  # imperfetto
                "In questo momento ho letto il giornale.",  # passato prossimo
                "In questo momento sta leggendo il giornale.",  # person
                "In questo momento sto leggere il giornale.",  # infinitive
            ],
        ),
        (
            ("Guarda! {s} {v} {c}.", "giocare", "a calcio", "i ragazzi"),
            "Look! The boys are playing football.",
            [
                "Guarda! I ragazzi stanno giocando a calcio.",
                "Guardate! I ragazzi stanno giocando a calcio.",
                "Guardi! I ragazzi giocano a calcio.",
            ],
            [
                "Guarda! I ragazzi stavano giocando a calcio.",
                "Guarda! I ragazzi hanno giocato a calcio.",
                "Guarda! I ragazzi sta giocando a calcio.",
            ],
        ),
        (
            ("Al momento {s} {v} {c}.", "divertirsi", "alla festa", "noi"),
            "At the moment we are having fun at the party.",
            [
                "Al momento ci stiamo divertendo alla festa.",
                "Al momento stiamo divertendoci alla festa.",
                "In questo momento ci divertiamo alla festa.",
                "Ci stiamo divertendo alla festa al momento.",
            ],
            [
                "Al momento ci stavamo divertendo alla festa.",
                "Al momento ci siamo divertiti alla festa.",
                "Al momento stiamo divertendo alla festa.",  # the pronoun forgotten
            ],
        ),
    ],
)
def test_progressive_pairs(
    built: tuple[str, str, str, str], english: str, right: list[str], wrong: list[str]
) -> None:
    _check(_built("stare + gerundio", *built), english, right, wrong)


@pytest.mark.parametrize(
    ("built", "english", "right", "wrong"),
    [
        (
            ("{name}, please don't {v:base} {c}!", "prendere", "l'autobus", 1, {"name": "Marco"}),
            "Marco, please don't take the bus!",
            [
                "Marco, per favore, non prendere l'autobus!",
                "Marco, non prendere l'autobus, per favore!",
                "Per favore, Marco, non prendere l'autobus!",
                "Non prendere l'autobus, Marco, per favore!",
            ],
            [
                "Marco, per favore, non prendi l'autobus!",  # indicative
                "Marco, per favore, non prenda l'autobus!",  # Lei: a first name is tu
                "Marco, per favore, non prendete l'autobus!",
                "Marco, per favore, prendi l'autobus!",
            ],
        ),
        (
            ("Please don't {v:base} {c}!", "chiudere", "la porta", 1, {}),
            "Please don't close the door!",
            [
                "Per favore, non chiudere la porta!",
                "Non chiudere la porta, per favore!",
                "Per favore, non chiuda la porta!",  # the English "you" can be Lei
                "Non chiudete la porta, per favore!",  # or voi
            ],
            [
                "Per favore, non chiudi la porta!",
                "Per favore, non chiudiamo la porta!",
                "Per favore, non chiude la porta!",
            ],
        ),
        (
            ("{lei}, please don't {v:base} {c}!", "spegnere", "la luce", 2, {"lei": "Signora"}),
            "Madam, please don't switch off the light!",
            [
                "Signora, per favore, non spenga la luce!",
                "Signora, non spenga la luce, per favore!",
            ],
            [
                "Signora, per favore, non spegnere la luce!",  # tu
                "Signora, per favore, non spegne la luce!",  # indicative
            ],
        ),
        (
            (
                "{group}, please don't {v:base} {c}!",
                "restare",
                "in albergo",
                4,
                {"group": "Ragazzi"},
            ),
            "Guys, please don't stay at the hotel!",
            [
                "Ragazzi, per favore, non restate in albergo!",
                "Ragazzi, non restate in albergo, per favore!",
            ],
            [
                "Ragazzi, per favore, non restare in albergo!",  # tu
                "Ragazzi, per favore, non restiate in albergo!",
            ],
        ),
        (
            ("{lei}, I beg you, don't {v:base} {c}!", "perdere", "il treno", 2, {"lei": "Signora"}),
            "Madam, I beg you, don't miss the train!",
            [
                "Signora, La prego, non perda il treno!",
                "Signora, la prego, non perda il treno!",
                "Signora, non perda il treno, La prego!",
            ],
            [
                "Signora, La prego, non perdere il treno!",  # tu
                "Signora, La prego, non perde il treno!",  # indicative
                "Signora, La prego, non perdete il treno!",
            ],
        ),
        (
            ("{noi}, let's not {v:base} {c}!", "cenare", "fuori", 3, {"noi": "Stasera"}),
            "Tonight, let's not have dinner out!",
            ["Stasera, non ceniamo fuori!", "Stasera non ceniamo fuori!"],
            ["Stasera, non cenare fuori!", "Stasera, non cenate fuori!"],
        ),
    ],
)
def test_prohibition_pairs(
    built: tuple[str, str, str, int, dict[str, str]],
    english: str,
    right: list[str],
    wrong: list[str],
) -> None:
    context, verb, complement, person, names = built
    _check(_built_order(context, verb, complement, person, **names), english, right, wrong)


@pytest.mark.parametrize("focus", ["stare + gerundio", "imperativo negativo"])
def test_every_sentence_starts_with_a_capital(focus: str) -> None:
    for level in FOCUSES[focus].levels:
        for item in _items(focus, level).values():
            for sentence in (item.question, item.answer, *item.accepted):
                for mark in ". ", "! ", "? ":
                    for part in sentence.split(mark)[1:]:
                        assert part[:1] == part[:1].upper(), sentence


def test_the_progressive_is_shown_and_the_presente_accepted() -> None:
    items = _items("stare + gerundio", "B1")
    for item in items.values():
        assert any(
            f" {stare} " in f" {item.answer.casefold()} "
            for stare in ("sto", "stai", "sta", "stiamo", "state", "stanno")
        ), item
        verb = lexicon.verbs()[item.word]
        presente = forms(verb, "presente", int(item.tags["person"]))[0]
        assert any(f" {presente} " in f" {a.casefold()} " for a in item.accepted), item


def test_prohibitions_are_translated_with_prohibitions_only() -> None:
    by_english = {f.en: f for f in frames() if f.imperative == "neg" or f.dont}
    for level in FOCUSES["imperativo negativo"].levels:
        for english in _items("imperativo negativo", level):
            assert any(f" {c}!" in english or f" {c} " in english for c in by_english), english
