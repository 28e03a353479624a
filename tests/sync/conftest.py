"""Fixtures for sync tests: TLS material, servers on loopback (SQLite and PostgreSQL), devices."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import FileKeyring
from tests.sync.harness import (
    ServerProcess,
    drop_postgres_schema,
    make_tls,
    new_device,
    postgres_url,
    service_for,
)

from intake.store.device import DeviceKeyring


@pytest.fixture(scope="session")
def tls(tmp_path_factory) -> object:
    return make_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def foreign_tls(tmp_path_factory) -> object:
    return make_tls(tmp_path_factory.mktemp("foreign-tls"))


@pytest.fixture(scope="session")
def pg_database():
    url = postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL answers at 127.0.0.1:5432 (database 'test', trust auth)")
    yield url
    drop_postgres_schema(url)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def server(request, tls, tmp_path_factory):
    """A real server process with TLS on loopback, once per database kind."""
    if request.param == "sqlite":
        directory = tmp_path_factory.mktemp("central-sqlite")
        database = f"sqlite:///{directory / 'central.db'}"
    else:
        database = request.getfixturevalue("pg_database")
        directory = tmp_path_factory.mktemp("central-pg")
    process = ServerProcess(database, tls, directory / "logs")
    process.start()
    yield process
    process.stop()


@pytest.fixture
def central(server):
    return service_for(server.database)


@pytest.fixture
def team(central, request) -> str:
    import uuid

    name = f"team-{uuid.uuid4().hex[:8]}"
    central.add_team(name)
    return name


@pytest.fixture
def make_device(tmp_path: Path, server, central, team, tls):
    """Enrolled devices of ``team`` (each with its own store and keyring)."""
    made = []

    def make(name: str = "device", *, user: str = "anna", team_name: str | None = None, **kw):
        code, _ = central.new_enrol_code(team_name or team)
        directory = tmp_path / f"{name}-{len(made)}"
        keyring = DeviceKeyring(FileKeyring(directory.parent / f"{directory.name}-keyring.cfg"))
        device = new_device(directory, keyring, server.url, tls.ca_file, user=user, code=code, **kw)
        made.append(device)
        return device

    yield make
    for device in made:
        device.close()
