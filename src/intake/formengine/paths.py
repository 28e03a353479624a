"""Where form files, shared choice lists and the published JSON Schema live.

In the source tree (and an editable install) that is the repository's ``forms/`` folder, in a
PyInstaller bundle the bundled copy (``paths.resource_dir()``); a Jobcenter's own forms can be
pointed to with ``INTAKE_FORMS_DIR``.
"""

from __future__ import annotations

import os
from pathlib import Path


def forms_dir() -> Path:
    """The folder with ``erstprofil.yaml``, ``choices/`` and ``schema/``."""
    override = os.environ.get("INTAKE_FORMS_DIR")
    if override:
        return Path(override)
    from intake.paths import resource_dir  # the repository, or the bundle's _MEIPASS

    here = Path(__file__).resolve()
    shipped = resource_dir() / "forms"
    for candidate in (here.parent / "forms", shipped):
        if (candidate / "schema").is_dir():
            return candidate
    return shipped


def schema_dir() -> Path:
    """The published JSON Schema files (``form.schema.json``, ``choices.schema.json``)."""
    bundled = forms_dir() / "schema"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parents[3] / "forms" / "schema"


def default_form_path() -> Path:
    """The shipped Erstprofil form."""
    return forms_dir() / "erstprofil.yaml"
