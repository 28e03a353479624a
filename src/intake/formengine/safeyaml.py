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


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _scalar(event: yaml.ScalarEvent) -> Any:
    """YAML 1.2 core-schema-like resolution: only true/false are booleans, dates stay text."""
    value = event.value
    if event.style in ("'", '"', "|", ">") or event.tag == "tag:yaml.org,2002:str":
        return value
    if event.tag == "tag:yaml.org,2002:null" or value in ("", "~", "null", "Null", "NULL"):
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


class _Frame:
    """A mapping or list under construction."""

    __slots__ = ("anchor", "container", "key", "key_line", "path", "size")

    def __init__(self, container: Any, path: PathKey, anchor: str | None) -> None:
        self.container = container
        self.path = path
        self.anchor = anchor
        self.key: Any = _NO_KEY
        self.key_line = 0
        self.size = 1


_NO_KEY = object()


def _build(events: Any) -> LoadedYaml:
    """Construct plain data from parser events without recursion (the input may be hostile).

    Aliases share the anchored object instead of copying it, but count with the full size of
    what they stand for, so an alias bomb hits MAX_NODES instead of exhausting memory later.
    """
    lines: dict[PathKey, int] = {}
    anchors: dict[str, tuple[Any, int]] = {}
    stack: list[_Frame] = []
    total = 0
    aliases = 0
    root: Any = None
    documents = 0

    def child_path() -> PathKey:
        frame = stack[-1]
        if isinstance(frame.container, list):
            return (*frame.path, len(frame.container))
        return (*frame.path, frame.key)

    def attach(value: Any, size: int, line: int) -> None:
        nonlocal root
        if not stack:
            root = value
            return
        frame = stack[-1]
        frame.size += size
        if isinstance(frame.container, list):
            frame.container.append(value)
            return
        if frame.key is _NO_KEY:
            if isinstance(value, dict | list):
                raise YamlError("a key must be plain text, not a list or mapping", line)
            key = value if isinstance(value, str) else str(value)
            if key in frame.container:
                raise YamlError(f"the key {key!r} appears twice", line)
            frame.key, frame.key_line = key, line
            lines[(*frame.path, key)] = line
            return
        frame.container[frame.key] = value
        frame.key = _NO_KEY

    for event in events:
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise YamlError("a form file must contain a single YAML document", line)
            continue
        if isinstance(event, yaml.StreamStartEvent | yaml.StreamEndEvent | yaml.DocumentEndEvent):
            continue
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _STANDARD_TAGS and tag != "!":
            raise YamlError(f"unsupported YAML tag {tag!r}", line)
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise YamlError(f"more than {MAX_ALIASES} aliases", line)
            if event.anchor not in anchors:
                raise YamlError(f"unknown alias *{event.anchor}", line)
            value, size = anchors[event.anchor]
            total += size
            if total > MAX_NODES:
                raise YamlError(
                    f"the file expands to more than {MAX_NODES} values (anchors and aliases "
                    "reused too often?)",
                    line,
                )
            if stack and isinstance(stack[-1].container, dict) and stack[-1].key is _NO_KEY:
                raise YamlError("an alias cannot be used as a key", line)
            if stack:
                lines.setdefault(child_path(), line or 0)
            attach(value, size, line or 0)
            continue
        total += 1
        if total > MAX_NODES:
            raise YamlError(f"the file has more than {MAX_NODES} values", line)
        if isinstance(event, yaml.ScalarEvent):
            if stack and not (isinstance(stack[-1].container, dict) and stack[-1].key is _NO_KEY):
                lines.setdefault(child_path(), line or 0)
            elif not stack:
                lines.setdefault((), line or 0)
            is_key = stack and isinstance(stack[-1].container, dict) and stack[-1].key is _NO_KEY
            if is_key and event.value == "<<" and not event.style:
                raise YamlError("merge keys ('<<') are not supported in form files", line)
            value = _scalar(event)
            if event.anchor:
                anchors[event.anchor] = (value, 1)
            attach(value, 1, line or 0)
            continue
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            if len(stack) >= MAX_DEPTH:
                raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", line)
            if stack and isinstance(stack[-1].container, dict) and stack[-1].key is _NO_KEY:
                raise YamlError("a key must be plain text, not a list or mapping", line)
            path = child_path() if stack else ()
            lines.setdefault(path, line or 0)
            container: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
            stack.append(_Frame(container, path, event.anchor))
            continue
        if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            frame = stack.pop()
            if frame.anchor:
                anchors[frame.anchor] = (frame.container, frame.size)
            attach(frame.container, frame.size, line or 0)
            continue
    return LoadedYaml(root, lines)


def loads(text: str, *, name: str = "<text>") -> LoadedYaml:
    """Parse one YAML document from ``text``; raises :class:`YamlError` for anything off."""
    if len(text) > MAX_FILE_BYTES:
        raise YamlError(f"{name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    loader = _Loader(text)
    try:
        return _build(_events(loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "malformed YAML"
        raise YamlError(f"malformed YAML: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"malformed YAML: {exc}") from None
    finally:
        loader.dispose()


def _events(loader: Any) -> Any:
    while loader.check_event():
        yield loader.get_event()


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
