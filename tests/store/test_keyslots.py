"""Key slots: AES-256-GCM wrapping bound to slot, user and store; tamper detection."""

from __future__ import annotations

import dataclasses
import json
import secrets
import uuid

import pytest

from intake.errors import KeySlotError
from intake.store import keyslots
from intake.store.keyslots import MINIMUM_KDF, KdfParams, KeySlotFile

STORE = str(uuid.uuid4())


def wrap(dek, secret="a long password", user="anna", device_secret=None, store=STORE):
    return keyslots.wrap_key(
        dek,
        secret,
        store_id=store,
        kind=keyslots.USER,
        user=user,
        key_version=1,
        kdf=MINIMUM_KDF,
        device_secret=device_secret,
    )


def test_round_trip_and_wrong_secret():
    dek = bytearray(secrets.token_bytes(32))
    slot = wrap(dek)
    assert keyslots.unwrap_key(slot, "a long password", store_id=STORE, device_secret=None) == dek
    assert keyslots.unwrap_key(slot, "a long passwore", store_id=STORE, device_secret=None) is None


def test_device_secret_is_a_second_factor():
    dek = secrets.token_bytes(32)
    device = secrets.token_bytes(32)
    slot = wrap(dek, device_secret=device)
    assert slot.device_factor
    assert keyslots.unwrap_key(slot, "a long password", store_id=STORE, device_secret=device)
    assert not keyslots.unwrap_key(slot, "a long password", store_id=STORE, device_secret=None)
    other = secrets.token_bytes(32)
    assert not keyslots.unwrap_key(slot, "a long password", store_id=STORE, device_secret=other)


@pytest.mark.parametrize(
    "change",
    [
        {"user": "bert"},
        {"kind": keyslots.RECOVERY, "user": None},
        {"key_version": 2},
        {"kdf": KdfParams(2, 19456, 2)},
        {"id": str(uuid.uuid4())},
    ],
)
def test_associated_data_binds_the_slot(change):
    dek = secrets.token_bytes(32)
    slot = dataclasses.replace(wrap(dek), **change)
    assert keyslots.unwrap_key(slot, "a long password", store_id=STORE, device_secret=None) is None


def test_slot_from_another_store_does_not_open():
    slot = wrap(secrets.token_bytes(32))
    assert not keyslots.unwrap_key(
        slot, "a long password", store_id=str(uuid.uuid4()), device_secret=None
    )


def test_kdf_parameters_below_the_floor_are_refused():
    with pytest.raises(ValueError):
        KdfParams.from_json(
            {"alg": "argon2id", "time_cost": 1, "memory_cost": 1024, "parallelism": 1}
        )
    assert KdfParams.from_json(MINIMUM_KDF.to_json()) == MINIMUM_KDF


def _saved_file(tmp_path):
    dek = secrets.token_bytes(32)
    file = KeySlotFile(tmp_path / "keyslots.json", STORE, "auto", [wrap(dek)])
    file.save(dek)
    return file, dek


def test_file_round_trip_and_seal(tmp_path):
    file, dek = _saved_file(tmp_path)
    loaded = KeySlotFile.load(file.path)
    assert loaded.slots == file.slots
    assert loaded.seal_matches(dek)
    assert not loaded.seal_matches(secrets.token_bytes(32))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d["slots"][0].update(user="mallory"),
        lambda d: d["slots"][0].update(wrapped_key=d["slots"][0]["wrapped_key"][::-1]),
        lambda d: d.update(keyring_policy="off"),
        lambda d: d["slots"].append(dict(d["slots"][0])),
        lambda d: d.update(version=99),
    ],
)
def test_hand_edits_are_detected_at_load(tmp_path, tamper):
    file, _ = _saved_file(tmp_path)
    data = json.loads(file.path.read_text())
    tamper(data)
    file.path.write_text(json.dumps(data))
    with pytest.raises(KeySlotError):
        KeySlotFile.load(file.path)


@pytest.mark.parametrize("content", [b"", b"{", b"\xff\xfe", b"[]", b"null", b"x" * 2_000_000])
def test_garbage_is_a_clear_error(tmp_path, content):
    path = tmp_path / "keyslots.json"
    path.write_bytes(content)
    with pytest.raises(KeySlotError):
        KeySlotFile.load(path)


def test_recovery_code_normalisation():
    code = keyslots.new_recovery_code()
    assert len(code.replace("-", "")) == 32
    assert keyslots.normalise_recovery_code(code.lower().replace("-", " ")) == code
    assert keyslots.normalise_recovery_code("ab01-8") == "ABOI-B"
