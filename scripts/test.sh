#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite with the linters, as CI does.
# Extra arguments go to pytest, e.g. scripts/test.sh tests/store -x
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test server gui
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest "$@"
