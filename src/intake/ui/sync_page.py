"""The sync page: the server, the state ("3 profiles waiting", "last sync 10:42"), sync now."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from intake.i18n import _
from intake.store.session import Session
from intake.ui.errors import show_error
from intake.ui.qt_i18n import Retranslatable
from intake.ui.worker import DbWorker


def sync_status(session: Session) -> Any:
    from intake.store.syncstate import SyncState

    return SyncState(session).status()


class SyncPage(Retranslatable, QWidget):
    synced = Signal()

    def __init__(self, session: Session, worker: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.worker = worker
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
        form = QFormLayout()
        form.addRow(self.server_label, self.server)
        form.addRow(self.code_label, self.code)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.state)
        layout.addLayout(form)
        layout.addWidget(self.button)
        layout.addWidget(self.result)
        layout.addStretch(1)
        self.button.clicked.connect(self.sync_now)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.title.setText(_("Sync with the central server"))
        self.server_label.setText(_("Server:"))
        self.code_label.setText(_("Enrolment code (first sync only):"))
        self.button.setText(_("Sync now"))
        self.refresh()

    def refresh(self) -> None:
        session = self.session
        try:
            status, url = self.worker.call(
                lambda: (sync_status(session), session.settings.get("server_url"))
            )
        except Exception:
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

    def sync_now(self) -> None:
        from intake.sync.client import Synchronizer, Transport

        session = self.session
        url, code = self.server.text().strip(), self.code.text().strip()
        ca_file = self.worker.call(lambda: session.settings.get("ca_file"))

        def run() -> Any:
            with Transport(url, ca_file=ca_file) as transport:
                synchronizer = Synchronizer(session, transport)
                if code:
                    synchronizer.enroll(code)
                return synchronizer.run()

        self.button.setEnabled(False)
        self.result.setText(_("Syncing…"))
        self.worker.submit(run, self._done, self._failed)

    def _done(self, summary: Any) -> None:
        self.button.setEnabled(True)
        self.result.setText(
            _("Sent {pushed}, received {pulled}, merged {merged}; {conflicts} conflicts.").format(
                pushed=summary.pushed,
                pulled=summary.pulled,
                merged=summary.merged,
                conflicts=summary.conflicts,
            )
        )
        self.code.clear()
        self.refresh()
        self.synced.emit()

    def _failed(self, exc: BaseException) -> None:
        self.button.setEnabled(True)
        self.result.setText("")
        show_error(self, exc)
