"""The interview screen: section list with progress, the current section's page, review, finalize.

Keyboard: Tab walks the questions in order; Alt+Right / Alt+Left (or Ctrl+PgDown / Ctrl+PgUp) go
to the next / previous section; Ctrl+R opens the review; the interview language has Ctrl+Shift+L.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt, QTime, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from intake import i18n
from intake.formengine import FormText, progress
from intake.i18n import _
from intake.ui.fonts import client_font
from intake.ui.interview.controller import InterviewController
from intake.ui.interview.page import SectionPage
from intake.ui.qt_i18n import Retranslatable, rtl

REVIEW = "__review__"
# Issues that only mean "not answered yet": shown from the first visit of the review on.
MISSING = frozenset({"required", "repeat_min"})


class ReviewPage(QWidget):
    """Every missing or invalid answer, with a jump to it; finalize when nothing is missing."""

    jump = Signal(str, str, object)  # section, question, index
    finalize_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(self)
        self.title.setObjectName("pageTitle")
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("reviewList")
        self.finalize_button = QPushButton(self)
        self.finalize_button.setObjectName("finalize")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.finalize_button, 0, Qt.AlignmentFlag.AlignRight)
        self.list.itemActivated.connect(self._activated)
        self.finalize_button.clicked.connect(self.finalize_requested)
        self.errors = 0

    def show_issues(self, controller: InterviewController, ui: FormText) -> None:
        form = controller.form
        issues = controller.issues()
        self.list.clear()
        self.errors = sum(1 for issue in issues if issue.severity == "error")
        warnings = len(issues) - self.errors
        for issue in issues:
            item_def = form.items.get(issue.field)
            if item_def is None:
                continue
            section = form.section(item_def.section)
            where = ui.label(section) + " › " + ui.label(item_def)
            if issue.index is not None:
                where += " " + _("(entry {number})").format(number=issue.index + 1)
            prefix = (
                _("Missing")
                if issue.code in MISSING
                else (_("Check") if issue.severity == "warning" else _("Invalid"))
            )
            entry = QListWidgetItem(f"{prefix}: {where} — {issue.text()}", self.list)
            entry.setData(Qt.ItemDataRole.UserRole, (section.id, issue.field, issue.index))
        self.title.setText(_("Review"))
        self.summary.setText(
            _("Nothing is missing. The interview can be finalized.")
            if not self.errors
            else i18n.ngettext(
                "{count} answer is missing or invalid. Press Enter on a line to go there.",
                "{count} answers are missing or invalid. Press Enter on a line to go there.",
                self.errors,
            ).format(count=self.errors)
            + (
                " "
                + i18n.ngettext(
                    "{count} hint to check.", "{count} hints to check.", warnings
                ).format(count=warnings)
                if warnings
                else ""
            )
        )
        self.finalize_button.setText(_("Finalize interview"))
        self.finalize_button.setEnabled(self.errors == 0)
        if self.list.count():
            self.list.setCurrentRow(0)

    def _activated(self, item: QListWidgetItem) -> None:
        section, question, index = item.data(Qt.ItemDataRole.UserRole)
        self.jump.emit(section, question, index)


class InterviewScreen(Retranslatable, QWidget):
    closed = Signal(str)  # profile id, when the interview was finalized or left
    section_switched = Signal(str, float)  # section id, milliseconds (for the benchmark)
    print_requested = Signal(str, str)  # profile id, interview language (Ctrl+P)

    def __init__(self, controller: InterviewController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("interviewScreen")
        self.controller = controller
        self.form = controller.form
        self.pages: dict[str, SectionPage] = {}
        self.current: str = self.form.sections[0].id
        self.show_missing = False
        self.ui_text = FormText()

        self.heading = QLabel(self)
        self.heading.setObjectName("pageTitle")
        self.language_label = QLabel(self)
        self.language = QComboBox(self)
        self.language.setObjectName("interviewLanguage")
        self.language_label.setBuddy(self.language)
        self.saved = QLabel(self)
        self.saved.setObjectName("saveState")
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.language_label)
        top.addWidget(self.language)
        top.addSpacing(16)
        top.addWidget(self.saved)

        self.sections = QListWidget(self)
        self.sections.setObjectName("sectionList")
        self.sections.setMinimumWidth(300)
        self.sections.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sections.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.stack = QStackedWidget(self)
        self.review = ReviewPage(self)
        self.stack.addWidget(self.review)
        splitter = QSplitter(self)
        splitter.addWidget(self.sections)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([310, 900])

        self.back_button = QPushButton(self)
        self.next_button = QPushButton(self)
        self.review_button = QPushButton(self)
        self.leave_button = QPushButton(self)
        self.print_button = QPushButton(self)
        self.print_button.setObjectName("printProfile")
        for button in (
            self.back_button,
            self.next_button,
            self.review_button,
            self.leave_button,
            self.print_button,
        ):
            button.setAutoDefault(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.leave_button)
        bottom.addWidget(self.print_button)
        bottom.addStretch(1)
        bottom.addWidget(self.review_button)
        bottom.addWidget(self.back_button)
        bottom.addWidget(self.next_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

        for section in self.form.sections:
            item = QListWidgetItem(self.sections)
            item.setData(Qt.ItemDataRole.UserRole, section.id)
        review_item = QListWidgetItem(self.sections)
        review_item.setData(Qt.ItemDataRole.UserRole, REVIEW)

        self.sections.currentItemChanged.connect(self._section_picked)
        self.back_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.review_button.clicked.connect(lambda: self.show_section(REVIEW))
        self.leave_button.clicked.connect(self.leave)
        self.print_button.clicked.connect(self.request_print)
        self.language.activated.connect(self._language_picked)
        self.review.jump.connect(self.go_to)
        self.review.finalize_requested.connect(self.finalize)
        controller.state_changed.connect(self._state_changed)
        controller.save_status.connect(self._save_status)
        controller.language_changed.connect(lambda _code: self._apply_languages())
        for keys, slot in (
            ("Alt+Right", lambda: self.step(1)),
            ("Ctrl+PgDown", lambda: self.step(1)),
            ("Alt+Left", lambda: self.step(-1)),
            ("Ctrl+PgUp", lambda: self.step(-1)),
            ("Ctrl+R", lambda: self.show_section(REVIEW)),
            ("Ctrl+Shift+L", lambda: self.language.setFocus()),
            ("Ctrl+P", self.request_print),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self._fill_languages()
        self.retranslate_ui()
        self.show_section(self.current)
        # The other sections are built one per event-loop turn while the counselor reads the
        # first one, so switching later only shows a ready page (SPEC §9: under 30 ms).
        self._to_build = [s.id for s in self.form.sections if s.id != self.current]
        self._build_timer = QTimer(self)  # owned: it dies with the screen
        self._build_timer.setSingleShot(True)
        self._build_timer.timeout.connect(self._build_next)
        self._build_timer.start(0)

    # -- texts -------------------------------------------------------------------------------

    def retranslate_ui(self) -> None:
        self.heading.setText(_("Interview"))
        self.language_label.setText(_("Interview &language:"))
        self.back_button.setText(_("Back"))
        self.next_button.setText(_("Next"))
        self.review_button.setText(_("Review"))
        self.leave_button.setText(_("Back to the list"))
        self.print_button.setText(_("Print…"))
        self.print_button.setToolTip("Ctrl+P")
        self.back_button.setToolTip("Alt+Left")
        self.next_button.setToolTip("Alt+Right")
        self.review_button.setToolTip("Ctrl+R")
        self._fill_languages()
        self._apply_languages()

    def _fill_languages(self) -> None:
        current = self.controller.interview_language
        self.language.blockSignals(True)
        self.language.clear()
        for code in i18n.INTERVIEW_LANGUAGES:
            info = i18n.language_info(code)
            status = ""
            if not info.reviewed:
                status = " — " + _("machine translation, not yet reviewed")
            self.language.addItem(f"{info.name} · {info.native_name}{status}", code)
        index = self.language.findData(current)
        self.language.setCurrentIndex(max(index, 0))
        self.language.blockSignals(False)

    def _language_picked(self, index: int) -> None:
        code = self.language.itemData(index)
        if code and code != self.controller.interview_language:
            self.controller.set_answer("interview_language", None, code, at_once=True)

    def _apply_languages(self) -> None:
        language = self.controller.interview_language
        client = FormText(language)
        font = client_font(language, self.font())
        self._client = (client, rtl(language), font)
        index = self.language.findData(language)
        if index >= 0 and index != self.language.currentIndex():
            self.language.blockSignals(True)
            self.language.setCurrentIndex(index)
            self.language.blockSignals(False)
        for page in self.pages.values():
            page.set_texts(self.ui_text, client, rtl(language), font)
        self._refresh()

    # -- navigation --------------------------------------------------------------------------

    def page(self, section_id: str) -> SectionPage:
        page = self.pages.get(section_id)
        if page is None:
            page = SectionPage(
                self.form,
                self.form.section(section_id),
                self.controller.set_answer,
                self.controller.add_instance,
                self.controller.remove_instance,
            )
            client, client_rtl, font = self._client
            page.set_texts(self.ui_text, client, client_rtl, font)
            page.update_state(self.controller.state, self.controller.issues(), self.show_missing)
            self.pages[section_id] = page
            self.stack.addWidget(page)
        return page

    def _build_next(self) -> None:
        while self._to_build:
            section_id = self._to_build.pop(0)
            if section_id not in self.pages:
                page = self.page(section_id)
                body = page.widget()
                body.ensurePolished()  # style and fonts resolved now, not on the first show
                body.layout().activate()
                self._build_timer.start(0)
                return

    def open_sections(self) -> list[str]:
        states = self.controller.state.sections
        # Next/Back skip sections that are hidden or locked by a missing consent.
        return [s.id for s in self.form.sections if states[s.id].open] + [REVIEW]

    def show_section(self, section_id: str, *, focus: bool = True) -> None:
        started = time.perf_counter()
        self.current = section_id
        if section_id == REVIEW:
            self.show_missing = True
            self.review.show_issues(self.controller, self.ui_text)
            self.stack.setCurrentWidget(self.review)
            for page in self.pages.values():
                page.update_state(self.controller.state, self.controller.issues(), True)
            if focus:
                self.review.list.setFocus() if self.review.list.count() else self.review.finalize_button.setFocus()
        else:
            page = self.page(section_id)
            self.stack.setCurrentWidget(page)
            self.controller.visit(section_id)
            target = page.first_input() if focus else None
            if target is not None:
                target.setFocus(Qt.FocusReason.OtherFocusReason)
        row = next(
            (
                i
                for i in range(self.sections.count())
                if self.sections.item(i).data(Qt.ItemDataRole.UserRole) == section_id
            ),
            -1,
        )
        self.sections.blockSignals(True)
        self.sections.setCurrentRow(row)
        self.sections.blockSignals(False)
        self._update_buttons()
        self.section_switched.emit(section_id, (time.perf_counter() - started) * 1000)

    def step(self, delta: int) -> None:
        self.controller.save_now()
        order = self.open_sections()
        position = order.index(self.current) if self.current in order else 0
        target = max(0, min(len(order) - 1, position + delta))
        self.show_section(order[target])

    def go_to(self, section_id: str, question_id: str | None, index: int | None = None) -> None:
        self.show_section(section_id, focus=question_id is None)
        if question_id is None or section_id == REVIEW:
            return
        page = self.pages[section_id]
        card = page.cards.get((question_id, index)) or page.cards.get((question_id, None))
        if card is not None and card.focus_target() is not None:
            page.ensureWidgetVisible(card)
            card.focus_target().setFocus(Qt.FocusReason.OtherFocusReason)
            self.controller.visit(section_id, question_id, index)

    def _section_picked(self, item: QListWidgetItem | None, _previous: Any) -> None:
        if item is not None:
            self.show_section(item.data(Qt.ItemDataRole.UserRole), focus=False)

    def _update_buttons(self) -> None:
        order = self.open_sections()
        position = order.index(self.current) if self.current in order else 0
        self.back_button.setEnabled(position > 0)
        self.next_button.setEnabled(position < len(order) - 1)

    # -- state -------------------------------------------------------------------------------

    def _state_changed(self, _state: Any) -> None:
        self._refresh()

    def _refresh(self) -> None:
        state = self.controller.state
        issues = self.controller.issues()
        page = self.pages.get(self.current)
        if page is not None:
            page.update_state(state, issues, self.show_missing)
        for other_id, other in self.pages.items():
            if other_id != self.current:
                other.update_state(state, issues, self.show_missing)
        counts = progress(self.form, self.controller.answers, state=state)
        errors: dict[str, int] = {}
        for issue in issues:
            item = self.form.items.get(issue.field)
            if item is not None and issue.severity == "error" and issue.code not in MISSING:
                errors[item.section] = errors.get(item.section, 0) + 1
        for row in range(self.sections.count()):
            item = self.sections.item(row)
            section_id = item.data(Qt.ItemDataRole.UserRole)
            if section_id == REVIEW:
                item.setText(_("Review and finalize"))
                continue
            section = self.form.section(section_id)
            section_state = state.sections[section_id]
            count = counts[section_id]
            text = f"{self.ui_text.label(section)}"
            if section_state.locked:
                text += "  · " + _("locked")
            elif count.total:
                text += f"  {count.answered}/{count.total}"
            if errors.get(section_id):
                text += "  · " + i18n.ngettext(
                    "{count} problem", "{count} problems", errors[section_id]
                ).format(count=errors[section_id])
            item.setText(text)
            item.setToolTip(text)
            item.setHidden(not section_state.visible)
        if self.current == REVIEW:
            self.review.show_issues(self.controller, self.ui_text)
        self._update_buttons()

    def _save_status(self, status: str, detail: Any) -> None:
        if status == "saving":
            self.saved.setText(_("Saving…"))
        elif status == "saved":
            self.saved.setText(
                _("Saved {time}").format(time=QTime.currentTime().toString("HH:mm:ss"))
            )
        else:
            from intake.ui.errors import user_error

            known = user_error(detail)
            message = known.user_message() if known else _("not saved")
            self.saved.setText(_("Not saved: {reason}").format(reason=message))

    # -- ending ------------------------------------------------------------------------------

    def finalize(self) -> None:
        if self.review.errors:
            return

        def done(_change: Any) -> None:
            self.closed.emit(self.controller.profile_id)

        from intake.ui.errors import show_error

        self.controller.finalize(done, lambda exc: show_error(self, exc))

    def request_print(self) -> None:
        """Save what is pending, then ask for the print dialog of this profile."""
        self.controller.flush()
        self.print_requested.emit(self.controller.profile_id, self.controller.interview_language)

    def leave(self) -> None:
        """Back to the list on purpose: saved, and not reopened at the next login."""
        self.controller.flush()
        session = self.controller.session
        self.controller.worker.call(lambda: session.remember_position(None))
        self.closed.emit(self.controller.profile_id)

    def position(self) -> dict[str, Any]:
        return dict(self.controller.position)
