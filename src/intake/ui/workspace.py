"""The logged-in workspace: navigation, the current page, user, sync state, language, lock.

It is built after login and destroyed on lock or logout, so no personal data outlives the
session in any widget.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from babel.dates import format_time
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from intake import i18n
from intake.formengine import Form
from intake.i18n import N_, _
from intake.store.roles import ROLE_LABELS, allowed
from intake.store.session import Session
from intake.ui.admin import AdminPage
from intake.ui.background_sync import BackgroundSync
from intake.ui.errors import show_error
from intake.ui.interview.controller import InterviewController
from intake.ui.interview.screen import InterviewScreen
from intake.ui.print_queue import PrintQueuePage
from intake.ui.printing import Printing
from intake.ui.profile_list import ProfileListPage
from intake.ui.qt_i18n import Retranslatable
from intake.ui.sync_page import SyncPage, sync_status
from intake.ui.worker import DbWorker

log = logging.getLogger(__name__)

NAV = (
    ("profiles", N_("Profiles"), "profiles.read"),
    ("interview", N_("Interview"), "profiles.write"),
    ("sync", N_("Sync"), "profiles.read"),
    ("print_queue", N_("Print queue"), "reports.batch"),
    ("admin", N_("Administration"), "users.manage"),
)


class Workspace(Retranslatable, QWidget):
    lock_requested = Signal()
    logout_requested = Signal()
    ui_language_requested = Signal(str)

    def __init__(
        self,
        session: Session,
        worker: DbWorker,
        form: Form,
        parent: QWidget | None = None,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("workspace")
        self.today = today
        self.session = session
        self.worker = worker
        self.form = form
        self.interview: InterviewScreen | None = None

        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(190)
        self.pages = QStackedWidget(self)
        self.user_label = QLabel(self)
        self.sync_label = QLabel(self)
        self.sync_label.setObjectName("syncState")
        self.language = QComboBox(self)
        self.language.setObjectName("uiLanguage")
        for code in i18n.UI_LANGUAGES:
            self.language.addItem(i18n.UI_LANGUAGE_NAMES[code], code)
        self.lock_button = QPushButton(self)
        self.lock_button.setObjectName("lockButton")
        self.lock_button.setAutoDefault(False)
        self.logout_button = QPushButton(self)
        self.logout_button.setAutoDefault(False)
        top = QHBoxLayout()
        top.addWidget(self.user_label)
        top.addStretch(1)
        top.addWidget(self.sync_label)
        top.addSpacing(12)
        top.addWidget(self.language)
        top.addWidget(self.logout_button)
        top.addWidget(self.lock_button)
        body = QHBoxLayout()
        body.addWidget(self.nav)
        body.addWidget(self.pages, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)

        self.profiles = ProfileListPage(session, worker, self)
        self.profiles.open_profile.connect(self.open_profile)
        self.profiles.new_interview.connect(self.new_interview)
        self.printing = Printing(session, worker, self)
        self.profiles.print_requested.connect(self.printing.print_profile)
        self.empty_interview = QLabel(self)
        self.empty_interview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.background = BackgroundSync(session, worker, self)
        self.background.finished.connect(lambda _summary: self.refresh_sync_state())
        self.background.failed.connect(lambda _exc: self.refresh_sync_state())
        self.sync = SyncPage(session, worker, self, background=self.background, form=form)
        self.sync.synced.connect(self.refresh_sync_state)
        self.admin = (
            AdminPage(session, worker, self) if allowed(session.role, "users.manage") else None
        )
        self._pages = {
            "profiles": self.profiles,
            "interview": self.empty_interview,
            "sync": self.sync,
        }
        if self.printing.can_batch:
            self.print_queue = PrintQueuePage(session, worker, self.printing, self)
            self._pages["print_queue"] = self.print_queue
        if self.admin is not None:
            self._pages["admin"] = self.admin
        for key, page in self._pages.items():
            self.pages.addWidget(page)
            item = QListWidgetItem(self.nav)
            item.setData(Qt.ItemDataRole.UserRole, key)
        self.nav.currentItemChanged.connect(self._nav_changed)
        self.language.activated.connect(
            lambda i: self.ui_language_requested.emit(self.language.itemData(i))
        )
        self.lock_button.clicked.connect(self.lock_requested)
        self.logout_button.clicked.connect(self.logout_requested)
        QShortcut(QKeySequence("Ctrl+L"), self, activated=self.lock_requested.emit)
        for number, key in enumerate(self._pages, start=1):
            QShortcut(
                QKeySequence(f"Ctrl+{number}"), self, activated=lambda k=key: self.show_page(k)
            )
        self._sync_timer = QTimer(self)
        self._sync_timer.setInterval(30_000)
        self._sync_timer.timeout.connect(self.refresh_sync_state)
        self._sync_timer.start()
        self.retranslate_ui()
        self.profiles.reload()
        self.refresh_sync_state()
        self.show_page("profiles")
        self.background.start()

    def retranslate_ui(self) -> None:
        for row in range(self.nav.count()):
            item = self.nav.item(row)
            key = item.data(Qt.ItemDataRole.UserRole)
            label = next(text for k, text, _perm in NAV if k == key)
            item.setText(f"{_(label)}")
            item.setToolTip(f"Ctrl+{row + 1}")
        self.user_label.setText(
            _("{user} · {role}").format(
                user=self.session.user,
                role=_(ROLE_LABELS.get(self.session.role, self.session.role)),
            )
        )
        self.lock_button.setText(_("Lock"))
        self.lock_button.setToolTip("Ctrl+L")
        self.logout_button.setText(_("Log out"))
        self.empty_interview.setText(_("Open a profile or start a new interview (Ctrl+N)."))
        self.language.setCurrentIndex(max(self.language.findData(i18n.current_language()), 0))
        self.refresh_sync_state()

    # -- pages -------------------------------------------------------------------------------

    def show_page(self, key: str) -> None:
        if key not in self._pages:
            return
        row = list(self._pages).index(key)
        self.nav.setCurrentRow(row)

    def _nav_changed(self, item: QListWidgetItem | None, _previous: Any) -> None:
        if item is None:
            return
        key = item.data(Qt.ItemDataRole.UserRole)
        self.pages.setCurrentWidget(self._pages[key])
        if key == "profiles":
            self.profiles.search.setFocus()
        elif key == "print_queue":
            self.print_queue.reload()
            self.print_queue.search.setFocus()

    def refresh_sync_state(self) -> None:
        try:
            status = self.worker.call(lambda: sync_status(self.session))
        except Exception:  # the indicator must never take the workspace down
            log.warning("could not read the sync state")
            return
        parts = []
        if not status.enrolled:
            parts.append(_("offline"))
        if status.waiting_profiles:
            parts.append(
                i18n.ngettext(
                    "{count} profile waiting", "{count} profiles waiting", status.waiting_profiles
                ).format(count=status.waiting_profiles)
            )
        if status.last_sync_at:
            moment = dt.datetime.fromisoformat(
                status.last_sync_at.replace("Z", "+00:00")
            ).astimezone()
            parts.append(
                _("last sync {time}").format(
                    time=format_time(moment, "short", locale=i18n.current_language())
                )
            )
        if status.conflicts:
            parts.append(
                i18n.ngettext(
                    "conflict in {count} profile", "conflicts in {count} profiles", status.conflicts
                ).format(count=status.conflicts)
            )
        self.sync_label.setText(" · ".join(parts) or _("all synced"))

    # -- interviews --------------------------------------------------------------------------

    def new_interview(self) -> None:
        self._start(InterviewController(self.form, self.session, self.worker, today=self.today))

    def open_profile(self, profile_id: str, position: dict[str, Any] | None = None) -> None:
        session = self.session
        try:
            profile = self.worker.call(lambda: session.profiles.get(profile_id))
        except Exception as exc:
            show_error(self, exc)
            return
        controller = InterviewController(
            self.form,
            session,
            self.worker,
            profile_id=profile.id,
            answers=profile.answers,
            status=profile.summary.status or "draft",
            today=self.today,
        )
        self._start(controller, position)

    def _start(
        self, controller: InterviewController, position: dict[str, Any] | None = None
    ) -> None:
        self.close_interview()
        screen = InterviewScreen(controller, self)
        screen.closed.connect(self._interview_closed)
        screen.print_requested.connect(self.printing.print_profile)
        controller.save_status.connect(
            lambda status, _d: status == "saved" and self.refresh_sync_state()
        )
        self.interview = screen
        self._pages["interview"] = screen
        self.pages.addWidget(screen)
        self.show_page("interview")
        self.pages.setCurrentWidget(screen)
        if position and position.get("section"):
            screen.go_to(position["section"], position.get("question"), position.get("index"))
        else:
            screen.show_section(screen.current)  # now visible: the first question gets the focus

    def close_interview(self) -> None:
        if self.interview is None:
            return
        self.interview.controller.flush()
        self.pages.removeWidget(self.interview)
        self.interview.deleteLater()
        self.interview = None
        self._pages["interview"] = self.empty_interview

    def _interview_closed(self, profile_id: str) -> None:
        self.close_interview()
        self.show_page("profiles")
        self.profiles.model.apply_change(profile_id)
        self.profiles.reload()

    def resume(self) -> bool:
        """Reopen the interview this user was in (after a crash, power cut or lock)."""
        position = self.worker.call(self.session.resume_position)
        if not position or not position.get("profile"):
            return False
        session = self.session
        exists = self.worker.call(lambda: _exists(session, position["profile"]))
        if not exists:
            return False
        self.open_profile(position["profile"], position)
        return True

    def flush(self) -> None:
        if self.interview is not None:
            self.interview.controller.flush()


def _exists(session: Session, profile_id: str) -> bool:
    row = session.db.execute("SELECT deleted FROM profiles WHERE id = ?", [profile_id]).fetchone()
    return row is not None and not row[0]
