"""Per-field merging on revision graphs, without a database."""

from __future__ import annotations

from intake.sync.merge import Node, merge, merge_revision_id


def node(ident, parents=(), at="2026-01-01T00:00:00Z", **answers):
    return Node(ident, tuple(parents), at, False, answers, status="draft")


def graph(*nodes):
    return {n.id: n for n in nodes}


def test_different_fields_merge_three_way():
    result = merge(graph(
        node("o", a=1, b=1),
        node("x", ["o"], "2026-01-02", a=2, b=1),
        node("y", ["o"], "2026-01-03", a=1, b=3),
    ))  # fmt: skip
    assert result.clean and result.answers == {"a": 2, "b": 3}


def test_the_same_field_changed_differently_is_a_conflict_with_both_values():
    result = merge(graph(
        node("o", health_limitations="none"),
        node("x", ["o"], "2026-01-02", health_limitations="lifting"),
        node("y", ["o"], "2026-01-03", health_limitations="night_shift"),
    ))  # fmt: skip
    (conflict,) = result.conflicts
    assert conflict.sensitive
    assert [o.value for o in conflict.options] == ["lifting", "night_shift"]


def test_an_added_and_a_removed_answer_merge():
    result = merge(graph(
        node("o", a=1),
        node("x", ["o"], "2026-01-02"),
        node("y", ["o"], "2026-01-03", a=1, c=5),
    ))  # fmt: skip
    assert result.clean and result.answers == {"c": 5}


def test_a_merge_that_carries_an_old_value_forward_does_not_revive_it():
    # y changed the field; m1 merged it; z overwrote it later; m2 merged a stale branch (w)
    # with a child of m1: the stale value must not come back as a conflict with z.
    result = merge(graph(
        node("o", f=0),
        node("x", ["o"], "2026-01-02", f=0),
        node("y", ["o"], "2026-01-02", f=1),
        node("m1", ["x", "y"], "2026-01-03", f=1),
        node("w", ["x"], "2026-01-04", f=0),
        node("z", ["m1"], "2026-01-05", f=2),
        node("k", ["m1"], "2026-01-05", f=1),
        node("m2", ["k", "w"], "2026-01-05", f=1),
    ))  # fmt: skip
    assert result.clean and result.answers == {"f": 2}


def test_a_decision_supersedes_every_value_it_chose_between():
    result = merge(graph(
        node("o", f=0),
        node("x", ["o"], "2026-01-02", f=1),
        node("y", ["o"], "2026-01-02", f=2),
        node("r", ["x", "y"], "2026-01-03", f=1),  # a person kept x's value
        node("e", ["y"], "2026-01-04", f=2, g=9),  # an edit of another field on the old branch
    ))  # fmt: skip
    assert result.clean and result.answers == {"f": 1, "g": 9}


def test_merge_ids_depend_only_on_the_heads():
    assert merge_revision_id(["b", "a"]) == merge_revision_id(["a", "b"])
    assert merge_revision_id(["a", "b"]) != merge_revision_id(["a", "c"])
