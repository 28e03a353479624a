"""Chaos: three devices and one server, a fault-injecting proxy between them that cuts requests
and responses at random byte offsets and replays requests, and server restarts (some with
SIGKILL) — 500+ random operations (create, edit, delete, concurrent edits of one profile,
conflict resolution, sync). At the end every device and the server agree, nothing is lost or
duplicated, and every real conflict was surfaced, checked against an independent model.

The model knows nothing about revision graphs: every field value ever written is a *write* that
supersedes the writes of that field its device could see. A field's live writes are those no
other write supersedes; several distinct live values are a conflict. Set ``INTAKE_CHAOS_SEED``
to replay a run; the operation log is printed when it fails.
"""

from __future__ import annotations

import itertools
import os
import random
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from tests.conftest import FileKeyring
from tests.sync.faultproxy import FaultProxy
from tests.sync.harness import ServerProcess, new_device, service_for

from intake.store.device import DeviceKeyring
from intake.sync.client import BadServerResponse, ServerRefused, ServerUnreachable, Transport

FIELDS = ("family_name", "given_names", "customer_number", "city", "health_limitations", "goal")
FORM = {"form_id": "erstprofil", "form_version": "1"}
OPERATIONS = 520


@dataclass
class Write:
    id: int
    profile: str
    field: str
    value: str
    revision: str
    supersedes: frozenset[int]


