"""Shaped, bidirectional text for the PDF reports: itemize, shape, break into lines, draw.

The steps follow the Unicode bidirectional algorithm (UAX #9) and the usual text stack:

1. **levels** — embedding levels of the logical text from python-bidi's implementation of UAX #9
   (its pure-Python ``bidi.algorithm``, which exposes per-character levels);
2. **itemize** — runs of one level and one font: letters pick the shipped font of their script,
   spaces, digits and punctuation stay with their neighbours' font;
3. **shape** — each run through HarfBuzz (``uharfbuzz``) with its direction, script and language,
   the whole paragraph given as context so joining across runs is right;
4. **break** — greedy line breaking at spaces on the shaped advances (long words break between
   clusters);
5. **reorder** — per line, runs are reordered by rule L2 (HarfBuzz already returns each
   right-to-left run's glyphs left to right);
6. **draw** — glyphs by id (see :mod:`intake.reports.pdffonts`) with HarfBuzz's advances and mark
   offsets written as ``TJ`` adjustments and text rise.

So the content stream carries **visual order**: glyphs appear left to right as seen on paper, and
the text a PDF parser extracts from a right-to-left line reads from its visual left end.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import uharfbuzz
from bidi import algorithm as bidi_algorithm

from intake import fonts
from intake.reports.pdffonts import ShapingFont, font_for_script

_FEATURES = {"kern": True, "liga": True}
_SCRIPT_TAGS = {
    fonts.LATIN: "Latn",
    fonts.CYRILLIC: "Cyrl",
    fonts.ARABIC: "Arab",
    fonts.ETHIOPIC: "Ethi",
}


# -- bidi --------------------------------------------------------------------------------------


def embedding_levels(text: str, rtl: bool | None = None) -> list[int]:
    """The resolved bidi level of every character of ``text`` (one paragraph, no newlines).

    ``rtl`` fixes the paragraph direction; ``None`` takes it from the first strong character
    (rule P2). Characters that rule X9 removes (embedding controls, ZWNJ, ZWJ) take the level of
    the character before them, as UAX #9 suggests for display.
    """
    if not text:
        return []
    storage = bidi_algorithm.get_empty_storage()
    base = bidi_algorithm.get_base_level(text) if rtl is None else int(rtl)
    storage["base_level"] = base
    storage["base_dir"] = ("L", "R")[base]
    bidi_algorithm.get_embedding_levels(text, storage)
    for index, char in enumerate(storage["chars"]):
        char["index"] = index
    bidi_algorithm.explicit_embed_and_overrides(storage)
    bidi_algorithm.resolve_weak_types(storage)
    bidi_algorithm.resolve_neutral_types(storage, False)
    bidi_algorithm.resolve_implicit_levels(storage, False)
    levels: list[int | None] = [None] * len(text)
    for char in storage["chars"]:
        levels[char["index"]] = char["level"]
    resolved: list[int] = []
    previous = base
    for level in levels:
        previous = previous if level is None else level
        resolved.append(previous)
    # Rule L1: trailing whitespace takes the paragraph level.
    for index in range(len(text) - 1, -1, -1):
        if not text[index].isspace():
            break
        resolved[index] = base
    return resolved


def visual_order(levels: Sequence[int]) -> list[int]:
    """Indices of items with ``levels`` in display order (rule L2)."""
    order = list(range(len(levels)))
    if not levels:
        return order
    highest = max(levels)
    lowest_odd = min(level for level in levels) | 1
    for level in range(highest, lowest_odd - 1, -1):
        start = None
        for position in range(len(order) + 1):
            inside = position < len(order) and levels[order[position]] >= level
            if inside and start is None:
                start = position
            elif not inside and start is not None:
                order[start:position] = reversed(order[start:position])
                start = None
    return order


# -- fonts per character ----------------------------------------------------------------------


def _has_glyph(font: ShapingFont, char: str) -> bool:
    return ord(char) in font.face.charToGlyph or unicodedata.category(char) in ("Cf", "Mn")


def assign_fonts(text: str, bold: bool = False) -> list[ShapingFont]:
    """The font for each character: its script's font; neutrals join their neighbours."""
    scripts = [fonts.script_of(char) for char in text]
    # Neutrals (spaces, digits, punctuation) and marks inherit the script before them,
    # or after them at the start of the text.
    resolved: list[str | None] = list(scripts)
    previous: str | None = None
    for index, script in enumerate(scripts):
        if script is None:
            resolved[index] = previous
        else:
            previous = script
    following: str | None = None
    for index in range(len(text) - 1, -1, -1):
        if scripts[index] is not None:
            following = scripts[index]
        elif resolved[index] is None:
            resolved[index] = following
    chosen = []
    default = font_for_script(None, bold)
    for char, script in zip(text, resolved, strict=True):
        candidate = font_for_script(script, bold)
        if not _has_glyph(candidate, char):
            candidate = default if _has_glyph(default, char) else _any_font_with(char, bold)
        chosen.append(candidate)
    return chosen


