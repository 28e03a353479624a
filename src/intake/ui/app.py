"""The composition root of the desktop app: builds the services once and hands them down.

``run(data_dir)`` is what ``intake`` without a subcommand calls. :class:`MainWindow` owns the
vault, the database worker and the loaded form, and switches between setup, login, the
workspace and the lock screen. The idle lock lives here too: input anywhere in the app resets
the timer; when it runs out the workspace (and every personal field in it) is destroyed, the
store is closed and the key dropped.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from intake import APP_ID, APP_NAME, __version__, i18n, logsetup, paths
from intake.formengine import Form, default_form_path, load_form
from intake.store.session import IdleLockPolicy, Session
from intake.store.vault import Vault
from intake.ui.access import LockView, LoginView, SetupWizard
from intake.ui.errors import show_error
from intake.ui.fonts import application_font, register_fonts
from intake.ui.qt_i18n import LanguageHub
from intake.ui.worker import DbWorker
from intake.ui.workspace import Workspace

log = logging.getLogger(__name__)

_INPUT_EVENTS = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class IdleWatcher(QObject):
    """Feeds user input into the idle-lock policy and says when to lock."""

    timed_out = Signal()

    def __init__(self, app: QApplication, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(app)
        self.clock = clock
        self.policy: IdleLockPolicy | None = None
        app.installEventFilter(self)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def start(self, policy: IdleLockPolicy) -> None:
        self.policy = policy

    def stop(self) -> None:
        self.policy = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.policy is not None and event.type() in _INPUT_EVENTS:
            self.policy.touch()
        return False

    def check(self) -> None:
        if self.policy is not None and self.policy.should_lock():
            self.policy = None
            self.timed_out.emit()


class MainWindow(QMainWindow):
    logged_in = Signal(object)  # Session
    locked = Signal()

    def __init__(
        self,
        vault: Vault,
        hub: LanguageHub,
        settings: QSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        form_path: Path | None = None,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.vault = vault
        self.hub = hub
        self.settings = settings
        self.worker = DbWorker(self)
        self.clock = clock
        self.today = today
        self.form_path = form_path or default_form_path()
        self.form: Form | None = None
        self.session: Session | None = None
        self.workspace: Workspace | None = None
        self.stack = QStackedWidget(self)
        self.setCentralWidget(self.stack)
        self.idle = IdleWatcher(QApplication.instance(), clock)
        self.idle.timed_out.connect(self.lock)
        self.hub.changed.connect(self._language_changed)
        self.setWindowTitle(APP_NAME)
        self.resize(1280, 820)

    # -- start -------------------------------------------------------------------------------

    def start(self) -> bool:
        """Show setup (first run) or the login screen; False when setup was cancelled."""
        if not self.vault.exists():
            wizard = SetupWizard(self._create_store, self)
            if wizard.exec() != SetupWizard.DialogCode.Accepted or wizard.created is None:
                return False
            wizard.created.session.close()
        self.show_login()
        return True

    def _create_store(self, admin: str, password: str) -> Any:
        return self.vault.create(admin, password)

    def _set_view(self, widget: QWidget) -> None:
        old = self.stack.currentWidget()
        self.stack.addWidget(widget)
        self.stack.setCurrentWidget(widget)
        if old is not None and old is not widget:
            self.stack.removeWidget(old)
            old.deleteLater()

    def show_login(self, message: BaseException | None = None) -> None:
        try:
            users = self.vault.users()
        except Exception as exc:  # a damaged key file: say so on the login screen
            users, message = [], exc
        view = LoginView(users, self)
        view.login_requested.connect(self.login)
        view.language_requested.connect(self.set_ui_language)
        last = self.settings.value("last_user", "", str)
        if last in users:
            view.user.setCurrentText(last)
        self._set_view(view)
        self.login_view = view
        if message is not None:
            view.failed(message)
        view.password.setFocus()

    # -- session -----------------------------------------------------------------------------

    def _load_form(self) -> Form:
        if self.form is None:
            self.form = load_form(self.form_path)
        return self.form

    def login(self, user: str, password: str) -> None:
        vault = self.vault

        def unlock() -> tuple[Session, Form]:
            return vault.unlock(user, password), self._load_form()

        self.worker.submit(unlock, self._logged_in, self.login_view.failed)

    def _logged_in(self, result: tuple[Session, Form]) -> None:
        session, _form = result
        self.session = session
        self.settings.setValue("last_user", session.user)
        self._open_workspace()
        if not self.workspace.resume():
            self.workspace.profiles.search.setFocus(Qt.FocusReason.OtherFocusReason)
        self.logged_in.emit(session)

    def _open_workspace(self) -> None:
        session = self.session
        assert session is not None and self.form is not None
        workspace = Workspace(session, self.worker, self.form, self, today=self.today)
        workspace.lock_requested.connect(self.lock)
        workspace.logout_requested.connect(self.logout)
        workspace.ui_language_requested.connect(self.set_ui_language)
        self.workspace = workspace
        self._set_view(workspace)
        policy = self.worker.call(
            lambda: IdleLockPolicy.from_settings(session.settings, self.clock)
        )
        self.idle.start(policy)

    def _close_session(self, reason: str) -> str | None:
        """Save, destroy the workspace, close the store and drop the key."""
        self.idle.stop()
        user = None
        if self.workspace is not None:
            try:
                self.workspace.flush()
            except Exception as exc:  # saving failed: still lock, the error was shown
                log.warning("flush before %s failed: %s", reason, type(exc).__name__)
            self.stack.removeWidget(self.workspace)
            self.workspace.deleteLater()
            self.workspace = None
        if self.session is not None:
            session, self.session = self.session, None
            user = session.user
            self.worker.call(session.lock if reason == "lock" else session.close)
        QApplication.clipboard().clear()
        return user

    def lock(self) -> None:
        if self.session is None:
            return
        user = self._close_session("lock")
        view = LockView(user or "", self)
        view.unlock_requested.connect(lambda password: self.unlock(view, password))
        view.switch_user.connect(lambda: self.show_login())
        self._set_view(view)
        view.password.setFocus()
        self.locked.emit()

    def unlock(self, view: LockView, password: str) -> None:
        vault, user = self.vault, view.user
        self.worker.submit(
            lambda: (vault.unlock(user, password), self._load_form()), self._logged_in, view.failed
        )

    def logout(self) -> None:
        self._close_session("logout")
        self.show_login()

    # -- language ----------------------------------------------------------------------------

    def set_ui_language(self, language: str) -> None:
        self.hub.set_ui_language(language)
        self.settings.setValue("ui_language", i18n.current_language())

    def _language_changed(self, _language: str) -> None:
        self.setWindowTitle(APP_NAME)

    # -- closing -----------------------------------------------------------------------------

    def closeEvent(self, event: Any) -> None:
        try:
            self._close_session("logout")
        finally:
            self.worker.shutdown()
        super().closeEvent(event)


def settings_for(data_dir: Path) -> QSettings:
    """Display preferences only (language, window, last user name) — never personal data."""
    return QSettings(str(Path(data_dir) / "ui-settings.ini"), QSettings.Format.IniFormat)


def install_excepthook(window_getter: Callable[[], QWidget | None]) -> None:
    def hook(kind, value, tb) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        show_error(window_getter(), value)

    sys.excepthook = hook


def load_style(app: QApplication) -> None:
    style = paths.resource_dir() / "ui" / "styles" / "intake.qss"
    if style.is_file():
        app.setStyleSheet(style.read_text(encoding="utf-8"))


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationDomain(APP_ID)
    register_fonts()
    app.setFont(application_font())
    load_style(app)
    return app


def run(data_dir: Path) -> int:
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    logsetup.configure(data_dir)
    app = create_application()
    settings = settings_for(data_dir)
    hub = LanguageHub(app)
    hub.set_ui_language(settings.value("ui_language", "", str) or i18n.language_from_environment())
    window = MainWindow(Vault(data_dir), hub, settings)
    install_excepthook(lambda: window)
    if not window.start():
        return 0
    window.show()
    if "--print-ready" in sys.argv:  # for the start-up benchmark
        QTimer.singleShot(0, lambda: print(f"ready {time.perf_counter()}", flush=True))
    return app.exec()
