"""The sync page: the server, the state ("3 profiles waiting", "last sync 10:42"), sync now,
and the conflicts that need a person: the values of both devices side by side."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_datetime
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from intake import i18n
from intake.i18n import _
from intake.store.session import Session
from intake.ui.errors import show_error
from intake.ui.qt_i18n import Retranslatable
from intake.ui.worker import DbWorker


def sync_status(session: Session) -> Any:
    from intake.store.syncstate import SyncState

    return SyncState(session).status()


def _when(moment: str) -> str:
    value = dt.datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone()
    return format_datetime(value, "short", locale=i18n.current_language())


class ConflictDialog(QDialog):
    """One profile's conflicting fields: every device's value, pick one per field.

    Sensitive fields (health, residence, consent …) must be chosen one by one; for the others
    "keep the newest" may decide."""

    def __init__(self, form, conflict, names: dict[str, str], parent: QWidget | None = None):
        super().__init__(parent)
        from intake.formengine import FormText

        self.setWindowTitle(_("Resolve a sync conflict"))
        self.conflict = conflict
        self.groups: dict[str, QButtonGroup] = {}
        text = FormText()
        body = QWidget()
        grid = QGridLayout(body)
        grid.setHorizontalSpacing(16)
        intro = QLabel(
            _(
                "Two devices changed the same answers of {name} while offline. Choose for each "
                "answer which value is right."
            ).format(name=names.get(conflict.profile_id) or "—")
        )
        intro.setWordWrap(True)
        row = 0
        for field_conflict in conflict.fields:
            item = form.items.get(field_conflict.name) if form is not None else None
            title = text.label(item) if item is not None else field_conflict.name
            label = QLabel(
                f"<b>{title}</b>"
                + ("  — " + _("sensitive: choose explicitly") if field_conflict.sensitive else "")
            )
            label.setObjectName("conflictField")
            grid.addWidget(label, row, 0, 1, 3)
            row += 1
            group = QButtonGroup(self)
            for number, option in enumerate(field_conflict.options):
                shown = (
                    text.answer(form, item, option.value)
                    if item is not None and hasattr(item, "choice_list")
                    else str(option.value)
                )
                button = QRadioButton(shown or _("(no answer)"))
                button.setProperty("option", number)
                group.addButton(button, number)
                grid.addWidget(button, row, 0)
                grid.addWidget(QLabel(option.author or ""), row, 1)
                grid.addWidget(QLabel(_when(option.created_at)), row, 2)
                row += 1
            self.groups[field_conflict.name] = group
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.newest = QCheckBox(_("Keep the newest value for answers I did not choose"))
        self.newest.setEnabled(not any(f.sensitive for f in conflict.fields))
        self.message = QLabel()
        self.message.setObjectName("problem")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.newest)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(760, 520)

    def choices(self) -> dict[str, Any]:
        chosen = {}
        for field_conflict in self.conflict.fields:
            button = self.groups[field_conflict.name].checkedButton()
            if button is not None:
                chosen[field_conflict.name] = field_conflict.options[
                    button.property("option")
                ].value
        return chosen

    def _accept(self) -> None:
        missing = [f for f in self.conflict.fields if f.name not in self.choices()]
        if missing and (not self.newest.isChecked() or any(f.sensitive for f in missing)):
            self.message.setText(_("Choose a value for every answer (sensitive ones always)."))
            return
        self.accept()


class SyncPage(Retranslatable, QWidget):
    synced = Signal()

    def __init__(
        self,
        session: Session,
        worker: DbWorker,
        parent: QWidget | None = None,
        background=None,
        form=None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.worker = worker
        self.background = background
        self.form = form
        self.title = QLabel(self)
        self.title.setObjectName("pageTitle")
        self.state = QLabel(self)
        self.state.setWordWrap(True)
        self.server = QLineEdit(self)
        self.code = QLineEdit(self)
        self.button = QPushButton(self)
        self.button.setObjectName("syncNow")
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.server_label, self.code_label = QLabel(self), QLabel(self)
        self.conflicts_title = QLabel(self)
        self.conflicts_title.setObjectName("sectionTitle")
        self.conflicts = QListWidget(self)
        self.conflicts.setObjectName("conflictList")
        self.resolve_button = QPushButton(self)
        form_layout = QFormLayout()
        form_layout.addRow(self.server_label, self.server)
        form_layout.addRow(self.code_label, self.code)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.state)
        layout.addLayout(form_layout)
        layout.addWidget(self.button)
        layout.addWidget(self.result)
        layout.addWidget(self.conflicts_title)
        layout.addWidget(self.conflicts, 1)
        layout.addWidget(self.resolve_button)
        self.button.clicked.connect(self.sync_now)
        self.resolve_button.clicked.connect(self.resolve_selected)
        self.conflicts.itemActivated.connect(lambda _item: self.resolve_selected())
        if background is not None:
            background.started.connect(lambda: self.result.setText(_("Syncing…")))
            background.finished.connect(self._done)
            background.failed.connect(self._background_failed)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.title.setText(_("Sync with the central server"))
        self.server_label.setText(_("Server:"))
        self.code_label.setText(_("Enrolment code (first sync only):"))
        self.button.setText(_("Sync now"))
        self.conflicts_title.setText(_("Conflicts to resolve"))
        self.resolve_button.setText(_("Resolve…"))
        self.refresh()

    def refresh(self) -> None:
        session = self.session
        try:
            status, url, conflicts, names = self.worker.call(
                lambda: (
                    sync_status(session),
                    session.settings.get("server_url"),
                    *self._conflicts(session),
                )
            )
        except Exception:  # a closed or damaged store: the indicator says nothing new
            return
        self.server.setText(status.server_url or url or "")
        self.code.setVisible(not status.enrolled)
        self.code_label.setVisible(not status.enrolled)
        self.state.setText(
            _("This device is enrolled in team {team}.").format(team=status.team)
            if status.enrolled
            else _(
                "This device is not enrolled yet: ask the central administrator for an enrolment code."
            )
        )
        self.conflicts.clear()
        for conflict in conflicts:
            item = QListWidgetItem(
                i18n.ngettext(
                    "{name}: {count} answer differs",
                    "{name}: {count} answers differ",
                    len(conflict.fields),
                ).format(
                    name=names.get(conflict.profile_id) or conflict.profile_id,
                    count=len(conflict.fields),
                ),
                self.conflicts,
            )
            item.setData(Qt.ItemDataRole.UserRole, conflict.profile_id)
        self._conflict_list = {c.profile_id: c for c in conflicts}
        self._names = names
        has = bool(conflicts)
        self.conflicts_title.setVisible(has)
        self.conflicts.setVisible(has)
        self.resolve_button.setVisible(has)
        if has and self.conflicts.currentRow() < 0:
            self.conflicts.setCurrentRow(0)

    @staticmethod
    def _conflicts(session: Session) -> tuple[list, dict[str, str]]:
        from intake.store.syncstate import SyncState

        conflicts = SyncState(session).conflicts()
        names = {}
        for conflict in conflicts:
            row = session.db.execute(
                "SELECT display_name FROM profiles WHERE id = ?", [conflict.profile_id]
            ).fetchone()
            names[conflict.profile_id] = row[0] if row else None
        return conflicts, names

    def resolve_selected(self) -> None:
        item = self.conflicts.currentItem()
        if item is None:
            return
        conflict = self._conflict_list.get(item.data(Qt.ItemDataRole.UserRole))
        if conflict is None:
            return
        dialog = ConflictDialog(self.form, conflict, self._names, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        choices, newest = dialog.choices(), dialog.newest.isChecked()
        session = self.session

        def resolve() -> Any:
            from intake.store.syncstate import SyncState

            return SyncState(session).resolve(
                conflict.profile_id, choices, newest_for_the_rest=newest
            )

        try:
            self.worker.call(resolve)
        except Exception as exc:
            show_error(self, exc)
            return
        self.result.setText(_("The conflict was resolved; the result goes out with the next sync."))
        self.refresh()
        self.synced.emit()
        if self.background is not None:
            self.background.schedule(0)

    def sync_now(self) -> None:
        url, code = self.server.text().strip(), self.code.text().strip()
        session = self.session
        if code or self.background is None:
            from intake.ui.background_sync import run_sync

            self.button.setEnabled(False)
            self.result.setText(_("Syncing…"))
            self.worker.submit(
                lambda: run_sync(session, server=url or None, enroll_code=code or None),
                self._done,
                self._failed,
            )
            return
        self.background.stopped = False
        self.background.sync_now()

    def _done(self, summary: Any) -> None:
        self.button.setEnabled(True)
        if summary is None:
            self.result.setText(
                _(
                    "This device is not enrolled yet: ask the central administrator for an enrolment code."
                )
            )
        else:
            self.result.setText(
                _(
                    "Sent {pushed}, received {pulled}, merged {merged}; {conflicts} conflicts."
                ).format(
                    pushed=summary.pushed,
                    pulled=summary.pulled,
                    merged=summary.merged,
                    conflicts=summary.conflicts,
                )
            )
        self.code.clear()
        self.refresh()
        self.synced.emit()

    def _background_failed(self, exc: BaseException) -> None:
        from intake.ui.errors import user_error

        known = user_error(exc)
        self.result.setText(known.user_message() if known else _("The last sync failed."))

    def _failed(self, exc: BaseException) -> None:
        self.button.setEnabled(True)
        self.result.setText("")
        show_error(self, exc)
