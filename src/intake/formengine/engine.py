"""Running a form against answers: visibility, requiredness, calculations, validation, progress.

Everything is a pure function of ``(form, answers, today)``; :func:`evaluate` computes the whole
state in one pass in document order (fast enough to call after every answer change, see
``bench/``). Positions are ``(question_id, index)`` keys: ``index`` is ``None`` outside repeat
groups and the instance number inside one.

Rules, as in ODK:
- a question is visible when its section is visible and unlocked, every enclosing group is visible,
  and its own ``relevant`` is true; answers to hidden questions count as empty for later
  expressions (earlier in the form than the expression; forward references see the raw answer);
- a section with ``consent`` is locked until that consent question is answered ``given``;
- ``required`` applies only to visible questions; constraints are checked only on non-empty
  answers; calculations are always computed (in dependency order, lazily).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from intake.formengine.answers import (
    AnswerDocument,
    check_value,
    is_empty,
    stored_value,
)
from intake.formengine.evaluator import (
    CompiledExpression,
    NodeSet,
    Scope,
    parse_date,
    to_bool,
    to_value,
)
from intake.formengine.expressions import ExpressionError
from intake.formengine.model import (
    CONSENT_GIVEN,
    Choice,
    Form,
    Group,
    Item,
    Question,
)
from intake.i18n import N_

Key = tuple[str, int | None]


def _convert(question: Question, raw: Any) -> Any:
    """A stored answer → the evaluator's value, by question type."""
    if raw is None:
        return None
    kind = question.type
    if kind == "date":
        return parse_date(raw) if isinstance(raw, str) else None
    if kind == "partial_date":
        return parse_date(raw.get("value")) if isinstance(raw, Mapping) else None
    if kind == "calculate" and isinstance(raw, str) and len(raw) == 10:
        return parse_date(raw) or raw
    return to_value(raw)


class _State:
    def __init__(self, form: Form, answers: Mapping[str, Any], today: date) -> None:
        self.form = form
        self.answers = answers
        self.today = today
        self.visible: dict[Key, bool] = {}
        self.required: dict[Key, bool] = {}
        self.hidden: set[Key] = set()
        self.calc_cache: dict[Key, Any] = {}
        self.calc_active: set[Key] = set()
        self.problems: list[AnswerIssue] = []

    def instances(self, repeat_id: str) -> list[Mapping[str, Any]]:
        value = self.answers.get(repeat_id)
        if not isinstance(value, list):
            return []
        return [inst if isinstance(inst, Mapping) else {} for inst in value]

    def calculated(self, question: Question, scope: _Scope) -> Any:
        key = (question.id, scope.index if question.repeat else None)
        if key in self.calc_cache:
            return self.calc_cache[key]
        if key in self.calc_active or question.calculate is None:  # pragma: no cover
            return None  # cycles are refused at load time; be safe anyway
        self.calc_active.add(key)
        try:
            inner = scope if question.repeat else _Scope(self, None, None, {})
            value = self.run(question.calculate, inner, question.id, "calculate")
        finally:
            self.calc_active.discard(key)
        self.calc_cache[key] = value
        return value

    def run(self, expression: CompiledExpression, scope: Scope, owner: str, what: str) -> Any:
        try:
            return expression.evaluate(scope)
        except ExpressionError as exc:
            index = getattr(scope, "index", None)
            self.problems.append(
                AnswerIssue(
                    owner,
                    index,
                    "expression",
                    N_("A rule of this form could not be evaluated: {detail}"),
                    params={"detail": f"{what}: {exc.message}"},
                )
            )
            return None


class _Scope(Scope):
    """Resolution of ``${name}`` for one position (top level or one repeat instance)."""

    def __init__(
        self,
        state: _State,
        repeat: str | None,
        index: int | None,
        instance: Mapping[str, Any],
        current: Any = None,
        choice: Choice | None = None,
    ) -> None:
        self.state = state
        self.repeat = repeat
        self.index = index
        self.instance = instance
        self.today = state.today
        self._current = current
        self._choice = choice

    def with_current(self, value: Any) -> _Scope:
        return _Scope(self.state, self.repeat, self.index, self.instance, current=value)

    def with_choice(self, choice: Choice) -> _Scope:
        return _Scope(self.state, self.repeat, self.index, self.instance, choice=choice)

    def current(self) -> Any:
        return self._current

    def choice_value(self, name: str) -> Any:
        if self._choice is None:
            return None
        value = self._choice.column(name)
        return to_value(value)

    def resolve(self, name: str) -> Any:
        state = self.state
        item = state.form.items.get(name)
        if item is None:
            return None
        if isinstance(item, Group):
            if item.repeat_group:
                return NodeSet(state.instances(name))
            return None
        if item.repeat is None:
            if (name, None) in state.hidden:
                return None
            if item.type == "calculate":
                return state.calculated(item, self)
            return _convert(item, state.answers.get(name))
        if item.repeat == self.repeat and self.index is not None:
            if (name, self.index) in state.hidden:
                return None
            if item.type == "calculate":
                return state.calculated(item, self)
            return _convert(item, self.instance.get(name))
        # Outside its repeat: the answers across all instances.
        values = []
        for i, inst in enumerate(state.instances(item.repeat)):
            if (name, i) in state.hidden:
                values.append(None)
            elif item.type == "calculate":
                values.append(state.calculated(item, _Scope(state, item.repeat, i, inst)))
            else:
                values.append(_convert(item, inst.get(name)))
        return NodeSet(values)


