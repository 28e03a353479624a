"""Outreach devices: purge after sync, retention, the outbox across cuts, deletions of profiles
that were being sent, and the ``intake sync`` / ``intake-central`` command lines."""

from __future__ import annotations

import subprocess
import sys

from intake.sync.client import Transport

FORM = {"form_id": "erstprofil", "form_version": "1"}


def test_purge_after_sync_leaves_nothing_on_the_device_and_it_is_not_downloaded_again(
    make_device, central, team
):
    central.set_team_policy(team, purge_after_sync=True)
    outreach, desk = make_device("outreach"), make_device("desk")
    outreach.sync()  # fetches the policy with its token
    created = outreach.session.profiles.save({"family_name": "Unterwegs"}, **FORM)
    summary = outreach.sync()
    assert summary.pushed == 1 and summary.purged == 1
    assert outreach.session.profiles.list() == []
    count = outreach.session.db.execute("SELECT count(*) FROM revisions").fetchone()[0]
    assert count == 0
    assert [e["reason"] for e in outreach.state.deletion_log()] == ["purge_after_sync"]

    desk.sync()
    desk.session.profiles.save(
        {"family_name": "Unterwegs", "city": "Kassel"}, profile_id=created.profile_id, **FORM
    )
    desk.sync()
    outreach.sync()
    assert outreach.session.profiles.list() == [], "a purged profile stays off the device"


def test_an_interrupted_push_is_resent_and_autosave_does_not_replace_what_was_in_flight(
    make_device, central
):
    device = make_device()
    first = device.session.profiles.save({"family_name": "Muster"}, **FORM)
    batch = device.state.next_batch(10)  # marked in flight, as if the connection then broke
    assert [r.id for r in batch] == [first.revision_id]
    second = device.session.profiles.save(
        {"family_name": "Muster", "city": "Jena"}, profile_id=first.profile_id, amend=True, **FORM
    )
    assert second.revision_id != first.revision_id
    revisions = device.session.profiles.revisions(first.profile_id)
    assert [r.id for r in revisions] == [first.revision_id, second.revision_id]
    assert device.sync().pushed == 2


def test_deleting_a_profile_whose_revision_was_in_flight_sends_an_erased_stub(make_device):
    device, other = make_device("a"), make_device("b")
    created = device.session.profiles.save({"family_name": "Muster"}, **FORM)
    device.state.next_batch(10)  # in flight, then the connection broke
    device.session.profiles.delete(created.profile_id)
    summary = device.sync()
    assert summary.pushed == 2 and summary.refused == 0
    other.sync()
    assert other.session.profiles.list() == []
    assert (
        other.session.db.execute(
            "SELECT count(*) FROM revisions WHERE answers IS NOT NULL"
        ).fetchone()[0]
        == 0
    )


def test_intake_sync_and_intake_central_on_the_command_line(intake, tmp_path, server, tls, cli_env):
    password = "correct horse battery\n"
    store = str(tmp_path / "store")
    assert intake("--data-dir", store, "init", "--admin", "anna", "--password-stdin",
                  input=password * 2).returncode == 0  # fmt: skip
    intake("--data-dir", store, "demo", "--profiles", "3", "--user", "anna", "--password-stdin",
           input=password)  # fmt: skip
    central = [sys.executable, "-m", "intake.central.cli"]
    issued = subprocess.run(
        [*central, "enroll-code", "--database", server.database, "--team", "cli-team"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    code = issued.stdout.split()[-1]
    synced = intake(
        "--data-dir", store, "sync", "--server", server.url, "--enroll", code,
        "--ca-file", str(tls.ca_file), "--user", "anna", "--password-stdin", input=password,
    )  # fmt: skip
    assert synced.returncode == 0, synced.stderr
    assert "Enrolled this device in team cli-team." in synced.stdout
    assert "3 revision(s) sent" in synced.stdout

    again = intake("--data-dir", store, "sync", "--user", "anna", "--password-stdin",
                   input=password)  # fmt: skip
    assert again.returncode == 0 and "1 request(s)" in again.stdout

    used = intake(
        "--data-dir", str(tmp_path / "other"), "init", "--admin", "ben", "--password-stdin",
        input=password * 2,
    )  # fmt: skip
    assert used.returncode == 0
    reused = intake(
        "--data-dir", str(tmp_path / "other"), "sync", "--server", server.url, "--enroll", code,
        "--ca-file", str(tls.ca_file), "--user", "ben", "--password-stdin", input=password,
    )  # fmt: skip
    assert reused.returncode == 1
    assert reused.stderr.startswith("Error: The server refused the request: The enrolment code")
    assert "Traceback" not in reused.stderr

    devices = subprocess.run(
        [*central, "device", "list", "--database", server.database, "--team", "cli-team",
         "--format", "json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    import json

    (device,) = json.loads(devices.stdout)
    subprocess.run([*central, "device", "revoke", device["id"], "--database", server.database],
                   check=True, capture_output=True)  # fmt: skip
    revoked = intake("--data-dir", store, "sync", "--user", "anna", "--password-stdin",
                     input=password)  # fmt: skip
    assert revoked.returncode == 1 and "revoked" in revoked.stderr


def test_backoff_has_full_jitter_and_a_cap():
    import random

    from intake.sync.client import backoff_delays

    delays = backoff_delays(base=1, cap=30, rng=random.Random(3))
    values = [next(delays) for _ in range(12)]
    assert all(0 <= v <= 30 for v in values)
    assert max(values[:3]) <= 4 and len(set(values)) == len(values)
    Transport("http://localhost:1").close()
