"""Loading and validating form files: precise errors (file, line, field, message) for each rule."""

from __future__ import annotations

import pytest

from intake.formengine import FormValidationError, load_form, validate_form_file
from intake.formengine.paths import forms_dir

BASE = """\
id: test
version: "1"
title: Test
choices_files: [choices/common.yaml]
sections:
  - id: main
    title: Main
    items:
      - {id: has_children, type: yes_no, label: Children}
      - {id: level, type: cefr, label: Level}
      - {id: amount, type: integer, label: Amount}
"""


def errors_for(write_form, extra_items: str = "", head: str = BASE, extra: str = ""):
    path = write_form(head + extra_items + extra)
    return validate_form_file(path), path


def test_shipped_form_is_valid(erstprofil):
    assert validate_form_file(forms_dir() / "erstprofil.yaml") == []
    assert erstprofil.id == "erstprofil"
    assert len(erstprofil.sections) == 14
    # The store indexes these ids: they must exist with these types.
    expected = {
        "family_name": "text",
        "given_names": "text",
        "family_name_latin": "text",
        "given_names_latin": "text",
        "birth_date": "partial_date",
        "customer_number": "text",
    }
    for question_id, kind in expected.items():
        assert erstprofil.question(question_id).type == kind
        assert erstprofil.question(question_id).section == "person"


def test_unknown_reference_names_line_field_and_suggestion(write_form):
    errors, path = errors_for(
        write_form, '      - {id: note_a, type: text, label: A, relevant: "${has_childen}"}\n'
    )
    assert len(errors) == 1
    error = errors[0]
    assert error.file == str(path)
    assert error.line == 12
    assert error.field == "note_a"
    assert "${has_childen}" in error.message and "did you mean 'has_children'" in error.message


def test_duplicate_ids(write_form):
    errors, _ = errors_for(write_form, "      - {id: amount, type: text, label: Again}\n")
    assert [(e.line, e.field) for e in errors] == [(12, "amount")]
    assert "already used (line 11)" in errors[0].message


def test_calculate_cycle_is_reported(write_form):
    errors, _ = errors_for(
        write_form,
        '      - {id: c1, type: calculate, calculate: "${c2} + 1"}\n'
        '      - {id: c2, type: calculate, calculate: "${c3} + 1"}\n'
        '      - {id: c3, type: calculate, calculate: "${c1} + ${amount}"}\n',
    )
    assert len(errors) == 1
    assert "cycle" in errors[0].message
    assert "${c1}" in errors[0].message and "${c3}" in errors[0].message


def test_self_reference_in_relevant(write_form):
    errors, _ = errors_for(
        write_form, '      - {id: x, type: text, label: X, relevant: "${x} = 1"}\n'
    )
    assert "refers to itself" in errors[0].message


@pytest.mark.parametrize(
    ("item", "fragment"),
    [
        ("{id: x, type: text, label: X, relevant: \"${has_children} = 'yes'\"}", "yes/no answer"),
        ("{id: x, type: text, label: X, relevant: \"${level} = 'b3'\"}", "'b3' is not a choice"),
        (
            "{id: x, type: text, label: X, relevant: \"selected(${level}, 'B1')\"}",
            "did you mean 'b1'",
        ),
        ("{id: x, type: text, label: X, relevant: \"level = 'a1'\"}", "bare name 'level'"),
        ('{id: x, type: text, label: X, relevant: ". > 1"}', "only allowed in a constraint"),
        ('{id: x, type: text, label: X, relevant: "${amount} >"}', "column 12"),
        ('{id: x, type: text, label: X, relevant: "eval(1)"}', "unknown function eval()"),
        ('{id: x, type: text, label: X, relevant: "${main} = 1"}', "not a question"),
        ("{id: x, type: single_choice, label: X}", "needs 'choices'"),
        ("{id: x, type: single_choice, label: X, choices: nope}", "'nope' is not defined"),
        (
            "{id: x, type: text, label: X, choices: cefr_levels}",
            "only allowed for choice questions",
        ),
        ("{id: x, type: integer, label: X, default: 'ten'}", "whole number"),
        ("{id: x, type: cefr, label: X, default: b3}", "'b3' is not a choice"),
        ("{id: x, type: yes_no, label: X, default: 'yes'}", "true or false"),
        ("{id: x, type: text, label: X, multiple: true}", "only allowed for country"),
        ("{id: x, type: integer, label: X, min: 5, max: 1}", "min is larger than max"),
        ("{id: x, type: note, label: X, required: true}", "only allowed for questions that take"),
        (
            '{id: x, type: cefr, label: X, choice_filter: "rank > 1 and colour = 1"}',
            "'colour' is not a column",
        ),
    ],
)
def test_semantic_errors(write_form, item, fragment):
    errors, _ = errors_for(write_form, f"      - {item}\n")
    assert errors, item
    assert any(fragment in e.message for e in errors), [str(e) for e in errors]
    assert all(e.line == 12 for e in errors), [str(e) for e in errors]
    assert all(e.field == "x" for e in errors), [str(e) for e in errors]


