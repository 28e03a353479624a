"""Nothing readable leaves the encrypted file: after storing a distinctive person, no file in
the data directory (database, WAL, SHM, key slots, throttle file, logs) nor the temp directory
contains any part of them in any common encoding."""

from __future__ import annotations

import contextlib
import json
import unicodedata
from pathlib import Path

from tests.conftest import PASSWORD

CANARIES = [
    "Quirinella",
    "Zwetschgenbaum-Ödegård",
    "زُبَيدة الفرّاء",
    "ዘውዲቱ",
    "Євдокія",
    "999D424242",
]


def encodings(text: str) -> set[bytes]:
    variants = {text, text.upper(), text.lower(), unicodedata.normalize("NFD", text)}
    found = set()
    for variant in variants:
        for codec in (
            "utf-8",
            "utf-16-le",
            "utf-16-be",
            "utf-32-le",
            "cp1252",
            "latin-1",
            "cp1256",
            "koi8-u",
        ):
            with contextlib.suppress(UnicodeEncodeError):
                found.add(variant.encode(codec))
        found.add(json.dumps(variant).encode("ascii"))  # \\u escapes as JSON would write them
    return found


def leaks(directories: list[Path]) -> list[str]:
    hits = []
    for directory in directories:
        for path in directory.rglob("*"):
            if path.is_file():
                content = path.read_bytes()
                for canary in CANARIES:
                    if any(needle in content for needle in encodings(canary)):
                        hits.append(f"{path.name}: {canary}")
    return hits


def person():
    return {
        "family_name": CANARIES[2],
        "given_names": CANARIES[3] + " " + CANARIES[4],
        "family_name_latin": CANARIES[1],
        "given_names_latin": CANARIES[0],
        "customer_number": CANARIES[5],
        "notes": " ".join(CANARIES) * 50,  # long enough to fill pages and spill
    }


def test_api_writes_leave_no_clear_text(vault, tmp_path, monkeypatch):
    scratch = tmp_path / "scratch-tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    created = vault.create("anna", PASSWORD)
    session = created.session
    ids = [
        session.profiles.save(person(), form_id="erstprofil", form_version="1").profile_id
        for _ in range(50)
    ]
    session.profiles.list(search="Quirin")  # sorting and FTS temp structures
    session.db.execute("SELECT * FROM revisions ORDER BY answers").fetchall()
    assert (vault.data_dir / "intake.db-wal").exists()
    assert leaks([vault.data_dir, scratch]) == []  # while open, with a live WAL
    session.profiles.export(ids[0])
    session.profiles.delete(ids[1])
    session.close()
    assert leaks([vault.data_dir, scratch]) == []
    header = (vault.data_dir / "intake.db").read_bytes()[:16]
    assert header != b"SQLite format 3\x00"


def test_cli_writes_leave_no_clear_text(intake, tmp_path, cli_env):
    data = tmp_path / "store"
    outside = tmp_path / "outside"
    outside.mkdir()
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
    source = outside / "import.json"
    source.write_text(
        json.dumps(
            {"form_id": "erstprofil", "form_version": "1", "answers": person()}, ensure_ascii=False
        )
    )
    imported = intake(
        "--data-dir",
        str(data),
        "profile",
        "import",
        str(source),
        "--user",
        "anna",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert imported.returncode == 0, imported.stderr
    profile_id = imported.stdout.split()[-1]
    for args in (
        ["profile", "list", "--search", "Quirin"],
        ["profile", "export", profile_id],
        ["profile", "export", "not-an-id"],
        ["profile", "export", "../../etc"],
    ):
        intake(
            "--data-dir",
            str(data),
            *args,
            "--user",
            "anna",
            "--password-stdin",
            input=PASSWORD + "\n",
        )
    intake(
        "--data-dir",
        str(data),
        "profile",
        "list",
        "--user",
        "anna",
        "--password-stdin",
        input="Quirinella wrong password\n",
    )  # a failed login with a canary as the password
    assert leaks([data, Path(cli_env["TMPDIR"])]) == []
    assert (data / "logs" / "intake.log").exists()


def test_the_scanner_finds_clear_text(tmp_path):
    """The check above can fail: an unencrypted SQLite file with the canary is caught."""
    import sqlite3

    plain = sqlite3.connect(tmp_path / "plain.db")
    plain.execute("CREATE TABLE t (v)")
    plain.execute("INSERT INTO t VALUES (?)", [CANARIES[2]])
    plain.commit()
    plain.close()
    (tmp_path / "log.txt").write_bytes(CANARIES[1].upper().encode("utf-16-le"))
    assert sorted(leaks([tmp_path])) == [f"log.txt: {CANARIES[1]}", f"plain.db: {CANARIES[2]}"]
