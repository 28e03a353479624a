"""The form expression language: XLSForm/ODK syntax parsed by a real grammar into a small tree.

Supported: ``${field}`` references, ``.`` (the current answer, in constraints), string and number
literals, ``or``/``and``, ``=``/``!=``/``<``/``<=``/``>``/``>=``, ``+``/``-``/``*``/``div``/``mod``,
unary minus and function calls (``selected()``, ``count()``, ``today()``, ``if()`` … — the list is
in :mod:`intake.formengine.evaluator`). In choice filters a bare name (``name``, or a column of the
choice list such as ``level``) stands for that column of the choice being filtered.

Nothing here or in the evaluator ever calls Python's ``eval``/``exec``: the text is parsed by a LALR
grammar (lark), checked against size and depth limits, and turned into frozen dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

MAX_EXPRESSION_LENGTH = 4000
MAX_DEPTH = 48
MAX_NODES = 1000

_GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr | or_expr _OR and_expr -> or_
?and_expr: eq_expr | and_expr _AND eq_expr -> and_
?eq_expr: rel_expr | eq_expr EQ_OP rel_expr -> compare
?rel_expr: add_expr | rel_expr REL_OP add_expr -> compare
?add_expr: mul_expr | add_expr ADD_OP mul_expr -> arith
?mul_expr: unary | mul_expr MUL_OP unary -> arith
?unary: primary | ADD_OP unary -> unary
?primary: NUMBER -> number
        | STRING -> string
        | REF -> ref
        | DOT -> current
        | FUNC "(" [or_expr ("," or_expr)*] ")" -> call
        | NAME -> name
        | "(" or_expr ")"
_OR: "or"
_AND: "and"
EQ_OP: "=" | "!="
REL_OP: "<=" | ">=" | "<" | ">"
ADD_OP: "+" | "-"
MUL_OP: "*" | "div" | "mod"
REF: /\$\{[A-Za-z_][A-Za-z0-9_]*\}/
FUNC.2: /[a-z][a-z0-9]*(-[a-z0-9]+)*(?=\s*\()/
NAME: /[A-Za-z_][A-Za-z0-9_]*/
NUMBER: /[0-9]+(\.[0-9]*)?|\.[0-9]+/
DOT: "."
STRING: /'[^']*'|"[^"]*"/
%ignore /[ \t\r\n]+/
"""


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(_GRAMMAR, parser="lalr", lexer="contextual", propagate_positions=False)


