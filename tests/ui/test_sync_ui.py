"""Background sync and conflict resolution in the app, against a real server on loopback TLS.

Two devices edit the same answer offline; the app syncs on its own after login, the indicator
says "conflict in 1 profile", the sync page shows both values side by side, and the counselor's
choice becomes a revision with both parents that reaches the other device."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog
from tests.conftest import PASSWORD, FileKeyring
from tests.personas import TODAY
from tests.sync.harness import ServerProcess, make_tls, new_device, service_for

from intake.i18n import set_language
from intake.store.device import DeviceKeyring
from intake.ui.app import MainWindow, settings_for
from intake.ui.qt_i18n import LanguageHub
from intake.ui.sync_page import ConflictDialog


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("central-ui")
    tls = make_tls(directory / "tls")
    process = ServerProcess(f"sqlite:///{directory / 'central.db'}", tls, directory / "logs")
    process.start()
    process.tls_info = tls
    yield process
    process.stop()


def device(tmp_path, server, name: str):
    central = service_for(server.database)
    code, _ = central.new_enrol_code("desk-team")
    keyring = DeviceKeyring(FileKeyring(tmp_path / f"{name}-keyring.cfg"))
    made = new_device(tmp_path / name, keyring, server.url, server.tls_info.ca_file, code=code)
    made.session.settings.set("ca_file", str(server.tls_info.ca_file))
    made.session.settings.set("server_url", server.url)
    return made


def test_background_sync_surfaces_a_conflict_and_the_choice_resolves_it(
    qtbot, qapp, tmp_path, server, monkeypatch
):
    desk, laptop = device(tmp_path, server, "desk"), device(tmp_path, server, "laptop")
    answers = {"family_name_latin": "Konfliktova", "given_names_latin": "Testa", "phone": "0000 1"}
    profile = desk.session.profiles.save(
        answers, form_id="erstprofil", form_version="2026.1"
    ).profile_id
    desk.sync()
    laptop.sync()
    desk.session.profiles.save(
        {**answers, "phone": "0000 2222"},
        profile_id=profile,
        form_id="erstprofil",
        form_version="2026.1",
    )
    laptop.session.profiles.save(
        {**answers, "phone": "0000 3333"},
        profile_id=profile,
        form_id="erstprofil",
        form_version="2026.1",
    )
    desk.sync()  # the desk's change reaches the server first
    laptop_vault = laptop.vault
    laptop.close()  # the app opens the laptop's store

    hub = LanguageHub(qapp)
    hub.set_ui_language("de")
    window = MainWindow(laptop_vault, hub, settings_for(tmp_path), today=lambda: TODAY)
    qtbot.addWidget(window)
    window.start()
    window.show()
    window.login("anna", PASSWORD)
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=10000)
    workspace = window.workspace
    with qtbot.waitSignal(workspace.background.finished, timeout=20000) as run:
        pass  # the first background run starts shortly after login
    assert run.args[0].pushed >= 1 and run.args[0].pulled >= 1
    qtbot.waitUntil(lambda: "Konflikt in 1 Profil" in workspace.sync_label.text(), timeout=5000)

    page = workspace.sync
    workspace.show_page("sync")
    assert page.conflicts.count() == 1
    assert "Konfliktova" in page.conflicts.item(0).text()

    def choose_desk_value(dialog: ConflictDialog) -> int:
        [field] = dialog.conflict.fields
        assert field.name == "phone"
        values = [option.value for option in field.options]
        assert sorted(values) == ["0000 2222", "0000 3333"]  # both sides, side by side
        dialog.groups["phone"].button(values.index("0000 2222")).setChecked(True)
        dialog._accept()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ConflictDialog, "exec", choose_desk_value)
    page.conflicts.setCurrentRow(0)
    page.resolve_selected()
    assert page.conflicts.count() == 0
    with qtbot.waitSignal(workspace.background.finished, timeout=20000):
        pass  # the resolution goes out with the sync the page asked for
    session = window.session
    head = session.profiles.get(profile, record_view=False).head
    assert head.answers["phone"] == "0000 2222"
    assert len(head.parents) == 2  # both branches are its parents
    window.close()
    set_language("en")

    desk.sync()
    assert desk.session.profiles.get(profile, record_view=False).answers["phone"] == "0000 2222"
    desk.close()


def test_first_sync_enrols_the_device_from_the_sync_page(qtbot, qapp, tmp_path, server):
    from intake.store.keyslots import MINIMUM_KDF
    from intake.store.vault import Vault

    code, _ = service_for(server.database).new_enrol_code("desk-team")
    keyring = DeviceKeyring(FileKeyring(tmp_path / "new-keyring.cfg"))
    vault = Vault(tmp_path / "new", keyring=keyring, kdf=MINIMUM_KDF)
    session = vault.create("anna", PASSWORD).session
    session.settings.set("ca_file", str(server.tls_info.ca_file))
    session.close()

    window = MainWindow(vault, LanguageHub(qapp), settings_for(tmp_path), today=lambda: TODAY)
    qtbot.addWidget(window)
    window.start()
    window.show()
    window.login("anna", PASSWORD)
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=10000)
    page = window.workspace.sync
    assert page.code.isVisibleTo(page)  # not enrolled yet: the code field is offered
    page.server.setText(server.url)
    page.code.setText(code)
    with qtbot.waitSignal(page.synced, timeout=20000):
        page.sync_now()
    assert not page.code.isVisibleTo(page)
    assert "desk-team" in page.state.text()
    window.close()
    set_language("en")
