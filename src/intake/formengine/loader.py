"""Load and validate form files: YAML → JSON Schema → semantic checks → frozen :class:`Form`.

Every problem becomes a :class:`FormError` naming the file, the line, the field id and what is
wrong; loading never raises anything else for bad input. The stages, as in pyxform:

1. :mod:`intake.formengine.safeyaml` reads the file with line numbers and hostile-input limits;
2. the published schema (``forms/schema/form.schema.json``) checks the shape;
3. the semantic pass checks what a schema cannot: unique ids, expressions that parse, references
   to questions that exist, choice lists that exist, defaults that fit, consent gating that points
   at a consent question, and no cycles between calculations.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource

from intake.formengine import safeyaml
from intake.formengine.choices import generated_lists
from intake.formengine.evaluator import CompiledExpression, compile_expression, parse_date
from intake.formengine.expressions import (
    Binary,
    Call,
    Expression,
    ExpressionError,
    Node,
    Ref,
    String,
    Unary,
    parse_expression,
)
from intake.formengine.model import (
    CHOICE_TYPES,
    DEFAULT_CHOICE_LISTS,
    GENERATED_LISTS,
    NUMBER_TYPES,
    TEXT_TYPES,
    Choice,
    ChoiceList,
    Form,
    Group,
    Item,
    Migration,
    Question,
    Section,
)
from intake.formengine.paths import schema_dir
from intake.formengine.safeyaml import LoadedYaml, PathKey, YamlError

MAX_ERRORS = 100
AGGREGATE_FUNCTIONS = frozenset({"count", "sum", "min", "max", "count-selected", "selected"})


@dataclass(frozen=True, order=True)
class FormError:
    """One problem in a form file: where it is and what is wrong (English, for form authors)."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = f"{self.field}: " if self.field else ""
        return f"{where}: {what}{self.message}"


class FormValidationError(ValueError):
    """Raised by :func:`load_form` when the file has problems; ``errors`` lists them all."""

    def __init__(self, errors: list[FormError]) -> None:
        self.errors = errors
        first = str(errors[0]) if errors else "invalid form"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)


# --- schema ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _validators() -> tuple[jsonschema.Draft202012Validator, jsonschema.Draft202012Validator]:
    folder = schema_dir()
    form_schema = json.loads((folder / "form.schema.json").read_text(encoding="utf-8"))
    choices_schema = json.loads((folder / "choices.schema.json").read_text(encoding="utf-8"))
    registry: Registry = Registry().with_resources(
        [
            (form_schema["$id"], Resource.from_contents(form_schema)),
            (choices_schema["$id"], Resource.from_contents(choices_schema)),
        ]
    )
    return (
        jsonschema.Draft202012Validator(form_schema, registry=registry),
        jsonschema.Draft202012Validator(choices_schema, registry=registry),
    )


def _nearest_id(data: Any, path: PathKey) -> str | None:
    """The id of the innermost object with one along ``path`` (for 'field' in messages)."""
    found: str | None = None
    node = data
    for key in path:
        if isinstance(node, Mapping) and isinstance(node.get("id"), str):
            found = node["id"]
        try:
            node = node[key]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            break
    if isinstance(node, Mapping) and isinstance(node.get("id"), str):
        found = node["id"]
    return found


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _schema_message(error: jsonschema.ValidationError) -> str:
    path = list(error.absolute_path)
    key = next((k for k in reversed(path) if isinstance(k, str)), None)
    prefix = f"{key}: " if key else ""
    validator = error.validator
    if validator == "required":
        return error.message.replace("is a required property", "is missing")
    if validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = (
            [k for k in error.instance if k not in allowed]
            if isinstance(error.instance, dict)
            else []
        )
        hints = []
        for name in extra:
            close = difflib.get_close_matches(str(name), allowed, n=1)
            hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        return f"unknown key {', '.join(hints)}" if hints else error.message
    if validator == "enum":
        options = ", ".join(map(str, error.validator_value))
        return f"{prefix}{_short(error.instance)} is not one of: {options}"
    if validator == "type":
        return f"{prefix}{_short(error.instance)} should be of type {error.validator_value}"
    if validator == "pattern":
        return (
            f"{prefix}{_short(error.instance)} does not match the pattern {error.validator_value}"
        )
    if validator == "oneOf":
        return f"{prefix}{_short(error.instance)} has the wrong type or shape"
    if validator in ("minItems", "maxItems", "minLength", "maxLength", "minimum", "maximum"):
        return f"{prefix}{error.message.replace(repr(error.instance), _short(error.instance))}"
    return f"{prefix}{error.message if len(error.message) < 300 else error.message[:300] + '…'}"


