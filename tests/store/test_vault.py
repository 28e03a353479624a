"""The vault: create, unlock, users and roles, recovery, key store binding, rekey."""

from __future__ import annotations

import shutil

import pytest
from tests.conftest import COUNSELOR_PASSWORD, PASSWORD, FileKeyring, file_snapshot

from intake.errors import (
    DeviceSecretMissing,
    InvalidInput,
    KeyringUnavailable,
    KeySlotError,
    LoginThrottled,
    PermissionDenied,
    StoreExists,
    StoreLocked,
    WrongPassword,
)
from intake.store.device import DeviceKeyring
from intake.store.keyslots import MINIMUM_KDF, KeySlotFile
from intake.store.session import IdleLockPolicy
from intake.store.vault import Vault


def test_create_and_unlock(vault, session):
    assert session.role == "admin"
    assert session.integrity_problems() == []
    session.close()
    again = vault.unlock("anna", PASSWORD)
    assert again.store_id == session.store_id
    assert [e["action"] for e in again.audit.entries()][-1] == "login"
    again.close()


def test_create_refuses_an_existing_store(vault, session):
    before = file_snapshot(vault.data_dir)
    with pytest.raises(StoreExists):
        vault.create("bert", PASSWORD)
    assert file_snapshot(vault.data_dir) == before


def test_wrong_password_and_unknown_user(vault, session):
    session.close()
    with pytest.raises(WrongPassword):
        vault.unlock("anna", "wrong password!")
    with pytest.raises(WrongPassword):
        vault.unlock("nobody", PASSWORD)


def test_throttling_after_repeated_failures(data_dir, device_keyring):
    now = [1_000_000.0]
    vault = Vault(data_dir, keyring=device_keyring, kdf=MINIMUM_KDF, wall_clock=lambda: now[0])
    vault.create("anna", PASSWORD).session.close()
    for _ in range(3):
        with pytest.raises(WrongPassword):
            vault.unlock("anna", "not the password")
    with pytest.raises(LoginThrottled) as throttled:
        vault.unlock("anna", PASSWORD)  # even the right password waits
    assert "30 seconds" in throttled.value.user_message()
    now[0] += 31
    with pytest.raises(WrongPassword):
        vault.unlock("anna", "still wrong")
    with pytest.raises(LoginThrottled) as throttled:
        vault.unlock("anna", PASSWORD)
    assert "60 seconds" in throttled.value.user_message()
    now[0] += 61
    session = vault.unlock("anna", PASSWORD)
    failed = [e for e in session.audit.entries() if e["action"] == "login_failed"]
    assert len(failed) == 1 and '"attempts": 4' in failed[0]["detail"]
    session.close()
    with pytest.raises(WrongPassword):
        vault.unlock("anna", "wrong again")  # the counter started over


def test_users_roles_and_passwords(vault, session):
    session.add_user("bert", "counselor", COUNSELOR_PASSWORD)
    with pytest.raises(InvalidInput):
        session.add_user("bert", "counselor", COUNSELOR_PASSWORD)
    with pytest.raises(InvalidInput):
        session.add_user("carla", "janitor", COUNSELOR_PASSWORD)
    with pytest.raises(InvalidInput):
        session.add_user("carla", "counselor", "short")
    session.close()

    bert = vault.unlock("bert", COUNSELOR_PASSWORD)
    assert bert.role == "counselor"
    with pytest.raises(PermissionDenied):
        bert.add_user("eve", "admin", COUNSELOR_PASSWORD)
    with pytest.raises(WrongPassword):
        bert.change_password("not current!", "a new password 2")
    bert.change_password(COUNSELOR_PASSWORD, "a new password 2")
    bert.close()
    with pytest.raises(WrongPassword):
        vault.unlock("bert", COUNSELOR_PASSWORD)

    admin = vault.unlock("anna", PASSWORD)
    admin.reset_password("bert", "admin set this 3")
    admin.remove_user("bert")
    with pytest.raises(InvalidInput):
        admin.remove_user("anna")
    assert [u.name for u in admin.list_users()] == ["anna"]
    admin.close()
    with pytest.raises(WrongPassword):
        vault.unlock("bert", "admin set this 3")


def test_closed_session_drops_the_key(session):
    key = session._dek
    session.lock()
    assert not session.is_open
    assert bytes(key) == bytes(len(key))
    with pytest.raises(StoreLocked):
        session.profiles.list()


def test_recovery_code_sets_a_new_password(vault):
    created = vault.create("anna", PASSWORD)
    created.session.close()
    with pytest.raises(WrongPassword):
        vault.recover("AAAA-BBBB", "anna", "a brand new password")
    session, new_code = vault.recover(created.recovery_code.lower(), "anna", "a brand new password")
    session.close()
    assert new_code != created.recovery_code
    vault.unlock("anna", "a brand new password").close()
    with pytest.raises(WrongPassword):  # a typed recovery code is spent
        vault.recover(created.recovery_code, "anna", "yet another password")


def test_copied_store_is_useless_without_the_device_keyring(tmp_path, vault):
    created = vault.create("anna", PASSWORD)
    assert created.device_bound
    created.session.close()
    copy = tmp_path / "stolen"
    shutil.copytree(vault.data_dir, copy)
    other_machine = DeviceKeyring(FileKeyring(tmp_path / "other-machine.cfg"))
    thief = Vault(copy, keyring=other_machine, kdf=MINIMUM_KDF)
    with pytest.raises(DeviceSecretMissing):
        thief.unlock("anna", PASSWORD)
    # The recovery code is the one way in that does not need the device.
    session, _ = thief.recover(created.recovery_code, "anna", "new machine password")
    session.close()
    thief.unlock("anna", "new machine password").close()


