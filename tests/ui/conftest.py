"""Desktop tests: real widgets on Qt's offscreen platform, a real encrypted store behind them."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from tests.conftest import COUNSELOR_PASSWORD, PASSWORD


@pytest.fixture(scope="session")
def qapp_args():
    return ["intake-tests"]


@pytest.fixture(scope="session", autouse=True)
def _app_setup(qapp):
    from intake.ui.app import create_application

    create_application()
    yield


@pytest.fixture
def clock():
    """A monotonic clock the tests move forward instead of sleeping."""

    class Clock:
        now = 1000.0

        def __call__(self) -> float:
            return self.now

        def advance(self, seconds: float) -> None:
            self.now += seconds

    return Clock()


@pytest.fixture
def store(vault):
    """A store with an admin and a counselor."""
    created = vault.create("anna", PASSWORD)
    created.session.add_user("bert", "counselor", COUNSELOR_PASSWORD)
    created.session.close()
    return vault


@pytest.fixture
def window(qtbot, qapp, store, tmp_path, clock):
    from tests.personas import TODAY

    from intake import i18n
    from intake.ui.app import MainWindow, settings_for
    from intake.ui.qt_i18n import LanguageHub

    hub = LanguageHub(qapp)
    hub.set_ui_language("de")
    main = MainWindow(store, hub, settings_for(tmp_path), clock=clock, today=lambda: TODAY)
    qtbot.addWidget(main)
    main.start()
    main.show()
    main.activateWindow()
    qtbot.waitActive(main)
    yield main
    main.close()
    i18n.set_language("en")


def log_in(qtbot, window, user="bert", password=COUNSELOR_PASSWORD):
    view = window.login_view
    view.user.setCurrentText(user)
    view.password.setFocus()
    qtbot.keyClicks(view.password, password)
    from PySide6.QtCore import Qt

    qtbot.keyClick(view.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=10000)
    return window.workspace