def _schema_errors(
    validator: jsonschema.Draft202012Validator, loaded: LoadedYaml, file: str
) -> list[FormError]:
    errors: list[FormError] = []
    seen: set[tuple[PathKey, str]] = set()
    for error in validator.iter_errors(loaded.data):
        # if/then/else report a wrong 'type' twice; keep the most specific messages only.
        if error.validator in ("if", "then", "else", "$ref", "allOf"):
            continue
        path: PathKey = tuple(error.absolute_path)
        message = _schema_message(error)
        if (path, message) in seen:
            continue
        seen.add((path, message))
        errors.append(
            FormError(file, loaded.line_of(path), _nearest_id(loaded.data, path), message)
        )
        if len(errors) >= MAX_ERRORS:
            break
    return sorted(errors, key=lambda e: (e.line or 0, e.message))


@lru_cache(maxsize=32)
def _load_choice_file(path: Path, mtime_ns: int, size: int) -> tuple[LoadedYaml, list[FormError]]:
    """A shared choice file, parsed and schema-checked once per version of the file."""
    loaded = safeyaml.load_path(path)
    _, choices_validator = _validators()
    return loaded, _schema_errors(choices_validator, loaded, str(path))


# --- the semantic pass -----------------------------------------------------------------------


@dataclass
class _Info:
    """What pass 1 learns about an item before anything is compiled."""

    id: str
    type: str
    raw: Mapping[str, Any]
    path: PathKey
    section: str
    repeat: str | None
    line: int | None


