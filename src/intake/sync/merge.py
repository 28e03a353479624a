"""Merging concurrent revisions of one profile, field by field.

A profile's revisions form a graph (each names its parents). When two devices changed the same
profile offline, the graph has several *heads*. For every field we follow which revisions
*wrote* its value (a revision that keeps the one value its parents agree on only carries their
writes forward; any other value — an edit, or a person's decision — is a write of its own) and
keep the writes that no later write descends from: the field's *live* values. One distinct live value — the field merges on its
own (this is the three-way merge, generalised to any number of heads). Several — a conflict that a
person resolves, seeing every value side by side; the resolution is a new revision whose parents
are all the heads, so it supersedes every live value.

Automatic merges are deterministic: id, timestamp and content follow from the parents alone, so
every device that merges the same heads creates the same revision and the server stores it once.
The profile status and form version are not interview answers: they merge on their own (several
live statuses become ``needs_review``, the newer form version wins). Nothing here touches a
database; :mod:`intake.store.syncstate` feeds it revisions.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from intake.store.fileio import canonical_json

MERGE_DEVICE = "automatic-merge"
_MERGE_NAMESPACE = uuid.UUID("6f1d3f0e-3c55-4d2b-9a43-8c1b2a6a5e11")
_MISSING = object()

# Fields of the sections the shipped form marks sensitive (Rahmenbedingungen, health) plus consent
# and residence status: conflicts on them are never resolved by any automatic rule.
SENSITIVE_PREFIXES = (
    "consent",
    "residence",
    "permit",
    "work_permission",
    "health",
    "has_limitations",
    "limitation",
    "medical",
    "has_children",
    "children",
    "youngest_child",
    "childcare",
    "course_childcare",
    "care_",
    "driving",
    "licence",
    "housing",
    "money",
)


def default_sensitive(name: str) -> bool:
    return name.startswith(SENSITIVE_PREFIXES)


def sensitive_fields_of(form: Any) -> frozenset[str]:
    """Question ids in the form's sensitive sections (plus consent and residence)."""
    sections = {
        section.id
        for section in form.sections
        if getattr(section, "sensitive", False) or section.id in ("consent", "residence")
    }
    return frozenset(q.id for q in form.questions() if getattr(q, "section", "") in sections)


@dataclass(frozen=True)
class Node:
    """What merging needs to know about one revision."""

    id: str
    parents: tuple[str, ...]
    created_at: str
    deleted: bool
    answers: Mapping[str, Any] | None
    status: str | None = None
    form_id: str | None = None
    form_version: str | None = None
    author: str | None = None
    device_id: str | None = None


@dataclass(frozen=True)
class Option:
    """One live value of a conflicting field and the revision that wrote it."""

    value: Any
    revision_id: str
    author: str | None
    device_id: str | None
    created_at: str


@dataclass(frozen=True)
class FieldConflict:
    name: str
    sensitive: bool
    options: tuple[Option, ...]


@dataclass(frozen=True)
class MergeOutcome:
    heads: tuple[str, ...]
    answers: dict[str, Any]  # every field that merged (conflicting ones hold the newest value)
    status: str | None
    form_id: str | None
    form_version: str | None
    created_at: str
    conflicts: tuple[FieldConflict, ...] = field(default=())

    @property
    def clean(self) -> bool:
        return not self.conflicts


def _same(a: Any, b: Any) -> bool:
    if a is _MISSING or b is _MISSING:
        return a is b
    return canonical_json(a) == canonical_json(b)


def heads(nodes: Mapping[str, Node]) -> list[str]:
    """Revisions no other known revision names as a parent, oldest first."""
    referenced = {parent for node in nodes.values() for parent in node.parents}
    found = [node for node in nodes.values() if node.id not in referenced]
    return [node.id for node in sorted(found, key=lambda n: (n.created_at, n.id))]


def ancestry(nodes: Mapping[str, Node]) -> dict[str, frozenset[str]]:
    """For every revision, the ids of all its known ancestors (not itself)."""
    result: dict[str, frozenset[str]] = {}

    def visit(start: str) -> frozenset[str]:
        # Iterative post-order walk: profiles can have long histories.
        stack = [start]
        while stack:
            current = stack[-1]
            if current in result:
                stack.pop()
                continue
            parents = [p for p in nodes[current].parents if p in nodes]
            pending = [p for p in parents if p not in result]
            if pending:
                stack.extend(pending)
                continue
            acc: set[str] = set()
            for parent in parents:
                acc.add(parent)
                acc |= result[parent]
            result[current] = frozenset(acc)
            stack.pop()
        return result[start]

    for node_id in nodes:
        visit(node_id)
    return result


