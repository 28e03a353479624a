"""Showing errors: one sentence in the UI language, what to do, and "copy details".

A user error (:class:`~intake.errors.IntakeError`) shows its own sentence. Anything else is a bug:
the user sees a plain apology, the log gets the traceback without exception messages (they could
quote personal data), and "Copy details" puts that same redacted text on the clipboard.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from intake import __version__, logsetup
from intake.errors import IntakeError
from intake.i18n import _

log = logging.getLogger(__name__)


def user_error(exc: BaseException) -> IntakeError | None:
    if isinstance(exc, IntakeError):
        return exc
    from intake.store import connect

    return connect.classify(exc)


class ErrorDialog(QMessageBox):
    def __init__(self, parent: QWidget | None, exc: BaseException) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(_("Intake"))
        known = user_error(exc)
        if known is not None:
            self.setText(known.user_message())
            self.details = f"Intake {__version__}: {type(known).__name__}"
        else:
            self.details = f"Intake {__version__}\n{logsetup.redacted_traceback(exc)}"
            log.error("unexpected error in the desktop app\n%s", self.details)
            self.setText(
                _(
                    "Intake hit an unexpected problem; your answers saved so far are safe. "
                    "Please report it with the details (they contain no personal data)."
                )
            )
        self.setStandardButtons(QMessageBox.StandardButton.Ok)
        self.copy_button = self.addButton(_("Copy details"), QMessageBox.ButtonRole.ActionRole)
        self.copy_button.clicked.disconnect()
        self.copy_button.clicked.connect(self.copy_details)

    def copy_details(self) -> None:
        QApplication.clipboard().setText(self.details)


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    dialog = ErrorDialog(parent, exc)
    dialog.exec()
