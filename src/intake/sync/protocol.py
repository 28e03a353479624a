"""The sync protocol's messages: pydantic models shared by the client and the central server.

Everything that crosses the wire is declared here once, so the OpenAPI spec the server publishes
(``docs/openapi.json``) and what the client sends and reads cannot drift apart. The semantics are
written down in ``docs/sync.md``.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from intake.store.profiles import content_hash as _store_content_hash
from intake.store.profiles import hashed_body

API_PREFIX = "/v1"
PROTOCOL_VERSION = 1

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
HASH_PATTERN = r"^sha256:[0-9a-f]{64}$"
TEAM_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
USER_PATTERN = r"^[\w.@-]{1,64}$"

MAX_ANSWERS_BYTES = 5 * 1024 * 1024  # the same limit the local store enforces
MAX_PUSH_REVISIONS = 1000
MAX_PULL_LIMIT = 2000
DEFAULT_PULL_LIMIT = 500
MAX_PARENTS = 16

# Automatic merges are a pure function of their parents: every device that merges the same two
# heads produces the byte-identical revision (same id, same hash), so the server stores it once.
MERGE_DEVICE = "automatic-merge"


# The revision hash and what it covers are the local store's: one definition for both sides.
content_hash = _store_content_hash


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer: one sentence for a person, a stable code for a program."""

    detail: str = Field(description="One sentence saying what was wrong and what to do.")
    code: str = Field(description="Stable machine-readable error code, e.g. token_expired.")


class Health(BaseModel):
    status: Literal["ok"]
    protocol: int
    version: str


# -- enrolment and tokens ---------------------------------------------------------------------


class EnrollRequest(_Strict):
    code: str = Field(min_length=4, max_length=64, description="One-time enrolment code.")
    device_id: str = Field(pattern=UUID_PATTERN)
    device_name: str = Field(default="", max_length=100)
    public_key: str = Field(
        min_length=40, max_length=60, description="Ed25519 public key, raw 32 bytes, base64."
    )


class EnrollResponse(BaseModel):
    device_id: str
    team: str


class ChallengeRequest(_Strict):
    device_id: str = Field(pattern=UUID_PATTERN)


class ChallengeResponse(BaseModel):
    nonce: str
    expires_in: int


class TokenRequest(_Strict):
    device_id: str = Field(pattern=UUID_PATTERN)
    nonce: str = Field(min_length=16, max_length=128)
    user: str = Field(pattern=USER_PATTERN, description="The local user who is syncing.")
    role: Literal["admin", "supervisor", "counselor", "outreach"] = Field(
        description="The user's role on the device; a role the server lists for them wins."
    )
    signature: str = Field(
        min_length=80, max_length=100, description="Ed25519 signature (base64) of token_message()."
    )


def token_message(device_id: str, nonce: str, user: str, role: str) -> bytes:
    """What the device signs to get an access token (binds device, server nonce, user, role)."""
    return f"intake-token-v1\n{device_id}\n{nonce}\n{user}\n{role}".encode()


class TeamPolicy(BaseModel):
    purge_after_sync: bool = Field(
        description="Outreach devices delete profiles locally once the server has them."
    )
    retention_days: int | None = Field(
        description="Profiles unchanged for this many days are deleted (None: kept)."
    )


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the scheme's name
    expires_in: int
    team: str
    role: str = Field(description="The user's role as the server knows it.")
    policy: TeamPolicy


# -- revisions ---------------------------------------------------------------------------------


class RevisionDoc(_Strict):
    """One revision of one profile, exactly as hashed (plus the id, hash and a redaction flag)."""

    id: str = Field(pattern=UUID_PATTERN)
    profile_id: str = Field(pattern=UUID_PATTERN)
    parents: list[str] = Field(max_length=MAX_PARENTS)
    content_hash: str = Field(pattern=HASH_PATTERN)
    author: str | None = Field(default=None, max_length=64)
    device_id: str = Field(max_length=64)
    created_at: str = Field(min_length=10, max_length=40)
    form_id: str | None = Field(default=None, max_length=100)
    form_version: str | None = Field(default=None, max_length=40)
    status: str | None = Field(default=None, max_length=20)
    deleted: bool = False
    answers: dict[str, Any] | None = None
    redacted: bool = Field(
        default=False,
        description="The answers were erased after a deletion; the hash cannot be re-checked.",
    )

    def body(self) -> dict[str, Any]:
        return hashed_body(self)

    def hash_matches(self) -> bool:
        try:
            return content_hash(self.body()) == self.content_hash
        except (TypeError, ValueError):  # NaN, infinities, non-JSON values
            return False

    def answers_size(self) -> int:
        if self.answers is None:
            return 0
        return len(json.dumps(self.answers, ensure_ascii=False).encode("utf-8"))


class PushRequest(_Strict):
    revisions: list[RevisionDoc] = Field(max_length=MAX_PUSH_REVISIONS)


class PushResult(BaseModel):
    id: str
    status: Literal["accepted", "refused"]
    code: str | None = Field(default=None, description="Why it was refused (stable code).")
    detail: str | None = None


class PushResponse(BaseModel):
    results: list[PushResult]


class ChangesResponse(BaseModel):
    revisions: list[RevisionDoc]
    cursor: str = Field(description="Pass back as ?cursor= to continue after these revisions.")
    more: bool = Field(description="True when another page is waiting.")


class DeviceInfo(BaseModel):
    device_id: str
    team: str
    name: str
    enrolled_at: str
    revoked_at: str | None
    last_seen_at: str | None
