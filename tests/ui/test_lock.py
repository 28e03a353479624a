"""Auto-lock: after the idle time only the lock view is on screen, the store is closed and the
key dropped; unlocking returns to the same question with nothing lost."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
)
from tests.conftest import COUNSELOR_PASSWORD
from tests.ui.conftest import log_in
from tests.ui.helpers import Key, answer, press, tab_to

from intake.ui.access import LockView

SECRET_NAME = "Quirinella"


def visible_texts(root, *, only_visible: bool = True) -> list[str]:
    """Every text a widget under ``root`` shows (labels, fields, buttons, lists, tables)."""
    texts = []
    for widget in [root, *root.findChildren(object)]:
        if not hasattr(widget, "isVisible") or (only_visible and not widget.isVisible()):
            continue
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QLineEdit):
            texts += [widget.text(), widget.placeholderText()]
        elif isinstance(widget, QPlainTextEdit):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        elif isinstance(widget, QListWidget):
            texts += [widget.item(i).text() for i in range(widget.count())]
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(min(model.rowCount(QModelIndex()), 500)):
                for column in range(model.columnCount(QModelIndex())):
                    texts.append(str(model.index(row, column).data() or ""))
    return texts


def test_idle_lock_hides_everything_and_unlock_resumes(qtbot, window, clock):
    workspace = log_in(qtbot, window)
    workspace.new_interview()
    screen = workspace.interview
    screen.show_section("person")
    card = screen.pages["person"].cards[("given_names_latin", None)]
    tab_to(qtbot, card)
    answer(qtbot, card, SECRET_NAME)
    with qtbot.waitSignal(
        screen.controller.save_status,
        timeout=5000,
        check_params_cb=lambda status, _d: status == "saved",
    ):
        pass
    assert any(SECRET_NAME in text for text in visible_texts(window))
    session = window.session
    profile_id = screen.controller.profile_id

    clock.advance(4 * 60)  # not yet: the default is 5 minutes
    qtbot.wait(1200)
    assert window.session is session
    clock.advance(61)
    qtbot.waitUntil(lambda: isinstance(window.stack.currentWidget(), LockView), timeout=4000)

    assert not session.is_open  # connection closed …
    assert bytes(session._dek) == bytes(len(session._dek))  # … and the key overwritten
    qtbot.waitUntil(lambda: window.workspace is None)

    def leaks() -> list[str]:  # in any widget still alive, shown or not
        return [
            text
            for top in QApplication.topLevelWidgets()
            for text in visible_texts(top, only_visible=False)
            if SECRET_NAME in text
        ]

    qtbot.waitUntil(lambda: leaks() == [], timeout=3000)
    window.grab().save(str(window.vault.data_dir / "lock.png"))

    lock = window.stack.currentWidget()
    assert lock.password.hasFocus()
    qtbot.keyClicks(lock.password, COUNSELOR_PASSWORD)
    qtbot.keyClick(lock.password, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.workspace is not None and window.workspace.interview is not None,
        timeout=10000,
    )
    screen = window.workspace.interview
    assert screen.controller.profile_id == profile_id
    assert screen.current == "person"
    card = screen.pages["person"].cards[("given_names_latin", None)]
    assert card.input.edit.text() == SECRET_NAME
    assert card.input.edit.hasFocus()
    press(qtbot, Key.Key_End)  # and typing goes on where it stopped


def test_wrong_password_on_the_lock_screen_stays_locked(qtbot, window):
    log_in(qtbot, window)
    window.lock()
    lock = window.stack.currentWidget()
    qtbot.keyClicks(lock.password, "not the password")
    qtbot.keyClick(lock.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: lock.message.isVisible(), timeout=10000)
    assert "Passwort" in lock.message.text()
    assert window.session is None and window.workspace is None