@dataclass(frozen=True)
class SectionState:
    id: str
    visible: bool
    locked: bool

    @property
    def open(self) -> bool:
        return self.visible and not self.locked


@dataclass(frozen=True)
class AnswerIssue:
    """A problem with the answers: where, a code, and an English msgid with ``{params}``."""

    field: str
    index: int | None
    code: str  # required, constraint, type, choice, repeat_min, repeat_max, locked, hidden, …
    message: str
    severity: str = "error"  # or "warning"
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, translate: Any = None) -> str:
        """The message in the UI language (or via ``translate``), placeholders filled."""
        if translate is None:
            from intake.i18n import _ as translate
        return translate(self.message).format(**self.params)


@dataclass
class FormState:
    """The computed state of one set of answers."""

    form: Form
    values: dict[str, Any]
    visible: dict[Key, bool]
    required: dict[Key, bool]
    sections: dict[str, SectionState]
    problems: list[AnswerIssue]
    today: date
    _state: _State = field(repr=False)

    def is_visible(self, item_id: str, index: int | None = None) -> bool:
        return self.visible.get((item_id, index), False)

    def is_required(self, item_id: str, index: int | None = None) -> bool:
        return self.required.get((item_id, index), False)

    def visible_keys(self, section_id: str | None = None) -> list[Key]:
        """Visible positions in document order (optionally for one section)."""
        return [
            key
            for key, shown in self.visible.items()
            if shown and (section_id is None or self.form.items[key[0]].section == section_id)
        ]

    def value(self, item_id: str, index: int | None = None) -> Any:
        item = self.form.items[item_id]
        if index is None or item.repeat is None:
            return self.values.get(item_id)
        instances = self.values.get(item.repeat) or []
        if index < len(instances) and isinstance(instances[index], Mapping):
            return instances[index].get(item_id)
        return None

    def allowed_choices(self, question_id: str, index: int | None = None) -> tuple[Choice, ...]:
        """The choices offered at a position, after the question's choice filter."""
        question = self.form.question(question_id)
        choices = self.form.choices_for(question)
        if question.choice_filter is None:
            return choices
        scope = self._scope(question, index)
        result = []
        for choice in choices:
            value = self._state.run(
                question.choice_filter, scope.with_choice(choice), question.id, "choice_filter"
            )
            if to_bool(value):
                result.append(choice)
        return tuple(result)

    def _scope(self, question: Question, index: int | None) -> _Scope:
        if question.repeat is None or index is None:
            return _Scope(self._state, None, None, {})
        instances = self._state.instances(question.repeat)
        instance = instances[index] if index < len(instances) else {}
        return _Scope(self._state, question.repeat, index, instance)


def _walk(state: _State, items: tuple[Item, ...], parent_visible: bool, scope: _Scope) -> None:
    for item in items:
        if isinstance(item, Group):
            shown = parent_visible and (
                item.relevant is None
                or to_bool(state.run(item.relevant, scope, item.id, "relevant"))
            )
            state.visible[(item.id, scope.index if not item.repeat_group else None)] = shown
            if not shown:
                state.hidden.add((item.id, scope.index if not item.repeat_group else None))
            if item.repeat_group:
                for i, instance in enumerate(state.instances(item.id)):
                    _walk(state, item.items, shown, _Scope(state, item.id, i, instance))
            else:
                _walk(state, item.items, shown, scope)
            continue
        key = (item.id, scope.index)
        shown = parent_visible and (
            item.relevant is None or to_bool(state.run(item.relevant, scope, item.id, "relevant"))
        )
        state.visible[key] = shown
        if not shown:
            state.hidden.add(key)
            continue
        if item.is_answer:
            required = item.required
            if not required and item.required_if is not None:
                required = to_bool(state.run(item.required_if, scope, item.id, "required"))
            state.required[key] = required


