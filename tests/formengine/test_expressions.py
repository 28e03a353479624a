"""The expression language: parsing, XLSForm semantics, and property-based safety checks."""

from __future__ import annotations

import builtins
import math
import operator
import time
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.formengine.evaluator import NodeSet, compile_expression, evaluate
from intake.formengine.expressions import (
    MAX_DEPTH,
    MAX_EXPRESSION_LENGTH,
    ExpressionError,
    parse_expression,
    to_source,
)

TODAY = date(2026, 3, 16)


def ev(text: str, values: dict | None = None, **kw):
    return evaluate(text, values or {}, today=kw.pop("today", TODAY), **kw)


# --- parsing ---------------------------------------------------------------------------------


def test_precedence_follows_xpath():
    assert ev("1 + 2 * 3") == 7
    assert ev("(1 + 2) * 3") == 9
    assert ev("10 - 4 - 3") == 3
    assert ev("2 * 3 mod 4") == 2
    assert ev("1 < 2 = 2 > 1") is True  # relational binds tighter than equality
    assert ev("1 = 1 or 1 = 2 and 1 = 2") is True  # and binds tighter than or


def test_references_and_functions_are_collected():
    expression = parse_expression("selected(${langs}, 'ar') and count(${children}) > ${n}")
    assert expression.refs == {"langs", "children", "n"}
    assert expression.functions == {"selected", "count"}
    assert not expression.uses_current


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("${a} +", 7, "ends too early"),
        ("$a = 1", 1, "references look like"),
        ("'open", 1, "not closed"),
        ("1 2", 3, "unexpected '2'"),
        ("(1))", 4, "unexpected ')'"),
    ],
)
def test_parse_errors_name_the_column(text, column, fragment):
    with pytest.raises(ExpressionError) as info:
        parse_expression(text)
    assert info.value.column == column
    assert fragment in info.value.message


def test_unknown_functions_and_wrong_arity_are_refused():
    with pytest.raises(ExpressionError, match="unknown function eval"):
        compile_expression(parse_expression("eval('1')"))
    with pytest.raises(ExpressionError, match="takes 2 arguments, not 1"):
        compile_expression(parse_expression("selected(${a})"))


def test_limits_on_length_and_depth():
    with pytest.raises(ExpressionError, match="characters long"):
        parse_expression("1" * (MAX_EXPRESSION_LENGTH + 1))
    with pytest.raises(ExpressionError, match="nested more than"):
        parse_expression("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1))
    with pytest.raises(ExpressionError, match="nested more than"):
        parse_expression("-" * (MAX_DEPTH + 5) + "1")


# --- semantics -------------------------------------------------------------------------------


def test_empty_answers_behave_like_odk():
    assert ev("${a} = ''") is True
    assert ev("${a} > 17") is False
    assert ev("${a} != 5") is True
    assert ev("not(${a})") is True
    assert ev("coalesce(${a}, ${b}, 'x')", {"b": 3}) == 3


def test_choices_and_counts():
    values = {"langs": ["ar", "de"], "none": []}
    assert ev("selected(${langs}, 'de')", values) is True
    assert ev("selected(${langs}, 'fa')", values) is False
    assert ev("count-selected(${langs})", values) == 2
    assert ev("count-selected(${none})", values) == 0
    assert ev("selected-at(${langs}, 1)", values) == "de"


def test_dates_and_partial_dates():
    birth = {"value": "1990-05", "uncertain": True}
    assert ev("years-between(${b}, today())", {"b": birth}) == 35
    assert ev("months-between('2025-03-20', today())") == 11
    assert ev("months-between(today(), '2025-03-20')") == -11
    assert ev("days-between('2026-03-01', today())") == 15
    assert ev("today() - 16") == date(2026, 2, 28)
    assert ev("today() + 1 > today()") is True
    assert ev("today() - date('2026-03-01')") == 15
    assert ev("${d} < today()", {"d": "2026-01-01"}) is True
    assert ev("date('2026-02-30')") is None


def test_if_is_lazy_and_text_functions():
    assert ev("if(${a}, 1 div 0, 'no')", {"a": False}) == "no"
    assert ev("concat('a', 1, true())") == "a1true"
    assert ev("string-length('äöü')") == 3
    assert ev("substr('abcdef', 1, 3)") == "bc"
    assert ev("starts-with('DE123', 'DE') and contains('a@b', '@')") is True


def test_division_follows_ieee_not_python():
    assert ev("1 div 0") == math.inf
    assert ev("-1 div 0") == -math.inf
    assert math.isnan(ev("0 div 0"))
    assert math.isnan(ev("5 mod 0"))
    assert ev("-7 mod 3") == -1  # sign of the dividend, as in XPath


def test_nodesets_from_repeats():
    ages = NodeSet([4.0, 16.0, None])
    assert ev("sum(${a})", {"a": ages}) == 20
    assert ev("min(${a})", {"a": NodeSet([4.0, 16.0])}) == 4
    assert ev("count(${a})", {"a": ages}) == 3


# --- property-based --------------------------------------------------------------------------

numbers = st.integers(min_value=-(10**6), max_value=10**6) | st.floats(
    min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False
).map(lambda f: round(f, 3))

ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul}
COMPARE = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _literal(value: float) -> str:
    text = repr(float(abs(value)))
    if "e" in text:
        text = f"{abs(value):.6f}"
    return f"-{text}" if value < 0 else text


