"""Safe evaluation of parsed expressions: XPath-1.0-like values, coercions and a fixed function table.

An :class:`~intake.formengine.expressions.Expression` is compiled once into nested Python closures
(no ``eval``, no attribute access, no imports): each closure takes a :class:`Scope` and returns a
value. Values are ``None`` (no answer), ``bool``, ``float``, ``str``, ``datetime.date``, ``list``
(a multiple-choice answer) and :class:`NodeSet` (the answers to a question across all instances of
a repeat group, or the instances themselves). Numbers are floats as in XPath, so huge numbers turn
into ``inf`` instead of huge integers, and text results are capped at :data:`MAX_TEXT_LENGTH`.

Semantics follow ODK where it has them:
- no answer is ``''`` as text, ``NaN`` as number, ``false`` as boolean;
- ``=``/``!=`` compare as booleans if one side is boolean, as numbers if one side is a number, as
  dates if one side is a date, else as text; ``<``-style comparisons compare numbers (or dates);
- ``x div 0`` is ±Infinity or NaN, ``mod`` keeps the sign of the dividend;
- ``date ± number`` moves by days, ``date - date`` is a number of days.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from intake.formengine.expressions import (
    Binary,
    Call,
    Current,
    Expression,
    ExpressionError,
    Name,
    Node,
    Number,
    Ref,
    String,
    Unary,
)

MAX_TEXT_LENGTH = 100_000
_EPOCH = date(1970, 1, 1)
_NUMBER_TEXT = re.compile(r"\s*-?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*")
_DATE_TEXT = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


class NodeSet(tuple):
    """Answers gathered across repeat instances (or the instances of a repeat group)."""

    __slots__ = ()


class Scope:
    """What an expression can see. The engine subclasses this; tests use :class:`DictScope`."""

    today: date = date(2000, 1, 1)

    def resolve(self, name: str) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def current(self) -> Any:
        return None

    def choice_value(self, name: str) -> Any:
        return None


class DictScope(Scope):
    """A scope over a plain mapping (answers keyed by id), for tests and simple callers."""

    def __init__(
        self,
        values: Mapping[str, Any],
        *,
        today: date | None = None,
        current: Any = None,
        choice: Mapping[str, Any] | None = None,
    ) -> None:
        self.values = values
        self.today = today or date.today()
        self._current = current
        self._choice = choice or {}

    def resolve(self, name: str) -> Any:
        return to_value(self.values.get(name))

    def current(self) -> Any:
        return to_value(self._current)

    def choice_value(self, name: str) -> Any:
        return self._choice.get(name)


def to_value(raw: Any) -> Any:
    """An answer as stored (int, ISO date text, partial-date dict …) → an evaluator value."""
    if raw is None or isinstance(raw, bool | float | str | date | NodeSet):
        return raw
    if isinstance(raw, int):
        return float(raw)
    if isinstance(raw, list | tuple):
        return [str(v) for v in raw]
    if isinstance(raw, Mapping) and "value" in raw:  # partial date
        return parse_date(raw.get("value"))
    return None


# --- coercions -------------------------------------------------------------------------------


def parse_date(value: Any) -> date | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` → a date (the first day of a partial period)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    match = _DATE_TEXT.fullmatch(value.strip())
    if not match:
        return None
    year, month, day = match.group(1), match.group(2), match.group(3)
    try:
        return date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None


def to_bool(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, str | list | NodeSet):
        return len(value) > 0
    return isinstance(value, date)


def to_number(value: Any) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        if len(value) > 400 or not _NUMBER_TEXT.fullmatch(value):
            return math.nan
        return float(value)
    if isinstance(value, date):
        return float((value - _EPOCH).days)
    if isinstance(value, NodeSet):
        return to_number(value[0]) if value else math.nan
    return math.nan


def format_number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return " ".join(value)
    if isinstance(value, NodeSet):
        return to_text(value[0]) if value else ""
    return ""


def to_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_date(value)
    if isinstance(value, float) and not isinstance(value, bool):
        if math.isfinite(value) and abs(value) < 2_000_000:
            try:
                return _EPOCH + timedelta(days=math.floor(value))
            except OverflowError:
                return None
        return None
    if isinstance(value, NodeSet):
        return to_date(value[0]) if value else None
    return None


def _first(value: Any) -> Any:
    if isinstance(value, NodeSet):
        return value[0] if value else None
    return value


def _text_limit(text: str) -> str:
    if len(text) > MAX_TEXT_LENGTH:
        raise ExpressionError(f"a text value grew beyond {MAX_TEXT_LENGTH} characters")
    return text


# --- operators -------------------------------------------------------------------------------


def _equal(left: Any, right: Any) -> bool:
    left, right = _first(left), _first(right)
    if isinstance(left, bool) or isinstance(right, bool):
        return to_bool(left) == to_bool(right)
    if isinstance(left, float) or isinstance(right, float):
        return to_number(left) == to_number(right)
    if isinstance(left, date) or isinstance(right, date):
        a, b = to_date(left), to_date(right)
        if a is not None and b is not None:
            return a == b
    return to_text(left) == to_text(right)


def _order(op: str, left: Any, right: Any) -> bool:
    left, right = _first(left), _first(right)
    if isinstance(left, date) or isinstance(right, date):
        a_date, b_date = to_date(left), to_date(right)
        if a_date is None or b_date is None:
            return False
        a, b = float(a_date.toordinal()), float(b_date.toordinal())
    else:
        a, b = to_number(left), to_number(right)
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def _divide(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    try:
        return a / b
    except OverflowError:  # pragma: no cover - float division overflows to inf, not raise
        return math.inf


def _modulo(a: float, b: float) -> float:
    if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return math.nan
    if math.isinf(b):
        return a
    return math.fmod(a, b)


def _shift_date(day: date, days: float) -> date | None:
    if not math.isfinite(days):
        return None
    try:
        return day + timedelta(days=int(days))
    except OverflowError:
        return None


def _arith(op: str, left: Any, right: Any) -> Any:
    left, right = _first(left), _first(right)
    if op in "+-":
        if isinstance(left, date) and not isinstance(right, date | str):
            return _shift_date(left, to_number(right) if op == "+" else -to_number(right))
        if isinstance(right, date) and op == "+" and not isinstance(left, date | str):
            return _shift_date(right, to_number(left))
        if op == "-" and isinstance(left, date) and isinstance(right, date | str):
            other = to_date(right)
            return float((left - other).days) if other else math.nan
    a, b = to_number(left), to_number(right)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "div":
        return _divide(a, b)
    return _modulo(a, b)


# --- functions -------------------------------------------------------------------------------


def _as_choices(value: Any) -> list[str]:
    value = _first(value) if isinstance(value, NodeSet) else value
    if isinstance(value, list):
        return value
    text = to_text(value)
    return text.split() if text else []


def _months_between(a: Any, b: Any) -> float:
    start, end = to_date(a), to_date(b)
    if start is None or end is None:
        return math.nan
    if end < start:
        return -_months_between(end, start)
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return float(months)


def _years_between(a: Any, b: Any) -> float:
    months = _months_between(a, b)
    if math.isnan(months):
        return months
    return float(int(months / 12))


def _days_between(a: Any, b: Any) -> float:
    start, end = to_date(a), to_date(b)
    if start is None or end is None:
        return math.nan
    return float((end - start).days)


def _values(args: Sequence[Any]) -> list[Any]:
    out: list[Any] = []
    for arg in args:
        if isinstance(arg, NodeSet):
            out.extend(arg)
        else:
            out.append(arg)
    return out


def _count(value: Any) -> float:
    if isinstance(value, NodeSet | list):
        return float(len(value))
    return 0.0 if value is None or value == "" else 1.0


def _sum(value: Any) -> float:
    total = 0.0
    for item in _values([value]):
        if item is None or item == "":
            continue
        total += to_number(item)
    return total


def _extreme(args: Sequence[Any], pick: Callable[[list[float]], float]) -> float:
    numbers = [to_number(v) for v in _values(args) if v is not None and v != ""]
    if not numbers or any(math.isnan(n) for n in numbers):
        return math.nan
    return pick(numbers)


def _round(value: Any, digits: Any = 0.0) -> float:
    number, places = to_number(value), to_number(digits)
    if not math.isfinite(number) or not math.isfinite(places):
        return number if math.isfinite(places) else math.nan
    places_int = max(-20, min(20, int(places)))
    factor = 10.0**places_int
    scaled = number * factor
    if not math.isfinite(scaled):
        return number
    return math.floor(scaled + 0.5) / factor


def _int(value: Any) -> float:
    number = to_number(value)
    if not math.isfinite(number):
        return number
    return float(math.trunc(number))


def _substr(value: Any, start: Any, end: Any = None) -> str:
    text = to_text(value)
    s = to_number(start)
    if math.isnan(s):
        return ""
    s_int = max(0, min(len(text), int(s))) if math.isfinite(s) else (0 if s < 0 else len(text))
    if end is None:
        return text[s_int:]
    e = to_number(end)
    if math.isnan(e):
        return ""
    e_int = max(0, min(len(text), int(e))) if math.isfinite(e) else (0 if e < 0 else len(text))
    return text[s_int:e_int]


def _selected_at(value: Any, index: Any) -> str:
    choices = _as_choices(value)
    i = to_number(index)
    if not math.isfinite(i) or i < 0 or int(i) >= len(choices):
        return ""
    return choices[int(i)]


def _coalesce(*values: Any) -> Any:
    for value in values:
        if to_text(_first(value)) != "":
            return _first(value)
    return None


@dataclass(frozen=True)
class Function:
    name: str
    min_args: int
    max_args: int | None
    impl: Callable[..., Any]
    doc: str


FUNCTIONS: Mapping[str, Function] = {
    f.name: f
    for f in (
        Function("not", 1, 1, lambda x: not to_bool(x), "negation"),
        Function("true", 0, 0, lambda: True, "true"),
        Function("false", 0, 0, lambda: False, "false"),
        Function("boolean", 1, 1, to_bool, "value as yes/no"),
        Function("number", 1, 1, to_number, "value as number"),
        Function("string", 1, 1, to_text, "value as text"),
        Function("int", 1, 1, _int, "number without its fraction"),
        Function("round", 1, 2, _round, "number rounded to the given digits"),
        Function("selected", 2, 2, lambda v, c: to_text(c) in _as_choices(v), "choice picked"),
        Function("count-selected", 1, 1, lambda v: float(len(_as_choices(v))), "choices picked"),
        Function("selected-at", 2, 2, _selected_at, "n-th picked choice (from 0)"),
        Function("count", 1, 1, _count, "repeat instances / values"),
        Function("sum", 1, 1, _sum, "sum over repeat instances"),
        Function("min", 1, None, lambda *a: _extreme(a, min), "smallest number"),
        Function("max", 1, None, lambda *a: _extreme(a, max), "largest number"),
        Function("date", 1, 1, to_date, "value as date"),
        Function("years-between", 2, 2, _years_between, "full years from first to second date"),
        Function("months-between", 2, 2, _months_between, "full months between two dates"),
        Function("days-between", 2, 2, _days_between, "days between two dates"),
        Function("string-length", 1, 1, lambda s: float(len(to_text(s))), "length of text"),
        Function("concat", 0, None, lambda *a: _text_limit("".join(map(to_text, a))), "text"),
        Function("contains", 2, 2, lambda s, t: to_text(t) in to_text(s), "text contains"),
        Function("starts-with", 2, 2, lambda s, t: to_text(s).startswith(to_text(t)), "prefix"),
        Function("substr", 2, 3, _substr, "part of a text (from 0)"),
        Function("coalesce", 1, None, _coalesce, "first non-empty value"),
        # today() and if() are special forms, handled in the compiler.
        Function("today", 0, 0, lambda: None, "the current date"),
        Function("if", 3, 3, lambda c, a, b: None, "if(condition, then, else)"),
    )
}


# --- compiling -------------------------------------------------------------------------------

Compiled = Callable[[Scope], Any]


def check_functions(expression: Expression) -> list[str]:
    """Problems with function names and argument counts, as messages (empty if all fine)."""
    problems: list[str] = []
    stack: list[Node] = [expression.tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Call):
            spec = FUNCTIONS.get(node.func)
            if spec is None:
                problems.append(f"unknown function {node.func}()")
            else:
                n = len(node.args)
                if n < spec.min_args or (spec.max_args is not None and n > spec.max_args):
                    expected = (
                        str(spec.min_args)
                        if spec.max_args == spec.min_args
                        else f"{spec.min_args} or more"
                        if spec.max_args is None
                        else f"{spec.min_args} to {spec.max_args}"
                    )
                    problems.append(f"{node.func}() takes {expected} arguments, not {n}")
            stack.extend(node.args)
        elif isinstance(node, Unary):
            stack.append(node.operand)
        elif isinstance(node, Binary):
            stack.extend((node.left, node.right))
    return problems


def _compile(node: Node) -> Compiled:
    if isinstance(node, Number):
        number = node.value
        return lambda scope: number
    if isinstance(node, String):
        text = node.value
        return lambda scope: text
    if isinstance(node, Ref):
        name = node.name
        return lambda scope: scope.resolve(name)
    if isinstance(node, Current):
        return lambda scope: scope.current()
    if isinstance(node, Name):
        column = node.name
        return lambda scope: scope.choice_value(column)
    if isinstance(node, Unary):
        operand = _compile(node.operand)
        if node.op == "-":
            return lambda scope: -to_number(operand(scope))
        return lambda scope: to_number(operand(scope))
    if isinstance(node, Binary):
        left, right, op = _compile(node.left), _compile(node.right), node.op
        if op == "or":
            return lambda scope: to_bool(left(scope)) or to_bool(right(scope))
        if op == "and":
            return lambda scope: to_bool(left(scope)) and to_bool(right(scope))
        if op == "=":
            return lambda scope: _equal(left(scope), right(scope))
        if op == "!=":
            return lambda scope: not _equal(left(scope), right(scope))
        if op in ("<", "<=", ">", ">="):
            return lambda scope: _order(op, left(scope), right(scope))
        return lambda scope: _arith(op, left(scope), right(scope))
    if isinstance(node, Call):
        args = [_compile(a) for a in node.args]
        if node.func == "today":
            return lambda scope: scope.today
        if node.func == "if":
            cond, then, other = args
            return lambda scope: then(scope) if to_bool(cond(scope)) else other(scope)
        spec = FUNCTIONS.get(node.func)
        if spec is None:
            raise ExpressionError(f"unknown function {node.func}()")
        impl = spec.impl
        return lambda scope: impl(*[a(scope) for a in args])
    raise ExpressionError(f"cannot compile {node!r}")  # pragma: no cover


@dataclass(frozen=True)
class CompiledExpression:
    """A parsed and compiled expression, ready to be evaluated many times."""

    expression: Expression
    run: Compiled

    @property
    def source(self) -> str:
        return self.expression.source

    @property
    def refs(self) -> frozenset[str]:
        return self.expression.refs

    def evaluate(self, scope: Scope) -> Any:
        try:
            return self.run(scope)
        except ExpressionError:
            raise
        except (ArithmeticError, ValueError, TypeError, RecursionError) as exc:
            # Defensive: every operator above is total, but an answer of an unexpected shape
            # must give a clean error rather than a crash in the middle of an interview.
            raise ExpressionError(f"cannot evaluate {self.source!r}: {exc}") from None

    def evaluate_bool(self, scope: Scope) -> bool:
        return to_bool(self.evaluate(scope))

    def __str__(self) -> str:
        return self.expression.source


def compile_expression(expression: Expression) -> CompiledExpression:
    """Compile a parsed expression; raises :class:`ExpressionError` for unknown functions."""
    problems = check_functions(expression)
    if problems:
        raise ExpressionError(problems[0])
    return CompiledExpression(expression, _compile(expression.tree))


def evaluate(text: str, values: Mapping[str, Any] | None = None, **scope_args: Any) -> Any:
    """Parse, compile and evaluate ``text`` against plain ``values`` (a convenience for tests)."""
    from intake.formengine.expressions import parse_expression

    compiled = compile_expression(parse_expression(text))
    return compiled.evaluate(DictScope(values or {}, **scope_args))
