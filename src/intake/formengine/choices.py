"""Generated choice lists from CLDR (via Babel): countries and languages with localised names.

Codes are stable identifiers stored in answers: ISO 3166-1 alpha-2 for countries (plus ``XK``
Kosovo, which CLDR carries), ISO 639 codes as CLDR uses them for languages, plus ``fa_AF`` for Dari,
which CLDR models as a regional variant of Persian but which the interview needs on its own
(CLDR's ``ku`` is Kurmanji, ``ckb`` is Sorani). Names are looked up in any locale Babel knows, so
the German UI shows "Syrien" and the Arabic interview side shows "سوريا" for the same code.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError

from intake import i18n
from intake.formengine.model import Choice, ChoiceList

# CLDR territory codes that are not countries (regions, groupings, pseudo-codes).
_NOT_COUNTRIES = frozenset(
    {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ", "AC", "CP", "DG", "EA", "IC", "TA"}
)
# CLDR "languages" that are not languages a person speaks, or are technical codes.
_NOT_LANGUAGES = frozenset({"und", "zxx", "mul", "mis", "root"})
# Regional variants that are languages in their own right for our purpose.
_EXTRA_LANGUAGES = ("fa_AF",)
# Kurmanji is offered under its ISO 639-3 code "kmr" (the code of its catalog) instead of CLDR's
# "ku"; its names are CLDR's names for "ku".
_CODE_INSTEAD_OF_CLDR = {cldr: ours for ours, cldr in i18n.CLDR_CODES.items()}
_NAME_OVERRIDES_EN = {"fa_AF": "Dari", "kmr": "Kurdish (Kurmanji)", "ckb": "Kurdish (Sorani)"}


@lru_cache(maxsize=64)
def _locale(language: str) -> Locale | None:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


@lru_cache(maxsize=1)
def country_codes() -> tuple[str, ...]:
    english = Locale("en").territories
    return tuple(
        sorted(
            code
            for code in english
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
        )
    )


@lru_cache(maxsize=1)
def language_codes() -> tuple[str, ...]:
    english = Locale("en").languages
    codes = {
        _CODE_INSTEAD_OF_CLDR.get(code, code)
        for code in english
        if "_" not in code and code not in _NOT_LANGUAGES
    }
    codes.update(_EXTRA_LANGUAGES)
    return tuple(sorted(codes))


def country_name(code: str, language: str = "en") -> str:
    """The name of country ``code`` in ``language`` (English, then the code, as fallbacks)."""
    for locale in (_locale(language), _locale("en")):
        if locale is not None:
            name = locale.territories.get(code)
            if name:
                return name
    return code


def language_name(code: str, language: str = "en") -> str:
    """The name of language ``code`` in ``language``; Dari and the Kurdish variants made clear."""
    locale = _locale(language)
    if code == "fa_AF":
        if locale is not None and locale.language == "en":
            return "Dari"
        name = locale.languages.get("fa_AF") if locale is not None else None
        if name:
            return name
        # CLDR has no short name here: "Persian (Afghanistan)" in the locale's words.
        target = _locale("fa_AF")
        if locale is not None and target is not None:
            return target.get_display_name(locale) or "Dari"
        return "Dari"
    if (locale is None or locale.language == "en") and code in _NAME_OVERRIDES_EN:
        return _NAME_OVERRIDES_EN[code]
    for candidate in (locale, _locale("en")):
        if candidate is not None:
            name = candidate.languages.get(i18n.CLDR_CODES.get(code, code))
            if name:
                return name
    return code


def generated_label(generator: str, code: str, language: str) -> str:
    if generator == "cldr_countries":
        return country_name(code, language)
    return language_name(code, language)


@lru_cache(maxsize=1)
def countries_list() -> ChoiceList:
    choices = tuple(Choice(code, country_name(code, "en")) for code in country_codes())
    return ChoiceList(
        "countries",
        choices,
        generated="cldr_countries",
        source="CLDR (Babel)",
        by_name={c.name: c for c in choices},
    )


@lru_cache(maxsize=1)
def languages_list() -> ChoiceList:
    choices = tuple(Choice(code, language_name(code, "en")) for code in language_codes())
    return ChoiceList(
        "languages",
        choices,
        generated="cldr_languages",
        source="CLDR (Babel)",
        by_name={c.name: c for c in choices},
    )


def generated_lists() -> dict[str, ChoiceList]:
    return {"countries": countries_list(), "languages": languages_list()}
