"""Two and more devices syncing through a real server process (TLS on loopback), on SQLite and
on PostgreSQL: push, pull, idempotency, merges, conflicts, deletions, cost of an empty sync."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import func, select

from intake.central import db as tables
from intake.errors import InvalidInput
from intake.sync.client import tls_context, to_doc
from intake.sync.protocol import RevisionDoc, content_hash

FORM = {"form_id": "erstprofil", "form_version": "1"}


def save(device, answers, profile_id=None, **kw):
    return device.session.profiles.save(answers, profile_id=profile_id, **FORM, **kw)


def answers_of(device, profile_id):
    return device.session.profiles.get(profile_id, record_view=False).answers


def server_count(central, table, **where):
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    with central.engine.connect() as conn:
        return conn.execute(query).scalar_one()


def test_profiles_travel_between_devices_and_an_empty_sync_is_one_request(make_device):
    first, second = make_device("laptop"), make_device("desk")
    created = save(first, {"family_name": "Beispiel", "given_names": "Mira"})
    summary = first.sync()
    assert summary.pushed == 1 and summary.refused == 0

    pulled = second.sync()
    assert pulled.pulled == 1
    assert answers_of(second, created.profile_id) == {
        "family_name": "Beispiel",
        "given_names": "Mira",
    }
    assert second.session.profiles.list()[0].display_name == "Beispiel, Mira"

    idle = second.sync()
    assert idle.requests == 1, "a sync with nothing new costs one request"
    assert idle.pushed == idle.pulled == 0
    assert idle.bytes_received < 1000


def test_the_same_revision_twice_is_stored_once_and_answered_identically(make_device, central, tls):
    device = make_device()
    save(device, {"family_name": "Muster"})
    revision = device.state.next_batch(10)[0]
    token = device.syncer._new_token()
    client = httpx.Client(
        base_url=device.transport.server_url, verify=tls_context(tls.ca_file), trust_env=False
    )
    body = {"revisions": [to_doc(revision)]}
    headers = {"Authorization": f"Bearer {token}"}
    first = client.post("/v1/push", json=body, headers=headers)
    second = client.post("/v1/push", json=body, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert first.json()["results"][0]["status"] == "accepted"
    assert server_count(central, tables.revisions, id=revision.id) == 1

    tampered = dict(to_doc(revision), answers={"family_name": "Anders"})
    third = client.post("/v1/push", json={"revisions": [tampered]}, headers=headers)
    assert third.json()["results"][0] == {
        "id": revision.id,
        "status": "refused",
        "code": "hash_mismatch",
        "detail": "The content does not match its content hash.",
    }
    other = RevisionDoc.model_validate(tampered)
    rehashed = dict(tampered, content_hash=content_hash(other.body()))
    fourth = client.post("/v1/push", json={"revisions": [rehashed]}, headers=headers)
    result = fourth.json()["results"][0]
    assert result["status"] == "refused" and result["code"] == "different_content"
    with central.engine.connect() as conn:
        stored = conn.execute(
            select(tables.revisions.c.answers).where(tables.revisions.c.id == revision.id)
        ).scalar_one()
    assert json.loads(stored) == {"family_name": "Muster"}
    client.close()


def test_different_fields_changed_offline_merge_by_themselves(make_device):
    first, second = make_device("a"), make_device("b")
    created = save(first, {"family_name": "Muster", "given_names": "Lea", "customer_number": "1"})
    first.sync()
    second.sync()
    save(
        first,
        {**answers_of(first, created.profile_id), "given_names": "Lea Marie"},
        created.profile_id,
    )
    save(
        second,
        {**answers_of(second, created.profile_id), "customer_number": "4711"},
        created.profile_id,
    )
    first.sync()
    merged = second.sync()
    assert merged.merged == 1 and merged.conflicts == 0
    first.sync()
    expected = {"family_name": "Muster", "given_names": "Lea Marie", "customer_number": "4711"}
    assert answers_of(first, created.profile_id) == expected
    assert answers_of(second, created.profile_id) == expected
    heads = {
        d.session.db.execute("SELECT head FROM profiles").fetchone()[0] for d in (first, second)
    }
    assert len(heads) == 1, "both devices made the same merge revision"


def test_same_field_changed_differently_is_a_conflict_resolved_by_a_person(make_device):
    first, second = make_device("a"), make_device("b")
    created = save(first, {"family_name": "Muster", "health_limitations": "none"})
    pid = created.profile_id
    first.sync()
    second.sync()
    save(first, {"family_name": "Muster-Kurz", "health_limitations": "lifting"}, pid)
    save(second, {"family_name": "Muster-Lang", "health_limitations": "night_shift"}, pid)
    first.sync()
    second.sync()
    first.sync()
    for device in (first, second):
        conflicts = device.state.conflicts()
        assert [c.profile_id for c in conflicts] == [pid]
        fields = {f.name: f for f in conflicts[0].fields}
        assert set(fields) == {"family_name", "health_limitations"}
        assert fields["health_limitations"].sensitive
        values = {o.value for o in fields["health_limitations"].options}
        assert values == {"lifting", "night_shift"}

    with pytest.raises(InvalidInput):  # sensitive fields are never resolved automatically
        second.state.resolve(pid, {}, newest_for_the_rest=True)
    change = second.state.resolve(pid, {"health_limitations": "lifting"}, newest_for_the_rest=True)
    resolution = second.session.profiles.get(pid, record_view=False).head
    assert resolution.id == change.revision_id and len(resolution.parents) == 2
    second.sync()
    first.sync()
    expected = {"family_name": "Muster-Lang", "health_limitations": "lifting"}
    assert answers_of(first, pid) == answers_of(second, pid) == expected
    assert first.state.conflicts() == [] and second.state.conflicts() == []


def test_a_deletion_reaches_every_device_and_erases_the_answers(make_device, central):
    first, second = make_device("a"), make_device("b")
    created = save(first, {"family_name": "Löschmich"})
    first.sync()
    second.sync()
    second.session.profiles.delete(created.profile_id)
    second.sync()
    first.sync()
    for device in (first, second):
        assert device.session.profiles.list() == []
        leftovers = device.session.db.execute(
            "SELECT count(*) FROM revisions WHERE answers IS NOT NULL AND profile_id = ?",
            [created.profile_id],
        ).fetchone()[0]
        assert leftovers == 0
    with central.engine.connect() as conn:
        stored = (
            conn.execute(
                select(tables.revisions.c.answers).where(
                    tables.revisions.c.profile_id == created.profile_id
                )
            )
            .scalars()
            .all()
        )
    assert stored and all(value is None for value in stored)
    assert [e["reason"] for e in first.state.deletion_log()] == ["remote_deletion"]