def _any_font_with(char: str, bold: bool) -> ShapingFont:
    for script in (None, *fonts.SCRIPTS):
        candidate = font_for_script(script, bold)
        if ord(char) in candidate.face.charToGlyph:
            return candidate
    return font_for_script(None, bold)  # .notdef box: visible, never silently dropped


# -- shaping ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Glyph:
    code: str  # the character reportlab writes for this glyph (see ShapingFont.code_for)
    cluster: int  # index of the first character of its cluster in the paragraph
    advance: float  # in thousandths of an em
    x_offset: float
    y_offset: float


@dataclass
class Run:
    """Glyphs of one font and one bidi level, in visual (left-to-right) order."""

    font: ShapingFont
    size: float
    level: int
    start: int  # character range in the paragraph
    end: int
    glyphs: list[Glyph]

    @property
    def rtl(self) -> bool:
        return self.level % 2 == 1

    @property
    def width(self) -> float:
        return sum(glyph.advance for glyph in self.glyphs) * self.size / 1000

    def slice(self, start: int, end: int) -> Run | None:
        glyphs = [glyph for glyph in self.glyphs if start <= glyph.cluster < end]
        if not glyphs:
            return None
        return Run(
            self.font, self.size, self.level, max(start, self.start), min(end, self.end), glyphs
        )


def _script_tag(text: str) -> str | None:
    for char in text:
        script = fonts.script_of(char)
        if script is not None:
            return _SCRIPT_TAGS[script]
    return None


def shape_run(
    text: str,
    start: int,
    end: int,
    font: ShapingFont,
    size: float,
    level: int,
    language: str | None = None,
) -> Run:
    """Shape ``text[start:end]`` with the rest of ``text`` as context."""
    buffer = uharfbuzz.Buffer()
    buffer.cluster_level = uharfbuzz.BufferClusterLevel.MONOTONE_CHARACTERS
    buffer.add_str(text, start, end - start)
    buffer.direction = "rtl" if level % 2 else "ltr"
    script = _script_tag(text[start:end])
    if script:
        buffer.script = script
    if language:
        buffer.language = language.replace("_", "-")
    buffer.guess_segment_properties()
    uharfbuzz.shape(font.hb_font, buffer, _FEATURES)
    scale = 1000 / font.units_per_em
    infos, positions = buffer.glyph_infos, buffer.glyph_positions
    # Text of each cluster, so a glyph without a character of its own still reads back right.
    boundaries = sorted({info.cluster for info in infos} | {end})
    cluster_end = dict(itertools.pairwise(boundaries))
    rtl = level % 2 == 1
    seen: set[int] = set()
    order = range(len(infos) - 1, -1, -1) if rtl else range(len(infos))
    carries_text = set()
    for index in order:  # the logically first glyph of a cluster carries its text
        if infos[index].cluster not in seen:
            seen.add(infos[index].cluster)
            carries_text.add(index)
    glyphs = []
    for index, (info, position) in enumerate(zip(infos, positions, strict=True)):
        cluster = info.cluster
        if index in carries_text:
            cluster_text = text[cluster : cluster_end.get(cluster, end)]
            if rtl and len(cluster_text) > 1:
                cluster_text = cluster_text[::-1]  # visual order, as the rest of the line
        else:
            cluster_text = "\u200b"
        glyphs.append(
            Glyph(
                font.code_for(info.codepoint, cluster_text),
                cluster,
                position.x_advance * scale,
                position.x_offset * scale,
                position.y_offset * scale,
            )
        )
    return Run(font, size, level, start, end, glyphs)


# -- paragraphs and lines ---------------------------------------------------------------------


@dataclass(frozen=True)
class TextStyle:
    size: float = 9.0
    bold: bool = False
    leading: float | None = None  # default: from the scripts used
    color: tuple[float, float, float] = (0, 0, 0)


@dataclass
class Line:
    runs: list[Run]  # visual order
    width: float
    text: str  # the line's logical text
    rtl: bool  # paragraph direction


