"""Printing one profile from the desktop app: preview, Qt's print dialog, save as PDF.

The PDF comes from :class:`intake.reports.ReportService` as bytes in memory (nothing personal is
written to a temporary file). PDFium (``pypdfium2``) turns its pages into images: small ones for
the preview, printer-resolution ones (one page at a time, so memory stays flat) that are painted
onto the ``QPrinter``. PDFium and the store are both used only on the database worker thread;
Qt allows painting on a ``QPrinter`` or a ``QImage`` outside the GUI thread, so a long print
never freezes the window. A print is audited once the print dialog was accepted (before the
first page goes out: if the audit fails, nothing is printed); an export is audited by the
service when its file is complete.

Keyboard: Ctrl+P prints, Ctrl+S saves as PDF, Esc closes; Alt+K / Alt+L pick kind and language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QMarginsF, QObject, QRectF, QSizeF, QStandardPaths, Qt
from PySide6.QtGui import QImage, QKeySequence, QPageLayout, QPageSize, QPainter, QPixmap
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from intake import i18n
from intake.errors import IntakeError
from intake.i18n import N_, _
from intake.store.roles import allowed
from intake.store.session import Session
from intake.ui.errors import show_error
from intake.ui.qt_i18n import Retranslatable
from intake.ui.worker import DbWorker

log = logging.getLogger(__name__)

PREVIEW_DPI = 90  # an A4 page about 740 pixels wide: readable, and two fit a laptop screen
PRINT_DPI_MAX = 300  # office printers; a 600 dpi A4 page would need 140 MB as one image

KIND_LABELS = {
    "case": N_("Case-file summary (German)"),
    "client": N_("Client copy (client's language beside German)"),
}
# Document names reach the print spooler, which other people administer: no names in them.
DOCUMENT_NAMES = {"case": N_("Intake case-file summary"), "client": N_("Intake client copy")}
FILE_NAMES = {"case": N_("case-file-summary.pdf"), "client": N_("client-copy.pdf")}


class PrintFailed(IntakeError):
    message = N_("The printer did not accept the job. Check the printer and try again.")


# -- PDF pages as images (worker thread) ------------------------------------------------------


def _document(pdf: bytes):
    import pypdfium2

    return pypdfium2.PdfDocument(pdf)


def _image(page: Any, dpi: float) -> QImage:
    bitmap = page.render(scale=dpi / 72, prefer_bgrx=True, rev_byteorder=True, may_draw_forms=False)
    try:
        return QImage(
            bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGBX8888
        ).copy()  # the buffer belongs to PDFium: copy before it is freed
    finally:
        bitmap.close()


def iter_page_images(pdf: bytes, dpi: float, first: int = 1, last: int = 0) -> Iterator[QImage]:
    """The pages ``first``..``last`` (1-based, 0 = to the end) of ``pdf`` as images, one at a
    time. Call on the database worker thread (PDFium is not thread-safe)."""
    document = _document(pdf)
    try:
        count = len(document)
        last = count if last <= 0 or last > count else last
        for index in range(max(first, 1) - 1, last):
            page = document[index]
            try:
                yield _image(page, dpi)
            finally:
                page.close()
    finally:
        document.close()


def page_images(pdf: bytes, dpi: float = PREVIEW_DPI) -> list[QImage]:
    """Every page of ``pdf`` as an image (for the preview)."""
    return list(iter_page_images(pdf, dpi))


def page_size_points(pdf: bytes) -> tuple[float, float]:
    """Width and height of the first page in points."""
    document = _document(pdf)
    try:
        return tuple(document[0].get_size())  # type: ignore[return-value]
    finally:
        document.close()


def page_count(pdf: bytes) -> int:
    document = _document(pdf)
    try:
        return len(document)
    finally:
        document.close()


# -- painting onto a printer ------------------------------------------------------------------


def prepare_printer(printer: QPrinter, pdf: bytes, kind: str) -> None:
    """Paper size of the PDF, no extra margins (the PDF has its own), a name without people."""
    width, height = page_size_points(pdf)
    size = QPageSize(
        QSizeF(width, height), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch
    )
    printer.setPageLayout(
        QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0))
    )
    printer.setFullPage(True)
    printer.setDocName(_(DOCUMENT_NAMES.get(kind, DOCUMENT_NAMES["case"])))


class PrintJob:
    """Paints PDF pages onto a ``QPrinter``, page after page, possibly from many PDFs.

    Runs on the database worker thread. Each page is rendered at the printer's resolution (at
    most :data:`PRINT_DPI_MAX`) and scaled onto the whole sheet.
    """

    def __init__(self, printer: QPrinter) -> None:
        self.printer = printer
        self.painter: QPainter | None = None
        self.dpi = min(max(printer.resolution(), 72), PRINT_DPI_MAX)
        self.pages = 0

    def add(self, pdf: bytes, first: int = 1, last: int = 0) -> int:
        """Print pages ``first``..``last`` of ``pdf`` (1-based; 0 = to the end)."""
        printed = 0
        for image in iter_page_images(pdf, self.dpi, first, last):
            if self.painter is None:
                self.painter = QPainter()
                if not self.painter.begin(self.printer):
                    self.painter = None
                    raise PrintFailed()
            elif not self.printer.newPage():
                raise PrintFailed()
            self._paint(image)
            printed += 1
        self.pages += printed
        return printed

    def _paint(self, image: QImage) -> None:
        assert self.painter is not None
        paper = self.printer.paperRect(QPrinter.Unit.DevicePixel)
        scale = min(paper.width() / image.width(), paper.height() / image.height())
        width, height = image.width() * scale, image.height() * scale
        target = QRectF((paper.width() - width) / 2, (paper.height() - height) / 2, width, height)
        self.painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.painter.drawImage(target, image)

    def finish(self) -> None:
        if self.painter is not None:
            self.painter.end()
            self.painter = None

    def abort(self) -> None:
        self.printer.abort()
        self.finish()


def copies_to_paint(printer: QPrinter) -> int:
    """Copies the application must paint itself (when the printer cannot make them)."""
    return 1 if printer.supportsMultipleCopies() else max(1, printer.copyCount())


def save_file_name(parent: QWidget, caption: str, suggested: str) -> Path | None:
    """Ask where to save a PDF (``QFileDialog``); None when the user cancelled."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    start = str(Path(folder) / suggested) if folder else suggested
    path, _filter = QFileDialog.getSaveFileName(parent, caption, start, _("PDF files (*.pdf)"))
    if not path:
        return None
    target = Path(path)
    return target if target.suffix.lower() == ".pdf" else target.with_name(target.name + ".pdf")


