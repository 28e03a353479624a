"""``intake-central``: run the central server and administer teams, users and devices.

Whoever can run this command against the database is a central admin. Errors are one sentence
on stderr with a non-zero exit code. ``enroll-code`` prints the code as the last word, for
scripts: ``CODE=$(intake-central enroll-code --team T | awk '{print $NF}')``.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from intake import __version__

log = logging.getLogger(__name__)

DATABASE = click.option(
    "--database",
    "database",
    envvar="INTAKE_CENTRAL_DATABASE",
    metavar="URL",
    help="SQLAlchemy URL (sqlite:///file.db, postgresql://…); default: a SQLite file in the "
    "user data directory. Environment: INTAKE_CENTRAL_DATABASE.",
)
FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")


class CentralCliError(click.ClickException):
    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {self.message}", err=True)


def _service(database: str | None, **config: Any):
    from sqlalchemy.exc import SQLAlchemyError

    from intake.central.db import default_database_url, make_engine, migrate
    from intake.central.service import CentralService, Config

    url = database or default_database_url()
    try:
        engine = make_engine(url)
        migrate(engine)
    except (SQLAlchemyError, ImportError) as exc:
        raise CentralCliError(
            f"The database {_safe_url(url)} cannot be opened ({type(exc).__name__}); check the "
            "URL and that the database server is running."
        ) from None
    return CentralService(engine, Config(**config))


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unreadable URL)"


def _admin(call: Callable[[], Any]) -> Any:
    from intake.central.service import AdminError

    try:
        return call()
    except AdminError as exc:
        raise CentralCliError(str(exc)) from None


def _emit(rows: list[dict[str, Any]], fmt: str, columns: list[str]) -> None:
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    widths = {
        c: max([len(c)] + [len(str(r.get(c) if r.get(c) is not None else "")) for r in rows])
        for c in columns
    }
    click.echo("  ".join(c.upper().ljust(widths[c]) for c in columns).rstrip())
    for row in rows:
        click.echo(
            "  ".join(
                str(row.get(c) if row.get(c) is not None else "").ljust(widths[c]) for c in columns
            ).rstrip()
        )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="intake-central")
def main() -> None:
    """Intake central server: sync for the devices of each team."""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@main.command()
@DATABASE
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=None, help="Default 8443 (TLS) or 8080."
)
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--token-ttl",
    type=click.IntRange(10, 24 * 3600),
    default=900,
    show_default=True,
    help="Seconds an access token lives.",
)
@click.option(
    "--retention-interval",
    type=click.IntRange(0, None),
    default=3600,
    show_default=True,
    help="Seconds between retention runs (0: never).",
)
def serve(database, host, port, tls_cert, tls_key, token_ttl, retention_interval) -> None:
    """Run the server (HTTPS with --tls-cert/--tls-key; plain HTTP only on loopback)."""
    import uvicorn

    from intake.central.app import create_app

    if bool(tls_cert) != bool(tls_key):
        raise CentralCliError("Give both --tls-cert and --tls-key, or neither.")
    if not tls_cert and not _is_loopback(host):
        raise CentralCliError(
            "Without --tls-cert and --tls-key the server only listens on loopback addresses."
        )
    service = _service(database, token_ttl_seconds=token_ttl)
    app = create_app(service)
    if retention_interval:
        _start_retention(app, service, retention_interval)
    port = port if port is not None else (8443 if tls_cert else 8080)
    scheme = "https" if tls_cert else "http"
    click.echo(f"Intake central server on {scheme}://{host}:{port}/ (Ctrl+C stops it)", err=True)
    uvicorn.run(
        app,
        host=host,
        port=port,
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
    )


def _start_retention(app, service, interval: int) -> None:
    import asyncio
    import contextlib

    from starlette.concurrency import run_in_threadpool

    async def loop() -> None:
        while True:
            try:
                await run_in_threadpool(service.run_retention)
            except Exception as exc:  # keep serving; the next run tries again
                log.error("retention run failed (%s)", type(exc).__name__)
            await asyncio.sleep(interval)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            task.cancel()

    app.router.lifespan_context = lifespan


@main.command()
@DATABASE
def migrate(database) -> None:
    """Create or upgrade the database schema."""
    _service(database)
    click.echo("The database schema is up to date.")


@main.command("enroll-code")
@DATABASE
@click.option("--team", required=True, help="Team the device will belong to (created if new).")
@click.option("--ttl-minutes", type=click.IntRange(1, 24 * 60), default=15, show_default=True)
def enroll_code(database, team, ttl_minutes) -> None:
    """Issue a one-time enrolment code; the code is the last word printed."""
    service = _service(database)
    code, expires = _admin(lambda: service.new_enrol_code(team, ttl_minutes=ttl_minutes))
    click.echo(f"One-time enrolment code for team {team}, valid until {expires}: {code}")


@main.group()
def team() -> None:
    """Teams and their policies."""


@team.command("add")
@DATABASE
@click.argument("name")
def team_add(database, name) -> None:
    """Create a team."""
    service = _service(database)
    _admin(lambda: service.add_team(name))
    click.echo(f"Created team {name}.")


@team.command("list")
@DATABASE
@FORMAT
def team_list(database, fmt) -> None:
    """List teams with their policies and active devices."""
    rows = _service(database).teams()
    _emit(rows, fmt, ["id", "devices", "retention_days", "purge_after_sync", "members_only"])


@team.command("set")
@DATABASE
@click.argument("name")
@click.option(
    "--retention-days",
    type=click.IntRange(0, 36500),
    help="Delete profiles unchanged this many days (0: keep).",
)
@click.option(
    "--purge-after-sync/--keep-after-sync",
    default=None,
    help="Devices delete profiles once the server has them (outreach).",
)
@click.option(
    "--members-only/--device-roles",
    default=None,
    help="Only users listed with 'user add' may sync (their role from the server).",
)
def team_set(database, name, retention_days, purge_after_sync, members_only) -> None:
    """Change a team's policies."""
    service = _service(database)
    days: Any = False if retention_days is None else (retention_days or None)
    _admin(
        lambda: service.set_team_policy(
            name,
            retention_days=days,
            purge_after_sync=purge_after_sync,
            members_only=members_only,
        )
    )
    click.echo(f"Updated team {name}.")


