"""The case-file summary (German): header, strengths → needs → goal → next steps, key facts.

Follows the Bundesagentur's four-phase model as the form does (SPEC §2, §6): strengths first,
then the needs for action under the five BA headings with their priority, the integration goal
and the next steps with dates and owners; after that the key facts of each section. Sensitive
sections (personal circumstances, health) are printed only while their consent is ``given``, and
health appears as functional limitations and the referral flag only — never free text.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from intake import fonts
from intake.formengine import Form
from intake.reports.layout import (
    BODY,
    FRAME_WIDTH,
    HEADING,
    LABEL,
    STRONG,
    TITLE,
    Group,
    Rule,
    StartGroup,
    Text,
    grid,
)
from intake.reports.model import ReportInput
from intake.reports.texts import N_, ReportText

NEED_HEADINGS = ("qualification", "performance", "motivation", "framework", "labour_market")
PRIORITY_ORDER = {"p1": 0, "p2": 1, "p3": 2}
SKILLS = (
    ("lang_listening", N_("Listening")),
    ("lang_reading", N_("Reading")),
    ("lang_spoken_interaction", N_("Spoken interaction")),
    ("lang_spoken_production", N_("Spoken production")),
    ("lang_writing", N_("Writing")),
)


CEFR_SHORT = {"none": "–", "pre_a1": "< A1"}


def Plain(text: str, style=BODY, **kwargs) -> Text:
    """German running text: left to right whatever script a value is written in."""
    return Text(text, style, rtl=False, **kwargs)


def _has(value: Any) -> bool:
    return value not in (None, "", [], {})


class _Writer:
    """Collects the flowables of one summary; ``t`` gives German texts."""

    def __init__(self, source: ReportInput) -> None:
        self.source = source
        self.form: Form = source.form
        self.answers = source.answers
        self.t = ReportText("de")
        self.out: list[Flowable] = []
        self._original_label = self.t("Name (original script)")

    # -- helpers ------------------------------------------------------------------------------

    def stated(self, text: Any) -> str:
        """Words as the client said them, kept from reordering the German text around them."""
        text = str(text or "")
        return text + "\u200e" if any(fonts.script_of(ch) == fonts.ARABIC for ch in text) else text

    def value(self, question_id: str, answers: dict[str, Any] | None = None) -> str:
        answers = self.answers if answers is None else answers
        value = answers.get(question_id)
        if not _has(value):
            return ""
        try:
            question = self.form.question(question_id)
        except KeyError:  # an answer of an older form version
            return str(value)
        if question.type in ("date", "partial_date"):
            return self.t.date(value)
        if question.type in ("text", "long_text", "integer", "decimal", "calculate"):
            return _number(value) if isinstance(value, float) else str(value)
        return self.t.choice(self.form, question_id, value)

    def heading(self, msgid: str) -> None:
        self.out.append(CondPageBreak(28 * mm))
        self.out.append(Plain(self.t(msgid), HEADING, space_before=3.5, space_after=1))
        self.out.append(Rule(1.0))

    def facts(self, rows: list[tuple[str, str]], columns: int = 2) -> None:
        """Label/value pairs in ``columns`` side-by-side blocks."""
        rows = [(label, value) for label, value in rows if value]
        if not rows:
            return
        per_column = -(-len(rows) // columns)
        label_width = 31 * mm if columns > 1 else 36 * mm
        value_width = FRAME_WIDTH / columns - label_width
        cells: list[list[Flowable | str]] = []
        for index in range(per_column):
            row: list[Flowable | str] = []
            for column in range(columns):
                position = column * per_column + index
                if position < len(rows):
                    label, value = rows[position]
                    value_cell = (
                        Text(value, BODY, align="left")
                        if label == self._original_label
                        else Plain(value)
                    )
                    row += [Plain(label, LABEL), value_cell]
                else:
                    row += ["", ""]
            cells.append(row)
        self.out.append(grid(cells, [label_width, value_width] * columns))

    def paragraph(self, label: str, text: str) -> None:
        if text:
            self.out.append(Plain(f"{label}: {text}" if label else text, BODY, space_after=1))

    # -- sections -----------------------------------------------------------------------------

    def header(self) -> None:
        t, a = self.t, self.answers
        source = self.source
        latin = ", ".join(v for v in (a.get("family_name_latin"), a.get("given_names_latin")) if v)
        original = " ".join(v for v in (a.get("given_names"), a.get("family_name")) if v)
        self.out.append(
            grid(
                [
                    [
                        Plain(t("First profile: summary for the case file"), TITLE),
                        Text(source.jobcenter or "Jobcenter", STRONG, rtl=False, align="right"),
                    ]
                ],
                [FRAME_WIDTH - 60 * mm, 60 * mm],
                padding=0,
                rules=False,
            )
        )
        self.facts(
            [
                (t("Name (Latin letters)"), latin),
                (t("Name (original script)"), original if original != latin else ""),
                (t("Date of birth"), self.value("birth_date")),
                (t("Customer number"), self.value("customer_number")),
                (t("Interview on"), self.value("started_on")),
                (t("Counselor"), self.value("counselor")),
                (t("Interview language"), self.value("interview_language")),
                (t("Interpreter"), self.value("interpreter")),
                (t("Form"), f"{source.form_id} {source.form_version}".strip()),
            ]
        )

    def strengths(self) -> None:
        t = self.t
        self.heading(N_("1. Strengths"))
        self.paragraph("", self.value("strengths_summary"))
        self.paragraph(t("Strengths shown"), self.value("competences"))
        self.paragraph(t("Examples"), self.value("competence_examples"))
        self.paragraph(t("Digital skills"), self.value("digital"))
        self.paragraph(t("Interests"), self.value("interests"))

    def needs(self) -> None:
        t = self.t
        self.heading(N_("2. Needs for action"))
        needs = [n for n in self.answers.get("needs") or [] if isinstance(n, dict)]
        if self.answers.get("consent_sensitive") != "given":
            needs = [n for n in needs if n.get("need_heading") != "framework"]
        rows: list[list[Flowable | str]] = [
            [Plain(t("Area"), STRONG), Plain(t("Need"), STRONG), Plain(t("Priority"), STRONG)]
        ]
        for heading in NEED_HEADINGS:
            items = sorted(
                (n for n in needs if n.get("need_heading") == heading),
                key=lambda n: PRIORITY_ORDER.get(n.get("need_priority"), 9),
            )
            label = t.choice(self.form, "need_heading", heading)
            if not items:
                rows.append([Plain(label, BODY), Plain(t("none recorded"), LABEL), ""])
            for index, need in enumerate(items):
                rows.append(
                    [
                        Plain(label if index == 0 else "", BODY),
                        Plain(str(need.get("need_item") or ""), BODY),
                        Plain(self.value("need_priority", need), BODY),
                    ]
                )
        self.out.append(grid(rows, [42 * mm, FRAME_WIDTH - 70 * mm, 28 * mm], header=True))

    def goal(self) -> None:
        t = self.t
        self.heading(N_("3. Goal"))
        self.paragraph("", self.value("integration_goal"))
        hours = self.value("hours")
        if self.answers.get("hours") == "part_time" and _has(self.answers.get("part_time_hours")):
            hours += " (" + t("{hours} hours a week", hours=self.answers["part_time_hours"]) + ")"
        shift = self.answers.get("shift_work")
        self.facts(
            [
                (t("Target occupation"), self._occupation(self.answers.get("goal_occupation"))),
                (
                    t("Target occupations"),
                    "; ".join(self._occupation(code) for code in self._list("target_occupations")),
                ),
                (t("Preferred path"), self.value("career_path")),
                (t("Working hours"), hours),
                (t("Shift work possible"), t("yes" if shift else "no") if _has(shift) else ""),
                (t("Mobility"), self.value("mobility")),
            ]
        )

    def steps(self) -> None:
        t = self.t
        self.heading(N_("4. Next steps"))
        steps = sorted(
            (s for s in self.answers.get("next_steps") or [] if isinstance(s, dict)),
            key=lambda s: str(s.get("step_due") or "9999"),
        )
        rows: list[list[Flowable | str]] = [
            [Plain(t("Step"), STRONG), Plain(t("Due"), STRONG), Plain(t("Responsible"), STRONG)]
        ]
        for step in steps:
            label = self.value("step_type", step)
            if step.get("step_type") == "other" and step.get("step_other"):
                label = f"{label}: {step['step_other']}"
            rows.append(
                [
                    Plain(label, BODY),
                    Plain(self.value("step_due", step), BODY),
                    Plain(self.value("step_owner", step), BODY),
                ]
            )
        if len(rows) == 1:
            rows.append([Plain(t("none recorded"), LABEL), "", ""])
        self.out.append(grid(rows, [FRAME_WIDTH - 70 * mm, 26 * mm, 44 * mm], header=True))
        follow_up = self.value("follow_up_on")
        if follow_up:
            self.out.append(
                Plain(f"{t('Follow-up appointment')}: {follow_up}", STRONG, space_before=2)
            )

    def key_facts(self) -> None:
        t, a = self.t, self.answers
        self.heading(N_("5. Key facts"))
        residence = self.value("residence_title")
        if a.get("residence_title") == "other" and a.get("residence_title_other"):
            residence = f"{residence}: {a['residence_title_other']}"
        if _has(a.get("residence_valid_until")):
            residence += ", " + t("valid until {date}", date=self.value("residence_valid_until"))
        requirement = ""
        if a.get("residence_requirement") is True:
            requirement = t("yes") + (
                f", {a.get('residence_requirement_place')}"
                if a.get("residence_requirement_place")
                else ""
            )
            if _has(a.get("residence_requirement_until")):
                requirement += ", " + t(
                    "until {date}", date=self.value("residence_requirement_until")
                )
        elif a.get("residence_requirement") is False:
            requirement = t("no")
        household = ""
        if _has(a.get("household_size")):
            count = a["household_size"]
            household = t("{count} persons", count=count) if count != 1 else t("1 person")
        self.out.append(CondPageBreak(20 * mm))
        self.out.append(Plain(t("Person and residence"), STRONG, space_before=2))
        self.facts(
            [
                (t("Nationality"), self.value("nationalities")),
                (t("Country of birth"), self.value("birth_country")),
                (t("Arrival in Germany"), self.value("arrival_date")),
                (t("Residence status"), residence),
                (t("Permission to work"), self.value("work_permission")),
                (t("Residence requirement"), requirement),
                (t("Accommodation"), self.value("accommodation")),
                (t("Household"), household),
            ]
        )
        self._languages()
        self._education()
        self._work()
        self._circumstances()
        self._health()

    def _languages(self) -> None:
        t, a = self.t, self.answers
        block: list[Flowable] = [Plain(t("Languages"), STRONG, space_before=3)]
        rows: list[list[Flowable | str]] = [
            [Plain(t("Language"), STRONG)]
            + [Plain(t(label), STRONG) for _id, label in SKILLS]
            + [Plain(t("Source"), STRONG)]
        ]
        for skill in a.get("language_skills") or []:
            if not isinstance(skill, dict):
                continue
            rows.append(
                [Plain(self.value("lang_code", skill), BODY)]
                + [Plain(self._cefr(skill.get(question)), BODY) for question, _label in SKILLS]
                + [Plain(self.value("lang_source", skill), BODY)]
            )
        if len(rows) > 1:
            block.append(
                grid(rows, [36 * mm] + [22 * mm] * 5 + [FRAME_WIDTH - 146 * mm], header=True)
            )
        self.out.append(KeepTogether(block))
        literacy = ""
        if _has(a.get("literacy_own_script")):
            literacy = t(
                "own script: {own}; Latin script: {latin}",
                own=self.value("literacy_own_script")
                + (f" ({self.value('own_script')})" if _has(a.get("own_script")) else ""),
                latin=self.value("latin_literacy") or self.t("yes"),
            )
        certificates = "; ".join(
            " ".join(
                part
                for part in (
                    self.value("cert_exam", cert),
                    self.value("cert_level", cert),
                    self.value("cert_date", cert),
                )
                if part
            )
            for cert in a.get("german_certificates") or []
            if isinstance(cert, dict)
        )
        ik = ", ".join(
            v
            for v in (self.value("ik_access"), self.value("ik_type"), self.value("ik_status"))
            if v
        )
        bsk = ", ".join(v for v in (self.value("bsk_status"), self.value("bsk_type")) if v)
        self.facts(
            [
                (t("First languages"), self.value("mother_tongues")),
                (t("Literacy"), literacy),
                (t("German certificates"), certificates),
                (t("Integration course"), ik),
                (t("Job-related language course"), bsk),
            ],
            columns=1,
        )

    def _education(self) -> None:
        t, a = self.t, self.answers
        school = ""
        if _has(a.get("school_years")):
            parts = [t("{years} years", years=a["school_years"]), self.value("school_level")]
            parts += [self.value("school_country"), self.value("school_last_year")]
            if _has(a.get("school_certificate")):
                parts.append(
                    t("school-leaving certificate")
                    if a["school_certificate"]
                    else t("no school-leaving certificate")
                )
            school = ", ".join(p for p in parts if p)
        trainings = []
        for item in a.get("trainings") or []:
            if not isinstance(item, dict):
                continue
            parts = [
                self.stated(item.get("training_title_stated")),
                self.value("training_type", item),
                self.value("training_country", item),
                t("{years} years", years=_number(item["training_years"]))
                if _has(item.get("training_years"))
                else "",
                (t("completed") if item.get("training_completed") else t("not completed"))
                if _has(item.get("training_completed"))
                else "",
                self._occupation(item.get("training_occupation")),
                f"{t('Recognition')}: {self.value('training_recognition', item)}"
                if _has(item.get("training_recognition"))
                else "",
            ]
            trainings.append(", ".join(p for p in parts if p))
        self.facts([(t("Schooling"), school)], columns=1)
        label = t("Vocational training and study")
        self.facts(
            [(label if index == 0 else "", text) for index, text in enumerate(trainings)],
            columns=1,
        )

    def _work(self) -> None:
        t, a = self.t, self.answers
        rows = []
        for job in a.get("jobs") or []:
            if not isinstance(job, dict):
                continue
            until = t("today") if job.get("job_current") else self.value("job_to", job)
            period = " – ".join(p for p in (self.value("job_from", job), until) if p)
            parts = [
                self.stated(job.get("job_title_stated")),
                self._occupation(job.get("job_occupation")),
                self.value("job_country", job),
                period,
                self.value("job_form", job),
            ]
            label = t("Work experience") if not rows else ""
            rows.append((label, ", ".join(p for p in parts if p)))
        self.facts(rows, columns=1)

    def _circumstances(self) -> None:
        t, a = self.t, self.answers
        title = Plain(t("Personal circumstances"), STRONG, space_before=3)
        if a.get("consent_sensitive") != "given":
            self.out.append(KeepTogether([title, Plain(t("not recorded: no consent"), LABEL)]))
            return
        rows = []
        for child in a.get("children") or []:
            if not isinstance(child, dict):
                continue
            parts = [self.value("child_care", child)]
            if _has(child.get("child_hours_covered")):
                parts.append(
                    t("care now {hours} h/day", hours=_number(child["child_hours_covered"]))
                )
            if _has(child.get("child_hours_needed")):
                needed = t("needs {hours} h/day", hours=_number(child["child_hours_needed"]))
                if child.get("child_time_window"):
                    needed += f" ({child['child_time_window']})"
                parts.append(needed)
            if child.get("child_special_needs"):
                parts.append(t("special support"))
            rows.append(
                (
                    t("Child born {date}", date=self.value("child_birth", child)),
                    ", ".join(p for p in parts if p),
                )
            )
        care = ""
        if a.get("care_for_relatives") is True:
            care = t("yes") + (
                f", {t('{hours} hours a week', hours=a['care_hours_week'])}"
                if _has(a.get("care_hours_week"))
                else ""
            )
        elif a.get("care_for_relatives") is False:
            care = t("no")
        licence = ""
        if a.get("driving_licence") is True:
            licence = ", ".join(
                p
                for p in (
                    self.value("licence_classes"),
                    self.value("licence_country"),
                    self.value("licence_status"),
                )
                if p
            ) or t("yes")
        elif a.get("driving_licence") is False:
            licence = t("no")
        rows += [
            (t("Childcare during a course"), self._yes_no("course_childcare_needed")),
            (t("Care for relatives"), care),
            (t("Driving licence"), licence),
            (t("Car available"), self._yes_no("car_access")),
            (t("Public transport usable"), self._yes_no("public_transport")),
            (t("Housing problem"), self._yes_no("housing_problem")),
            (t("Money problems"), self._yes_no("money_problem")),
        ]
        start = len(self.out)
        self.facts(rows, columns=2)
        self.out[start:] = [KeepTogether([title, *self.out[start:]])]  # no orphaned heading

    def _health(self) -> None:
        t, a = self.t, self.answers
        if a.get("consent_health") != "given" or not _has(a.get("has_limitations")):
            return
        limitations = self.value("limitations") if a.get("has_limitations") else t("none")
        self.facts(
            [
                (t("Health-related limitations"), limitations),
                (t("Referral to the medical service"), self._yes_no("medical_referral")),
            ],
            columns=1,
        )

    # -- small helpers --------------------------------------------------------------------------

    def _cefr(self, level: Any) -> str:
        if not _has(level):
            return ""
        return CEFR_SHORT.get(str(level), str(level).upper())

    def _yes_no(self, question_id: str) -> str:
        value = self.answers.get(question_id)
        return self.t("yes" if value else "no") if isinstance(value, bool) else ""

    def _list(self, question_id: str) -> list[Any]:
        value = self.answers.get(question_id)
        return value if isinstance(value, list) else ([value] if _has(value) else [])

    def _occupation(self, code: Any) -> str:
        if not _has(code):
            return ""
        return f"{code} {self.t.choice(self.form, 'job_occupation', code)}"


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)


def case_summary(source: ReportInput, group: Group) -> list[Flowable]:
    """The flowables of one person's case-file summary (starts a page group)."""
    writer = _Writer(source)
    writer.out.append(StartGroup(group))
    writer.header()
    writer.strengths()
    writer.needs()
    writer.goal()
    writer.steps()
    writer.key_facts()
    writer.out.append(Spacer(0, 2))
    return writer.out
