#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite with the linters, as CI does.
# Extra arguments go to pytest, e.g. scripts/test.sh tests/store -x
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test server gui
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# CI (or INTAKE_BUILD_BUNDLE=1) also builds the desktop bundle from a clean venv; the frozen
# app is then driven by tests/packaging/test_bundle.py (self-test, CLI, portable mode, login).
if [ "${CI:-}" = true ] || [ "${INTAKE_BUILD_BUNDLE:-}" = 1 ]; then
  bash packaging/build.sh
  export INTAKE_BUNDLE="$PWD/dist/intake"
fi
.venv/bin/python -m pytest "$@"
