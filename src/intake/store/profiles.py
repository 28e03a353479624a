"""Profiles and their revisions at the storage level.

A profile has a permanent UUID. Every save writes a revision — answers document, content hash,
parent revision ids, author, device, time, form id and version — and moves the profile's head to
it, in one transaction together with an outbox row for sync and an audit entry. The ``profiles``
table is the current state (what lists and search read); ``revisions`` is the history sync pushes.

Autosave would otherwise create hundreds of revisions per interview: ``save(..., amend=True)``
replaces the head instead when nobody else can have seen it yet (it is local, by the same user on
this device, still waiting in the outbox and not being sent). The replacement is a new revision
with a new id and hash and the old head's parents, so history stays a valid graph.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from intake.errors import InvalidInput, NotFound
from intake.i18n import N_
from intake.store import connect
from intake.store.audit import AuditLog
from intake.store.connect import Database, DatabaseSource
from intake.store.fileio import canonical_json

STATUSES = ("draft", "complete", "needs_review")
MAX_ANSWERS_BYTES = 5 * 1024 * 1024

# Question ids of the Person section that lists and search use (see forms/erstprofil.yaml).
NAME_FIELDS = ("family_name", "given_names", "family_name_latin", "given_names_latin")
CUSTOMER_NUMBER_FIELD = "customer_number"
BIRTH_DATE_FIELD = "birth_date"


@dataclass(frozen=True)
class Revision:
    id: str
    profile_id: str
    parents: tuple[str, ...]
    content_hash: str
    author: str | None
    device_id: str
    created_at: str
    form_id: str | None
    form_version: str | None
    status: str | None
    deleted: bool
    answers: dict[str, Any] | None
    origin: str = "local"

    def body(self) -> dict[str, Any]:
        """Everything the content hash covers (all but the id, the hash and where it came from)."""
        return hashed_body(self)

    def to_json(self, *, with_answers: bool = True) -> dict[str, Any]:
        data = {"id": self.id, "content_hash": self.content_hash, **self.body()}
        data["parents"] = list(self.parents)
        if not with_answers:
            data.pop("answers")
        return data

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Revision:
        return cls(
            id=row["id"],
            profile_id=row["profile_id"],
            parents=tuple(json.loads(row["parents"])),
            content_hash=row["content_hash"],
            author=row["author"],
            device_id=row["device_id"],
            created_at=row["created_at"],
            form_id=row["form_id"],
            form_version=row["form_version"],
            status=row["status"],
            deleted=bool(row["deleted"]),
            answers=json.loads(row["answers"]) if row["answers"] is not None else None,
            origin=row["origin"],
        )


# What a revision's content hash covers — the sync contract (docs/sync.md) rests on this list.
HASHED_FIELDS = (
    "profile_id",
    "parents",
    "author",
    "device_id",
    "created_at",
    "form_id",
    "form_version",
    "status",
    "deleted",
    "answers",
)


def hashed_body(revision: Any) -> dict[str, Any]:
    """The hashed fields of ``revision`` (a :class:`Revision` or the sync protocol's document)."""
    body = {name: getattr(revision, name) for name in HASHED_FIELDS}
    body["parents"] = sorted(body["parents"])
    return body


def content_hash(body: Mapping[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(body)).hexdigest()


@dataclass(frozen=True)
class ProfileChange:
    """What a write did, so views update the one row instead of reloading everything."""

    profile_id: str
    revision_id: str
    created: bool
    deleted: bool
    changed_fields: frozenset[str]


@dataclass(frozen=True)
class ProfileSummary:
    id: str
    display_name: str | None
    customer_number: str | None
    birth_date: str | None
    status: str | None
    form_id: str | None
    form_version: str | None
    created_by: str | None
    updated_at: str
    updated_by: str | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ProfileSummary:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class Profile:
    summary: ProfileSummary
    head: Revision

    @property
    def id(self) -> str:
        return self.summary.id

    @property
    def answers(self) -> dict[str, Any]:
        return self.head.answers or {}


def _text(value: Any) -> str | None:
    if isinstance(value, dict):  # partial dates: {"value": "1990-05", "uncertain": true}
        value = value.get("value")
    if value is None or value == "":
        return None
    return str(value).strip() or None


def index_fields(answers: Mapping[str, Any]) -> dict[str, str | None]:
    """The columns of the profile list and the full-text index, taken from the answers."""
    names = [_text(answers.get(field)) for field in NAME_FIELDS]
    family, given, family_latin, given_latin = names
    family_shown, given_shown = family_latin or family, given_latin or given
    display = ", ".join(part for part in (family_shown, given_shown) if part) or None
    return {
        "display_name": display,
        "search_names": " ".join(part for part in names if part) or None,
        "customer_number": _text(answers.get(CUSTOMER_NUMBER_FIELD)),
        "birth_date": _text(answers.get(BIRTH_DATE_FIELD)),
    }


def changed_fields(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> frozenset[str]:
    old, new = old or {}, new or {}
    return frozenset(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))


def fts_query(text: str) -> str | None:
    """A safe FTS5 query: every word a quoted prefix term, all of them required."""
    words = [word.replace('"', "") for word in text.split()]
    terms = [f'"{word}"*' for word in words if word]
    return " ".join(terms) or None


def _check_answers(answers: Any) -> str:
    if not isinstance(answers, dict):
        raise InvalidInput("The answers must be a JSON object.")
    try:
        encoded = json.dumps(answers, ensure_ascii=False, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("The answers contain values that are not plain JSON.") from exc
    if len(encoded.encode("utf-8")) > MAX_ANSWERS_BYTES:
        raise InvalidInput("The answers are larger than the 5 MB a profile may hold.")
    return encoded


class ProfileStore:
    """Profiles as seen by one logged-in user on this device."""

    def __init__(
        self,
        db: DatabaseSource,
        audit: AuditLog,
        *,
        actor: str,
        device_id: str,
        clock: Callable[[], str],
    ) -> None:
        self._get_db = connect.provider(db)
        self._audit = audit
        self._actor = actor
        self._device_id = device_id
        self._clock = clock

    # -- writing -----------------------------------------------------------------------------

    @property
    def _db(self) -> Database:
        return self._get_db()

    @connect.user_errors
    def save(
        self,
        answers: Mapping[str, Any],
        *,
        profile_id: str | None = None,
        form_id: str,
        form_version: str,
        status: str = "draft",
        amend: bool = False,
    ) -> ProfileChange:
        """Write a new revision of ``profile_id`` (a new profile when ``None`` or unknown)."""
        if status not in STATUSES:
            raise InvalidInput("Unknown profile status {status}.", status=repr(status))
        if not isinstance(answers, Mapping):
            raise InvalidInput("The answers must be a JSON object.")
        answers = dict(answers)
        _check_answers(answers)
        if profile_id is not None:
            profile_id = _checked_uuid(profile_id)
        with self._db.atomic():
            current = self._profile_row(profile_id) if profile_id else None
            if current is not None and current["deleted"]:
                raise InvalidInput("This profile was deleted and cannot be changed.")
            previous = self._revision(current["head"]) if current else None
            parents: tuple[str, ...] = (previous.id,) if previous else ()
            if previous is not None and amend and self._may_amend(previous):
                parents = previous.parents
                self._drop_unsent(previous.id)
            revision = self._new_revision(
                profile_id or str(uuid.uuid4()),
                parents,
                answers=answers,
                form_id=form_id,
                form_version=form_version,
                status=status,
                deleted=False,
            )
            self._write_revision(revision, created=current is None)
            fields = changed_fields(previous.answers if previous else None, answers)
            action = "profile_create" if current is None else "profile_change"
            self._audit.record(
                self._actor,
                action,
                "profile",
                revision.profile_id,
                revision=revision.id,
                fields=sorted(fields),
            )
        return ProfileChange(revision.profile_id, revision.id, current is None, False, fields)

    @connect.user_errors
    def delete(self, profile_id: str) -> ProfileChange:
        """Delete a profile (GDPR Art. 17): a tombstone revision that sync propagates, the
        answers of every earlier revision erased, and the profile gone from lists and search."""
        profile_id = _checked_uuid(profile_id)
        with self._db.atomic():
            current = self._profile_row(profile_id)
            if current is None or current["deleted"]:
                raise NotFound(what=N_("profile"), ident=profile_id)
            parents = self._nearest_sent_ancestors(current["head"])
            for revision_id in self._unsent_revisions(profile_id):
                self._drop_unsent(revision_id)
            self._db.execute(
                "UPDATE revisions SET answers = NULL WHERE profile_id = ?", [profile_id]
            )
            tombstone = self._new_revision(
                profile_id,
                parents,
                answers=None,
                form_id=current["form_id"],
                form_version=current["form_version"],
                status=None,
                deleted=True,
            )
            self._write_revision(tombstone, created=False)
            self._audit.record(
                self._actor, "profile_delete", "profile", profile_id, revision=tombstone.id
            )
        return ProfileChange(profile_id, tombstone.id, False, True, frozenset())

    @connect.user_errors
    def import_document(self, document: Mapping[str, Any]) -> ProfileChange:
        """Import one profile in the export format (``id`` optional; a known id gets a revision)."""
        if not isinstance(document, Mapping):
            raise InvalidInput("Each imported profile must be a JSON object.")
        missing = [key for key in ("form_id", "form_version", "answers") if key not in document]
        if missing:
            raise InvalidInput(
                "An imported profile lacks the field(s): {fields}.", fields=", ".join(missing)
            )
        change = self.save(
            document["answers"],
            profile_id=document.get("id"),
            form_id=str(document["form_id"]),
            form_version=str(document["form_version"]),
            status=str(document.get("status", "draft")),
        )
        self._audit.record(
            self._actor, "profile_import", "profile", change.profile_id, revision=change.revision_id
        )
        return change

    # -- reading -----------------------------------------------------------------------------

    @connect.user_errors
    def get(self, profile_id: str, *, record_view: bool = True) -> Profile:
        row = self._profile_row(_checked_uuid(profile_id))
        if row is None or row["deleted"]:
            raise NotFound(what=N_("profile"), ident=profile_id)
        profile = Profile(ProfileSummary.from_row(row), self._revision(row["head"]))
        if record_view:
            self._audit.record(self._actor, "profile_view", "profile", profile.id)
        return profile

    @connect.user_errors
    def export(self, profile_id: str) -> dict[str, Any]:
        """Everything held about one person (GDPR Art. 15): current answers, the revision
        history and who accessed the profile when. Recorded in the audit log."""
        profile = self.get(profile_id, record_view=False)
        self._audit.record(self._actor, "profile_export", "profile", profile.id)
        return {
            **profile.summary.to_json(),
            "head_revision": profile.head.id,
            "answers": profile.answers,
            "revisions": [rev.to_json(with_answers=False) for rev in self.revisions(profile.id)],
            "access_log": [
                {key: entry[key] for key in ("at", "actor", "device", "action")}
                for entry in self._audit.entries(object_id=profile.id)
            ],
        }

    @connect.user_errors
    def revisions(self, profile_id: str) -> list[Revision]:
        rows = self._db.query(
            "SELECT * FROM revisions WHERE profile_id = ? ORDER BY created_at, rowid",
            [profile_id],
        )
        return [Revision.from_row(row) for row in rows]

    @connect.user_errors
    def list(
        self,
        *,
        search: str | None = None,
        status: str | None = None,
        created_by: str | None = None,
        limit: int = 100,
        offset: int = 0,
        after: ProfileSummary | None = None,
        updated_since: str | None = None,
        oldest_first: bool = False,
    ) -> list[ProfileSummary]:
        """Current profiles, newest change first; ``search`` matches names and customer numbers
        (word prefixes, original script or Latin, diacritics ignored), best match first.

        Without a search, pass the last row of a page as ``after`` to get the next one: that
        costs the same on page 1,000 as on page 1 (``offset`` has to skip every row before).
        """
        sql, params = self._list_sql("p.*", search, status, created_by, updated_since)
        if search and fts_query(search):
            sql += " ORDER BY profiles_fts.rank"
        else:
            direction, compare = ("ASC", ">") if oldest_first else ("DESC", "<")
            if after is not None:
                sql += f" AND (p.updated_at, p.id) {compare} (?, ?)"
                params += [after.updated_at, after.id]
            sql += f" ORDER BY p.updated_at {direction}, p.id {direction}"
        sql += " LIMIT ? OFFSET ?"
        params += [limit, offset]
        return [ProfileSummary.from_row(row) for row in self._db.query(sql, params)]

    @connect.user_errors
    def count(
        self,
        *,
        search: str | None = None,
        status: str | None = None,
        created_by: str | None = None,
        updated_since: str | None = None,
    ) -> int:
        query = fts_query(search) if search else None
        if query and not status and not created_by and not updated_since:
            # Deleted profiles have no names in the index, so the index alone can count.
            sql, params = "SELECT count(*) FROM profiles_fts WHERE profiles_fts MATCH ?", [query]
        else:
            sql, params = self._list_sql("count(*)", search, status, created_by, updated_since)
        return self._db.execute(sql, params).fetchone()[0]

    def _list_sql(
        self,
        columns: str,
        search: str | None,
        status: str | None,
        created_by: str | None,
        updated_since: str | None = None,
    ) -> tuple[str, list[Any]]:
        query = fts_query(search) if search else None
        params: list[Any] = []
        if query:
            sql = (
                f"SELECT {columns} FROM profiles_fts"  # noqa: S608 - columns is ours, not input
                " JOIN profiles p ON p.rowid = profiles_fts.rowid"
                " WHERE profiles_fts MATCH ? AND p.deleted = 0"
            )
            params.append(query)
        else:
            sql = f"SELECT {columns} FROM profiles p WHERE p.deleted = 0"  # noqa: S608
        if status:
            sql += " AND p.status = ?"
            params.append(status)
        if created_by:
            sql += " AND p.created_by = ?"
            params.append(created_by)
        if updated_since:
            sql += " AND p.updated_at >= ?"
            params.append(updated_since)
        return sql, params

    # -- internals ---------------------------------------------------------------------------

    def _profile_row(self, profile_id: str | None) -> dict[str, Any] | None:
        if profile_id is None:
            return None
        rows = list(self._db.query("SELECT * FROM profiles WHERE id = ?", [profile_id]))
        return rows[0] if rows else None

    def _revision(self, revision_id: str) -> Revision:
        rows = list(self._db.query("SELECT * FROM revisions WHERE id = ?", [revision_id]))
        if not rows:
            raise NotFound(what=N_("revision"), ident=revision_id)
        return Revision.from_row(rows[0])

    def _new_revision(
        self,
        profile_id: str,
        parents: Iterable[str],
        *,
        answers: dict[str, Any] | None,
        form_id: str | None,
        form_version: str | None,
        status: str | None,
        deleted: bool,
    ) -> Revision:
        draft = Revision(
            id=str(uuid.uuid4()),
            profile_id=profile_id,
            parents=tuple(parents),
            content_hash="",
            author=self._actor,
            device_id=self._device_id,
            created_at=self._clock(),
            form_id=form_id,
            form_version=form_version,
            status=status,
            deleted=deleted,
            answers=answers,
        )
        return Revision(**{**draft.__dict__, "content_hash": content_hash(draft.body())})

    def _write_revision(self, revision: Revision, *, created: bool) -> None:
        self._db["revisions"].insert(
            {
                "id": revision.id,
                "profile_id": revision.profile_id,
                "parents": json.dumps(list(revision.parents)),
                "content_hash": revision.content_hash,
                "author": revision.author,
                "device_id": revision.device_id,
                "created_at": revision.created_at,
                "form_id": revision.form_id,
                "form_version": revision.form_version,
                "status": revision.status,
                "deleted": int(revision.deleted),
                "answers": _check_answers(revision.answers)
                if revision.answers is not None
                else None,
                "origin": revision.origin,
            }
        )
        self._db["outbox"].insert({"revision_id": revision.id, "queued_at": revision.created_at})
        state = {
            "head": revision.id,
            "status": revision.status,
            "form_id": revision.form_id,
            "form_version": revision.form_version,
            "updated_at": revision.created_at,
            "updated_by": revision.author,
            "deleted": int(revision.deleted),
            **index_fields(revision.answers or {}),
        }
        if created:
            state |= {
                "id": revision.profile_id,
                "created_at": revision.created_at,
                "created_by": revision.author,
            }
            self._db["profiles"].insert(state)
        else:
            self._db["profiles"].update(revision.profile_id, state)

    def _outbox_row(self, revision_id: str) -> dict[str, Any] | None:
        rows = list(self._db.query("SELECT * FROM outbox WHERE revision_id = ?", [revision_id]))
        return rows[0] if rows else None

    def _may_amend(self, revision: Revision) -> bool:
        if revision.origin != "local" or revision.deleted:
            return False
        if revision.author != self._actor or revision.device_id != self._device_id:
            return False
        queued = self._outbox_row(revision.id)
        return queued is not None and not queued["in_flight"]

    def _drop_unsent(self, revision_id: str) -> None:
        self._db.execute("DELETE FROM outbox WHERE revision_id = ?", [revision_id])
        self._db.execute("DELETE FROM revisions WHERE id = ?", [revision_id])

    def _unsent_revisions(self, profile_id: str) -> list[str]:
        rows = self._db.execute(
            "SELECT r.id FROM revisions r JOIN outbox o ON o.revision_id = r.id "
            "WHERE r.profile_id = ? AND o.in_flight = 0",
            [profile_id],
        ).fetchall()
        return [row[0] for row in rows]

    def _nearest_sent_ancestors(self, head: str) -> tuple[str, ...]:
        """Walk back from ``head`` past revisions nobody else has seen yet."""
        found: list[str] = []
        pending, seen = [head], set()
        while pending:
            revision_id = pending.pop()
            if revision_id in seen:
                continue
            seen.add(revision_id)
            queued = self._outbox_row(revision_id)
            if queued is None or queued["in_flight"]:
                found.append(revision_id)
                continue
            row = self._db.execute(
                "SELECT parents FROM revisions WHERE id = ?", [revision_id]
            ).fetchone()
            if row is not None:
                pending.extend(json.loads(row[0]))
        return tuple(sorted(found))


def _checked_uuid(value: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError as exc:
        raise InvalidInput("{value} is not a valid profile id.", value=repr(value)) from exc
