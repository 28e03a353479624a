"""The one way to a database connection: open a SQLCipher file with a raw 256-bit key.

Nothing else in Intake may call ``sqlcipher3.connect`` or hand a path to sqlite-utils. This module

* keys the connection before the first read (``PRAGMA key = "x'…'"``, no passphrase KDF — the key
  is random and the slow password derivation happens once, in :mod:`intake.store.keyslots`);
* proves the key at once (``SELECT count(*) FROM sqlite_master``), so a wrong key or a damaged
  first page is an error here and not somewhere later;
* sets the durability and confidentiality pragmas: WAL, ``synchronous=FULL``, ``secure_delete``,
  ``temp_store=MEMORY`` (temporary tables and sort spills stay in RAM, never in a clear-text file);
* makes sqlite-utils catch ``sqlcipher3``'s exception classes (they are not the stdlib's), and
  wraps the connection in a :class:`Database` subclass that refuses to open paths itself — with the
  patched module a path would silently become an *unencrypted* file.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import importlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ParamSpec, TypeVar

import sqlcipher3
from sqlcipher3 import dbapi2

from intake.errors import DiskFull, IntakeError, StoreCorrupt

P = ParamSpec("P")
R = TypeVar("R")


def _load_sqlite_utils():
    """Import sqlite-utils so that its ``sqlite3`` is ``sqlcipher3``.

    sqlite-utils prefers ``pysqlite3`` when it can import it and binds the module (and its
    ``OperationalError``) at import time. Presenting ``sqlcipher3`` under that name for the
    duration of the import makes ``insert(alter=True)``, ``drop(ignore=True)`` and ``query()`` with
    ``RETURNING`` catch the right exceptions. If sqlite-utils was already imported elsewhere we
    rebind the same names, so the result does not depend on import order.
    """
    saved = {name: sys.modules.get(name) for name in ("pysqlite3", "pysqlite3.dbapi2")}
    sys.modules["pysqlite3"] = sqlcipher3
    sys.modules["pysqlite3.dbapi2"] = dbapi2
    try:
        utils = importlib.import_module("sqlite_utils.utils")
        db_module = importlib.import_module("sqlite_utils.db")
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    utils.sqlite3 = sqlcipher3
    utils.dbapi2 = dbapi2
    utils.OperationalError = dbapi2.OperationalError
    db_module.sqlite3 = sqlcipher3
    db_module.OperationalError = dbapi2.OperationalError
    return db_module


_sqlite_utils_db = _load_sqlite_utils()


class Database(_sqlite_utils_db.Database):
    """sqlite-utils ``Database`` that only ever wraps an already keyed SQLCipher connection."""

    def __init__(self, conn: dbapi2.Connection) -> None:
        if not isinstance(conn, dbapi2.Connection):
            raise TypeError("Database() takes a keyed sqlcipher3 connection, never a path")
        super().__init__(conn, execute_plugins=False)


DatabaseSource = Database | Callable[[], Database]


def provider(source: DatabaseSource) -> Callable[[], Database]:
    """Services take the database as a function, so a locked session fails cleanly in them."""
    if isinstance(source, Database):
        return lambda: source
    return source


SQLITE_FULL = 13
SQLITE_CORRUPT = 11
SQLITE_NOTADB = 26
SQLITE_IOERR = 10

KEY_BYTES = 32
CIPHER_COMPATIBILITY = 4


def _key_pragma(key: bytes | bytearray) -> str:
    if len(key) != KEY_BYTES:
        raise ValueError("the data key must be 32 bytes")
    return f"PRAGMA key = \"x'{bytes(key).hex()}'\""


def _apply_pragmas(conn: dbapi2.Connection) -> None:
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    # Pages are decrypted when they enter the cache; 32 MiB keeps the profile list, the search
    # index and recent revisions of 100,000 profiles decrypted once instead of on every query.
    conn.execute("PRAGMA cache_size = -32768")


def _connect(path: Path, key: bytes | bytearray, mode: str) -> dbapi2.Connection:
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    conn = sqlcipher3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(_key_pragma(key))
        # SQLCipher reports HMAC failures on stderr as well; the caller gets a proper exception.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA cipher_compatibility = {CIPHER_COMPATIBILITY}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        _apply_pragmas(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def create_database(path: Path, key: bytes | bytearray) -> Database:
    """Create a new encrypted database at ``path``; refuses to touch an existing file."""
    path = Path(path)
    if path.exists():
        raise FileExistsError(path)
    with sqlite_errors(path):
        return Database(_connect(path, key, "rwc"))


def open_database(path: Path, key: bytes | bytearray) -> Database:
    """Open an existing encrypted database; never creates or rewrites the file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(path)
    with sqlite_errors(path):
        return Database(_connect(path, key, "rw"))


def rekey(db: Database, new_key: bytes | bytearray) -> None:
    """Re-encrypt every page with ``new_key`` in one transaction (SQLCipher keeps WAL working)."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute(_key_pragma(new_key).replace("PRAGMA key", "PRAGMA rekey", 1))


def integrity_problems(db: Database) -> list[str]:
    """Both SQLite's structural check and SQLCipher's per-page HMAC check; empty when healthy."""
    problems = [row[0] for row in db.execute("PRAGMA integrity_check").fetchall()]
    problems = [p for p in problems if p != "ok"]
    problems += [row[0] for row in db.execute("PRAGMA cipher_integrity_check").fetchall()]
    return problems


def classify(exc: BaseException, path: Path | None = None) -> IntakeError | None:
    """The user-facing error for a SQLite or OS failure a user can meet, or ``None`` (a bug)."""
    if isinstance(exc, IntakeError):
        return exc
    if isinstance(exc, dbapi2.DatabaseError):
        code = getattr(exc, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        if primary == SQLITE_FULL or (
            primary == SQLITE_IOERR and path is not None and _disk_is_full(path)
        ):
            return DiskFull()
        if primary in (SQLITE_NOTADB, SQLITE_CORRUPT):
            return StoreCorrupt(path=str(path) if path else "intake.db")
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return DiskFull()
    return None


def user_errors(method: Callable[P, R]) -> Callable[P, R]:
    """Decorate store methods so a full disk or a damaged file reaches callers as an
    :class:`IntakeError` with its sentence, not as a driver exception."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with sqlite_errors(None):
            return method(*args, **kwargs)

    return wrapper


@contextlib.contextmanager
def sqlite_errors(path: Path | None) -> Iterator[None]:
    """Turn SQLite failures that a user can meet (damaged file, full disk) into clear errors."""
    try:
        yield
    except IntakeError:
        raise
    except (dbapi2.DatabaseError, OSError) as exc:
        mapped = classify(exc, path)
        if mapped is None:
            raise
        raise mapped from exc


def _disk_is_full(path: Path) -> bool:
    try:
        stats = os.statvfs(path.parent)
    except (OSError, AttributeError):
        return False
    return stats.f_bavail * stats.f_frsize < 64 * 1024
