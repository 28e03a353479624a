"""The frozen bundle (dist/intake from packaging/build.sh): it starts, finds everything, works.

These run only when ``INTAKE_BUNDLE`` names a built bundle folder; ``scripts/test.sh`` builds one
and sets it when ``CI=true`` (or ``INTAKE_BUILD_BUNDLE=1``). Each test drives the frozen
executables as an installation would: the self-test, the command line, portable mode, the
login window, and the bundle's contents (what must be in it, and what must not).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BUNDLE = os.environ.get("INTAKE_BUNDLE")
pytestmark = pytest.mark.skipif(
    not BUNDLE, reason="no bundle: bash packaging/build.sh, then INTAKE_BUNDLE=dist/intake"
)
IN_CI = os.environ.get("CI") == "true"
PASSWORD_INPUT = "bundle password 1\n"


@pytest.fixture(scope="module")
def bundle() -> Path:
    folder = Path(BUNDLE or "").resolve()
    assert (folder / "intake").is_file() or (folder / "intake.exe").is_file(), (
        f"{folder} holds no intake executable"
    )
    return folder


def exe(folder: Path) -> Path:
    """The console executable (intake-cli.exe on Windows, where intake.exe has no console)."""
    for name in ("intake-cli.exe", "intake"):
        if (folder / name).is_file():
            return folder / name
    raise AssertionError(f"no intake executable in {folder}")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A user with an empty home: no OS key store, no data, no session bus."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("INTAKE_", "PYTHON", "DBUS_", "XDG_")) and key != "VIRTUAL_ENV"
    }
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_DATA_HOME=str(tmp_path / "home" / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "home" / "config"),
        TMPDIR=str(tmp_path),
        QT_QPA_PLATFORM="offscreen",
        INTAKE_LANG="en",
    )
    (tmp_path / "home").mkdir()
    return env


def run(command: list, env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        **kwargs,
    )


def test_frozen_self_test_passes_without_an_os_keyring(bundle, env):
    result = run([exe(bundle), "--self-test"], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("intake self-test passed"), result.stdout
    assert "Arabic and Tigrinya" in result.stdout


@pytest.mark.skipif(sys.platform != "linux", reason="Secret Service is the Linux key store")
def test_frozen_self_test_unlocks_through_the_secret_service(bundle, env, tmp_path):
    """A real OS key store: gnome-keyring on a private session bus, found by the frozen keyring."""
    tools = [shutil.which("dbus-run-session"), shutil.which("gnome-keyring-daemon")]
    if not all(tools):
        if IN_CI:
            pytest.fail("dbus-run-session and gnome-keyring-daemon are needed (scripts/setup.sh)")
        pytest.skip("no dbus-run-session or gnome-keyring-daemon")
    script = (
        'printf "keyring password" | gnome-keyring-daemon --unlock --components=secrets '
        '>/dev/null && exec "$@"'
    )
    result = run(
        [
            "dbus-run-session",
            "--",
            "sh",
            "-c",
            script,
            "sh",
            exe(bundle),
            "--self-test",
            "--keyring",
            "os",
        ],
        env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "OS key store keyring.backends.SecretService.Keyring" in result.stdout


@pytest.mark.skipif(sys.platform != "linux", reason="X11 is Linux's")
def test_frozen_self_test_on_a_real_x11_display(bundle, env):
    """Qt's xcb platform plugin and the libraries it links are in the bundle and load."""
    if not shutil.which("xvfb-run"):
        if IN_CI:
            pytest.fail("xvfb-run is needed (scripts/setup.sh)")
        pytest.skip("no xvfb-run")
    env = dict(env, QT_QPA_PLATFORM="xcb")
    result = run(["xvfb-run", "-a", "-s", "-screen 0 1400x900x24", exe(bundle), "--self-test"], env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("intake self-test passed")


def test_frozen_command_line_creates_a_store_and_validates_the_shipped_form(bundle, env, tmp_path):
    data = tmp_path / "store"
    result = run(
        [exe(bundle), "--data-dir", data, "init", "--admin", "anna", "--password-stdin"],
        env,
        input=PASSWORD_INPUT,
    )
    assert result.returncode == 0, result.stderr
    assert (data / "intake.db").is_file()
    shipped_form = next(bundle.glob("**/forms/erstprofil.yaml"))
    result = run([exe(bundle), "forms", "validate", shipped_form], env)
    assert result.returncode == 0, result.stderr
    result = run([exe(bundle), "--data-dir", data, "doctor"], env)
    assert "fonts" in result.stdout and "FAIL" not in result.stdout, result.stdout


def test_frozen_app_reaches_the_login_window(bundle, env, tmp_path):
    data = tmp_path / "store"
    init = [exe(bundle), "--data-dir", data, "init", "--admin", "anna", "--password-stdin"]
    assert run(init, env, input=PASSWORD_INPUT).returncode == 0
    gui = bundle / ("intake.exe" if sys.platform == "win32" else "intake")
    result = run([gui, "--data-dir", data], dict(env, INTAKE_BENCH_READY="1"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "ready"


def test_frozen_portable_mode_follows_the_marker_file(bundle, env, tmp_path):
    # A copy of the bundle as on a USB stick (hard links: instant, and the copy's own path).
    stick = tmp_path / "usb" / "intake"
    shutil.copytree(bundle, stick, copy_function=os.link, symlinks=True)
    init = [exe(stick), "init", "--admin", "anna", "--password-stdin"]
    (stick / "intake-portable").write_text("")
    result = run(init, env, input=PASSWORD_INPUT, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (stick / "data" / "intake.db").is_file()
    assert (stick / "data" / "keyslots.json").is_file()
    assert not Path(env["XDG_DATA_HOME"], "Intake").exists()

    # Without the marker the same program uses the user's data directory again.
    (stick / "intake-portable").unlink()
    result = run(init, env, input=PASSWORD_INPUT, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    if sys.platform == "linux":
        assert Path(env["XDG_DATA_HOME"], "Intake", "intake.db").is_file()


def test_bundle_carries_what_the_app_needs_and_not_more(bundle):
    internal = bundle / "_internal" if (bundle / "_internal").is_dir() else bundle
    files = {p.relative_to(internal).as_posix() for p in internal.rglob("*")}
    for needed in (
        "forms/erstprofil.yaml",
        "forms/schema",
        "ui/fonts/NotoSansEthiopic-Regular.ttf",
        "ui/fonts/OFL.txt",
        "ui/styles/intake.qss",
        "intake/locale/ar/LC_MESSAGES/intake.mo",
        "intake/locale/ti/LC_MESSAGES/intake.mo",
        "intake/locale/de/LC_MESSAGES/intake.mo",
        "intake/reports/texts.yaml",
        "babel/locale-data/ti.dat",
        "PySide6/Qt/translations/qtbase_de.qm",
    ):
        assert needed in files, f"{needed} is missing from the bundle"
    assert any(name.startswith("keyring-") and name.endswith(".dist-info") for name in files)
    # keyrings.alt's code is there for the self-test, its entry points must not be.
    assert not any(name.startswith("keyrings.alt-") for name in files)
    unused = ("Qt6Qml", "Qt6Quick", "Qt6WebEngine", "Qt63D", "Qt6Multimedia", "Qt6Pdf", "libqgtk3")
    assert not [name for name in files if any(part in name for part in unused)]
    assert not any(
        name.startswith("fastapi/") or name.startswith("intake/central") for name in files
    )
    assert len([n for n in files if n.startswith("babel/locale-data/")]) < 300