@dataclass
class ShapedText:
    """One paragraph shaped once; lines are cut from it for any width."""

    text: str
    style: TextStyle
    rtl: bool
    runs: list[Run] = field(default_factory=list)
    advances: list[float] = field(default_factory=list)  # points per character
    leading: float = 0.0

    def lines(self, width: float) -> list[Line]:
        return [self._line(start, end) for start, end in self._breaks(width)]

    def natural_width(self) -> float:
        return max((line.width for line in self.lines(float("inf"))), default=0.0)

    def _breaks(self, width: float) -> Iterable[tuple[int, int]]:
        text, advances = self.text, self.advances
        start, length = 0, len(text)
        while start < length:
            while start < length and text[start] == " ":
                start += 1
            if start >= length:
                break
            position, used, last_break = start, 0.0, None
            while position < length:
                if text[position] == "\n":
                    break
                if text[position] == " " and position > start:
                    last_break = position
                used += advances[position]
                if used > width and text[position] != " " and position > start:
                    break
                position += 1
            if position >= length or text[position] == "\n":
                yield start, _trim(text, start, position)
                start = position + 1
                continue
            if last_break is not None:
                yield start, _trim(text, start, last_break)
                start = last_break + 1
            else:  # one word wider than the line: cut between clusters
                cut = max(position, start + 1)
                while cut < length and unicodedata.category(text[cut]).startswith("M"):
                    cut += 1
                yield start, cut
                start = cut

    def _line(self, start: int, end: int) -> Line:
        pieces = [piece for run in self.runs if (piece := run.slice(start, end)) is not None]
        order = visual_order([piece.level for piece in pieces])
        runs = [pieces[index] for index in order]
        return Line(runs, sum(run.width for run in runs), self.text[start:end], self.rtl)


def _trim(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " \n":
        end -= 1
    return end


def shape_paragraph(
    text: str, style: TextStyle, *, rtl: bool | None = None, language: str | None = None
) -> ShapedText:
    """Shape ``text`` (newlines start new lines) in the shipped fonts."""
    text = "".join(" " if char in "\t\r" else char for char in text)
    levels = embedding_levels(text.replace("\n", " "), rtl)
    direction = bool(levels and levels[0] % 2) if rtl is None else rtl
    if rtl is None and text:
        direction = bidi_algorithm.get_base_level(text) == 1
    shaped = ShapedText(text, style, direction)
    if not text:
        shaped.leading = style.leading or style.size * 1.3
        return shaped
    assigned = assign_fonts(text, style.bold)
    start = 0
    for index in range(1, len(text) + 1):
        if (
            index == len(text)
            or assigned[index] is not assigned[start]
            or levels[index] != levels[start]
        ):
            shaped.runs.append(
                shape_run(text, start, index, assigned[start], style.size, levels[start], language)
            )
            start = index
    advances = [0.0] * len(text)
    for run in shaped.runs:
        for glyph in run.glyphs:
            advances[glyph.cluster] += glyph.advance * style.size / 1000
    shaped.advances = advances
    tall = any(fonts.script_of(char) in (fonts.ARABIC, fonts.ETHIOPIC) for char in text)
    shaped.leading = style.leading or style.size * (1.55 if tall else 1.27)
    return shaped


# -- drawing ----------------------------------------------------------------------------------


def _number(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def draw_line(canvas, line: Line, x: float, y: float, color=(0, 0, 0)) -> None:
    """Draw ``line`` with its left end at ``x`` and its baseline at ``y``."""
    doc = canvas._doc  # reportlab keeps font subsets per document
    ops = ["BT", f"{_number(color[0])} {_number(color[1])} {_number(color[2])} rg"]
    pen = x
    for run in line.runs:
        ops.append(f"1 0 0 1 {_number(pen)} {_number(y)} Tm")
        ops.extend(_run_ops(run, doc))
        pen += run.width
    ops.append("ET")
    canvas.addLiteral("\n".join(ops))


def _run_ops(run: Run, doc) -> list[str]:
    font, size = run.font, run.size
    codes = "".join(glyph.code for glyph in run.glyphs)
    encoded: list[tuple[int, int]] = []  # (subset, byte) per glyph
    for subset, data in font.splitString(codes, doc):
        encoded.extend((subset, byte) for byte in data)
    ops: list[str] = []
    current_subset = None
    items: list[str] = []
    pending = 0.0  # adjustment (thousandths of an em) not yet written
    rise = 0.0

    def flush() -> None:
        nonlocal items
        if items:
            ops.append("[" + " ".join(items) + "] TJ")
            items = []

    for glyph, (subset, byte) in zip(run.glyphs, encoded, strict=True):
        if subset != current_subset:
            flush()
            if pending:
                ops.append(f"[{_number(pending)}] TJ")
                pending = 0.0
            ops.append(f"{font.getSubsetInternalName(subset, doc)} {_number(size)} Tf")
            current_subset = subset
        wanted_rise = glyph.y_offset * size / 1000
        if wanted_rise != rise:
            flush()
            if pending:
                ops.append(f"[{_number(pending)}] TJ")
                pending = 0.0
            ops.append(f"{_number(wanted_rise)} Ts")
            rise = wanted_rise
        pending -= glyph.x_offset
        if abs(pending) > 0.01:
            items.append(_number(pending))
        pending = 0.0
        items.append(f"<{byte:02X}>")
        pending = font.width_of(glyph.code) - glyph.advance + glyph.x_offset
    if abs(pending) > 0.01:
        items.append(_number(pending))
    flush()
    if rise:
        ops.append("0 Ts")
    return ops
