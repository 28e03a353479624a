"""``intake --self-test`` from the source tree: the same smoke test CI runs in the frozen bundle."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg-data")  # a keyring file, if any, lands here
    env["TMPDIR"] = str(tmp_path)
    for name in ("INTAKE_DATA_DIR", "INTAKE_FORMS_DIR", "INTAKE_LOCALE_DIR"):
        env.pop(name, None)
    return env


def self_test(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "intake", "--self-test", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )


def test_self_test_passes_and_falls_back_to_a_file_keyring(env, tmp_path):
    # No OS key store (as on a headless CI machine): the self-test says it used the stand-in.
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    keep = tmp_path / "out"
    result = self_test(env, "--keep", str(keep))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("intake self-test passed")
    assert "keyrings.alt file backend" in lines[0]
    assert "Arabic and Tigrinya" in lines[0]
    for name in ("interview-ar.png", "interview-ti.png"):
        assert (keep / name).stat().st_size > 10_000
    for name in ("client-ar.pdf", "client-ti.pdf"):
        assert (keep / name).read_bytes().startswith(b"%PDF-")
    # Nothing was left behind: no store outside the temporary directory, no keyring file.
    assert not (tmp_path / "xdg-data").exists()
    assert not any(tmp_path.glob("intake-selftest-*"))


def test_self_test_uses_the_default_keyring_and_removes_its_secret_again(env, tmp_path):
    # From source, keyrings.alt's file backend can play the OS key store through keyring's own
    # configuration (the frozen bundle refuses it); its file shows what was left behind.
    env["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    result = self_test(env, "--keyring", "os")
    assert result.returncode == 0, result.stderr
    assert "OS key store keyrings.alt.file.PlaintextKeyring" in result.stdout
    config = configparser.RawConfigParser()
    config.read(tmp_path / "xdg-data" / "python_keyring" / "keyring_pass.cfg")
    assert config.sections()  # the secret was really stored there (its service's section) ...
    assert [config.options(section) for section in config.sections()] == [[]]  # ... and deleted


def test_self_test_fails_in_one_sentence_when_an_os_keyring_is_required(env):
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    result = self_test(env, "--keyring", "os")
    assert result.returncode == 1
    assert result.stdout == ""
    message = result.stderr.strip()
    assert message.startswith("intake self-test failed: no OS key store is available")
    assert "Traceback" not in message
    assert len(message.splitlines()) == 1


def test_self_test_fails_clearly_when_the_form_is_missing(env, tmp_path):
    env["INTAKE_FORMS_DIR"] = str(tmp_path / "no-forms")
    result = self_test(env, "--keyring", "file")
    assert result.returncode == 1
    assert "the Erstprofil form is missing" in result.stderr
    assert "Traceback" not in result.stderr


def test_self_test_fails_clearly_when_catalogs_are_missing(env, tmp_path):
    env["INTAKE_LOCALE_DIR"] = str(tmp_path / "no-catalogs")
    result = self_test(env, "--keyring", "file")
    assert result.returncode == 1
    assert "the compiled 'de' catalog is missing" in result.stderr


def test_ink_fraction_tells_a_blank_image_from_a_drawn_one(qapp):
    from PySide6.QtGui import QColor, QImage, QPainter

    from intake.selftest import ink_fraction

    image = QImage(200, 100, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    assert ink_fraction(image) == 0.0
    painter = QPainter(image)
    painter.fillRect(0, 0, 200, 30, QColor("black"))
    painter.end()
    assert 0.25 < ink_fraction(image) < 0.35
