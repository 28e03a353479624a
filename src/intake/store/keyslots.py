"""Key slots: the database key exists on disk only wrapped, once per way in.

The data key (DEK) is 32 random bytes that SQLCipher uses as a raw key. ``keyslots.json`` beside
the database holds one slot per local user and one recovery slot. Each slot stores
``AES-256-GCM(KEK, DEK)`` where

    KEK = HKDF-SHA256(Argon2id(secret, salt, params) ‖ device_secret)

``secret`` is the user's password or the recovery code; ``device_secret`` comes from the OS key
store when the slot is bound to the device (recovery slots never are). The Argon2id parameters
are stored per slot so they can be raised later. The AEAD's associated data binds the slot id,
kind, user, store id, key version and KDF parameters: a slot copied to another user or store, or
with weakened parameters, does not open.

The file carries no secrets. A SHA-256 checksum catches damage and hand edits at load time; an
HMAC keyed from the DEK (the *seal*) is checked after unlocking, so slots added or removed by
anyone who does not hold the key are noticed too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from intake.errors import KeySlotError
from intake.store.fileio import canonical_json, write_json_atomic

FILE_FORMAT = "intake-keyslots"
FILE_VERSION = 1
KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
USER = "user"
RECOVERY = "recovery"
KEYRING_POLICIES = ("auto", "required", "off")


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost parameters (memory in KiB). The default is RFC 9106's low-memory profile."""

    time_cost: int = 3
    memory_cost: int = 65536
    parallelism: int = 4

    def to_json(self) -> dict[str, Any]:
        return {
            "alg": "argon2id",
            "time_cost": self.time_cost,
            "memory_cost": self.memory_cost,
            "parallelism": self.parallelism,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KdfParams:
        if data.get("alg") != "argon2id":
            raise ValueError("unknown key derivation")
        params = cls(int(data["time_cost"]), int(data["memory_cost"]), int(data["parallelism"]))
        # Floors from the OWASP password storage cheat sheet: 19 MiB, t=2, p=1.
        if params.memory_cost < 19456 or params.time_cost < 2 or params.parallelism < 1:
            raise ValueError("key derivation parameters below the allowed minimum")
        if params.memory_cost > 4 * 1024 * 1024 or params.time_cost > 64 or params.parallelism > 64:
            raise ValueError("key derivation parameters out of range")
        return params


MINIMUM_KDF = KdfParams(time_cost=2, memory_cost=19456, parallelism=1)


@dataclass(frozen=True)
class Slot:
    id: str
    kind: str
    user: str | None
    key_version: int
    kdf: KdfParams
    salt: bytes
    device_factor: bool
    nonce: bytes
    wrapped_key: bytes

    def _bound_fields(self) -> dict[str, Any]:
        """Everything about the slot except the ciphertext: what the AEAD authenticates."""
        return {
            "kind": self.kind,
            "user": self.user,
            "key_version": self.key_version,
            "kdf": self.kdf.to_json(),
            "salt": _b64(self.salt),
            "device_factor": self.device_factor,
        }

    def associated_data(self, store_id: str) -> bytes:
        return canonical_json({"store": store_id, "slot": self.id, **self._bound_fields()})

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            **self._bound_fields(),
            "nonce": _b64(self.nonce),
            "wrapped_key": _b64(self.wrapped_key),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Slot:
        slot = cls(
            id=str(uuid.UUID(data["id"])),
            kind=data["kind"],
            user=data["user"],
            key_version=int(data["key_version"]),
            kdf=KdfParams.from_json(data["kdf"]),
            salt=_unb64(data["salt"]),
            device_factor=bool(data["device_factor"]),
            nonce=_unb64(data["nonce"]),
            wrapped_key=_unb64(data["wrapped_key"]),
        )
        if slot.kind not in (USER, RECOVERY):
            raise ValueError("unknown slot kind")
        if (slot.kind == USER) != isinstance(slot.user, str) or (slot.user == ""):
            raise ValueError("a user slot needs a user name, a recovery slot none")
        if len(slot.salt) != SALT_BYTES or len(slot.nonce) != NONCE_BYTES:
            raise ValueError("bad salt or nonce length")
        if len(slot.wrapped_key) != KEY_BYTES + 16:
            raise ValueError("bad wrapped key length")
        return slot


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def derive_kek(secret: str, slot_salt: bytes, kdf: KdfParams, device_secret: bytes | None) -> bytes:
    stretched = hash_secret_raw(
        secret.encode("utf-8"),
        slot_salt,
        time_cost=kdf.time_cost,
        memory_cost=kdf.memory_cost,
        parallelism=kdf.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )
    material = stretched + (device_secret or b"")
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"intake/kek/v1"
    ).derive(material)


