"""Fuzzing the form loader with corrupted variants of erstprofil.yaml.

Every variant must give a clean list of FormError (file, line, field, message) — never an
exception, never a hang. Structural mutations (missing keys, wrong types, unknown references,
calculation cycles, duplicate ids) must be reported; raw-text corruption (truncation, byte flips)
must either still load or be reported.
"""

from __future__ import annotations

import copy
import random
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.formengine import FormError, load_form, validate_form_file
from intake.formengine.paths import forms_dir
from intake.formengine.safeyaml import MAX_FILE_BYTES, loads

SOURCE = (forms_dir() / "erstprofil.yaml").read_text(encoding="utf-8")
DATA = loads(SOURCE).data


def _paths(node: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(_paths(value, (*path, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_paths(value, (*path, index)))
    return found


ALL_PATHS = [p for p in _paths(DATA) if p]
ITEM_PATHS = [p for p in ALL_PATHS if len(p) >= 2 and p[-2] == "items"]
REQUIRED_KEYS = {"id", "type", "title", "items", "name", "version", "sections"}
EXPRESSION_KEYS = ("relevant", "constraint", "calculate", "choice_filter")


def _get(data: Any, path: tuple) -> Any:
    for key in path:
        data = data[key]
    return data


def _check_clean(errors: list[FormError], path: Path) -> None:
    assert isinstance(errors, list)
    for error in errors:
        assert isinstance(error, FormError)
        assert error.file.endswith(path.name) or error.file.endswith(".yaml")
        assert error.line is None or (isinstance(error.line, int) and error.line >= 1)
        assert isinstance(error.message, str) and error.message
        assert "Traceback" not in error.message


def _write(form_dir: Path, data: Any) -> Path:
    path = form_dir / "erstprofil.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def mutate(data: dict, rng: random.Random, kind: str) -> dict:
    data = copy.deepcopy(data)
    if kind == "delete_required":
        candidates = [p for p in ALL_PATHS if isinstance(p[-1], str) and p[-1] in REQUIRED_KEYS]
        path = rng.choice(candidates)
        del _get(data, path[:-1])[path[-1]]
    elif kind == "wrong_type":
        candidates = [
            p
            for p in ALL_PATHS
            if isinstance(p[-1], str)
            and p[-1]
            in {
                "id",
                "type",
                "label",
                "items",
                "choices",
                "min",
                "max",
                "required",
                "multiple",
                "title",
                "sections",
            }
        ]
        path = rng.choice(candidates)
        current = _get(data, path)
        options = [42, 3.5, [], {"x": 1}, None, True, "text"]
        options = [
            o
            for o in options
            if type(o) is not type(current)
            and not (isinstance(current, str) and isinstance(o, str))
        ]
        if path[-1] == "required":
            options = [o for o in options if not isinstance(o, bool | str)]
        _get(data, path[:-1])[path[-1]] = rng.choice(options)
    elif kind == "unknown_reference":
        path = rng.choice(ITEM_PATHS)
        grouping = _get(data, path).get("type") in ("group", "repeat")
        key = "relevant" if grouping else rng.choice(("relevant", "constraint"))
        _get(data, path)[key] = f"${{no_such_question_{rng.randrange(1000)}}} = 1"
    elif kind == "cycle":
        path = rng.choice([p for p in ITEM_PATHS if p[:2] != ("sections", 0)])
        items = _get(data, path[:-1])
        items.append({"id": "cycle_a", "type": "calculate", "calculate": "${cycle_b} + 1"})
        items.append({"id": "cycle_b", "type": "calculate", "calculate": "${cycle_a} * 2"})
    elif kind == "duplicate_id":
        first, second = rng.sample(ITEM_PATHS, 2)
        _get(data, second)["id"] = _get(data, first)["id"]
    elif kind == "broken_expression":
        candidates = [p for p in ALL_PATHS if isinstance(p[-1], str) and p[-1] in EXPRESSION_KEYS]
        path = rng.choice(candidates)
        text = _get(data, path)
        # Cut outside string literals: " and" inside 'a b' would still be a valid expression.
        outside, quoted = [], False
        for position, char in enumerate(text):
            if not quoted:
                outside.append(position)
            if char == "'":
                quoted = not quoted
        cut = rng.choice(outside) if outside else 0
        _get(data, path[:-1])[path[-1]] = (
            text[:cut] + rng.choice(["(", "${", "'", " and", ")", "$$"]) + text[cut:]
        )
    return data


MUTATIONS = [
    "delete_required",
    "wrong_type",
    "unknown_reference",
    "cycle",
    "duplicate_id",
    "broken_expression",
]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(kind=st.sampled_from(MUTATIONS), seed=st.integers(0, 2**32 - 1))
def test_structural_corruption_is_reported(form_dir, kind, seed):
    rng = random.Random(seed)
    data = mutate(DATA, rng, kind)
    path = _write(form_dir, data)
    started = time.perf_counter()
    errors = validate_form_file(path)
    assert time.perf_counter() - started < 5
    _check_clean(errors, path)
    if kind == "duplicate_id" and errors == []:
        pytest.fail("duplicate id not reported")
    assert errors, f"{kind} (seed {seed}) was not reported"
    if kind == "cycle":
        assert any("cycle" in e.message for e in errors)
    if kind == "unknown_reference":
        assert any("no_such_question" in e.message and e.line for e in errors)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 2**32 - 1),
    how=st.sampled_from(["truncate", "flip", "delete_line", "indent"]),
)
def test_text_corruption_never_crashes(form_dir, seed, how):
    rng = random.Random(seed)
    text = SOURCE
    if how == "truncate":
        text = text[: rng.randrange(len(text))]
    elif how == "flip":
        raw = bytearray(text.encode("utf-8"))
        for _ in range(rng.randint(1, 20)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        path = form_dir / "erstprofil.yaml"
        path.write_bytes(bytes(raw))
        _check_clean(validate_form_file(path), path)
        return
    elif how == "delete_line":
        lines = text.splitlines(keepends=True)
        del lines[rng.randrange(len(lines))]
        text = "".join(lines)
    else:
        lines = text.splitlines(keepends=True)
        index = rng.randrange(len(lines))
        lines[index] = "   " + lines[index]
        text = "".join(lines)
    path = form_dir / "erstprofil.yaml"
    path.write_text(text, encoding="utf-8")
    errors = validate_form_file(path)
    _check_clean(errors, path)
    if not errors:
        load_form(path)  # if it validates, it must also load


def _validate_text(form_dir: Path, text: str) -> list[FormError]:
    path = form_dir / "erstprofil.yaml"
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    errors = validate_form_file(path)
    assert time.perf_counter() - started < 5
    _check_clean(errors, path)
    return errors


def test_billion_laughs_is_refused(form_dir):
    text = 'lol0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for level in range(1, 10):
        refs = ",".join([f"*a{level - 1}"] * 10)
        text += f"lol{level}: &a{level} [{refs}]\n"
    text += SOURCE
    errors = _validate_text(form_dir, text)
    assert any("expands to more than" in e.message for e in errors)


def test_alias_abuse_inside_the_form_is_refused(form_dir):
    # Reusing one anchored section many times is legal YAML but must not blow up.
    text = SOURCE.replace("  - id: meta\n", "  - &meta\n    id: meta\n", 1)
    text += "".join("  - *meta\n" for _ in range(600))
    errors = _validate_text(form_dir, text)
    assert any("aliases" in e.message or "expands" in e.message for e in errors)


def test_merge_keys_and_python_tags_are_refused(form_dir):
    errors = _validate_text(
        form_dir, SOURCE.replace("id: erstprofil", "<<: {id: x}\nid: erstprofil", 1)
    )
    assert any("merge keys" in e.message for e in errors)
    errors = _validate_text(
        form_dir,
        SOURCE.replace(
            'title: "First', 'title: !!python/object/apply:os.system ["true"]\nold: "First', 1
        ),
    )
    assert any("unsupported YAML tag" in e.message for e in errors)


def test_huge_file_is_refused_before_reading(form_dir):
    path = form_dir / "erstprofil.yaml"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(SOURCE)
        handle.write("# " + "x" * (MAX_FILE_BYTES + 10) + "\n")
    started = time.perf_counter()
    errors = validate_form_file(path)
    assert time.perf_counter() - started < 1
    assert len(errors) == 1 and "at most" in errors[0].message


def test_many_questions_within_limits_still_validate_quickly(form_dir):
    data = copy.deepcopy(DATA)
    items = data["sections"][2]["items"]
    for index in range(450):
        items.append(
            {
                "id": f"extra_{index}",
                "type": "text",
                "label": f"Extra {index}",
                "relevant": f"${{household_size}} > {index % 7}",
            }
        )
    data["sections"][2]["items"] = items[:500]
    path = _write(form_dir, data)
    started = time.perf_counter()
    assert validate_form_file(path) == []
    assert time.perf_counter() - started < 5


def test_deep_nesting_and_duplicate_keys(form_dir):
    errors = _validate_text(form_dir, "sections: " + "[" * 5000 + "]" * 5000 + "\n")
    assert any("nesting" in e.message for e in errors)
    errors = _validate_text(
        form_dir, SOURCE.replace('version: "2026.1"', 'version: "2026.1"\nversion: "2"', 1)
    )
    assert any("appears twice" in e.message and e.line == 13 for e in errors)
