"""Getting in: the login screen and the lock screen.

Nothing here shows personal data. This module is on the start-up path: it stays clear of the
``Qt`` namespace, whose first use costs PySide6 some 25 ms of enum building. The lock screen replaces the whole workspace (the interview
widgets are destroyed, not just hidden) and asks only for the password of the user who was
working; "switch user" goes back to the login screen.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from intake import APP_NAME, i18n
from intake.i18n import _
from intake.ui.errors import user_error
from intake.ui.qt_i18n import Retranslatable


def _center(view: QWidget, frame: QFrame) -> None:
    """Put the card in the middle. Stretches instead of alignment flags, so that wrapped
    labels get the height they need (alignment disables height-for-width)."""
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(frame)
    row.addStretch(1)
    outer = QVBoxLayout(view)
    outer.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)


def _card(parent: QWidget) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame(parent)
    frame.setObjectName("accessCard")
    frame.setFixedWidth(480)  # fixed: wrapped labels then get the height they need
    layout = QVBoxLayout(frame)
    layout.setSpacing(10)
    return frame, layout


class LoginView(Retranslatable, QWidget):
    """Users of this device, password, log in. Errors appear in one line under the form."""

    login_requested = Signal(str, str)
    language_requested = Signal(str)

    def __init__(self, users: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginView")
        frame, box = _card(self)
        self.title = QLabel(frame)
        self.title.setObjectName("accessTitle")
        self.subtitle = QLabel(frame)
        self.subtitle.setWordWrap(True)
        self.user = QComboBox(frame)
        self.user.setObjectName("loginUser")
        self.user.addItems(users)
        self.password = QLineEdit(frame)
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.user_label, self.password_label = QLabel(frame), QLabel(frame)
        self.user_label.setBuddy(self.user)
        self.password_label.setBuddy(self.password)
        form = QFormLayout()
        form.addRow(self.user_label, self.user)
        form.addRow(self.password_label, self.password)
        self.message = QLabel(frame)
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        self.message.hide()
        self.button = QPushButton(frame)
        self.button.setObjectName("loginButton")
        self.button.setDefault(True)
        self.language = QComboBox(frame)
        self.language.setObjectName("uiLanguage")
        for code in i18n.UI_LANGUAGES:
            self.language.addItem(i18n.UI_LANGUAGE_NAMES[code], code)
        self.language.setCurrentIndex(max(self.language.findData(i18n.current_language()), 0))
        box.addWidget(self.title)
        box.addWidget(self.subtitle)
        box.addLayout(form)
        box.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addWidget(self.language)
        buttons.addStretch(1)
        buttons.addWidget(self.button)
        box.addLayout(buttons)
        _center(self, frame)
        self.button.clicked.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        self.language.activated.connect(
            lambda i: self.language_requested.emit(self.language.itemData(i))
        )
        self.retranslate_ui()
        self.password.setFocus()

    def retranslate_ui(self) -> None:
        self.title.setText(APP_NAME)
        self.subtitle.setText(_("Log in to open the encrypted profiles on this device."))
        self.user_label.setText(_("&User:"))
        self.password_label.setText(_("&Password:"))
        self.button.setText(_("Log in"))

    def _submit(self) -> None:
        if self.user.currentText() and self.password.text():
            self.set_busy(True)
            self.login_requested.emit(self.user.currentText(), self.password.text())

    def set_busy(self, busy: bool) -> None:
        self.button.setEnabled(not busy)
        self.password.setEnabled(not busy)

    def failed(self, exc: BaseException) -> None:
        self.set_busy(False)
        known = user_error(exc)
        self.message.setText(known.user_message() if known else _("Logging in failed."))
        self.message.show()
        self.password.clear()
        self.password.setFocus()


class LockView(Retranslatable, QWidget):
    """The only thing on screen while locked: who, and a password field."""

    unlock_requested = Signal(str)
    switch_user = Signal()

    def __init__(self, user: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockView")
        self.user = user
        frame, box = _card(self)
        self.title = QLabel(frame)
        self.title.setObjectName("accessTitle")
        self.text = QLabel(frame)
        self.text.setWordWrap(True)
        self.password = QLineEdit(frame)
        self.password.setObjectName("unlockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel(frame)
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        self.message.hide()
        self.button = QPushButton(frame)
        self.button.setDefault(True)
        self.other = QPushButton(frame)
        buttons = QHBoxLayout()
        buttons.addWidget(self.other)
        buttons.addStretch(1)
        buttons.addWidget(self.button)
        box.addWidget(self.title)
        box.addWidget(self.text)
        box.addWidget(self.password)
        box.addWidget(self.message)
        box.addLayout(buttons)
        _center(self, frame)
        self.button.clicked.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        self.other.clicked.connect(self.switch_user)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.title.setText(_("Locked"))
        self.text.setText(
            _(
                "Intake was locked to protect the profiles. {user}, enter your password to "
                "continue where you left off."
            ).format(user=self.user)
        )
        self.button.setText(_("Unlock"))
        self.other.setText(_("Switch user"))

    def _submit(self) -> None:
        if self.password.text():
            self.button.setEnabled(False)
            self.unlock_requested.emit(self.password.text())

    def failed(self, exc: BaseException) -> None:
        self.button.setEnabled(True)
        known = user_error(exc)
        self.message.setText(known.user_message() if known else _("Unlocking failed."))
        self.message.show()
        self.password.clear()
        self.password.setFocus()
