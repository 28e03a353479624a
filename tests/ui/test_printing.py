"""Printing from the app: preview, Qt's print dialog, save as PDF, and the supervisors' batch.

Real store, real reports, real PDFium rendering; only the modal dialogs' class methods are
replaced (``QFileDialog.getSaveFileName``, ``QPrintDialog.exec``), as pytest-qt recommends. The
print dialog's stand-in points the dialog's own ``QPrinter`` at a PDF file, like choosing
"Print to file" in the real dialog.
"""

from __future__ import annotations

import copy
import io
import time

import pdfplumber
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QPushButton
from tests.conftest import COUNSELOR_PASSWORD, PASSWORD
from tests.personas import OLENA, SAMER, TESFAY
from tests.ui.conftest import log_in

SUPERVISOR_PASSWORD = "supervisor pass 1"


@pytest.fixture
def profiles(store):
    """Three fictional profiles in the store, and a supervisor (clara) next to anna and bert."""
    from intake.formengine import default_form_path, load_form

    form = load_form(default_form_path())
    session = store.unlock("anna", PASSWORD)
    try:
        session.add_user("clara", "supervisor", SUPERVISOR_PASSWORD)
        ids = {
            name: session.profiles.save(
                copy.deepcopy(answers), form_id=form.id, form_version=form.version
            ).profile_id
            for name, answers in (("olena", OLENA), ("samer", SAMER), ("tesfay", TESFAY))
        }
    finally:
        session.close()
    return ids


def audit_actions(window, action: str) -> list[dict]:
    session = window.session
    entries = window.worker.call(lambda: list(session.audit.entries()))
    return [e for e in entries if e["action"] == action]


def ink(image: QImage) -> int:
    """Pixels noticeably darker than paper, on a coarse grid."""
    dark = 0
    for y in range(0, image.height(), 4):
        for x in range(0, image.width(), 4):
            if image.pixelColor(x, y).lightness() < 160:
                dark += 1
    return dark


def open_print_dialog(qtbot, workspace, profile_id, language=None):
    dialog = workspace.printing.print_profile(profile_id, language)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.pdf is not None and not dialog._busy, timeout=20000)
    return dialog


def pdf_text(path) -> str:
    with pdfplumber.open(io.BytesIO(path.read_bytes())) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def test_preview_shows_every_page_as_an_image_with_ink(qtbot, window, profiles):
    workspace = log_in(qtbot, window)
    dialog = open_print_dialog(qtbot, workspace, profiles["olena"])
    from intake.ui.printing import page_count

    pages = page_count(dialog.pdf)
    assert pages >= 1
    assert len(dialog.page_labels) == pages == len(dialog.images)
    for label in dialog.page_labels:
        pixmap = label.pixmap()
        assert not pixmap.isNull() and pixmap.width() > 400
        assert ink(pixmap.toImage()) > 200, "a page of text, not a blank sheet"
    assert dialog.language.currentData() == "uk", (
        "the client copy defaults to the interview language"
    )
    scroll = dialog.preview.verticalScrollBar()
    qtbot.waitUntil(lambda: scroll.maximum() > 0, timeout=5000)  # a full page scrolls …
    assert scroll.value() == 0, "… from its top"
    assert not dialog.language.isEnabled(), "the case summary is German only"

    dialog.kind.setCurrentIndex(dialog.kind.findData("client"))
    qtbot.waitUntil(lambda: dialog.pdf is not None and not dialog._busy, timeout=20000)
    assert dialog.language.isEnabled()
    assert len(dialog.page_labels) == page_count(dialog.pdf)
    dialog.close()


def test_save_as_pdf_writes_a_real_pdf_and_audits_the_export(
    qtbot, profiles, window, tmp_path, monkeypatch
):
    target = tmp_path / "chosen" / "akte"
    target.parent.mkdir()
    asked = []

    def choose(parent, caption, start, filters):
        asked.append(start)
        return str(target), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(choose))
    workspace = log_in(qtbot, window)
    dialog = open_print_dialog(qtbot, workspace, profiles["olena"])
    with qtbot.waitCallback(timeout=20000) as saved:
        assert dialog.save_pdf(on_done=saved)
    written = tmp_path / "chosen" / "akte.pdf"
    assert saved.args == [written]
    text = pdf_text(written)
    assert "Erstprofil: Zusammenfassung für die Akte" in text
    assert "Тестова" in text and "Testova" in text
    assert [p.name for p in written.parent.iterdir()] == ["akte.pdf"], "no temporary files left"
    exports = audit_actions(window, "profile_export")
    assert [e["object_id"] for e in exports] == [profiles["olena"]]
    assert "Testova" not in (exports[0]["detail"] or "")
    dialog.close()


