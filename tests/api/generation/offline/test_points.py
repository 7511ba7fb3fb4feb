"""The points beyond verbs: hand-checked forms, and the consistency of data/points.json."""

from __future__ import annotations

import random

import pytest

from api.generation.offline import lexicon
from api.generation.offline.matching import TOPIC_KEYS
from api.generation.offline.points import articles, comparatives, nouns, possessives, pronouns
from api.generation.offline.points._data import pick, points
from api.generation.offline.points.prepositions import SIMPLE_PREPOSITIONS
from inference_worker.contract import CEFR_LEVELS


@pytest.mark.parametrize(
    ("owner", "gender", "plural", "family", "expected"),
    [
        ("io", "m", False, True, "mio"),
        ("io", "f", False, True, "mia"),
        ("io", "m", True, True, "i miei"),
        ("tu", "f", True, True, "le tue"),
        ("lei", "m", False, True, "suo"),
        ("lui", "f", False, False, "la sua"),
        ("noi", "m", False, False, "il nostro"),
        ("voi", "f", True, False, "le vostre"),
        ("loro", "m", False, True, "il loro"),
        ("loro", "f", False, True, "la loro"),
        ("loro", "m", True, False, "i loro"),
    ],
)
def test_possessives(owner: str, gender: str, plural: bool, family: bool, expected: str) -> None:
    assert possessives.possessive(owner, gender, plural, family=family) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("word", "gender", "plural", "expected"),
    [
        ("zucchero", "m", False, "dello"),
        ("acqua", "f", False, "dell'"),
        ("pane", "m", False, "del"),
        ("frutta", "f", False, "della"),
        ("olio", "m", False, "dell'"),
        ("gnocchi", "m", True, "degli"),
        ("yogurt", "m", True, "degli"),
        ("uova", "f", True, "delle"),
        ("biglietti", "m", True, "dei"),
    ],
)
def test_partitives(word: str, gender: str, plural: bool, expected: str) -> None:
    from api.generation.offline.morphology import articulated_preposition, definite_article

    assert articulated_preposition("di", definite_article(word, gender, plural)) == expected  # type: ignore[arg-type]
    assert expected in articles.PARTITIVE_ARTICLES


@pytest.mark.parametrize(
    ("word", "plural", "instructive"),
    [
        ("albicocca", "albicocche", "albicocce"),
        ("parco", "parchi", "parci"),
        ("amico", "amici", "amichi"),
        ("uovo", "uova", "uovo"),
        ("film", "film", "films"),
        ("orologio", "orologi", "orologio"),
    ],
)
def test_plurals_and_their_instructive_mistakes(word: str, plural: str, instructive: str) -> None:
    noun = next(n for n in lexicon.nouns() if n.word == word)
    assert noun.plural == plural
    first, other = nouns.wrong_plurals(noun)
    assert instructive in first
    assert plural not in first + other


def test_indirect_pronouns() -> None:
    assert pronouns.INDIRECT[("m", False)] == "gli"
    assert pronouns.INDIRECT[("f", False)] == "le"
    assert {pronouns.INDIRECT[(g, True)] for g in ("m", "f")} == {"gli"}
    assert [pronouns.DIRECT[k] for k in sorted(pronouns.DIRECT)] == ["la", "le", "lo", "li"]


_FORMS = {
    "simple_prepositions": set(SIMPLE_PREPOSITIONS),
    "ci_ne": {"ci", "ne"},
    "comparatives": set(comparatives.COMPARATIVE_LINKS),
    "person_pronouns": set(pronouns.PERSON_PRONOUNS),
}


@pytest.mark.parametrize("key", sorted(_FORMS))
def test_every_sentence_has_one_slot_one_known_answer_a_level_and_a_topic(key: str) -> None:
    topics = set(TOPIC_KEYS.values())
    texts = [entry["text"] for entry in points()[key]]
    assert len(texts) == len(set(texts)), "duplicate sentences"
    for entry in points()[key]:
        assert entry["text"].count("___") == 1, entry
        assert entry["answer"] in _FORMS[key], entry
        assert set(entry.get("accepted", ())) <= _FORMS[key], entry
        assert entry["level"] in CEFR_LEVELS and entry["topic"] in topics, entry


