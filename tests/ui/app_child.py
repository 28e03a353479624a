"""Child process for the kill test: the real app, an interview in progress, then it waits to die.

Answers a few questions of the Person section through the input widgets' signals, waits until
each is saved, prints "saved <question>" and keeps the event loop running until SIGKILL.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from keyrings.alt.file import PlaintextKeyring
from PySide6.QtCore import QTimer

from intake.store.device import DeviceKeyring
from intake.store.keyslots import MINIMUM_KDF
from intake.store.vault import Vault
from intake.ui.app import MainWindow, create_application, settings_for
from intake.ui.qt_i18n import LanguageHub

ANSWERS = [
    ("family_name", "Тестова"),
    ("given_names", "Олена"),
    ("family_name_latin", "Testova"),
    ("given_names_latin", "Olena"),
]


def main() -> int:
    data_dir, keyring_file, user = sys.argv[1:4]
    password = sys.stdin.readline().rstrip("\n")
    backend = PlaintextKeyring()
    backend.file_path = keyring_file
    vault = Vault(Path(data_dir), keyring=DeviceKeyring(backend), kdf=MINIMUM_KDF)
    app = create_application()
    hub = LanguageHub(app)
    hub.set_ui_language("de")
    window = MainWindow(vault, hub, settings_for(Path(data_dir)))
    window.start()
    window.show()
    pending = list(ANSWERS)

    def next_answer(*_args) -> None:
        screen = window.workspace.interview
        if not pending:
            return
        question, value = pending.pop(0)
        card = screen.pages["person"].cards[(question, None)]
        card.focus_target().setFocus()
        card.input.edit.setText(value)
        card.input.edit.textEdited.emit(value)  # what typing emits
        screen.controller.save_now()

    def saved(status: str, _detail) -> None:
        if status == "saved":
            done = ANSWERS[len(ANSWERS) - len(pending) - 1][0]
            print(f"saved {done}", flush=True)
            QTimer.singleShot(0, next_answer)

    def logged_in(_session) -> None:
        window.workspace.new_interview()
        screen = window.workspace.interview
        screen.controller.save_status.connect(saved)
        screen.show_section("person")
        next_answer()

    window.logged_in.connect(logged_in)
    window.login(user, password)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
