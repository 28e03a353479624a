"""First run: the setup wizard that creates the store, the administrator and the recovery code.

Kept apart from the login screen so the usual start does not load it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from intake.errors import IntakeError
from intake.i18n import _
from intake.store.roles import MIN_PASSWORD_LENGTH


class SetupWizard(QWizard):
    """First run: the administrator account, the key store notice, the recovery code."""

    def __init__(self, create: Callable[[str, str], Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setupWizard")
        self.create = create
        self.created: Any = None
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.account = _AccountPage(self)
        self.recovery = _RecoveryPage(self)
        self.addPage(self.account)
        self.addPage(self.recovery)
        self.setWindowTitle(_("Set up Intake"))
        self.resize(620, 460)


class _AccountPage(QWizardPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard)
        self.wizard_ = wizard
        self.setTitle(_("Administrator account"))
        self.setSubTitle(
            _(
                "This creates the encrypted store on this device. The administrator manages users "
                "and settings; counselors get their own accounts later."
            )
        )
        self.name = QLineEdit(self)
        self.name.setObjectName("setupAdmin")
        self.password = QLineEdit(self)
        self.password.setObjectName("setupPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit(self)
        self.repeat.setObjectName("setupRepeat")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel(self)
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(_("&User name:"), self.name)
        form.addRow(
            _("&Password (at least {count} characters):").format(count=MIN_PASSWORD_LENGTH),
            self.password,
        )
        form.addRow(_("&Repeat password:"), self.repeat)
        form.addRow(self.message)

    def validatePage(self) -> bool:
        if self.password.text() != self.repeat.text():
            self.message.setText(_("The two passwords differ; type them again."))
            return False
        try:
            self.wizard_.created = self.wizard_.create(
                self.name.text().strip(), self.password.text()
            )
        except IntakeError as exc:
            self.message.setText(exc.user_message())
            return False
        return True


class _RecoveryPage(QWizardPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard)
        self.wizard_ = wizard
        self.setTitle(_("Recovery code"))
        self.setSubTitle(
            _(
                "This code opens the store if a password is forgotten or this computer's key store "
                "is lost. It is shown only now: print it or write it down and lock it away."
            )
        )
        self.code = QLabel(self)
        self.code.setObjectName("recoveryCode")
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(16)
        self.code.setFont(font)
        self.keyring = QLabel(self)
        self.keyring.setWordWrap(True)
        self.print_button = QPushButton(_("&Print…"), self)
        self.print_button.clicked.connect(self.print_code)
        self.confirm = QCheckBox(_("I have printed or written down the recovery code."), self)
        self.confirm.toggled.connect(self.completeChanged)
        layout = QVBoxLayout(self)
        layout.addWidget(self.code)
        layout.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.keyring)
        layout.addStretch(1)
        layout.addWidget(self.confirm)

    def initializePage(self) -> None:
        created = self.wizard_.created
        self.code.setText(created.recovery_code)
        if created.device_bound:
            self.keyring.setText(
                _("The store is also bound to this computer's key store ({backend}).").format(
                    backend=created.keyring.backend
                )
            )
        else:
            self.keyring.setText(
                _(
                    "No key store of the operating system is available here; the store is "
                    "protected by passwords only."
                )
            )

    def isComplete(self) -> bool:
        return self.confirm.isChecked()

    def print_code(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return
        document = QTextDocument()
        document.setPlainText(
            "\n".join(
                [
                    _("Intake recovery code"),
                    "",
                    self.code.text(),
                    "",
                    _(
                        "Keep this sheet locked away. Anyone with it can open the store on this device."
                    ),
                ]
            )
        )
        document.print_(printer)
