#!/usr/bin/env bash
# Set up (if needed) and start Intake. Arguments go to the `intake` command,
# e.g. scripts/start.sh --data-dir /tmp/try
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh gui
exec .venv/bin/intake "$@"
