"""Frozen-bundle benchmark (SPEC §9): start to the login window vs. a frozen bare PySide6 window.

Both sides are PyInstaller one-folder bundles started the same way, interleaved in the same run:
the Intake bundle from packaging/build.sh (``dist/intake``) and a tiny bundle that only shows an
empty QWidget, built here with the same clean venv's PyInstaller and the same module layout
(loose .pyc files, no PYZ archive; cached in ``build/bench-bare``). The app prints "ready" once its login window is shown
(``INTAKE_BENCH_READY=1``); the bare window prints it at the same point. Budget: ratio <= 1.5.
Also reports the size of both bundles on disk.

Run:  bash packaging/build.sh && python bench/bench_bundle.py [--runs 9]
Writes bench/results/bundle.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))

from bench_ui import time_to_ready  # noqa: E402 - one way to time a start, for both benches

BUNDLE = ROOT / "dist" / "intake"
BARE_DIR = ROOT / "build" / "bench-bare"
BARE = '''"""A bare PySide6 window: the baseline for the frozen app's start."""
import os
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

app = QApplication([])
window = QWidget()
window.resize(1280, 820)
window.show()
if os.environ.get("INTAKE_BENCH_READY"):
    QTimer.singleShot(0, lambda: (print("ready", flush=True), app.quit()))
app.exec()
'''


NOARCHIVE_MARK = "# built with --debug noarchive, like dist/intake\n"


def venv_bin() -> Path:
    venv = ROOT / "build" / "venv-bundle"
    return venv / ("Scripts" if os.name == "nt" else "bin")


def exe_name(name: str) -> str:
    return name + (".exe" if os.name == "nt" else "")


def build_bare() -> Path:
    """The bare-window bundle (PyInstaller, one folder, same venv as the app's bundle)."""
    exe = BARE_DIR / "dist" / "bare" / exe_name("bare")
    script = BARE_DIR / "bare.py"
    if exe.is_file() and script.is_file() and script.read_text() == BARE + NOARCHIVE_MARK:
        return exe
    BARE_DIR.mkdir(parents=True, exist_ok=True)
    script.write_text(BARE + NOARCHIVE_MARK)
    pyinstaller = venv_bin() / exe_name("pyinstaller")
    if not pyinstaller.is_file():
        raise SystemExit("no build/venv-bundle: run 'bash packaging/build.sh' first")
    subprocess.run(
        [
            str(pyinstaller),
            "--noconfirm",
            "--onedir",
            "--log-level",
            "WARN",
            "--name",
            "bare",
            "--debug",
            "noarchive",  # built like the app's bundle (packaging/intake.spec: noarchive=True)
            "--distpath",
            str(BARE_DIR / "dist"),
            "--workpath",
            str(BARE_DIR / "work"),
            "--specpath",
            str(BARE_DIR),
            str(script),
        ],
        check=True,
    )
    return exe


def size_on_disk(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def bench(runs: int) -> dict:
    app_exe = BUNDLE / exe_name("intake")
    cli_exe = BUNDLE / exe_name("intake-cli") if os.name == "nt" else app_exe
    if not app_exe.is_file():
        raise SystemExit("no dist/intake: run 'bash packaging/build.sh' first")
    bare_exe = build_bare()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    env.update(
        QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        INTAKE_BENCH_READY="1",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    with tempfile.TemporaryDirectory(prefix="intake-bench-bundle-") as tmp:
        data = Path(tmp) / "store"
        subprocess.run(
            [str(cli_exe), "--data-dir", str(data), "init", "--admin", "anna", "--password-stdin"],
            input="bench password 1\n",
            text=True,
            env=env,
            check=True,
            capture_output=True,
        )
        app_cmd, bare_cmd = [str(app_exe), "--data-dir", str(data)], [str(bare_exe)]
        time_to_ready(app_cmd, env)  # warm the file cache for both, not counted
        time_to_ready(bare_cmd, env)
        app, bare = [], []
        for _ in range(runs):  # interleaved, so load on the machine hits both alike
            app.append(time_to_ready(app_cmd, env))
            bare.append(time_to_ready(bare_cmd, env))
    return {
        "runs": runs,
        "app_median_ms": statistics.median(app) * 1000,
        "bare_median_ms": statistics.median(bare) * 1000,
        "ratio": statistics.median(app) / statistics.median(bare),
        "bundle_bytes": size_on_disk(BUNDLE),
        "bare_bundle_bytes": size_on_disk(bare_exe.parent),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    result = bench(args.runs)
    print(
        f"frozen start to login window  app {result['app_median_ms']:.0f} ms  frozen bare "
        f"PySide6 window {result['bare_median_ms']:.0f} ms  ratio {result['ratio']:.2f}  "
        f"[budget <= 1.5]"
    )
    print(
        f"bundle size  dist/intake {result['bundle_bytes'] / 2**20:.0f} MiB  "
        f"(bare PySide6 window bundle {result['bare_bundle_bytes'] / 2**20:.0f} MiB)"
    )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "bundle.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