# -- the service, made once per session -------------------------------------------------------


class Printing(QObject):
    """Reports for the logged-in session; made by the workspace and handed to its pages.

    The :class:`~intake.reports.ReportService` is built on first use, on the worker thread, so
    reportlab is not loaded before anybody prints.
    """

    def __init__(
        self,
        session: Session,
        worker: DbWorker,
        parent: QObject | None = None,
        *,
        jobcenter: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.worker = worker
        self.jobcenter = jobcenter
        self._service: Any = None

    @property
    def can_print(self) -> bool:
        return allowed(self.session.role, "profiles.print")

    @property
    def can_batch(self) -> bool:
        return allowed(self.session.role, "reports.batch")

    def service(self) -> Any:
        """The session's ReportService (call on the worker thread)."""
        if self._service is None:
            from intake.reports.service import ReportService

            self._service = ReportService(self.session, jobcenter=self.jobcenter)
        return self._service

    def interview_language(self, profile_id: str) -> str | None:
        """The profile's interview language (a short read, on the worker)."""
        profiles = self.session.profiles
        try:
            answers = self.worker.call(lambda: profiles.get(profile_id, record_view=False).answers)
        except Exception:  # the dialog's preview reports a missing profile properly
            return None
        value = answers.get("interview_language")
        return value if isinstance(value, str) and value else None

    def print_profile(
        self, profile_id: str, language: str | None = None, parent: QWidget | None = None
    ) -> ProfilePrintDialog | None:
        """Open the print dialog for one profile (window-modal; returns at once)."""
        host = parent if parent is not None else _widget(self.parent())
        if not self.can_print:
            return None
        dialog = ProfilePrintDialog(
            self, profile_id, language or self.interview_language(profile_id), host
        )
        dialog.open()
        return dialog


def _widget(obj: QObject | None) -> QWidget | None:
    return obj if isinstance(obj, QWidget) else None


# -- the dialog -------------------------------------------------------------------------------


class ProfilePrintDialog(Retranslatable, QDialog):
    """Kind and language, a scrollable preview of every page, Print… and Save as PDF…."""

    def __init__(
        self,
        printing: Printing,
        profile_id: str,
        language: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("printDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.printing = printing
        self.worker = printing.worker
        self.profile_id = profile_id
        self.pdf: bytes | None = None
        self.images: list[QImage] = []
        self._generation = 0
        self._busy = False

        self.kind_label = QLabel(self)
        self.kind = QComboBox(self)
        self.kind.setObjectName("printKind")
        for key in KIND_LABELS:
            self.kind.addItem("", key)
        self.kind_label.setBuddy(self.kind)
        self.language_label = QLabel(self)
        self.language = QComboBox(self)
        self.language.setObjectName("printLanguage")
        for code in i18n.INTERVIEW_LANGUAGES:
            self.language.addItem("", code)
        self.language_label.setBuddy(self.language)
        index = self.language.findData(language) if language else -1
        if index < 0 and language:
            index = self.language.findData(language.split("_")[0])
        self.language.setCurrentIndex(index if index >= 0 else max(self.language.findData("en"), 0))

        self.pages_widget = QWidget()
        self.pages_widget.setObjectName("printPages")
        self.pages_layout = QVBoxLayout(self.pages_widget)
        self.pages_layout.setSpacing(16)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        # the pages' full size is the minimum: taller than the window means a scroll bar
        self.pages_layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.preview = QScrollArea(self)
        self.preview.setObjectName("printPreview")
        self.preview.setWidget(self.pages_widget)
        self.preview.setWidgetResizable(True)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.page_labels: list[QLabel] = []

        self.status = QLabel(self)
        self.status.setObjectName("printStatus")
        self.status.setWordWrap(True)
        self.print_button = QPushButton(self)
        self.print_button.setObjectName("printButton")
        self.save_button = QPushButton(self)
        self.save_button.setObjectName("savePdfButton")
        self.close_button = QPushButton(self)
        for button in (self.print_button, self.save_button, self.close_button):
            button.setAutoDefault(False)
        self.print_button.setShortcut(QKeySequence("Ctrl+P"))
        self.save_button.setShortcut(QKeySequence("Ctrl+S"))

        top = QHBoxLayout()
        top.addWidget(self.kind_label)
        top.addWidget(self.kind, 1)
        top.addSpacing(16)
        top.addWidget(self.language_label)
        top.addWidget(self.language, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.print_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.preview, 1)
        layout.addLayout(bottom)
        QWidget.setTabOrder(self.kind, self.language)
        QWidget.setTabOrder(self.language, self.preview)
        QWidget.setTabOrder(self.preview, self.save_button)
        QWidget.setTabOrder(self.save_button, self.print_button)
        QWidget.setTabOrder(self.print_button, self.close_button)

        self.kind.currentIndexChanged.connect(lambda _i: self._options_changed())
        self.language.currentIndexChanged.connect(lambda _i: self._options_changed())
        self.print_button.clicked.connect(self.print_)
        self.save_button.clicked.connect(self.save_pdf)
        self.close_button.clicked.connect(self.reject)
        self.resize(900, 820)
        self.retranslate_ui()
        self._options_changed()
        self.kind.setFocus()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Print profile"))
        self.kind_label.setText(_("&Kind:"))
        for row in range(self.kind.count()):
            self.kind.setItemText(row, _(KIND_LABELS[self.kind.itemData(row)]))
        self.language_label.setText(_("&Language of the client copy:"))
        for row in range(self.language.count()):
            info = i18n.language_info(self.language.itemData(row))
            self.language.setItemText(row, f"{info.name} · {info.native_name}")
        self.print_button.setText(_("&Print…"))
        self.print_button.setToolTip("Ctrl+P")
        self.save_button.setText(_("&Save as PDF…"))
        self.save_button.setToolTip("Ctrl+S")
        self.close_button.setText(_("Close"))
        self.close_button.setToolTip("Esc")
        self._show_status()

    # -- options and preview -----------------------------------------------------------------

    @property
    def kind_value(self) -> str:
        return self.kind.currentData()

    @property
    def language_value(self) -> str | None:
        return self.language.currentData() if self.kind_value == "client" else None

    def _options_changed(self) -> None:
        client = self.kind_value == "client"
        self.language.setEnabled(client)
        self.language_label.setEnabled(client)
        self.render_preview()

    def render_preview(self) -> None:
        """Render the chosen report on the worker; the pages appear when it is done."""
        self._generation += 1
        generation = self._generation
        kind, language = self.kind_value, self.language_value
        printing, profile_id = self.printing, self.profile_id
        dpi = PREVIEW_DPI * self._pixel_ratio
        self.pdf = None
        self._set_busy(True)

        def render() -> tuple[bytes, list[QImage]]:
            pdf = printing.service().preview(profile_id, kind, language)
            return pdf, page_images(pdf, dpi)

        def done(result: tuple[bytes, list[QImage]]) -> None:
            if shiboken6.isValid(self) and generation == self._generation:
                self._show_pages(*result)

        def failed(exc: BaseException) -> None:
            if shiboken6.isValid(self) and generation == self._generation:
                self._set_busy(False)
                self._show_status(error=True)
                show_error(self, exc)

        self.worker.submit(render, done, failed)

    @property
    def _pixel_ratio(self) -> float:
        return max(self.devicePixelRatioF(), 1.0)

    def _show_pages(self, pdf: bytes, images: list[QImage]) -> None:
        self.pdf, self.images = pdf, images
        for label in self.page_labels:
            self.pages_layout.removeWidget(label)
            label.deleteLater()
        self.page_labels = []
        for number, image in enumerate(images, start=1):
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(self._pixel_ratio)
            label = QLabel(self.pages_widget)
            label.setObjectName("printPage")
            label.setPixmap(pixmap)
            label.setAccessibleName(
                _("Page {page} of {pages}").format(page=number, pages=len(images))
            )
            self.pages_layout.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
            self.page_labels.append(label)
        self._set_busy(False)
        self._show_status()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        ready = not busy and self.pdf is not None
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)
        self._show_status()

    def _show_status(self, error: bool = False, message: str | None = None) -> None:
        if message is not None:
            self.status.setText(message)
        elif self._busy:
            self.status.setText(_("Preparing the preview…"))
        elif error or self.pdf is None:
            self.status.setText(_("No preview."))
        else:
            pages = len(self.images)
            self.status.setText(
                i18n.ngettext("{count} page", "{count} pages", pages).format(count=pages)
            )

    # -- print and save ----------------------------------------------------------------------

    def print_(self, *, on_done: Callable[[int], None] | None = None) -> bool:
        """Qt's print dialog; when accepted, the print is audited and the pages painted on the
        worker. Returns False when nothing was printed (no preview yet, dialog cancelled)."""
        if self.pdf is None or self._busy:
            return False
        pdf, kind, language = self.pdf, self.kind_value, self.language_value
        pages = len(self.images)
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        prepare_printer(printer, pdf, kind)
        dialog = QPrintDialog(printer, self)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        dialog.setMinMax(1, pages)
        dialog.setFromTo(1, pages)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        first, last = 1, pages
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage():
            first, last = printer.fromPage(), min(printer.toPage() or pages, pages)
        copies = copies_to_paint(printer)
        printing, profile_id = self.printing, self.profile_id

        def job() -> int:
            printing.service().record_print(profile_id, kind, last - first + 1, language=language)
            paint = PrintJob(printer)
            try:
                for _copy in range(copies):
                    paint.add(pdf, first, last)
            except BaseException:
                paint.abort()
                raise
            paint.finish()
            return paint.pages

        def done(printed: int) -> None:
            if shiboken6.isValid(self):
                self._set_busy(False)
                self._show_status(
                    message=i18n.ngettext(
                        "{count} page sent to the printer.",
                        "{count} pages sent to the printer.",
                        printed,
                    ).format(count=printed)
                )
            if on_done is not None:
                on_done(printed)

        def failed(exc: BaseException) -> None:
            if shiboken6.isValid(self):
                self._set_busy(False)
                self._show_status(message=_("Not printed."))
                show_error(self, exc)

        self._printer = printer  # alive until the job is done
        self._set_busy(True)
        self.status.setText(_("Printing…"))
        self.worker.submit(job, done, failed)
        return True

    def save_pdf(self, *, on_done: Callable[[Path], None] | None = None) -> bool:
        """Ask for a file name and export the report there (audited as an export)."""
        if self.pdf is None or self._busy:
            return False
        kind, language = self.kind_value, self.language_value
        path = save_file_name(self, _("Save as PDF"), _(FILE_NAMES[kind]))
        if path is None:
            return False
        printing, profile_id = self.printing, self.profile_id

        def done(_result: Any) -> None:
            if shiboken6.isValid(self):
                self._set_busy(False)
                self._show_status(message=_("Saved as {name}.").format(name=path.name))
            if on_done is not None:
                on_done(path)

        def failed(exc: BaseException) -> None:
            if shiboken6.isValid(self):
                self._set_busy(False)
                self._show_status(message=_("Not saved."))
                show_error(self, exc)

        self._set_busy(True)
        self.status.setText(_("Saving…"))
        self.worker.submit(
            lambda: printing.service().export(profile_id, kind, path, language=language),
            done,
            failed,
        )
        return True
