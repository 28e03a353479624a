"""The interview as plain text, for reviewing a form (``intake forms show FILE [--lang LANG]``).

Shows sections, questions with their type, rules (required, shown-if, constraint, calculation,
choice filter) and choices, in the requested language; when that is not English, the English
msgid follows in brackets so a reviewer can check the translation against the source.
"""

from __future__ import annotations

from collections.abc import Iterator

from intake.formengine.model import Form, Group, Item, Question
from intake.formengine.text import FormText

MAX_CHOICES_SHOWN = 25


def _with_source(text: FormText, msgid: str | None, translated: str) -> str:
    if not msgid:
        return ""
    if text.language.split("_")[0] != "en" and translated != msgid:
        return f"{translated}  [{msgid}]"
    return translated


def _question_lines(form: Form, question: Question, text: FormText, indent: str) -> Iterator[str]:
    kind = question.type.replace("_", " ")
    if question.is_multiple and question.type != "multiple_choice":
        kind += ", several"
    flags = []
    if question.required:
        flags.append("required")
    elif question.required_if is not None:
        flags.append(f"required if {question.required_if.source}")
    meta = ", ".join([kind, *flags])
    if question.type == "calculate":
        yield f"{indent}{question.id} (calculated) = {question.calculate.source if question.calculate else ''}"
        return
    label = _with_source(text, question.label, text.label(question))
    yield f"{indent}{question.id} ({meta}): {label}"
    inner = indent + "    "
    if question.hint:
        yield f"{inner}hint: {_with_source(text, question.hint, text.hint(question))}"
    if question.relevant is not None:
        yield f"{inner}shown if: {question.relevant.source}"
    if question.constraint is not None:
        yield f"{inner}check: {question.constraint.source}"
        if question.constraint_message:
            message = text.gettext(question.constraint_message)
            yield f"{inner}message: {_with_source(text, question.constraint_message, message)}"
    if question.min_value is not None or question.max_value is not None:
        low = "" if question.min_value is None else question.min_value
        high = "" if question.max_value is None else question.max_value
        yield f"{inner}range: {low}..{high}"
    if question.default is not None:
        yield f"{inner}default: {question.default}"
    if question.choice_filter is not None:
        yield f"{inner}choices filtered by: {question.choice_filter.source}"
    if question.choice_list is not None:
        choices = form.choices_for(question)
        source = form.choice_lists[question.choice_list]
        if source.generated:
            extra = len(choices) - len(source)
            sample = ", ".join(
                f"{c.name} = {text.choice_label(form, question, c)}" for c in source.choices[:3]
            )
            more = f" + {extra} extra" if extra else ""
            yield f"{inner}choices: {len(source)} from CLDR{more} (e.g. {sample}, …)"
        shown = choices if len(choices) <= MAX_CHOICES_SHOWN else choices[:MAX_CHOICES_SHOWN]
        if source.generated:
            shown = choices[: len(choices) - len(source)]
        for choice in shown:
            label = _with_source(text, choice.label, text.choice_label(form, question, choice))
            yield f"{inner}- {choice.name}: {label}"
            if choice.hint:
                yield f"{inner}    {_with_source(text, choice.hint, text.choice_hint(choice))}"
        if not source.generated and len(choices) > MAX_CHOICES_SHOWN:
            yield f"{inner}  … and {len(choices) - MAX_CHOICES_SHOWN} more ({question.choice_list})"


def _item_lines(form: Form, items: tuple[Item, ...], text: FormText, indent: str) -> Iterator[str]:
    for item in items:
        if isinstance(item, Group):
            kind = "repeat" if item.repeat_group else "group"
            counts = ""
            if item.repeat_group:
                counts = f", {item.min_count}..{item.max_count if item.max_count else '∞'} entries"
            label = _with_source(text, item.label, text.label(item))
            yield f"{indent}[{kind}{counts}] {item.id}: {label}"
            if item.relevant is not None:
                yield f"{indent}    shown if: {item.relevant.source}"
            yield from _item_lines(form, item.items, text, indent + "    ")
        else:
            yield from _question_lines(form, item, text, indent)


def render_form(form: Form, language: str = "en") -> str:
    """The whole form as reviewable text in ``language``."""
    text = FormText(language)
    lines = [
        f"{_with_source(text, form.title, text.gettext(form.title))}",
        f"form {form.id}, version {form.version}, language {language}",
        "",
    ]
    for number, section in enumerate(form.sections):
        title = _with_source(text, section.title, text.label(section))
        lines.append(f"== {number}. {title} ({section.id}) ==")
        if section.sensitive or section.consent:
            lines.append(f"    sensitive: locked until ${{{section.consent}}} = 'given'")
        if section.relevant is not None:
            lines.append(f"    shown if: {section.relevant.source}")
        if section.hint:
            lines.append(f"    {_with_source(text, section.hint, text.hint(section))}")
        lines.extend(_item_lines(form, section.items, text, "  "))
        lines.append("")
    return "\n".join(lines)
