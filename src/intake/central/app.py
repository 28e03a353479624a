"""The HTTP face of the central server: FastAPI routes over :class:`CentralService`.

Every answer that is not a success is ``{"detail": one sentence, "code": stable code}`` with a
4xx status: malformed JSON, wrong types, oversized or badly compressed bodies included. A 500 is
a bug; it is logged without request data and answered in the same shape.
"""

import logging
import zlib
from typing import Annotated

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intake import __version__
from intake.central.service import ApiError, CentralService, Principal
from intake.sync.protocol import (
    API_PREFIX,
    DEFAULT_PULL_LIMIT,
    MAX_PULL_LIMIT,
    PROTOCOL_VERSION,
    ChallengeRequest,
    ChallengeResponse,
    ChangesResponse,
    DeviceInfo,
    EnrollRequest,
    EnrollResponse,
    ErrorBody,
    Health,
    PushRequest,
    PushResponse,
    TokenRequest,
    TokenResponse,
)

log = logging.getLogger(__name__)


def _error(status: int, code: str, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail, "code": code}, status_code=status)


class BodyLimit:
    """Reads the request body with a size limit and undoes ``Content-Encoding: gzip``.

    Both the bytes on the wire and the decompressed bytes are limited, so a small bomb cannot
    become a large body.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = [(k.lower(), v) for k, v in scope["headers"]]
        values = dict(headers)
        encoding = values.get(b"content-encoding", b"identity").strip().lower()
        too_large = _error(
            413,
            "too_large",
            f"The request is larger than the {self.max_bytes // (1024 * 1024)} MB this server "
            "accepts; send fewer revisions at once.",
        )
        if encoding not in (b"identity", b"gzip", b""):
            await _error(415, "bad_encoding", "Only gzip request bodies are accepted.")(
                scope, receive, send
            )
            return
        declared = values.get(b"content-length")
        try:
            if declared is not None and int(declared) > self.max_bytes:
                await too_large(scope, receive, send)
                return
        except ValueError:
            await _error(400, "bad_request", "The Content-Length header is not a number.")(
                scope, receive, send
            )
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await too_large(scope, receive, send)
                return
            more = message.get("more_body", False)
        if encoding == b"gzip":
            try:
                inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                plain = inflater.decompress(bytes(body), self.max_bytes + 1)
                if len(plain) > self.max_bytes or inflater.unconsumed_tail:
                    await too_large(scope, receive, send)
                    return
                if not inflater.eof:
                    raise zlib.error("truncated")
            except zlib.error:
                await _error(400, "bad_gzip", "The request body is not valid gzip data.")(
                    scope, receive, send
                )
                return
            body = bytearray(plain)
        scope = dict(scope)
        scope["headers"] = [
            (k, v) for k, v in headers if k not in (b"content-encoding", b"content-length")
        ] + [(b"content-length", str(len(body)).encode())]
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


ERRORS = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "Bad request"),
        (401, "Not signed in, token expired or device revoked"),
        (403, "The role or team does not allow this"),
        (409, "Conflicts with the server's state"),
        (413, "Body too large"),
        (415, "Unsupported content encoding"),
        (422, "The request does not match the schema"),
    )
}


def _describe(errors: list) -> str:
    if not errors:
        return "The request is not valid."
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body") or "body"
    if first.get("type") == "json_invalid":
        return "The request body is not valid JSON."
    message = str(first.get("msg", "is not valid")).rstrip(".")
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    return f"The request is not valid: {where}: {message}{more}."


def create_app(service: CentralService) -> FastAPI:
    app = FastAPI(
        title="Intake central server",
        version=__version__,
        description="Sync of profile revisions between Intake devices of a team. "
        "Semantics: docs/sync.md.",
        responses={422: ERRORS[422]},
    )
    bearer = HTTPBearer(auto_error=False)

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.code, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, "invalid_request", _describe(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed"}
        detail = exc.detail if isinstance(exc.detail, str) else "The request was refused."
        if exc.status_code == 404:
            detail = "There is no such address on this server."
        return _error(exc.status_code, codes.get(exc.status_code, "http_error"), detail)

    @app.exception_handler(Exception)
    async def _bug(_request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected %s while handling a request", type(exc).__name__)
        return _error(500, "internal", "The server hit an unexpected problem; it was logged.")

    def principal(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Principal:
        return service.authenticate(credentials.credentials if credentials else None)

    Auth = Annotated[Principal, Depends(principal)]

    @app.get(f"{API_PREFIX}/health", response_model=Health, tags=["meta"])
    def health() -> Health:
        """Cheap reachability check (no sign-in, no database access)."""
        return Health(status="ok", protocol=PROTOCOL_VERSION, version=__version__)

    @app.post(
        f"{API_PREFIX}/enroll", response_model=EnrollResponse, responses=ERRORS, tags=["auth"]
    )
    def enroll(request: EnrollRequest) -> EnrollResponse:
        """Register this device with a one-time enrolment code and its Ed25519 public key."""
        device_id, team = service.enroll(request)
        return EnrollResponse(device_id=device_id, team=team)

    @app.post(
        f"{API_PREFIX}/auth/challenge",
        response_model=ChallengeResponse,
        responses=ERRORS,
        tags=["auth"],
    )
    def challenge(request: ChallengeRequest) -> ChallengeResponse:
        """A single-use nonce for the device to sign."""
        nonce, ttl = service.challenge(request.device_id)
        return ChallengeResponse(nonce=nonce, expires_in=ttl)

    @app.post(
        f"{API_PREFIX}/auth/token", response_model=TokenResponse, responses=ERRORS, tags=["auth"]
    )
    def token(request: TokenRequest) -> TokenResponse:
        """A short-lived access token for the signed nonce."""
        value, ttl, who, policy = service.issue_token(request)
        return TokenResponse(
            access_token=value, expires_in=ttl, team=who.team, role=who.role, policy=policy
        )

    @app.get(f"{API_PREFIX}/device", response_model=DeviceInfo, responses=ERRORS, tags=["sync"])
    def device(who: Auth) -> DeviceInfo:
        """The calling device as the server knows it."""
        row = next(d for d in service.devices(who.team) if d["id"] == who.device_id)
        return DeviceInfo(
            device_id=row["id"],
            team=row["team"],
            name=row["name"],
            enrolled_at=row["enrolled_at"],
            revoked_at=row["revoked_at"],
            last_seen_at=row["last_seen_at"],
        )

    @app.post(f"{API_PREFIX}/push", response_model=PushResponse, responses=ERRORS, tags=["sync"])
    def push(request: PushRequest, who: Auth) -> PushResponse:
        """Store revisions. Idempotent: the same revision again gets the same answer."""
        return PushResponse(results=service.push(who, request.revisions))

    @app.get(
        f"{API_PREFIX}/changes", response_model=ChangesResponse, responses=ERRORS, tags=["sync"]
    )
    def changes(
        who: Auth,
        cursor: Annotated[str, Query(max_length=20, pattern=r"^[0-9]+$")] = "0",
        limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT,
    ) -> ChangesResponse:
        """The team's revisions after ``cursor``, oldest first (not the caller's own)."""
        revisions, next_cursor, more = service.changes(who, cursor, limit)
        return ChangesResponse(revisions=revisions, cursor=next_cursor, more=more)

    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=3)
    app.add_middleware(BodyLimit, max_bytes=service.config.max_body_bytes)
    return app
