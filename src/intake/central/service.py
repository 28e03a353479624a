"""What the central server does, independent of HTTP: enrolment, tokens, push, pull, admin.

Every method takes or returns plain values and runs in its own database transaction. Errors a
client can cause are :class:`ApiError` with an HTTP status, a stable code and one sentence. Logs
and the audit table name ids, counts and codes, never answers or names of people.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import logging
import re
import secrets
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, Engine, and_, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from intake.central import db as t
from intake.store.roles import ROLES, allowed
from intake.sync.protocol import (
    MAX_ANSWERS_BYTES,
    MERGE_DEVICE,
    EnrollRequest,
    PushResult,
    RevisionDoc,
    TeamPolicy,
    TokenRequest,
    content_hash,
    token_message,
)

log = logging.getLogger(__name__)

CENTRAL_DEVICE = "central"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed
CODE_GROUPS, CODE_GROUP_LEN = 4, 4
TEAM_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
USER_NAME = re.compile(r"^[\w.@-]{1,64}$")
_IN_CHUNK = 500


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class ApiError(Exception):
    """A refusal the client caused: HTTP status, stable code, one sentence."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


class AdminError(ValueError):
    """A mistake in an admin command (unknown team, bad name); the message is one sentence."""


@dataclass(frozen=True)
class Config:
    token_ttl_seconds: int = 15 * 60
    challenge_ttl_seconds: int = 120
    enrol_code_ttl_minutes: int = 15
    max_body_bytes: int = 64 * 1024 * 1024


@dataclass(frozen=True)
class Principal:
    """Who is calling: a device of a team, used by one user with a role the server accepts."""

    device_id: str
    team_id: int
    team: str
    user: str
    role: str


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper()