def _value(node: Node, name: str) -> Any:
    if name == "\x00status":
        return node.status
    if name == "\x00form":
        return [node.form_id, node.form_version]
    return (node.answers or {}).get(name, _MISSING)


def _version_key(version: str | None) -> tuple:
    parts = []
    for piece in (version or "").split("."):
        parts.append((0, int(piece), "") if piece.isdigit() else (1, 0, piece))
    return tuple(parts)


def merge(
    nodes: Mapping[str, Node],
    *,
    sensitive: Callable[[str], bool] = default_sensitive,
) -> MergeOutcome:
    """Merge all heads of one profile's revision graph (``nodes``: every known revision)."""
    head_ids = tuple(heads(nodes))
    by_time = sorted((nodes[h] for h in head_ids), key=lambda n: (n.created_at, n.id))
    newest = by_time[-1]
    above = ancestry(nodes)
    names: set[str] = {"\x00status", "\x00form"}
    for node in nodes.values():
        names |= set((node.answers or {}).keys())

    # Parents before children: a revision has strictly more ancestors than each parent.
    order = sorted(nodes.values(), key=lambda n: (len(above[n.id]), n.created_at, n.id))
    answers: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    status, form = newest.status, [newest.form_id, newest.form_version]
    for name in sorted(names):
        live = _live_writers(order, nodes, above, name)
        top = _maximal(set().union(*(live[h] for h in head_ids)), above)
        distinct = _distinct(
            sorted((nodes[w] for w in top), key=lambda n: (n.created_at, n.id)), name
        )
        chosen = _value(distinct[-1], name) if distinct else _value(newest, name)
        if name == "\x00status":
            status = "needs_review" if len(distinct) > 1 else chosen
            continue
        if name == "\x00form":
            options = [_value(d, name) for d in distinct] or [chosen]
            form = max(options, key=lambda pair: _version_key(pair[1]))
            continue
        if len(distinct) > 1:
            conflicts.append(
                FieldConflict(
                    name,
                    sensitive(name),
                    tuple(
                        Option(
                            None if _value(d, name) is _MISSING else _value(d, name),
                            d.id,
                            d.author,
                            d.device_id,
                            d.created_at,
                        )
                        for d in distinct
                    ),
                )
            )
        if chosen is not _MISSING:
            answers[name] = chosen
    return MergeOutcome(
        heads=tuple(sorted(head_ids)),
        answers=answers,
        status=status,
        form_id=form[0],
        form_version=form[1],
        created_at=max(n.created_at for n in by_time),
        conflicts=tuple(conflicts),
    )


def _maximal(writers: set[str], above: Mapping[str, frozenset[str]]) -> set[str]:
    """The writers that no other writer in the set descends from."""
    return {w for w in writers if not any(w in above[other] for other in writers if other != w)}


def _distinct(writers: list[Node], name: str) -> list[Node]:
    """One writer per distinct value (the newest of each), oldest value first."""
    by_value: list[Node] = []
    for writer in writers:
        by_value = [w for w in by_value if not _same(_value(w, name), _value(writer, name))]
        by_value.append(writer)
    return by_value


def _live_writers(
    order: list[Node], nodes: Mapping[str, Node], above: Mapping[str, frozenset[str]], name: str
) -> dict[str, set[str]]:
    """For each revision, the writes of ``name`` its value stands for.

    A revision that keeps the one value its parents agree on stands for their writes (an edit of
    other fields, an automatic merge); any other value — a new answer, or a person's decision
    between several live values — is a write of its own that supersedes everything before it.
    """
    live: dict[str, set[str]] = {}
    for node in order:
        parents = [p for p in node.parents if p in nodes]
        if parents:
            top = _maximal(set().union(*(live[p] for p in parents)), above)
            values = _distinct([nodes[w] for w in top], name)
            if len(values) == 1 and _same(_value(node, name), _value(values[0], name)):
                live[node.id] = top
                continue
        live[node.id] = {node.id}
    return live


def merge_revision_id(parents: Iterable[str]) -> str:
    """The id every device gives the automatic merge of these heads."""
    return str(uuid.uuid5(_MERGE_NAMESPACE, "merge:" + ",".join(sorted(parents))))
