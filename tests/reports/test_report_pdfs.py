"""Case-file summaries and client copies, rendered and read back with a PDF parser.

Right-to-left text comes back from the content stream in visual order (glyphs left to right as
printed); the expected texts are put into that order with python-bidi before comparing.
"""

from __future__ import annotations

import copy
import io
import re

import pytest
from pypdf import PdfReader
from tests.reports.conftest import (
    INFO,
    LANGUAGES,
    NAMES,
    PERSONAS,
    contains,
    pdf_lines,
    persona,
    source,
    visual,
)

from intake import fonts
from intake.reports import render_bytes
from intake.reports.texts import ReportText, client_copy_msgids

GERMAN_HEADINGS = [
    "Erstprofil: Zusammenfassung für die Akte",
    "1. Stärken",
    "2. Handlungsbedarfe",
    "3. Ziel",
    "4. Nächste Schritte",
    "5. Eckdaten",
]


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_case_summary_is_one_german_page_with_the_four_phases(form, name):
    answers = PERSONAS[name]
    data = render_bytes("case", source(form, answers), INFO)
    pages = pdf_lines(data)
    assert len(pages) == 1, f"{name}: a typical profile fits on one page"
    lines = pages[0]
    positions = []
    for heading in GERMAN_HEADINGS:
        found = [i for i, line in enumerate(lines) if heading in line]
        assert found, f"{heading!r} missing in {name}'s summary"
        positions.append(found[0])
    assert positions == sorted(positions), "strengths → needs → goal → steps → key facts"
    original = f"{answers['given_names']} {answers['family_name']}"
    rtl = fonts.script_of(answers["given_names"][0]) == fonts.ARABIC
    assert contains(lines, visual(original, rtl)), f"name in original script: {original}"
    if answers.get("customer_number"):
        assert contains(lines, answers["customer_number"])
    assert contains(lines, "Gedruckt am 16.03.2026 um 10:42 von berater1")
    assert contains(lines, "Seite 1 von 1")
    assert contains(lines, "Vertraulich: Sozialdaten")


def test_case_summary_shows_the_five_ba_headings_and_steps_with_dates(form):
    lines = pdf_lines(render_bytes("case", source(form, PERSONAS["samer"]), INFO))[0]
    for heading in ("Qualifikation", "Leistungsfähigkeit", "Motivation", "Rahmenbedingungen"):
        assert contains(lines, heading)
    assert contains(lines, "Arbeitsmarkt")
    assert contains(lines, "15.04.2026") and contains(lines, "01.04.2026")  # due dates
    assert contains(lines, "Folgetermin: 15.06.2026")
    assert contains(lines, "7115")  # occupation code of the work history and the goal
    assert contains(lines, "Kind, geb. 04.2022")  # childcare need per child (consent given)


def test_sensitive_sections_need_their_consent(form):
    answers = copy.deepcopy(PERSONAS["samer"])
    answers["consent_sensitive"] = "withdrawn"
    lines = pdf_lines(render_bytes("case", source(form, answers), INFO))[0]
    assert contains(lines, "nicht erfasst: keine Einwilligung")
    assert not contains(lines, "Kind, geb.")
    assert not contains(lines, "Childcare for two children")  # a need under Rahmenbedingungen


def test_long_profile_breaks_cleanly_with_page_numbers_and_header(form):
    answers = copy.deepcopy(PERSONAS["samer"])
    job = answers["jobs"][0]
    answers["jobs"] = [dict(job, job_tasks=f"Task {i}") for i in range(15)]
    answers["needs"] = [
        {"need_heading": "qualification", "need_item": f"Need number {i}", "need_priority": "p2"}
        for i in range(15)
    ]
    answers["strengths_summary"] = " ".join(["Reliable and careful worker."] * 60)
    pages = pdf_lines(render_bytes("case", source(form, answers), INFO))
    assert len(pages) >= 2
    for number, lines in enumerate(pages, start=1):
        assert contains(lines, f"Seite {number} von {len(pages)}")
    for lines in pages[1:]:
        assert "Fortsetzung" in lines[0] and "Al-Tajribi, Samer" in lines[0]
    every_need = [f"Need number {i}" for i in range(15)]
    text = "\n".join(line for lines in pages for line in lines)
    assert all(need in text for need in every_need), "no row lost at a page break"


@pytest.mark.parametrize("language", LANGUAGES)
def test_client_copy_in_every_interview_language(form, language):
    data = render_bytes("client", source(form, persona(language)), INFO)
    pages = pdf_lines(data)
    assert len(pages) == 1
    lines = pages[0]
    rtl = fonts.is_rtl(language)
    client, german = ReportText(language), ReportText("de")
    expected = [
        "Your next steps",
        "Your next appointment",
        "Integration course",
        "Apply for a childcare place",
        "You and the Jobcenter",
    ]
    for msgid in expected:
        assert contains(lines, german.client(msgid)), f"German {msgid!r}"
        text = client.client(msgid)
        if language not in ("de", "en"):
            assert text != msgid, f"{msgid!r} is not translated into {language}"
        assert contains(lines, visual(text, rtl)), f"{language}: {text!r} missing"
    given, family = NAMES[language]
    assert contains(lines, visual(f"{given} {family}", rtl)), "name in original script"
    assert contains(lines, visual(client.client("Page {page} of {pages}", page=1, pages=1), rtl))


def test_every_client_text_is_translated_into_every_language():
    for language in LANGUAGES:
        text = ReportText(language)
        for msgid in client_copy_msgids():
            translated = text.client(msgid)
            assert translated.strip()
            if language != "en" and msgid not in ("Jobcenter",):
                assert translated != msgid or (language in ("fr",) and msgid == "Jobcenter")


def test_right_to_left_columns_are_right_aligned(form):
    import pdfplumber

    data = render_bytes("client", source(form, persona("ar")), INFO)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        arabic = [c for c in page.chars if fonts.script_of(c["text"][:1] or "a") == fonts.ARABIC]
        latin = [c for c in page.chars if "Arabic" not in c["fontname"]]
    assert arabic and latin
    right_edge = max(c["x1"] for c in arabic)
    # The client column ends at the right margin; German starts at the left one.
    assert right_edge > page.width - 45
    assert min(c["x0"] for c in latin) < 45


def test_fonts_are_embedded_subsets_that_read_back_as_letters(form):
    data = render_bytes("client", source(form, persona("ar")), INFO)
    reader = PdfReader(io.BytesIO(data))
    names = set()
    for page in reader.pages:
        content = page.get_contents().get_data().decode("latin-1")
        showing = set()  # fonts that really draw text (reportlab selects Helvetica at each
        current = None  # page start and never draws with it)
        for match in re.finditer(r"(/[\w+]+) [\d.]+ Tf|\bT[Jj]\b", content):
            if match.group(1):
                current = match.group(1)
            else:
                showing.add(current)
        for key, font in page["/Resources"]["/Font"].items():
            font = font.get_object()
            if key not in showing:
                continue
            names.add(str(font["/BaseFont"]))
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, "TrueType program embedded"
    assert any("NotoSansArabic" in n for n in names) and any("NotoSans-" in n for n in names)
    assert all("+" in n for n in names), "subset fonts carry a subset tag"
    text = "".join(page.extract_text() for page in reader.pages)
    private = [ch for ch in text if 0xE000 <= ord(ch) <= 0xF8FF]
    presentation = [ch for ch in text if 0xFB50 <= ord(ch) <= 0xFEFF]
    assert not private and not presentation, "ToUnicode gives the letters that were written"
