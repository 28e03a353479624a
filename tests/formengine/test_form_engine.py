"""The engine on a small form: visibility, repeat context, consent locks, choice filters,
answer validation, progress and the answer document."""

from __future__ import annotations

from datetime import date

import pytest

from intake.formengine import (
    AnswerDocument,
    build_document,
    evaluate,
    is_complete,
    load_form,
    new_answers,
    new_repeat_instance,
    progress,
    validate_answers,
)

FORM = """\
id: family
version: "3"
title: Family
choices_files: [choices/common.yaml]
choices:
  care:
    - {name: none, label: "No care", data: {min_age: 0, max_age: 17}}
    - {name: kita, label: "Kita", data: {min_age: 0, max_age: 6}}
    - {name: school, label: "School", data: {min_age: 6, max_age: 17}}
sections:
  - id: start
    title: Start
    items:
      - {id: consent_family, type: consent, label: "Consent", required: true}
      - {id: name, type: text, label: "Name", required: true, default: "?"}
      - {id: birth, type: partial_date, label: "Born", required: true, constraint: ". <= today()",
         constraint_message: "Not in the future."}
      - {id: age, type: calculate, calculate: "years-between(${birth}, today())"}
      - {id: adult_note, type: note, label: "Adult", relevant: "${age} >= 18"}
      - {id: langs, type: language, label: "Languages", multiple: true}
      - {id: arabic_script, type: yes_no, label: "Reads Arabic script?",
         relevant: "selected(${langs}, 'ar') or selected(${langs}, 'fa_AF')", required: true}
  - id: family
    title: Family
    sensitive: true
    consent: consent_family
    items:
      - {id: has_children, type: yes_no, label: "Children?", required: true}
      - id: children
        type: repeat
        label: Children
        relevant: "${has_children}"
        min: 1
        max: 3
        items:
          - {id: child_birth, type: partial_date, label: "Born", required: true}
          - {id: child_age, type: calculate, calculate: "years-between(${child_birth}, today())"}
          - {id: child_care, type: single_choice, label: "Care", choices: care, required: true,
             choice_filter: "${child_age} >= min_age and ${child_age} <= max_age"}
          - {id: child_hours, type: integer, label: "Hours", min: 0, max: 12,
             relevant: "${child_care} != 'none' and ${child_care} != ''", required: true,
             constraint: ". <= ${adult_hours}", constraint_message: "More than the adult's hours."}
      - {id: adult_hours, type: integer, label: "Adult hours", default: 8}
      - {id: youngest, type: calculate, calculate: "min(${child_age})"}
      - {id: kita_children, type: calculate, calculate: "count(${children})"}
"""

TODAY = date(2026, 3, 16)


@pytest.fixture
def form(write_form):
    return load_form(write_form(FORM))


def base(**extra):
    answers = {
        "consent_family": "given",
        "name": "Mira Testfall",
        "birth": {"value": "1990-05", "uncertain": True},
        "langs": ["ar", "de"],
        "arabic_script": True,
        "has_children": True,
        "children": [
            {
                "child_birth": {"value": "2023-01", "uncertain": False},
                "child_care": "kita",
                "child_hours": 6,
            },
            {
                "child_birth": {"value": "2015-09", "uncertain": False},
                "child_care": "school",
                "child_hours": 5,
            },
        ],
        "adult_hours": 8,
    }
    answers.update(extra)
    return answers


def test_complete_answers_have_no_issues(form):
    answers = base()
    assert validate_answers(form, answers, today=TODAY) == []
    assert is_complete(form, answers, today=TODAY)


def test_calculations_in_and_across_repeats(form):
    state = evaluate(form, base(), today=TODAY)
    assert state.values["age"] == 35
    assert [c["child_age"] for c in state.values["children"]] == [3, 10]
    assert state.values["youngest"] == 3
    assert state.values["kita_children"] == 2
    assert state.is_visible("adult_note")


def test_today_is_injectable(form):
    answers = base(birth={"value": "2008-06-01", "uncertain": False})
    assert not evaluate(form, answers, today=date(2026, 5, 31)).is_visible("adult_note")
    assert evaluate(form, answers, today=date(2026, 6, 1)).is_visible("adult_note")


def test_relevance_follows_multiple_choice(form):
    assert evaluate(form, base(langs=["fa_AF"]), today=TODAY).is_visible("arabic_script")
    state = evaluate(form, base(langs=["uk"]), today=TODAY)
    assert not state.is_visible("arabic_script")
    issues = validate_answers(form, base(langs=["uk"]), today=TODAY)
    assert [(i.field, i.code, i.severity) for i in issues] == [
        ("arabic_script", "hidden", "warning")
    ]