@pytest.mark.parametrize(
    ("item", "fragment", "line"),
    [
        ("{id: x, type: text}", "'label' is missing", 12),
        ("{id: x, type: text, label: X, lable: Y}", "did you mean 'label'", 12),
        ("{id: x, type: txt, label: X}", "is not one of", 12),
        ("{id: x, type: text, label: 5}", "should be of type string", 12),
        ("{id: X-1, type: text, label: X}", "does not match the pattern", 12),
        ("{id: x, type: repeat, label: X, items: [], min: -1}", "min", 12),
    ],
)
def test_schema_errors(write_form, item, fragment, line):
    errors, _ = errors_for(write_form, f"      - {item}\n")
    assert any(fragment in e.message and e.line == line for e in errors), [str(e) for e in errors]


def test_consent_gating_rules(write_form):
    extra = """\
  - id: private
    title: Private
    sensitive: true
    items:
      - {id: secret, type: text, label: Secret}
  - id: private2
    title: Private 2
    consent: amount
    items:
      - {id: secret2, type: text, label: Secret}
"""
    errors, _ = errors_for(write_form, extra=extra)
    messages = sorted(e.message for e in errors)
    assert any("needs 'consent'" in m for m in messages)
    assert any("not a consent question" in m for m in messages)


def test_missing_choice_file_and_bad_yaml_in_it(write_form, form_dir):
    (form_dir / "choices" / "broken.yaml").write_text("choices:\n  x: [\n", encoding="utf-8")
    head = BASE.replace(
        "[choices/common.yaml]", "[choices/common.yaml, choices/broken.yaml, choices/none.yaml]"
    )
    errors, _ = errors_for(write_form, head=head)
    files = {e.file.rsplit("/", 1)[-1] for e in errors}
    assert "broken.yaml" in files
    assert any("none.yaml" in e.message and "cannot read" in e.message for e in errors)


def test_migrations_must_lead_to_current_version(write_form):
    extra = """\
migrations:
  - {from: "0", to: "0.5"}
  - {from: "0.7", to: "1", rename: {old: ghost}}
"""
    errors, _ = errors_for(write_form, extra=extra)
    messages = [e.message for e in errors]
    assert any("does not lead to version 1" in m for m in messages)
    assert any("'ghost' is not in the form" in m for m in messages)


def test_load_form_raises_with_all_errors(write_form):
    path = write_form(
        BASE + '      - {id: a, type: text, label: A, relevant: "${b1}"}\n'
        '      - {id: b, type: text, label: B, relevant: "${a2}"}\n'
    )
    with pytest.raises(FormValidationError) as info:
        load_form(path)
    assert len(info.value.errors) == 2
    assert "(and 1 more)" in str(info.value)


def test_not_a_mapping_and_empty_file(write_form):
    assert "must be a mapping" in validate_form_file(write_form("- a\n- b\n"))[0].message
    assert "must be a mapping, not empty" in validate_form_file(write_form(""))[0].message
