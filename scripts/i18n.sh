#!/usr/bin/env bash
# Refresh the translation catalogs: extract every message from the code into
# translations/intake.pot, merge it into each translations/<lang>/LC_MESSAGES/intake.po,
# and compile the .mo files the program loads (.mo files are built, never committed).
#   bash scripts/i18n.sh            extract + update + compile
#   bash scripts/i18n.sh compile    compile only (what setup does)
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=${PYBABEL:-.venv/bin/pybabel}
KEYWORDS=(-k N_ -k ngettext:1,2 -k pgettext:1c,2
          -k IntakeError:1 -k InvalidInput:1 -k WrongPassword:1 -k KeySlotError:1)

if [ "${1:-all}" != compile ]; then
  "$PYBABEL" extract -F pyproject.toml "${KEYWORDS[@]}" -c TRANSLATORS: -w 100 --sort-by-file \
    --project Intake --copyright-holder "Intake contributors" \
    --msgid-bugs-address "intake@jobcenter.invalid" -o translations/intake.pot .
  "$PYBABEL" update -D intake -i translations/intake.pot -d translations -w 100 \
    --no-fuzzy-matching
fi
"$PYBABEL" compile -D intake -d translations --statistics
