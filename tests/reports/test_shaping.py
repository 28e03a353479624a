"""The text engine: bidi levels and order against python-bidi, HarfBuzz shaping that really
reaches the PDF (glyph advances and the rendered image), line breaking."""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata

import pdfplumber
import pytest
import uharfbuzz
from bidi import get_display
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from intake import fonts
from intake.reports import pdffonts
from intake.reports.layout import Text, TextStyle
from intake.reports.textlayout import (
    draw_line,
    embedding_levels,
    shape_paragraph,
    visual_order,
)

MIXED = [
    ("موعدك في 15.04.2026 مع Jobcenter Teststadt.", True),
    ("Job title: نجار, 7115", False),
    ("Ваш консультант: Beraterin Probe", False),
    ("إذا لم تتمكن من الحضور، أبلغ الـ Jobcenter قبل الموعد.", True),
    ("ئەگەر ناتوانیت بێیت، پێش ژوانەکە بە Jobcenter ڕابگەیەنە.", True),
    ("ټول 3 ګامونه د Jobcenter سره", True),
]


@pytest.mark.parametrize(("text", "rtl"), MIXED)
def test_levels_and_reordering_match_python_bidi(text, rtl):
    levels = embedding_levels(text, rtl)
    ours = "".join(text[i] for i in visual_order(levels))
    assert ours == get_display(text, base_dir="R" if rtl else "L")


def _hb_advances(path, text, language):
    blob = uharfbuzz.Blob.from_file_path(str(path))
    font = uharfbuzz.Font(uharfbuzz.Face(blob))
    buffer = uharfbuzz.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    buffer.language = language
    uharfbuzz.shape(font, buffer, {"kern": True, "liga": True})
    return [info.codepoint for info in buffer.glyph_infos], [
        pos.x_advance for pos in buffer.glyph_positions
    ]


def test_arabic_glyphs_are_contextual_forms_not_isolated_letters():
    word = "موعدك"
    path = fonts.family_for_script(fonts.ARABIC).path()
    shaped_glyphs, _advances = _hb_advances(path, word, "ar")
    arabic = pdffonts.font_for_script(fonts.ARABIC)
    isolated = [arabic.face.charToGlyph[ord(ch)] for ch in reversed(word)]
    assert len(shaped_glyphs) == len(isolated)
    assert shaped_glyphs != isolated, "joining forms replace the isolated letters"
    ours = shape_paragraph(word, TextStyle(size=20), rtl=True, language="ar")
    drawn = [arabic.face.charToGlyph[ord(g.code)] for run in ours.runs for g in run.glyphs]
    assert drawn == shaped_glyphs


def _pdf_with(text: str, rtl: bool, size: float = 28, shaped: bool = True) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(400, 80))
    if shaped:
        line = shape_paragraph(text, TextStyle(size=size), rtl=rtl, language="ar").lines(380)[0]
        draw_line(canvas, line, 10, 25)
    else:  # the naive way: the characters' own (isolated) glyphs, in memory order
        font = pdffonts.font_for_script(fonts.ARABIC)
        canvas.setFont(font.fontName, size)
        canvas.drawString(10, 25, text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_glyph_positions_in_the_pdf_are_harfbuzz_positions():
    word = "موعدك القادم"
    data = _pdf_with(word, rtl=True)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        chars = sorted(pdf.pages[0].chars, key=lambda c: c["x0"])
    path = fonts.family_for_script(fonts.ARABIC).path()
    _glyphs, advances = _hb_advances(path, word, "ar")
    widths = [round(c["x1"] - c["x0"], 2) for c in chars]
    expected = [round(a * 28 / 1000, 2) for a in advances]
    assert widths == expected, "each glyph advances by HarfBuzz's amount"
    text = "".join(c["text"] for c in chars)
    assert text == get_display(word, base_dir="R"), "visual order, base letters"


def _components(png: bytes) -> int:
    """Connected areas of ink (8-neighbourhood) in a rendered image."""
    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    pixels = image.load()
    ink = {(x, y) for x in range(width) for y in range(height) if pixels[x, y] < 128}
    count = 0
    while ink:
        count += 1
        stack = [ink.pop()]
        while stack:
            x, y = stack.pop()
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    neighbour = (x + dx, y + dy)
                    if neighbour in ink:
                        ink.remove(neighbour)
                        stack.append(neighbour)
    return count


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_rendered_arabic_letters_join(tmp_path):
    word = "سلسلة"  # five letters that all join: one connected stroke when shaped

    def render(shaped: bool) -> bytes:
        pdf = tmp_path / f"word-{shaped}.pdf"
        pdf.write_bytes(_pdf_with(word, rtl=True, shaped=shaped))
        stem = tmp_path / f"word-{shaped}"
        subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", pdf, stem], check=True)
        return stem.with_suffix(".png").read_bytes()

    joined, isolated = _components(render(True)), _components(render(False))
    assert joined <= 3  # one stroke, plus the two dots of the final ta marbuta
    assert isolated >= joined + 3  # unshaped, every letter stands alone


def test_lines_break_at_spaces_and_keep_rtl_order():
    text = "يرجى إحضار هذه الورقة ووثيقة هويتك إلى الموعد في 15.04.2026."
    shaped = shape_paragraph(text, TextStyle(size=10), rtl=True, language="ar")
    lines = shaped.lines(90)
    assert len(lines) > 1
    assert " ".join(line.text for line in lines) == text
    assert all(line.width <= 90 + 0.01 for line in lines)
    flowable = Text(text, TextStyle(size=10), rtl=True)
    assert flowable.align == "right"


def test_every_shipped_language_sample_has_glyphs():
    samples = {
        fonts.LATIN: "Ää Ğğ Şş Êê Çç",
        fonts.CYRILLIC: "Ії Єє Ґґ Ёё",
        fonts.ARABIC: "ابجد پچژگ ێۆ ټډړ",
        fonts.ETHIOPIC: "ሀለሐመ ትግርኛ",
    }
    assert not fonts.missing_files()
    for script, sample in samples.items():
        font = pdffonts.font_for_script(script)
        missing = [
            ch
            for ch in sample
            if not ch.isspace()
            and unicodedata.category(ch) != "Mn"
            and ord(ch) not in font.face.charToGlyph
        ]
        assert not missing, f"{font.fontName} lacks {missing}"