@dataclass
class _Builder:
    data: Mapping[str, Any]
    loaded: LoadedYaml
    file: str
    base_dir: Path
    errors: list[FormError] = field(default_factory=list)
    infos: dict[str, _Info] = field(default_factory=dict)
    choice_lists: dict[str, ChoiceList] = field(default_factory=dict)
    list_origin: dict[str, str] = field(default_factory=dict)
    calc_refs: dict[str, frozenset[str]] = field(default_factory=dict)
    dependents: dict[str, set[str]] = field(default_factory=dict)

    # -- helpers

    def error(self, path: PathKey, message: str, *, item: str | None = None) -> None:
        if len(self.errors) < MAX_ERRORS:
            field_id = item if item is not None else _nearest_id(self.data, path)
            self.errors.append(FormError(self.file, self.loaded.line_of(path), field_id, message))

    def suggest(self, name: str, options: Iterable[str]) -> str:
        options = list(options)
        same_case = [o for o in options if o.lower() == name.lower()]
        close = same_case or difflib.get_close_matches(name, options, n=1)
        return f" (did you mean {close[0]!r}?)" if close else ""

    # -- choice lists

    def add_choice_list(
        self,
        list_id: str,
        raw: list[Any],
        path: PathKey,
        origin: str,
        loaded: LoadedYaml,
        file: str,
    ) -> None:
        if list_id in self.choice_lists or list_id in GENERATED_LISTS:
            where = (
                "generated from CLDR" if list_id in GENERATED_LISTS else self.list_origin[list_id]
            )
            self.errors.append(
                FormError(
                    file, loaded.line_of(path), list_id, f"choice list defined twice ({where})"
                )
            )
            return
        choices: list[Choice] = []
        names: set[str] = set()
        for index, item in enumerate(raw):
            name = item["name"]
            if name in names:
                self.errors.append(
                    FormError(
                        file,
                        loaded.line_of((*path, index)),
                        list_id,
                        f"choice {name!r} appears twice in the list",
                    )
                )
                continue
            names.add(name)
            choices.append(
                Choice(
                    name=name,
                    label=item["label"],
                    hint=item.get("hint"),
                    labels=dict(item.get("labels", {})),
                    data=dict(item.get("data", {})),
                )
            )
        self.choice_lists[list_id] = ChoiceList(
            list_id, tuple(choices), source=origin, by_name={c.name: c for c in choices}
        )
        self.list_origin[list_id] = origin

    def load_choice_files(self) -> None:
        for index, name in enumerate(self.data.get("choices_files", [])):
            path = (self.base_dir / name).resolve()
            where: PathKey = ("choices_files", index)
            try:
                stat = path.stat()
                loaded, problems = _load_choice_file(path, stat.st_mtime_ns, stat.st_size)
            except OSError as exc:
                self.error(where, f"choices file {name}: cannot read {path}: {exc.strerror or exc}")
                continue
            except YamlError as exc:
                if exc.line is None:
                    self.error(where, f"choices file {name}: {exc.message}")
                else:
                    self.errors.append(FormError(str(path), exc.line, None, exc.message))
                continue
            if problems:
                self.errors.extend(problems)
                continue
            for list_id, raw in loaded.data["choices"].items():
                self.add_choice_list(list_id, raw, ("choices", list_id), name, loaded, str(path))

    # -- pass 1: ids and structure

    def collect(self, items: list[Any], path: PathKey, section: str, repeat: str | None) -> None:
        for index, raw in enumerate(items):
            item_path = (*path, index)
            item_id, item_type = raw["id"], raw["type"]
            if item_id in self.infos:
                first = self.infos[item_id].line
                self.error(item_path, f"the id {item_id!r} is already used (line {first})")
                continue
            self.infos[item_id] = _Info(
                item_id, item_type, raw, item_path, section, repeat, self.loaded.line_of(item_path)
            )
            if isinstance(raw.get("choices"), list) and item_type in CHOICE_TYPES:
                self.add_choice_list(
                    f"~{item_id}",
                    raw["choices"],
                    (*item_path, "choices"),
                    item_id,
                    self.loaded,
                    self.file,
                )
            if item_type in ("group", "repeat"):
                inner_repeat = repeat
                if item_type == "repeat":
                    if repeat is not None:
                        self.error(
                            item_path,
                            f"repeat groups cannot be nested (inside repeat {repeat!r})",
                        )
                    inner_repeat = item_id
                self.collect(raw["items"], (*item_path, "items"), section, inner_repeat)

    # -- expressions

    def expression(
        self,
        raw: Mapping[str, Any],
        key: str,
        path: PathKey,
        owner: str,
        *,
        repeat: str | None,
        allow_current: bool = False,
        choice_list: str | None = None,
    ) -> CompiledExpression | None:
        text = raw.get(key)
        if not isinstance(text, str):
            return None
        where = (*path, key)
        try:
            expression = parse_expression(text)
            compiled = compile_expression(expression)
        except ExpressionError as exc:
            column = f" (column {exc.column})" if exc.column else ""
            self.error(where, f"{key}: {exc.message}{column} in {text!r}", item=owner)
            return None
        ok = True
        for ref in sorted(expression.refs):
            info = self.infos.get(ref)
            if info is None:
                hint = self.suggest(ref, self.infos)
                self.error(
                    where,
                    f"{key} refers to ${{{ref}}}, which is not a question in this form{hint}",
                    item=owner,
                )
                ok = False
                continue
            if info.type in ("note", "group"):
                self.error(where, f"{key} refers to ${{{ref}}}, a {info.type} without a value")
                ok = False
            if ref == owner and key != "constraint" and info.type != "repeat":
                self.error(where, f"{key} of {owner!r} refers to itself", item=owner)
                ok = False
            self.dependents.setdefault(ref, set()).add(owner)
        if expression.uses_current and not allow_current:
            self.error(where, f"{key}: '.' (the current answer) is only allowed in a constraint")
            ok = False
        if expression.names:
            if choice_list is None:
                name = sorted(expression.names)[0]
                hint = f" (did you mean ${{{name}}}?)" if name in self.infos else ""
                self.error(
                    where, f"{key}: bare name {name!r} is not allowed here{hint}", item=owner
                )
                ok = False
            elif choice_list in self.choice_lists:
                columns = {"name"}
                for choice in self.choice_lists[choice_list].choices:
                    columns.update(choice.data)
                for name in sorted(expression.names - columns):
                    self.error(
                        where,
                        f"{key}: {name!r} is not a column of choice list {choice_list!r}"
                        + self.suggest(name, columns),
                        item=owner,
                    )
                    ok = False
        if ok:
            ok = self.check_literals(expression, where, key, owner)
        return compiled if ok else None

    def _choice_names(self, question_id: str) -> set[str] | None:
        info = self.infos.get(question_id)
        if info is None or info.type not in CHOICE_TYPES:
            return None
        list_id = self.list_id(info)
        if list_id is None or list_id not in self.choice_lists:
            return None
        names = {c.name for c in self.choice_lists[list_id].choices}
        extra = info.raw.get("extra_choices")
        if isinstance(extra, str) and extra in self.choice_lists:
            names.update(c.name for c in self.choice_lists[extra].choices)
        return names

    def check_literals(self, expression: Expression, where: PathKey, key: str, owner: str) -> bool:
        """Catch typos the evaluator would silently accept: ``${yes_no} = 'yes'`` and unknown
        choice names compared with a choice question."""
        ok = True
        stack: list[Node] = [expression.tree]
        while stack:
            node = stack.pop()
            pairs: list[tuple[Node, Node]] = []
            if isinstance(node, Binary):
                stack.extend((node.left, node.right))
                if node.op in ("=", "!="):
                    pairs = [(node.left, node.right), (node.right, node.left)]
            elif isinstance(node, Call):
                stack.extend(node.args)
                if node.func == "selected" and len(node.args) == 2:
                    pairs = [(node.args[0], node.args[1])]
            elif isinstance(node, Unary):
                stack.append(node.operand)
            for ref, literal in pairs:
                if not (isinstance(ref, Ref) and isinstance(literal, String)):
                    continue
                info = self.infos.get(ref.name)
                if info is None:
                    continue
                if info.type == "yes_no":
                    self.error(
                        where,
                        f"{key}: ${{{ref.name}}} is a yes/no answer; write ${{{ref.name}}} or "
                        f"not(${{{ref.name}}}) instead of comparing it with {literal.value!r}",
                        item=owner,
                    )
                    ok = False
                    continue
                names = self._choice_names(ref.name)
                if names is not None and literal.value and literal.value not in names:
                    self.error(
                        where,
                        f"{key}: {literal.value!r} is not a choice of {ref.name!r}"
                        + self.suggest(literal.value, names),
                        item=owner,
                    )
                    ok = False
        return ok

    # -- pass 2: build items

    def list_id(self, info: _Info) -> str | None:
        raw_choices = info.raw.get("choices")
        if isinstance(raw_choices, list):
            return f"~{info.id}"
        if isinstance(raw_choices, str):
            return raw_choices
        return DEFAULT_CHOICE_LISTS.get(info.type)

    def check_default(self, info: _Info, list_id: str | None) -> Any:
        raw = info.raw
        if "default" not in raw:
            return None
        value = raw["default"]
        where = (*info.path, "default")
        kind = info.type
        multiple = kind == "multiple_choice" or raw.get("multiple", False)
        bad = None
        if kind in ("note", "calculate"):
            bad = f"a {kind} has no default"
        elif kind in CHOICE_TYPES:
            names = self._choice_names(info.id) or set()
            values = value if isinstance(value, list) and multiple else [value]
            if not multiple and isinstance(value, list):
                bad = "a single choice takes one default, not a list"
            elif isinstance(value, list) is not multiple and multiple:
                bad = "a multiple choice takes a list as default"
            else:
                unknown = [v for v in values if not isinstance(v, str) or v not in names]
                if unknown and list_id in self.choice_lists:
                    bad = f"default {unknown[0]!r} is not a choice of the list {list_id!r}"
        elif kind == "yes_no" and not isinstance(value, bool):
            bad = "the default of a yes/no question must be true or false"
        elif kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
            bad = "the default of an integer question must be a whole number"
        elif kind == "decimal" and (isinstance(value, bool) or not isinstance(value, int | float)):
            bad = "the default of a decimal question must be a number"
        elif kind in TEXT_TYPES and not isinstance(value, str):
            bad = "the default of a text question must be text"
        elif kind == "date" and (
            not isinstance(value, str) or len(value) != 10 or parse_date(value) is None
        ):
            bad = "the default of a date question must be a date like 2024-05-17"
        elif kind == "partial_date" and (not isinstance(value, str) or parse_date(value) is None):
            bad = "the default of a partial date must look like 1990, 1990-05 or 1990-05-17"
        if bad:
            self.error(where, bad, item=info.id)
            return None
        return value

    def build_question(self, info: _Info) -> Question:
        raw, path, kind, qid = info.raw, info.path, info.type, info.id
        repeat = info.repeat

        def misplaced(key: str, what: str) -> None:
            if key in raw:
                self.error((*path, key), f"{key!r} is only allowed for {what}", item=qid)

        list_id: str | None = None
        if kind in CHOICE_TYPES:
            list_id = self.list_id(info)
            if list_id is None:
                self.error(path, f"a {kind} question needs 'choices'", item=qid)
            elif list_id not in self.choice_lists and list_id not in GENERATED_LISTS:
                hint = self.suggest(list_id, self.choice_lists)
                fix = ""
                if list_id in DEFAULT_CHOICE_LISTS.values():
                    fix = " (add choices/common.yaml or choices/occupations.yaml to choices_files)"
                self.error(
                    (*path, "choices"),
                    f"choice list {list_id!r} is not defined{hint}{fix}",
                    item=qid,
                )
            extra = raw.get("extra_choices")
            if isinstance(extra, str) and extra not in self.choice_lists:
                self.error(
                    (*path, "extra_choices"),
                    f"choice list {extra!r} is not defined"
                    + self.suggest(extra, self.choice_lists),
                    item=qid,
                )
        else:
            for key in ("choices", "choice_filter", "extra_choices"):
                misplaced(key, "choice questions")
        if kind not in ("country", "language", "occupation"):
            misplaced("multiple", "country, language and occupation questions")
        if kind not in NUMBER_TYPES:
            misplaced("min", "integer and decimal questions")
            misplaced("max", "integer and decimal questions")
        if kind not in TEXT_TYPES:
            misplaced("max_length", "text questions")
        if kind != "calculate":
            misplaced("calculate", "calculate questions (type: calculate)")
        if kind in ("note", "calculate"):
            for key in ("required", "constraint", "required_message", "constraint_message"):
                misplaced(key, "questions that take an answer")
        if "constraint_message" in raw and "constraint" not in raw:
            self.error((*path, "constraint_message"), "constraint_message without a constraint")
        low, high = raw.get("min"), raw.get("max")
        if isinstance(low, int | float) and isinstance(high, int | float) and low > high:
            self.error((*path, "min"), "min is larger than max", item=qid)

        required = raw.get("required", False)
        required_if = None
        if isinstance(required, str):
            required_if = self.expression(raw, "required", path, qid, repeat=repeat)
            required = False
        compiled = {
            key: self.expression(
                raw, key, path, qid, repeat=repeat, allow_current=key == "constraint"
            )
            for key in ("relevant", "constraint", "calculate")
        }
        choice_filter = None
        if "choice_filter" in raw and kind in CHOICE_TYPES:
            choice_filter = self.expression(
                raw, "choice_filter", path, qid, repeat=repeat, choice_list=list_id
            )
        if kind == "calculate" and compiled["calculate"] is not None:
            self.calc_refs[qid] = compiled["calculate"].refs
        default = self.check_default(info, list_id)
        return Question(
            id=qid,
            type=kind,
            label=raw.get("label", ""),
            line=info.line,
            hint=raw.get("hint"),
            required=bool(required),
            required_if=required_if,
            required_message=raw.get("required_message"),
            relevant=compiled["relevant"],
            constraint=compiled["constraint"],
            constraint_message=raw.get("constraint_message"),
            calculate=compiled["calculate"],
            default=default,
            choice_list=list_id,
            extra_choices=raw.get("extra_choices"),
            choice_filter=choice_filter,
            multiple=bool(raw.get("multiple", False)),
            min_value=raw.get("min"),
            max_value=raw.get("max"),
            max_length=raw.get("max_length"),
            repeat=repeat,
            section=info.section,
        )

    def build_items(self, items: list[Any]) -> tuple[Item, ...]:
        built: list[Item] = []
        for raw in items:
            info = self.infos.get(raw["id"])
            if info is None or info.raw is not raw:
                continue  # a duplicate id, already reported
            if info.type in ("group", "repeat"):
                built.append(self.build_group(info))
            else:
                built.append(self.build_question(info))
        return tuple(built)

    def build_group(self, info: _Info) -> Group:
        raw = info.raw
        is_repeat = info.type == "repeat"
        if not is_repeat:
            for key in ("min", "max"):
                if key in raw:
                    self.error((*info.path, key), f"{key!r} is only allowed for repeat groups")
        low, high = raw.get("min", 0), raw.get("max")
        if high is not None and low > high:
            self.error(
                (*info.path, "min"), f"min ({low}) is larger than max ({high})", item=info.id
            )
        outer_repeat = info.repeat if not is_repeat else self.infos[info.id].repeat
        relevant = self.expression(raw, "relevant", info.path, info.id, repeat=outer_repeat)
        return Group(
            id=info.id,
            label=raw["label"],
            items=self.build_items(raw["items"]),
            repeat_group=is_repeat,
            line=info.line,
            hint=raw.get("hint"),
            relevant=relevant,
            min_count=low,
            max_count=high,
            repeat=None if is_repeat else info.repeat,
            section=info.section,
        )

    def calculation_order(self) -> tuple[str, ...]:
        order: list[str] = []
        state: dict[str, int] = {}  # 1 = visiting, 2 = done

        for start in self.calc_refs:
            if state.get(start):
                continue
            stack: list[tuple[str, list[str]]] = [
                (start, sorted(r for r in self.calc_refs[start] if r in self.calc_refs))
            ]
            trail = [start]
            state[start] = 1
            while stack:
                node, pending = stack[-1]
                if pending:
                    nxt = pending.pop()
                    if state.get(nxt) == 1:
                        cycle = [*trail[trail.index(nxt) :], nxt]
                        info = self.infos[nxt]
                        self.error(
                            (*info.path, "calculate"),
                            "calculations refer to each other in a cycle: "
                            + " → ".join(f"${{{c}}}" for c in cycle),
                            item=nxt,
                        )
                        return tuple(order)
                    if not state.get(nxt):
                        state[nxt] = 1
                        trail.append(nxt)
                        stack.append(
                            (nxt, sorted(r for r in self.calc_refs[nxt] if r in self.calc_refs))
                        )
                    continue
                state[node] = 2
                order.append(node)
                trail.pop()
                stack.pop()
        return tuple(order)

    def check_consent(self, section: Mapping[str, Any], path: PathKey, seen: set[str]) -> None:
        consent = section.get("consent")
        if section.get("sensitive") and not consent:
            self.error(
                path, "a sensitive section needs 'consent': the consent question that unlocks it"
            )
        if not consent:
            return
        info = self.infos.get(consent)
        where = (*path, "consent")
        if info is None:
            self.error(
                where,
                f"consent question {consent!r} does not exist" + self.suggest(consent, self.infos),
            )
        elif info.type != "consent":
            self.error(where, f"{consent!r} is a {info.type} question, not a consent question")
        elif info.repeat is not None:
            self.error(where, f"consent question {consent!r} must not be inside a repeat group")
        elif info.section not in seen:
            self.error(where, f"consent question {consent!r} must come in an earlier section")
        else:
            self.dependents.setdefault(consent, set()).add(section["id"])

    def migrations(self) -> tuple[Migration, ...]:
        result = []
        version = str(self.data["version"])
        raws = self.data.get("migrations", [])
        by_from: dict[str, Any] = {}
        for index, raw in enumerate(raws):
            where: PathKey = ("migrations", index)
            if raw["from"] in by_from:
                self.error(where, f"two migrations start from version {raw['from']}")
            by_from[raw["from"]] = raw
            if raw["from"] == version:
                self.error(where, f"a migration cannot start from the current version {version}")
        for index, raw in enumerate(raws):
            where = ("migrations", index)
            step, seen = raw, 0
            while step is not None and step["to"] != version and seen <= len(raws):
                step, seen = by_from.get(step["to"]), seen + 1
            if step is None or step["to"] != version:
                self.error(
                    where, f"migration from {raw['from']} does not lead to version {version}"
                )
            if raw["to"] != version:
                continue
            for old, new in raw.get("rename", {}).items():
                if new not in self.infos:
                    self.error((*where, "rename", old), f"rename target {new!r} is not in the form")
            for question_id, mapping in raw.get("recode", {}).items():
                names = self._choice_names(question_id)
                if names is None:
                    self.error(
                        (*where, "recode", question_id), f"{question_id!r} is not a choice question"
                    )
                    continue
                for target in mapping.values():
                    if target not in names:
                        self.error(
                            (*where, "recode", question_id),
                            f"{target!r} is not a choice of {question_id!r}",
                        )
        for raw in raws:
            result.append(
                Migration(
                    from_version=raw["from"],
                    to_version=raw["to"],
                    rename=dict(raw.get("rename", {})),
                    remove=tuple(raw.get("remove", ())),
                    recode={k: dict(v) for k, v in raw.get("recode", {}).items()},
                    note=raw.get("note"),
                )
            )
        return tuple(result)

    def build(self, path: Path | None) -> Form | None:
        # Generated lists (CLDR) are added last; add_choice_list refuses their reserved names.
        self.load_choice_files()
        for list_id, raw in self.data.get("choices", {}).items():
            self.add_choice_list(
                list_id, raw, ("choices", list_id), self.file, self.loaded, self.file
            )
        self.choice_lists.update(generated_lists())

        section_ids: set[str] = set()
        for index, section in enumerate(self.data["sections"]):
            sid = section["id"]
            if sid in section_ids:
                self.error(("sections", index, "id"), f"section id {sid!r} is used twice")
            section_ids.add(sid)
            self.collect(section["items"], ("sections", index, "items"), sid, None)
        clash = section_ids & set(self.infos)
        for sid in sorted(clash):
            self.error(self.infos[sid].path, f"{sid!r} is both a section id and a question id")

        sections: list[Section] = []
        seen: set[str] = set()
        for index, raw in enumerate(self.data["sections"]):
            spath: PathKey = ("sections", index)
            self.check_consent(raw, spath, seen)
            seen.add(raw["id"])
            relevant = self.expression(raw, "relevant", spath, raw["id"], repeat=None)
            sections.append(
                Section(
                    id=raw["id"],
                    title=raw["title"],
                    items=self.build_items(raw["items"]),
                    line=self.loaded.line_of(spath),
                    hint=raw.get("hint"),
                    relevant=relevant,
                    sensitive=bool(raw.get("sensitive", False)),
                    consent=raw.get("consent"),
                )
            )
        order = self.calculation_order()
        migrations = self.migrations()
        if self.errors:
            return None
        items: dict[str, Item] = {}
        for section in sections:
            stack = list(section.items)
            while stack:
                item = stack.pop()
                items[item.id] = item
                if isinstance(item, Group):
                    stack.extend(item.items)
        return Form(
            id=self.data["id"],
            version=str(self.data["version"]),
            title=self.data["title"],
            sections=tuple(sections),
            choice_lists=dict(self.choice_lists),
            path=path,
            description=self.data.get("description"),
            migrations=migrations,
            items=items,
            calculation_order=order,
            dependents={k: frozenset(v) for k, v in self.dependents.items()},
        )


