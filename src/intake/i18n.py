"""gettext for Intake: ``_``, ``N_``, ``ngettext`` and ``pgettext`` bound to the active UI language.

Message ids are English. Catalogs live in ``translations/<lang>/LC_MESSAGES/intake.po`` and are
compiled to ``.mo`` at setup time; a language without a compiled catalog falls back to the English
ids, never to an error. The active language can be switched at runtime (the desktop app does this
live), so every lookup goes through the current translation object instead of a bound function.
"""

from __future__ import annotations

import gettext as _gettext
import os
from pathlib import Path

DOMAIN = "intake"
DEFAULT_UI_LANGUAGE = "de"

_translation: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"


def locale_dir() -> Path:
    """Where compiled catalogs are looked up: the source tree, an installed copy or a bundle."""
    override = os.environ.get("INTAKE_LOCALE_DIR")
    if override:
        return Path(override)
    here = Path(__file__).resolve().parent
    for candidate in (here / "locale", here.parents[1] / "translations"):
        if candidate.is_dir():
            return candidate
    return here / "locale"


def set_language(language: str) -> str:
    """Activate ``language`` (e.g. ``de``, ``fa_AF``); returns the language actually in use."""
    global _translation, _language
    if language in ("en", "en_US", "en_GB"):
        _translation, _language = _gettext.NullTranslations(), "en"
        return _language
    try:
        _translation = _gettext.translation(DOMAIN, locale_dir(), languages=[language])
        _language = language
    except OSError:
        _translation, _language = _gettext.NullTranslations(), "en"
    return _language


def language_from_environment() -> str:
    """The UI language asked for by ``INTAKE_LANG`` or the POSIX locale variables (default German)."""
    for var in ("INTAKE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        code = value.split(".")[0]
        if code and code not in ("C", "POSIX"):
            return code
    return DEFAULT_UI_LANGUAGE


def current_language() -> str:
    return _language


def _(message: str) -> str:
    return _translation.gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _translation.pgettext(context, message)
