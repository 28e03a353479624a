"""Babel extractor for form YAML files: every translatable text becomes a msgid in ``intake.pot``.

Registered as ``intake_forms`` under ``[project.entry-points."babel.extractors"]``; use it in a
Babel mapping file::

    [python: src/**.py]
    [intake_forms: forms/**.yaml]

Translatable keys are ``title``, ``description``, ``label``, ``hint``, ``required_message`` and
``constraint_message`` anywhere in a form or shared choice file, except inside ``labels`` (built-in
translations) and ``data`` (filter columns). Each message carries a translator comment naming the
form and the field, and the line it came from.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from intake.formengine import safeyaml

TRANSLATABLE_KEYS = frozenset(
    {"title", "description", "label", "hint", "required_message", "constraint_message"}
)
_SKIP_KEYS = frozenset({"labels", "data", "migrations", "source"})
# Texts the engine itself shows for form answers (kept here so they are extracted once).
ENGINE_MESSAGES = (
    "This question must be answered.",
    "This answer is not valid.",
    "Yes",
    "No",
    "uncertain",
)


def iter_messages(
    data: Any, lines: Mapping[tuple, int], context: str
) -> Iterator[tuple[int, str, str]]:
    """(line, msgid, comment) for every translatable text in parsed form data."""
    stack: list[tuple[Any, tuple, str]] = [(data, (), context)]
    found: list[tuple[int, str, str]] = []
    while stack:
        node, path, where = stack.pop()
        if isinstance(node, Mapping):
            own = node.get("id") or node.get("name")
            here = f"{where} {own}" if isinstance(own, str) else where
            for key, value in node.items():
                if key in _SKIP_KEYS:
                    continue
                if key in TRANSLATABLE_KEYS and isinstance(value, str) and value.strip():
                    line = lines.get((*path, key), lines.get(path, 0))
                    found.append((line, value, f"{here}: {key}"))
                elif isinstance(value, Mapping | list):
                    label = f"{here} {key}" if key == "choices" or path == ("choices",) else here
                    stack.append((value, (*path, key), label))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                stack.append((value, (*path, index), where))
    yield from sorted(found)


def extract_forms(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """The Babel extractor: yields ``(lineno, funcname, message, comments)``."""
    raw = fileobj.read()
    text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    name = getattr(fileobj, "name", "<form>")
    try:
        loaded = safeyaml.loads(text, name=str(name))
    except safeyaml.YamlError:
        return  # `intake forms validate` reports the problem; extraction just skips the file
    data = loaded.data
    context = "form"
    if isinstance(data, Mapping):
        if isinstance(data.get("id"), str):
            context = f"form {data['id']}"
        elif "choices" in data:
            context = "choices"
    for line, message, comment in iter_messages(data, loaded.lines, context):
        yield line, None, message, [comment]
