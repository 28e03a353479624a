"""The sync client: talks to the central server over HTTPS and drives :class:`SyncState`.

One run: get an access token if the cached one is missing or refused, push the outbox in
batches, pull pages from the cursor until none is left, push any merges that created, then
apply the team's purge and retention policy. Every step is safe to cut at any byte: outbox rows
leave only on the server's answer, a pulled page is applied together with its cursor.

TLS trusts the configured CA bundle only (``ssl.create_default_context(cafile=…)``, no
environment variables: ``trust_env=False``); plain HTTP is allowed only to loopback addresses.
"""

from __future__ import annotations

import base64
import gzip
import ipaddress
import json
import logging
import random
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import BaseModel, ValidationError

from intake import __version__
from intake.errors import IntakeError, InvalidInput
from intake.store.profiles import Revision
from intake.store.syncstate import RemoteDataError, SyncState
from intake.sync.protocol import (
    API_PREFIX,
    ChallengeResponse,
    ChangesResponse,
    EnrollResponse,
    ErrorBody,
    Health,
    PushResponse,
    RevisionDoc,
    TokenResponse,
    token_message,
)

log = logging.getLogger(__name__)
Model = TypeVar("Model", bound=BaseModel)

GZIP_FROM_BYTES = 1024


class ServerUnreachable(IntakeError):
    message = (
        "The server {server} could not be reached or the connection broke ({reason}); "
        "nothing was lost — sync again when the network is back."
    )


class CertificateRejected(IntakeError):
    message = (
        "The server {server} presented a certificate that the configured CA bundle does not "
        "vouch for; the connection was refused — check --ca-file or ask IT."
    )


class BadServerResponse(IntakeError):
    message = (
        "The server {server} answered with something that is not an Intake sync response; "
        "nothing was changed here — check the server address."
    )


class ServerRefused(IntakeError):
    message = "The server refused the request: {detail}"

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail=detail)
        self.status, self.code = status, code


class DeviceRevoked(IntakeError):
    message = (
        "This device was revoked on the central server; it cannot sync any more — ask IT to "
        "enrol it again if that was a mistake."
    )


class NotEnrolled(IntakeError):
    message = (
        "This device is not enrolled with a central server; run 'intake sync --server URL "
        "--enroll CODE' with a code from the administrator."
    )


