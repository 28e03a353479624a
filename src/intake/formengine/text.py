"""Form texts in a language: labels, hints, choices and messages looked up as gettext msgids.

Two languages are on screen at once (SPEC §4): the UI language (the counselor's) and the interview
language (the client's). ``FormText(None)`` follows the live UI language of :mod:`intake.i18n`;
``FormText("ar")`` always answers in Arabic, from the same catalogs. Country and language names
come from CLDR via Babel rather than from the catalogs, and a choice may carry built-in
translations (``labels: {de: …}``, e.g. official German occupation titles) that win over the catalog.
"""

from __future__ import annotations

import gettext as _gettext
from functools import lru_cache
from typing import Any

from intake import i18n
from intake.formengine.choices import generated_label
from intake.formengine.model import Choice, Form, Question


@lru_cache(maxsize=32)
def _catalog(language: str) -> _gettext.NullTranslations:
    if language.split("_")[0] == "en":
        return _gettext.NullTranslations()
    return _gettext.translation(
        i18n.DOMAIN, i18n.locale_dir(), languages=[language, language.split("_")[0]], fallback=True
    )


def clear_catalog_cache() -> None:
    """Forget loaded catalogs (after compiling new ones)."""
    _catalog.cache_clear()


class FormText:
    """Translate form texts into one language (``None``: the current UI language)."""

    def __init__(self, language: str | None = None) -> None:
        self.fixed_language = language

    @property
    def language(self) -> str:
        return self.fixed_language or i18n.current_language()

    def gettext(self, msgid: str | None) -> str:
        if not msgid:
            return ""
        if self.fixed_language is None:
            return i18n._(msgid)
        return _catalog(self.fixed_language).gettext(msgid)

    def label(self, item: Any) -> str:
        """The label of a question, group or section (sections use ``title``)."""
        return self.gettext(getattr(item, "label", None) or getattr(item, "title", None))

    def hint(self, item: Any) -> str:
        return self.gettext(getattr(item, "hint", None))

    def choice_label(self, form: Form, question: Question, choice: Choice) -> str:
        list_id = question.choice_list
        choice_list = form.choice_lists.get(list_id) if list_id else None
        if (
            choice_list is not None
            and choice_list.generated
            and choice_list.get(choice.name) is choice
        ):
            return generated_label(choice_list.generated, choice.name, self.language)
        return self.choice_text(choice)

    def choice_text(self, choice: Choice) -> str:
        language = self.language
        for candidate in (language, language.split("_")[0]):
            if candidate in choice.labels:
                return choice.labels[candidate]
        return self.gettext(choice.label)

    def choice_hint(self, choice: Choice) -> str:
        return self.gettext(choice.hint)

    def answer(self, form: Form, question: Question, value: Any) -> str:
        """An answer as readable text (choice labels, dates as stored, yes/no)."""
        if value is None:
            return ""
        if question.type == "yes_no" and isinstance(value, bool):
            return self.gettext("Yes") if value else self.gettext("No")
        if question.choice_list is not None:
            names = value if isinstance(value, list) else [value]
            labels = []
            for name in names:
                choice = form.choice(question, str(name))
                labels.append(self.choice_label(form, question, choice) if choice else str(name))
            return ", ".join(labels)
        if question.type == "partial_date" and isinstance(value, dict):
            text = str(value.get("value", ""))
            return f"{text} ({self.gettext('uncertain')})" if value.get("uncertain") else text
        return str(value)
