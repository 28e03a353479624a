"""The loaded form: frozen dataclasses built from a validated YAML file.

A :class:`Form` is a list of :class:`Section` objects holding :class:`Question` and :class:`Group`
items (a group with ``repeat=True`` is a repeat group). Every id is unique across the whole form,
so answers are a flat mapping with one list of dicts per repeat group. Texts (``label``, ``hint``,
``constraint_message`` …) are English gettext msgids; look them up with
:mod:`intake.formengine.text`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intake.formengine.evaluator import CompiledExpression

# Question types (SPEC §2) and what a stored answer looks like for each.
TEXT_TYPES = frozenset({"text", "long_text"})
NUMBER_TYPES = frozenset({"integer", "decimal"})
CHOICE_TYPES = frozenset(
    {"single_choice", "multiple_choice", "cefr", "country", "language", "occupation", "consent"}
)
QUESTION_TYPES = frozenset(
    {
        *TEXT_TYPES,
        *NUMBER_TYPES,
        "date",
        "partial_date",
        "yes_no",
        *CHOICE_TYPES,
        "calculate",
        "note",
    }
)
GROUP_TYPES = frozenset({"group", "repeat"})
# Types whose value is shown to and given by the client (notes and calculations are not answers).
ANSWER_TYPES = QUESTION_TYPES - {"note", "calculate"}
# The choice list each special type uses unless the question names another one.
DEFAULT_CHOICE_LISTS: Mapping[str, str] = {
    "cefr": "cefr_levels",
    "country": "countries",
    "language": "languages",
    "occupation": "occupations",
    "consent": "consent_status",
}
# Generated lists (CLDR via Babel): names are reserved.
GENERATED_LISTS = frozenset({"countries", "languages"})
CONSENT_GIVEN = "given"


@dataclass(frozen=True)
class Choice:
    name: str
    label: str
    hint: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)  # built-in translations by language
    data: Mapping[str, Any] = field(default_factory=dict)  # extra columns for choice filters

    def column(self, key: str) -> Any:
        if key == "name":
            return self.name
        return self.data.get(key)


@dataclass(frozen=True)
class ChoiceList:
    id: str
    choices: tuple[Choice, ...]
    generated: str | None = None  # "cldr_countries" / "cldr_languages" for generated lists
    source: str | None = None  # file the list came from, for messages
    by_name: Mapping[str, Choice] = field(default_factory=dict, compare=False, repr=False)

    def get(self, name: str) -> Choice | None:
        return self.by_name.get(name)

    def __len__(self) -> int:
        return len(self.choices)


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: str
    line: int | None = None
    hint: str | None = None
    required: bool = False
    required_if: CompiledExpression | None = None
    required_message: str | None = None
    relevant: CompiledExpression | None = None
    constraint: CompiledExpression | None = None
    constraint_message: str | None = None
    calculate: CompiledExpression | None = None
    default: Any = None
    choice_list: str | None = None
    extra_choices: str | None = None
    choice_filter: CompiledExpression | None = None
    multiple: bool = False
    min_value: float | None = None
    max_value: float | None = None
    max_length: int | None = None
    repeat: str | None = None  # id of the enclosing repeat group, if any
    section: str = ""

    @property
    def is_answer(self) -> bool:
        return self.type in ANSWER_TYPES

    @property
    def is_multiple(self) -> bool:
        return self.type == "multiple_choice" or self.multiple


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    items: tuple[Item, ...]
    repeat_group: bool = False
    line: int | None = None
    hint: str | None = None
    relevant: CompiledExpression | None = None
    min_count: int = 0
    max_count: int | None = None
    repeat: str | None = None  # enclosing repeat group (for plain groups inside a repeat)
    section: str = ""

    @property
    def type(self) -> str:
        return "repeat" if self.repeat_group else "group"


Item = Question | Group


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    items: tuple[Item, ...]
    line: int | None = None
    hint: str | None = None
    relevant: CompiledExpression | None = None
    sensitive: bool = False
    consent: str | None = None  # id of the consent question that unlocks this section


@dataclass(frozen=True)
class Migration:
    """How answers captured with ``from_version`` become answers for ``to_version``."""

    from_version: str
    to_version: str
    rename: Mapping[str, str] = field(default_factory=dict)
    remove: tuple[str, ...] = ()
    recode: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    note: str | None = None


@dataclass(frozen=True)
class Form:
    id: str
    version: str
    title: str
    sections: tuple[Section, ...]
    choice_lists: Mapping[str, ChoiceList]
    path: Path | None = None
    description: str | None = None
    migrations: tuple[Migration, ...] = ()
    # Indexes built by the loader.
    items: Mapping[str, Item] = field(default_factory=dict, repr=False, compare=False)
    calculation_order: tuple[str, ...] = field(default=(), repr=False, compare=False)
    dependents: Mapping[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def item(self, item_id: str) -> Item:
        return self.items[item_id]

    def question(self, question_id: str) -> Question:
        item = self.items[question_id]
        if not isinstance(item, Question):
            raise KeyError(question_id)
        return item

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def questions(self) -> Iterator[Question]:
        """Every question (incl. notes and calculations) in document order."""
        for section in self.sections:
            yield from iter_questions(section.items)

    def choices_for(self, question: Question) -> tuple[Choice, ...]:
        """All choices a question offers (before any choice filter)."""
        if question.choice_list is None:
            return ()
        extra = self.choice_lists[question.extra_choices].choices if question.extra_choices else ()
        return extra + self.choice_lists[question.choice_list].choices

    def choice(self, question: Question, name: str) -> Choice | None:
        if question.extra_choices:
            found = self.choice_lists[question.extra_choices].get(name)
            if found:
                return found
        if question.choice_list is None:
            return None
        return self.choice_lists[question.choice_list].get(name)


def iter_questions(items: tuple[Item, ...]) -> Iterator[Question]:
    for item in items:
        if isinstance(item, Group):
            yield from iter_questions(item.items)
        else:
            yield item


def iter_items(items: tuple[Item, ...]) -> Iterator[Item]:
    for item in items:
        yield item
        if isinstance(item, Group):
            yield from iter_items(item.items)
