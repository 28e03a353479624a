"""The server in-process (FastAPI's test client over a temporary SQLite file), with a team, an
enrolled device key and a valid access token ready to use."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi.testclient import TestClient

from intake.central.app import create_app
from intake.central.db import make_engine, migrate
from intake.central.service import CentralService, Config
from intake.sync.protocol import token_message


@dataclass
class Enrolled:
    device_id: str
    key: Ed25519PrivateKey
    team: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def enroll(client: TestClient, service: CentralService, team: str, device_id: str, *,
           user: str = "anna", role: str = "admin") -> Enrolled:  # fmt: skip
    code, _ = service.new_enrol_code(team)
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    answer = client.post(
        "/v1/enroll",
        json={
            "code": code,
            "device_id": device_id,
            "public_key": base64.b64encode(public).decode(),
        },
    )
    assert answer.status_code == 200, answer.text
    token = sign_in(client, device_id, key, user, role)
    return Enrolled(device_id, key, team, token)


def sign_in(client: TestClient, device_id: str, key, user: str, role: str):
    nonce = client.post("/v1/auth/challenge", json={"device_id": device_id}).json()["nonce"]
    signature = base64.b64encode(key.sign(token_message(device_id, nonce, user, role))).decode()
    answer = client.post(
        "/v1/auth/token",
        json={"device_id": device_id, "nonce": nonce, "user": user, "role": role,
              "signature": signature},
    )  # fmt: skip
    return answer.json()["access_token"] if answer.status_code == 200 else answer


@pytest.fixture
def service(tmp_path) -> CentralService:
    engine = make_engine(f"sqlite:///{tmp_path / 'central.db'}")
    migrate(engine)
    return CentralService(engine, Config(max_body_bytes=2 * 1024 * 1024))


@pytest.fixture
def client(service) -> TestClient:
    with TestClient(create_app(service), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def enrolled(client, service) -> Enrolled:
    return enroll(client, service, "team-a", "11111111-2222-4333-8444-555555555555")
