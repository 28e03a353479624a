"""Shared fixtures: real SQLCipher stores in temporary directories, real keyring backends.

Unit tests use the cheapest Argon2id parameters the key-slot format accepts (the OWASP floor);
CLI tests run the shipped defaults. Keyring backends are real: keyrings.alt's file backend,
whose file lives in the test's own temporary directory, or none at all.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import keyring.backends.fail
import pytest
from keyrings.alt.file import PlaintextKeyring

from intake.store.device import DeviceKeyring
from intake.store.keyslots import MINIMUM_KDF
from intake.store.vault import Vault

PASSWORD = "correct horse battery"
COUNSELOR_PASSWORD = "counselor pass 1"


def FileKeyring(path: Path) -> PlaintextKeyring:
    """keyrings.alt's file backend with its file in a directory of our choosing."""
    backend = PlaintextKeyring()
    backend.file_path = str(path)  # an instance-level override the backend documents
    return backend


@pytest.fixture
def device_keyring(tmp_path: Path) -> DeviceKeyring:
    return DeviceKeyring(FileKeyring(tmp_path / "os-keyring" / "keyring.cfg"))


@pytest.fixture
def no_keyring() -> DeviceKeyring:
    return DeviceKeyring(keyring.backends.fail.Keyring())


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def vault(data_dir: Path, device_keyring: DeviceKeyring) -> Vault:
    return Vault(data_dir, keyring=device_keyring, kdf=MINIMUM_KDF)


@pytest.fixture
def session(vault: Vault):
    created = vault.create("anna", PASSWORD)
    yield created.session
    created.session.close()


def file_snapshot(directory: Path, names: tuple[str, ...] = ("intake.db", "keyslots.json")):
    """Bytes of the store's files (and sidecars), to prove a failed command changed nothing."""
    result = {}
    for name in names:
        for suffix in ("", "-wal", "-shm"):
            path = directory / (name + suffix)
            if path.exists():
                result[path.name] = path.read_bytes()
    return result


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """Environment for ``python -m intake``: keyrings.alt's file backend under the test's tmp."""
    env = dict(os.environ)
    env["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg-data")
    env["TMPDIR"] = str(tmp_path / "tmp")
    env["INTAKE_LANG"] = "en"
    env.pop("INTAKE_DATA_DIR", None)
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return env


@pytest.fixture
def intake(cli_env: dict[str, str]):
    """Run the real ``intake`` command line in a subprocess."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None):
        return subprocess.run(
            [sys.executable, "-m", "intake", *args],
            input=input,
            capture_output=True,
            text=True,
            env=env or cli_env,
            timeout=300,
        )

    return run


__all__ = ["COUNSELOR_PASSWORD", "PASSWORD", "FileKeyring", "file_snapshot"]


def pytest_sessionstart(session) -> None:
    """Build the .mo catalogs from the .po files if setup has not (they are never committed)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in (Path(__file__).parents[1] / "translations").glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as source:
            catalog = read_po(source)
        with mo_path.open("wb") as target:
            write_mo(target, catalog)
