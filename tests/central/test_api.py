"""The server's rules, in-process: bad bodies get one clear 4xx sentence, enrolment codes are
single-use and expire, tokens expire, revocation and roles bite on the next request, teams do
not see each other, retention deletes and logs; the published spec and schema match the code."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, update
from tests.central.conftest import enroll, sign_in

from intake.central import db as tables
from intake.central.openapi import spec_text
from intake.sync.protocol import MAX_PUSH_REVISIONS, content_hash

ROOT = Path(__file__).resolve().parents[2]


def revision(profile_id=None, parents=(), answers=None, device_id=None, author="anna", **kw):
    body = {
        "profile_id": profile_id or str(uuid.uuid4()),
        "parents": sorted(parents),
        "author": author,
        "device_id": device_id,
        "created_at": "2026-03-01T10:00:00.000Z",
        "form_id": "erstprofil",
        "form_version": "1",
        "status": "draft",
        "deleted": False,
        "answers": {"family_name": "Muster"} if answers is None else answers,
    }
    body.update(kw)
    return {"id": str(uuid.uuid4()), "content_hash": content_hash(body), **body}


def push(client, who, *docs, **headers):
    return client.post("/v1/push", json={"revisions": list(docs)}, headers=who.headers | headers)


def test_the_published_openapi_spec_is_generated_from_the_code():
    assert (ROOT / "docs" / "openapi.json").read_text(encoding="utf-8") == spec_text(), (
        "docs/openapi.json is stale: run 'intake-central openapi --out docs/openapi.json'"
    )


def test_the_alembic_migrations_build_exactly_the_tables_the_code_uses(service):
    with service.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), tables.metadata)
    assert differences == []


def test_health_needs_no_sign_in(client):
    answer = client.get("/v1/health")
    assert answer.status_code == 200 and answer.json()["status"] == "ok"


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        (b"{not json", {"Content-Type": "application/json"}, 422, "invalid_request"),
        (b'{"revisions": 5}', {"Content-Type": "application/json"}, 422, "invalid_request"),
        (b"\x1f\x8b\x08garbage", {"Content-Encoding": "gzip"}, 400, "bad_gzip"),
        (b"{}", {"Content-Encoding": "br"}, 415, "bad_encoding"),
        (b"x" * (3 * 1024 * 1024), {"Content-Type": "application/json"}, 413, "too_large"),
        (
            gzip.compress(b" " * (8 * 1024 * 1024)),  # 8 KB on the wire, 8 MB unpacked
            {"Content-Encoding": "gzip", "Content-Type": "application/json"},
            413,
            "too_large",
        ),
    ],
    ids=["bad-json", "wrong-type", "bad-gzip", "unknown-encoding", "oversized", "gzip-bomb"],
)
def test_bad_bodies_get_a_clear_4xx(client, enrolled, body, headers, status, code):
    answer = client.post("/v1/push", content=body, headers=enrolled.headers | headers)
    assert answer.status_code == status
    error = answer.json()
    assert error["code"] == code
    assert error["detail"].endswith(".") and "\n" not in error["detail"]


def test_too_many_revisions_in_one_push_are_refused_whole(client, enrolled):
    docs = [revision(device_id=enrolled.device_id) for _ in range(MAX_PUSH_REVISIONS + 1)]
    answer = client.post("/v1/push", json={"revisions": docs}, headers=enrolled.headers)
    assert answer.status_code in (413, 422)


def test_gzip_bodies_are_accepted_and_answers_compressed(client, enrolled):
    docs = [revision(device_id=enrolled.device_id) for _ in range(20)]
    answer = client.post(
        "/v1/push",
        content=gzip.compress(json.dumps({"revisions": docs}).encode()),
        headers=enrolled.headers | {"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert answer.status_code == 200
    assert {r["status"] for r in answer.json()["results"]} == {"accepted"}
    assert answer.headers.get("content-encoding") == "gzip"


def test_an_enrolment_code_works_once_and_not_after_it_expired(client, service):
    code, _ = service.new_enrol_code("team-b")
    body = {"code": code, "device_id": str(uuid.uuid4()), "public_key": "A" * 43 + "="}
    assert client.post("/v1/enroll", json=body).status_code == 200
    again = client.post("/v1/enroll", json=body | {"device_id": str(uuid.uuid4())})
    assert again.status_code == 401 and again.json()["code"] == "invalid_code"

    late, _ = service.new_enrol_code("team-b")
    with service.engine.begin() as conn:
        conn.execute(update(tables.enrol_codes).values(expires_at="2000-01-01T00:00:00.000Z"))
    expired = client.post("/v1/enroll", json=body | {"code": late, "device_id": str(uuid.uuid4())})
    assert expired.status_code == 401 and expired.json()["code"] == "invalid_code"


def test_an_expired_token_is_refused(client, service, enrolled):
    with service.engine.begin() as conn:
        conn.execute(update(tables.tokens).values(expires_at="2000-01-01T00:00:00.000Z"))
    answer = client.get("/v1/changes", headers=enrolled.headers)
    assert answer.status_code == 401 and answer.json()["code"] == "token_expired"


def test_a_forged_signature_gets_no_token(client, enrolled):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    answer = sign_in(client, enrolled.device_id, Ed25519PrivateKey.generate(), "anna", "admin")
    assert answer.status_code == 401 and answer.json()["code"] == "bad_signature"


def test_revocation_takes_effect_on_the_next_request(client, service, enrolled):
    assert client.get("/v1/changes", headers=enrolled.headers).status_code == 200
    service.revoke_device(enrolled.device_id)
    answer = push(client, enrolled, revision(device_id=enrolled.device_id))
    assert answer.status_code == 401 and answer.json()["code"] == "device_revoked"
    with service.engine.connect() as conn:
        assert conn.execute(select(tables.revisions.c.id)).first() is None


def test_a_team_never_sees_or_touches_another_teams_profiles(client, service, enrolled):
    other = enroll(client, service, "team-b", str(uuid.uuid4()))
    mine = revision(device_id=enrolled.device_id)
    assert push(client, enrolled, mine).json()["results"][0]["status"] == "accepted"
    assert client.get("/v1/changes", headers=other.headers).json()["revisions"] == []
    intruder = revision(
        profile_id=mine["profile_id"], parents=[mine["id"]], device_id=other.device_id
    )
    result = push(client, other, intruder).json()["results"][0]
    assert result["status"] == "refused" and result["code"] in ("foreign_profile", "unknown_parent")


def test_roles_are_checked_again_on_the_server(client, service):
    service.add_team("team-c")
    service.set_team_policy("team-c", members_only=True)
    service.add_member("team-c", "olga", "counselor")
    device = enroll(client, service, "team-c", str(uuid.uuid4()), user="olga", role="admin")
    created = revision(device_id=device.device_id, author="olga")
    assert push(client, device, created).json()["results"][0]["status"] == "accepted"
    tombstone = revision(
        profile_id=created["profile_id"], parents=[created["id"]], device_id=device.device_id,
        author="olga", answers=None, deleted=True, status=None,
    )  # fmt: skip
    result = push(client, device, tombstone).json()["results"][0]
    assert result["code"] == "forbidden", "a counselor may not delete, whatever the device says"

    stranger = sign_in(client, device.device_id, device.key, "mallory", "admin")
    assert stranger.status_code == 403 and stranger.json()["code"] == "not_a_member"

    service.remove_member("team-c", "olga")
    answer = client.get("/v1/changes", headers=device.headers)
    assert answer.status_code == 403, "membership is re-read on every request"


def test_retention_deletes_old_profiles_with_a_tombstone_and_a_log_entry(client, service, enrolled):
    old = revision(device_id=enrolled.device_id)
    push(client, enrolled, old)
    service.set_team_policy("team-a", retention_days=30)
    assert service.run_retention() == 0
    later = CentralServiceClock(service, days=31)
    assert later.run_retention() == 1
    other = enroll(client, service, "team-a", str(uuid.uuid4()))
    pulled = client.get("/v1/changes", headers=other.headers).json()["revisions"]
    assert [r["deleted"] for r in pulled] == [False, True]
    assert pulled[0]["answers"] is None and pulled[0]["redacted"]
    assert [e["reason"] for e in service.deletion_log("team-a")] == ["retention"]


def CentralServiceClock(service, *, days):
    from intake.central.service import CentralService

    return CentralService(
        service.engine, service.config, lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
    )


def test_device_holdings_record_which_profiles_a_device_saw(client, service, enrolled):
    doc = revision(device_id=enrolled.device_id)
    push(client, enrolled, doc)
    reader = enroll(client, service, "team-a", str(uuid.uuid4()))
    client.get("/v1/changes", headers=reader.headers)
    for device in (enrolled, reader):
        assert [h["id"] for h in service.device_holdings(device.device_id)] == [doc["profile_id"]]
