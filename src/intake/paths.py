"""Where things live: the user's data directory (or a portable one) and the shipped resources.

Portable mode (for a USB stick): a file named ``intake-portable`` beside the program (the frozen
executable, or the working directory when run from source) puts the data in ``data/`` beside it.
``INTAKE_DATA_DIR`` and ``--data-dir`` override both.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from intake import APP_NAME

PORTABLE_MARKER = "intake-portable"


def program_dir() -> Path:
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path.cwd()


def portable_data_dir() -> Path | None:
    base = program_dir()
    return base / "data" if (base / PORTABLE_MARKER).is_file() else None


def default_data_dir() -> Path:
    override = os.environ.get("INTAKE_DATA_DIR")
    if override:
        return Path(override)
    portable = portable_data_dir()
    if portable is not None:
        return portable
    import platformdirs  # only when no directory was given

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resource_dir() -> Path:
    """The folder holding ``forms/``, ``translations/`` and ``fonts/`` (source tree or bundle)."""
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return Path(__file__).resolve().parents[2]
