"""SIGKILL a process that is saving answers, again and again: the store always opens, passes
both integrity checks, and keeps every save the writer reported as committed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import PASSWORD

KILLS = 50
WRITER = Path(__file__).with_name("crash_writer.py")


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_sigkill_while_saving_loses_nothing_acknowledged(vault, device_keyring, tmp_path):
    created = vault.create("anna", PASSWORD)
    profile_id = created.session.profiles.save(
        {"family_name": "Crashtest"}, form_id="erstprofil", form_version="1"
    ).profile_id
    created.session.close()
    keyring_file = device_keyring.backend.file_path
    rng = random.Random(20261121)
    acknowledged: list[tuple[str, int]] = []
    counter = 0
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    for _round in range(KILLS):
        child = subprocess.Popen(
            [
                sys.executable,
                str(WRITER),
                str(vault.data_dir),
                keyring_file,
                "anna",
                profile_id,
                str(counter),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        child.stdin.write(PASSWORD + "\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        time.sleep(rng.uniform(0.0, 0.25))  # a random moment in the write loop
        child.send_signal(signal.SIGKILL)
        output, _ = child.communicate()
        assert child.returncode == -signal.SIGKILL
        lines = [line.split() for line in output.splitlines() if line.strip()]
        # A line cut in half by the kill was never fully reported; ignore it.
        acknowledged += [(rev, int(n)) for rev, n in (ln for ln in lines if len(ln) == 2)]
        if acknowledged:
            counter = acknowledged[-1][1]

        session = vault.unlock("anna", PASSWORD)
        try:
            assert session.integrity_problems() == []
            stored = {r.id for r in session.profiles.revisions(profile_id)}
            missing = [rev for rev, _n in acknowledged if rev not in stored]
            assert missing == [], f"round {_round}: lost {len(missing)} acknowledged saves"
            head = session.profiles.get(profile_id, record_view=False).answers
            assert head.get("counter", 0) >= counter
            counter = max(counter, head.get("counter", 0))
            assert session.audit.verify().ok
        finally:
            session.close()
    assert len(acknowledged) > KILLS  # the writer really was writing when it died