def test_password_only_mode_without_a_keyring(data_dir, no_keyring):
    vault = Vault(data_dir, keyring=no_keyring, kdf=MINIMUM_KDF)
    created = vault.create("anna", PASSWORD)
    assert not created.device_bound
    assert not created.keyring.available and created.keyring.detail
    created.session.close()
    assert not any(s.device_factor for s in KeySlotFile.load(vault.slots_path).slots)
    vault.unlock("anna", PASSWORD).close()


def test_required_keyring_refuses_to_create_without_one(data_dir, no_keyring):
    vault = Vault(data_dir, keyring=no_keyring, kdf=MINIMUM_KDF)
    with pytest.raises(KeyringUnavailable):
        vault.create("anna", PASSWORD, keyring_policy="required")
    assert not data_dir.exists() or not any(data_dir.iterdir())


def test_keyslot_file_from_another_store_is_refused(tmp_path, device_keyring):
    first = Vault(tmp_path / "a", keyring=device_keyring, kdf=MINIMUM_KDF)
    second = Vault(tmp_path / "b", keyring=device_keyring, kdf=MINIMUM_KDF)
    first.create("anna", PASSWORD).session.close()
    second.create("anna", PASSWORD).session.close()
    shutil.copy(second.slots_path, first.slots_path)
    with pytest.raises(KeySlotError) as raised:
        first.unlock("anna", PASSWORD)
    assert "do not belong together" in raised.value.user_message()


def test_added_slot_without_the_key_breaks_the_seal(vault, session):
    session.close()
    slot_file = KeySlotFile.load(vault.slots_path)
    # Someone without the data key adds a slot and fixes up the checksum (but cannot seal).
    import hashlib
    import json

    from intake.store.fileio import canonical_json

    data = json.loads(vault.slots_path.read_text())
    extra = dict(data["slots"][0], id="00000000-0000-4000-8000-000000000000", user="mallory")
    data["slots"].append(extra)
    data.pop("sha256")
    data["sha256"] = hashlib.sha256(canonical_json(data)).hexdigest()
    vault.slots_path.write_text(json.dumps(data))
    assert len(KeySlotFile.load(vault.slots_path).slots) == len(slot_file.slots) + 1
    with pytest.raises(KeySlotError):
        vault.unlock("anna", PASSWORD)


def test_rekey_changes_the_data_key(vault, session):
    session.add_user("bert", "counselor", COUNSELOR_PASSWORD)
    old_key = bytes(session._dek)
    profile = session.profiles.save({"family_name": "Rekeytest"}, form_id="f", form_version="1")
    code = session.rekey(PASSWORD)
    assert bytes(session._dek) != old_key
    session.close()
    from intake.errors import StoreCorrupt
    from intake.store import connect

    with pytest.raises(StoreCorrupt):
        connect.open_database(vault.db_path, old_key)
    again = vault.unlock("anna", PASSWORD)
    assert again.profiles.get(profile.profile_id).answers["family_name"] == "Rekeytest"
    assert {u.name: u.can_log_in for u in again.list_users()} == {"anna": True, "bert": False}
    again.close()
    with pytest.raises(WrongPassword):
        vault.unlock("bert", COUNSELOR_PASSWORD)
    recovered, _ = vault.recover(code, "bert", "bert's new password")
    recovered.close()


def test_interrupted_rekey_leaves_exactly_one_working_key(vault, session, monkeypatch):
    from intake.store import connect

    def crash(db, key):
        raise KeyboardInterrupt  # the process dies before SQLCipher rewrote a page

    monkeypatch.setattr(connect, "rekey", crash)
    with pytest.raises(KeyboardInterrupt):
        session.rekey(PASSWORD)
    session._db.close()
    session._db = None
    assert {s.key_version for s in KeySlotFile.load(vault.slots_path).slots} == {1, 2}
    again = vault.unlock("anna", PASSWORD)  # the new-key slots are tidied away
    assert {s.key_version for s in KeySlotFile.load(vault.slots_path).slots} == {1}
    again.close()


def test_idle_lock_policy():
    now = [0.0]
    policy = IdleLockPolicy(idle_seconds=300, max_seconds=3600, clock=lambda: now[0])
    now[0] = 299
    assert not policy.should_lock()
    policy.touch()
    now[0] = 598
    assert not policy.should_lock()
    now[0] = 600
    assert policy.should_lock()
    policy.touch()
    now[0] = 3600
    assert policy.should_lock()  # the absolute limit wins over activity


def test_large_stores_are_checked_after_login(vault, session, monkeypatch):
    from intake.store import vault as vault_module

    session.close()
    monkeypatch.setattr(vault_module, "FULL_CHECK_BYTES", 0)  # every store counts as large
    opened = vault.unlock("anna", PASSWORD)
    assert not opened.checked_at_login
    assert opened.integrity_problems() == []  # what the app then runs in the background
    opened.close()
    monkeypatch.undo()
    again = vault.unlock("anna", PASSWORD)
    assert again.checked_at_login
    again.close()
