"""``intake sync``: one sync run from the command line (enrolling the device first if asked)."""

from __future__ import annotations

import json
import platform
from pathlib import Path

import click

from intake.cli import Context, auth_options, pass_context
from intake.errors import InvalidInput
from intake.i18n import _


@click.command("sync")
@click.option("--server", "server_url", metavar="URL", help="Central server (https://host:port).")
@click.option("--enroll", "code", metavar="CODE", help="Enrol this device with a one-time code.")
@click.option(
    "--ca-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CA bundle that signed the server's certificate (the only one trusted).",
)
@click.option("--device-name", help="Name shown to the administrator (default: host name).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@auth_options
@pass_context
def sync(
    obj: Context,
    server_url: str | None,
    code: str | None,
    ca_file: Path | None,
    device_name: str | None,
    fmt: str,
    user: str | None,
    password_stdin: bool,
) -> None:
    """Sync with the central server once and print a summary."""
    from intake.sync.client import Synchronizer, Transport

    session = obj.session(user, password_stdin)
    transport = None
    try:
        session.require("profiles.read", _("sync"))
        from intake.store.syncstate import SyncState

        state = SyncState(session)
        enrolment = state.enrolment()
        url = server_url or (enrolment.server_url if enrolment else None)
        url = url or session.settings.get("server_url")
        if not url:
            raise InvalidInput("Say which server to sync with: --server https://host:port.")
        moving = server_url and server_url.rstrip("/") != (enrolment and enrolment.server_url)
        if code is None and enrolment is not None and moving:
            raise InvalidInput(
                "This device is enrolled with {enrolled}; to move it to {url}, "
                "enrol it there with --enroll CODE.",
                enrolled=enrolment.server_url,
                url=server_url,
            )
        ca = ca_file or session.settings.get("ca_file")
        transport = Transport(url, ca_file=ca)
        syncer = Synchronizer(session, transport, state=state)
        if code:
            session.require("settings.manage", _("enrol this device"))
            team = syncer.enroll(code, device_name or platform.node())
            session.settings.set("server_url", transport.server_url)
            if ca_file:
                session.settings.set("ca_file", str(ca_file.resolve()))
            click.echo(_("Enrolled this device in team {team}.").format(team=team))
        summary = syncer.run()
    finally:
        if transport is not None:
            transport.close()
        session.close()
    if fmt == "json":
        click.echo(json.dumps(summary.to_json(), indent=2))
        return
    click.echo(
        _(
            "Sync done: {pushed} revision(s) sent, {pulled} received, {merged} merged, "
            "{deleted} deletion(s) applied, {purged} removed from this device."
        ).format(**summary.to_json())
    )
    if summary.refused:
        click.echo(
            _("{count} revision(s) were refused by the server (see the sync status).").format(
                count=summary.refused
            )
        )
    if summary.conflicts:
        click.echo(
            _("Conflicts in {count} profile(s) need a decision.").format(count=summary.conflicts)
        )
    click.echo(
        _("{waiting} profile(s) waiting; {requests} request(s), {bytes} bytes sent.").format(
            waiting=summary.waiting, requests=summary.requests, bytes=summary.bytes_sent
        )
    )
