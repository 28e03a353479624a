"""Errors a user can cause and understand.

Every ``IntakeError`` carries one sentence for the user (in their language, looked up when shown)
saying what happened and what to do. The CLI prints it and exits non-zero; the desktop app shows
it in a dialog. Anything that is not an ``IntakeError`` is a bug and gets a traceback in the local
log (without personal data), never on the user's screen alone.
"""

from __future__ import annotations

from typing import Any

from intake.i18n import N_, _


class IntakeError(Exception):
    """Base class: ``message`` is an English msgid with ``{placeholders}`` filled from ``params``."""

    message = N_("Something went wrong.")
    exit_code = 1
    # Parameters that are themselves message ids (marked with N_ where they are raised).
    translated_params: tuple[str, ...] = ()

    def __init__(self, message: str | None = None, **params: Any) -> None:
        if message is not None:
            self.message = message
        self.params = params
        super().__init__(self.message.format(**params))

    def user_message(self) -> str:
        params = {
            key: _(value) if key in self.translated_params and isinstance(value, str) else value
            for key, value in self.params.items()
        }
        return _(self.message).format(**params)


class StoreNotFound(IntakeError):
    message = N_("No Intake store exists in {path}; create one with 'intake init'.")


class StoreExists(IntakeError):
    message = N_("An Intake store already exists in {path}; it was left untouched.")


class WrongPassword(IntakeError):
    message = N_("The user name or password is wrong; please try again.")


class LoginThrottled(IntakeError):
    message = N_("Too many failed attempts for this user; wait {seconds} seconds and try again.")


class KeySlotError(IntakeError):
    message = N_(
        "The key file {path} is damaged or has been changed; restore it from the backup "
        "made together with the database."
    )


class DeviceSecretMissing(IntakeError):
    message = N_(
        "This store is bound to this computer's key store, but the device secret is missing; "
        "log in with the recovery code ('--recovery') to set a new password."
    )


class KeyringUnavailable(IntakeError):
    message = N_(
        "No usable OS key store (keyring) was found, and this store is configured to require one; "
        "start a key store service or change the keyring policy."
    )


class StoreCorrupt(IntakeError):
    message = N_(
        "The encrypted database {path} cannot be read: it is damaged or does not belong to "
        "these keys; nothing was changed — restore it from a backup or the central server."
    )


class PermissionDenied(IntakeError):
    message = N_("Your role ({role}) does not allow this: {action}.")
    translated_params = ("role", "action")


class NotFound(IntakeError):
    message = N_("No {what} with id {ident} exists in this store.")
    translated_params = ("what",)


class InvalidInput(IntakeError):
    """Raised with its own message: ``InvalidInput("... {name} ...", name=value)``."""


class StoreLocked(IntakeError):
    message = N_("The store is locked; log in again to continue.")


class DiskFull(IntakeError):
    message = N_("The disk is full; nothing was saved. Free some space and try again.")