class ExpressionError(ValueError):
    """An expression that cannot be parsed or evaluated; ``column`` is 1-based where known."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


# --- the tree --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Number:
    value: float


@dataclass(frozen=True, slots=True)
class String:
    value: str


@dataclass(frozen=True, slots=True)
class Ref:
    """``${name}``: the answer to another question (or a repeat group)."""

    name: str


@dataclass(frozen=True, slots=True)
class Current:
    """``.``: the answer being checked by a constraint."""


@dataclass(frozen=True, slots=True)
class Name:
    """A bare name: a column of the choice being filtered (choice filters only)."""

    name: str


@dataclass(frozen=True, slots=True)
class Unary:
    op: str
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # or and = != < <= > >= + - * div mod
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Call:
    func: str
    args: tuple[Node, ...]


Node = Number | String | Ref | Current | Name | Unary | Binary | Call


@dataclass(frozen=True)
class Expression:
    """A parsed expression: the source text, its tree and what it refers to."""

    source: str
    tree: Node
    refs: frozenset[str]
    names: frozenset[str]
    uses_current: bool
    functions: frozenset[str]

    def __str__(self) -> str:
        return self.source


# --- parsing ---------------------------------------------------------------------------------


def _depth_and_size(tree: Tree) -> tuple[int, int]:
    """Depth and node count of a lark tree, without recursion (the input may be hostile)."""
    max_depth, count = 0, 0
    stack: list[tuple[Tree | Token, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > max_depth:
            max_depth = depth
        if isinstance(node, Tree):
            stack.extend((child, depth + 1) for child in node.children if child is not None)
    return max_depth, count


def _convert(node: Tree | Token) -> Node:
    """Lark tree → our frozen tree. Only called after the depth check, so recursion is bounded."""
    if isinstance(node, Token):  # pragma: no cover - every token sits under a named rule
        raise ExpressionError(f"unexpected token {node!s}")
    kind = node.data
    children = node.children
    if kind == "number":
        return Number(float(children[0]))
    if kind == "string":
        return String(str(children[0])[1:-1])
    if kind == "ref":
        return Ref(str(children[0])[2:-1])
    if kind == "current":
        return Current()
    if kind == "name":
        return Name(str(children[0]))
    if kind == "unary":
        return Unary(str(children[0]), _convert(children[1]))
    if kind in ("or_", "and_"):
        return Binary(kind[:-1], _convert(children[0]), _convert(children[1]))
    if kind in ("compare", "arith"):
        return Binary(str(children[1]), _convert(children[0]), _convert(children[2]))
    if kind == "call":
        func = str(children[0])
        args = tuple(_convert(c) for c in children[1:] if c is not None)
        return Call(func, args)
    raise ExpressionError(f"unexpected construct {kind}")  # pragma: no cover


def _collect(tree: Node) -> tuple[set[str], set[str], bool, set[str]]:
    refs: set[str] = set()
    names: set[str] = set()
    functions: set[str] = set()
    uses_current = False
    stack: list[Node] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Ref):
            refs.add(node.name)
        elif isinstance(node, Name):
            names.add(node.name)
        elif isinstance(node, Current):
            uses_current = True
        elif isinstance(node, Unary):
            stack.append(node.operand)
        elif isinstance(node, Binary):
            stack.extend((node.left, node.right))
        elif isinstance(node, Call):
            functions.add(node.func)
            stack.extend(node.args)
    return refs, names, uses_current, functions


def _describe_unexpected(exc: LarkError, text: str) -> ExpressionError:
    if isinstance(exc, UnexpectedEOF):
        return ExpressionError("the expression ends too early", len(text) + 1)
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        if token.type == "$END":
            return ExpressionError("the expression ends too early", len(text) + 1)
        return ExpressionError(f"unexpected {str(token)!r}", exc.column)
    if isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else "?"
        hint = ""
        if char == "$":
            hint = " (references look like ${field_name})"
        elif char in "'\"":
            hint = " (a text literal is not closed)"
        return ExpressionError(f"unexpected character {char!r}{hint}", exc.column)
    return ExpressionError(f"cannot parse the expression: {exc}")  # pragma: no cover


def parse_expression(text: str) -> Expression:
    """Parse ``text``; raises :class:`ExpressionError` with a column for anything malformed."""
    if not isinstance(text, str):
        raise ExpressionError("an expression must be text")
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text)} characters long; at most {MAX_EXPRESSION_LENGTH}"
        )
    if not text.strip():
        raise ExpressionError("the expression is empty")
    # A cheap pre-check so that absurd nesting is refused before the parser builds a huge tree.
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
            if depth > MAX_DEPTH:
                raise ExpressionError(f"the expression is nested more than {MAX_DEPTH} levels")
        elif char == ")":
            depth -= 1
    try:
        lark_tree = _parser().parse(text)
    except LarkError as exc:
        raise _describe_unexpected(exc, text) from None
    if isinstance(lark_tree, Token):  # pragma: no cover - start rule always yields a tree
        raise ExpressionError("unexpected expression")
    depth, size = _depth_and_size(lark_tree)
    if depth > MAX_DEPTH:
        raise ExpressionError(f"the expression is nested more than {MAX_DEPTH} levels")
    if size > MAX_NODES:
        raise ExpressionError(f"the expression has more than {MAX_NODES} parts")
    tree = _convert(lark_tree)
    refs, names, uses_current, functions = _collect(tree)
    return Expression(
        source=text,
        tree=tree,
        refs=frozenset(refs),
        names=frozenset(names),
        uses_current=uses_current,
        functions=frozenset(functions),
    )


def to_source(node: Node) -> str:
    """Write a tree back as expression text (fully parenthesised); used by tests and `show`."""
    if isinstance(node, Number):
        value = node.value
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(node, String):
        quote = "'" if "'" not in node.value else '"'
        return f"{quote}{node.value}{quote}"
    if isinstance(node, Ref):
        return "${" + node.name + "}"
    if isinstance(node, Current):
        return "."
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Unary):
        return f"{node.op}({to_source(node.operand)})"
    if isinstance(node, Binary):
        return f"({to_source(node.left)} {node.op} {to_source(node.right)})"
    if isinstance(node, Call):
        return f"{node.func}({', '.join(to_source(a) for a in node.args)})"
    raise TypeError(node)  # pragma: no cover
