"""Render the report screenshots in docs/screenshots/reports/ (fictional people only).

Writes PNG pages (pdftoppm, 100 dpi) of: the German case-file summary of a typical profile, a
long profile that breaks across pages, and client copies in Arabic, Dari, Pashto, Sorani,
Tigrinya and Ukrainian. The PDFs are made in a temporary folder and deleted.

Run:  .venv/bin/python scripts/render_reports.py
"""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.reports.conftest import INFO, PERSONAS, persona, source  # noqa: E402

from intake.formengine import load_form  # noqa: E402
from intake.formengine.paths import default_form_path  # noqa: E402
from intake.reports import render_bytes  # noqa: E402

OUT = ROOT / "docs" / "screenshots" / "reports"
CLIENT_LANGUAGES = ("ar", "fa_AF", "ps", "ckb", "ti", "uk")


def long_profile() -> dict:
    answers = copy.deepcopy(PERSONAS["samer"])
    job = answers["jobs"][0]
    answers["jobs"] = [dict(job, job_tasks=f"Task {i}") for i in range(12)]
    answers["needs"] = [
        {"need_heading": "qualification", "need_item": f"Need number {i}", "need_priority": "p2"}
        for i in range(12)
    ]
    return answers


def main() -> None:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        sys.exit("pdftoppm (poppler-utils) is needed: bash scripts/setup.sh installs it")
    form = load_form(default_form_path())
    jobs = {
        "case-summary": ("case", source(form, PERSONAS["samer"])),
        "case-summary-tesfay": ("case", source(form, PERSONAS["tesfay"])),
        "case-summary-long": ("case", source(form, long_profile())),
        **{
            f"client-copy-{lang}": ("client", source(form, persona(lang)))
            for lang in CLIENT_LANGUAGES
        },
    }
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as directory:
        for name, (kind, report_source) in jobs.items():
            pdf = Path(directory) / f"{name}.pdf"
            pdf.write_bytes(render_bytes(kind, report_source, INFO))
            subprocess.run([pdftoppm, "-r", "100", "-png", str(pdf), str(OUT / name)], check=True)
    for png in sorted(OUT.glob("*.png")):
        print(png.relative_to(ROOT))


if __name__ == "__main__":
    main()
