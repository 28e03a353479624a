"""The Designer files and their compiled modules agree, and Designer texts are gettext msgids."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


@pytest.mark.skipif(
    shutil.which("pyside6-uic") is None
    and not Path(sys.executable).with_name("pyside6-uic").exists(),
    reason="pyside6-uic (PySide6) is not installed",
)
def test_generated_modules_are_up_to_date():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_ui.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_designer_texts_are_translated_with_the_ui_language(qtbot):
    from intake import i18n
    from intake.ui.access import LockView, LoginView

    i18n.set_language("de")
    try:
        login, lock = LoginView(["anna"]), LockView("anna")
        qtbot.addWidget(login)
        qtbot.addWidget(lock)
        assert login.button.text() == "Anmelden"
        assert lock.other.text() == "Benutzer wechseln"
        i18n.set_language("en")
        login.retranslate_ui()
        assert login.button.text() == "Log in"
    finally:
        i18n.set_language("en")
