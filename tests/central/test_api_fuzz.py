"""Schemathesis against the published OpenAPI spec: whatever a client sends — valid, malformed,
out of range — the server answers 2xx or 4xx with the documented body, never a 500."""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path

import schemathesis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from intake.central.app import create_app
from intake.central.db import make_engine, migrate
from intake.central.service import CentralService, Config
from intake.sync.protocol import EnrollRequest, TokenRequest, token_message

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _app_and_token():
    """The app over a fresh SQLite file, with one enrolled device and its access token."""
    directory = Path(tempfile.mkdtemp(prefix="intake-fuzz-"))
    engine = make_engine(f"sqlite:///{directory / 'central.db'}")
    migrate(engine)
    service = CentralService(engine, Config(max_body_bytes=1024 * 1024))
    code, _ = service.new_enrol_code("fuzz")
    key = Ed25519PrivateKey.generate()
    public = base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    device = "0f0f0f0f-1111-4222-8333-444444444444"
    service.enroll(EnrollRequest(code=code, device_id=device, public_key=public.decode()))
    nonce, _ = service.challenge(device)
    signature = base64.b64encode(key.sign(token_message(device, nonce, "anna", "admin")))
    token, *_ = service.issue_token(
        TokenRequest(
            device_id=device, nonce=nonce, user="anna", role="admin", signature=signature.decode()
        )
    )
    return create_app(service), token


APP, TOKEN = _app_and_token()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_without_server_errors(case):
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS)
