"""Real parts for sync tests: a trustme CA, the server as a subprocess on loopback with TLS,
PostgreSQL in a throwaway schema, and enrolled devices with real encrypted stores."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import trustme

from intake.central.db import make_engine, migrate
from intake.central.service import CentralService
from intake.store.keyslots import MINIMUM_KDF
from intake.store.syncstate import SyncState
from intake.store.vault import Vault
from intake.sync.client import Synchronizer, Transport, tls_context

PASSWORD = "correct horse battery"
PG_URL = os.environ.get("INTAKE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@dataclass(frozen=True)
class Tls:
    ca_file: Path
    cert_file: Path
    key_file: Path
    ca: trustme.CA


def make_tls(directory: Path) -> Tls:
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    ca_file, cert_file, key_file = (directory / n for n in ("ca.pem", "cert.pem", "key.pem"))
    ca.cert_pem.write_to_path(str(ca_file))
    cert.private_key_and_cert_chain_pem.write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    return Tls(ca_file, cert_file, key_file, ca)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_url() -> str | None:
    """A fresh schema in the local PostgreSQL's ``test`` database, or None if none answers."""
    try:
        import psycopg

        schema = f"intake_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(
            PG_URL.replace("postgresql+psycopg", "postgresql"), connect_timeout=3, autocommit=True
        ) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except Exception:
        return None
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


def drop_postgres_schema(url: str) -> None:
    import psycopg

    schema = url.rsplit("%3D", 1)[1]
    with psycopg.connect(
        PG_URL.replace("postgresql+psycopg", "postgresql"), connect_timeout=3, autocommit=True
    ) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


class ServerProcess:
    """``intake-central serve`` in a subprocess, on loopback, with TLS (or without)."""

    def __init__(self, database: str, tls: Tls | None, log_dir: Path, *, token_ttl: int = 900):
        self.database = database
        self.tls = tls
        self.port = free_port()
        self.log_dir = log_dir
        self.token_ttl = token_ttl
        self.process: subprocess.Popen | None = None
        self.starts = 0
        migrate(make_engine(database))

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            sys.executable, "-m", "intake.central.cli", "serve",
            "--database", self.database, "--host", "127.0.0.1", "--port", str(self.port),
            "--retention-interval", "0", "--token-ttl", str(self.token_ttl),
        ]  # fmt: skip
        if self.tls:
            command += ["--tls-cert", str(self.tls.cert_file), "--tls-key", str(self.tls.key_file)]
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"server-{self.starts}.log", "wb")  # noqa: SIM115
        self.starts += 1
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.wait_ready()

    def wait_ready(self, timeout: float = 30) -> None:
        verify = tls_context(self.tls.ca_file) if self.tls else False
        deadline = time.monotonic() + timeout
        with httpx.Client(verify=verify, trust_env=False, timeout=2) as client:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise RuntimeError(f"server exited with {self.process.returncode}")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(self.url + "/v1/health").status_code == 200:
                        return
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def stop(self, *, kill: bool = False) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def restart(self, *, kill: bool = False) -> None:
        self.stop(kill=kill)
        self.start()


@dataclass
class Device:
    """One Intake installation: its own encrypted store, logged in, enrolled."""

    vault: Vault
    session: object
    transport: Transport
    syncer: Synchronizer

    @property
    def state(self) -> SyncState:
        return self.syncer.state

    def sync(self):
        return self.syncer.run()

    def close(self) -> None:
        self.transport.close()
        self.session.close()


def new_device(
    directory: Path,
    keyring,
    server_url: str,
    ca_file: Path | None,
    *,
    user: str = "anna",
    code: str | None = None,
    batch_size: int = 500,
) -> Device:
    vault = Vault(directory, keyring=keyring, kdf=MINIMUM_KDF)
    session = vault.create(user, PASSWORD).session
    transport = Transport(server_url, ca_file=ca_file)
    syncer = Synchronizer(session, transport, batch_size=batch_size)
    if code:
        syncer.enroll(code, directory.name)
    return Device(vault, session, transport, syncer)


def service_for(database: str) -> CentralService:
    return CentralService(make_engine(database))
