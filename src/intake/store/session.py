"""A logged-in user's handle on the store, shared by the desktop app and the CLI.

The session owns the open database connection and the data key (a ``bytearray`` that ``lock()``
overwrites; the hex copy SQLCipher's PRAGMA needed was an immutable ``str`` and cannot be wiped —
Python gives no stronger guarantee). Everything a user does goes through it, so roles are checked
and the audit log is written in one place.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from intake.errors import (
    InvalidInput,
    KeyringUnavailable,
    NotFound,
    PermissionDenied,
    StoreLocked,
    WrongPassword,
)
from intake.i18n import N_
from intake.store import connect, keyslots
from intake.store.audit import AuditLog
from intake.store.keyslots import KeySlotFile
from intake.store.profiles import ProfileStore
from intake.store.roles import ADMIN, ROLE_LABELS, allowed
from intake.store.settings import StoreSettings

if TYPE_CHECKING:
    from intake.store.vault import Vault

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UserInfo:
    name: str
    role: str
    created_at: str
    created_by: str | None
    can_log_in: bool

    def to_json(self) -> dict[str, Any]:
        return {"id": self.name, **self.__dict__}


class Session:
    def __init__(
        self,
        vault: Vault,
        slot_file: KeySlotFile,
        db: connect.Database,
        dek: bytearray,
        user: str,
        role: str,
        key_version: int,
    ) -> None:
        self._vault = vault
        self._slot_file = slot_file
        self._db: connect.Database | None = db
        self._dek = dek
        self._key_version = key_version
        self.user = user
        self.role = role
        self.checked_at_login = True  # the vault says False when the file was too big to check
        self.via_recovery = False  # opened with the recovery code (may then replace it)
        self.store_id = slot_file.store_id
        self.device_id = self._meta("device_id")
        self._timestamp = vault._timestamp
        self.audit = AuditLog(lambda: self.db, self.store_id, self.device_id, self._timestamp)
        self.profiles = ProfileStore(
            lambda: self.db, self.audit, actor=user, device_id=self.device_id, clock=self._timestamp
        )
        self.settings = StoreSettings(lambda: self.db)

    # -- state -------------------------------------------------------------------------------

    @property
    def db(self) -> connect.Database:
        if self._db is None:
            raise StoreLocked()
        return self._db

    @property
    def is_open(self) -> bool:
        return self._db is not None

    def _meta(self, key: str) -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0]

    def require(self, permission: str, action: str) -> None:
        """Refuse unless the role allows ``permission``; ``action`` (an N_ msgid) names it."""
        if not allowed(self.role, permission):
            raise PermissionDenied(role=ROLE_LABELS.get(self.role, self.role), action=action)

    def close(self, *, reason: str = "logout") -> None:
        """Close the connection and overwrite the key in memory. Safe to call twice."""
        if self._db is None:
            return
        try:
            self.audit.record(self.user, reason, "user", self.user)
        except (connect.dbapi2.DatabaseError, OSError) as exc:
            # Closing must always work; a damaged or full store is reported by whatever failed.
            log.warning("could not record %s in the audit log (%s)", reason, type(exc).__name__)
        finally:
            self._db.close()
            self._db = None
            for index in range(len(self._dek)):
                self._dek[index] = 0

    def lock(self) -> None:
        self.close(reason="lock")

    def remember_position(self, position: dict[str, Any] | None) -> None:
        """Where this user is in an unfinished interview (ids only), to resume after a crash,
        a power cut or a lock. Kept inside the encrypted store, never in settings files."""
        key = f"resume/{self.user}"
        if position is None:
            self.db.execute("DELETE FROM meta WHERE key = ?", [key])
        else:
            self.db["meta"].upsert({"key": key, "value": json.dumps(position)}, pk="key")

    def resume_position(self) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT value FROM meta WHERE key = ?", [f"resume/{self.user}"]
        ).fetchone()
        return json.loads(row[0]) if row else None

    def check_pages_in_background(self, done: Callable[[list[str] | BaseException], None]) -> None:
        """Check every page on a second, read-only connection in its own thread (WAL lets it
        read beside the session), so a large store's check does not hold up the session's
        database thread; ``done`` gets the problems found (empty when healthy) or the error."""
        import threading

        path, key = self._vault.db_path, bytes(self._dek)

        def check() -> None:
            try:
                with connect.sqlite_errors(path):
                    db = connect.open_database(path, key)
                    try:
                        db.execute("PRAGMA cache_size = -2048")  # stream, don't cache
                        found = [row[0] for row in db.execute("PRAGMA cipher_integrity_check")]
                    finally:
                        db.close()
            except Exception as exc:  # handed to the caller, who tells the user
                done(exc)
                return
            done(found)

        threading.Thread(target=check, name="intake-page-check", daemon=True).start()

    def integrity_problems(self) -> list[str]:
        with connect.sqlite_errors(self._vault.db_path):
            return connect.integrity_problems(self.db)

    # -- users -------------------------------------------------------------------------------

    @connect.user_errors
    def list_users(self) -> list[UserInfo]:
        with_slots = set(self._slot_file.users())
        rows = self.db.query("SELECT * FROM users ORDER BY name")
        return [
            UserInfo(
                r["name"], r["role"], r["created_at"], r["created_by"], r["name"] in with_slots
            )
            for r in rows
        ]

    @connect.user_errors
    def add_user(self, name: str, role: str, password: str) -> UserInfo:
        from intake.store.vault import check_password, check_role, check_user_name

        self.require("users.manage", N_("add users"))
        check_user_name(name)
        check_role(role)
        check_password(password)
        if self.db["users"].count_where("name = ?", [name]):
            raise InvalidInput("A user called {name} already exists.", name=name)
        now = self._timestamp()
        slot = self._new_user_slot(name, password)
        with self.db.atomic():
            self.db["users"].insert(
                {
                    "name": name,
                    "role": role,
                    "created_at": now,
                    "created_by": self.user,
                    "password_changed_at": now,
                }
            )
            self.audit.record(self.user, "user_add", "user", name, role=role)
            self._slot_file.slots.append(slot)
            self._slot_file.save(self._dek)
        return UserInfo(name, role, now, self.user, True)

    @connect.user_errors
    def remove_user(self, name: str) -> None:
        self.require("users.manage", N_("remove users"))
        if name == self.user:
            raise InvalidInput("You cannot remove your own account.")
        row = self.db.execute("SELECT role FROM users WHERE name = ?", [name]).fetchone()
        if row is None:
            raise NotFound(what=N_("user"), ident=name)
        with self.db.atomic():
            self.db.execute("DELETE FROM users WHERE name = ?", [name])
            self.audit.record(self.user, "user_remove", "user", name)
            self._slot_file.slots = [
                s for s in self._slot_file.slots if not (s.kind == keyslots.USER and s.user == name)
            ]
            self._slot_file.save(self._dek)

    @connect.user_errors
    def change_password(self, current: str, new: str) -> None:
        """A user changes their own password; the current one must be given again."""
        from intake.store.vault import check_password

        check_password(new)
        if not self._password_opens_own_slot(current):
            raise WrongPassword("The current password is wrong; the password was not changed.")
        self._replace_user_slot(self.user, new)

    def _password_opens_own_slot(self, password: str) -> bool:
        """Asking for the password again before a sensitive change (MASVS-AUTH-3)."""
        slots = self._slot_file.user_slots(self.user)
        device_secret = self._vault.device_secret(self._slot_file, slots)
        return any(
            keyslots.unwrap_key(s, password, store_id=self.store_id, device_secret=device_secret)
            for s in slots
        )

    @connect.user_errors
    def reset_password(self, name: str, new: str, *, via_recovery: bool = False) -> None:
        """An admin (or a recovery-code login) gives ``name`` a new password."""
        from intake.store.vault import check_password

        if not via_recovery and name != self.user:
            self.require("users.manage", N_("set other users' passwords"))
        check_password(new)
        if self.db.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchone() is None:
            raise NotFound(what=N_("user"), ident=name)
        self._replace_user_slot(name, new)

    def _replace_user_slot(self, name: str, password: str) -> None:
        slot = self._new_user_slot(name, password)
        with self.db.atomic():
            self.db["users"].update(name, {"password_changed_at": self._timestamp()})
            self.audit.record(self.user, "password_change", "user", name)
            self._slot_file.slots = [
                s for s in self._slot_file.slots if not (s.kind == keyslots.USER and s.user == name)
            ] + [slot]
            self._slot_file.save(self._dek)

    def _device_secret_for_new_slot(self) -> bytes | None:
        policy = self._slot_file.keyring_policy
        if policy == "off":
            return None
        keyring = self._vault.keyring
        if not keyring.status().available:
            if policy == "required":
                raise KeyringUnavailable()
            return None
        return keyring.get(self.store_id) or keyring.create(self.store_id)

    def _new_user_slot(self, name: str, password: str, dek: bytearray | None = None, version=None):
        return keyslots.wrap_key(
            dek if dek is not None else self._dek,
            password,
            store_id=self.store_id,
            kind=keyslots.USER,
            user=name,
            key_version=version or self._key_version,
            kdf=self._vault.kdf,
            device_secret=self._device_secret_for_new_slot(),
        )

    @connect.user_errors
    def new_recovery_code(self) -> str:
        """Replace the recovery slot; the returned code is shown once and never stored."""
        if self.role != ADMIN and not self.via_recovery:
            self.require("users.manage", N_("make a new recovery code"))
        code = keyslots.new_recovery_code()
        slot = self._recovery_slot(code, self._dek, self._key_version)
        self._slot_file.slots = [
            s for s in self._slot_file.slots if s.kind != keyslots.RECOVERY
        ] + [slot]
        self._slot_file.save(self._dek)
        return code

    def _recovery_slot(self, code: str, dek: bytearray, version: int):
        return keyslots.wrap_key(
            dek,
            code,
            store_id=self.store_id,
            kind=keyslots.RECOVERY,
            user=None,
            key_version=version,
            kdf=self._vault.kdf,
            device_secret=None,
        )

    # -- rekey -------------------------------------------------------------------------------

    @connect.user_errors
    def rekey(self, password: str) -> str:
        """Re-encrypt the database with a new data key (after a suspected compromise).

        Order matters for a crash at any point: new slots are added first, then SQLCipher
        rewrites every page in one transaction, then the old slots go. Whichever key the file
        has, a slot for it exists; ``finish_interrupted_rekey`` tidies up on the next login.
        Other users lose their slots (their passwords may be what leaked) and need a new password
        from the admin. Returns the new recovery code.
        """
        import secrets

        self.require("store.rekey", N_("re-encrypt the store"))
        if not self._password_opens_own_slot(password):
            raise WrongPassword("The password is wrong; the store was not re-encrypted.")
        new_dek = bytearray(secrets.token_bytes(connect.KEY_BYTES))
        new_version = self._key_version + 1
        code = keyslots.new_recovery_code()
        self._slot_file.slots += [
            self._new_user_slot(self.user, password, new_dek, new_version),
            self._recovery_slot(code, new_dek, new_version),
        ]
        self._slot_file.save(self._dek)
        connect.rekey(self.db, new_dek)
        # Reopen to prove the new key works (SQLCipher can report success on a read-only file).
        self.db.close()
        self._db = connect.open_database(self._vault.db_path, new_dek)
        for index in range(len(self._dek)):
            self._dek[index] = 0
        self._dek, self._key_version = new_dek, new_version
        self.finish_interrupted_rekey()
        self.audit.record(self.user, "rekey", "store", self.store_id, key_version=new_version)
        return code

    def finish_interrupted_rekey(self) -> None:
        """Keep only slots for the key the database has now (all of them, normally)."""
        stale = [s for s in self._slot_file.slots if s.key_version != self._key_version]
        if not stale:
            return
        self._slot_file.slots = [
            s for s in self._slot_file.slots if s.key_version == self._key_version
        ]
        self._slot_file.save(self._dek)
        self.db["meta"].upsert({"key": "key_version", "value": str(self._key_version)}, pk="key")
        log.info("removed %d key slots of another key version", len(stale))


class IdleLockPolicy:
    """When to lock: after ``idle_seconds`` without input, or ``max_seconds`` after login.

    The desktop app calls ``touch()`` on user input and polls ``should_lock()``; it also locks on
    OS lock/suspend. The clock is injectable so tests advance time instead of sleeping.
    """

    def __init__(
        self,
        idle_seconds: float = 300,
        max_seconds: float = 12 * 3600,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.idle_seconds = idle_seconds
        self.max_seconds = max_seconds
        self._clock = clock
        self._started = self._last_input = clock()

    @classmethod
    def from_settings(cls, settings: StoreSettings, clock: Callable[[], float] = time.monotonic):
        return cls(
            settings.get("idle_lock_minutes") * 60,
            settings.get("session_max_hours") * 3600,
            clock,
        )

    def touch(self) -> None:
        self._last_input = self._clock()

    def restart(self) -> None:
        self._started = self._last_input = self._clock()

    def seconds_until_lock(self) -> float:
        now = self._clock()
        return max(
            0.0,
            min(self._last_input + self.idle_seconds, self._started + self.max_seconds) - now,
        )

    def should_lock(self) -> bool:
        return self.seconds_until_lock() <= 0
