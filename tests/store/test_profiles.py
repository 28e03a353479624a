"""Profiles at the storage level: revisions, amend, search, deletion, export and import."""

from __future__ import annotations

import json

import pytest

from intake.errors import InvalidInput, NotFound
from intake.store.profiles import content_hash, fts_query

ZAINAB = {
    "family_name": "الحسن",
    "given_names": "زينب",
    "family_name_latin": "Al-Hassan",
    "given_names_latin": "Zainab",
    "customer_number": "999D000123",
    "birth_date": {"value": "1994-03", "uncertain": True},
}


def save(session, answers, **kwargs):
    return session.profiles.save(answers, form_id="erstprofil", form_version="1", **kwargs)


def test_every_save_is_a_revision_with_hash_and_parent(session):
    first = save(session, ZAINAB)
    assert first.created
    second = save(session, {**ZAINAB, "schooling_years": 9}, profile_id=first.profile_id)
    assert second.changed_fields == {"schooling_years"}
    revisions = session.profiles.revisions(first.profile_id)
    assert [r.id for r in revisions] == [first.revision_id, second.revision_id]
    assert revisions[1].parents == (first.revision_id,)
    assert revisions[0].parents == ()
    for revision in revisions:
        assert revision.content_hash == content_hash(revision.body())
        assert revision.author == "anna" and revision.device_id == session.device_id
        assert (revision.form_id, revision.form_version) == ("erstprofil", "1")
    profile = session.profiles.get(first.profile_id)
    assert profile.head.id == second.revision_id
    assert profile.answers["schooling_years"] == 9
    assert profile.summary.display_name == "Al-Hassan, Zainab"
    assert profile.summary.birth_date == "1994-03"
    queued = [row["revision_id"] for row in session.db["outbox"].rows]
    assert queued == [first.revision_id, second.revision_id]


def test_amend_replaces_an_unsent_head(session):
    first = save(session, ZAINAB)
    second = save(session, {**ZAINAB, "sex": "female"}, profile_id=first.profile_id)
    third = save(
        session, {**ZAINAB, "sex": "female", "x": 1}, profile_id=first.profile_id, amend=True
    )
    revisions = session.profiles.revisions(first.profile_id)
    assert [r.id for r in revisions] == [first.revision_id, third.revision_id]
    assert revisions[1].parents == (first.revision_id,)
    assert second.revision_id not in {row["revision_id"] for row in session.db["outbox"].rows}


def test_amend_keeps_a_revision_that_is_being_sent(session):
    first = save(session, ZAINAB)
    session.db.execute("UPDATE outbox SET in_flight = 1")
    second = save(session, {**ZAINAB, "sex": "female"}, profile_id=first.profile_id, amend=True)
    assert session.profiles.revisions(first.profile_id)[-1].parents == (first.revision_id,)
    assert second.revision_id != first.revision_id


@pytest.mark.parametrize(
    "query", ["hass", "Al-Hassan", "zain", "الحسن", "زينب", "999D000123", "zainab al"]
)
def test_search_by_names_in_both_scripts_and_customer_number(session, query):
    target = save(session, ZAINAB).profile_id
    save(session, {"family_name": "Kovalenko", "given_names": "Olena", "customer_number": "999D7"})
    assert [p.id for p in session.profiles.list(search=query)] == [target]


def test_search_ignores_diacritics_and_hostile_input(session):
    target = save(session, {"family_name": "Yıldız", "given_names": "Şükrü"}).profile_id
    assert [p.id for p in session.profiles.list(search="sukru")] == [target]
    for hostile in ['"', "NEAR(", "a OR", "*", "' OR 1=1 --", "^", "a:b"]:
        session.profiles.list(search=hostile)  # no FTS syntax error reaches the caller
    assert fts_query('  "  ') is None


def test_list_filters_and_count(session):
    save(session, ZAINAB, status="complete")
    save(session, {"family_name": "Bondar"})
    assert session.profiles.count() == 2
    assert session.profiles.count(status="complete") == 1
    assert session.profiles.count(created_by="anna") == 2
    assert session.profiles.count(created_by="bert") == 0
    assert [p.display_name for p in session.profiles.list(limit=1)] == ["Bondar"]


