"""The composition root of the desktop app: builds the services once and hands them down.

``run(data_dir)`` is what ``intake`` without a subcommand calls. :class:`MainWindow` owns the
vault, the database worker and the loaded form, and switches between setup, login, the
workspace and the lock screen. The idle lock lives here too: input anywhere in the app resets
the timer; when it runs out the workspace (and every personal field in it) is destroyed, the
store is closed and the key dropped.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from intake import APP_ID, APP_NAME, __version__, i18n, logsetup, paths
from intake.store import layout
from intake.ui.access import LockView, LoginView
from intake.ui.errors import show_error
from intake.ui.fonts import application_font, register_fonts
from intake.ui.qt_i18n import LanguageHub
from intake.ui.worker import DbWorker

if TYPE_CHECKING:  # the heavy parts are imported after the login window is up (see _warm_up)
    from intake.formengine import Form
    from intake.store.session import IdleLockPolicy, Session
    from intake.store.vault import Vault
    from intake.ui.workspace import Workspace

# Loaded on the database thread while the login window waits for a password.
HEAVY_MODULES = (
    "intake.store.vault",
    "intake.formengine",
    "intake.ui.workspace",
)

log = logging.getLogger(__name__)


def _input_events() -> frozenset:
    # Built on first use: touching QEvent.Type makes PySide6 build a large enum (~30 ms),
    # which the login window does not need.
    return frozenset(
        {
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.Wheel,
            QEvent.Type.TouchBegin,
        }
    )


class IdleWatcher(QObject):
    """Feeds user input into the idle-lock policy and says when to lock."""

    timed_out = Signal()

    def __init__(self, app: QApplication, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(app)
        self.clock = clock
        self.app = app
        self.policy: IdleLockPolicy | None = None
        self.events: frozenset = frozenset()
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.check)

    def start(self, policy: IdleLockPolicy) -> None:
        """Watch input from now on (only a logged-in session can time out)."""
        self.events = self.events or _input_events()
        if self.policy is None:
            self.app.installEventFilter(self)
        self.policy = policy
        self.timer.start()

    def stop(self) -> None:
        self.policy = None
        self.timer.stop()
        self.app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.policy is not None and event.type() in self.events:
            self.policy.touch()
        return False

    def check(self) -> None:
        if self.policy is not None and self.policy.should_lock():
            self.stop()
            self.timed_out.emit()


class MainWindow(QMainWindow):
    logged_in = Signal(object)  # Session
    locked = Signal()
    page_check_done = Signal(object)  # problems found by the background page check, or an error

    def __init__(
        self,
        vault: Vault | Path,
        hub: LanguageHub,
        settings: QSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        form_path: Path | None = None,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        if isinstance(vault, Path):
            self.data_dir, self._vault = vault, None
        else:
            self.data_dir, self._vault = vault.data_dir, vault
        self.hub = hub
        self.settings = settings
        self.worker = DbWorker(self)
        self.clock = clock
        self.today = today
        self.form_path = form_path
        self.form: Form | None = None
        self.session: Session | None = None
        self.workspace: Workspace | None = None
        self.stack = QStackedWidget(self)
        self.setCentralWidget(self.stack)
        self.idle = IdleWatcher(QApplication.instance(), clock)
        self._warm_up_timer = QTimer(self)
        self._warm_up_timer.setSingleShot(True)
        self._warm_up_timer.timeout.connect(self._warm_up)
        self.idle.timed_out.connect(self.lock)
        self.hub.changed.connect(self._language_changed)
        self.page_check_done.connect(self._checked)  # queued: the check runs on its own thread
        self.setWindowTitle(APP_NAME)
        self.resize(1280, 820)

    @property
    def vault(self) -> Vault:
        if self._vault is None:
            from intake.store.vault import Vault

            self._vault = Vault(self.data_dir)
        return self._vault

    def _warm_up(self) -> None:
        register_fonts()  # the Arabic and Ethiopic families too (already known ones are skipped)
        logsetup.configure(self.data_dir)

        def load() -> None:
            for name in HEAVY_MODULES:
                importlib.import_module(name)

        self.worker.submit(
            load, on_error=lambda exc: log.warning("warm-up: %s", type(exc).__name__)
        )

    # -- start -------------------------------------------------------------------------------

    def start(self) -> bool:
        """Show setup (first run) or the login screen; False when setup was cancelled."""
        if not layout.store_exists(self.data_dir):
            from intake.ui.setup_wizard import SetupWizard

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
        users = layout.user_names(self.data_dir)
        if not users:
            try:  # the full check names what is wrong (a missing or damaged key file, …)
                users = self.vault.users()
            except Exception as exc:
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
        # Later, not at once: an import on the other thread holds the GIL and would delay the
        # first paint of this window; nobody types a password in 300 ms.
        self._warm_up_timer.start(300)

    # -- session -----------------------------------------------------------------------------

    def _load_form(self) -> Form:
        if self.form is None:
            from intake.formengine import default_form_path, load_form

            self.form = load_form(self.form_path or default_form_path())
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
        if not session.checked_at_login:
            session.check_pages_in_background(self.page_check_done.emit)
        if not self.workspace.resume():
            self.workspace.profiles.search.setFocus()
        self.logged_in.emit(session)

    def _checked(self, problems: Any) -> None:
        """The background check of a large store found damage: say so and stop working on it."""
        if isinstance(problems, BaseException):
            self._check_failed(problems)
        elif problems:
            from intake.errors import StoreCorrupt

            self._check_failed(StoreCorrupt(path=str(self.vault.db_path)))

    def _check_failed(self, exc: BaseException) -> None:
        show_error(self, exc)
        self.lock()

    def _open_workspace(self) -> None:
        from intake.store.session import IdleLockPolicy
        from intake.ui.workspace import Workspace

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
        self._warm_up_timer.stop()  # it would submit to the worker shut down below
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
    register_fonts(only_default=True)
    app.setFont(application_font())
    load_style(app)
    return app


def launch(data_dir: str | Path | None, language: str | None = None) -> int:
    """``intake [--data-dir DIR] [--lang L]``: the desktop app, without the CLI's imports."""
    return run(Path(data_dir) if data_dir else paths.default_data_dir(), language)


def run(data_dir: Path, language: str | None = None) -> int:
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    app = create_application()  # the local log is configured once the window is up
    settings = settings_for(data_dir)
    hub = LanguageHub(app)
    hub.set_ui_language(
        language or settings.value("ui_language", "", str) or i18n.language_from_environment()
    )
    window = MainWindow(data_dir, hub, settings)
    install_excepthook(lambda: window)
    if not window.start():
        return 0
    window.show()
    if os.environ.get("INTAKE_BENCH_READY"):  # bench/bench_ui.py: say when the login is up, quit
        QTimer.singleShot(0, lambda: (print("ready", flush=True), app.quit()))
    return app.exec()
