"""The vault: an Intake data directory with its encrypted database and key slots.

    <data dir>/intake.db             SQLCipher database (+ -wal, -shm, all encrypted)
    <data dir>/keyslots.json         wrapped data keys, one slot per user plus recovery
    <data dir>/login-throttle.json   failed-login counters (no secrets, no personal data)

``Vault.create`` makes a new store; ``Vault.unlock`` turns a user name and password into a
:class:`~intake.store.session.Session`. Nothing here ever overwrites, recreates or "repairs" an
existing database: any doubt is an error with a clear message and the files stay as they were.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from intake.errors import (
    DeviceSecretMissing,
    InvalidInput,
    KeyringUnavailable,
    KeySlotError,
    StoreCorrupt,
    StoreExists,
    StoreNotFound,
    WrongPassword,
)
from intake.store import connect, keyslots
from intake.store.audit import AuditLog
from intake.store.device import DeviceKeyring, KeyringStatus
from intake.store.keyslots import KdfParams, KeySlotFile, Slot
from intake.store.layout import DB_NAME, SLOTS_NAME
from intake.store.migrations import migrations
from intake.store.roles import ADMIN, MIN_PASSWORD_LENGTH, ROLES, USER_NAME
from intake.store.session import Session
from intake.store.throttle import LoginThrottle

log = logging.getLogger(__name__)

# Stores up to this size get every page's HMAC checked at login (well under a second).
FULL_CHECK_BYTES = 128 * 1024 * 1024

THROTTLE_NAME = "login-throttle.json"


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def check_user_name(name: str) -> str:
    if not USER_NAME.match(name or ""):
        raise InvalidInput("A user name has 1 to 64 letters, digits or the characters . _ @ -.")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            "A password needs at least {count} characters.", count=MIN_PASSWORD_LENGTH
        )
    return password


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput("The role must be one of: {roles}.", roles=", ".join(ROLES))
    return role


@dataclass(frozen=True)
class Created:
    session: Session
    recovery_code: str
    keyring: KeyringStatus
    device_bound: bool


class Vault:
    def __init__(
        self,
        data_dir: Path,
        *,
        keyring: DeviceKeyring | None = None,
        kdf: KdfParams | None = None,
        wall_clock: Callable[[], float] = time.time,
        timestamp: Callable[[], str] = utc_now,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.keyring = keyring or DeviceKeyring()
        self.kdf = kdf or KdfParams()
        self._timestamp = timestamp
        self.throttle = LoginThrottle(self.data_dir / THROTTLE_NAME, wall_clock)

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_NAME

    @property
    def slots_path(self) -> Path:
        return self.data_dir / SLOTS_NAME

    def exists(self) -> bool:
        return self.db_path.exists() or self.slots_path.exists()

    # -- creating ----------------------------------------------------------------------------

    def create(self, admin: str, password: str, *, keyring_policy: str = "auto") -> Created:
        check_user_name(admin)
        check_password(password)
        if keyring_policy not in keyslots.KEYRING_POLICIES:
            raise InvalidInput("The keyring policy must be auto, required or off.")
        if self.exists():
            raise StoreExists(path=str(self.data_dir))
        status = self.keyring.status()
        if keyring_policy == "required" and not status.available:
            raise KeyringUnavailable()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        store_id, device_id = str(uuid.uuid4()), str(uuid.uuid4())
        device_secret = None
        if keyring_policy != "off" and status.available:
            device_secret = self.keyring.create(store_id)
        dek = bytearray(secrets.token_bytes(connect.KEY_BYTES))
        recovery_code = keyslots.new_recovery_code()
        slot_file = KeySlotFile(self.slots_path, store_id, keyring_policy)
        slot_file.slots = [
            self._wrap(dek, password, store_id, keyslots.USER, admin, 1, device_secret),
            self._wrap(dek, recovery_code, store_id, keyslots.RECOVERY, None, 1, None),
        ]
        db = None
        try:
            with connect.sqlite_errors(self.db_path):
                db = connect.create_database(self.db_path, dek)
                migrations.apply(db)
                now = self._timestamp()
                with db.atomic():
                    db["meta"].insert_all(
                        [
                            {"key": "store_id", "value": store_id},
                            {"key": "device_id", "value": device_id},
                            {"key": "created_at", "value": now},
                            {"key": "key_version", "value": "1"},
                        ]
                    )
                    db["users"].insert(
                        {
                            "name": admin,
                            "role": ADMIN,
                            "created_at": now,
                            "created_by": admin,
                            "password_changed_at": now,
                        }
                    )
                    audit = AuditLog(db, store_id, device_id, self._timestamp)
                    audit.record(admin, "store_create", "store", store_id)
                    audit.record(admin, "user_add", "user", admin, role=ADMIN)
                slot_file.database_salt = self._database_salt()
                slot_file.save(dek)
        except BaseException:
            # Nothing but our own half-made, still empty files is removed: a failed init (full
            # disk, say) can simply be run again.
            if db is not None:
                db.close()
            for path in (self.slots_path, *self._database_files()):
                path.unlink(missing_ok=True)
            if device_secret is not None:
                self.keyring.delete(store_id)
            raise
        log.info("created store %s (device bound: %s)", store_id, device_secret is not None)
        session = Session(self, slot_file, db, dek, admin, ADMIN, 1)
        return Created(session, recovery_code, status, device_secret is not None)

    def _wrap(
        self,
        dek: bytearray,
        secret: str,
        store_id: str,
        kind: str,
        user: str | None,
        key_version: int,
        device_secret: bytes | None,
    ) -> Slot:
        return keyslots.wrap_key(
            dek,
            secret,
            store_id=store_id,
            kind=kind,
            user=user,
            key_version=key_version,
            kdf=self.kdf,
            device_secret=device_secret,
        )

    # -- unlocking ---------------------------------------------------------------------------

    def load_slots(self) -> KeySlotFile:
        if not self.db_path.exists():
            if self.slots_path.exists():
                raise StoreCorrupt(path=str(self.db_path))
            raise StoreNotFound(path=str(self.data_dir))
        try:
            return KeySlotFile.load(self.slots_path)
        except FileNotFoundError:
            raise KeySlotError(
                "The key file {path} is missing, so the store cannot be opened; "
                "restore it from the backup made together with the database.",
                path=str(self.slots_path),
            ) from None

    def _database_files(self) -> list[Path]:
        return [self.db_path.with_name(self.db_path.name + s) for s in ("", "-wal", "-shm")]

    def _database_salt(self) -> str:
        with self.db_path.open("rb") as handle:
            return handle.read(16).hex()

    def _check_pairing(self, slot_file: KeySlotFile) -> None:
        if slot_file.database_salt and slot_file.database_salt != self._database_salt():
            raise KeySlotError(
                "The key file and the database in {path} do not belong together (one of them "
                "was replaced or damaged); restore both from the same backup.",
                path=str(self.data_dir),
            )

    def users(self) -> list[str]:
        """The users who can log in on this device (for the login screen)."""
        return self.load_slots().users()

    def device_secret(self, slot_file: KeySlotFile, slots: list[Slot]) -> bytes | None:
        if not any(slot.device_factor for slot in slots):
            return None
        secret = self.keyring.get(slot_file.store_id)
        if secret is None:
            raise DeviceSecretMissing()
        return secret

    def unlock(self, user: str, password: str) -> Session:
        slot_file = self.load_slots()
        self._check_pairing(slot_file)
        self.throttle.check(user)
        slots = slot_file.user_slots(user)
        if not slots:
            self.throttle.record_failure(user)
            raise WrongPassword()
        device_secret = self.device_secret(slot_file, slots)
        keys = self._unwrap_all(slot_file, slots, password, device_secret)
        if not keys:
            self.throttle.record_failure(user)
            log.info("failed login")
            raise WrongPassword()
        session = self._open(slot_file, keys, actor=user)
        failures = self.throttle.record_success(user)
        if failures.count:
            session.audit.record(user, "login_failed", "user", user, attempts=failures.count)
        session.audit.record(user, "login", "user", user)
        return session

    def recover(self, code: str, user: str, new_password: str) -> tuple[Session, str]:
        """Log in as ``user`` with the recovery code and give them ``new_password``.

        Works without the device's key store (a new device secret is made if it was lost).
        Returns the session and a fresh recovery code: a code that has been typed is spent.
        """
        check_password(new_password)
        slot_file = self.load_slots()
        self._check_pairing(slot_file)
        self.throttle.check("<recovery>")
        keys = self._unwrap_all(
            slot_file, slot_file.recovery_slots(), keyslots.normalise_recovery_code(code), None
        )
        if not keys:
            self.throttle.record_failure("<recovery>")
            raise WrongPassword("The recovery code is wrong; check it against the printed sheet.")
        session = self._open(slot_file, keys, actor=user)
        self.throttle.record_success("<recovery>")
        self.throttle.record_success(user)
        session.via_recovery = True
        session.audit.record(user, "recovery_used", "user", user)
        session.reset_password(user, new_password, via_recovery=True)
        return session, session.new_recovery_code()

    def _unwrap_all(
        self,
        slot_file: KeySlotFile,
        slots: list[Slot],
        secret: str,
        device_secret: bytes | None,
    ) -> list[tuple[int, bytearray]]:
        keys = []
        for slot in sorted(slots, key=lambda s: -s.key_version):
            dek = keyslots.unwrap_key(
                slot, secret, store_id=slot_file.store_id, device_secret=device_secret
            )
            if dek is not None:
                keys.append((slot.key_version, dek))
        return keys

    def _open(self, slot_file: KeySlotFile, keys: list[tuple[int, bytearray]], actor: str):
        if not any(slot_file.seal_matches(dek) for _, dek in keys):
            raise KeySlotError(path=str(self.slots_path))
        last_error: Exception | None = None
        for key_version, dek in keys:
            try:
                db = connect.open_database(self.db_path, dek)
            except StoreCorrupt as exc:
                last_error = exc
                continue
            try:
                # Every page's HMAC is checked before anything is written (about 3-5 ms per MB):
                # a damaged file is reported at login and left exactly as it is. Beyond
                # FULL_CHECK_BYTES that would make logging in slow, so large stores are checked
                # right after login instead (the desktop app does it in the background, `intake
                # doctor` on demand); every page read is HMAC-checked by SQLCipher regardless.
                checked = self.db_path.stat().st_size <= FULL_CHECK_BYTES
                if checked:
                    with connect.sqlite_errors(self.db_path):
                        damaged = db.execute("PRAGMA cipher_integrity_check").fetchall()
                    if damaged:
                        log.warning("cipher_integrity_check found %d damaged pages", len(damaged))
                        raise StoreCorrupt(path=str(self.db_path))
                self._check_identity(db, slot_file)
                with connect.sqlite_errors(self.db_path):
                    migrations.apply(db)
                role = db.execute("SELECT role FROM users WHERE name = ?", [actor]).fetchone()
                if role is None:
                    raise WrongPassword()
                session = Session(self, slot_file, db, dek, actor, role[0], key_version)
                session.checked_at_login = checked
                session.finish_interrupted_rekey()
                return session
            except BaseException:
                db.close()
                raise
        raise last_error or StoreCorrupt(path=str(self.db_path))

    def _check_identity(self, db: connect.Database, slot_file: KeySlotFile) -> None:
        with connect.sqlite_errors(self.db_path):
            row = db.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
        if row is None or row[0] != slot_file.store_id:
            raise KeySlotError(
                "The key file {path} belongs to another store; use the key file that was "
                "backed up together with this database.",
                path=str(self.slots_path),
            )
