"""Walking the whole Erstprofil interview for fictional personas.

The walker behaves like the interview screen: it looks at the questions visible *now*, in form
order, answers the next one from the persona's script, and re-evaluates. It fails when a visible
required question has no scripted answer, and when the script answers a question that never
became visible — so each script also states what the form is expected to show. All people here
are invented.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from tests.personas import PERSONAS, TESFAY, TODAY

from intake.formengine import (
    Form,
    Group,
    build_document,
    evaluate,
    is_empty,
    new_answers,
    new_repeat_instance,
    progress,
    validate_answers,
)


def walk(form: Form, script: dict[str, Any]) -> dict[str, Any]:
    answers = new_answers(form)
    visited: set[tuple[str, int | None]] = set()
    used: set[tuple[str, int | None]] = set()
    for _ in range(5000):
        state = evaluate(form, answers, today=TODAY)
        step = next((k for k, shown in state.visible.items() if shown and k not in visited), None)
        if step is None:
            break
        visited.add(step)
        item_id, index = step
        item = form.items[item_id]
        if isinstance(item, Group):
            if item.repeat_group:
                for _instance in script.get(item_id, []):
                    answers[item_id].append(new_repeat_instance(form, item_id))
                used.add(step)
            continue
        if not item.is_answer:
            continue
        source = script if index is None else script[item.repeat][index]
        target = answers if index is None else answers[item.repeat][index]
        if item_id in source:
            target[item_id] = copy.deepcopy(source[item_id])
            used.add(step)
        elif is_empty(target.get(item_id)) and state.is_required(item_id, index):
            raise AssertionError(f"required question {item_id}[{index}] was left unanswered")
    scripted: set[tuple[str, int | None]] = set()
    for key, value in script.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            scripted.add((key, None))
            for i, instance in enumerate(value):
                scripted.update((inner, i) for inner in instance)
        else:
            scripted.add((key, None))
    never_shown = scripted - used
    assert not never_shown, (
        f"scripted answers to questions that were never shown: {sorted(never_shown, key=str)}"
    )
    return answers


@pytest.fixture(scope="module")
def walked(erstprofil):
    return {name: walk(erstprofil, script) for name, script in PERSONAS.items()}


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_walk_ends_complete_and_consistent(erstprofil, walked, name):
    answers = walked[name]
    issues = validate_answers(erstprofil, answers, today=TODAY)
    assert issues == [], [(i.field, i.index, i.code) for i in issues]
    report = progress(erstprofil, answers, today=TODAY)
    assert all(p.complete for p in report.values())
    document = build_document(erstprofil, answers, today=TODAY, finalize=True)
    assert document.form_id == "erstprofil" and document.form_version == "2026.1"
    for key in (
        "family_name",
        "given_names",
        "family_name_latin",
        "given_names_latin",
        "birth_date",
    ):
        assert document.answers[key] == PERSONAS[name][key]
    assert "status" not in document.answers
    assert document.to_json()  # JSON-serialisable


def test_samer_second_script_and_children(erstprofil, walked):
    answers = walked["samer"]
    state = evaluate(erstprofil, answers, today=TODAY)
    assert state.values["literacy_need"] == "second_script"
    assert state.is_visible("second_script_note") and not state.is_visible("literacy_course_note")
    assert state.values["age"] == 25
    assert [c["child_age"] for c in state.values["children"]] == [3, 1]
    assert state.values["youngest_child_age"] == 1
    assert state.values["childcare_gap"] is True and state.is_visible("childcare_gap_note")
    assert not state.is_visible("child_hours_covered", 0)  # only asked when care exists
    assert state.is_visible("child_care_start", 0) and not state.is_visible("child_care_start", 1)
    assert [c.name for c in state.allowed_choices("child_care", 1)] == [
        "none",
        "waiting_list",
        "applied",
        "kita",
        "day_care",
    ]
    assert state.sections["health"].locked and not state.sections["circumstances"].locked
    steps = {c.name for c in state.allowed_choices("step_type", 0)}
    assert "kita_application" in steps and "medical_service" not in steps
    document = build_document(erstprofil, answers, today=TODAY, finalize=True).answers
    assert len(document["children"]) == 2 and "has_limitations" not in document


def test_olena_consent_refused_locks_circumstances_and_health(erstprofil, walked):
    answers = walked["olena"]
    state = evaluate(erstprofil, answers, today=TODAY)
    assert state.sections["circumstances"].locked and state.sections["health"].locked
    assert not state.is_visible("consent_share_childcare")
    assert not state.is_visible("interpreter_language")
    assert state.values["literacy_need"] == "none"
    assert state.is_required("residence_first_issued")  # § 24: first issue date is required
    assert {c.name for c in state.allowed_choices("cert_level", 0)} == {"a2", "b1"}  # DTZ
    assert "c2" in {c.name for c in state.allowed_choices("cert_level", 1)}  # telc
    assert "framework" not in {c.name for c in state.allowed_choices("need_heading", 0)}
    assert "kita_application" not in {c.name for c in state.allowed_choices("step_type", 0)}
    assert state.values["work_months_total"] == 185
    # Recording a sensitive answer without consent is an error and never saved on completion.
    tampered = {**answers, "has_children": True}
    issues = validate_answers(erstprofil, tampered, today=TODAY)
    assert [(i.field, i.code) for i in issues] == [("has_children", "locked")]
    document = build_document(erstprofil, tampered, today=TODAY, finalize=True)
    assert "has_children" not in document.answers
    # Withdrawing the course-provider consent asks for the withdrawal date.
    withdrawn = {**answers, "consent_share_course_providers": "withdrawn"}
    issues = validate_answers(erstprofil, withdrawn, today=TODAY)
    assert [(i.field, i.code) for i in issues] == [("consent_withdrawn_on", "required")]


def test_maryam_literacy_course_health_and_documents(erstprofil, walked):
    answers = walked["maryam"]
    state = evaluate(erstprofil, answers, today=TODAY)
    assert state.values["literacy_need"] == "literacy"
    assert state.is_visible("literacy_course_note")
    assert not state.is_visible("ik_type_literacy_note")  # she has the literacy course already
    other_course = evaluate(erstprofil, {**answers, "ik_type": "women"}, today=TODAY)
    assert other_course.is_visible("ik_type_literacy_note")
    assert not state.is_visible("school_documents") and not state.is_visible("school_evaluation")
    assert state.is_visible("work_permission_note")
    assert not state.is_visible("children") and not state.is_visible("course_childcare_needed")
    assert state.is_visible("limitation_other") and state.is_required("limitation_other")
    assert "medical_service" in {c.name for c in state.allowed_choices("step_type", 1)}
    # Withdrawing health consent locks the section again; completion drops its answers.
    withdrawn = {**answers, "consent_health": "withdrawn", "consent_withdrawn_on": "2026-03-16"}
    issues = {(i.field, i.code) for i in validate_answers(erstprofil, withdrawn, today=TODAY)}
    assert ("limitations", "locked") in issues and ("medical_referral", "locked") in issues
    # ... and the medical-service step is no longer offered.
    assert ("step_type", "choice") in issues
    document = build_document(erstprofil, withdrawn, today=TODAY, finalize=True).answers
    assert not {"has_limitations", "limitations", "limitation_other"} & set(document)


def test_tesfay_informal_work_and_licence(erstprofil, walked):
    answers = walked["tesfay"]
    state = evaluate(erstprofil, answers, today=TODAY)
    assert state.values["literacy_need"] == "second_script"
    assert not state.is_visible("job_to", 2) and state.is_visible("job_to", 0)
    months = [job["job_months"] for job in state.values["jobs"]]
    assert months == [51, 60, 4]
    assert state.values["work_months_total"] == 115
    assert "ukraine_protection" not in {c.name for c in state.allowed_choices("licence_status")}
    ukrainian = evaluate(erstprofil, {**answers, "licence_country": "UA"}, today=TODAY)
    assert "ukraine_protection" in {c.name for c in ukrainian.allowed_choices("licence_status")}
    assert state.sections["health"].locked and not state.sections["circumstances"].locked
    assert not state.is_visible("children")


def test_walker_notices_missing_required_answers(erstprofil):
    script = dict(TESFAY)
    del script["licence_status"]
    with pytest.raises(AssertionError, match="licence_status"):
        walk(erstprofil, script)
    script = {**TESFAY, "care_hours_week": 10}  # care_for_relatives is False: never shown
    with pytest.raises(AssertionError, match="never shown"):
        walk(erstprofil, script)


def test_empty_interview_progress(erstprofil):
    report = progress(erstprofil, new_answers(erstprofil), today=TODAY)
    assert report["meta"].answered == 1  # the default setting
    assert report["circumstances"].locked and report["health"].locked
    assert not report["person"].complete