class InsecureServer(IntakeError):
    message = (
        "Plain http:// is allowed only to this computer (loopback); use https:// and the "
        "server's CA bundle for {server}."
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def tls_context(ca_file: str | Path | None) -> ssl.SSLContext:
    """Trust ``ca_file`` only; without one, the system's compiled-in bundle — never the
    ``SSL_CERT_FILE``/``SSL_CERT_DIR`` environment variables."""
    if ca_file is not None:
        path = Path(ca_file)
        if not path.is_file():
            raise InvalidInput("The CA bundle {path} does not exist.", path=str(path))
        try:
            return ssl.create_default_context(cafile=str(path))
        except ssl.SSLError:
            raise InvalidInput(
                "The CA bundle {path} holds no readable certificate.", path=str(path)
            ) from None
    defaults = ssl.get_default_verify_paths()
    cafile = defaults.openssl_cafile if Path(defaults.openssl_cafile).is_file() else None
    capath = defaults.openssl_capath if Path(defaults.openssl_capath).is_dir() else None
    context = ssl.create_default_context(cafile=cafile, capath=capath)
    return context


@dataclass
class Counters:
    requests: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0


class Transport:
    """HTTP(S) to one central server, counting requests and bytes on the wire."""

    def __init__(
        self,
        server_url: str,
        *,
        ca_file: str | Path | None = None,
        timeout: float = 60.0,
    ) -> None:
        parts = urlsplit(server_url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInput("{url} is not a server address (https://host:port).", url=server_url)
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise InsecureServer(server=server_url)
        self.server_url = f"{parts.scheme}://{parts.netloc}"
        verify: ssl.SSLContext | bool = tls_context(ca_file) if parts.scheme == "https" else False
        self.counters = Counters()
        self._client = httpx.Client(
            base_url=self.server_url,
            verify=verify,
            trust_env=False,
            timeout=timeout,
            headers={"User-Agent": f"intake/{__version__}", "Accept-Encoding": "gzip"},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def call(
        self,
        method: str,
        path: str,
        model: type[Model],
        *,
        body: Any = None,
        token: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> Model:
        headers: dict[str, str] = {}
        content: bytes | None = None
        if body is not None:
            content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
            if len(content) >= GZIP_FROM_BYTES:
                content = gzip.compress(content, compresslevel=3)
                headers["Content-Encoding"] = "gzip"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.counters.requests += 1
        self.counters.bytes_sent += len(content or b"")
        try:
            response = self._client.request(
                method, API_PREFIX + path, content=content, headers=headers, params=params
            )
        except httpx.ConnectError as exc:
            if _certificate_problem(exc):
                raise CertificateRejected(server=self.server_url) from None
            raise ServerUnreachable(server=self.server_url, reason="no connection") from None
        except httpx.TimeoutException:
            raise ServerUnreachable(server=self.server_url, reason="timed out") from None
        except (httpx.TransportError, httpx.DecodingError) as exc:
            if _certificate_problem(exc):
                raise CertificateRejected(server=self.server_url) from None
            raise ServerUnreachable(server=self.server_url, reason="connection cut") from None
        self.counters.bytes_received += response.num_bytes_downloaded
        if response.status_code >= 400:
            try:
                error = ErrorBody.model_validate_json(response.content)
            except ValidationError:
                raise BadServerResponse(server=self.server_url) from None
            if error.code == "device_revoked":
                raise DeviceRevoked()
            raise ServerRefused(response.status_code, error.code, error.detail)
        try:
            return model.model_validate_json(response.content)
        except ValidationError:
            raise BadServerResponse(server=self.server_url) from None


def _certificate_problem(exc: BaseException) -> bool:
    current: BaseException | None = exc
    while current is not None:
        if isinstance(current, ssl.SSLCertVerificationError):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def health(transport: Transport) -> Health:
    """The cheap reachability check the app runs when the network appears."""
    return transport.call("GET", "/health", Health)


# -- conversions ------------------------------------------------------------------------------


def to_doc(revision: Revision) -> dict[str, Any]:
    doc = revision.to_json()
    doc["redacted"] = revision.answers is None and not revision.deleted
    return doc


def from_doc(doc: RevisionDoc) -> Revision:
    return Revision(
        id=doc.id,
        profile_id=doc.profile_id,
        parents=tuple(doc.parents),
        content_hash=doc.content_hash,
        author=doc.author,
        device_id=doc.device_id,
        created_at=doc.created_at,
        form_id=doc.form_id,
        form_version=doc.form_version,
        status=doc.status,
        deleted=doc.deleted,
        answers=doc.answers,
        origin="remote",
    )


# -- the sync run -----------------------------------------------------------------------------


@dataclass
class SyncSummary:
    pushed: int = 0
    refused: int = 0
    pulled: int = 0
    profiles_changed: int = 0
    merged: int = 0
    deleted: int = 0
    purged: int = 0
    conflicts: int = 0
    waiting: int = 0
    requests: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    seconds: float = 0.0
    refusals: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Synchronizer:
    """Sync one open session with one server."""

    def __init__(
        self,
        session: Any,
        transport: Transport,
        *,
        batch_size: int = 500,
        pull_limit: int = 500,
        state: SyncState | None = None,
    ) -> None:
        self._session = session
        self._transport = transport
        self._batch_size = batch_size
        self._pull_limit = pull_limit
        self.state = state or SyncState(session)

    # -- enrolment and tokens ----------------------------------------------------------------

    def enroll(self, code: str, device_name: str = "") -> str:
        """Register this device with a one-time code; returns the team name."""
        key = Ed25519PrivateKey.generate()
        public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        answer = self._transport.call(
            "POST",
            "/enroll",
            EnrollResponse,
            body={
                "code": code,
                "device_id": self._session.device_id,
                "device_name": device_name[:100],
                "public_key": base64.b64encode(public).decode("ascii"),
            },
        )
        from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

        raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        self.state.save_enrolment(self._transport.server_url, answer.team, raw)
        return answer.team

    def _new_token(self) -> str:
        raw = self.state.private_key()
        if raw is None:
            raise NotEnrolled()
        key = Ed25519PrivateKey.from_private_bytes(raw)
        device_id = self._session.device_id
        challenge = self._transport.call(
            "POST", "/auth/challenge", ChallengeResponse, body={"device_id": device_id}
        )
        user, role = self._session.user, self._session.role
        signature = key.sign(token_message(device_id, challenge.nonce, user, role))
        answer = self._transport.call(
            "POST",
            "/auth/token",
            TokenResponse,
            body={
                "device_id": device_id,
                "nonce": challenge.nonce,
                "user": user,
                "role": role,
                "signature": base64.b64encode(signature).decode("ascii"),
            },
        )
        self.state.store_token(user, answer.access_token, answer.role, answer.policy.model_dump())
        return answer.access_token

    def _authorised(self, request: Callable[[str], Model]) -> Model:
        """Run ``request`` with the cached token; on an expired or unknown one, sign in again
        once (so a sync with nothing new is a single request while the token lives)."""
        user = self._session.user
        token = self.state.cached_token(user) or self._new_token()
        try:
            return request(token)
        except ServerRefused as exc:
            if exc.status != 401:
                raise
            self.state.drop_token(user)
            return request(self._new_token())

    # -- the run -----------------------------------------------------------------------------

    def run(self) -> SyncSummary:
        enrolment = self.state.enrolment()
        if enrolment is None:
            raise NotEnrolled()
        started = time.monotonic()
        before = Counters(**self._transport.counters.__dict__)
        summary = SyncSummary()
        try:
            self._push(summary)
            self._pull(summary)
            self._push(summary)  # merges made while pulling
            self._apply_policy(summary)
        except IntakeError as exc:
            self.state.record_run(error=type(exc).__name__)
            raise
        status = self.state.status()
        summary.conflicts, summary.waiting = status.conflicts, status.waiting_profiles
        counters = self._transport.counters
        summary.requests = counters.requests - before.requests
        summary.bytes_sent = counters.bytes_sent - before.bytes_sent
        summary.bytes_received = counters.bytes_received - before.bytes_received
        summary.seconds = round(time.monotonic() - started, 3)
        self.state.record_run(error=None)
        self._session.audit.record(
            self._session.user,
            "sync_run",
            "device",
            self._session.device_id,
            pushed=summary.pushed,
            pulled=summary.pulled,
            merged=summary.merged,
            conflicts=summary.conflicts,
            refused=summary.refused,
            purged=summary.purged,
        )
        log.info(
            "sync: pushed %d, pulled %d, %d requests",
            summary.pushed,
            summary.pulled,
            summary.requests,
        )
        return summary

    def _push(self, summary: SyncSummary) -> None:
        while True:
            batch = self.state.next_batch(self._batch_size)
            if not batch:
                return
            docs = [to_doc(revision) for revision in batch]
            answer = self._authorised(
                lambda token, docs=docs: self._transport.call(
                    "POST", "/push", PushResponse, body={"revisions": docs}, token=token
                )
            )
            by_id = {result.id: result for result in answer.results}
            if set(by_id) != {r.id for r in batch}:
                raise BadServerResponse(server=self._transport.server_url)
            accepted = [r.id for r in batch if by_id[r.id].status == "accepted"]
            self.state.acknowledge(accepted)
            summary.pushed += len(accepted)
            for revision in batch:
                result = by_id[revision.id]
                if result.status == "refused":
                    self.state.reject(revision, result.code or "refused", result.detail)
                    summary.refused += 1
                    summary.refusals.append(
                        {
                            "revision": revision.id,
                            "profile": revision.profile_id,
                            "code": result.code or "refused",
                        }
                    )

    def _pull(self, summary: SyncSummary) -> None:
        while True:
            cursor = self.state.cursor()
            page = self._authorised(
                lambda token, cursor=cursor: self._transport.call(
                    "GET",
                    "/changes",
                    ChangesResponse,
                    params={"cursor": cursor, "limit": self._pull_limit},
                    token=token,
                )
            )
            try:
                result = self.state.apply_remote([from_doc(d) for d in page.revisions], page.cursor)
            except RemoteDataError:
                raise BadServerResponse(server=self._transport.server_url) from None
            summary.pulled += result.new
            summary.profiles_changed += result.profiles_changed
            summary.merged += result.merged
            summary.deleted += result.deleted
            if not page.more:
                return

    def _apply_policy(self, summary: SyncSummary) -> None:
        policy = self.state.policy()
        settings = self._session.settings
        if self.state.status().waiting_revisions:
            return  # purge only what the server holds completely
        if policy.get("purge_after_sync") or settings.get("purge_after_sync"):
            summary.purged += self.state.purge_synced("purge_after_sync")
        days = settings.get("retention_days") or policy.get("retention_days") or 0
        if days:
            summary.purged += self.state.apply_retention(int(days))


# -- background sync --------------------------------------------------------------------------


def backoff_delays(
    base: float = 2.0, cap: float = 600.0, rng: random.Random | None = None
) -> Iterator[float]:
    """Exponential backoff with full jitter: ``random(0, min(cap, base * 2**n))``."""
    rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
    attempt = 0
    while True:
        yield rng.uniform(0, min(cap, base * 2**attempt))
        attempt += 1


RETRYABLE = (ServerUnreachable,)


def sync_with_retries(
    run: Callable[[], SyncSummary],
    *,
    attempts: int = 5,
    delays: Iterator[float] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SyncSummary:
    """Run ``run`` until it succeeds or ``attempts`` connection failures happened in a row."""
    delays = delays or backoff_delays()
    for attempt in range(attempts):
        try:
            return run()
        except RETRYABLE:
            if attempt == attempts - 1:
                raise
            sleep(next(delays))
    raise AssertionError("unreachable")
