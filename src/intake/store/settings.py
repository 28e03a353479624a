"""Store-wide settings an admin manages, kept inside the encrypted database.

Declared once as ``Setting(name, default, help)`` so the CLI, the admin screen and the docs list
the same things. Device-local display preferences live in ``QSettings`` (UI only), never here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from intake.errors import InvalidInput
from intake.i18n import N_
from intake.store import connect
from intake.store.connect import Database, DatabaseSource


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    minimum: int | None = None
    maximum: int | None = None

    def check(self, value: Any) -> Any:
        if isinstance(self.default, int):
            try:
                value = int(value)
            except (TypeError, ValueError) as exc:
                raise InvalidInput("{name} must be a whole number.", name=self.name) from exc
            if (self.minimum is not None and value < self.minimum) or (
                self.maximum is not None and value > self.maximum
            ):
                raise InvalidInput(
                    "{name} must be between {minimum} and {maximum}.",
                    name=self.name,
                    minimum=self.minimum,
                    maximum=self.maximum,
                )
        elif value is not None and not isinstance(value, str):
            raise InvalidInput("{name} must be text.", name=self.name)
        return value


SETTINGS = (
    Setting("idle_lock_minutes", 5, N_("Minutes without input before the screen locks."), 1, 60),
    Setting("session_max_hours", 12, N_("Hours after which every login ends."), 1, 24),
    Setting("server_url", None, N_("Address of the central server (https://…).")),
    Setting("ca_file", None, N_("CA certificate bundle trusted for the central server.")),
    Setting(
        "purge_after_sync",
        0,
        N_("1: delete profiles from this device once the server has them (outreach devices)."),
        0,
        1,
    ),
    Setting(
        "retention_days",
        0,
        N_("Days after the last change when a synced profile leaves this device (0: never)."),
        0,
        36500,
    ),
)
_BY_NAME = {setting.name: setting for setting in SETTINGS}


class StoreSettings:
    def __init__(self, db: DatabaseSource) -> None:
        self._get_db = connect.provider(db)

    @property
    def _db(self) -> Database:
        return self._get_db()

    def get(self, name: str) -> Any:
        setting = _BY_NAME[name]
        row = self._db.execute("SELECT value FROM settings WHERE key = ?", [name]).fetchone()
        return json.loads(row[0]) if row else setting.default

    def set(self, name: str, value: Any) -> None:
        setting = _BY_NAME.get(name)
        if setting is None:
            raise InvalidInput("There is no setting called {name}.", name=name)
        self._db["settings"].upsert(
            {"key": name, "value": json.dumps(setting.check(value))}, pk="key"
        )

    def all(self) -> dict[str, Any]:
        return {setting.name: self.get(setting.name) for setting in SETTINGS}
