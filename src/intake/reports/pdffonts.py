"""The shipped fonts as reportlab fonts whose glyphs can be drawn by glyph id.

reportlab addresses TrueType glyphs through Unicode characters (each subset maps up to 256 codes
to characters, and the character's ``cmap`` entry picks the glyph). After HarfBuzz shaping many
glyphs have no character of their own (Arabic initial, medial and final forms, ligatures such as
lam-alef), so :class:`ShapingFont` gives each such glyph a private-use character and remembers
which text it stands for. Its ``ToUnicode`` map then names that real text instead of the
private-use character, so text extraction, search and copy-and-paste in a PDF viewer give the
letters that were written — not presentation forms or private-use codes.

reportlab 5's own shaping (``shapeStr``/``ShapedStr``) was not used: it shapes without a
direction, script or language, needs the unavailable ``rlbidi`` package for right-to-left text,
and maps unencoded glyphs to private-use characters in the ``ToUnicode`` map.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

import uharfbuzz
from bidi.mirror import MIRRORED
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFError, TTFont

from intake import fonts
from intake.errors import IntakeError
from intake.i18n import N_

_PRIVATE_FIRST, _PRIVATE_LAST = 0xE000, 0xF8FF
_REGISTER_LOCK = threading.Lock()


class FontsMissing(IntakeError):
    message = N_("The fonts for printing are missing or damaged in {path}; reinstall Intake.")


class ShapingFont(TTFont):
    """A reportlab TrueType font with a HarfBuzz font for shaping and glyph-id drawing."""

    def __init__(self, name: str, path: str) -> None:
        try:
            super().__init__(name, path, shapable=False)  # shaping happens in textlayout
        except (OSError, TTFError) as exc:
            raise FontsMissing(path=str(Path(path).parent)) from exc
        face = self.face
        self.units_per_em: int = face.unitsPerEm
        self.hb_font = uharfbuzz.Font(uharfbuzz.Face(uharfbuzz.Blob(face._ttf_data)))
        self._lock = threading.Lock()
        self._private: dict[tuple[int, str], str] = {}
        self._private_text: dict[int, str] = {}
        self._next_private = _PRIVATE_FIRST

    def code_for(self, glyph: int, text: str) -> str:
        """A character that draws ``glyph`` and reads back as ``text`` (its cluster's letters)."""
        if len(text) == 1:
            if self.face.charToGlyph.get(ord(text)) == glyph:
                return text
            mirrored = MIRRORED.get(text)  # "(" drawn as ")" in right-to-left text reads as ")"
            if mirrored and self.face.charToGlyph.get(ord(mirrored)) == glyph:
                return mirrored
        key = (glyph, text)
        code = self._private.get(key)
        if code is not None:
            return code
        with self._lock:
            code = self._private.get(key)
            if code is None:
                code = self._allocate(glyph, text)
        return code

    def _allocate(self, glyph: int, text: str) -> str:
        face = self.face
        point = self._next_private
        while point in face.charToGlyph:
            point += 1
        if point > _PRIVATE_LAST:
            raise RuntimeError(f"font {self.fontName} ran out of private-use codes")
        self._next_private = point + 1
        advance = face.hmetrics[min(glyph, len(face.hmetrics) - 1)][0]
        face.charWidths[point] = advance * 1000 / self.units_per_em
        face.glyphToChar.setdefault(glyph, []).append(point)
        face.charToGlyph[point] = glyph
        self._private_text[point] = text or " "
        code = chr(point)
        self._private[(glyph, text)] = code
        return code

    def width_of(self, code: str) -> float:
        """Advance of ``code``'s glyph in thousandths of an em, as the PDF's /Widths give it."""
        point = 32 if code == "\xa0" else ord(code)
        return self.face.charWidths.get(point, self.face.defaultWidth)

    def addObjects(self, doc) -> None:
        """Write the subsets as reportlab does, then give private-use codes their real text."""
        state = self.state.get(doc)
        subsets = [list(subset) for subset in state.subsets] if state is not None else []
        super().addObjects(doc)
        for index, subset in enumerate(subsets):
            if not any(code in self._private_text for code in subset):
                continue
            base_name = b"".join(
                (SUBSETN(index), b"+", self.face.name, self.face.subfontNameX)
            ).decode("pdfdoc")
            stream = doc.idToObject.get("toUnicodeCMap:" + base_name)
            if stream is not None:
                stream.content = _to_unicode_cmap(base_name, subset, self._private_text)


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def _to_unicode_cmap(name: str, subset: list[int], private_text: dict[int, str]) -> str:
    """A ToUnicode CMap (PDF 32000-1 §9.10.3) mapping each code to its character or text."""
    entries = [
        f"<{index:02X}> <{_utf16_hex(private_text.get(code) or chr(code))}>"
        for index, code in enumerate(subset)
    ]
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        f"/CIDSystemInfo << /Registry ({name}) /Ordering ({name}) /Supplement 0 >> def",
        f"/CMapName /{name} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
    ]
    for start in range(0, len(entries), 100):  # at most 100 entries per block
        block = entries[start : start + 100]
        lines += [f"{len(block)} beginbfchar", *block, "endbfchar"]
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


@cache
def font(family_name: str, bold: bool = False) -> ShapingFont:
    """The registered reportlab font for a shipped family (registered on first use)."""
    family = next(f for f in fonts.FAMILIES if f.name == family_name)
    name = "Intake-" + family.name.replace(" ", "") + ("-Bold" if bold else "")
    with _REGISTER_LOCK:
        try:
            registered = pdfmetrics.getFont(name)
        except KeyError:
            registered = None
        if not isinstance(registered, ShapingFont):
            registered = ShapingFont(name, str(family.path(bold=bold)))
            pdfmetrics.registerFont(registered)
    return registered


def font_for_script(script: str | None, bold: bool = False) -> ShapingFont:
    return font(fonts.family_for_script(script).name, bold)


def all_fonts(bold: bool = False) -> list[ShapingFont]:
    """Every shipped family, the default (Latin/Cyrillic) one first."""
    return [font(family.name, bold) for family in fonts.FAMILIES]
