"""Fixtures for the report tests: the shipped form, fictional people in every interview
language, and a reader that gives a PDF's text line by line as the content stream carries it
(visual order: right-to-left lines read from their left end)."""

from __future__ import annotations

import copy
import datetime as dt
import unicodedata
from pathlib import Path

import pdfplumber
import pytest
from bidi import get_display

from intake.formengine import Form, load_form
from intake.formengine.paths import default_form_path
from intake.reports import PrintInfo, ReportInput

try:  # the personas moved to a shared module; older trees keep them in the walk-through test
    from tests.personas import MARYAM, OLENA, SAMER, TESFAY
except ImportError:  # pragma: no cover - depends on the tree
    from tests.formengine.test_form_personas import MARYAM, OLENA, SAMER, TESFAY

PRINTED_AT = dt.datetime(2026, 3, 16, 10, 42)
INFO = PrintInfo(user="berater1", jobcenter="Jobcenter Teststadt", at=PRINTED_AT)

# Fictional names in the original script of each interview language: (given, family).
NAMES = {
    "ar": ("سامر", "التجريبي"),
    "uk": ("Олена", "Тестова"),
    "ru": ("Ольга", "Пробная"),
    "fa_AF": ("فرشته", "آزمایشی"),
    "tr": ("Ayşe", "Deneme"),
    "kmr": ("Rojda", "Ceribandin"),
    "ps": ("ګل احمد", "ازمایښتي"),
    "fa": ("نرگس", "آزمایشی"),
    "en": ("Grace", "Testperson"),
    "so": ("Hodan", "Tijaabo"),
    "ckb": ("ژیان", "تاقیکەرەوە"),
    "ti": ("ሳባ", "ተስፋይ"),
    "fr": ("Aminata", "Essai"),
}
LANGUAGES = tuple(NAMES)


@pytest.fixture(scope="session")
def form() -> Form:
    return load_form(default_form_path())


def persona(language: str) -> dict:
    """Samer's interview (a complete, valid profile) retold for a client of ``language``."""
    answers = copy.deepcopy(SAMER)
    given, family = NAMES[language]
    answers.update(
        interview_language=language,
        interpreter_language=language,
        given_names=given,
        family_name=family,
        given_names_latin="Testgiven",
        family_name_latin="Testfamily",
    )
    return answers


def source(form: Form, answers: dict) -> ReportInput:
    return ReportInput(
        form=form,
        answers=answers,
        form_id="erstprofil",
        form_version=form.version,
        profile_id="00000000-0000-4000-8000-000000000001",
        jobcenter="Jobcenter Teststadt",
    )


PERSONAS = {"samer": SAMER, "olena": OLENA, "maryam": MARYAM, "tesfay": TESFAY}


def _clean(text: str) -> str:
    return "".join(
        ch
        for ch in text
        if ch not in "\u200b\u200c\u200d\u200e\u200f" and unicodedata.category(ch) != "Mn"
    )


def pdf_lines(path_or_bytes) -> list[list[str]]:
    """Per page, each line's text in content-stream (visual) order, grouped by baseline.

    pdfplumber's own line grouping uses glyph boxes, which differ between the Latin and the
    Arabic font; the baseline (the text matrix) is what a line really shares.
    """
    import io

    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    pages = []
    with pdfplumber.open(source) as pdf:
        for page in pdf.pages:
            rows: dict[tuple[int, int], list[dict]] = {}
            for char in page.chars:
                if unicodedata.category(char["text"][:1] or " ") == "Mn":
                    continue  # marks sit on a raised baseline
                baseline = round(char["matrix"][5] * 2) / 2
                column = 0  # table columns: split where a gap is wider than 4 pt
                rows.setdefault((baseline, column), []).append(char)
            lines = []
            for (_baseline, _column), chars in sorted(rows.items(), key=lambda item: -item[0][0]):
                chars.sort(key=lambda c: c["x0"])
                text, last_end = "", None
                for char in chars:
                    if last_end is not None and char["x0"] - last_end > 4:
                        text += " | "
                    elif (
                        last_end is not None and char["x0"] - last_end > 1.2 and char["text"] != " "
                    ):
                        text += " "
                    text += char["text"]
                    last_end = char["x1"]
                lines.append(_clean(text))
            pages.append(lines)
    return pages


def visual(text: str, rtl: bool) -> str:
    """How ``text`` appears on paper, left to right (python-bidi's UAX #9 reordering)."""
    return _clean(get_display(text, base_dir="R" if rtl else "L"))


def contains(lines: list[str], text: str) -> bool:
    squeeze = lambda s: " ".join(s.split())  # noqa: E731
    return any(squeeze(text) in squeeze(line) for line in lines)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "out"
    directory.mkdir()
    return directory