def test_frames_and_people_are_well_formed() -> None:
    data = points()
    for frame in data["direct_object_frames"]:
        assert frame["reply"].count("___") == 1
        assert "{object}" in frame["question"]
        if frame["objects"] != "everyday_things":  # else any everyday object, computed
            for _, gender, plural in frame["objects"]:
                assert gender in ("m", "f") and isinstance(plural, bool)
        # lo/la elide before a vowel or h (l'ho): such replies would need l', so none exist.
        verb = frame["reply"].split("___ ")[1]
        assert verb[0].lower() not in "aeiouh", frame
    words = {n.word for n in lexicon.nouns()}
    assert set(data["everyday_things"]) <= words
    assert set(data["translation_nouns"]) <= words
    assert set(data["translation_places"]) <= words
    assert set(data["translation_adjectives"]) <= set(lexicon.adjectives())


def test_a_level_picks_its_own_sentences_mostly_and_never_harder_ones() -> None:
    entries = points()["comparatives"]
    rng = random.Random(0)
    a2 = [pick(rng, entries, "general", "A2") for _ in range(200)]
    assert all(e is not None and e["level"] == "A2" for e in a2)
    b1 = [pick(rng, entries, "general", "B1") for _ in range(400)]
    share = sum(e is not None and e["level"] == "B1" for e in b1) / len(b1)
    assert 0.7 <= share < 1.0
    a1 = [pick(rng, entries, "general", "A1") for _ in range(50)]  # below the point: easiest
    assert all(e is not None and e["level"] == "A2" for e in a1)


def _banks() -> dict[str, tuple[dict[str, object], ...]]:
    from api.generation.offline.points import prepositions

    banks = {
        "person_direct": pronouns._person_entries("direct"),
        "person_indirect": pronouns._person_entries("indirect"),
        "direct": pronouns._direct_entries(),
        "indirect": pronouns._indirect_entries()[0],
        "liking": pronouns._indirect_entries()[1],
        "ci_ne": pronouns._ci_ne_entries(),
        "articulated": prepositions._articulated_entries(),
    }
    banks |= {f"comparatives {k}": v for k, v in comparatives._banks().items()}
    banks |= {f"simple {k}": v for k, v in prepositions._simple_entries().items()}
    banks |= {f"partitive {k}": v for k, v in articles._partitive_entries().items()}
    return banks


def test_no_sentence_is_written_for_two_bands() -> None:
    """A sentence at A1–A2 and again at B1 or above would reach both an A1 and a C2 homework."""
    levels: dict[str, set[str]] = {}
    for bank in _banks().values():
        for entry in bank:
            levels.setdefault(str(entry["text"]), set()).add(str(entry["level"]))
    for text, found in levels.items():
        ranks = {CEFR_LEVELS.index(level) for level in found}
        assert not (min(ranks) < 2 <= max(ranks)), (text, found)


@pytest.mark.parametrize(
    "build",
    [
        articles.definite_item,
        articles.indefinite_item,
        articles.partitive_item,
        possessives.possessive_item,
        nouns.plural_item,
        comparatives.comparative_item,
        pronouns.direct_item,
        pronouns.indirect_item,
        pronouns.ci_ne_item,
    ],
)
def test_an_a1_and_a_c2_item_are_never_the_same(build: object) -> None:
    """Level changes the sentence itself: C1–C2 structures an A1 homework never gets."""
    from api.generation.offline.points import prepositions

    for function in (build, prepositions.simple_item, prepositions.articulated_item):
        low = {function(random.Random(seed), "general", "A1").question for seed in range(300)}  # type: ignore[operator]
        high = {function(random.Random(seed), "general", "C2").question for seed in range(300)}  # type: ignore[operator]
        assert not low & high, sorted(low & high)[:3]
