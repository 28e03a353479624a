"""Portable mode from the source tree: a marker file beside the program puts the data beside it.

From source "beside the program" is the working directory; the frozen bundle (its executable's
folder) is covered by tests/packaging/test_bundle.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from intake import paths


@pytest.fixture
def no_override(monkeypatch):
    monkeypatch.delenv("INTAKE_DATA_DIR", raising=False)


def test_marker_file_switches_to_data_beside_the_program(tmp_path, monkeypatch, no_override):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert paths.portable_data_dir() is None
    assert paths.default_data_dir() == tmp_path / "xdg" / "Intake"

    (tmp_path / paths.PORTABLE_MARKER).write_text("")
    assert paths.default_data_dir() == tmp_path / "data"

    monkeypatch.setenv("INTAKE_DATA_DIR", str(tmp_path / "elsewhere"))
    assert paths.default_data_dir() == tmp_path / "elsewhere"  # an explicit choice still wins


def test_a_folder_named_like_the_marker_is_not_a_marker(tmp_path, monkeypatch, no_override):
    monkeypatch.chdir(tmp_path)
    (tmp_path / paths.PORTABLE_MARKER).mkdir()
    assert paths.portable_data_dir() is None


def test_frozen_program_dir_is_the_executables_folder(tmp_path, monkeypatch, no_override):
    exe = tmp_path / "usb" / "intake" / "intake.exe"
    exe.parent.mkdir(parents=True)
    exe.write_bytes(b"")
    (exe.parent / paths.PORTABLE_MARKER).write_text("")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    monkeypatch.setattr(sys, "_MEIPASS", str(exe.parent / "_internal"), raising=False)
    monkeypatch.chdir(tmp_path)  # the working directory does not matter once frozen
    assert paths.default_data_dir() == exe.parent / "data"
    assert paths.resource_dir() == exe.parent / "_internal"


def test_init_without_data_dir_writes_the_store_beside_the_program(tmp_path, cli_env):
    (tmp_path / paths.PORTABLE_MARKER).write_text("")
    env = dict(cli_env)
    env.pop("INTAKE_DATA_DIR", None)
    result = subprocess.run(
        [sys.executable, "-m", "intake", "init", "--admin", "anna", "--password-stdin"],
        input="portable password 1\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "intake.db").is_file()
    assert (tmp_path / "data" / "keyslots.json").is_file()
    assert not (Path(env["XDG_DATA_HOME"]) / "Intake").exists()
    assert os.listdir(tmp_path / "data")