@st.composite
def arithmetic(draw, depth: int = 0):
    """(expression text, reference value) with the reference computed by Python's operators."""
    if depth > 4 or draw(st.booleans()):
        value = float(draw(numbers))
        literal = _literal(value)
        return (f"({literal})" if value < 0 else literal), float(literal)
    op = draw(st.sampled_from(["+", "-", "*", "div", "mod"]))
    left_text, left = draw(arithmetic(depth + 1))
    right_text, right = draw(arithmetic(depth + 1))
    if op in ARITH:
        value = ARITH[op](left, right)
    elif op == "div":
        value = (
            left / right
            if right != 0
            else (
                math.nan
                if left == 0 or math.isnan(left)
                else math.copysign(math.inf, left) * math.copysign(1, right)
            )
        )
    else:
        value = math.fmod(left, right) if right != 0 and math.isfinite(left) else math.nan
    return f"({left_text} {op} {right_text})", value


def _same(a: float, b: float) -> bool:
    if math.isnan(b):
        return math.isnan(a)
    return a == b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arithmetic())
def test_arithmetic_agrees_with_reference(case):
    text, expected = case
    assert _same(ev(text), expected)


@settings(max_examples=200, deadline=None)
@given(arithmetic(), st.sampled_from(sorted(COMPARE)), arithmetic())
def test_comparison_agrees_with_reference(left, op, right):
    (left_text, a), (right_text, b) = left, right
    expected = COMPARE[op](a, b)
    if op == "!=" and (math.isnan(a) or math.isnan(b)):
        expected = True
    assert ev(f"{left_text} {op} {right_text}") is expected


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.integers(min_value=-(10**9), max_value=10**9),
)
def test_references_compare_like_literals(a, b):
    values = {"a": a, "b": b}
    assert ev("${a} < ${b}", values) is (a < b)
    assert ev("${a} = ${b}", values) is (a == b)
    assert ev("${a} + ${b}", values) == float(a + b)


ALPHABET = st.sampled_from(
    [
        *list("()${}'\".,-+*=!<>/ abcxyz019_"),
        "div",
        "mod",
        "and",
        "or",
        "selected(",
        "count(",
        "today()",
        "__import__",
        "os.system",
        "lambda",
        "exec(",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(ALPHABET, max_size=60).map("".join))
def test_arbitrary_text_never_executes_python(text):
    """Random token soup either parses to a value or raises ExpressionError — and nothing on the
    way calls eval/exec/compile or imports anything."""
    calls = []

    def forbidden(*args, **kwargs):
        calls.append(args)
        raise AssertionError("Python code execution attempted")

    originals = (builtins.eval, builtins.exec, builtins.compile)
    try:
        try:
            expression = parse_expression(text)
            compiled = compile_expression(expression)
        except ExpressionError:
            return
        builtins.eval = builtins.exec = builtins.compile = forbidden
        try:
            from intake.formengine.evaluator import DictScope

            compiled.evaluate(DictScope({"a": 1, "b": "x"}, today=TODAY))
        except ExpressionError:
            pass
    finally:
        builtins.eval, builtins.exec, builtins.compile = originals
    assert calls == []


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=20_000), st.sampled_from(["(", "-", "not(", "concat("]))
def test_deep_nesting_is_refused_quickly(depth, opener):
    closer = ")" if opener != "-" else ""
    text = opener * depth + "1" + closer * depth
    started = time.perf_counter()
    try:
        compiled = compile_expression(parse_expression(text))
        compiled.evaluate(
            __import__("intake.formengine.evaluator", fromlist=["DictScope"]).DictScope({})
        )
        assert depth <= MAX_DEPTH
    except ExpressionError:
        pass
    assert time.perf_counter() - started < 1.0


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=1990), st.integers(min_value=1, max_value=1990))
def test_huge_numbers_stay_floats(left, right):
    started = time.perf_counter()
    result = ev("9" * left + " * " + "9" * right + " div 3")
    assert isinstance(result, float)  # never an ever-growing Python int
    assert result > 0
    assert time.perf_counter() - started < 1.0


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=3950))
def test_long_strings_stay_bounded(length):
    started = time.perf_counter()
    assert ev("string-length('" + "a" * length + "')") == length
    assert time.perf_counter() - started < 1.0


def test_concat_cannot_grow_without_bound():
    values = {"x": "y" * 60_000}
    with pytest.raises(ExpressionError, match="grew beyond"):
        ev("concat(${x}, ${x})", values)


@settings(max_examples=100, deadline=None)
@given(arithmetic())
def test_source_round_trip(case):
    text, _ = case
    tree = parse_expression(text).tree
    assert parse_expression(to_source(tree)).tree == tree