def wrap_key(
    dek: bytes | bytearray,
    secret: str,
    *,
    store_id: str,
    kind: str,
    user: str | None,
    key_version: int,
    kdf: KdfParams,
    device_secret: bytes | None,
) -> Slot:
    slot = Slot(
        id=str(uuid.uuid4()),
        kind=kind,
        user=user,
        key_version=key_version,
        kdf=kdf,
        salt=secrets.token_bytes(SALT_BYTES),
        device_factor=device_secret is not None,
        nonce=secrets.token_bytes(NONCE_BYTES),
        wrapped_key=b"",
    )
    kek = derive_kek(secret, slot.salt, kdf, device_secret)
    wrapped = AESGCM(kek).encrypt(slot.nonce, bytes(dek), slot.associated_data(store_id))
    return replace(slot, wrapped_key=wrapped)


def unwrap_key(
    slot: Slot, secret: str, *, store_id: str, device_secret: bytes | None
) -> bytearray | None:
    """The data key, or ``None`` when the secret (or the device secret) does not fit."""
    kek = derive_kek(secret, slot.salt, slot.kdf, device_secret if slot.device_factor else None)
    try:
        dek = AESGCM(kek).decrypt(slot.nonce, slot.wrapped_key, slot.associated_data(store_id))
    except InvalidTag:
        return None
    return bytearray(dek)


@dataclass
class KeySlotFile:
    """``keyslots.json``: the store id, the keyring policy and the slots."""

    path: Path
    store_id: str
    keyring_policy: str = "auto"
    slots: list[Slot] = field(default_factory=list)
    seal: str | None = None
    # SQLCipher's per-file salt (the database's first 16 bytes, kept across rekeys): ties this
    # file to one database file, so a mix-up is named as such and not as a wrong password.
    database_salt: str | None = None

    @classmethod
    def load(cls, path: Path) -> KeySlotFile:
        path = Path(path)
        try:
            raw = path.read_bytes()
            if len(raw) > 1024 * 1024:
                raise ValueError("key slot file too large")
            data = json.loads(raw.decode("utf-8"))
            if data.get("format") != FILE_FORMAT or data.get("version") != FILE_VERSION:
                raise ValueError("not an Intake key slot file of a known version")
            checksum = data.pop("sha256")
            if not hmac.compare_digest(checksum, hashlib.sha256(canonical_json(data)).hexdigest()):
                raise ValueError("checksum mismatch")
            policy = data["keyring_policy"]
            if policy not in KEYRING_POLICIES:
                raise ValueError("unknown keyring policy")
            slots = [Slot.from_json(item) for item in data["slots"]]
            if len({slot.id for slot in slots}) != len(slots):
                raise ValueError("duplicate slot ids")
            seal = data.get("seal")
            if seal is not None and not isinstance(seal, str):
                raise ValueError("bad seal")
            salt = data.get("database_salt")
            if salt is not None and (not isinstance(salt, str) or len(bytes.fromhex(salt)) != 16):
                raise ValueError("bad database salt")
            return cls(path, str(uuid.UUID(data["store_id"])), policy, slots, seal, salt)
        except FileNotFoundError:
            raise
        except (
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
            UnicodeDecodeError,
            binascii.Error,
        ) as exc:
            raise KeySlotError(path=str(path)) from exc

    def _body(self) -> dict[str, Any]:
        return {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "store_id": self.store_id,
            "keyring_policy": self.keyring_policy,
            "database_salt": self.database_salt,
            "slots": [slot.to_json() for slot in self.slots],
        }

    def _seal_value(self, dek: bytes | bytearray) -> str:
        seal_key = HKDF(
            algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"intake/keyslot-seal/v1"
        ).derive(bytes(dek))
        return hmac.new(seal_key, canonical_json(self._body()), hashlib.sha256).hexdigest()

    def save(self, dek: bytes | bytearray) -> None:
        """Seal with ``dek`` (the key the slots currently open) and write atomically."""
        self.seal = self._seal_value(dek)
        document = self._body() | {"seal": self.seal}
        document["sha256"] = hashlib.sha256(canonical_json(document)).hexdigest()
        write_json_atomic(self.path, document)

    def seal_matches(self, dek: bytes | bytearray) -> bool:
        return self.seal is not None and hmac.compare_digest(self.seal, self._seal_value(dek))

    def user_slots(self, user: str) -> list[Slot]:
        return [slot for slot in self.slots if slot.kind == USER and slot.user == user]

    def recovery_slots(self) -> list[Slot]:
        return [slot for slot in self.slots if slot.kind == RECOVERY]

    def users(self) -> list[str]:
        return sorted({slot.user for slot in self.slots if slot.kind == USER and slot.user})


# Recovery codes: 160 random bits as 32 base32 characters in eight groups of four.
_RECOVERY_BYTES = 20
_CONFUSABLE = str.maketrans({"0": "O", "1": "I", "8": "B"})


def new_recovery_code() -> str:
    text = base64.b32encode(secrets.token_bytes(_RECOVERY_BYTES)).decode("ascii")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalise_recovery_code(code: str) -> str:
    """Accept the code as printed, in any case, with or without separators and common misreadings."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum()).translate(_CONFUSABLE)
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))
