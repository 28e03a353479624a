"""A YAML reader for form files that keeps line numbers and refuses hostile input cleanly.

PyYAML's composer builds a node graph without expanding aliases; we then construct plain Python
values ourselves, which lets us:

- record the line of every mapping key and list item (``lines[path]``) for precise error messages;
- count constructed nodes, so alias "bombs" (billion laughs) stop at a limit instead of eating
  memory, and limit the number of aliases outright;
- refuse files that are too large before reading them, and nesting too deep for the composer;
- resolve scalars the YAML 1.2 way: ``yes``/``no``/``on``/``off`` stay text (choice names!),
  dates stay ISO text, only ``true``/``false`` are booleans;
- reject duplicate keys, non-text keys, merge keys and custom tags with a clear message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_NODES = 100_000
MAX_ALIASES = 500
MAX_DEPTH = 60

PathKey = tuple[str | int, ...]

_INT = re.compile(r"[-+]?(0|[1-9][0-9_]*)")
_FLOAT = re.compile(r"[-+]?([0-9][0-9_]*)?\.[0-9]+([eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+")
_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:value",
}


class YamlError(ValueError):
    """A YAML problem with its (1-based) line, if known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class LoadedYaml:
    """Plain data plus the line where each path (tuple of keys and indexes) starts."""

    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: PathKey) -> int | None:
        """The line of ``path`` or of its nearest ancestor that has one."""
        path = tuple(path)
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]


class _Builder:
    def __init__(self) -> None:
        self.lines: dict[PathKey, int] = {}
        self.nodes = 0
        self.seen_alias_targets: set[int] = set()

    def _count(self, node: Node) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YamlError(
                f"the file expands to more than {MAX_NODES} values (anchors and aliases reused "
                "too often?)",
                node.start_mark.line + 1,
            )

    def build(self, node: Node, path: PathKey, depth: int) -> Any:
        # Iterative depth is bounded by the composer's own nesting limit (MAX_DEPTH).
        self._count(node)
        line = node.start_mark.line + 1
        self.lines.setdefault(path, line)
        if depth > MAX_DEPTH:
            raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", line)
        tag = node.tag
        if tag not in _STANDARD_TAGS:
            raise YamlError(f"unsupported YAML tag {tag!r}", line)
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key_line = key_node.start_mark.line + 1
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise YamlError("merge keys ('<<') are not supported in form files", key_line)
                if not isinstance(key_node, ScalarNode):
                    raise YamlError("a key must be plain text, not a list or mapping", key_line)
                key = self.scalar(key_node)
                if not isinstance(key, str):
                    key = str(key_node.value)
                if key in result:
                    raise YamlError(f"the key {key!r} appears twice", key_line)
                self.lines[(*path, key)] = key_line
                result[key] = self.build(value_node, (*path, key), depth + 1)
            return result
        raise YamlError("unsupported YAML construct", line)  # pragma: no cover

    @staticmethod
    def scalar(node: ScalarNode) -> Any:
        value = node.value
        if node.style in ("'", '"', "|", ">") or node.tag == "tag:yaml.org,2002:str":
            return value
        if node.tag == "tag:yaml.org,2002:null" or value in ("", "~", "null", "Null", "NULL"):
            return None
        if value in ("true", "True", "TRUE"):
            return True
        if value in ("false", "False", "FALSE"):
            return False
        if _INT.fullmatch(value) and len(value) <= 30:
            return int(value.replace("_", ""))
        if _FLOAT.fullmatch(value) and len(value) <= 40:
            return float(value.replace("_", ""))
        return value


class _Loader(yaml.SafeLoader):
    """SafeLoader that counts aliases while composing (expansion is ours, see _Builder)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_count = 0
        self.depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise YamlError(f"more than {MAX_ALIASES} aliases", mark.line + 1)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def loads(text: str, *, name: str = "<text>") -> LoadedYaml:
    """Parse one YAML document from ``text``; raises :class:`YamlError` for anything off."""
    if len(text) > MAX_FILE_BYTES:
        raise YamlError(f"{name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            problem = exc.problem or exc.context or "malformed YAML"
            raise YamlError(f"malformed YAML: {problem}", line) from None
        except yaml.YAMLError as exc:
            raise YamlError(f"malformed YAML: {exc}") from None
        except RecursionError:
            raise YamlError("the YAML is nested too deeply") from None
    finally:
        loader.dispose()
    if node is None:
        return LoadedYaml(None, {})
    builder = _Builder()
    try:
        data = builder.build(node, (), 0)
    except RecursionError:
        raise YamlError("the YAML is nested too deeply") from None
    return LoadedYaml(data, builder.lines)


def load_path(path: Path) -> LoadedYaml:
    """Read and parse ``path`` with the size check done before reading the whole file."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise YamlError(f"cannot read {path}: {exc.strerror or exc}") from None
    if size > MAX_FILE_BYTES:
        raise YamlError(
            f"the file is {size // 1024} KB; form files may be at most "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlError("the file is not valid UTF-8", line) from None
    return loads(text, name=path.name)
