"""Schema of the encrypted store, as append-only ``sqlite_utils.Migrations``.

A migration that has shipped is never edited: change the schema by adding ``m00N_…``.
"""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

from intake.store.connect import Database

migrations = Migrations("intake")


@migrations()
def m001_meta_and_users(db: Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["settings"].create({"key": str, "value": str}, pk="key")
    db["users"].create(
        {
            "name": str,
            "role": str,
            "created_at": str,
            "created_by": str,
            "password_changed_at": str,
        },
        pk="name",
        not_null={"role", "created_at"},
    )


@migrations()
def m002_audit_log(db: Database) -> None:
    db["audit_log"].create(
        {
            "seq": int,
            "at": str,
            "actor": str,
            "device": str,
            "action": str,
            "object_type": str,
            "object_id": str,
            "detail": str,
            "prev_hash": str,
            "hash": str,
        },
        pk="seq",
        not_null={"at", "action", "prev_hash", "hash"},
    )
    # Append-only inside the application: rows can be added, never changed or removed.
    # (Whoever holds the key can drop triggers; the hash chain is what detects that.)
    db.execute(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )
    db.execute(
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )


@migrations()
def m003_profiles_and_revisions(db: Database) -> None:
    db["revisions"].create(
        {
            "id": str,
            "profile_id": str,
            "parents": str,  # JSON list of revision ids
            "content_hash": str,
            "author": str,
            "device_id": str,
            "created_at": str,
            "form_id": str,
            "form_version": str,
            "status": str,
            "deleted": int,
            "answers": str,  # JSON document; NULL once erased (Art. 17)
            "origin": str,  # 'local' or 'remote'
        },
        pk="id",
        not_null={"profile_id", "parents", "content_hash", "created_at", "deleted", "origin"},
    )
    db["revisions"].create_index(["profile_id", "created_at"])
    db["profiles"].create(
        {
            "id": str,
            "head": str,
            "status": str,
            "form_id": str,
            "form_version": str,
            "display_name": str,
            "search_names": str,
            "customer_number": str,
            "birth_date": str,
            "created_at": str,
            "created_by": str,
            "updated_at": str,
            "updated_by": str,
            "deleted": int,
        },
        pk="id",
        not_null={"head", "created_at", "updated_at", "deleted"},
        defaults={"deleted": 0},
    )
    db["profiles"].create_index(["deleted", "updated_at"])
    db["profiles"].create_index(["created_by", "updated_at"])
    db["profiles"].enable_fts(
        ["search_names", "customer_number"],
        create_triggers=True,
        tokenize="unicode61 remove_diacritics 2",
    )
    # Transactional outbox: written in the same transaction as the revision it announces.
    db["outbox"].create(
        {"seq": int, "revision_id": str, "queued_at": str, "in_flight": int},
        pk="seq",
        not_null={"revision_id", "queued_at"},
        defaults={"in_flight": 0},
    )
    db["outbox"].create_index(["revision_id"], unique=True)


@migrations()
def m004_sync_state(db: Database) -> None:
    # Key/value state of the sync client: enrolment, device credential, cursor, cached tokens.
    db["sync_state"].create({"key": str, "value": str}, pk="key")
    # Profiles whose heads could not be merged automatically, until someone resolves them.
    db["sync_conflicts"].create(
        {"profile_id": str, "heads": str, "fields": str, "detected_at": str},
        pk="profile_id",
        not_null={"heads", "fields", "detected_at"},
    )
    # Revisions the server refused for good (kept out of the outbox, shown to the user).
    db["sync_rejections"].create(
        {"revision_id": str, "profile_id": str, "code": str, "detail": str, "at": str},
        pk="revision_id",
        not_null={"profile_id", "code", "at"},
    )
    # Profiles this device no longer holds (purge after sync, retention): later changes to them
    # are not downloaded again. Ids only.
    db["sync_purged"].create(
        {"profile_id": str, "purged_at": str, "reason": str},
        pk="profile_id",
        not_null={"purged_at", "reason"},
    )
    # The deletion log: which profile went when and why (no personal data).
    db["deletion_log"].create(
        {"seq": int, "profile_id": str, "at": str, "reason": str, "actor": str},
        pk="seq",
        not_null={"profile_id", "at", "reason"},
    )


@migrations()
def m005_revision_profile_index(db: Database) -> None:
    # Counting waiting profiles (the sync indicator) joins the outbox to revisions for their
    # profile id; with this covering index that never reads the large revision rows themselves.
    db["revisions"].create_index(["id", "profile_id"], index_name="revisions_id_profile")
