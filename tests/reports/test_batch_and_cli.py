"""Batches streamed into one file (progress, cancel, bad targets) and 'intake report' on a real
store, with the audit log."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from pypdf import PdfReader
from tests.conftest import PASSWORD
from tests.reports.conftest import INFO, LANGUAGES, contains, pdf_lines, persona, source

from intake.errors import IntakeError
from intake.reports import ReportCancelled, ReportOutputError, write_report


def _sources(form, count):
    for index in range(count):
        answers = persona(LANGUAGES[index % len(LANGUAGES)])
        answers["customer_number"] = f"999D{index:06d}"
        yield source(form, answers)


def test_batch_streams_every_profile_into_one_pdf(form, out_dir):
    calls = []
    target = out_dir / "batch.pdf"
    result = write_report(
        "client",
        _sources(form, 23),
        target,
        INFO,
        total=23,
        chunk=5,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert result.profiles == 23 and result.pages == 23
    reader = PdfReader(target)
    assert len(reader.pages) == 23
    assert calls == [(5, 23), (10, 23), (15, 23), (20, 23), (23, 23)]
    pages = pdf_lines(target.read_bytes())
    assert contains(pages[0], "999D000000") and contains(pages[22], "999D000022")
    assert all(contains(lines, "Seite 1 von 1") for lines in pages), "numbered per person"
    assert sorted(p.name for p in out_dir.iterdir()) == ["batch.pdf"], "no temporary file left"


def test_cancel_leaves_nothing_behind(form, out_dir):
    seen = []

    def cancelled() -> bool:
        return len(seen) >= 7

    with pytest.raises(ReportCancelled):
        write_report(
            "case",
            _sources(form, 20),
            out_dir / "batch.pdf",
            INFO,
            chunk=3,
            progress=lambda done, total: seen.append(done),
            cancelled=cancelled,
        )
    assert list(out_dir.iterdir()) == []


def test_existing_file_is_kept_when_a_batch_fails(form, out_dir):
    target = out_dir / "old.pdf"
    target.write_bytes(b"previous file")

    def broken():
        yield from _sources(form, 3)
        raise RuntimeError("store went away")

    with pytest.raises(RuntimeError):
        write_report("case", broken(), target, INFO, chunk=2)
    assert target.read_bytes() == b"previous file"
    assert [p.name for p in out_dir.iterdir()] == ["old.pdf"]


def test_unwritable_targets_give_one_sentence(form, out_dir):
    with pytest.raises(ReportOutputError) as missing:
        write_report("case", _sources(form, 1), out_dir / "nope" / "x.pdf", INFO)
    assert "does not exist" in missing.value.user_message()
    with pytest.raises(ReportOutputError) as folder:
        write_report("case", _sources(form, 1), out_dir, INFO)
    assert "folder" in folder.value.user_message()


@pytest.fixture
def small_disk(tmp_path):
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    if os.name != "posix" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root on Linux")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(mount_point)],
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_full_disk_is_one_clear_sentence_and_no_file(form, small_disk):
    with pytest.raises(IntakeError) as full:
        write_report("client", _sources(form, 40), small_disk / "batch.pdf", INFO, chunk=5)
    assert "disk is full" in full.value.user_message()
    assert list(small_disk.iterdir()) == []


# -- the command line ---------------------------------------------------------------------------


@pytest.fixture
def store(intake, tmp_path, form):
    data = tmp_path / "store"
    assert (
        intake(
            "--data-dir",
            str(data),
            "init",
            "--admin",
            "anna",
            "--password-stdin",
            input=PASSWORD + "\n",
        ).returncode
        == 0
    )
    documents = []
    for language in ("ar", "ti"):
        answers = persona(language)
        documents.append(
            {
                "form_id": "erstprofil",
                "form_version": form.version,
                "answers": answers,
                "status": "complete",
            }
        )
    file = tmp_path / "import.json"
    file.write_text(json.dumps(documents, ensure_ascii=False), encoding="utf-8")
    done = intake(
        "--data-dir",
        str(data),
        "profile",
        "import",
        str(file),
        "--user",
        "anna",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert done.returncode == 0, done.stderr
    ids = done.stdout.strip().splitlines()[-2:]
    return data, ids


def test_cli_prints_one_profile_and_a_batch_and_audits(intake, store, out_dir, cli_env):
    data, ids = store
    target = out_dir / "client.pdf"
    done = intake(
        "--data-dir",
        str(data),
        "report",
        ids[0],
        "--kind",
        "client",
        "--lang",
        "ar",
        "--out",
        str(target),
        "--user",
        "anna",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert done.returncode == 0, done.stderr
    assert "1 profile" in done.stdout
    assert len(PdfReader(target).pages) == 1
    batch = out_dir / "all.pdf"
    done = intake(
        "--data-dir",
        str(data),
        "report",
        "--all",
        "--filter",
        "status=complete",
        "--out",
        str(batch),
        "--user",
        "anna",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert done.returncode == 0, done.stderr
    assert len(PdfReader(batch).pages) == 2
    verify = intake(
        "--data-dir",
        str(data),
        "audit",
        "verify",
        "--user",
        "anna",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert verify.returncode == 0, verify.stderr


def test_cli_errors_are_one_sentence(intake, store, out_dir):
    data, ids = store
    unknown = intake(
        "--data-dir",
        str(data),
        "report",
        "00000000-0000-4000-8000-0000000000ff",
        "--out",
        str(out_dir / "x.pdf"),
        "--user",
        "anna",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert unknown.returncode != 0
    assert unknown.stderr.strip().count("\n") == 0 and "No profile" in unknown.stderr
    nowhere = intake(
        "--data-dir",
        str(data),
        "report",
        ids[0],
        "--out",
        str(out_dir / "missing" / "x.pdf"),
        "--user",
        "anna",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert nowhere.returncode != 0 and "does not exist" in nowhere.stderr
    assert "Traceback" not in nowhere.stderr
    both = intake("--data-dir", str(data), "report", ids[0], "--all", "--out", "x.pdf")
    assert both.returncode != 0 and "either a profile id or --all" in both.stderr
    assert list(out_dir.iterdir()) == []


def test_service_audits_views_prints_exports_and_batches(session, form, out_dir):
    from tests.conftest import COUNSELOR_PASSWORD

    from intake.errors import PermissionDenied
    from intake.reports import ReportService

    ids = [
        session.profiles.save(
            persona(lang), form_id="erstprofil", form_version=form.version
        ).profile_id
        for lang in ("ar", "uk", "ti")
    ]
    service = ReportService(session, jobcenter="Jobcenter Teststadt")
    preview = service.preview(ids[0], "client", language="ar")
    assert preview.startswith(b"%PDF")
    service.record_print(ids[0], "client", 1, language="ar")
    service.export(ids[1], "case", out_dir / "one.pdf")
    result = service.batch(ids, "case", out_dir / "all.pdf", progress=lambda d, t: None)
    assert result.profiles == 3
    entries = [e for e in session.audit.entries() if e["action"].startswith("profile_")]
    actions = [(e["action"], e["object_id"]) for e in entries]
    assert ("profile_view", ids[0]) in actions
    assert ("profile_print", ids[0]) in actions
    assert ("profile_export", ids[1]) in actions
    batch = [e for e in entries if e["detail"] and '"batch": true' in e["detail"]]
    assert sorted(e["object_id"] for e in batch) == sorted(ids)
    for entry in entries:  # ids, kinds and counts only: no names in the audit log
        assert "Testfamily" not in (entry["detail"] or "")
    assert session.audit.verify().ok

    session.add_user("carla", "counselor", COUNSELOR_PASSWORD)
    vault = session._vault
    session.close()
    counselor = vault.unlock("carla", COUNSELOR_PASSWORD)
    try:
        with pytest.raises(PermissionDenied):
            ReportService(counselor).batch(ids, "case", out_dir / "denied.pdf")
    finally:
        counselor.close()
    assert not (out_dir / "denied.pdf").exists()