def evaluate(form: Form, answers: Mapping[str, Any], *, today: date | None = None) -> FormState:
    """Compute visibility, requiredness and calculations for ``answers``."""
    state = _State(form, answers, today or date.today())
    top = _Scope(state, None, None, {})
    sections: dict[str, SectionState] = {}
    for section in form.sections:
        shown = section.relevant is None or to_bool(
            state.run(section.relevant, top, section.id, "relevant")
        )
        locked = False
        if section.consent is not None:
            consent_hidden = (section.consent, None) in state.hidden
            locked = consent_hidden or answers.get(section.consent) != CONSENT_GIVEN
        sections[section.id] = SectionState(section.id, shown, locked)
        _walk(state, section.items, shown and not locked, top)

    values: dict[str, Any] = {k: v for k, v in answers.items()}
    for calc_id in form.calculation_order:
        question = form.question(calc_id)
        if question.repeat is None:
            values[calc_id] = stored_value(state.calculated(question, top))
        else:
            instances = [dict(inst) for inst in state.instances(question.repeat)]
            for i, inst in enumerate(instances):
                scope = _Scope(state, question.repeat, i, state.instances(question.repeat)[i])
                inst[calc_id] = stored_value(state.calculated(question, scope))
            if isinstance(answers.get(question.repeat), list):
                values[question.repeat] = instances
    return FormState(
        form, values, state.visible, state.required, sections, state.problems, state.today, state
    )


# --- validation ------------------------------------------------------------------------------


def _check_position(
    state: FormState, question: Question, index: int | None, value: Any, issues: list[AnswerIssue]
) -> None:
    key = (question.id, index)
    shown = state.visible.get(key, False)
    section = state.sections.get(question.section)
    empty = is_empty(value)
    if not shown:
        if not empty and question.type != "calculate":
            if section is not None and section.locked:
                issues.append(
                    AnswerIssue(
                        question.id,
                        index,
                        "locked",
                        N_(
                            "This answer is in a section that needs consent, which has not been given."
                        ),
                    )
                )
            else:
                issues.append(
                    AnswerIssue(
                        question.id,
                        index,
                        "hidden",
                        N_("This answer belongs to a question that no longer applies."),
                        severity="warning",
                    )
                )
        return
    if empty:
        if state.required.get(key):
            issues.append(
                AnswerIssue(
                    question.id,
                    index,
                    "required",
                    question.required_message or N_("This question must be answered."),
                )
            )
        return
    problem = check_value(question, value)
    if problem:
        issues.append(AnswerIssue(question.id, index, "type", problem))
        return
    if question.choice_list is not None:
        allowed = {c.name for c in state.allowed_choices(question.id, index)}
        picked = value if isinstance(value, list) else [value]
        for name in picked:
            if name not in allowed:
                issues.append(
                    AnswerIssue(
                        question.id,
                        index,
                        "choice",
                        N_("{choice} is not one of the choices offered."),
                        params={"choice": name},
                    )
                )
    if question.constraint is not None:
        scope = state._scope(question, index)
        result = state._state.run(
            question.constraint,
            scope.with_current(_convert(question, value)),
            question.id,
            "constraint",
        )
        if not to_bool(result):
            issues.append(
                AnswerIssue(
                    question.id,
                    index,
                    "constraint",
                    question.constraint_message or N_("This answer is not valid."),
                )
            )


def _check_items(
    state: FormState,
    items: tuple[Item, ...],
    container: Mapping[str, Any],
    index: int | None,
    issues: list[AnswerIssue],
) -> None:
    for item in items:
        if isinstance(item, Group):
            if not item.repeat_group:
                _check_items(state, item.items, container, index, issues)
                continue
            raw = container.get(item.id)
            if raw is None:
                raw = []
            if not isinstance(raw, list) or not all(isinstance(i, Mapping) for i in raw):
                issues.append(
                    AnswerIssue(item.id, None, "type", N_("The entries of this list are damaged."))
                )
                continue
            if state.is_visible(item.id):
                if len(raw) < item.min_count:
                    issues.append(
                        AnswerIssue(
                            item.id,
                            None,
                            "repeat_min",
                            N_("Add at least {count} entries."),
                            params={"count": item.min_count},
                        )
                    )
                if item.max_count is not None and len(raw) > item.max_count:
                    issues.append(
                        AnswerIssue(
                            item.id,
                            None,
                            "repeat_max",
                            N_("Enter at most {count} entries."),
                            params={"count": item.max_count},
                        )
                    )
            known = {q.id for q in _questions(item.items)}
            for i, instance in enumerate(raw):
                for extra in sorted(set(instance) - known):
                    issues.append(
                        AnswerIssue(
                            extra,
                            i,
                            "unknown",
                            N_("This answer belongs to no question of the form."),
                        )
                    )
                _check_items(state, item.items, instance, i, issues)
            continue
        _check_position(state, item, index, container.get(item.id), issues)


