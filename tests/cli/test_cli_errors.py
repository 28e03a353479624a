"""Bad input at the command line: one clear sentence on stderr, a non-zero exit, no traceback,
and the store's files exactly as they were."""

from __future__ import annotations

import json
import os

import pytest
from tests.conftest import PASSWORD, file_snapshot


@pytest.fixture
def store(tmp_path, intake):
    data = tmp_path / "store"
    result = intake(
        "--data-dir",
        str(data),
        "init",
        "--admin",
        "anna",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr
    listing = intake(
        "--data-dir",
        str(data),
        "demo",
        "--profiles",
        "30",
        "--user",
        "anna",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert listing.returncode == 0, listing.stderr
    return data


def list_profiles(intake, data, password=PASSWORD, user="anna"):
    return intake(
        "--data-dir",
        str(data),
        "profile",
        "list",
        "--user",
        user,
        "--password-stdin",
        input=password + "\n",
    )


def assert_clear_failure(result, *phrases):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(("Error: ", "Fehler: "))
    for phrase in phrases:
        assert phrase in lines[0], lines[0]


def test_wrong_password(intake, store):
    before = file_snapshot(store)
    assert_clear_failure(list_profiles(intake, store, "not the password"), "password is wrong")
    assert file_snapshot(store) == before


def test_unknown_store(intake, tmp_path):
    result = list_profiles(intake, tmp_path / "nothing-here")
    assert_clear_failure(result, "No Intake store exists", "intake init")
    assert not (tmp_path / "nothing-here").exists()


def test_missing_key_slot_file(intake, store):
    (store / "keyslots.json").unlink()
    before = file_snapshot(store)
    assert_clear_failure(list_profiles(intake, store), "key file", "missing")
    assert file_snapshot(store) == before
    assert not (store / "keyslots.json").exists()


def test_missing_user_slot(intake, store):
    data = json.loads((store / "keyslots.json").read_text())
    assert any(slot["user"] == "anna" for slot in data["slots"])
    result = list_profiles(intake, store, user="bert")  # bert has no slot
    assert_clear_failure(result, "password is wrong")


@pytest.mark.parametrize("field", ["user", "wrapped_key", "salt", "kdf"])
def test_tampered_key_slot(intake, store, field):
    path = store / "keyslots.json"
    data = json.loads(path.read_text())
    slot = data["slots"][0]
    slot[field] = {
        "user": "mallory",
        "wrapped_key": slot["wrapped_key"][:-4] + "AAA=",
        "salt": "AAAAAAAAAAAAAAAAAAAAAA==",
        "kdf": {**slot["kdf"], "memory_cost": 19456},
    }[field]
    path.write_text(json.dumps(data))
    before = file_snapshot(store)
    assert_clear_failure(list_profiles(intake, store), "key file", "damaged or has been changed")
    assert file_snapshot(store) == before


def flip(path, offset, count=8):
    raw = bytearray(path.read_bytes())
    for index in range(offset, offset + count):
        raw[index] ^= 0xFF
    path.write_bytes(bytes(raw))


def test_flipped_bytes_in_the_first_page(intake, store):
    flip(store / "intake.db", 200)
    before = file_snapshot(store)
    assert_clear_failure(list_profiles(intake, store), "cannot be read", "nothing was changed")
    assert file_snapshot(store) == before


def test_flipped_bytes_in_a_later_page_are_found_by_doctor(intake, store):
    size = (store / "intake.db").stat().st_size
    flip(store / "intake.db", size // 2)
    before = file_snapshot(store)
    result = intake(
        "--data-dir",
        str(store),
        "doctor",
        "--user",
        "anna",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "FAIL] integrity" in result.stdout or "cannot be read" in result.stderr
    assert file_snapshot(store) == before


@pytest.mark.parametrize("keep", [0, 100, 4096 + 7, "half"])
def test_truncated_database(intake, store, keep):
    path = store / "intake.db"
    raw = path.read_bytes()
    keep = len(raw) // 2 if keep == "half" else keep
    path.write_bytes(raw[:keep])
    before = file_snapshot(store)
    result = intake(
        "--data-dir",
        str(store),
        "audit",
        "verify",
        "--user",
        "anna",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert_clear_failure(result)
    assert any(p in result.stderr for p in ("cannot be read", "do not belong together"))
    assert file_snapshot(store) == before
    assert path.stat().st_size == keep


def test_database_gone_but_key_file_present(intake, store):
    os.unlink(store / "intake.db")
    assert_clear_failure(list_profiles(intake, store), "cannot be read")
    assert not (store / "intake.db").exists()


def test_passwords_are_never_arguments(intake, tmp_path):
    result = intake("--data-dir", str(tmp_path / "s"), "init", "--admin", "anna", "--password", "x")
    assert result.returncode != 0
    assert not (tmp_path / "s").exists()


def test_errors_speak_the_users_language(intake, store):
    result = intake(
        "--data-dir",
        str(store),
        "--lang",
        "de",
        "profile",
        "list",
        "--user",
        "anna",
        "--password-stdin",
        input="falsches Passwort\n",
    )
    assert_clear_failure(result, "Passwort ist falsch")
    assert result.stderr.startswith("Fehler: ")
