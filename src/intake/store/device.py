"""The device secret: 32 random bytes kept in the OS key store, mixed into every user's key.

With it, a copied disk image is useless without the device's key store (Windows Credential
Locker, macOS Keychain, Secret Service). The key store is one factor, never the only way in: the
recovery slot does not use it, so a wiped or changed key store is survivable.
"""

from __future__ import annotations

import base64
import contextlib
import secrets
from dataclasses import dataclass

import keyring
import keyring.backend
import keyring.errors

SERVICE = "de.jobcenter.intake"
SECRET_BYTES = 32

# Backends that store nothing or refuse everything: using them would be password-only anyway.
_NOT_A_STORE = {"keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"}


@dataclass(frozen=True)
class KeyringStatus:
    available: bool
    backend: str
    detail: str = ""


def _backend_name(backend: keyring.backend.KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


class DeviceKeyring:
    """Access to the device secret through one ``keyring`` backend (the default one unless given)."""

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend

    @property
    def backend(self) -> keyring.backend.KeyringBackend:
        return self._backend if self._backend is not None else keyring.get_keyring()

    def status(self) -> KeyringStatus:
        try:
            backend = self.backend
        except Exception as exc:  # a broken keyring configuration must not stop the app
            return KeyringStatus(False, "none", str(exc))
        name = _backend_name(backend)
        if name in _NOT_A_STORE:
            return KeyringStatus(False, name, "no OS key store backend is installed or running")
        chained = getattr(backend, "backends", None)
        if chained is not None and not chained:
            return KeyringStatus(False, name, "no OS key store backend is installed or running")
        return KeyringStatus(True, name)

    def _username(self, store_id: str) -> str:
        return f"device-secret/{store_id}"

    def create(self, store_id: str) -> bytes:
        secret = secrets.token_bytes(SECRET_BYTES)
        encoded = base64.b64encode(secret).decode("ascii")
        self.backend.set_password(SERVICE, self._username(store_id), encoded)
        if self.get(store_id) != secret:
            raise keyring.errors.KeyringError("the key store did not keep the device secret")
        return secret

    def get(self, store_id: str) -> bytes | None:
        try:
            encoded = self.backend.get_password(SERVICE, self._username(store_id))
        except keyring.errors.KeyringError:
            return None
        if not encoded:
            return None
        try:
            secret = base64.b64decode(encoded, validate=True)
        except ValueError:
            return None
        return secret if len(secret) == SECRET_BYTES else None

    def delete(self, store_id: str) -> None:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            self.backend.delete_password(SERVICE, self._username(store_id))