def pdf_printer_dialog(path, accept: bool = True):
    """A stand-in for ``QPrintDialog.exec``: 'print to file' into ``path``, or cancel."""

    def exec_(self):
        if not accept:
            return QDialog.DialogCode.Rejected
        printer = self.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        return QDialog.DialogCode.Accepted

    return exec_


def test_print_dialog_accepted_prints_and_audits_cancelled_records_nothing(
    qtbot, profiles, window, tmp_path, monkeypatch
):
    out = tmp_path / "printer.pdf"
    workspace = log_in(qtbot, window)
    dialog = open_print_dialog(qtbot, workspace, profiles["samer"])
    dialog.kind.setCurrentIndex(dialog.kind.findData("client"))
    qtbot.waitUntil(lambda: dialog.pdf is not None and not dialog._busy, timeout=20000)
    assert dialog.language.currentData() == "ar"

    monkeypatch.setattr(QPrintDialog, "exec", pdf_printer_dialog(out, accept=False))
    assert dialog.print_() is False
    assert not out.exists()
    assert audit_actions(window, "profile_print") == []

    monkeypatch.setattr(QPrintDialog, "exec", pdf_printer_dialog(out))
    with qtbot.waitCallback(timeout=30000) as printed:
        assert dialog.print_(on_done=printed)
    pages = len(dialog.images)
    assert printed.args == [pages]
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == pages
        assert pdf.pages[0].images, "the pages went to the printer as rendered images"
    prints = audit_actions(window, "profile_print")
    assert [e["object_id"] for e in prints] == [profiles["samer"]]
    assert '"language": "ar"' in prints[0]["detail"] and '"kind": "client"' in prints[0]["detail"]
    dialog.close()


def test_ctrl_p_in_the_list_opens_the_print_dialog_for_the_row(qtbot, window, profiles):
    from intake.ui.printing import ProfilePrintDialog

    workspace = log_in(qtbot, window)
    assert not hasattr(workspace, "print_queue"), "a counselor has no print queue"
    assert "print_queue" not in workspace._pages
    page = workspace.profiles
    page.table.setFocus()
    page.table.selectRow(0)
    row_id = page.model.profile_id(page.table.currentIndex().row())
    qtbot.keyClick(page.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = workspace.findChild(ProfilePrintDialog)
    assert dialog is not None and dialog.profile_id == row_id
    qtbot.waitUntil(lambda: dialog.pdf is not None, timeout=20000)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: workspace.findChild(ProfilePrintDialog) is None, timeout=5000)


