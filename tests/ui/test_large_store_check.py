"""A store too large to check at login is checked in the background right after it; damage
found there is reported in one sentence and the app locks instead of working on."""

from __future__ import annotations

from PySide6.QtCore import Qt
from tests.conftest import COUNSELOR_PASSWORD

from intake.ui.access import LockView


def test_damage_found_after_login_locks_the_app(qtbot, window, monkeypatch):
    from intake.store import vault as vault_module
    from intake.ui import app as app_module

    monkeypatch.setattr(vault_module, "FULL_CHECK_BYTES", 0)
    path = window.vault.db_path
    raw = bytearray(path.read_bytes())
    middle = len(raw) // 2
    raw[middle : middle + 8] = bytes(b ^ 0xFF for b in raw[middle : middle + 8])
    path.write_bytes(bytes(raw))
    shown = []
    monkeypatch.setattr(app_module, "show_error", lambda parent, exc: shown.append(exc))

    view = window.login_view
    view.user.setCurrentText("bert")
    qtbot.keyClicks(view.password, COUNSELOR_PASSWORD)
    qtbot.keyClick(view.password, Qt.Key.Key_Return)  # the login itself succeeds …
    qtbot.waitUntil(lambda: isinstance(window.stack.currentWidget(), LockView), timeout=10000)
    assert [type(exc).__name__ for exc in shown] == ["StoreCorrupt"]  # … then the check says so
    assert "kann nicht gelesen werden" in shown[0].user_message()  # in the UI language
    assert window.session is None
