"""How long the ``italian-teacher`` command takes to start, against what its libraries cost alone.

A command line is run many times in a script (one call per pupil, per assignment), so start-up is
its latency. Measured in fresh processes, alternating (ABCD order, several rounds) to cancel drift:

- baseline: ``python -c "import typer, httpx, rich.progress, rich.table, platformdirs"``, the
  libraries every HTTP command needs;
- ``python -m api --help``;
- ``python -m api whoami`` against a closed port (start-up, one refused connection, the error);
- eager: importing what the command imported at start-up before the database side was deferred
  (accounts service, migrations, roster rules), for comparison.

Target: the HTTP commands start within 2.5x the baseline (typer builds its commands at run time).

Usage: .venv/bin/python benchmarks/cli_startup.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CASES: dict[str, list[str]] = {
    "baseline (libraries)": [
        "-c",
        "import typer, httpx, rich.progress, rich.table, platformdirs",
    ],
    "italian-teacher --help": ["-m", "api", "--help"],
    "italian-teacher whoami (refused)": ["-m", "api", "whoami"],
    "eager database imports": [
        "-c",
        "import api.cli, api.accounts.service, api.core.migrate, api.students.roster",
    ],
}


def run_once(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as config:
        env = {
            **os.environ,
            "ITALIAN_TEACHER_CONFIG_DIR": config,
            "ITALIAN_TEACHER_URL": "http://127.0.0.1:9",
            "ITALIAN_TEACHER_TOKEN": "benchmark",
        }
        for args in CASES.values():  # warm the file cache and .pyc files
            run_once(args, env)
        times: dict[str, list[float]] = {name: [] for name in CASES}
        for round_ in range(options.rounds):
            order = list(CASES.items())
            if round_ % 2:
                order.reverse()
            for name, args in order:
                times[name].append(run_once(args, env))
    baseline = statistics.median(times["baseline (libraries)"])
    print(f"{'case':36} {'median s':>9} {'min s':>7} {'x baseline':>11}")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:36} {median:9.3f} {min(samples):7.3f} {median / baseline:11.2f}")


if __name__ == "__main__":
    main()
