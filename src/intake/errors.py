"""Errors a user can cause and understand.

Every ``IntakeError`` carries one sentence for the user (in their language, looked up when shown)
saying what happened and what to do. The CLI prints it and exits non-zero; the desktop app shows
it in a dialog. Anything that is not an ``IntakeError`` is a bug and gets a traceback in the local
log (without personal data), never on the user's screen alone.
"""

from __future__ import annotations

from typing import Any

from intake.i18n import _


class IntakeError(Exception):
    """Base class: ``message`` is an English msgid with ``{placeholders}`` filled from ``params``."""

    message = "Something went wrong."
    exit_code = 1

    def __init__(self, message: str | None = None, **params: Any) -> None:
        if message is not None:
            self.message = message
        self.params = params
        super().__init__(self.message.format(**params))

    def user_message(self) -> str:
        return _(self.message).format(**self.params)


class StoreNotFound(IntakeError):
    message = "No Intake store exists in {path}; create one with 'intake init'."


class StoreExists(IntakeError):
    message = "An Intake store already exists in {path}; it was left untouched."


class WrongPassword(IntakeError):
    message = "The user name or password is wrong; please try again."


class LoginThrottled(IntakeError):
    message = "Too many failed attempts for this user; wait {seconds} seconds and try again."


class KeySlotError(IntakeError):
    message = (
        "The key file {path} is damaged or has been changed; restore it from the backup "
        "made together with the database."
    )


class DeviceSecretMissing(IntakeError):
    message = (
        "This store is bound to this computer's key store, but the device secret is missing; "
        "log in with the recovery code ('--recovery') to set a new password."
    )


class KeyringUnavailable(IntakeError):
    message = (
        "No usable OS key store (keyring) was found, and this store is configured to require one; "
        "start a key store service or change the keyring policy."
    )


class StoreCorrupt(IntakeError):
    message = (
        "The encrypted database {path} cannot be read: it is damaged or does not belong to "
        "these keys; nothing was changed — restore it from a backup or the central server."
    )


class PermissionDenied(IntakeError):
    message = "Your role ({role}) does not allow this: {action}."


class NotFound(IntakeError):
    message = "No {what} with id {ident} exists in this store."


class InvalidInput(IntakeError):
    message = "{detail}"


class StoreLocked(IntakeError):
    message = "The store is locked; log in again to continue."


class DiskFull(IntakeError):
    message = "The disk is full; nothing was saved. Free some space and try again."
