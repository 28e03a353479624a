"""Regenerate the screenshots in docs/screenshots/ (offscreen, fictional data only).

    .venv/bin/python scripts/screenshots.py

Makes a throw-away store with demo profiles and the fictional personas of the tests, drives the
real windows, and saves: the login, the profile list, the interview in German beside Arabic,
Tigrinya and Ukrainian, the review page, the lock screen, and one interview page in every
interview language (docs/screenshots/languages/), the print preview of a case summary and of an
Arabic client copy, and the supervisors' print queue. Look at them after every UI change.
"""

from __future__ import annotations

import copy
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from keyrings.alt.file import PlaintextKeyring  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from tests.formengine.test_form_personas import walk  # noqa: E402
from tests.personas import MARYAM, OLENA, SAMER, TESFAY, TODAY  # noqa: E402

from intake import i18n  # noqa: E402
from intake.demo import demo_profiles  # noqa: E402
from intake.store.device import DeviceKeyring  # noqa: E402
from intake.store.keyslots import MINIMUM_KDF  # noqa: E402
from intake.store.vault import Vault  # noqa: E402
from intake.ui.app import MainWindow, create_application, settings_for  # noqa: E402
from intake.ui.qt_i18n import LanguageHub  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PASSWORD = "screenshot password"  # noqa: S105 - a throw-away store
SIZE = (1366, 860)


def spin(app: QApplication, seconds: float = 0.25) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def wait(app: QApplication, condition, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the window did not get there")
        spin(app, 0.05)


def main() -> int:
    app = create_application()
    tmp = Path(tempfile.mkdtemp(prefix="intake-shots-"))
    backend = PlaintextKeyring()
    backend.file_path = str(tmp / "keyring.cfg")
    vault = Vault(tmp / "store", keyring=DeviceKeyring(backend), kdf=MINIMUM_KDF)
    created = vault.create("anna.berger", PASSWORD)
    session = created.session
    session.add_user("ben.okafor", "counselor", PASSWORD)
    session.add_user("clara.weiss", "supervisor", PASSWORD)
    from intake.formengine import default_form_path, load_form

    form = load_form(default_form_path())
    with session.db.atomic():
        for answers in demo_profiles(400, seed=7):
            session.profiles.save(
                answers, form_id=form.id, form_version=form.version, status="complete"
            )
    personas = {
        name: walk(form, copy.deepcopy(p))
        for name, p in (("samer", SAMER), ("olena", OLENA), ("maryam", MARYAM), ("tesfay", TESFAY))
    }
    ids = {
        name: session.profiles.save(answers, form_id=form.id, form_version=form.version).profile_id
        for name, answers in personas.items()
    }
    session.close()

    hub = LanguageHub(app)
    hub.set_ui_language("de")
    window = MainWindow(vault, hub, settings_for(tmp), today=lambda: TODAY)
    window.resize(*SIZE)
    window.start()
    window.show()
    spin(app)
    window.login_view.user.setCurrentText("ben.okafor")
    OUT.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(OUT / "login.png"))

    window.login("ben.okafor", PASSWORD)
    wait(app, lambda: window.workspace is not None)
    spin(app, 0.5)
    window.grab().save(str(OUT / "profiles.png"))
    workspace = window.workspace

    def interview(persona: str, language: str, section: str, name: str) -> None:
        workspace.open_profile(ids[persona])
        screen = workspace.interview
        screen.controller.set_answer("interview_language", None, language, at_once=True)
        screen.show_section(section)
        spin(app, 0.4)
        window.grab().save(str(name))

    interview("samer", "ar", "languages", OUT / "interview-de-ar.png")
    interview("tesfay", "ti", "work", OUT / "interview-de-ti.png")
    interview("olena", "uk", "person", OUT / "interview-de-uk.png")
    for code in i18n.INTERVIEW_LANGUAGES:
        interview("maryam", code, "consent", OUT / "languages" / f"{code}.png")

    workspace.new_interview()
    screen = workspace.interview
    screen.controller.set_answer("interview_language", None, "fa_AF", at_once=True)
    screen.show_section("__review__")
    spin(app, 0.4)
    window.grab().save(str(OUT / "review.png"))

    def print_preview(persona: str, kind: str, name: str) -> None:
        dialog = workspace.printing.print_profile(ids[persona])
        dialog.kind.setCurrentIndex(dialog.kind.findData(kind))
        wait(app, lambda: dialog.pdf is not None and not dialog._busy)
        spin(app, 0.4)
        dialog.grab().save(str(name))
        dialog.close()

    print_preview("olena", "case", OUT / "print-preview.png")
    print_preview("samer", "client", OUT / "print-preview-ar.png")

    window.lock()
    spin(app, 0.4)
    window.grab().save(str(OUT / "lock.png"))

    window.show_login()
    window.login("clara.weiss", PASSWORD)
    wait(app, lambda: window.workspace is not None)
    window.workspace.show_page("print_queue")
    queue = window.workspace.print_queue
    queue.status.setCurrentIndex(queue.status.findData("complete"))
    queue.reload()
    queue.table.selectRow(0)
    for row in (2, 3, 5):
        queue.table.selectionModel().select(
            queue.model.index(row, 0),
            queue.table.selectionModel().SelectionFlag.Select
            | queue.table.selectionModel().SelectionFlag.Rows,
        )
    queue.only_selected.setChecked(True)
    spin(app, 0.5)
    window.grab().save(str(OUT / "print-queue.png"))
    window.close()
    print(f"screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
