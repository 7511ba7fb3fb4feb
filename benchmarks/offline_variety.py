"""Level and variety of offline homework, per grammar focus of the registry.

Prints, for every focus (and the general mix):
- the share of identical items between an A1 and a C2 homework drawn with the same seed
  (target 0: level changes the exercises);
- the share of distinct items over 30 pupils × 10 items, the pupils of one assignment
  (target ≥ 90% where the bank allows), beside the same figure for one pupil drawn 30 times
  (the floor: 10 distinct of 300) measured in the same run;
and the size of the bank at that level (what 100 more homework of 20 items draw), with the
distinct share as a part of what the bank allows; then the mean sentence length (words) per level
over every focus, and the time per homework.

    .venv/bin/python benchmarks/offline_variety.py [--pupils 30] [--items 10] [--types fill_in_blank,multiple_choice]
"""

from __future__ import annotations

import argparse
import re
import statistics
import time

from api.generation.offline import FOCUSES, generate_exercises
from inference_worker.contract import CEFR_LEVELS, GenerateRequest

_HINT = re.compile(r"\s*\([^)]*\)")


def _request(focus: str, level: str, items: int, types: list[str]) -> GenerateRequest:
    return GenerateRequest(
        cefr_level=level,
        grammar_focus=focus,
        topic="general",
        quantity=items,
        exercise_types=types,  # type: ignore[arg-type]
    )


def _words(question: str) -> int:
    text = _HINT.sub("", question.split(": «")[-1])
    return len(re.findall(r"[\w'’]+", text.replace("___", "x")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pupils", type=int, default=30)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--types", default="fill_in_blank,multiple_choice,translation")
    args = parser.parse_args()
    types = args.types.split(",")
    seeds = range(args.pupils)

    print(
        f"{'focus':30} {'A1=C2':>7} {'distinct':>9} {'one pupil':>10} {'bank':>6} "
        f"{'of possible':>11}  levels"
    )
    lengths: dict[str, list[int]] = {level: [] for level in CEFR_LEVELS}
    timings: list[float] = []
    identical_all: list[float] = []
    distinct_all: list[float] = []
    for focus in ("general", *FOCUSES):
        same = 0
        for seed in seeds:
            a1 = {e.question for e in generate_exercises(_request(focus, "A1", args.items, types), seed=seed)}  # fmt: skip
            c2 = {e.question for e in generate_exercises(_request(focus, "C2", args.items, types), seed=seed)}  # fmt: skip
            same += len(a1 & c2)
        identical = same / (args.pupils * args.items)
        level = FOCUSES[focus].levels[0] if focus in FOCUSES else "B1"
        questions: list[str] = []
        for seed in seeds:
            started = time.perf_counter()
            homework = generate_exercises(_request(focus, level, args.items, types), seed=seed)
            timings.append(time.perf_counter() - started)
            questions += [e.question for e in homework]
        distinct = len(set(questions)) / len(questions)
        floor = args.items / len(questions)  # one pupil's homework, 30 times
        # The bank: every different item 100 more homework of 20 can draw at that level.
        bank = set(questions)
        for seed in range(1000, 1100):
            bank |= {e.question for e in generate_exercises(_request(focus, level, 20, types), seed=seed)}  # fmt: skip
        possible = min(len(questions), len(bank)) / len(questions)
        identical_all.append(identical)
        distinct_all.append(distinct)
        levels = "–".join((FOCUSES[focus].levels[0], FOCUSES[focus].levels[-1])) if focus in FOCUSES else "all"  # fmt: skip
        print(
            f"{focus:30} {identical:7.1%} {distinct:9.1%} {floor:10.1%} {len(bank):6} "
            f"{distinct / possible:11.1%}  {levels} (at {level})"
        )
        for lv in CEFR_LEVELS:
            homework = generate_exercises(_request(focus, lv, args.items, types), seed=1)
            lengths[lv] += [_words(e.question) for e in homework]

    print()
    print(
        f"all focuses: identical A1/C2 {statistics.mean(identical_all):.1%} (target 0%), "
        f"distinct over {args.pupils} pupils {statistics.mean(distinct_all):.1%} "
        f"(target ≥ 90%; {sum(d >= 0.9 for d in distinct_all)} of {len(distinct_all)} focuses reach it)"
    )
    print("mean sentence length (words) per level: " + ", ".join(f"{lv} {statistics.mean(n):.1f}" for lv, n in lengths.items()))  # fmt: skip
    mean_ms = 1000 * statistics.mean(timings)
    print(
        f"time per homework of {args.items}: mean {mean_ms:.1f} ms, "
        f"p95 {1000 * sorted(timings)[int(0.95 * len(timings))]:.1f} ms"
    )
    _tense_report(args.pupils, args.items)


def _tense_report(pupils: int, items: int) -> None:
    """The verb system on its own (tenses.build_tense_item, each homework avoiding a repeated
    verb and complement; the bank's translations for the passato remoto), per tense focus and
    type: A1/C2 identical share, distinct share over the pupils at the focus's first level and
    at C2, and the one-pupil floor of the same run."""
    import random

    from api.generation.offline import tenses

    def homework(key: str, level: str, kind: str, pupil: int) -> list[str]:
        if kind == "translation" and key in tenses.BANK_TRANSLATED:
            # Translated in the bank's sentences (the passato remoto's historical facts): the
            # generator's translation homework, as a pupil gets it.
            request = _request(key, level, items, ["translation"])
            return [e.question for e in generate_exercises(request, seed=pupil)]
        rng = random.Random(f"{key}|{level}|{kind}|{pupil}")
        used: list[str] = []
        questions: list[str] = []
        for _ in range(items):
            item = tenses.build_tense_item(rng, key, "general", level, kind, avoid=used)
            if item is not None:
                used.append(item.tags["variety"])
                questions.append(item.question)
        return questions

    print()
    print(
        f"verb system alone, {pupils} pupils × {items} items, no verb+complement twice in a homework"
    )
    print(
        f"{'tense focus':24} {'type':16} {'A1=C2':>6} {'distinct':>9} {'at C2':>7} {'one pupil':>10}"
    )
    shares: list[float] = []
    for focus in tenses.TENSES:
        for kind in tenses.EXERCISE_TYPES:
            same = sum(
                len(
                    set(homework(focus.key, "A1", kind, p))
                    & set(homework(focus.key, "C2", kind, p))
                )
                for p in range(pupils)
            )
            first = [
                q for p in range(pupils) for q in homework(focus.key, focus.levels[0], kind, p)
            ]
            top = [q for p in range(pupils) for q in homework(focus.key, "C2", kind, p)]
            distinct = len(set(first)) / len(first)
            shares += [distinct, len(set(top)) / len(top)]
            print(
                f"{focus.key:24} {kind:16} {same / (pupils * items):6.1%} {distinct:9.1%} "
                f"{len(set(top)) / len(top):7.1%} {items / len(first):10.1%}"
            )
    print(
        f"verb system: distinct {statistics.mean(shares):.1%} on average, "
        f"{sum(s >= 0.9 for s in shares)} of {len(shares)} (focus, type, level) reach 90%, "
        f"lowest {min(shares):.1%}"
    )


if __name__ == "__main__":
    main()