@dataclass
class Model:
    writes: dict[int, Write] = field(default_factory=dict)
    by_field: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    profiles: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def known(self, profile: str, name: str, revisions: set[str]) -> frozenset[int]:
        return frozenset(
            w for w in self.by_field[(profile, name)] if self.writes[w].revision in revisions
        )

    def write(self, profile: str, name: str, value: str, revision: str, supersedes) -> None:
        ident = int(value.rsplit(":", 1)[1])
        self.writes[ident] = Write(ident, profile, name, value, revision, frozenset(supersedes))
        self.by_field[(profile, name)].append(ident)

    def new_value(self, name: str) -> str:
        return f"{name}:{next(self.counter)}"

    def live(self, profile: str, name: str) -> list[Write]:
        ids = self.by_field[(profile, name)]
        superseded = {s for w in ids for s in self.writes[w].supersedes}
        return [self.writes[w] for w in ids if w not in superseded]

    def expected_answers(self, profile: str) -> dict[str, str]:
        result = {}
        for name in FIELDS:
            values = {w.value for w in self.live(profile, name)}
            if len(values) == 1:
                result[name] = values.pop()
        return result

    def expected_conflicts(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for profile in self.profiles - self.deleted:
            names = {n for n in FIELDS if len({w.value for w in self.live(profile, n)}) > 1}
            if names:
                found[profile] = names
        return found


def revision_ids(device, profile_id: str) -> set[str]:
    rows = device.session.db.execute(
        "SELECT id FROM revisions WHERE profile_id = ?", [profile_id]
    ).fetchall()
    return {row[0] for row in rows}


def local_profiles(device) -> dict[str, dict]:
    rows = device.session.db.execute("SELECT id FROM profiles WHERE deleted = 0").fetchall()
    return {row[0]: device.session.profiles.get(row[0], record_view=False).answers for row in rows}


def conflicted(device) -> set[str]:
    rows = device.session.db.execute("SELECT profile_id FROM sync_conflicts").fetchall()
    return {row[0] for row in rows}


TRANSIENT = (ServerUnreachable, BadServerResponse)


def try_sync(device, log) -> bool:
    try:
        device.sync()
        return True
    except TRANSIENT as exc:
        log.append(f"  sync failed: {type(exc).__name__}")
    except ServerRefused as exc:
        if exc.code != "invalid_challenge":  # a replayed sign-in uses up the nonce
            raise
        log.append("  sync failed: replayed sign-in")
    return False


@pytest.fixture
def chaos_env(tmp_path, tls):
    database = f"sqlite:///{tmp_path / 'central.db'}"
    server = ServerProcess(database, tls, tmp_path / "logs")
    server.start()
    seed = int(os.environ.get("INTAKE_CHAOS_SEED", random.randrange(1_000_000)))
    proxy = FaultProxy(server.port, tls, seed)
    central = service_for(database)
    central.add_team("chaos")
    devices = []
    for index, user in enumerate(("anna", "ben", "cem")):
        code, _ = central.new_enrol_code("chaos")
        directory = tmp_path / f"device-{index}"
        keyring = DeviceKeyring(FileKeyring(tmp_path / f"keyring-{index}.cfg"))
        device = new_device(directory, keyring, proxy.url, tls.ca_file, user=user, batch_size=7)
        # enrol straight to the server, then talk through the proxy
        device.syncer._transport = Transport(server.url, ca_file=tls.ca_file)
        device.syncer.enroll(code, f"device-{index}")
        device.syncer._transport.close()
        device.syncer._transport = device.transport
        devices.append(device)
    yield server, proxy, central, devices, seed
    for device in devices:
        device.close()
    proxy.close()
    server.stop()


def test_three_devices_converge_through_cuts_replays_and_restarts(chaos_env):
    server, proxy, central, devices, seed = chaos_env
    rng = random.Random(seed)
    model = Model()
    log: list[str] = [f"seed {seed}"]

    def edit(device, profile, name=None):
        name = name or rng.choice(FIELDS)
        known = model.known(profile, name, revision_ids(device, profile))
        value = model.new_value(name)
        answers = {**local_profiles(device)[profile], name: value}
        change = device.session.profiles.save(answers, profile_id=profile, **FORM)
        model.write(profile, name, value, change.revision_id, known)
        log.append(f"  edit {profile[:8]} {name}={value}")

    def editable(device):
        return sorted(set(local_profiles(device)) - conflicted(device))

    def resolve(device, profile):
        conflict = device.state.conflict(profile)
        if conflict is None:
            return
        choices, known = {}, {}
        revisions = revision_ids(device, profile)
        for item in conflict.fields:
            known[item.name] = model.known(profile, item.name, revisions)
            choices[item.name] = model.new_value(item.name)
        change = device.state.resolve(profile, choices)
        for name, value in choices.items():
            model.write(profile, name, value, change.revision_id, known[name])
        log.append(f"  resolve {profile[:8]} {sorted(choices)}")

    try:
        for step in range(OPERATIONS):
            index = rng.randrange(3)
            device = devices[index]
            roll = rng.random()
            log.append(f"{step}: device {index} roll {roll:.2f}")
            if roll < 0.15 or not local_profiles(device):
                answers = {name: model.new_value(name) for name in rng.sample(FIELDS, 3)}
                change = device.session.profiles.save(answers, **FORM)
                model.profiles.add(change.profile_id)
                for name, value in answers.items():
                    model.write(change.profile_id, name, value, change.revision_id, ())
                log.append(f"  create {change.profile_id[:8]}")
            elif roll < 0.45:
                choices = editable(device)
                if choices:
                    edit(device, rng.choice(choices))
            elif roll < 0.50:
                choices = editable(device)
                if choices:
                    profile = rng.choice(choices)
                    device.session.profiles.delete(profile)
                    model.deleted.add(profile)
                    log.append(f"  delete {profile[:8]}")
            elif roll < 0.60:
                other = devices[(index + 1 + rng.randrange(2)) % 3]
                shared = sorted(set(editable(device)) & set(editable(other)))
                if shared:
                    profile = rng.choice(shared)
                    name = rng.choice(FIELDS)
                    edit(device, profile, name)
                    edit(other, profile, name if rng.random() < 0.5 else rng.choice(FIELDS))
            elif roll < 0.63:
                for profile in sorted(conflicted(device))[:1]:
                    resolve(device, profile)
            elif roll < 0.65:
                kill = rng.random() < 0.5
                log.append(f"  restart server (kill={kill})")
                server.restart(kill=kill)
            else:
                try_sync(device, log)

        # Quiet network, then sync until nothing moves.
        proxy.enabled = False

        def settle():
            for _round in range(12):
                moved = 0
                for device in devices:
                    summary = device.sync()
                    moved += summary.pushed + summary.pulled + summary.merged
                if moved == 0:
                    return
            raise AssertionError("devices did not settle")

        settle()
        expected_conflicts = model.expected_conflicts()
        for index, device in enumerate(devices):
            found = {c.profile_id: {f.name for f in c.fields} for c in device.state.conflicts()}
            if found != expected_conflicts:
                explain(device, model, found, expected_conflicts)
            assert found == expected_conflicts, f"device {index} surfaced other conflicts"
        for profile in sorted(expected_conflicts):
            resolve(devices[0], profile)
        settle()

        live = model.profiles - model.deleted
        server_ids = central_revision_ids(central)
        for index, device in enumerate(devices):
            profiles = local_profiles(device)
            assert set(profiles) == live, f"device {index} holds other profiles"
            for profile in live:
                assert profiles[profile] == model.expected_answers(profile), (index, profile)
            assert device.state.conflicts() == []
            assert device.state.status().waiting_revisions == 0
            ids = {r[0] for r in device.session.db.execute("SELECT id FROM revisions")}
            assert ids == server_ids, f"device {index} and the server hold different revisions"
            leaked = device.session.db.execute(
                "SELECT count(*) FROM revisions r JOIN profiles p ON p.id = r.profile_id"
                " WHERE p.deleted = 1 AND r.answers IS NOT NULL"
            ).fetchone()[0]
            assert leaked == 0, "a deleted profile kept answers"
        assert sum(proxy.stats[k] for k in ("cut_request", "cut_response", "duplicate")) > 10
        assert server.starts > 1
    except BaseException:
        print("\n".join(log[-400:]))
        print("proxy:", dict(proxy.stats))
        raise


def central_revision_ids(central) -> set[str]:
    from sqlalchemy import select

    from intake.central import db as tables

    with central.engine.connect() as conn:
        ids = conn.execute(select(tables.revisions.c.id)).scalars().all()
    assert len(ids) == len(set(ids))
    return set(ids)


def explain(device, model, found, expected) -> None:
    import json

    for profile in sorted(
        set(found) ^ set(expected) | {p for p in found if found[p] != expected.get(p)}
    ):
        names = found.get(profile, set()) ^ expected.get(profile, set())
        print("PROFILE", profile[:8], "fields", names)
        rows = device.session.db.execute(
            "SELECT id, parents, device_id, created_at, answers FROM revisions WHERE profile_id = ?"
            " ORDER BY created_at",
            [profile],
        ).fetchall()
        for rid, parents, dev, at, answers in rows:
            values = {n: (json.loads(answers) or {}).get(n) for n in names} if answers else None
            print("  rev", rid[:8], [x[:8] for x in json.loads(parents)], dev[:8], at, values)
        for name in names:
            for w in model.by_field[(profile, name)]:
                write = model.writes[w]
                print("  write", name, write.value, write.revision[:8], sorted(write.supersedes))
