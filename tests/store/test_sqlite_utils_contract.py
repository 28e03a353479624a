"""sqlite-utils on an encrypted sqlcipher3 connection: every call Intake relies on works, and
the error paths catch sqlcipher3's exception classes (they are not the stdlib's)."""

from __future__ import annotations

import secrets
import sqlite3

import pytest
import sqlcipher3

from intake.store import connect
from intake.store.connect import Database


@pytest.fixture
def db(tmp_path):
    database = connect.create_database(tmp_path / "contract.db", secrets.token_bytes(32))
    yield database
    database.close()


def test_the_file_is_encrypted_and_the_pragmas_are_set(tmp_path, db):
    db["people"].insert({"name": "Testperson Quendolin"})
    assert (tmp_path / "contract.db").read_bytes()[:16] != b"SQLite format 3\x00"
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert db.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
    assert db.execute("PRAGMA cipher_version").fetchone()[0].startswith("4.")


def test_insert_with_alter_adds_columns(db):
    db["t"].insert({"a": 1})
    db["t"].insert({"a": 2, "b": "new"}, alter=True)
    assert db["t"].columns_dict == {"a": int, "b": str}
    assert list(db["t"].rows) == [{"a": 1, "b": None}, {"a": 2, "b": "new"}]


def test_drop_ignore_on_a_missing_table(db):
    db["missing"].drop(ignore=True)
    with pytest.raises(sqlcipher3.dbapi2.OperationalError):
        db["missing"].drop()


def test_query_with_returning(db):
    db["t"].create({"id": int, "v": str}, pk="id")
    rows = list(db.query("INSERT INTO t (v) VALUES (?) RETURNING id, v", ["x"]))
    assert rows == [{"id": 1, "v": "x"}]
    assert db["t"].count == 1


def test_upsert_fts_and_atomic_rollback(db):
    db["p"].insert({"id": 1, "name": "Olena Kovalenko"}, pk="id")
    db["p"].enable_fts(["name"], create_triggers=True)
    db["p"].upsert({"id": 1, "name": "Olena Bondar"}, pk="id")
    assert [r["id"] for r in db["p"].search("Bondar")] == [1]
    with pytest.raises(RuntimeError), db.atomic():
        db["p"].insert({"id": 2, "name": "Rolled Back"})
        raise RuntimeError
    assert db["p"].count == 1


def test_integrity_errors_are_sqlcipher_classes(db):
    db["t"].create({"id": int}, pk="id")
    db["t"].insert({"id": 1})
    with pytest.raises(sqlcipher3.dbapi2.IntegrityError) as raised:
        db["t"].insert({"id": 1})
    assert not isinstance(raised.value, sqlite3.IntegrityError)


def test_database_refuses_paths(tmp_path):
    with pytest.raises(TypeError):
        Database(str(tmp_path / "plain.db"))  # type: ignore[arg-type]
    assert not (tmp_path / "plain.db").exists()


def test_create_never_overwrites_and_open_never_creates(tmp_path):
    key = secrets.token_bytes(32)
    path = tmp_path / "x.db"
    connect.create_database(path, key).close()
    before = path.read_bytes()
    with pytest.raises(FileExistsError):
        connect.create_database(path, key)
    assert path.read_bytes() == before
    with pytest.raises(FileNotFoundError):
        connect.open_database(tmp_path / "absent.db", key)
    assert not (tmp_path / "absent.db").exists()


def test_wrong_key_is_detected_at_open(tmp_path):
    path = tmp_path / "x.db"
    connect.create_database(path, secrets.token_bytes(32)).close()
    from intake.errors import StoreCorrupt

    with pytest.raises(StoreCorrupt):
        connect.open_database(path, secrets.token_bytes(32))


def test_stdlib_sqlite_cannot_read_it(tmp_path):
    path = tmp_path / "x.db"
    connect.create_database(path, secrets.token_bytes(32)).close()
    plain = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError):
        plain.execute("SELECT count(*) FROM sqlite_master").fetchone()
    plain.close()
