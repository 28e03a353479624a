"""The audit log: append-only, hash-chained, inside the encrypted database.

Each row's hash covers the previous row's hash and the row's own fields, starting from a genesis
value bound to the store id, so a changed, removed or reordered row breaks the chain at that
point. Rows name who did what to which object, never personal data: ``detail`` holds ids, counts
and field names only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from intake.store import connect
from intake.store.connect import Database, DatabaseSource
from intake.store.fileio import canonical_json

ACTIONS = frozenset(
    {
        "store_create",
        "login",
        "login_failed",
        "logout",
        "lock",
        "recovery_used",
        "user_add",
        "user_remove",
        "password_change",
        "rekey",
        "profile_create",
        "profile_view",
        "profile_change",
        "profile_export",
        "profile_import",
        "profile_print",
        "profile_delete",
        "settings_change",
        "sync_enroll",
        "sync_run",
        "profile_merge",
        "profile_conflict",
        "conflict_resolve",
        "profile_purge",
        "profile_remote_delete",
    }
)


def genesis_hash(store_id: str) -> str:
    return hashlib.sha256(f"intake-audit-genesis:{store_id}".encode()).hexdigest()


def _row_hash(prev_hash: str, row: dict[str, Any]) -> str:
    fields = [
        row["seq"],
        row["at"],
        row["actor"],
        row["device"],
        row["action"],
        row["object_type"],
        row["object_id"],
        row["detail"],
    ]
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + canonical_json(fields)).hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""


class AuditLog:
    def __init__(
        self, db: DatabaseSource, store_id: str, device_id: str, clock: Callable[[], str]
    ) -> None:
        self._get_db = connect.provider(db)
        self._store_id = store_id
        self._device_id = device_id
        self._clock = clock

    @property
    def _db(self) -> Database:
        return self._get_db()

    def record(
        self,
        actor: str | None,
        action: str,
        object_type: str | None = None,
        object_id: str | None = None,
        **detail: Any,
    ) -> int:
        """Append one entry (inside the caller's transaction, if any); returns its sequence number."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        with self._db.atomic():
            last = self._db.execute(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            seq, prev_hash = (last[0] + 1, last[1]) if last else (1, genesis_hash(self._store_id))
            row = {
                "seq": seq,
                "at": self._clock(),
                "actor": actor,
                "device": self._device_id,
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "detail": json.dumps(detail, sort_keys=True) if detail else None,
            }
            row["prev_hash"] = prev_hash
            row["hash"] = _row_hash(prev_hash, row)
            self._db["audit_log"].insert(row)
        return seq

    def entries(self, *, object_id: str | None = None, limit: int | None = None) -> list[dict]:
        sql = "SELECT * FROM audit_log"
        params: list[Any] = []
        if object_id is not None:
            sql += " WHERE object_id = ?"
            params.append(object_id)
        sql += " ORDER BY seq"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return list(self._db.query(sql, params))

    def verify(self) -> VerifyResult:
        """Walk the chain from the genesis; report the first row whose link does not hold."""
        expected_prev = genesis_hash(self._store_id)
        expected_seq = 1
        checked = 0
        for row in self._db.query("SELECT * FROM audit_log ORDER BY seq"):
            if row["seq"] != expected_seq:
                return VerifyResult(False, checked, expected_seq, "entry missing")
            if row["prev_hash"] != expected_prev:
                return VerifyResult(False, checked, row["seq"], "link to previous entry broken")
            if row["hash"] != _row_hash(expected_prev, row):
                return VerifyResult(False, checked, row["seq"], "entry was changed")
            expected_prev = row["hash"]
            expected_seq += 1
            checked += 1
        return VerifyResult(True, checked)
