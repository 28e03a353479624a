"""The ``intake`` command line, end to end in subprocesses, on a real store."""

from __future__ import annotations

import json

from tests.conftest import COUNSELOR_PASSWORD, PASSWORD


def test_init_prints_the_recovery_code_once(intake, tmp_path):
    data = tmp_path / "store"
    result = intake(
        "--data-dir",
        str(data),
        "init",
        "--admin",
        "anna",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr
    code = result.stdout.strip().splitlines()[-1]
    assert len(code) == 39 and code.count("-") == 7
    assert "bound to this computer's key store" in result.stdout
    assert code not in (data / "keyslots.json").read_text()
    assert not any(code in p.read_text(errors="ignore") for p in (data / "logs").iterdir())
    again = intake(
        "--data-dir", str(data), "init", "--admin", "x", "--password-stdin", input=PASSWORD + "\n"
    )
    assert again.returncode != 0 and "already exists" in again.stderr


def test_init_without_a_keyring_says_so(intake, tmp_path, cli_env):
    env = dict(cli_env, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    data = tmp_path / "store"
    result = intake(
        "--data-dir",
        str(data),
        "init",
        "--admin",
        "anna",
        "--password-stdin",
        input=PASSWORD + "\n",
        env=env,
    )
    assert result.returncode == 0
    assert "no OS key store" in result.stderr and "passwords only" in result.stderr
    required = intake(
        "--data-dir",
        str(tmp_path / "other"),
        "init",
        "--admin",
        "anna",
        "--keyring",
        "required",
        "--password-stdin",
        input=PASSWORD + "\n",
        env=env,
    )
    assert required.returncode != 0 and "key store" in required.stderr
    listing = intake(
        "--data-dir",
        str(data),
        "profile",
        "list",
        "--user",
        "anna",
        "--password-stdin",
        input=PASSWORD + "\n",
        env=env,
    )
    assert listing.returncode == 0, listing.stderr


def test_users_profiles_demo_audit_doctor(intake, tmp_path):
    d = ["--data-dir", str(tmp_path / "store")]
    admin = ["--user", "anna", "--password-stdin"]
    assert (
        intake(*d, "init", "--admin", "anna", "--password-stdin", input=PASSWORD + "\n").returncode
        == 0
    )
    added = intake(
        *d,
        "user",
        "add",
        "bert",
        "--role",
        "counselor",
        *admin,
        input=f"{PASSWORD}\n{COUNSELOR_PASSWORD}\n",
    )
    assert added.returncode == 0, added.stderr
    users = json.loads(
        intake(*d, "user", "list", *admin, "--format", "json", input=PASSWORD + "\n").stdout
    )
    assert [(u["id"], u["role"]) for u in users] == [("anna", "admin"), ("bert", "counselor")]

    bert = ["--user", "bert", "--password-stdin"]
    denied = intake(
        *d,
        "user",
        "add",
        "eve",
        "--role",
        "admin",
        *bert,
        input=f"{COUNSELOR_PASSWORD}\nwhatever password\n",
    )
    assert denied.returncode != 0 and "does not allow" in denied.stderr

    assert (
        intake(*d, "demo", "--profiles", "25", *bert, input=COUNSELOR_PASSWORD + "\n").returncode
        == 0
    )
    rows = json.loads(
        intake(
            *d,
            "profile",
            "list",
            "--format",
            "json",
            "--limit",
            "100",
            *bert,
            input=COUNSELOR_PASSWORD + "\n",
        ).stdout
    )
    assert len(rows) == 25 and all("id" in row for row in rows)
    exported = intake(
        *d, "profile", "export", rows[0]["id"], *bert, input=COUNSELOR_PASSWORD + "\n"
    )
    document = json.loads(exported.stdout)
    assert isinstance(document, list) and document[0]["id"] == rows[0]["id"]

    path = tmp_path / "profile.json"
    path.write_text(
        json.dumps(
            {
                **document[0],
                "id": None,
                "answers": {**document[0]["answers"], "family_name_latin": "Importova"},
            }
        )
    )
    imported = intake(*d, "profile", "import", str(path), *bert, input=COUNSELOR_PASSWORD + "\n")
    assert imported.returncode == 0, imported.stderr
    found = json.loads(
        intake(
            *d,
            "profile",
            "list",
            "--search",
            "importova",
            "--format",
            "json",
            *bert,
            input=COUNSELOR_PASSWORD + "\n",
        ).stdout
    )
    assert len(found) == 1
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    broken = intake(*d, "profile", "import", str(bad), *bert, input=COUNSELOR_PASSWORD + "\n")
    assert broken.returncode != 0 and "not valid JSON" in broken.stderr

    no_delete = intake(
        *d, "profile", "delete", found[0]["id"], "--yes", *bert, input=COUNSELOR_PASSWORD + "\n"
    )
    assert no_delete.returncode != 0
    deleted = intake(
        *d, "profile", "delete", found[0]["id"], "--yes", *admin, input=PASSWORD + "\n"
    )
    assert deleted.returncode == 0, deleted.stderr

    changed = intake(
        *d, "user", "passwd", *bert, input=f"{COUNSELOR_PASSWORD}\nbert's better password\n"
    )
    assert changed.returncode == 0, changed.stderr
    verified = intake(*d, "audit", "verify", *admin, input=PASSWORD + "\n")
    assert verified.returncode == 0 and "intact" in verified.stdout
    doctor = intake(*d, "doctor", *admin, input=PASSWORD + "\n")
    assert "[  OK] integrity" in doctor.stdout and "[  OK] audit log" in doctor.stdout
    assert intake(*d, "user", "remove", "bert", *admin, input=PASSWORD + "\n").returncode == 0
    gone = intake(
        *d,
        "profile",
        "list",
        "--user",
        "bert",
        "--password-stdin",
        input="bert's better password\n",
    )
    assert gone.returncode != 0


def test_rekey_and_recovery(intake, tmp_path):
    d = ["--data-dir", str(tmp_path / "store")]
    init = intake(*d, "init", "--admin", "anna", "--password-stdin", input=PASSWORD + "\n")
    old_code = init.stdout.strip().splitlines()[-1]
    rekeyed = intake(*d, "rekey", "--user", "anna", "--password-stdin", input=PASSWORD + "\n")
    assert rekeyed.returncode == 0, rekeyed.stderr
    new_code = rekeyed.stdout.strip().splitlines()[-1]
    assert new_code != old_code
    stale = intake(
        *d,
        "user",
        "passwd",
        "anna",
        "--recovery",
        "--password-stdin",
        input=f"{old_code}\nfresh password 123\n",
    )
    assert stale.returncode != 0 and "recovery code is wrong" in stale.stderr
    recovered = intake(
        *d,
        "user",
        "passwd",
        "anna",
        "--recovery",
        "--password-stdin",
        input=f"{new_code}\nfresh password 123\n",
    )
    assert recovered.returncode == 0, recovered.stderr
    assert (
        intake(
            *d,
            "profile",
            "list",
            "--user",
            "anna",
            "--password-stdin",
            input="fresh password 123\n",
        ).returncode
        == 0
    )


def test_stdin_must_hold_every_password(intake, tmp_path):
    d = ["--data-dir", str(tmp_path / "store")]
    intake(*d, "init", "--admin", "anna", "--password-stdin", input=PASSWORD + "\n")
    result = intake(
        *d,
        "user",
        "add",
        "bert",
        "--role",
        "counselor",
        "--user",
        "anna",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert result.returncode != 0 and "Standard input ended" in result.stderr