@main.group()
def user() -> None:
    """Users the server knows per team, with the role it enforces."""


@user.command("add")
@DATABASE
@click.argument("name")
@click.option("--team", required=True)
@click.option(
    "--role", required=True, type=click.Choice(["admin", "supervisor", "counselor", "outreach"])
)
def user_add(database, name, team, role) -> None:
    """Add a user to a team (or change their role)."""
    service = _service(database)
    _admin(lambda: service.add_member(team, name, role))
    click.echo(f"{name} is a {role} in team {team}.")


@user.command("remove")
@DATABASE
@click.argument("name")
@click.option("--team", required=True)
def user_remove(database, name, team) -> None:
    """Remove a user from a team."""
    service = _service(database)
    _admin(lambda: service.remove_member(team, name))
    click.echo(f"Removed {name} from team {team}.")


@user.command("list")
@DATABASE
@click.option("--team", required=True)
@FORMAT
def user_list(database, team, fmt) -> None:
    """List a team's users."""
    service = _service(database)
    _emit(_admin(lambda: service.members(team)), fmt, ["id", "role", "created_at"])


@main.group()
def device() -> None:
    """Enrolled devices."""


@device.command("list")
@DATABASE
@click.option("--team")
@FORMAT
def device_list(database, team, fmt) -> None:
    """List devices (all teams, or one)."""
    rows = _service(database).devices(team)
    _emit(rows, fmt, ["id", "team", "name", "enrolled_at", "revoked_at", "last_seen_at"])


@device.command("revoke")
@DATABASE
@click.argument("device_id")
def device_revoke(database, device_id) -> None:
    """Revoke a device; it is refused from its next request on."""
    service = _service(database)
    _admin(lambda: service.revoke_device(device_id))
    click.echo(f"Revoked device {device_id}; it can no longer sync.")


@device.command("holdings")
@DATABASE
@click.argument("device_id")
@FORMAT
def device_holdings(database, device_id, fmt) -> None:
    """Profiles a device has held (ids), e.g. to assess a lost laptop."""
    _emit(_service(database).device_holdings(device_id), fmt, ["id", "first_at", "last_at"])


@main.group()
def retention() -> None:
    """Retention: automatic deletion and the deletion log."""


@retention.command("run")
@DATABASE
def retention_run(database) -> None:
    """Delete every profile past its team's retention period now."""
    count = _service(database).run_retention()
    click.echo(f"Deleted {count} profile(s) past their retention period.")


@retention.command("log")
@DATABASE
@click.option("--team")
@FORMAT
def retention_log(database, team, fmt) -> None:
    """The deletion log (ids, times, reasons)."""
    service = _service(database)
    _emit(_admin(lambda: service.deletion_log(team)), fmt, ["id", "profile_id", "at", "reason"])


@main.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
def openapi(out) -> None:
    """Print the OpenAPI spec of this server (docs/openapi.json is generated this way)."""
    from intake.central.openapi import spec_text

    text = spec_text()
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def run(argv: list[str] | None = None) -> int:  # pragma: no cover - thin wrapper
    try:
        main.main(args=argv, prog_name="intake-central", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
