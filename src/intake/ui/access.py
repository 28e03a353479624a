"""Getting in: the login screen and the lock screen.

Their cards are Designer forms (``ui/login.ui``, ``ui/lock.ui``, compiled by
``scripts/build_ui.py``); this module adds the behaviour. Nothing here shows personal data. The
lock screen replaces the whole workspace (the interview widgets are destroyed, not just hidden)
and asks only for the password of the user who was working; "switch user" goes back to the
login screen. This module is on the start-up path: it stays clear of the ``Qt`` namespace,
whose first use costs PySide6 some 25 ms of enum building.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from intake import i18n
from intake.i18n import _
from intake.ui.errors import user_error
from intake.ui.generated.ui_lock import Ui_LockCard
from intake.ui.generated.ui_login import Ui_LoginCard
from intake.ui.qt_i18n import Retranslatable


def _centered_card(view: QWidget) -> QFrame:
    """A fixed-width card in the middle of ``view``. Stretches instead of alignment flags, so
    that wrapped labels get the height they need (alignment disables height-for-width)."""
    frame = QFrame(view)
    frame.setObjectName("accessCard")
    frame.setFixedWidth(480)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(frame)
    row.addStretch(1)
    outer = QVBoxLayout(view)
    outer.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)
    return frame


class LoginView(Retranslatable, QWidget):
    """Users of this device, password, log in. Errors appear in one line under the form."""

    login_requested = Signal(str, str)
    language_requested = Signal(str)

    def __init__(self, users: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginView")
        self.ui = Ui_LoginCard()
        self.ui.setupUi(_centered_card(self))
        ui = self.ui
        self.title, self.subtitle, self.message = ui.title, ui.subtitle, ui.message
        self.user, self.password, self.button, self.language = (
            ui.user,
            ui.password,
            ui.button,
            ui.language,
        )
        self.user.addItems(users)
        for code in i18n.UI_LANGUAGES:
            self.language.addItem(i18n.UI_LANGUAGE_NAMES[code], code)
        self.language.setCurrentIndex(max(self.language.findData(i18n.current_language()), 0))
        self.button.clicked.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        self.language.activated.connect(
            lambda i: self.language_requested.emit(self.language.itemData(i))
        )
        self.password.setFocus()

    def retranslate_ui(self) -> None:
        self.ui.retranslateUi(self)

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
        self.ui = Ui_LockCard()
        self.ui.setupUi(_centered_card(self))
        ui = self.ui
        self.title, self.text, self.message = ui.title, ui.text, ui.message
        self.password, self.button, self.other = ui.password, ui.button, ui.other
        self.button.clicked.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        self.other.clicked.connect(self.switch_user)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.ui.retranslateUi(self)
        self.text.setText(
            _(
                "Intake was locked to protect the profiles. {user}, enter your password to "
                "continue where you left off."
            ).format(user=self.user)
        )

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
