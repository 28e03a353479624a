"""A full disk: saving fails with one clear sentence, nothing committed is lost, and the store
opens and passes both integrity checks once space is back. Needs a small tmpfs (root)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from tests.conftest import PASSWORD

from intake.errors import DiskFull
from intake.store.keyslots import MINIMUM_KDF
from intake.store.vault import Vault


@pytest.fixture
def small_disk(tmp_path):
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    if os.name != "posix" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root on Linux")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount_point)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_full_disk_loses_nothing_committed(small_disk, device_keyring):
    vault = Vault(small_disk / "store", keyring=device_keyring, kdf=MINIMUM_KDF)
    session = vault.create("anna", PASSWORD).session
    saved = []
    with pytest.raises(DiskFull) as full:
        for index in range(100_000):
            change = session.profiles.save(
                {"family_name": f"Volltest{index}", "notes": os.urandom(3000).hex()},
                form_id="erstprofil",
                form_version="1",
            )
            saved.append(change.profile_id)
    assert "disk is full" in full.value.user_message()
    assert len(saved) > 10
    session.close()
    ballast = [p for p in small_disk.iterdir() if p.name != "store"]
    assert ballast == []
    # Free space (as the user would) by moving the store to a roomy disk, then reopen.
    roomy = small_disk.parent / "roomy"
    shutil.copytree(small_disk / "store", roomy)
    reopened = Vault(roomy, keyring=device_keyring, kdf=MINIMUM_KDF).unlock("anna", PASSWORD)
    try:
        assert reopened.integrity_problems() == []
        assert reopened.profiles.count() == len(saved)
        assert reopened.audit.verify().ok
    finally:
        reopened.close()


def test_init_on_a_full_disk_leaves_nothing_behind(small_disk, device_keyring):
    ballast = small_disk / "ballast"
    with ballast.open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    ballast.write_bytes(ballast.read_bytes()[: -20 * 1024])  # a few pages of room
    vault = Vault(small_disk / "store", keyring=device_keyring, kdf=MINIMUM_KDF)
    with pytest.raises(DiskFull):
        vault.create("anna", PASSWORD)
    assert sorted(p.name for p in (small_disk / "store").iterdir()) == []
    ballast.unlink()
    vault.create("anna", PASSWORD).session.close()  # and it can simply be run again
