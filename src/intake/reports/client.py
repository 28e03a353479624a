"""The client copy: the agreed next steps and appointments in the client's language beside German.

Two columns on every row — German on the left, the interview language on the right (right-aligned
and right to left for Arabic, Dari, Farsi, Pashto and Sorani) — so the counselor can point at the
line they are explaining. Only what the client needs to act on is printed: their name, customer
number, the steps with due dates and who does them, the next appointment and the counselor.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from intake import fonts
from intake.reports.layout import (
    FRAME_WIDTH,
    HEADING,
    LABEL,
    TITLE,
    Group,
    Rule,
    StartGroup,
    Text,
    TextStyle,
    grid,
)
from intake.reports.model import ReportInput
from intake.reports.texts import N_, ReportText

OWNER_TEXTS = {
    "client": N_("You"),
    "jobcenter": N_("Jobcenter"),
    "both": N_("You and the Jobcenter"),
}
STEP_TEXTS = {
    "integration_course": N_("Integration course"),
    "job_language_course": N_("Job-related language course"),
    "recognition_counselling": N_("Recognition counselling"),
    "competence_check": N_("Competence check (e.g. MYSKILLS)"),
    "kita_application": N_("Apply for a childcare place"),
    "medical_service": N_("Appointment with the medical service"),
    "driving_licence": N_("Driving licence"),
    "other": N_("Other step"),
}
CLIENT_BODY = TextStyle(size=9.6)
CLIENT_STRONG = TextStyle(size=9.6, bold=True)
COLUMN = (FRAME_WIDTH - 4 * mm) / 2


def client_language(source: ReportInput, language: str | None = None) -> str:
    """The language of the copy: the one asked for, else the interview language, else English."""
    chosen = language or source.interview_language or "en"
    return chosen if chosen in fonts.LANGUAGE_SCRIPTS else chosen.split("_")[0]


class _Pair:
    """German and the client's language, side by side."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.de = ReportText("de")
        self.client = ReportText(language)
        self.rtl = fonts.is_rtl(language)

    def cells(self, msgid: str, style: TextStyle = CLIENT_BODY, **params) -> list[Flowable]:
        return [
            Text(self.de.client(msgid, **params), style, rtl=False, language="de"),
            Text(self.client.client(msgid, **params), style, rtl=self.rtl, language=self.language),
        ]

    def texts(self, german: str, client: str, style: TextStyle = CLIENT_BODY) -> list[Flowable]:
        return [
            Text(german, style, rtl=False, language="de"),
            Text(client, style, rtl=self.rtl, language=self.language),
        ]


def client_copy(source: ReportInput, group: Group, language: str | None = None) -> list[Flowable]:
    """The flowables of one client copy (starts a page group)."""
    a = source.answers
    lang = client_language(source, language)
    pair = _Pair(lang)
    out: list[Flowable] = [StartGroup(group)]
    out.append(Text(source.jobcenter or "Jobcenter", LABEL))
    out.append(
        grid(
            [pair.cells(N_("Your next steps"), TITLE), pair.cells(N_("Copy for you"), LABEL)],
            [COLUMN, COLUMN],
            padding=0,
        )
    )
    out.append(Rule(3))
    original = " ".join(v for v in (a.get("given_names"), a.get("family_name")) if v)
    latin = " ".join(v for v in (a.get("given_names_latin"), a.get("family_name_latin")) if v)
    rows = []
    if original or latin:
        rows.append([*pair.cells(N_("Name"), LABEL), Text(latin or original, CLIENT_STRONG)])
        if original and latin and original != latin:
            # The name as the client writes it; its direction comes from its own script.
            rows.append(["", "", Text(original, CLIENT_STRONG, align="left")])
    if a.get("customer_number"):
        rows.append(
            [
                *pair.cells(N_("Customer number"), LABEL),
                Text(str(a["customer_number"]), CLIENT_BODY),
            ]
        )
    if a.get("started_on"):
        rows.append(
            [
                *pair.cells(N_("Date of the interview"), LABEL),
                Text(pair.de.date(a["started_on"]), CLIENT_BODY),
            ]
        )
    if a.get("counselor"):
        rows.append(
            [*pair.cells(N_("Your counselor"), LABEL), Text(str(a["counselor"]), CLIENT_BODY)]
        )
    if rows:
        label_width = (FRAME_WIDTH - 70 * mm) / 2
        out.append(grid(rows, [label_width, label_width, 70 * mm], padding=1.5))
    out.append(Spacer(0, 3 * mm))
    out.append(Rule(1.5))
    steps = sorted(
        (s for s in a.get("next_steps") or [] if isinstance(s, dict) and s.get("step_type")),
        key=lambda s: str(s.get("step_due") or "9999"),
    )
    for step in steps:
        out.append(_step_block(pair, step))
    if a.get("follow_up_on"):
        out.append(Spacer(0, 4 * mm))
        out.append(
            grid([pair.cells(N_("Your next appointment"), HEADING)], [COLUMN, COLUMN], padding=0)
        )
        out.append(Rule(1.5))
        out.append(
            grid(
                [
                    pair.texts(
                        pair.de.date(a["follow_up_on"]),
                        pair.client.date(a["follow_up_on"]),
                        CLIENT_STRONG,
                    ),
                    pair.cells(
                        N_("Please bring this sheet and your identity document to the appointment.")
                    ),
                    pair.cells(
                        N_("If you cannot come, tell the Jobcenter before the appointment.")
                    ),
                ],
                [COLUMN, COLUMN],
                padding=1.5,
            )
        )
    out.append(Spacer(0, 6 * mm))
    out.append(
        grid(
            [
                pair.cells(
                    N_("This sheet is for your information. It is not an official decision."),
                    LABEL,
                )
            ],
            [COLUMN, COLUMN],
            padding=0,
        )
    )
    return out


def _step_block(pair: _Pair, step: dict) -> Flowable:
    step_type = str(step.get("step_type"))
    msgid = STEP_TEXTS.get(step_type, N_("Other step"))
    german, client = pair.de.client(msgid), pair.client.client(msgid)
    if step_type == "other" and step.get("step_other"):
        german = f"{german}: {step['step_other']}"
        client = f"{client}: {step['step_other']}"
    rows = [pair.texts(german, client, CLIENT_STRONG)]
    if step.get("step_due"):
        rows.append(
            pair.texts(
                f"{pair.de.client(N_('By when'))}: {pair.de.date(step['step_due'])}",
                f"{pair.client.client(N_('By when'))}: {pair.client.date(step['step_due'])}",
            )
        )
    owner = OWNER_TEXTS.get(str(step.get("step_owner")))
    if owner:
        rows.append(
            pair.texts(
                f"{pair.de.client(N_('Who is responsible'))}: {pair.de.client(owner)}",
                f"{pair.client.client(N_('Who is responsible'))}: {pair.client.client(owner)}",
            )
        )
    return grid(rows, [COLUMN, COLUMN], padding=1.5)