def _questions(items: tuple[Item, ...]) -> list[Question]:
    out: list[Question] = []
    for item in items:
        if isinstance(item, Group) and not item.repeat_group:
            out.extend(_questions(item.items))
        elif isinstance(item, Question):
            out.append(item)
    return out


def validate_answers(
    form: Form,
    answers: Mapping[str, Any],
    *,
    today: date | None = None,
    state: FormState | None = None,
) -> list[AnswerIssue]:
    """Every problem with ``answers``: missing required answers, broken constraints, wrong types,
    choices not offered, repeat counts, answers in locked sections (errors) and answers to
    questions that no longer apply (warnings)."""
    if not isinstance(answers, Mapping):
        return [AnswerIssue("", None, "type", N_("The answers are damaged."))]
    state = state or evaluate(form, answers, today=today)
    issues: list[AnswerIssue] = []
    top_level = {
        item.id
        for item in form.items.values()
        if (isinstance(item, Question) and item.repeat is None)
        or (isinstance(item, Group) and item.repeat_group)
    }
    for extra in sorted(set(answers) - top_level):
        issues.append(
            AnswerIssue(
                extra, None, "unknown", N_("This answer belongs to no question of the form.")
            )
        )
    for section in form.sections:
        _check_items(state, section.items, answers, None, issues)
    issues.extend(state.problems)
    return issues


# --- progress --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionProgress:
    section: str
    answered: int
    total: int
    required_answered: int
    required_total: int
    visible: bool
    locked: bool

    @property
    def complete(self) -> bool:
        return self.required_answered >= self.required_total

    @property
    def fraction(self) -> float:
        return self.answered / self.total if self.total else 1.0


def progress(
    form: Form,
    answers: Mapping[str, Any],
    *,
    today: date | None = None,
    state: FormState | None = None,
) -> dict[str, SectionProgress]:
    """Per section: how many visible questions are answered, and how many required ones."""
    state = state or evaluate(form, answers, today=today)
    counts: dict[str, list[int]] = {s.id: [0, 0, 0, 0] for s in form.sections}
    for (item_id, index), shown in state.visible.items():
        item = form.items[item_id]
        if not shown or not isinstance(item, Question) or not item.is_answer:
            continue
        answered = not is_empty(state.value(item_id, index))
        row = counts[item.section]
        row[1] += 1
        row[0] += answered
        if state.required.get((item_id, index)):
            row[3] += 1
            row[2] += answered
    return {
        s.id: SectionProgress(
            s.id,
            *counts[s.id],
            visible=state.sections[s.id].visible,
            locked=state.sections[s.id].locked,
        )
        for s in form.sections
    }


def is_complete(form: Form, answers: Mapping[str, Any], *, today: date | None = None) -> bool:
    """True when no error-level issue is left (warnings are allowed)."""
    return not any(i.severity == "error" for i in validate_answers(form, answers, today=today))


# --- the document ----------------------------------------------------------------------------


def build_document(
    form: Form,
    answers: Mapping[str, Any],
    *,
    today: date | None = None,
    finalize: bool = False,
) -> AnswerDocument:
    """The answer document to save: calculations filled in. With ``finalize`` (completing the
    interview) answers to hidden questions and locked sections are dropped, as ODK does."""
    state = evaluate(form, answers, today=today)
    values = state.values
    if finalize:
        values = _drop_hidden(form, state, values)
    return AnswerDocument(form.id, form.version, _json_copy(values))


def _drop_hidden(form: Form, state: FormState, values: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in values.items():
        item = form.items.get(key)
        if item is None:
            continue
        if isinstance(item, Group) and item.repeat_group:
            if not state.is_visible(key) or not isinstance(value, list):
                continue
            kept = []
            for i, inst in enumerate(value):
                if isinstance(inst, Mapping):
                    kept.append(
                        {
                            k: v
                            for k, v in inst.items()
                            if state.is_visible(k, i) or _is_calc(form, k)
                        }
                    )
            result[key] = kept
        elif state.is_visible(key) or _is_calc(form, key):
            result[key] = value
    return result


def _is_calc(form: Form, item_id: str) -> bool:
    item = form.items.get(item_id)
    return isinstance(item, Question) and item.type == "calculate"


def _json_copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _json_copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_copy(v) for v in value]
    return value
