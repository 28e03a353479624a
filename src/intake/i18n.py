"""gettext for Intake: ``_``, ``N_``, ``ngettext`` and ``pgettext`` bound to the active UI language.

Message ids are English. Catalogs live in ``translations/<lang>/LC_MESSAGES/intake.po`` and are
compiled to ``.mo`` at setup time; a language without a compiled catalog falls back to the English
ids, never to an error. The active language can be switched at runtime (the desktop app does this
live), so every lookup goes through the current translation object instead of a bound function.
"""

from __future__ import annotations

import gettext as _gettext
import os
from dataclasses import dataclass
from pathlib import Path

DOMAIN = "intake"
DEFAULT_UI_LANGUAGE = "de"
SOURCE_LANGUAGE = "en"  # message ids are English: English needs no catalog

# The counselor's side (SPEC §4): German first, English.
UI_LANGUAGES = ("de", "en")
# Their names as they call themselves: shown before anything else is loaded (no CLDR lookup).
UI_LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}
# The client's side, ranked by need in Germany. Dari and Farsi are separate catalogs; Kurmanji
# and Sorani use their ISO 639-3 codes (Babel knows both; Qt falls back to the script's layout).
INTERVIEW_LANGUAGES = (
    "ar",
    "uk",
    "ru",
    "fa_AF",
    "tr",
    "kmr",
    "ps",
    "fa",
    "en",
    "so",
    "ckb",
    "ti",
    "fr",
)
REVIEW_MSGID = "review status"  # in context "catalog"; see catalog_review()

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


@dataclass(frozen=True)
class LanguageInfo:
    code: str
    name: str  # in the current UI language
    native_name: str
    right_to_left: bool
    review: str  # "source", "machine draft" or "reviewed YYYY-MM-DD …"

    @property
    def reviewed(self) -> bool:
        return self.review == "source" or self.review.startswith("reviewed")


def catalog_review(language: str) -> str:
    """The review status a catalog's header states (what the language picker shows)."""
    if language.split("_")[0] == SOURCE_LANGUAGE:
        return "source"
    try:
        catalog = _gettext.translation(DOMAIN, locale_dir(), languages=[language])
    except OSError:
        return "missing"
    # Like GNOME's "translator-credits": an entry every catalog fills in, so the status travels
    # with the catalog through extract/update/compile (PO headers of our own would be dropped).
    # TRANSLATORS: Not shown as such. Write "machine draft", or once a native speaker has checked
    # every entry "reviewed YYYY-MM-DD by <role>", e.g. "reviewed 2026-12-01 by Jobcenter interpreter".
    status = catalog.pgettext("catalog", "review status")
    return "not stated" if status == REVIEW_MSGID else status


# Our language codes that CLDR files under another one (Kurmanji: ISO 639-3 "kmr", CLDR "ku").
# Dari needs no entry: CLDR knows "fa_AF". The one place this mapping lives.
CLDR_CODES = {"kmr": "ku"}


def language_name(code: str, in_language: str) -> str:
    """``code``'s name in ``in_language`` from CLDR ("Dari", not "Persian (Afghanistan)")."""
    import babel  # CLDR data: loaded when a name is first needed, not at start-up

    locale = babel.Locale.parse(in_language)
    for key in (code, CLDR_CODES.get(code, code)):
        name = locale.languages.get(key)
        if name:
            return name
    return babel.Locale.parse(code).get_display_name(locale) or code


def language_info(code: str) -> LanguageInfo:
    import babel

    locale = babel.Locale.parse(code)
    return LanguageInfo(
        code=code,
        name=language_name(code, _language),
        native_name=language_name(code, code),
        right_to_left=locale.text_direction == "rtl",
        review=catalog_review(code),
    )


def _(message: str) -> str:
    return _translation.gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _translation.pgettext(context, message)