def test_delete_leaves_a_tombstone_and_erases_the_content(session):
    kept = save(session, {"family_name": "Melnyk"})
    gone = save(session, ZAINAB)
    session.db.execute("DELETE FROM outbox")  # as if both had been synced
    save(session, {**ZAINAB, "sex": "female"}, profile_id=gone.profile_id)
    change = session.profiles.delete(gone.profile_id)
    assert change.deleted
    with pytest.raises(NotFound):
        session.profiles.get(gone.profile_id)
    assert session.profiles.list(search="hass") == []
    assert [p.id for p in session.profiles.list()] == [kept.profile_id]
    revisions = session.profiles.revisions(gone.profile_id)
    assert all(r.answers is None for r in revisions)
    tombstone = revisions[-1]
    assert tombstone.deleted and tombstone.parents == (gone.revision_id,)  # last synced one
    leftovers = session.db.execute(
        "SELECT count(*) FROM profiles_fts WHERE profiles_fts MATCH 'Hassan'"
    ).fetchone()[0]
    assert leftovers == 0
    with pytest.raises(InvalidInput):
        save(session, ZAINAB, profile_id=gone.profile_id)


def test_export_has_history_and_access_log(session):
    change = save(session, ZAINAB)
    session.profiles.get(change.profile_id)
    exported = session.profiles.export(change.profile_id)
    assert exported["id"] == change.profile_id
    assert exported["answers"]["given_names_latin"] == "Zainab"
    assert [r["id"] for r in exported["revisions"]] == [change.revision_id]
    actions = [entry["action"] for entry in exported["access_log"]]
    assert actions == ["profile_create", "profile_view", "profile_export"]
    assert session.audit.entries()[-1]["action"] == "profile_export"
    json.dumps(exported)


def test_import_round_trip_and_bad_documents(session):
    change = save(session, ZAINAB)
    exported = session.profiles.export(change.profile_id)
    imported = session.profiles.import_document({**exported, "answers": {**ZAINAB, "x": 2}})
    assert imported.profile_id == change.profile_id and not imported.created
    fresh = session.profiles.import_document(
        {"form_id": "erstprofil", "form_version": "1", "answers": ZAINAB}
    )
    assert fresh.created
    for bad in [
        [],
        {"answers": {}},
        {"form_id": "f", "form_version": "1", "answers": []},
        {"form_id": "f", "form_version": "1", "answers": {"x": float("nan")}},
        {"form_id": "f", "form_version": "1", "answers": {}, "id": "not-a-uuid"},
        {"form_id": "f", "form_version": "1", "answers": {}, "status": "bogus"},
    ]:
        with pytest.raises(InvalidInput):
            session.profiles.import_document(bad)


def test_keyset_pages_walk_the_whole_list_once(session):
    for index in range(23):
        save(session, {"family_name": f"Page{index}"})
    seen, page = [], session.profiles.list(limit=5)
    while page:
        seen += [p.id for p in page]
        page = session.profiles.list(limit=5, after=page[-1])
    assert len(seen) == len(set(seen)) == 23
    assert seen == [p.id for p in session.profiles.list(limit=100)]
    assert session.profiles.count(search="page") == 23


def test_filters_by_date_and_oldest_first(session):
    first = save(session, {"family_name": "Early"}).profile_id
    later = save(session, {"family_name": "Later"}).profile_id
    rows = session.profiles.list(oldest_first=True)
    assert [r.id for r in rows] == [first, later]
    cut = rows[1].updated_at
    assert [r.id for r in session.profiles.list(updated_since=cut)] == [later]
    assert session.profiles.count(updated_since=cut) == 1
    assert session.profiles.list(oldest_first=True, after=rows[0])[0].id == later


def test_resume_position_is_per_user_and_encrypted(session):
    assert session.resume_position() is None
    session.remember_position({"profile": "p", "question": "family_name", "index": None})
    assert session.resume_position()["question"] == "family_name"
    session.remember_position(None)
    assert session.resume_position() is None
