#!/usr/bin/env bash
# Create .venv if missing and install the project with the given extras, once per pyproject change.
# Usage: scripts/bootstrap.sh [extras]   e.g. scripts/bootstrap.sh dev
set -euo pipefail
cd "$(dirname "$0")/.."

extras="${1:-}"
python="${PYTHON:-python3}"
if ! command -v "$python" >/dev/null 2>&1; then
    echo "error: $python not found; install Python 3.11 or newer (or set PYTHON=/path/to/python3)" >&2
    exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "error: Python 3.11 or newer is needed, $("$python" --version) found; set PYTHON=..." >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv"
    "$python" -m venv .venv
fi

stamp=".venv/.installed-${extras:-base}-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "==> installing italian-teacher${extras:+[$extras]} into .venv (first run takes a few minutes)"
    .venv/bin/python -m pip install --quiet --upgrade pip
    if [[ ",$extras," == *",dev,"* || ",$extras," == *",transformers,"* ]]; then
        # The CPU build of torch; an unpinned torch would pull a multi-GB CUDA build.
        .venv/bin/python -c 'import torch' 2>/dev/null || \
            .venv/bin/python -m pip install --quiet "torch==${TORCH_VERSION:-2.13.0}"
    fi
    .venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"
    touch "$stamp"
fi
