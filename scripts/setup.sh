#!/usr/bin/env bash
# Prepare a fresh machine: Debian packages (when we may install them) and a virtual environment
# in .venv with Intake and the extras named as arguments (e.g. "test", "gui").
set -euo pipefail
cd "$(dirname "$0")/.."

# Shared libraries PySide6's offscreen and xcb platforms load, and poppler-utils for rendering
# PDFs to images in tests. For the desktop bundle (packaging/): binutils for PyInstaller, the
# xcb libraries Qt's X11 plugin links (so the bundle carries them), Xvfb to run it on X11,
# dbus-daemon and gnome-keyring for a real Secret Service. Python packages come from pip only.
APT_PACKAGES=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 poppler-utils
              binutils libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 xvfb xauth
              dbus-daemon gnome-keyring)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO=none; fi
  if [ "$SUDO" = none ]; then
    echo "setup: please install these Debian packages: ${missing[*]}" >&2
  else
    echo "setup: installing Debian packages: ${missing[*]}" >&2
    $SUDO apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
extras=$(IFS=,; echo "$*")
.venv/bin/python -m pip install -q --upgrade pip >&2
.venv/bin/python -m pip install -q -e ".${extras:+[$extras]}" >&2
# Compiled catalogs are built here, not committed.
PYBABEL=.venv/bin/pybabel bash scripts/i18n.sh compile >&2
