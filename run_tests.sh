#!/usr/bin/env bash
# Set up .venv with the dev extras if needed, then run ruff, mypy and the whole pytest suite.
set -euo pipefail
cd "$(dirname "$0")"

scripts/bootstrap.sh dev

echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "==> mypy"
.venv/bin/mypy
echo "==> pytest"
.venv/bin/python -m tests.browser.support
.venv/bin/python -m pytest "$@"
