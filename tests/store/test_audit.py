"""The audit log is append-only and hash-chained; verify names the first broken entry."""

from __future__ import annotations

import pytest
import sqlcipher3
from tests.store.test_profiles import ZAINAB


def test_actions_are_recorded_with_user_and_object(session):
    change = session.profiles.save(ZAINAB, form_id="erstprofil", form_version="1")
    session.profiles.get(change.profile_id)
    session.profiles.export(change.profile_id)
    session.profiles.delete(change.profile_id)
    entries = [e for e in session.audit.entries() if e["object_id"] == change.profile_id]
    assert [e["action"] for e in entries] == [
        "profile_create",
        "profile_view",
        "profile_export",
        "profile_delete",
    ]
    assert all(e["actor"] == "anna" and e["device"] == session.device_id for e in entries)
    assert all(e["at"].endswith("Z") for e in entries)
    assert session.audit.verify().ok


def test_no_personal_data_in_the_audit_log(session):
    session.profiles.save(ZAINAB, form_id="erstprofil", form_version="1")
    text = repr(session.audit.entries())
    for value in ("Zainab", "Hassan", "999D000123", "الحسن"):
        assert value not in text


def test_rows_cannot_be_changed_or_removed(session):
    with pytest.raises(sqlcipher3.dbapi2.IntegrityError):
        session.db.execute("UPDATE audit_log SET actor = 'eve'")
    with pytest.raises(sqlcipher3.dbapi2.IntegrityError):
        session.db.execute("DELETE FROM audit_log")


@pytest.mark.parametrize(
    ("tamper", "broken_at", "reason"),
    [
        ("UPDATE audit_log SET actor = 'eve' WHERE seq = 3", 3, "entry was changed"),
        ("DELETE FROM audit_log WHERE seq = 2", 2, "entry missing"),
        ("UPDATE audit_log SET prev_hash = hash WHERE seq = 4", 4, "link to previous entry broken"),
    ],
)
def test_verify_reports_the_first_broken_link(session, tamper, broken_at, reason):
    for _ in range(3):
        session.profiles.save(ZAINAB, form_id="erstprofil", form_version="1")
    # Whoever holds the key can drop the triggers; the chain still shows what they did.
    session.db.execute("DROP TRIGGER audit_log_no_update")
    session.db.execute("DROP TRIGGER audit_log_no_delete")
    session.db.execute(tamper)
    result = session.audit.verify()
    assert not result.ok
    assert (result.first_broken_seq, result.reason) == (broken_at, reason)
    assert result.checked == broken_at - 1
