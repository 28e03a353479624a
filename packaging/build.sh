#!/usr/bin/env bash
# Build the one-folder desktop bundle dist/intake/ from a CLEAN virtual environment.
#
#   bash packaging/build.sh              build dist/intake (reuses build/venv-bundle when its
#                                        requirements did not change)
#   bash packaging/build.sh --fresh      throw build/venv-bundle away first
#   bash packaging/build.sh --self-test  build, then run dist/intake/intake --self-test
#
# The venv gets exactly what the app needs: Intake with the gui extra, PyInstaller, and
# keyrings.alt (the self-test's stand-in key store, see packaging/intake.spec). Nothing from the
# development venv (.venv) or the system site-packages can leak in: PySide6's docs warn that a
# system PySide6 gets picked up otherwise. Catalogs are compiled with the venv's own pybabel.
# On Windows run it from Git Bash (the venv's scripts are then in Scripts/, handled below).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=build/venv-bundle
# Pinned so that a bundle is reproducible; raise deliberately (and rerun the self-test).
PYINSTALLER="pyinstaller==6.22.3"
KEYRINGS_ALT="keyrings.alt==5.0.2"

fresh=0
selftest=0
for arg in "$@"; do
  case "$arg" in
    --fresh) fresh=1 ;;
    --self-test) selftest=1 ;;
    *) echo "build.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

if [ -d "$VENV/Scripts" ]; then BIN="$VENV/Scripts"; else BIN="$VENV/bin"; fi
stamp="$VENV/.requirements"
wanted="$(cat pyproject.toml; echo "$PYINSTALLER $KEYRINGS_ALT"; "$PYTHON" --version)"
if [ "$fresh" = 1 ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  rm -rf "$VENV"
  echo "build: creating a clean virtual environment in $VENV" >&2
  "$PYTHON" -m venv "$VENV"
  if [ -d "$VENV/Scripts" ]; then BIN="$VENV/Scripts"; else BIN="$VENV/bin"; fi
  "$BIN/python" -m pip install -q --upgrade pip >&2
  # Not editable: the bundle is built from what an installation of the project contains.
  "$BIN/python" -m pip install -q ".[gui]" "$PYINSTALLER" "$KEYRINGS_ALT" >&2
  printf '%s' "$wanted" > "$stamp"
else
  # Same requirements: only the project itself is reinstalled (its code may have changed).
  "$BIN/python" -m pip install -q --no-deps --force-reinstall . >&2
fi

if ! out=$(PYBABEL="$BIN/pybabel" bash scripts/i18n.sh compile 2>&1); then
  echo "$out" >&2
  exit 1
fi

started=$(date +%s)
"$BIN/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/intake.spec
echo "build: dist/intake built in $(( $(date +%s) - started )) s," \
  "$(du -sh dist/intake | cut -f1) on disk" >&2

if [ "$selftest" = 1 ]; then
  exe=dist/intake/intake
  [ -x dist/intake/intake-cli.exe ] && exe=dist/intake/intake-cli.exe
  "$exe" --self-test
fi
