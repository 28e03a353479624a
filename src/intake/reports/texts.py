"""Texts of the printed reports in one language: msgids, form choices, dates.

Every text is an English gettext msgid. A translation in the compiled catalog of that language
(``translations/<lang>``, via :mod:`intake.i18n`'s locale directory) wins; until the catalogs
carry them, ``texts.yaml`` beside this module supplies the client copy in all interview
languages and German for the case-file summary (machine draft, see the file's header).
Client-facing texts are looked up with the gettext context ``client copy``, the case summary's
own headings with ``case summary``.
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time

from intake import i18n
from intake.formengine import Form, FormText

CLIENT_CONTEXT = "client copy"
CASE_CONTEXT = "case summary"
_TEXTS_FILE = Path(__file__).with_name("texts.yaml")


def N_(message: str) -> str:
    """Mark a report msgid for extraction."""
    return message


@cache
def _table() -> dict[str, Any]:
    with _TEXTS_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@cache
def _catalog(language: str) -> _gettext.NullTranslations:
    base = language.split("_")[0]
    return _gettext.translation(
        i18n.DOMAIN, i18n.locale_dir(), languages=[language, base], fallback=True
    )


def client_copy_msgids() -> list[str]:
    """The client-facing msgids (for tests and for moving them into the catalogs)."""
    return list(_table()["client_copy"])


def table_status() -> str:
    return str(_table().get("status", ""))


@cache
def _babel_locale(language: str) -> Locale:
    for candidate in (language, language.split("_")[0], i18n.CLDR_CODES.get(language, "de")):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse("de")


class ReportText:
    """Texts, choice labels and dates in ``language`` (e.g. ``de``, ``fa_AF``)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.form_text = FormText(language)
        self._base = language.split("_")[0]

    def __call__(self, msgid: str, **params: Any) -> str:
        """A text of the case summary: the catalog's ``case summary`` context, this module's
        German table, the catalog without context, the client-copy table, the msgid."""
        text = self._from_catalog(CASE_CONTEXT, msgid)
        if text is None and self._base == "de":
            text = self._from_table("german", msgid)
        text = (
            text
            or self._from_catalog(None, msgid)
            or self._from_table("client_copy", msgid)
            or msgid
        )
        return text.format(**params) if params else text

    def client(self, msgid: str, **params: Any) -> str:
        """A client-facing text (context ``client copy``)."""
        text = (
            self._from_catalog(CLIENT_CONTEXT, msgid)
            or self._from_table("client_copy", msgid)
            or msgid
        )
        return text.format(**params) if params else text

    def choice(self, form: Form, question_id: str, value: Any) -> str:
        """The label of an answer (choice names, yes/no, several choices joined)."""
        if value is None or value == "" or value == []:
            return ""
        question = form.question(question_id)
        if question.type == "yes_no" and isinstance(value, bool):
            return self("yes" if value else "no")
        if question.choice_list is None:
            return str(value)
        names = value if isinstance(value, list) else [value]
        labels = []
        for name in names:
            choice = form.choice(question, str(name))
            if choice is None:
                labels.append(str(name))
                continue
            label = self.form_text.choice_label(form, question, choice)
            if label == choice.label and self._base == "de":
                label = self._from_table("german", choice.label) or label
            labels.append(label)
        return ", ".join(labels)

    # -- dates -------------------------------------------------------------------------------

    def date(self, value: Any) -> str:
        """A full or partial date (``2026``, ``2026-04``, ``2026-04-15`` or the form's
        ``{"value": …, "uncertain": …}``) in this language's numeric form."""
        uncertain = False
        if isinstance(value, dict):
            uncertain = bool(value.get("uncertain"))
            value = value.get("value")
        if value in (None, ""):
            return ""
        text = str(value)
        locale = _babel_locale(self.language)
        try:
            if len(text) == 4:
                shown = text
            elif len(text) == 7:
                day = dt.date.fromisoformat(text + "-01")
                shown = format_skeleton("yMM", day, locale=locale)
            else:
                shown = format_skeleton("yMMdd", dt.date.fromisoformat(text[:10]), locale=locale)
        except ValueError:
            shown = text
        return f"{shown} (?)" if uncertain else shown

    def timestamp(self, moment: dt.datetime) -> tuple[str, str]:
        locale = _babel_locale(self.language)
        return (
            format_date(moment.date(), "medium", locale=locale),
            format_time(moment.time(), "short", locale=locale),
        )

    # -- lookups -----------------------------------------------------------------------------

    def _from_catalog(self, context: str | None, msgid: str) -> str | None:
        if self._base == "en":
            return None
        catalog = _catalog(self.language)
        text = catalog.pgettext(context, msgid) if context else catalog.gettext(msgid)
        return text if text != msgid else None

    def _from_table(self, section: str, msgid: str) -> str | None:
        entry = _table()[section].get(msgid)
        if entry is None:
            return None
        if isinstance(entry, str):
            return entry
        return entry.get(self.language) or entry.get(self._base)
