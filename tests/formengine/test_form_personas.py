"""Walking the whole Erstprofil interview for fictional personas.

The walker behaves like the interview screen: it looks at the questions visible *now*, in form
order, answers the next one from the persona's script, and re-evaluates. It fails when a visible
required question has no scripted answer, and when the script answers a question that never
became visible — so each script also states what the form is expected to show. All people here
are invented.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

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

TODAY = date(2026, 3, 16)


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


def langs(
    code: str,
    listening: str,
    reading: str,
    interaction: str,
    production: str,
    writing: str,
    source: str = "self",
) -> dict[str, str]:
    return {
        "lang_code": code,
        "lang_listening": listening,
        "lang_reading": reading,
        "lang_spoken_interaction": interaction,
        "lang_spoken_production": production,
        "lang_writing": writing,
        "lang_source": source,
    }


def meta(interpreter: str, language: str, setting: str = "desk") -> dict[str, Any]:
    script: dict[str, Any] = {
        "setting": setting,
        "interpreter": interpreter,
        "interview_language": language,
        "counselor": "Beraterin Probe",
        "started_on": "2026-03-16",
        "finished_on": "2026-03-16",
    }
    if interpreter != "none":
        script["interpreter_language"] = language
    return script


SAMER = {  # young Syrian, no Latin literacy, two children
    **meta("professional_onsite", "ar"),
    "consent_notice_given": True,
    "consent_notice_language": "ar",
    "consent_sensitive": "given",
    "consent_health": "refused",
    "consent_share_childcare": "given",
    "consent_share_course_providers": "given",
    "consent_share_recognition": "refused",
    "consent_method": "signature",
    "family_name": "التجريبي",
    "given_names": "سامر",
    "family_name_latin": "Al-Tajribi",
    "given_names_latin": "Samer",
    "birth_date": {"value": "2001", "uncertain": True},
    "sex": "male",
    "nationalities": ["SY"],
    "birth_country": "SY",
    "arrival_date": {"value": "2024-08", "uncertain": False},
    "customer_number": "999D000001",
    "phone": "0000 000000",
    "accommodation": "shared_accommodation",
    "household_size": 4,
    "household_members": [
        {"member_relation": "partner", "member_birth_year": {"value": "2002", "uncertain": False}},
        {"member_relation": "child", "member_birth_year": {"value": "2022", "uncertain": False}},
        {"member_relation": "child", "member_birth_year": {"value": "2024", "uncertain": False}},
    ],
    "residence_title": "s25_2_subsidiary",
    "residence_first_issued": "2025-02-10",
    "residence_valid_until": "2027-02-09",
    "work_permission": "employment_allowed",
    "residence_requirement": True,
    "residence_requirement_place": "Teststadt",
    "residence_requirement_until": "2028-02-10",
    "mother_tongues": ["ar"],
    "language_skills": [
        langs("ar", "c1", "b2", "c1", "c1", "b1"),
        langs("de", "pre_a1", "none", "pre_a1", "pre_a1", "none"),
    ],
    "literacy_own_script": "yes",
    "own_script": "Arab",
    "latin_literacy": "no",
    "has_german_certificate": False,
    "ik_access": "entitlement",
    "ik_type": "second_script",
    "ik_status": "waiting",
    "bsk_status": "not_planned",
    "school_years": 9,
    "school_level": "isced_2",
    "school_country": "SY",
    "school_last_year": 2015,
    "school_certificate": False,
    "has_training": False,
    "has_work": True,
    "jobs": [
        {
            "job_title_stated": "نجار",
            "job_occupation": "7115",
            "job_country": "SY",
            "job_from": {"value": "2016", "uncertain": True},
            "job_current": False,
            "job_to": {"value": "2023-12", "uncertain": False},
            "job_form": "informal",
            "job_tasks": "Doors and window frames",
        }
    ],
    "competences": ["manual_skill", "reliability"],
    "digital": ["smartphone", "messenger"],
    "target_occupations": ["7115"],
    "career_path": "job",
    "hours": "full_time",
    "shift_work": True,
    "mobility": "commute_60",
    "has_children": True,
    "children": [
        {
            "child_birth": {"value": "2022-04", "uncertain": False},
            "child_care": "waiting_list",
            "child_hours_needed": 5,
            "child_time_window": "8:00-13:00",
            "child_special_needs": False,
        },
        {
            "child_birth": {"value": "2024-11", "uncertain": False},
            "child_care": "none",
            "child_hours_needed": 5,
            "child_time_window": "8:00-13:00",
            "child_special_needs": False,
        },
    ],
    "course_childcare_needed": True,
    "care_for_relatives": False,
    "driving_licence": False,
    "public_transport": True,
    "housing_problem": False,
    "money_problem": False,
    "strengths_summary": "Experienced carpenter, reliable.",
    "needs": [
        {"need_heading": "qualification", "need_item": "German", "need_priority": "p1"},
        {
            "need_heading": "framework",
            "need_item": "Childcare for two children",
            "need_priority": "p1",
        },
    ],
    "integration_goal": "Work as a carpenter after the integration course.",
    "goal_occupation": "7115",
    "next_steps": [
        {"step_type": "integration_course", "step_due": "2026-04-15", "step_owner": "jobcenter"},
        {"step_type": "kita_application", "step_due": "2026-04-01", "step_owner": "both"},
    ],
    "follow_up_on": "2026-06-15",
}

OLENA = {  # Ukrainian civil engineer with B1 German
    **meta("none", "uk"),
    "consent_notice_given": True,
    "consent_notice_language": "uk",
    "consent_sensitive": "refused",
    "consent_health": "refused",
    "consent_share_course_providers": "given",
    "consent_share_recognition": "given",
    "consent_method": "paper_scanned",
    "family_name": "Тестова",
    "given_names": "Олена",
    "family_name_latin": "Testova",
    "given_names_latin": "Olena",
    "birth_date": {"value": "1984-07-02", "uncertain": False},
    "sex": "female",
    "nationalities": ["UA"],
    "birth_country": "UA",
    "arrival_date": {"value": "2022-04-05", "uncertain": False},
    "customer_number": "999D000002",
    "email": "olena.testova@example.org",
    "accommodation": "own_flat",
    "household_size": 1,
    "residence_title": "s24",
    "residence_first_issued": "2022-05-01",
    "residence_valid_until": "2027-03-04",
    "work_permission": "employment_allowed",
    "residence_requirement": False,
    "mother_tongues": ["uk", "ru"],
    "language_skills": [
        langs("uk", "c2", "c2", "c2", "c2", "c2"),
        langs("de", "b1", "b1", "b1", "b1", "a2", "certificate"),
        langs("en", "b2", "b2", "b1", "b1", "b1"),
    ],
    "literacy_own_script": "yes",
    "own_script": "Cyrl",
    "latin_literacy": "yes",
    "has_german_certificate": True,
    "german_certificates": [
        {"cert_exam": "dtz", "cert_level": "b1", "cert_date": "2023-11-10"},
        {"cert_exam": "telc", "cert_level": "b1", "cert_date": "2024-06-20"},
    ],
    "ik_access": "admission",
    "ik_type": "general",
    "ik_status": "completed",
    "dtz_result": "b1",
    "bsk_status": "planned",
    "bsk_type": "basis_b2",
    "school_years": 11,
    "school_level": "isced_3",
    "school_country": "UA",
    "school_last_year": 2001,
    "school_certificate": True,
    "school_documents": "original",
    "school_evaluation": "not_needed",
    "has_training": True,
    "trainings": [
        {
            "training_title_stated": "Інженер-будівельник",
            "training_field": "Civil engineering",
            "training_type": "university",
            "training_country": "UA",
            "training_years": 5,
            "training_completed": True,
            "training_occupation": "2142",
            "training_documents": "original",
            "training_regulated": "yes",
            "training_recognition": "counselling",
            "training_anabin": "h_plus",
        }
    ],
    "has_work": True,
    "jobs": [
        {
            "job_title_stated": "Інженер-конструктор",
            "job_occupation": "2142",
            "job_country": "UA",
            "job_from": {"value": "2006-09", "uncertain": False},
            "job_current": False,
            "job_to": {"value": "2022-02", "uncertain": False},
            "job_form": "employed",
            "job_tools": "AutoCAD",
        }
    ],
    "competences": ["organising", "problem_solving", "responsibility"],
    "digital": ["smartphone", "email", "office", "typing"],
    "target_occupations": ["2142", "3112"],
    "career_path": "job",
    "hours": "full_time",
    "shift_work": False,
    "mobility": "state",
    "strengths_summary": "Civil engineer with 15 years of experience.",
    "needs": [
        {
            "need_heading": "qualification",
            "need_item": "Recognition of the degree",
            "need_priority": "p1",
        }
    ],
    "integration_goal": "Work as a civil engineer.",
    "goal_occupation": "2142",
    "next_steps": [
        {"step_type": "job_language_course", "step_due": "2026-05-01", "step_owner": "jobcenter"},
        {"step_type": "recognition_counselling", "step_due": "2026-04-01", "step_owner": "client"},
    ],
    "follow_up_on": "2026-07-01",
}

MARYAM = {  # Afghan woman, six years of school, no documents
    **meta("phone_video", "fa_AF", setting="outreach"),
    "consent_notice_given": True,
    "consent_notice_language": "fa_AF",
    "consent_sensitive": "given",
    "consent_health": "given",
    "consent_share_childcare": "refused",
    "consent_share_course_providers": "given",
    "consent_share_recognition": "refused",
    "consent_method": "verbal_recorded",
    "family_name": "آزمایشی",
    "given_names": "مریم",
    "family_name_latin": "Azmayeshi",
    "given_names_latin": "Maryam",
    "birth_date": {"value": "1993", "uncertain": True},
    "sex": "female",
    "nationalities": ["AF"],
    "birth_country": "AF",
    "arrival_date": {"value": "2023-10", "uncertain": False},
    "accommodation": "shared_accommodation",
    "household_size": 2,
    "household_members": [
        {"member_relation": "parent", "member_birth_year": {"value": "1960", "uncertain": True}}
    ],
    "residence_title": "gestattung",
    "residence_first_issued": "2023-11-02",
    "residence_valid_until": "2026-05-01",
    "work_permission": "needs_permit",
    "residence_requirement": False,
    "mother_tongues": ["fa_AF"],
    "language_skills": [
        langs("fa_AF", "c1", "a2", "c1", "b2", "a1"),
        langs("de", "pre_a1", "none", "pre_a1", "none", "none", "counselor"),
    ],
    "literacy_own_script": "partly",
    "own_script": "Arab",
    "latin_literacy": "no",
    "has_german_certificate": False,
    "ik_access": "obligation_jc",
    "ik_type": "literacy",
    "ik_status": "waiting",
    "bsk_status": "not_planned",
    "school_years": 6,
    "school_level": "isced_1",
    "school_country": "AF",
    "school_last_year": 2005,
    "school_certificate": False,
    "has_training": False,
    "has_work": False,
    "competences": ["caring", "reliability", "manual_skill"],
    "digital": ["smartphone", "messenger"],
    "career_path": "unclear",
    "hours": "part_time",
    "part_time_hours": 20,
    "shift_work": False,
    "mobility": "local",
    "has_children": False,
    "care_for_relatives": True,
    "care_hours_week": 15,
    "driving_licence": False,
    "public_transport": True,
    "housing_problem": True,
    "housing_note": "No quiet place to study.",
    "money_problem": False,
    "has_limitations": True,
    "limitations": ["lifting", "other"],
    "limitation_other": "Cannot carry more than 5 kg",
    "medical_referral": True,
    "strengths_summary": "Cares for her mother, sews clothes.",
    "needs": [{"need_heading": "qualification", "need_item": "Literacy", "need_priority": "p1"}],
    "integration_goal": "Literacy course, then orientation.",
    "next_steps": [
        {"step_type": "integration_course", "step_due": "2026-04-15", "step_owner": "jobcenter"},
        {"step_type": "medical_service", "step_due": "2026-05-01", "step_owner": "jobcenter"},
    ],
    "follow_up_on": "2026-05-20",
}

TESFAY = {  # Eritrean with informal work experience
    **meta("staff", "ti"),
    "consent_notice_given": True,
    "consent_notice_language": "ti",
    "consent_sensitive": "given",
    "consent_health": "refused",
    "consent_share_childcare": "refused",
    "consent_share_course_providers": "given",
    "consent_share_recognition": "refused",
    "consent_method": "signature",
    "family_name": "ፈተና",
    "given_names": "ተስፋይ",
    "family_name_latin": "Fetena",
    "given_names_latin": "Tesfay",
    "birth_date": {"value": "1996-01", "uncertain": False},
    "sex": "male",
    "nationalities": ["ER"],
    "birth_country": "ER",
    "arrival_date": {"value": "2025-05", "uncertain": False},
    "accommodation": "shared_accommodation",
    "household_size": 1,
    "residence_title": "s25_2_refugee",
    "residence_first_issued": "2025-12-01",
    "residence_valid_until": "2028-11-30",
    "work_permission": "employment_allowed",
    "residence_requirement": True,
    "residence_requirement_place": "Teststadt",
    "mother_tongues": ["ti"],
    "language_skills": [
        langs("ti", "c2", "c1", "c2", "c2", "b2"),
        langs("ar", "b1", "a2", "b1", "b1", "a1"),
        langs("de", "a1", "a1", "a1", "pre_a1", "pre_a1", "counselor"),
    ],
    "literacy_own_script": "yes",
    "own_script": "Ethi",
    "latin_literacy": "partly",
    "has_german_certificate": False,
    "ik_access": "entitlement",
    "ik_type": "second_script",
    "ik_status": "running",
    "ik_module": 2,
    "bsk_status": "not_planned",
    "school_years": 4,
    "school_level": "isced_1",
    "school_country": "ER",
    "school_last_year": 2008,
    "school_certificate": False,
    "has_training": False,
    "has_work": True,
    "jobs": [
        {
            "job_title_stated": "ሓገዝ ህንጻ",
            "job_occupation": "9313",
            "job_country": "SD",
            "job_from": {"value": "2017-03", "uncertain": False},
            "job_current": False,
            "job_to": {"value": "2021-06", "uncertain": False},
            "job_form": "informal",
            "job_tasks": "Mixing concrete, carrying blocks",
        },
        {
            "job_title_stated": "ሕርሻ",
            "job_occupation": "6310",
            "job_country": "ER",
            "job_from": {"value": "2010", "uncertain": True},
            "job_current": False,
            "job_to": {"value": "2015", "uncertain": True},
            "job_form": "family_business",
        },
        {
            "job_title_stated": "Küchenhilfe",
            "job_occupation": "9412",
            "job_country": "DE",
            "job_from": {"value": "2025-11", "uncertain": False},
            "job_current": True,
            "job_form": "employed",
        },
    ],
    "competences": ["manual_skill", "resilience", "teamwork"],
    "digital": ["smartphone"],
    "target_occupations": ["7112", "9313"],
    "career_path": "apprenticeship",
    "hours": "full_time",
    "shift_work": True,
    "mobility": "germany",
    "has_children": False,
    "care_for_relatives": False,
    "driving_licence": True,
    "licence_country": "ER",
    "licence_classes": ["b"],
    "licence_status": "conversion_needed",
    "car_access": False,
    "public_transport": True,
    "housing_problem": False,
    "money_problem": True,
    "money_note": "Debts to relatives for the journey",
    "strengths_summary": "Years of building-site work, strong and reliable.",
    "needs": [
        {
            "need_heading": "labour_market",
            "need_item": "Experience not documented",
            "need_priority": "p2",
        }
    ],
    "integration_goal": "Apprenticeship as a bricklayer.",
    "goal_occupation": "7112",
    "next_steps": [
        {"step_type": "competence_check", "step_due": "2026-04-20", "step_owner": "jobcenter"},
        {"step_type": "driving_licence", "step_due": "2026-06-01", "step_owner": "client"},
    ],
    "follow_up_on": "2026-06-10",
}

PERSONAS = {"samer": SAMER, "olena": OLENA, "maryam": MARYAM, "tesfay": TESFAY}


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
