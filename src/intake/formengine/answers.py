"""Answers and the answer document the store saves as a revision.

``answers`` is a plain JSON-serialisable dict keyed by question id. A repeat group's value is a
list of dicts (one per instance) keyed by the ids of the questions inside it. Stored values:

=================  ===========================================================
text, long_text     ``str``
integer / decimal   ``int`` / ``int`` or ``float``
date                ``"YYYY-MM-DD"``
partial_date        ``{"value": "1990" | "1990-05" | "1990-05-17", "uncertain": bool}``
yes_no              ``bool``
single choice       ``str`` (the choice name; also cefr, country, language, occupation, consent)
multiple choice     ``list[str]`` (also country/language/occupation with ``multiple: true``)
calculate           whatever the calculation gives (number, text, date text, bool)
=================  ===========================================================

Status (draft/complete) is the store's business, never part of ``answers``.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from intake.formengine.evaluator import parse_date
from intake.formengine.model import CHOICE_TYPES, Form, Group, Question, iter_items
from intake.i18n import N_

DEFAULT_MAX_LENGTH = {"text": 500, "long_text": 10_000}
_PARTIAL = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")
_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_empty(value: Any) -> bool:
    """No answer: ``None``, empty text, empty list, or a partial date without a value."""
    if value is None:
        return True
    if isinstance(value, str | list | tuple):
        return len(value) == 0 if not isinstance(value, str) else value.strip() == ""
    if isinstance(value, Mapping):
        return is_empty(value.get("value"))
    return False


def partial_date(value: str, uncertain: bool = False) -> dict[str, Any]:
    """A partial-date answer; raises ``ValueError`` for anything but YYYY, YYYY-MM, YYYY-MM-DD."""
    if not isinstance(value, str) or not _PARTIAL.fullmatch(value) or parse_date(value) is None:
        raise ValueError(f"not a partial date: {value!r}")
    return {"value": value, "uncertain": bool(uncertain)}


def partial_date_precision(value: Mapping[str, Any]) -> str:
    """``year``, ``month`` or ``day``: how much of a partial date is known."""
    text = str(value.get("value", ""))
    return {4: "year", 7: "month"}.get(len(text), "day")


def check_value(question: Question, value: Any) -> str | None:
    """Why ``value`` cannot be an answer to ``question`` (an English msgid), or ``None``."""
    kind = question.type
    if kind in ("calculate", "note"):
        return None
    if kind in ("text", "long_text"):
        if not isinstance(value, str):
            return N_("The answer must be text.")
        limit = question.max_length or DEFAULT_MAX_LENGTH[kind]
        if len(value) > limit:
            return N_("The text is too long.")
        return None
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return N_("The answer must be a whole number.")
    elif kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return N_("The answer must be a number.")
        if isinstance(value, float) and not math.isfinite(value):
            return N_("The answer must be a number.")
    elif kind == "date":
        if not isinstance(value, str) or not _FULL_DATE.fullmatch(value) or not parse_date(value):
            return N_("The answer must be a date.")
    elif kind == "partial_date":
        if not isinstance(value, Mapping) or set(value) - {"value", "uncertain"}:
            return N_("The answer must be a year, a month or a date.")
        text = value.get("value")
        if not isinstance(text, str) or not _PARTIAL.fullmatch(text) or not parse_date(text):
            return N_("The answer must be a year, a month or a date.")
        if not isinstance(value.get("uncertain", False), bool):
            return N_("The answer must be a year, a month or a date.")
    elif kind == "yes_no":
        if not isinstance(value, bool):
            return N_("The answer must be yes or no.")
    elif kind in CHOICE_TYPES:
        if question.is_multiple:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return N_("The answer must be a list of choices.")
            if len(set(value)) != len(value):
                return N_("A choice was picked twice.")
        elif not isinstance(value, str):
            return N_("The answer must be one of the choices.")
    if kind in ("integer", "decimal") and not isinstance(value, bool):
        number = float(value)
        if question.min_value is not None and number < question.min_value:
            return N_("The number is too small.")
        if question.max_value is not None and number > question.max_value:
            return N_("The number is too large.")
    return None


def stored_value(value: Any) -> Any:
    """An evaluator result → a JSON-friendly stored value (for calculations)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, tuple):  # a NodeSet: keep its size, the only stable meaning
        return len(value)
    return None


def new_answers(form: Form) -> dict[str, Any]:
    """A fresh answers dict with every top-level default filled in (repeats start empty)."""
    answers: dict[str, Any] = {}
    for section in form.sections:
        for item in iter_items(section.items):
            if isinstance(item, Question) and item.repeat is None and item.default is not None:
                answers[item.id] = copy.deepcopy(item.default)
            elif isinstance(item, Group) and item.repeat_group:
                answers[item.id] = []
    return answers


def new_repeat_instance(form: Form, repeat_id: str) -> dict[str, Any]:
    """An empty instance of a repeat group with its defaults."""
    group = form.items[repeat_id]
    if not isinstance(group, Group) or not group.repeat_group:
        raise KeyError(f"{repeat_id} is not a repeat group")
    return {
        item.id: copy.deepcopy(item.default)
        for item in iter_items(group.items)
        if isinstance(item, Question) and item.default is not None
    }


@dataclass(frozen=True)
class AnswerDocument:
    """What the store saves: the form it was captured with and the answers."""

    form_id: str
    form_version: str
    answers: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "form_id": self.form_id,
            "form_version": self.form_version,
            "answers": copy.deepcopy(self.answers),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AnswerDocument:
        if not isinstance(data, Mapping):
            raise ValueError("an answer document must be a mapping")
        form_id, version, answers = (
            data.get("form_id"),
            data.get("form_version"),
            data.get("answers"),
        )
        if not isinstance(form_id, str) or not isinstance(version, str):
            raise ValueError("an answer document needs form_id and form_version as text")
        if not isinstance(answers, Mapping):
            raise ValueError("an answer document needs answers as a mapping")
        return cls(form_id, version, copy.deepcopy(dict(answers)))

    @classmethod
    def from_json(cls, text: str) -> AnswerDocument:
        return cls.from_dict(json.loads(text))