def test_repeat_context_per_instance(form):
    answers = base()
    answers["children"][0]["child_care"] = "none"
    state = evaluate(form, answers, today=TODAY)
    assert not state.is_visible("child_hours", 0)
    assert state.is_visible("child_hours", 1)
    assert state.is_required("child_hours", 1)
    # The hidden answer in instance 0 is reported, the one in instance 1 is not.
    issues = validate_answers(form, answers, today=TODAY)
    assert [(i.field, i.index, i.code) for i in issues] == [("child_hours", 0, "hidden")]


def test_choice_filter_uses_the_instance(form):
    state = evaluate(form, base(), today=TODAY)
    assert [c.name for c in state.allowed_choices("child_care", 0)] == ["none", "kita"]
    assert [c.name for c in state.allowed_choices("child_care", 1)] == ["none", "school"]
    answers = base()
    answers["children"][0]["child_care"] = "school"
    issues = validate_answers(form, answers, today=TODAY)
    assert ("child_care", 0, "choice") in [(i.field, i.index, i.code) for i in issues]


def test_constraint_referring_outside_the_repeat(form):
    answers = base(adult_hours=5)
    issues = validate_answers(form, answers, today=TODAY)
    assert [(i.field, i.index, i.code, i.message) for i in issues] == [
        ("child_hours", 0, "constraint", "More than the adult's hours.")
    ]


def test_consent_locks_the_sensitive_section(form):
    for status in (None, "refused", "withdrawn"):
        answers = base(consent_family=status)
        state = evaluate(form, answers, today=TODAY)
        assert state.sections["family"].locked
        assert not state.is_visible("has_children")
        assert not state.is_visible("child_birth", 0)
        codes = {(i.field, i.code) for i in validate_answers(form, answers, today=TODAY)}
        assert ("has_children", "locked") in codes
        assert ("child_birth", "locked") in codes
        document = build_document(form, answers, today=TODAY, finalize=True)
        assert "has_children" not in document.answers and "children" not in document.answers
    assert not evaluate(form, base(), today=TODAY).sections["family"].locked


def test_required_and_repeat_counts(form):
    answers = base(name="", children=[])
    issues = validate_answers(form, answers, today=TODAY)
    assert {(i.field, i.code) for i in issues} == {("name", "required"), ("children", "repeat_min")}
    too_many = base(children=[base()["children"][1]] * 4)
    issues = validate_answers(form, too_many, today=TODAY)
    assert [(i.field, i.code, i.params) for i in issues] == [
        ("children", "repeat_max", {"count": 3})
    ]
    assert issues[0].text() == "Enter at most 3 entries."


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", 5),
        ("birth", "1990"),
        ("birth", {"value": "1990-13", "uncertain": False}),
        ("birth", {"value": "1990", "uncertain": "maybe"}),
        ("langs", "ar"),
        ("langs", ["ar", "ar"]),
        ("arabic_script", "yes"),
        ("adult_hours", 7.5),
        ("adult_hours", True),
    ],
)
def test_wrong_value_types_are_reported_not_crashing(form, field, value):
    issues = validate_answers(form, base(**{field: value}), today=TODAY)
    assert (field, "type") in {(i.field, i.code) for i in issues}


def test_damaged_answers_never_crash(form):
    for damaged in (
        {"children": "x"},
        {"children": [1, 2]},
        {"ghost": 1},
        {"birth": {"value": None}},
    ):
        issues = validate_answers(form, base(**damaged), today=TODAY)
        assert issues
    assert validate_answers(form, ["not", "a", "dict"])[0].code == "type"


def test_constraint_on_partial_date(form):
    issues = validate_answers(form, base(birth={"value": "2027", "uncertain": False}), today=TODAY)
    assert [(i.field, i.code) for i in issues] == [("birth", "constraint")]


def test_progress_counts_visible_questions(form):
    answers = base()
    answers["children"][1].pop("child_hours")
    report = progress(form, answers, today=TODAY)
    assert report["start"].required_total == 4
    assert report["start"].required_answered == 4
    family = report["family"]
    # has_children + 2 × (birth, care, hours) + adult_hours
    assert family.total == 8
    assert family.answered == 7
    assert not family.complete
    locked = progress(form, base(consent_family="refused"), today=TODAY)["family"]
    assert locked.locked and locked.total == 0


def test_defaults_and_new_instances(form):
    answers = new_answers(form)
    assert answers == {"name": "?", "children": [], "adult_hours": 8}
    assert new_repeat_instance(form, "children") == {}
    with pytest.raises(KeyError):
        new_repeat_instance(form, "name")


def test_answer_document_round_trip(form):
    answers = base()
    document = build_document(form, answers, today=TODAY)
    assert document.form_id == "family" and document.form_version == "3"
    assert document.answers["age"] == 35
    assert "status" not in document.answers
    again = AnswerDocument.from_json(document.to_json())
    assert again == document
    assert answers["children"][0].get("child_age") is None  # the input was not modified
    with pytest.raises(ValueError):
        AnswerDocument.from_dict({"form_id": "x", "answers": {}})
