"""The print queue for supervisors: many profiles into one PDF (or onto the printer) at once.

Profiles are chosen by a filter (search, status, only mine — the same filter as
``ReportService.matching_ids``) or by selecting rows in the table. The batch runs on the database
worker: ``ReportService.batch`` streams the PDF to the chosen file (memory stays flat, and a
cancelled or failed batch leaves no file); printing paints one profile at a time onto the
printer. A ``QProgressDialog`` shows how far it got; its Cancel (or Esc) sets a
``threading.Event`` that the worker checks before each profile.

Keyboard: Ctrl+F search, Ctrl+A select all shown rows, Ctrl+S save the batch, Ctrl+P print it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QPageLayout, QPageSize, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from intake import i18n
from intake.errors import IntakeError, InvalidInput
from intake.i18n import N_, _
from intake.store.session import Session
from intake.ui.errors import show_error
from intake.ui.printing import (
    DOCUMENT_NAMES,
    KIND_LABELS,
    Printing,
    PrintJob,
    copies_to_paint,
    page_count,
    save_file_name,
)
from intake.ui.profile_list import STATUS_LABELS, ProfileTableModel
from intake.ui.qt_i18n import Retranslatable
from intake.ui.worker import DbWorker


class PrintCancelled(IntakeError):
    message = N_("Printing was cancelled; the printer got nothing more.")


class BatchProgress(QObject):
    """Carries progress from the worker thread to the progress dialog (a queued signal)."""

    progressed = Signal(int, int)  # done, total

    def report(self, done: int, total: int) -> None:
        self.progressed.emit(done, total)


class PrintQueuePage(Retranslatable, QWidget):
    batch_finished = Signal(object)  # the result, or the error (for tests and the status line)

    def __init__(
        self,
        session: Session,
        worker: DbWorker,
        printing: Printing,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("printQueue")
        self.session = session
        self.worker = worker
        self.printing = printing
        self.model = ProfileTableModel(session, worker, self)
        self.progress = BatchProgress(self)
        self.progress_dialog: QProgressDialog | None = None
        self.cancel_event: threading.Event | None = None

        self.title = QLabel(self)
        self.title.setObjectName("pageTitle")
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.search = QLineEdit(self)
        self.search.setObjectName("queueSearch")
        self.search.setClearButtonEnabled(True)
        self.status = QComboBox(self)
        self.mine = QCheckBox(self)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        filters.addWidget(self.status)
        filters.addWidget(self.mine)
        filters.addStretch(1)

        self.table = QTableView(self)
        self.table.setObjectName("queueTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

        self.all_matching = QRadioButton(self)
        self.all_matching.setObjectName("batchAllMatching")
        self.only_selected = QRadioButton(self)
        self.only_selected.setObjectName("batchSelected")
        self.all_matching.setChecked(True)
        self.kind_label = QLabel(self)
        self.kind = QComboBox(self)
        for key in KIND_LABELS:
            self.kind.addItem("", key)
        self.kind_label.setBuddy(self.kind)
        self.language_label = QLabel(self)
        self.language = QComboBox(self)
        self.language.addItem("", None)
        for code in i18n.INTERVIEW_LANGUAGES:
            self.language.addItem("", code)
        self.language_label.setBuddy(self.language)
        self.save_button = QPushButton(self)
        self.save_button.setObjectName("saveBatch")
        self.print_button = QPushButton(self)
        self.print_button.setObjectName("printBatch")
        for button in (self.save_button, self.print_button):
            button.setAutoDefault(False)
        self.message = QLabel(self)
        self.message.setObjectName("batchStatus")
        self.message.setWordWrap(True)

        options = QGridLayout()
        options.addWidget(self.all_matching, 0, 0)
        options.addWidget(self.kind_label, 0, 1)
        options.addWidget(self.kind, 0, 2)
        options.addWidget(self.only_selected, 1, 0)
        options.addWidget(self.language_label, 1, 1)
        options.addWidget(self.language, 1, 2)
        options.setColumnStretch(0, 1)
        options.setColumnStretch(2, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(options)
        layout.addLayout(buttons)
        for first, second in (
            (self.search, self.status),
            (self.status, self.mine),
            (self.mine, self.table),
            (self.table, self.all_matching),
            (self.all_matching, self.only_selected),
            (self.only_selected, self.kind),
            (self.kind, self.language),
            (self.language, self.save_button),
            (self.save_button, self.print_button),
        ):
            QWidget.setTabOrder(first, second)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.status.activated.connect(lambda _i: self.reload())
        self.mine.toggled.connect(lambda _b: self.reload())
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._show_counts())
        self.save_button.clicked.connect(lambda: self.save_batch())
        self.print_button.clicked.connect(lambda: self.print_batch())
        self.progress.progressed.connect(self._progressed)
        for keys, slot in (
            ("Ctrl+F", self.search.setFocus),
            ("Ctrl+S", lambda: self.save_batch()),
            ("Ctrl+P", lambda: self.print_batch()),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.retranslate_ui()
        self._kind_changed()

    def retranslate_ui(self) -> None:
        self.title.setText(_("Print queue"))
        self.hint.setText(
            _(
                "Choose profiles with the filter, or select rows (Ctrl+A selects all shown). "
                "The batch becomes one PDF, one report after the other."
            )
        )
        self.search.setPlaceholderText(_("Search by name or customer number (Ctrl+F)"))
        self.mine.setText(_("Only mine"))
        current = self.status.currentData()
        self.status.clear()
        self.status.addItem(_("All states"), "")
        for key, label in STATUS_LABELS.items():
            self.status.addItem(_(label), key)
        self.status.setCurrentIndex(max(self.status.findData(current), 0))
        self.kind_label.setText(_("&Kind:"))
        for row in range(self.kind.count()):
            self.kind.setItemText(row, _(KIND_LABELS[self.kind.itemData(row)]))
        self.language_label.setText(_("&Language of client copies:"))
        self.language.setItemText(0, _("Each client's interview language"))
        for row in range(1, self.language.count()):
            info = i18n.language_info(self.language.itemData(row))
            self.language.setItemText(row, f"{info.name} · {info.native_name}")
        self.save_button.setText(_("&Save batch as PDF…"))
        self.save_button.setToolTip("Ctrl+S")
        self.print_button.setText(_("&Print batch…"))
        self.print_button.setToolTip("Ctrl+P")
        self._show_counts()

    # -- choosing ----------------------------------------------------------------------------

    def _filters(self) -> dict[str, Any]:
        return {
            "search": self.search.text().strip() or None,
            "status": self.status.currentData() or None,
            "mine": self.mine.isChecked(),
        }

    def reload(self) -> None:
        filters = self._filters()
        self.model.reload(
            search=filters["search"],
            status=filters["status"],
            created_by=self.session.user if filters["mine"] else None,
        )
        self._show_counts()

    def selected_ids(self) -> list[str]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [pid for pid in (self.model.profile_id(row) for row in rows) if pid]

    def _show_counts(self) -> None:
        matching, selected = self.model.total, len(self.selected_ids())
        self.all_matching.setText(
            i18n.ngettext(
                "&All {count} matching profile", "&All {count} matching profiles", matching
            ).format(count=matching)
        )
        self.only_selected.setText(
            i18n.ngettext(
                "Only the s&elected profile ({count})",
                "Only the s&elected profiles ({count})",
                selected,
            ).format(count=selected)
        )

    def _kind_changed(self) -> None:
        client = self.kind.currentData() == "client"
        self.language.setEnabled(client)
        self.language_label.setEnabled(client)

    def _ids_source(self) -> Callable[[], list[str]]:
        """What the worker calls to get the ids: the selection, or every match of the filter."""
        if self.only_selected.isChecked():
            ids = self.selected_ids()
            return lambda: list(ids)
        filters, printing = self._filters(), self.printing
        return lambda: printing.service().matching_ids(**filters)

    # -- running -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.cancel_event is not None

    def save_batch(self) -> bool:
        """Ask for a file and write the batch there, with progress and cancel."""
        if self.running:
            return False
        path = save_file_name(self, _("Save batch as PDF"), _("profile-batch.pdf"))
        if path is None:
            return False
        ids_source, printing, progress = self._ids_source(), self.printing, self.progress
        kind = self.kind.currentData()
        language = self.language.currentData() if kind == "client" else None

        def task(cancel: threading.Event) -> Any:
            return printing.service().batch(
                ids_source(),
                kind,
                path,
                language=language,
                progress=progress.report,
                cancelled=cancel.is_set,
            )

        def done(result: Any) -> str:
            return i18n.ngettext(
                "{count} profile saved in {name} ({pages} pages).",
                "{count} profiles saved in {name} ({pages} pages).",
                result.profiles,
            ).format(count=result.profiles, name=Path(path).name, pages=result.pages)

        self._run(task, done, _("Saving the batch as PDF…"))
        return True

    def print_batch(self) -> bool:
        """Qt's print dialog, then every profile onto the printer, one after the other."""
        if self.running:
            return False
        kind = self.kind.currentData()
        language = self.language.currentData() if kind == "client" else None
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QPageLayout().margins(),
            )
        )
        printer.setFullPage(True)
        printer.setDocName(_(DOCUMENT_NAMES[kind]))
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        copies = copies_to_paint(printer)
        ids_source, printing, progress = self._ids_source(), self.printing, self.progress
        session = self.session

        def task(cancel: threading.Event) -> Any:
            from intake.reports.model import PrintInfo
            from intake.reports.service import render_bytes

            service = printing.service()
            session.require("reports.batch", N_("print profiles in batches"))
            ids = ids_source()
            if not ids:
                raise InvalidInput("There is nothing to print: no profile matched.")
            info = PrintInfo(user=session.user, jobcenter=printing.jobcenter)
            job = PrintJob(printer)
            try:
                for done, profile_id in enumerate(ids, start=1):
                    if cancel.is_set():
                        raise PrintCancelled()
                    pdf = render_bytes(kind, service.source(profile_id), info, language=language)
                    # audited before the pages go out: if the audit fails, nothing is printed
                    service.record_print(profile_id, kind, page_count(pdf), language=language)
                    for _copy in range(copies):
                        job.add(pdf)
                    progress.report(done, len(ids))
            except BaseException:
                job.abort()
                raise
            job.finish()
            return len(ids), job.pages

        def done(result: tuple[int, int]) -> str:
            profiles, pages = result
            return i18n.ngettext(
                "{count} profile sent to the printer ({pages} pages).",
                "{count} profiles sent to the printer ({pages} pages).",
                profiles,
            ).format(count=profiles, pages=pages)

        self._printer = printer  # alive until the job is done
        self._run(task, done, _("Printing the batch…"))
        return True

    def _run(
        self,
        task: Callable[[threading.Event], Any],
        describe: Callable[[Any], str],
        label: str,
    ) -> None:
        cancel = threading.Event()
        self.cancel_event = cancel
        dialog = QProgressDialog(self)
        dialog.setObjectName("batchProgress")
        dialog.setWindowTitle(_("Print queue"))
        dialog.setLabelText(label)
        dialog.setCancelButtonText(_("Cancel"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(0)
        dialog.setRange(0, 0)  # busy until the first profiles are done
        dialog.canceled.connect(self.cancel)
        self.progress_dialog = dialog
        self.save_button.setEnabled(False)
        self.print_button.setEnabled(False)
        self.message.setText(label)
        dialog.show()

        def finished(outcome: Any, error: bool) -> None:
            if not shiboken6.isValid(self):
                return
            self.cancel_event = None
            self.progress_dialog = None
            dialog.close()
            dialog.deleteLater()
            self.save_button.setEnabled(True)
            self.print_button.setEnabled(True)
            if not error:
                self.message.setText(describe(outcome))
            elif cancel.is_set() and isinstance(outcome, IntakeError):
                self.message.setText(outcome.user_message())
            else:
                self.message.setText(_("The batch was not finished."))
                show_error(self, outcome)
            self.batch_finished.emit(outcome)

        self.worker.submit(
            lambda: task(cancel),
            lambda result: finished(result, False),
            lambda exc: finished(exc, True),
        )

    def cancel(self) -> None:
        """Stop the running batch before its next profile (nothing is written or printed)."""
        if self.cancel_event is not None:
            self.cancel_event.set()
            self.message.setText(_("Cancelling…"))

    def _progressed(self, done: int, total: int) -> None:
        dialog = self.progress_dialog
        if dialog is None or not shiboken6.isValid(dialog) or dialog.wasCanceled():
            return
        dialog.setRange(0, max(total, 1))
        dialog.setLabelText(
            i18n.ngettext(
                "{done} of {total} profile done…", "{done} of {total} profiles done…", total
            ).format(done=done, total=total)
        )
        dialog.setValue(done)