# --- public API ------------------------------------------------------------------------------


def _load(
    loaded: LoadedYaml, file: str, base_dir: Path, path: Path | None
) -> tuple[Form | None, list[FormError]]:
    form_validator, _ = _validators()
    if not isinstance(loaded.data, Mapping):
        kind = "empty" if loaded.data is None else f"a {type(loaded.data).__name__}"
        return None, [FormError(file, 1, None, f"a form file must be a mapping, not {kind}")]
    errors = _schema_errors(form_validator, loaded, file)
    if errors:
        return None, errors
    builder = _Builder(loaded.data, loaded, file, base_dir)
    try:
        form = builder.build(path)
    except RecursionError:  # pragma: no cover - depth is bounded by safeyaml and the schema
        return None, [FormError(file, None, None, "the form is nested too deeply")]
    return form, sorted(builder.errors, key=lambda e: (e.file != file, e.file, e.line or 0))


def load_form_text(text: str, *, name: str = "<form>", base_dir: Path | None = None) -> Form:
    """Load a form from YAML text (shared choice files are looked up in ``base_dir``)."""
    try:
        loaded = safeyaml.loads(text, name=name)
    except YamlError as exc:
        raise FormValidationError([FormError(name, exc.line, None, exc.message)]) from None
    form, errors = _load(loaded, name, base_dir or Path.cwd(), None)
    if form is None:
        raise FormValidationError(errors)
    return form


def _load_path(path: Path) -> tuple[Form | None, list[FormError]]:
    path = Path(path)
    file = str(path)
    try:
        loaded = safeyaml.load_path(path)
    except YamlError as exc:
        return None, [FormError(file, exc.line, None, exc.message)]
    return _load(loaded, file, path.parent, path)


def validate_form_file(path: str | Path) -> list[FormError]:
    """All problems in the form at ``path`` (an empty list means it loads)."""
    _, errors = _load_path(Path(path))
    return errors


def load_form(path: str | Path) -> Form:
    """Load the form at ``path``; raises :class:`FormValidationError` listing every problem."""
    form, errors = _load_path(Path(path))
    if form is None:
        raise FormValidationError(errors)
    return form
