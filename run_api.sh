#!/usr/bin/env bash
# Start the Italian Teacher API: sets up .venv on first run, migrates the database, runs uvicorn.
# Honours HOST, PORT, DATABASE_URL, INFERENCE_API_URL, INFERENCE_API_KEY, TEACHER_EMAIL,
# TEACHER_PASSWORD, PUBLIC_URL (see README).
set -euo pipefail
cd "$(dirname "$0")"

scripts/bootstrap.sh
export HOST="${HOST:-127.0.0.1}" PORT="${PORT:-8000}"

echo "==> migrating the database"
.venv/bin/python -m api.core.migrate

if [ -n "${INFERENCE_API_URL:-}" ]; then
    # Never echo credentials that may be embedded in the URL (https://user:password@host).
    shown_url="$(printf '%s' "$INFERENCE_API_URL" | sed -E 's#^([a-zA-Z]+://)[^/@]*@#\1***@#')"
    echo "==> generation: GPU worker at ${shown_url} (offline generator as fallback)"
    if [ -z "${INFERENCE_API_KEY:-}" ]; then
        echo "    warning: INFERENCE_API_KEY is not set; a worker started by the notebook will answer 401"
    fi
else
    echo "==> generation: offline generator (set INFERENCE_API_URL to use a GPU worker)"
fi
echo "==> API on http://${HOST}:${PORT}  (pages: /, Swagger: /docs)"
exec .venv/bin/python -m uvicorn api.main:app --host "$HOST" --port "$PORT" --no-access-log "$@"
