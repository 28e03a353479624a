"""The store's side of sync: outbox batches, applying remote revisions, conflicts, purging.

Everything here runs inside the encrypted database and in its transactions; nothing here knows
about HTTP (that is :mod:`intake.sync.client`). The rules:

* Pushing takes outbox rows in order and marks them *in flight* before they leave, so autosave
  no longer replaces them (the server may already have them); only the server's answer removes
  them. A cut connection therefore loses nothing and the next run sends them again.
* A page of pulled revisions and the cursor after it are written in one transaction: a cut at any
  byte leaves either the whole page applied or none of it.
* After new revisions arrive, each touched profile is reconciled (:mod:`intake.sync.merge`):
  one head — it becomes current; several — an automatic merge revision or a recorded conflict;
  a tombstone anywhere — the profile is deleted and every revision's answers erased.
* The device's sync credential (an Ed25519 private key) and cached access tokens live in
  ``sync_state``, inside the encrypted database, so they are usable only while the store is open.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from intake.errors import InvalidInput, NotFound
from intake.store.profiles import ProfileChange, Revision, content_hash, index_fields
from intake.sync.merge import (
    MERGE_DEVICE,
    FieldConflict,
    MergeOutcome,
    Node,
    default_sensitive,
    heads,
    merge,
    merge_revision_id,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from intake.store.connect import Database
    from intake.store.session import Session


class RemoteDataError(ValueError):
    """A pulled revision does not match its own content hash (nothing of the page is applied)."""


@dataclass(frozen=True)
class Enrolment:
    server_url: str
    team: str
    device_id: str
    enrolled_at: str


@dataclass(frozen=True)
class ApplyResult:
    received: int = 0
    new: int = 0
    profiles_changed: int = 0
    merged: int = 0
    conflicts: int = 0
    deleted: int = 0


@dataclass(frozen=True)
class ProfileConflict:
    profile_id: str
    heads: tuple[str, ...]
    fields: tuple[FieldConflict, ...]
    detected_at: str


@dataclass(frozen=True)
class SyncStatus:
    """What the sync indicator shows: "3 profiles waiting", "last sync 10:42", "1 conflict"."""

    enrolled: bool
    server_url: str | None
    team: str | None
    waiting_profiles: int
    waiting_revisions: int
    conflicts: int
    rejected: int
    last_sync_at: str | None
    last_error: str | None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _node(revision: Revision) -> Node:
    return Node(
        id=revision.id,
        parents=revision.parents,
        created_at=revision.created_at,
        deleted=revision.deleted,
        answers=revision.answers,
        status=revision.status,
        form_id=revision.form_id,
        form_version=revision.form_version,
        author=revision.author,
        device_id=revision.device_id,
    )


class SyncState:
    """Sync bookkeeping for one open session."""

    def __init__(self, session: Session, *, sensitive: Callable[[str], bool] = default_sensitive):
        self._session = session
        self._sensitive = sensitive

    @property
    def _db(self) -> Database:
        return self._session.db

    def _now(self) -> str:
        return self._session._timestamp()

    # -- key/value state ---------------------------------------------------------------------

    def _get(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM sync_state WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def _set(self, key: str, value: str | None) -> None:
        if value is None:
            self._db.execute("DELETE FROM sync_state WHERE key = ?", [key])
        else:
            self._db["sync_state"].upsert({"key": key, "value": value}, pk="key")

    # -- enrolment and credentials -----------------------------------------------------------

    def enrolment(self) -> Enrolment | None:
        url, team, at = self._get("server_url"), self._get("team"), self._get("enrolled_at")
        if not url or not team or not at or not self._get("device_private_key"):
            return None
        return Enrolment(url, team, self._session.device_id, at)

    def save_enrolment(self, server_url: str, team: str, private_key: bytes) -> None:
        """Keep the device credential (encrypted with the store) and start from cursor 0."""
        with self._db.atomic():
            self._db.execute("DELETE FROM sync_state")
            self._set("server_url", server_url)
            self._set("team", team)
            self._set("enrolled_at", self._now())
            self._set("device_private_key", private_key.hex())
            self._set("cursor", "0")
            self._session.audit.record(
                self._session.user, "sync_enroll", "device", self._session.device_id, team=team
            )

    def private_key(self) -> bytes | None:
        value = self._get("device_private_key")
        return bytes.fromhex(value) if value else None

    def cached_token(self, user: str) -> str | None:
        return self._get(f"token:{user}")

    def store_token(self, user: str, token: str, role: str, policy: Mapping[str, Any]) -> None:
        with self._db.atomic():
            self._set(f"token:{user}", token)
            self._set(f"server_role:{user}", role)
            self._set("policy", json.dumps(dict(policy), sort_keys=True))

    def drop_token(self, user: str) -> None:
        self._set(f"token:{user}", None)

    def policy(self) -> dict[str, Any]:
        value = self._get("policy")
        return json.loads(value) if value else {}

    def cursor(self) -> str:
        return self._get("cursor") or "0"

    # -- outbox ------------------------------------------------------------------------------

    def next_batch(self, limit: int) -> list[Revision]:
        """The oldest outbox entries (marked in flight). A revision whose answers were erased
        by a deletion travels together with every queued revision of its profile, so the
        server sees the tombstone that explains it in the same request."""
        with self._db.atomic():
            rows = list(
                self._db.query(
                    "SELECT o.seq AS outbox_seq, r.* FROM outbox o JOIN revisions r"
                    " ON r.id = o.revision_id ORDER BY o.seq LIMIT ?",
                    [limit],
                )
            )
            redacted = {r["profile_id"] for r in rows if r["answers"] is None and not r["deleted"]}
            if redacted:
                have = {r["outbox_seq"] for r in rows}
                marks = ",".join("?" * len(redacted))
                where = f"r.profile_id IN ({marks})"
                sql = "SELECT o.seq AS outbox_seq, r.* FROM outbox o JOIN revisions r"
                sql += " ON r.id = o.revision_id WHERE " + where
                extra = self._db.query(sql, sorted(redacted))
                rows += [r for r in extra if r["outbox_seq"] not in have]
                rows.sort(key=lambda r: r["outbox_seq"])
            seqs = [r["outbox_seq"] for r in rows]
            for start in range(0, len(seqs), 500):
                chunk = seqs[start : start + 500]
                self._db.execute(
                    f"UPDATE outbox SET in_flight = 1 WHERE seq IN ({','.join('?' * len(chunk))})",  # noqa: S608
                    chunk,
                )
        return [Revision.from_row(r) for r in rows]

    def acknowledge(self, revision_ids: Iterable[str]) -> None:
        ids = list(revision_ids)
        with self._db.atomic():
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                self._db.execute(
                    f"DELETE FROM outbox WHERE revision_id IN ({','.join('?' * len(chunk))})",  # noqa: S608
                    chunk,
                )

    def reject(self, revision: Revision, code: str, detail: str | None) -> None:
        """The server refused this revision for good: out of the outbox, onto the list."""
        with self._db.atomic():
            self._db["sync_rejections"].upsert(
                {
                    "revision_id": revision.id,
                    "profile_id": revision.profile_id,
                    "code": code,
                    "detail": detail,
                    "at": self._now(),
                },
                pk="revision_id",
            )
            self._db.execute("DELETE FROM outbox WHERE revision_id = ?", [revision.id])

    def rejections(self) -> list[dict[str, Any]]:
        return list(self._db.query("SELECT * FROM sync_rejections ORDER BY at, revision_id"))

    # -- applying pulled revisions ------------------------------------------------------------

    def apply_remote(self, revisions: Iterable[Revision], cursor: str) -> ApplyResult:
        """Store a page of pulled revisions and the cursor after it, all or nothing."""
        page = list(revisions)
        new = merged = conflicts = deleted = 0
        touched: dict[str, None] = {}
        with self._db.atomic():
            known = self._existing("revisions", "id", [r.id for r in page])
            purged = self._existing("sync_purged", "profile_id", [r.profile_id for r in page])
            self._conflicted = self._existing(
                "sync_conflicts", "profile_id", [r.profile_id for r in page]
            )
            for revision in page:
                if revision.profile_id in purged or revision.id in known:
                    continue
                verifiable = revision.answers is not None or revision.deleted
                if verifiable and content_hash(revision.body()) != revision.content_hash:
                    raise RemoteDataError(revision.id)
                self._insert_revision(revision, origin="remote", outbox=False)
                known.add(revision.id)
                touched[revision.profile_id] = None
                new += 1
            for profile_id in touched:
                outcome = self.reconcile(profile_id)
                merged += outcome == "merged"
                conflicts += outcome == "conflict"
                deleted += outcome == "deleted"
            self._conflicted = None
            self._set("cursor", cursor)
        return ApplyResult(len(page), new, len(touched), merged, conflicts, deleted)

    _conflicted: set[str] | None = None

    def _existing(self, table: str, column: str, values: list[str]) -> set[str]:
        found: set[str] = set()
        unique = sorted(set(values))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            sql = f"SELECT {column} FROM {table} WHERE {column} IN ({','.join('?' * len(chunk))})"  # noqa: S608
            found |= {row[0] for row in self._db.execute(sql, chunk).fetchall()}
        return found

    def _clear_conflict(self, profile_id: str) -> None:
        if self._conflicted is None or profile_id in self._conflicted:
            self._db.execute("DELETE FROM sync_conflicts WHERE profile_id = ?", [profile_id])

    def _is_purged(self, profile_id: str) -> bool:
        return bool(
            self._db.execute(
                "SELECT 1 FROM sync_purged WHERE profile_id = ?", [profile_id]
            ).fetchone()
        )

    def _insert_revision(self, revision: Revision, *, origin: str, outbox: bool) -> None:
        # Plain SQL: sqlite-utils' insert() inspects the table on every call, which dominates
        # when a pull brings thousands of revisions.
        answers = (
            json.dumps(revision.answers, ensure_ascii=False, sort_keys=True)
            if revision.answers is not None
            else None
        )
        self._db.execute(
            "INSERT INTO revisions (id, profile_id, parents, content_hash, author, device_id,"
            " created_at, form_id, form_version, status, deleted, answers, origin)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                revision.id,
                revision.profile_id,
                json.dumps(list(revision.parents)),
                revision.content_hash,
                revision.author,
                revision.device_id,
                revision.created_at,
                revision.form_id,
                revision.form_version,
                revision.status,
                int(revision.deleted),
                answers,
                origin,
            ],
        )
        if outbox:
            self._db.execute(
                "INSERT INTO outbox (revision_id, queued_at) VALUES (?, ?)",
                [revision.id, self._now()],
            )

    def _revisions(self, profile_id: str) -> dict[str, Revision]:
        rows = self._db.query("SELECT * FROM revisions WHERE profile_id = ?", [profile_id])
        return {row["id"]: Revision.from_row(row) for row in rows}

    def reconcile(self, profile_id: str) -> str:
        """Bring the profile's current state in line with its revision graph.

        Returns ``"deleted"``, ``"current"`` (one head), ``"merged"`` or ``"conflict"``.
        """
        revisions = self._revisions(profile_id)
        if not revisions:
            return "current"
        tombstones = [r for r in revisions.values() if r.deleted]
        if tombstones:
            tombstone = max(tombstones, key=lambda r: (r.created_at, r.id))
            self._apply_deletion(profile_id, tombstone)
            return "deleted"
        nodes = {rid: _node(rev) for rid, rev in revisions.items()}
        only = heads(nodes)
        if len(only) == 1:
            self._set_current(profile_id, revisions[only[0]], revisions)
            self._clear_conflict(profile_id)
            return "current"
        outcome = merge(nodes, sensitive=self._sensitive)
        if outcome.clean:
            revision = self._merge_revision(profile_id, outcome)
            self._insert_revision(revision, origin="local", outbox=True)
            revisions[revision.id] = revision
            self._set_current(profile_id, revision, revisions)
            self._clear_conflict(profile_id)
            self._session.audit.record(
                None, "profile_merge", "profile", profile_id, revision=revision.id
            )
            return "merged"
        current = self._current_head(profile_id)
        shown = (
            current
            if current in outcome.heads
            else max(outcome.heads, key=lambda h: (revisions[h].created_at, h))
        )
        self._set_current(profile_id, revisions[shown], revisions)
        names = [c.name for c in outcome.conflicts]
        previous = self._db.execute(
            "SELECT heads FROM sync_conflicts WHERE profile_id = ?", [profile_id]
        ).fetchone()
        self._db["sync_conflicts"].upsert(
            {
                "profile_id": profile_id,
                "heads": json.dumps(list(outcome.heads)),
                "fields": json.dumps(names),
                "detected_at": self._now(),
            },
            pk="profile_id",
        )
        if previous is None or json.loads(previous[0]) != list(outcome.heads):
            self._session.audit.record(
                None, "profile_conflict", "profile", profile_id, fields=names
            )
        return "conflict"

    def _merge_revision(self, profile_id: str, outcome: MergeOutcome) -> Revision:
        draft = Revision(
            id=merge_revision_id(outcome.heads),
            profile_id=profile_id,
            parents=tuple(sorted(outcome.heads)),
            content_hash="",
            author=None,
            device_id=MERGE_DEVICE,
            created_at=outcome.created_at,
            form_id=outcome.form_id,
            form_version=outcome.form_version,
            status=outcome.status,
            deleted=False,
            answers=outcome.answers,
        )
        return Revision(**{**draft.__dict__, "content_hash": content_hash(draft.body())})

    def _current_head(self, profile_id: str) -> str | None:
        row = self._db.execute("SELECT head FROM profiles WHERE id = ?", [profile_id]).fetchone()
        return row[0] if row else None

    def _set_current(
        self, profile_id: str, head: Revision, revisions: Mapping[str, Revision]
    ) -> None:
        state = {
            "head": head.id,
            "status": head.status,
            "form_id": head.form_id,
            "form_version": head.form_version,
            "updated_at": head.created_at,
            "updated_by": head.author,
            "deleted": int(head.deleted),
            **index_fields(head.answers or {}),
        }
        if self._current_head(profile_id) is None:
            roots = [r for r in revisions.values() if not r.parents] or list(revisions.values())
            first = min(roots, key=lambda r: (r.created_at, r.id))
            state |= {"id": profile_id, "created_at": first.created_at, "created_by": first.author}
            columns = ", ".join(state)
            marks = ", ".join("?" * len(state))
            self._db.execute(
                f"INSERT INTO profiles ({columns}) VALUES ({marks})",  # noqa: S608 - our names
                list(state.values()),
            )
        else:
            assignments = ", ".join(f"{name} = ?" for name in state)
            self._db.execute(
                f"UPDATE profiles SET {assignments} WHERE id = ?",  # noqa: S608 - our names
                [*state.values(), profile_id],
            )

    def _apply_deletion(self, profile_id: str, tombstone: Revision) -> None:
        was = self._db.execute("SELECT deleted FROM profiles WHERE id = ?", [profile_id]).fetchone()
        # Local edits nobody else has seen die with the profile; sent ones stay as erased stubs.
        unsent = self._db.execute(
            "SELECT r.id FROM revisions r JOIN outbox o ON o.revision_id = r.id"
            " WHERE r.profile_id = ? AND o.in_flight = 0 AND r.deleted = 0",
            [profile_id],
        ).fetchall()
        for (revision_id,) in unsent:
            self._db.execute("DELETE FROM outbox WHERE revision_id = ?", [revision_id])
            self._db.execute("DELETE FROM revisions WHERE id = ?", [revision_id])
        self._db.execute("UPDATE revisions SET answers = NULL WHERE profile_id = ?", [profile_id])
        self._db.execute("DELETE FROM sync_conflicts WHERE profile_id = ?", [profile_id])
        revisions = self._revisions(profile_id)
        self._set_current(profile_id, revisions[tombstone.id], revisions)
        if (was is None or not was[0]) and tombstone.origin == "remote":
            self._log_deletion(profile_id, "remote_deletion", tombstone.author)
            self._session.audit.record(
                None, "profile_remote_delete", "profile", profile_id, revision=tombstone.id
            )

    def _log_deletion(self, profile_id: str, reason: str, actor: str | None) -> None:
        self._db["deletion_log"].insert(
            {"profile_id": profile_id, "at": self._now(), "reason": reason, "actor": actor}
        )

    # -- conflicts ---------------------------------------------------------------------------

    def conflicts(self) -> list[ProfileConflict]:
        rows = self._db.query("SELECT profile_id FROM sync_conflicts ORDER BY detected_at")
        found = [self.conflict(row["profile_id"]) for row in rows]
        return [c for c in found if c is not None]

    def conflict(self, profile_id: str) -> ProfileConflict | None:
        """The profile's open conflict with every live value of each field, or ``None``."""
        row = self._db.execute(
            "SELECT detected_at FROM sync_conflicts WHERE profile_id = ?", [profile_id]
        ).fetchone()
        if row is None:
            return None
        outcome = self._outcome(profile_id)
        if outcome is None or outcome.clean:
            return None
        return ProfileConflict(profile_id, outcome.heads, outcome.conflicts, row[0])

    def _outcome(self, profile_id: str) -> MergeOutcome | None:
        revisions = self._revisions(profile_id)
        if not revisions or any(r.deleted for r in revisions.values()):
            return None
        return merge({rid: _node(r) for rid, r in revisions.items()}, sensitive=self._sensitive)

    def resolve(
        self,
        profile_id: str,
        choices: Mapping[str, Any],
        *,
        newest_for_the_rest: bool = False,
    ) -> ProfileChange:
        """Resolve a conflict: a new revision whose parents are all heads.

        ``choices`` maps each conflicting field to the value to keep (``None`` removes the
        answer). With ``newest_for_the_rest`` the newest value is kept for fields not chosen —
        except sensitive fields, which always need an explicit choice.
        """
        self._session.require("profiles.write", "resolve sync conflicts")
        with self._db.atomic():
            conflict = self.conflict(profile_id)
            if conflict is None:
                raise NotFound(what="sync conflict", ident=profile_id)
            outcome = self._outcome(profile_id)
            assert outcome is not None
            answers = dict(outcome.answers)
            for field_conflict in conflict.fields:
                name = field_conflict.name
                if name in choices:
                    value = choices[name]
                elif newest_for_the_rest and not field_conflict.sensitive:
                    value = max(
                        field_conflict.options, key=lambda o: (o.created_at, o.revision_id)
                    ).value
                else:
                    raise InvalidInput(
                        "Choose a value for {field}: conflicting answers in sensitive fields are "
                        "never resolved automatically.",
                        field=name,
                    )
                if value is None:
                    answers.pop(name, None)
                else:
                    answers[name] = value
            draft = Revision(
                id=str(uuid.uuid4()),
                profile_id=profile_id,
                parents=tuple(sorted(conflict.heads)),
                content_hash="",
                author=self._session.user,
                device_id=self._session.device_id,
                created_at=self._now(),
                form_id=outcome.form_id,
                form_version=outcome.form_version,
                status=outcome.status,
                deleted=False,
                answers=answers,
            )
            revision = Revision(**{**draft.__dict__, "content_hash": content_hash(draft.body())})
            self._insert_revision(revision, origin="local", outbox=True)
            revisions = self._revisions(profile_id)
            self._set_current(profile_id, revision, revisions)
            self._db.execute("DELETE FROM sync_conflicts WHERE profile_id = ?", [profile_id])
            names = sorted(f.name for f in conflict.fields)
            self._session.audit.record(
                self._session.user,
                "conflict_resolve",
                "profile",
                profile_id,
                revision=revision.id,
                fields=names,
            )
        return ProfileChange(profile_id, revision.id, False, False, frozenset(names))

    # -- purging and retention ---------------------------------------------------------------

    def purge_synced(self, reason: str, *, unchanged_since: str | None = None) -> int:
        """Remove profiles the server holds completely (nothing queued, no open conflict) from
        this device; with ``unchanged_since`` only those last changed before that time."""
        sql = (
            "SELECT p.id FROM profiles p WHERE NOT EXISTS (SELECT 1 FROM outbox o JOIN revisions r"
            " ON r.id = o.revision_id WHERE r.profile_id = p.id)"
            " AND NOT EXISTS (SELECT 1 FROM sync_conflicts c WHERE c.profile_id = p.id)"
        )
        params: list[Any] = []
        if unchanged_since is not None:
            sql += " AND p.updated_at < ?"
            params.append(unchanged_since)
        with self._db.atomic():
            ids = [row[0] for row in self._db.execute(sql, params).fetchall()]
            for profile_id in ids:
                self._db.execute("DELETE FROM revisions WHERE profile_id = ?", [profile_id])
                self._db.execute("DELETE FROM profiles WHERE id = ?", [profile_id])
                self._db["sync_purged"].upsert(
                    {"profile_id": profile_id, "purged_at": self._now(), "reason": reason},
                    pk="profile_id",
                )
                self._log_deletion(profile_id, reason, self._session.user)
                self._session.audit.record(
                    self._session.user, "profile_purge", "profile", profile_id, reason=reason
                )
        return len(ids)

    def apply_retention(self, days: int) -> int:
        """Profiles unchanged for ``days`` days leave this device once the server has them
        (the server's own retention turns them into tombstones for everyone)."""
        if days <= 0:
            return 0
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
        since = cutoff.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return self.purge_synced("retention", unchanged_since=since)

    def deletion_log(self) -> list[dict[str, Any]]:
        return list(self._db.query("SELECT * FROM deletion_log ORDER BY seq"))

    # -- status ------------------------------------------------------------------------------

    def record_run(self, *, error: str | None) -> None:
        with self._db.atomic():
            if error is None:
                self._set("last_sync_at", self._now())
            self._set("last_error", error)

    def status(self) -> SyncStatus:
        enrolment = self.enrolment()
        waiting = self._db.execute(
            "SELECT count(*), count(DISTINCT r.profile_id) FROM outbox o"
            " JOIN revisions r ON r.id = o.revision_id"
        ).fetchone()
        conflicts = self._db.execute("SELECT count(*) FROM sync_conflicts").fetchone()[0]
        rejected = self._db.execute("SELECT count(*) FROM sync_rejections").fetchone()[0]
        return SyncStatus(
            enrolled=enrolment is not None,
            server_url=enrolment.server_url if enrolment else None,
            team=enrolment.team if enrolment else None,
            waiting_profiles=waiting[1],
            waiting_revisions=waiting[0],
            conflicts=conflicts,
            rejected=rejected,
            last_sync_at=self._get("last_sync_at"),
            last_error=self._get("last_error"),
        )
