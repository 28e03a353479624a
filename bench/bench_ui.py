"""Desktop benchmarks (SPEC §9), each against a baseline measured in the same run.

1. Start-up: from process start to the login window on screen, against a bare PySide6 window
   (a process that shows an empty QWidget). Budget: ratio <= 1.5.
2. Section switch in the Erstprofil interview (a full fictional profile): first visit of each
   section (the page is built) and later visits (cached). Budget: under 30 ms.

Run:  QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_ui.py [--runs 9]
Writes bench/results/ui.json.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BARE = """
from PySide6.QtWidgets import QApplication, QWidget
from PySide6.QtCore import QTimer
app = QApplication([])
window = QWidget()
window.resize(1280, 820)
window.show()
QTimer.singleShot(0, lambda: (print("ready", flush=True), app.quit()))
app.exec()
"""


def time_to_ready(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    for line in process.stdout:
        if line.strip() == "ready":
            elapsed = time.perf_counter() - start
            break
    else:
        raise RuntimeError(f"{command} never said ready")
    process.wait(timeout=60)
    return elapsed


def bench_start(runs: int) -> dict:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        INTAKE_BENCH_READY="1",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    with tempfile.TemporaryDirectory(prefix="intake-bench-ui-") as tmp:
        data = Path(tmp) / "store"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "intake",
                "--data-dir",
                str(data),
                "init",
                "--admin",
                "anna",
                "--password-stdin",
            ],
            input="bench password 1\n",
            text=True,
            env=env,
            check=True,
            capture_output=True,
        )
        app, bare = [], []
        for _ in range(runs):  # interleaved, so load on the machine hits both alike
            app.append(
                time_to_ready([sys.executable, "-m", "intake", "--data-dir", str(data)], env)
            )
            bare.append(time_to_ready([sys.executable, "-c", BARE], env))
    return {
        "runs": runs,
        "app_median_ms": statistics.median(app) * 1000,
        "bare_median_ms": statistics.median(bare) * 1000,
        "ratio": statistics.median(app) / statistics.median(bare),
    }


def bench_sections() -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from keyrings.alt.file import PlaintextKeyring
    from tests.formengine.test_form_personas import walk
    from tests.personas import SAMER, TODAY

    from intake.store.device import DeviceKeyring
    from intake.store.keyslots import MINIMUM_KDF
    from intake.store.vault import Vault
    from intake.ui.app import MainWindow, create_application, settings_for
    from intake.ui.qt_i18n import LanguageHub

    app = create_application()
    tmp = Path(tempfile.mkdtemp(prefix="intake-bench-sections-"))
    backend = PlaintextKeyring()
    backend.file_path = str(tmp / "keyring.cfg")
    vault = Vault(tmp / "store", keyring=DeviceKeyring(backend), kdf=MINIMUM_KDF)
    session = vault.create("anna", "bench password 1").session
    from intake.formengine import default_form_path, load_form

    form = load_form(default_form_path())
    answers = walk(form, copy.deepcopy(SAMER))
    profile_id = session.profiles.save(
        answers, form_id=form.id, form_version=form.version
    ).profile_id
    session.close()
    hub = LanguageHub(app)
    hub.set_ui_language("de")
    window = MainWindow(vault, hub, settings_for(tmp), today=lambda: TODAY)
    window.start()
    window.show()
    window.login("anna", "bench password 1")
    while window.workspace is None:
        app.processEvents()
    window.workspace.open_profile(profile_id)
    screen = window.workspace.interview
    screen.controller.set_answer("interview_language", None, "ar", at_once=True)
    opened = time.perf_counter()
    while screen._to_build:  # the pages the screen builds in idle time after opening
        app.processEvents()
    prebuild_ms = (time.perf_counter() - opened) * 1000
    timings: dict[str, list[float]] = {"first": [], "again": []}  # "first": after the prebuild
    sections = [s.id for s in form.sections]
    for phase in ("first", "again"):
        for section in sections:
            start = time.perf_counter()
            screen.show_section(section)
            app.processEvents()  # layout and paint, as the event loop would
            timings[phase].append((time.perf_counter() - start) * 1000)
    window.close()
    return {
        "sections": len(sections),
        "idle_prebuild_ms": prebuild_ms,
        "first_visit_median_ms": statistics.median(timings["first"]),
        "first_visit_max_ms": max(timings["first"]),
        "switch_median_ms": statistics.median(timings["again"]),
        "switch_max_ms": max(timings["again"]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    start = bench_start(args.runs)
    print(
        f"start to login window  app {start['app_median_ms']:.0f} ms  bare PySide6 window "
        f"{start['bare_median_ms']:.0f} ms  ratio {start['ratio']:.2f}  [budget <= 1.5]"
    )
    sections = bench_sections()
    print(
        f"idle-time build of all section pages after opening: {sections['idle_prebuild_ms']:.0f} ms"
    )
    print(
        f"section switch ({sections['sections']} sections)  first visit median "
        f"{sections['first_visit_median_ms']:.1f} ms (max {sections['first_visit_max_ms']:.1f})"
        f"  again median {sections['switch_median_ms']:.1f} ms "
        f"(max {sections['switch_max_ms']:.1f})  [budget < 30 ms]"
    )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "ui.json").write_text(json.dumps({"start": start, "sections": sections}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
