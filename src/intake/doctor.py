"""``intake doctor``: is this machine ready to run Intake, and is the store healthy?

Each check says OK, WARN or FAIL with one line of detail. Without a login only what can be seen
from outside is checked (files, key store, fonts); with one, also the database's integrity, the
audit chain and the configured server.
"""

from __future__ import annotations

import socket
import ssl
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from intake import paths
from intake.errors import IntakeError
from intake.store.keyslots import KeySlotFile

SQLITE_HEADER = b"SQLite format 3\x00"

# Scripts every shipped interview language needs, with a sample each font must cover.
FONT_SAMPLES = {
    "Latin": "Ää Ğğ Şş",
    "Cyrillic": "Ії Єє Ґґ",
    "Arabic": "ابجد پچژگ ێۆ",
    "Ethiopic": "ሀለሐመ ትግርኛ",
}


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # OK, WARN, FAIL
    detail: str


def font_dir() -> Path:
    return paths.resource_dir() / "ui" / "fonts"


def check_fonts() -> Check:
    directory = font_dir()
    fonts = sorted(directory.glob("*.ttf")) + sorted(directory.glob("*.otf"))
    if not fonts:
        return Check("fonts", "WARN", f"no fonts shipped in {directory}; the system fonts are used")
    try:
        from fontTools.ttLib import TTFont  # type: ignore[import-not-found]
    except ImportError:
        return Check("fonts", "OK", f"{len(fonts)} font files in {directory}")
    covered: set[str] = set()
    for font in fonts:
        cmap = TTFont(font, lazy=True).getBestCmap() or {}
        covered |= {
            script
            for script, sample in FONT_SAMPLES.items()
            if all(ord(ch) in cmap for ch in sample if not ch.isspace())
        }
    missing = sorted(set(FONT_SAMPLES) - covered)
    if missing:
        return Check("fonts", "FAIL", "no shipped font covers: " + ", ".join(missing))
    return Check("fonts", "OK", "shipped fonts cover " + ", ".join(sorted(covered)))


def check_keyring(vault) -> Check:
    status = vault.keyring.status()
    if status.available:
        return Check("key store", "OK", f"OS key store backend {status.backend}")
    return Check(
        "key store", "WARN", f"no OS key store ({status.detail}); stores here are password-only"
    )


def check_files(vault) -> list[Check]:
    if not vault.db_path.exists():
        return [Check("store", "WARN", f"no store in {vault.data_dir} yet ('intake init')")]
    checks = []
    with vault.db_path.open("rb") as handle:
        header = handle.read(16)
    if header == SQLITE_HEADER:
        checks.append(Check("encryption", "FAIL", "the database file is NOT encrypted"))
    else:
        checks.append(Check("encryption", "OK", "the database file is encrypted"))
    try:
        slot_file = KeySlotFile.load(vault.slots_path)
        checks.append(
            Check(
                "key slots", "OK", f"{len(slot_file.slots)} slots, {len(slot_file.users())} users"
            )
        )
        if any(slot.device_factor for slot in slot_file.slots):
            present = vault.keyring.get(slot_file.store_id) is not None
            checks.append(
                Check(
                    "device secret",
                    "OK" if present else "FAIL",
                    "present in the key store" if present else "missing from the key store",
                )
            )
    except FileNotFoundError:
        checks.append(Check("key slots", "FAIL", f"{vault.slots_path} is missing"))
    except IntakeError as exc:
        checks.append(Check("key slots", "FAIL", exc.user_message()))
    return checks


def check_integrity(session) -> list[Check]:
    try:
        problems = session.integrity_problems()
    except IntakeError as exc:
        return [Check("integrity", "FAIL", exc.user_message())]
    checks = [
        Check("integrity", "FAIL", "; ".join(problems[:3]))
        if problems
        else Check("integrity", "OK", "integrity_check and cipher_integrity_check passed")
    ]
    result = session.audit.verify()
    checks.append(
        Check("audit log", "OK", f"{result.checked} entries, chain intact")
        if result.ok
        else Check(
            "audit log", "FAIL", f"broken at entry {result.first_broken_seq}: {result.reason}"
        )
    )
    return checks


def check_server(url: str | None, ca_file: str | None) -> Check:
    if not url:
        return Check("server", "WARN", "no central server configured")
    parsed = urllib.parse.urlsplit(url)
    host, port = parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 80)
    if not host:
        return Check("server", "FAIL", f"{url} is not a server address")
    try:
        with socket.create_connection((host, port), timeout=5) as sock:
            if parsed.scheme == "https":
                context = (
                    ssl.create_default_context(cafile=ca_file)
                    if ca_file
                    else ssl.create_default_context()
                )
                with context.wrap_socket(sock, server_hostname=host):
                    pass
    except (OSError, ssl.SSLError) as exc:
        return Check("server", "FAIL", f"{host}:{port} not reachable ({type(exc).__name__})")
    return Check("server", "OK", f"{host}:{port} reachable")


def run_checks(vault, session=None, server: str | None = None) -> list[Check]:
    checks = [check_fonts(), check_keyring(vault), *check_files(vault)]
    if session is not None:
        checks += check_integrity(session)
        server = server or session.settings.get("server_url")
        checks.append(check_server(server, session.settings.get("ca_file")))
    elif server:
        checks.append(check_server(server, None))
    return checks
