"""Killing the app in the middle of an interview loses nothing: the next login reopens the
interview at the last answered question, with the answer there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import COUNSELOR_PASSWORD
from tests.ui.app_child import ANSWERS
from tests.ui.conftest import log_in

CHILD = Path(__file__).with_name("app_child.py")


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_kill_mid_interview_and_reopen_at_the_last_answer(qtbot, store, device_keyring, window):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), QT_QPA_PLATFORM="offscreen")
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(store.data_dir), device_keyring.backend.file_path, "bert"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    child.stdin.write(COUNSELOR_PASSWORD + "\n")
    child.stdin.flush()
    saved = []
    while len(saved) < 3:
        line = child.stdout.readline()
        assert line, child.stderr.read()
        saved.append(line.split()[1])
    child.send_signal(signal.SIGKILL)  # mid-interview: the fourth answer may or may not be in
    child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    last = saved[-1]

    workspace = log_in(qtbot, window)
    qtbot.waitUntil(lambda: workspace.interview is not None, timeout=5000)
    screen = workspace.interview
    assert screen.current == "person"
    answered = dict(ANSWERS)
    for question in saved:
        card = screen.pages["person"].cards[(question, None)]
        assert card.input.edit.text() == answered[question]
    focus_card = screen.pages["person"].cards[(screen.controller.position["question"], None)]
    assert focus_card.question.id in (
        last,
        ANSWERS[len(saved)][0] if len(saved) < len(ANSWERS) else last,
    )
    assert focus_card.input.edit.hasFocus()
    assert window.session.integrity_problems() == []
