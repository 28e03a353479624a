"""Report benchmarks (issue 8): one-page summaries and a streamed batch of 1,000 profiles.

1. Milliseconds per one-page PDF (warm, median of ``--repeat`` runs): the German case-file
   summary of a typical profile and the Arabic client copy (shaping + bidi), against a trivial
   reportlab page (one line of Helvetica) in the same run. Budget (SPEC §9): under 100 ms.
2. A batch of ``--profiles`` demo profiles (``intake.demo``) into one PDF through
   ``write_report``: pages per second, and the process' resident memory after each chunk — it
   must stay flat (streamed), so the table shows the first and the peak value.

Run:  .venv/bin/python bench/bench_reports.py [--repeat 30] [--profiles 1000]
Prints a table and writes bench/results/reports.json.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import io
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

from intake.demo import demo_profiles
from intake.formengine import load_form
from intake.formengine.paths import default_form_path
from intake.reports import PrintInfo, ReportInput, render_bytes, write_report

INFO = PrintInfo(user="bench", jobcenter="Jobcenter Teststadt", at=dt.datetime(2026, 3, 16, 10, 0))


def _persona() -> dict:
    try:
        from tests.personas import SAMER
    except ImportError:
        from tests.formengine.test_form_personas import SAMER
    return copy.deepcopy(SAMER)


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def timed(function, repeat: int) -> dict[str, float]:
    function()  # warm: fonts registered, form loaded
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
    }


def trivial_page() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "Erstprofil")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profiles", type=int, default=1000)
    args = parser.parse_args()
    form = load_form(default_form_path())
    answers = _persona()
    case_source = ReportInput(
        form=form, answers=answers, form_id="erstprofil", form_version=form.version
    )
    client_source = ReportInput(form=form, answers=dict(answers, interview_language="ar"))
    results: dict[str, object] = {
        "baseline_trivial_reportlab_page": timed(trivial_page, args.repeat),
        "case_summary_one_page": timed(
            lambda: render_bytes("case", case_source, INFO), args.repeat
        ),
        "client_copy_arabic": timed(
            lambda: render_bytes("client", client_source, INFO), args.repeat
        ),
    }

    sources = (
        ReportInput(form=form, answers=demo, form_id="erstprofil", form_version="1")
        for demo in demo_profiles(args.profiles, seed=1)
    )
    memory: list[float] = []
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory) / "batch.pdf"
        start_rss = rss_mb()
        start = time.perf_counter()
        result = write_report(
            "case",
            sources,
            target,
            INFO,
            total=args.profiles,
            progress=lambda done, total: memory.append(rss_mb()),
        )
        seconds = time.perf_counter() - start
        size = target.stat().st_size
    results["batch"] = {
        "profiles": result.profiles,
        "pages": result.pages,
        "seconds": round(seconds, 2),
        "pages_per_second": round(result.pages / seconds, 1),
        "file_mb": round(size / 2**20, 2),
        "rss_before_mb": round(start_rss, 1),
        "rss_after_first_chunk_mb": round(memory[0], 1),
        "rss_peak_mb": round(max(memory), 1),
        "rss_last_mb": round(memory[-1], 1),
    }
    for name, value in results.items():
        print(f"{name:34} {value}")
    out = Path(__file__).parent / "results" / "reports.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
