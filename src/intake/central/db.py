"""The server's tables (SQLAlchemy Core) and how to open and migrate a database.

The schema is owned by the Alembic migrations in ``intake/central/migrations``; ``metadata`` here
is what the code reads and writes, and a test checks that both agree. Nothing personal is stored
outside ``revisions.answers``: the audit and deletion logs hold ids, counts and codes only.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.pool import NullPool

metadata = MetaData()

teams = Table(
    "teams",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("created_at", String(40), nullable=False),
    # The team's change counter: every stored revision gets the next value, which is the cursor.
    Column("last_seq", Integer, nullable=False, server_default="0"),
    Column("retention_days", Integer, nullable=True),
    Column("purge_after_sync", Boolean, nullable=False, server_default="0"),
    # False: a user the server does not list syncs with the role their device states.
    Column("members_only", Boolean, nullable=False, server_default="0"),
)

members = Table(
    "members",
    metadata,
    Column("team_id", Integer, ForeignKey("teams.id"), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("created_at", String(40), nullable=False),
)

enrol_codes = Table(
    "enrol_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("team_id", Integer, ForeignKey("teams.id"), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Column("used_at", String(40), nullable=True),
    Column("used_by", String(64), nullable=True),
)

devices = Table(
    "devices",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("team_id", Integer, ForeignKey("teams.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("enrolled_at", String(40), nullable=False),
    Column("revoked_at", String(40), nullable=True),
    Column("last_seen_at", String(40), nullable=True),
)

challenges = Table(
    "challenges",
    metadata,
    Column("nonce", String(64), primary_key=True),
    Column("device_id", String(64), ForeignKey("devices.id"), nullable=False),
    Column("expires_at", String(40), nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("device_id", String(64), ForeignKey("devices.id"), nullable=False),
    Column("user_name", String(64), nullable=False),
    Column("role", String(20), nullable=False),  # as the device stated it
    Column("expires_at", String(40), nullable=False),
)

profiles = Table(
    "profiles",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("team_id", Integer, ForeignKey("teams.id"), nullable=False),
    Column("deleted", Boolean, nullable=False, server_default="0"),
    Column("deleted_at", String(40), nullable=True),
    Column("last_change_at", String(40), nullable=False),
    Index("ix_profiles_team_change", "team_id", "deleted", "last_change_at"),
)

revisions = Table(
    "revisions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("team_id", Integer, ForeignKey("teams.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("profile_id", String(36), ForeignKey("profiles.id"), nullable=False),
    Column("parents", Text, nullable=False),
    Column("content_hash", String(80), nullable=False),
    Column("author", String(64), nullable=True),
    Column("device_id", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("form_id", String(100), nullable=True),
    Column("form_version", String(40), nullable=True),
    Column("status", String(20), nullable=True),
    Column("deleted", Boolean, nullable=False),
    Column("answers", Text, nullable=True),  # NULL once erased by a deletion
    Column("received_at", String(40), nullable=False),
    Column("received_from", String(64), nullable=False),
    UniqueConstraint("team_id", "seq", name="uq_revisions_team_seq"),
    Index("ix_revisions_profile", "profile_id"),
)

# Which device held which profile (GDPR Art. 33: what a lost laptop exposed).
device_profiles = Table(
    "device_profiles",
    metadata,
    Column("device_id", String(64), ForeignKey("devices.id"), primary_key=True),
    Column("profile_id", String(36), primary_key=True),
    Column("first_at", String(40), nullable=False),
    Column("last_at", String(40), nullable=False),
)

deletion_log = Table(
    "deletion_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("team_id", Integer, nullable=False),
    Column("profile_id", String(36), nullable=False),
    Column("at", String(40), nullable=False),
    Column("reason", String(40), nullable=False),
    Column("actor", String(64), nullable=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("team_id", Integer, nullable=True),
    Column("device_id", String(64), nullable=True),
    Column("actor", String(64), nullable=True),
    Column("action", String(40), nullable=False),
    Column("object_id", String(64), nullable=True),
    Column("detail", Text, nullable=True),
)


def default_database_url() -> str:
    import platformdirs

    base = Path(platformdirs.user_data_dir("intake-central", appauthor=False))
    base.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{base / 'central.db'}"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, full fsync and write-locking transactions."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, poolclass=NullPool
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - driver hook
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA busy_timeout = 30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:  # pragma: no cover - driver hook
            # IMMEDIATE takes the write lock up front: no deadlock between two upgrading readers.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema (Alembic, migrations shipped in the package)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