def test_ctrl_p_in_the_interview_prints_in_the_interview_language(qtbot, window, profiles):
    from intake.ui.printing import ProfilePrintDialog

    workspace = log_in(qtbot, window)
    workspace.open_profile(profiles["tesfay"])
    screen = workspace.interview
    assert screen.print_button.isVisible()
    here = QApplication.focusWidget()
    assert here is not None and screen.isAncestorOf(here)
    qtbot.keyClick(here, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = workspace.findChild(ProfilePrintDialog)
    assert dialog is not None and dialog.profile_id == profiles["tesfay"]
    assert dialog.language.currentData() == "ti"
    qtbot.waitUntil(lambda: dialog.pdf is not None, timeout=20000)
    dialog.close()


@pytest.fixture
def many_profiles(store, profiles):
    """Enough profiles that a batch takes a few chunks (the service renders ten at a time)."""
    from intake.formengine import default_form_path, load_form

    form = load_form(default_form_path())
    session = store.unlock("anna", PASSWORD)
    try:
        with session.db.atomic():
            for number in range(37):
                answers = copy.deepcopy(OLENA)
                answers["family_name_latin"] = f"Testova{number}"
                session.profiles.save(answers, form_id=form.id, form_version=form.version)
    finally:
        session.close()
    return profiles


def test_supervisor_batch_by_selection_and_by_filter_with_progress(
    qtbot, profiles, window, tmp_path, monkeypatch
):
    workspace = log_in(qtbot, window, "clara", SUPERVISOR_PASSWORD)
    workspace.show_page("print_queue")
    queue = workspace.print_queue
    assert queue.isVisible() and queue.model.total == 3
    target = tmp_path / "batch.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: (str(target), "")))
    # two rows selected with the keyboard
    queue.table.setFocus()
    queue.table.selectRow(0)
    qtbot.keyClick(queue.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    chosen = queue.selected_ids()
    assert len(chosen) == 2
    queue.only_selected.setChecked(True)
    seen = []
    queue.progress.progressed.connect(lambda done, total: seen.append((done, total)))
    with qtbot.waitSignal(queue.batch_finished, timeout=30000) as finished:
        qtbot.keyClick(queue, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert finished.args[0].profiles == 2, finished.args[0]
    assert seen and seen[-1] == (2, 2)
    text = pdf_text(target)
    assert text.count("Erstprofil: Zusammenfassung für die Akte") >= 2
    exports = audit_actions(window, "profile_export")
    assert sorted(e["object_id"] for e in exports) == sorted(chosen)
    assert all('"batch": true' in e["detail"] for e in exports)

    # by filter: the search narrows the matches to one person
    queue.all_matching.setChecked(True)
    queue.search.setText("Testova")
    queue.reload()
    assert queue.model.total == 1
    target.unlink()
    with qtbot.waitSignal(queue.batch_finished, timeout=30000) as finished:
        queue.save_batch()
    assert finished.args[0].profiles == 1
    assert "Testova" in pdf_text(target) and "Al-Tajribi" not in pdf_text(target)


def test_cancelling_a_batch_midway_leaves_no_file(
    qtbot, many_profiles, window, tmp_path, monkeypatch
):
    workspace = log_in(qtbot, window, "clara", SUPERVISOR_PASSWORD)
    workspace.show_page("print_queue")
    queue = workspace.print_queue
    assert queue.model.total == 40
    target = tmp_path / "batch.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: (str(target), "")))

    def cancel_on_first_progress(done, total):
        if done < total and not queue.cancel_event.is_set():
            dialog = queue.progress_dialog
            button = dialog.findChild(QPushButton)
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # the dialog's own Cancel

    queue.progress.progressed.connect(cancel_on_first_progress)
    report = queue.progress.report

    def report_then_wait_for_cancel(done: int, total: int) -> None:
        # On the worker thread: hold the batch after its first progress until the main thread
        # has clicked Cancel, so the batch cannot finish before the click (a race otherwise).
        report(done, total)
        deadline = time.monotonic() + 10
        while done < total and time.monotonic() < deadline:
            event = queue.cancel_event
            if event is None or event.is_set():
                break
            time.sleep(0.01)

    monkeypatch.setattr(queue.progress, "report", report_then_wait_for_cancel)
    with qtbot.waitSignal(queue.batch_finished, timeout=60000) as finished:
        assert queue.save_batch()
        assert queue.progress_dialog is not None and queue.progress_dialog.isVisible()
    from intake.reports import ReportCancelled

    assert isinstance(finished.args[0], ReportCancelled)
    assert not target.exists()
    assert list(tmp_path.glob(".intake-report-*")) == [], "no half-written temporary file"
    assert audit_actions(window, "profile_export") == []
    assert "no file was written" in queue.message.text() or "keine Datei" in queue.message.text()
    assert queue.save_button.isEnabled() and queue.progress_dialog is None


def test_supervisor_prints_a_batch_through_the_print_dialog(
    qtbot, profiles, window, tmp_path, monkeypatch
):
    out = tmp_path / "printer.pdf"
    monkeypatch.setattr(QPrintDialog, "exec", pdf_printer_dialog(out))
    workspace = log_in(qtbot, window, "clara", SUPERVISOR_PASSWORD)
    workspace.show_page("print_queue")
    queue = workspace.print_queue
    queue.kind.setCurrentIndex(queue.kind.findData("client"))
    with qtbot.waitSignal(queue.batch_finished, timeout=60000) as finished:
        assert queue.print_batch()
    profiles_printed, pages = finished.args[0]
    assert profiles_printed == 3
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == pages >= 3
    prints = audit_actions(window, "profile_print")
    assert sorted(e["object_id"] for e in prints) == sorted(profiles.values())


def test_counselor_cannot_reach_batches(qtbot, window, profiles):
    workspace = log_in(qtbot, window, "bert", COUNSELOR_PASSWORD)
    labels = [workspace.nav.item(row).text() for row in range(workspace.nav.count())]
    assert "Druckwarteschlange" not in labels and "Print queue" not in labels
    assert workspace.printing.can_print and not workspace.printing.can_batch
