"""Page layout for the reports: shaped paragraphs as platypus flowables, and the page frame.

:class:`Text` is a platypus ``Flowable`` around :mod:`intake.reports.textlayout`, so tables,
keep-together blocks and page breaks come from reportlab's platypus while every glyph is shaped
by HarfBuzz. :class:`ReportCanvas` holds pages back until the document ends, so each footer can
say "page 2 of 3" counted per person (a batch restarts the count at every profile), and repeats a
short header on a person's continuation pages.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate
from reportlab.platypus.tables import Table, TableStyle

from intake.reports.textlayout import Line, ShapedText, TextStyle, draw_line, shape_paragraph

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 12 * mm
FOOTER_HEIGHT = 10 * mm
HEADER_HEIGHT = 5 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN

BODY = TextStyle(size=8.3)
SMALL = TextStyle(size=7.2, color=(0.3, 0.3, 0.3))
LABEL = TextStyle(size=7.3, color=(0.32, 0.32, 0.32))
STRONG = TextStyle(size=8.3, bold=True)
HEADING = TextStyle(size=10.5, bold=True, color=(0.08, 0.2, 0.4))
TITLE = TextStyle(size=14, bold=True, color=(0.08, 0.2, 0.4))
RULE_COLOR = colors.Color(0.75, 0.78, 0.84)
SHADE = colors.Color(0.93, 0.95, 0.98)


class Text(Flowable):
    """A paragraph shaped in the shipped fonts: bidi-ordered, wrapped, split across pages."""

    def __init__(
        self,
        text: str,
        style: TextStyle = BODY,
        *,
        rtl: bool | None = None,
        language: str | None = None,
        align: str | None = None,
        space_before: float = 0.0,
        space_after: float = 0.0,
        _shaped: ShapedText | None = None,
        _lines: list[Line] | None = None,
    ) -> None:
        super().__init__()
        self.shaped = _shaped or shape_paragraph(text, style, rtl=rtl, language=language)
        self.style = style
        self.align = align or ("right" if self.shaped.rtl else "left")
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self._fixed_lines = _lines
        self._lines: list[Line] = _lines or []
        self.width = 0.0
        self.height = 0.0

    @property
    def leading(self) -> float:
        return self.shaped.leading

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        if self._fixed_lines is None:
            self._lines = self.shaped.lines(max(available_width, 1.0))
        self.width = available_width
        self.height = len(self._lines) * self.leading
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self.wrap(available_width, available_height)
        fits = int((available_height + 0.01) // self.leading)
        if fits <= 0 or fits >= len(self._lines):
            return [] if fits <= 0 else [self]
        first = Text(
            "", self.style, align=self.align, _shaped=self.shaped, _lines=self._lines[:fits]
        )
        rest = Text(
            "", self.style, align=self.align, _shaped=self.shaped, _lines=self._lines[fits:]
        )
        first.spaceBefore, rest.spaceAfter = self.spaceBefore, self.spaceAfter
        return [first, rest]

    def draw(self) -> None:
        size, leading = self.style.size, self.leading
        for index, line in enumerate(self._lines):
            baseline = self.height - index * leading - (0.5 * leading + 0.35 * size)
            if self.align == "right":
                x = self.width - line.width
            elif self.align == "center":
                x = (self.width - line.width) / 2
            else:
                x = 0.0
            draw_line(self.canv, line, x, baseline, self.style.color)

    def minWidth(self) -> float:
        return self.shaped.natural_width()


class Rule(Flowable):
    """A thin horizontal line."""

    def __init__(self, space: float = 2.0, color=RULE_COLOR, thickness: float = 0.6) -> None:
        super().__init__()
        self.space, self.color, self.thickness = space, color, thickness

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.space * 2

    def draw(self) -> None:
        self.canv.setStrokeColor(self.color)
        self.canv.setLineWidth(self.thickness)
        self.canv.line(0, self.space, self.width, self.space)


@dataclass(frozen=True)
class Group:
    """The pages of one person: numbered together, with a header on continuation pages."""

    key: str
    continuation: str  # header text on the second and later pages
    page_label: Callable[[int, int], str]  # (page, pages) -> "Seite 1 von 2"
    page_label_client: Callable[[int, int], str] | None = None
    client_rtl: bool = False


class StartGroup(Flowable):
    """Marks where a person's pages begin (no size; sets the canvas' current group)."""

    def __init__(self, group: Group) -> None:
        super().__init__()
        self.group = group

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv.current_group = self.group


@dataclass(frozen=True)
class Footer:
    lines: Sequence[str]  # left-aligned small print (printed when and by whom, confidentiality)


class ReportCanvas(Canvas):
    """Keeps finished pages until ``save`` to number them per group and add headers."""

    footer: Footer

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.current_group: Group | None = None
        self._held: list[tuple[dict, Group | None]] = []

    def showPage(self) -> None:
        self._held.append((dict(self.__dict__), self.current_group))
        self._startPage()

    def save(self) -> None:
        totals = Counter(id(group) for _state, group in self._held)
        seen: Counter[int] = Counter()
        for state, group in self._held:
            self.__dict__.update(state)
            seen[id(group)] += 1
            self._decorate(group, seen[id(group)], totals[id(group)])
            Canvas.showPage(self)
        self._held = []
        Canvas.save(self)

    def _decorate(self, group: Group | None, page: int, pages: int) -> None:
        top = PAGE_HEIGHT - MARGIN - 2.5 * mm
        self.setStrokeColor(RULE_COLOR)
        self.setLineWidth(0.5)
        self.line(MARGIN, MARGIN + 7.5 * mm, PAGE_WIDTH - MARGIN, MARGIN + 7.5 * mm)
        y = MARGIN + 4.5 * mm
        for text in self.footer.lines:
            line = shape_paragraph(text, SMALL, rtl=False).lines(FRAME_WIDTH * 0.7)
            if line:
                draw_line(self, line[0], MARGIN, y, SMALL.color)
            y -= 3.2 * mm
        if group is None:
            return
        label = shape_paragraph(group.page_label(page, pages), SMALL, rtl=False).lines(200)
        draw_line(
            self, label[0], PAGE_WIDTH - MARGIN - label[0].width, MARGIN + 4.5 * mm, SMALL.color
        )
        if group.page_label_client is not None:
            client = shape_paragraph(
                group.page_label_client(page, pages), SMALL, rtl=group.client_rtl
            ).lines(200)
            draw_line(
                self,
                client[0],
                PAGE_WIDTH - MARGIN - client[0].width,
                MARGIN + 1.3 * mm,
                SMALL.color,
            )
        if page > 1:
            header = shape_paragraph(group.continuation, SMALL, rtl=False).lines(FRAME_WIDTH)
            if header:
                draw_line(self, header[0], MARGIN, top, SMALL.color)


def build(
    flowables: list[Flowable],
    out: BinaryIO,
    *,
    footer: Footer,
    title: str,
    created: dt.datetime | None = None,
) -> list[int]:
    """Lay ``flowables`` out on A4 pages into ``out``; returns the page count of each group
    (each person), in order.

    The document information names no person: ``title`` is the kind of report only.
    """
    frame = Frame(
        MARGIN,
        MARGIN + FOOTER_HEIGHT,
        FRAME_WIDTH,
        PAGE_HEIGHT - 2 * MARGIN - FOOTER_HEIGHT - HEADER_HEIGHT,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc = BaseDocTemplate(
        out,
        pagesize=A4,
        pageTemplates=[PageTemplate(id="page", frames=[frame])],
        title=title,
        author="",
        subject="",
        creator="Intake",
        producer="Intake (reportlab)",
        invariant=created is not None,
    )
    pages: list[list[int]] = []

    class _Canvas(ReportCanvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.footer = footer
            if created is not None:
                self.setDateFormatter(lambda *_args: created.strftime("D:%Y%m%d%H%M%S"))

        def save(self) -> None:
            per_group: dict[int, int] = {}
            for _state, group in self._held:
                per_group[id(group)] = per_group.get(id(group), 0) + 1
            pages.append(list(per_group.values()))
            super().save()

    doc.build(flowables, canvasmaker=_Canvas)
    return pages[0] if pages else []


def grid(
    rows: list[list[Flowable | str]],
    widths: Sequence[float],
    *,
    header: bool = False,
    shade_first_column: bool = False,
    padding: float = 2.2,
    rules: bool = True,
) -> Table:
    """A table of shaped cells with thin rules; the header row repeats after a page break."""
    table = Table(rows, colWidths=list(widths), repeatRows=1 if header else 0, hAlign="LEFT")
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), padding),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding),
        ("TOPPADDING", (0, 0), (-1, -1), 0.7),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0.9),
    ]
    if rules:
        commands.append(("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE_COLOR))
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), SHADE)]
    if shade_first_column:
        commands += [("BACKGROUND", (0, 0), (0, -1), SHADE)]
    table.setStyle(TableStyle(commands))
    return table