def _chunks(items: Sequence[Any], size: int = _IN_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class CentralService:
    def __init__(
        self,
        engine: Engine,
        config: Config | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.engine = engine
        self.config = config or Config()
        self._clock = clock

    def _now(self) -> str:
        return stamp(self._clock())

    def _later(self, seconds: float) -> str:
        return stamp(self._clock() + dt.timedelta(seconds=seconds))

    def _audit(
        self,
        conn: Connection,
        action: str,
        *,
        team_id: int | None = None,
        device_id: str | None = None,
        actor: str | None = None,
        object_id: str | None = None,
        **detail: Any,
    ) -> None:
        conn.execute(
            insert(t.audit_log).values(
                at=self._now(),
                team_id=team_id,
                device_id=device_id,
                actor=actor,
                action=action,
                object_id=object_id,
                detail=json.dumps(detail, sort_keys=True) if detail else None,
            )
        )

    def _upsert(self, conn: Connection, table, rows: list[dict], keys: list[str], update_cols):
        if not rows:
            return
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=keys, set_={c: statement.excluded[c] for c in update_cols}
        )
        conn.execute(statement, rows)

    # -- administration ----------------------------------------------------------------------

    def _team(self, conn: Connection, name: str) -> Any:
        row = conn.execute(select(t.teams).where(t.teams.c.name == name)).first()
        if row is None:
            raise AdminError(f"There is no team called {name}; create it with 'team add {name}'.")
        return row

    def add_team(self, name: str, *, exist_ok: bool = False) -> bool:
        """Create a team; returns False when it existed already (and ``exist_ok``)."""
        if not TEAM_NAME.match(name or ""):
            raise AdminError(
                "A team name has 1 to 64 letters, digits or the characters . _ - "
                "and starts with a letter or digit."
            )
        with self.engine.begin() as conn:
            if conn.execute(select(t.teams.c.id).where(t.teams.c.name == name)).first():
                if exist_ok:
                    return False
                raise AdminError(f"A team called {name} exists already.")
            result = conn.execute(insert(t.teams).values(name=name, created_at=self._now()))
            self._audit(conn, "team_add", team_id=result.inserted_primary_key[0], object_id=name)
        return True

    def set_team_policy(
        self,
        name: str,
        *,
        retention_days: int | bool | None = False,
        purge_after_sync: bool | None = None,
        members_only: bool | None = None,
    ) -> None:
        values: dict[str, Any] = {}
        if retention_days is not False:
            if retention_days is not None and (
                not isinstance(retention_days, int) or retention_days < 1
            ):
                raise AdminError("The retention period must be a whole number of days (1 or more).")
            values["retention_days"] = retention_days
        if purge_after_sync is not None:
            values["purge_after_sync"] = purge_after_sync
        if members_only is not None:
            values["members_only"] = members_only
        with self.engine.begin() as conn:
            team = self._team(conn, name)
            if values:
                conn.execute(update(t.teams).where(t.teams.c.id == team.id).values(**values))
                self._audit(conn, "team_policy", team_id=team.id, object_id=name, **values)

    def teams(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.teams).order_by(t.teams.c.name)).mappings().all()
            counts = dict(
                conn.execute(
                    select(t.devices.c.team_id, func.count())
                    .where(t.devices.c.revoked_at.is_(None))
                    .group_by(t.devices.c.team_id)
                ).all()
            )
        return [
            {
                "id": row["name"],
                "retention_days": row["retention_days"],
                "purge_after_sync": bool(row["purge_after_sync"]),
                "members_only": bool(row["members_only"]),
                "devices": counts.get(row["id"], 0),
                "created_at": row["created_at"],
            }
            for row in rows
        ]

    def add_member(self, team: str, name: str, role: str) -> None:
        if not USER_NAME.match(name or ""):
            raise AdminError("A user name has 1 to 64 letters, digits or the characters . _ @ -.")
        if role not in ROLES:
            raise AdminError("The role must be one of: " + ", ".join(ROLES) + ".")
        with self.engine.begin() as conn:
            row = self._team(conn, team)
            self._upsert(
                conn,
                t.members,
                [{"team_id": row.id, "name": name, "role": role, "created_at": self._now()}],
                ["team_id", "name"],
                ["role"],
            )
            self._audit(conn, "member_set", team_id=row.id, object_id=name, role=role)

    def remove_member(self, team: str, name: str) -> None:
        with self.engine.begin() as conn:
            row = self._team(conn, team)
            result = conn.execute(
                delete(t.members).where(
                    and_(t.members.c.team_id == row.id, t.members.c.name == name)
                )
            )
            if not result.rowcount:
                raise AdminError(f"{name} is not a member of team {team}.")
            self._audit(conn, "member_remove", team_id=row.id, object_id=name)

    def members(self, team: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            row = self._team(conn, team)
            rows = conn.execute(
                select(t.members.c.name, t.members.c.role, t.members.c.created_at)
                .where(t.members.c.team_id == row.id)
                .order_by(t.members.c.name)
            ).mappings()
            return [{"id": r["name"], **r} for r in rows]

    def new_enrol_code(self, team: str, *, ttl_minutes: int | None = None) -> tuple[str, str]:
        """A one-time enrolment code for ``team`` (created if new); returns (code, expires_at)."""
        self.add_team(team, exist_ok=True)
        ttl = ttl_minutes or self.config.enrol_code_ttl_minutes
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LEN))
        code = "-".join(raw[i : i + CODE_GROUP_LEN] for i in range(0, len(raw), CODE_GROUP_LEN))
        expires = self._later(ttl * 60)
        with self.engine.begin() as conn:
            row = self._team(conn, team)
            conn.execute(
                insert(t.enrol_codes).values(
                    code_hash=_sha256(normalise_code(code)),
                    team_id=row.id,
                    created_at=self._now(),
                    expires_at=expires,
                )
            )
            self._audit(conn, "enrol_code", team_id=row.id, expires_at=expires)
        return code, expires

    def devices(self, team: str | None = None) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            query = select(
                t.devices.c.id,
                t.devices.c.name,
                t.teams.c.name.label("team"),
                t.devices.c.enrolled_at,
                t.devices.c.revoked_at,
                t.devices.c.last_seen_at,
            ).join(t.teams, t.teams.c.id == t.devices.c.team_id)
            if team:
                query = query.where(t.teams.c.name == team)
            rows = conn.execute(query.order_by(t.devices.c.enrolled_at)).mappings().all()
        return [dict(row) for row in rows]

    def revoke_device(self, device_id: str) -> None:
        """Revoke a device: its tokens stop working on the very next request."""
        with self.engine.begin() as conn:
            row = conn.execute(select(t.devices).where(t.devices.c.id == device_id)).first()
            if row is None:
                raise AdminError(f"There is no device with id {device_id}.")
            if row.revoked_at is None:
                conn.execute(
                    update(t.devices)
                    .where(t.devices.c.id == device_id)
                    .values(revoked_at=self._now())
                )
            # Tokens stay so the next request is told "revoked" rather than "unknown token".
            conn.execute(delete(t.challenges).where(t.challenges.c.device_id == device_id))
            self._audit(conn, "device_revoke", team_id=row.team_id, object_id=device_id)

    def device_holdings(self, device_id: str) -> list[dict[str, Any]]:
        """Which profiles a device has held (ids and when), e.g. after a laptop was lost."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    t.device_profiles.c.profile_id,
                    t.device_profiles.c.first_at,
                    t.device_profiles.c.last_at,
                )
                .where(t.device_profiles.c.device_id == device_id)
                .order_by(t.device_profiles.c.first_at, t.device_profiles.c.profile_id)
            ).mappings()
            return [{"id": r["profile_id"], **r} for r in rows]

    def deletion_log(self, team: str | None = None) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            query = select(t.deletion_log)
            if team:
                query = query.where(t.deletion_log.c.team_id == self._team(conn, team).id)
            rows = conn.execute(query.order_by(t.deletion_log.c.seq)).mappings()
            return [{"id": r["seq"], **r} for r in rows]

    # -- enrolment and tokens ----------------------------------------------------------------

    def enroll(self, request: EnrollRequest) -> tuple[str, str]:
        """Register a device with a one-time code; returns (device_id, team name)."""
        try:
            key = base64.b64decode(request.public_key, validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != 32:
            raise ApiError(400, "bad_public_key", "The device key is not a base64 Ed25519 key.")
        code_hash = _sha256(normalise_code(request.code))
        now = self._now()
        with self.engine.begin() as conn:
            code = conn.execute(
                select(t.enrol_codes).where(t.enrol_codes.c.code_hash == code_hash)
            ).first()
            if code is None or code.used_at is not None or code.expires_at < now:
                self._audit(conn, "enrol_refused", device_id=request.device_id)
                raise ApiError(
                    401,
                    "invalid_code",
                    "The enrolment code is unknown, used or expired; ask the administrator "
                    "for a new one.",
                )
            if conn.execute(
                select(t.devices.c.id).where(t.devices.c.id == request.device_id)
            ).first():
                raise ApiError(
                    409,
                    "device_exists",
                    "This device is enrolled already; the code was not used.",
                )
            conn.execute(
                insert(t.devices).values(
                    id=request.device_id,
                    team_id=code.team_id,
                    name=request.device_name or "",
                    public_key=base64.b64encode(key).decode("ascii"),
                    enrolled_at=now,
                )
            )
            conn.execute(
                update(t.enrol_codes)
                .where(t.enrol_codes.c.code_hash == code_hash)
                .values(used_at=now, used_by=request.device_id)
            )
            team = conn.execute(select(t.teams.c.name).where(t.teams.c.id == code.team_id)).one()
            self._audit(conn, "enrol", team_id=code.team_id, device_id=request.device_id)
        log.info("device %s enrolled", request.device_id)
        return request.device_id, team.name

    def _device(self, conn: Connection, device_id: str) -> Any:
        row = conn.execute(select(t.devices).where(t.devices.c.id == device_id)).first()
        if row is None:
            raise ApiError(401, "unknown_device", "This device is not enrolled on this server.")
        if row.revoked_at is not None:
            raise ApiError(
                401,
                "device_revoked",
                "This device was revoked by the administrator; it can no longer sync.",
            )
        return row

    def challenge(self, device_id: str) -> tuple[str, int]:
        nonce = secrets.token_urlsafe(32)
        ttl = self.config.challenge_ttl_seconds
        with self.engine.begin() as conn:
            self._device(conn, device_id)
            conn.execute(delete(t.challenges).where(t.challenges.c.expires_at < self._now()))
            conn.execute(
                insert(t.challenges).values(
                    nonce=nonce, device_id=device_id, expires_at=self._later(ttl)
                )
            )
        return nonce, ttl

    def issue_token(self, request: TokenRequest) -> tuple[str, int, Principal, TeamPolicy]:
        ttl = self.config.token_ttl_seconds
        with self.engine.begin() as conn:
            device = self._device(conn, request.device_id)
            challenge = conn.execute(
                select(t.challenges).where(
                    and_(
                        t.challenges.c.nonce == request.nonce,
                        t.challenges.c.device_id == request.device_id,
                    )
                )
            ).first()
            conn.execute(delete(t.challenges).where(t.challenges.c.nonce == request.nonce))
            if challenge is None or challenge.expires_at < self._now():
                raise ApiError(
                    401, "invalid_challenge", "The sign-in challenge is unknown or expired."
                )
            try:
                public = Ed25519PublicKey.from_public_bytes(base64.b64decode(device.public_key))
                public.verify(
                    base64.b64decode(request.signature, validate=True),
                    token_message(request.device_id, request.nonce, request.user, request.role),
                )
            except (InvalidSignature, binascii.Error, ValueError):
                self._audit(conn, "token_refused", team_id=device.team_id, device_id=device.id)
                raise ApiError(
                    401, "bad_signature", "The device signature does not match its key."
                ) from None
            team = conn.execute(select(t.teams).where(t.teams.c.id == device.team_id)).one()
            role = self._role(conn, team, request.user, request.role)
            token = secrets.token_urlsafe(32)
            conn.execute(delete(t.tokens).where(t.tokens.c.expires_at < self._now()))
            conn.execute(
                insert(t.tokens).values(
                    token_hash=_sha256(token),
                    device_id=device.id,
                    user_name=request.user,
                    role=request.role,
                    expires_at=self._later(ttl),
                )
            )
            self._audit(conn, "token", team_id=team.id, device_id=device.id, actor=request.user)
        principal = Principal(device.id, team.id, team.name, request.user, role)
        policy = TeamPolicy(
            purge_after_sync=bool(team.purge_after_sync), retention_days=team.retention_days
        )
        return token, ttl, principal, policy

    def _role(self, conn: Connection, team: Any, user: str, claimed: str | None) -> str:
        member = conn.execute(
            select(t.members.c.role).where(
                and_(t.members.c.team_id == team.id, t.members.c.name == user)
            )
        ).first()
        if member is not None:
            return member.role
        if team.members_only or claimed is None:
            raise ApiError(
                403,
                "not_a_member",
                f"The server does not list this user as a member of team {team.name}; "
                "ask the administrator to add them.",
            )
        return claimed

    def authenticate(self, token: str | None) -> Principal:
        """The caller behind an access token; checked on every request (revocation, expiry,
        membership and role are read fresh each time)."""
        if not token:
            raise ApiError(401, "not_authenticated", "Sign in first: no access token was sent.")
        with self.engine.begin() as conn:
            row = conn.execute(
                select(t.tokens).where(t.tokens.c.token_hash == _sha256(token))
            ).first()
            if row is None:
                raise ApiError(
                    401, "invalid_token", "The access token is not valid; sign in again."
                )
            device = self._device(conn, row.device_id)
            if row.expires_at < self._now():
                raise ApiError(401, "token_expired", "The access token has expired; sign in again.")
            team = conn.execute(select(t.teams).where(t.teams.c.id == device.team_id)).one()
            role = self._role(conn, team, row.user_name, row.role)
            conn.execute(
                update(t.devices)
                .where(t.devices.c.id == device.id)
                .values(last_seen_at=self._now())
            )
        return Principal(device.id, team.id, team.name, row.user_name, role)

    # -- push --------------------------------------------------------------------------------

    def push(self, who: Principal, docs: Sequence[RevisionDoc]) -> list[PushResult]:
        """Store revisions; idempotent by id and content hash (see docs/sync.md)."""
        if not allowed(who.role, "profiles.write"):
            raise ApiError(403, "forbidden", f"The role {who.role} may not send profile changes.")
        now = self._now()
        results: list[PushResult] = []
        with self.engine.begin() as conn:
            team = conn.execute(
                select(t.teams).where(t.teams.c.id == who.team_id).with_for_update()
            ).one()
            ids = list({d.id for d in docs})
            existing: dict[str, Any] = {}
            for chunk in _chunks(ids):
                for row in conn.execute(
                    select(
                        t.revisions.c.id,
                        t.revisions.c.team_id,
                        t.revisions.c.profile_id,
                        t.revisions.c.content_hash,
                    ).where(t.revisions.c.id.in_(chunk))
                ):
                    existing[row.id] = row
            parent_ids = list({p for d in docs for p in d.parents} - set(ids))
            known_parents: dict[str, tuple[int, str]] = {}
            for chunk in _chunks(parent_ids):
                for row in conn.execute(
                    select(t.revisions.c.id, t.revisions.c.team_id, t.revisions.c.profile_id).where(
                        t.revisions.c.id.in_(chunk)
                    )
                ):
                    known_parents[row.id] = (row.team_id, row.profile_id)
            for row in existing.values():
                known_parents[row.id] = (row.team_id, row.profile_id)
            profile_ids = list({d.profile_id for d in docs})
            profiles: dict[str, Any] = {}
            for chunk in _chunks(profile_ids):
                for row in conn.execute(select(t.profiles).where(t.profiles.c.id.in_(chunk))):
                    profiles[row.id] = row
            members = {
                row.name: row.role
                for row in conn.execute(
                    select(t.members.c.name, t.members.c.role).where(
                        t.members.c.team_id == who.team_id
                    )
                )
            }
            tombstoned_in_batch = {d.profile_id for d in docs if d.deleted}

            seq = team.last_seq
            accepted: dict[str, RevisionDoc] = {}
            new_rows: list[dict[str, Any]] = []
            for doc in docs:
                redacted = doc.redacted or (doc.answers is None and not doc.deleted)
                if not redacted and not doc.hash_matches():
                    results.append(
                        PushResult(
                            id=doc.id,
                            status="refused",
                            code="hash_mismatch",
                            detail="The content does not match its content hash.",
                        )
                    )
                    continue
                earlier = existing.get(doc.id) or accepted.get(doc.id)
                if earlier is not None:
                    same_team = getattr(earlier, "team_id", who.team_id) == who.team_id
                    if same_team and earlier.content_hash == doc.content_hash:
                        results.append(PushResult(id=doc.id, status="accepted"))
                    else:
                        results.append(
                            PushResult(
                                id=doc.id,
                                status="refused",
                                code="different_content",
                                detail="A revision with this id but different content exists.",
                            )
                        )
                    continue
                problem = self._check_revision(
                    doc, who, team, members, profiles, known_parents, accepted, tombstoned_in_batch
                )
                if problem is not None:
                    code, detail = problem
                    results.append(
                        PushResult(id=doc.id, status="refused", code=code, detail=detail)
                    )
                    continue
                seq += 1
                accepted[doc.id] = doc
                known_parents[doc.id] = (who.team_id, doc.profile_id)
                profile = profiles.get(doc.profile_id)
                erased = doc.answers is None or (profile is not None and profile.deleted)
                new_rows.append(
                    {
                        "id": doc.id,
                        "team_id": who.team_id,
                        "seq": seq,
                        "profile_id": doc.profile_id,
                        "parents": json.dumps(doc.parents),
                        "content_hash": doc.content_hash,
                        "author": doc.author,
                        "device_id": doc.device_id,
                        "created_at": doc.created_at,
                        "form_id": doc.form_id,
                        "form_version": doc.form_version,
                        "status": doc.status,
                        "deleted": doc.deleted,
                        "answers": None
                        if erased
                        else json.dumps(doc.answers, ensure_ascii=False, sort_keys=True),
                        "received_at": now,
                        "received_from": who.device_id,
                    }
                )
                results.append(PushResult(id=doc.id, status="accepted"))
            if new_rows:
                self._store(conn, who, new_rows, profiles, now)
                conn.execute(
                    update(t.teams).where(t.teams.c.id == who.team_id).values(last_seq=seq)
                )
            refused = sum(r.status == "refused" for r in results)
            self._audit(
                conn,
                "push",
                team_id=who.team_id,
                device_id=who.device_id,
                actor=who.user,
                received=len(docs),
                stored=len(new_rows),
                refused=refused,
            )
        return results

    def _check_revision(
        self,
        doc: RevisionDoc,
        who: Principal,
        team: Any,
        members: dict[str, str],
        profiles: dict[str, Any],
        known_parents: dict[str, tuple[int, str]],
        accepted: dict[str, RevisionDoc],
        tombstoned_in_batch: set[str],
    ) -> tuple[str, str] | None:
        profile = profiles.get(doc.profile_id)
        if profile is not None and profile.team_id != who.team_id:
            return "foreign_profile", "This profile belongs to another team."
        is_merge = doc.device_id == MERGE_DEVICE
        if is_merge:
            if doc.author is not None or doc.deleted or len(doc.parents) < 2:
                return "bad_merge", "An automatic merge has no author and at least two parents."
        elif doc.device_id != who.device_id:
            return "foreign_device", "A device may only send revisions it made itself."
        else:
            role = members.get(doc.author or "")
            if role is None and doc.author == who.user:
                role = who.role
            if role is None and team.members_only:
                return "author_not_member", "The author is not a member of this team."
            needed = "profiles.delete" if doc.deleted else "profiles.write"
            if role is not None and not allowed(role, needed):
                return "forbidden", f"The author's role ({role}) does not allow this change."
        if doc.deleted and doc.answers is not None:
            return "bad_tombstone", "A deletion must not carry answers."
        redacted = doc.redacted or (doc.answers is None and not doc.deleted)
        if redacted:
            profile_deleted = profile is not None and profile.deleted
            if not (profile_deleted or doc.profile_id in tombstoned_in_batch):
                return "redacted", "A revision without answers must come with its deletion."
        if doc.answers_size() > MAX_ANSWERS_BYTES:
            return "too_large", "The answers are larger than the 5 MB a profile may hold."
        for parent in doc.parents:
            found = known_parents.get(parent)
            if found is None or found != (who.team_id, doc.profile_id):
                return "unknown_parent", "A parent revision is unknown; send it first."
        return None

    def _store(
        self,
        conn: Connection,
        who: Principal,
        rows: list[dict[str, Any]],
        profiles: dict[str, Any],
        now: str,
    ) -> None:
        new_profiles = []
        for profile_id in dict.fromkeys(row["profile_id"] for row in rows):
            if profile_id not in profiles:
                new_profiles.append(
                    {
                        "id": profile_id,
                        "team_id": who.team_id,
                        "deleted": False,
                        "last_change_at": now,
                    }
                )
        if new_profiles:
            conn.execute(insert(t.profiles), new_profiles)
        touched = [r["profile_id"] for r in rows]
        old = [p for p in dict.fromkeys(touched) if p in profiles]
        for chunk in _chunks(old):
            conn.execute(
                update(t.profiles).where(t.profiles.c.id.in_(chunk)).values(last_change_at=now)
            )
        conn.execute(insert(t.revisions), rows)
        for row in rows:
            if row["deleted"]:
                self._erase(conn, who.team_id, row["profile_id"], "deletion", row["author"], now)
        self._hold(conn, who.device_id, list(dict.fromkeys(touched)), now)

    def _erase(
        self, conn: Connection, team_id: int, profile_id: str, reason: str, actor, now: str
    ) -> None:
        """Art. 17: the profile is deleted and the answers of all its revisions are erased."""
        already = conn.execute(
            select(t.profiles.c.deleted).where(t.profiles.c.id == profile_id)
        ).scalar()
        conn.execute(
            update(t.revisions).where(t.revisions.c.profile_id == profile_id).values(answers=None)
        )
        if not already:
            conn.execute(
                update(t.profiles)
                .where(t.profiles.c.id == profile_id)
                .values(deleted=True, deleted_at=now)
            )
            conn.execute(
                insert(t.deletion_log).values(
                    team_id=team_id, profile_id=profile_id, at=now, reason=reason, actor=actor
                )
            )

    def _hold(self, conn: Connection, device_id: str, profile_ids: list[str], now: str) -> None:
        rows = [
            {"device_id": device_id, "profile_id": p, "first_at": now, "last_at": now}
            for p in profile_ids
        ]
        for chunk in _chunks(rows):
            self._upsert(
                conn, t.device_profiles, list(chunk), ["device_id", "profile_id"], ["last_at"]
            )

    # -- pull --------------------------------------------------------------------------------

    def changes(
        self, who: Principal, cursor: str, limit: int
    ) -> tuple[list[RevisionDoc], str, bool]:
        """Revisions of the caller's team after ``cursor`` (not those this device sent)."""
        if not allowed(who.role, "profiles.read"):
            raise ApiError(403, "forbidden", f"The role {who.role} may not read profiles.")
        try:
            after = int(cursor)
            if after < 0:
                raise ValueError
        except ValueError:
            raise ApiError(
                400, "bad_cursor", "The cursor is not one this server gave out."
            ) from None
        with self.engine.begin() as conn:
            last = conn.execute(
                select(t.teams.c.last_seq).where(t.teams.c.id == who.team_id)
            ).scalar_one()
            if after > last:
                raise ApiError(
                    409,
                    "cursor_ahead",
                    "The cursor is ahead of this server (was its database replaced?); "
                    "re-enrol the device to start over.",
                )
            rows = (
                conn.execute(
                    select(t.revisions)
                    .where(
                        and_(
                            t.revisions.c.team_id == who.team_id,
                            t.revisions.c.seq > after,
                            t.revisions.c.seq <= last,
                            t.revisions.c.received_from != who.device_id,
                        )
                    )
                    .order_by(t.revisions.c.seq)
                    .limit(limit + 1)
                )
                .mappings()
                .all()
            )
            more = len(rows) > limit
            rows = rows[:limit]
            next_cursor = rows[-1]["seq"] if more else last
            docs = [
                RevisionDoc(
                    id=row["id"],
                    profile_id=row["profile_id"],
                    parents=json.loads(row["parents"]),
                    content_hash=row["content_hash"],
                    author=row["author"],
                    device_id=row["device_id"],
                    created_at=row["created_at"],
                    form_id=row["form_id"],
                    form_version=row["form_version"],
                    status=row["status"],
                    deleted=bool(row["deleted"]),
                    answers=json.loads(row["answers"]) if row["answers"] is not None else None,
                    redacted=row["answers"] is None and not row["deleted"],
                )
                for row in rows
            ]
            if docs:
                self._hold(
                    conn,
                    who.device_id,
                    list(dict.fromkeys(d.profile_id for d in docs)),
                    self._now(),
                )
        return docs, str(next_cursor), more

    # -- retention ---------------------------------------------------------------------------

    def run_retention(self) -> int:
        """Delete profiles unchanged for longer than their team's retention period: a server
        tombstone that devices apply, answers erased, an entry in the deletion log."""
        deleted = 0
        now_dt = self._clock()
        now = stamp(now_dt)
        with self.engine.begin() as conn:
            teams = conn.execute(
                select(t.teams).where(t.teams.c.retention_days.is_not(None)).with_for_update()
            ).all()
            for team in teams:
                cutoff = stamp(now_dt - dt.timedelta(days=team.retention_days))
                due = (
                    conn.execute(
                        select(t.profiles.c.id).where(
                            and_(
                                t.profiles.c.team_id == team.id,
                                t.profiles.c.deleted.is_(False),
                                t.profiles.c.last_change_at < cutoff,
                            )
                        )
                    )
                    .scalars()
                    .all()
                )
                seq = team.last_seq
                for profile_id in due:
                    revs = conn.execute(
                        select(
                            t.revisions.c.id,
                            t.revisions.c.parents,
                            t.revisions.c.form_id,
                            t.revisions.c.form_version,
                        ).where(t.revisions.c.profile_id == profile_id)
                    ).all()
                    referenced = {p for r in revs for p in json.loads(r.parents)}
                    heads = sorted(r.id for r in revs if r.id not in referenced)
                    body = {
                        "profile_id": profile_id,
                        "parents": heads,
                        "author": None,
                        "device_id": CENTRAL_DEVICE,
                        "created_at": now,
                        "form_id": revs[0].form_id if revs else None,
                        "form_version": revs[0].form_version if revs else None,
                        "status": None,
                        "deleted": True,
                        "answers": None,
                    }
                    seq += 1
                    conn.execute(
                        insert(t.revisions).values(
                            id=str(uuid.uuid4()),
                            team_id=team.id,
                            seq=seq,
                            parents=json.dumps(heads),
                            content_hash=content_hash(body),
                            received_at=now,
                            received_from=CENTRAL_DEVICE,
                            **{k: v for k, v in body.items() if k != "parents"},
                        )
                    )
                    self._erase(conn, team.id, profile_id, "retention", None, now)
                    deleted += 1
                if due:
                    conn.execute(
                        update(t.teams).where(t.teams.c.id == team.id).values(last_seq=seq)
                    )
                    self._audit(conn, "retention", team_id=team.id, deleted=len(due))
        if deleted:
            log.info("retention deleted %d profiles", deleted)
        return deleted
