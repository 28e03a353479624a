"""The ``intake`` command: admin and scripting interface (with no subcommand, the desktop app).

Passwords come from ``--password-stdin`` (one per line, in the order the command's help gives)
or an interactive prompt, never from arguments. User errors print one sentence to stderr and exit
non-zero; anything unexpected is logged (without personal data) and reported in one line too.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import click

from intake import __version__, i18n, logsetup, paths
from intake.errors import IntakeError, InvalidInput
from intake.i18n import N_, _

log = logging.getLogger(__name__)

EXIT_UNEXPECTED = 70


@dataclass
class Context:
    data_dir: Path
    _stdin_lines: Iterator[str] | None = field(default=None, repr=False)

    def vault(self):
        from intake.store.vault import Vault

        return Vault(self.data_dir)

    def secret(self, from_stdin: bool, prompt: str, *, confirm: bool = False) -> str:
        """The next password: a line of stdin, or typed at a hidden prompt."""
        if from_stdin:
            if self._stdin_lines is None:
                self._stdin_lines = iter(sys.stdin.read().splitlines())
            try:
                return next(self._stdin_lines)
            except StopIteration:
                raise InvalidInput(
                    "Standard input ended before every password this command needs was given."
                ) from None
        if not sys.stdin.isatty():
            raise InvalidInput("Give the password with --password-stdin or run in a terminal.")
        return click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True)

    def login(self, user: str | None, password_stdin: bool):
        """Unlock the store as ``user``; returns the session and the password given."""
        if not user:
            raise InvalidInput("Say who you are with --user NAME.")
        vault = self.vault()
        vault.load_slots()  # a missing store is reported before a password is asked for
        password = self.secret(password_stdin, _("Password for {user}").format(user=user))
        return vault.unlock(user, password), password

    def session(self, user: str | None, password_stdin: bool):
        return self.login(user, password_stdin)[0]


pass_context = click.make_pass_decorator(Context)


def auth_options(func: Callable) -> Callable:
    func = click.option(
        "--password-stdin", is_flag=True, help="Read passwords from stdin, one per line."
    )(func)
    return click.option("--user", "user", metavar="NAME", help="Log in as this user.")(func)


def emit(rows: list[dict[str, Any]], fmt: str, columns: list[str]) -> None:
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    widths = {c: max([len(c)] + [len(str(r.get(c) or "")) for r in rows]) for c in columns}
    click.echo("  ".join(c.upper().ljust(widths[c]) for c in columns).rstrip())
    for row in rows:
        click.echo("  ".join(str(row.get(c) or "").ljust(widths[c]) for c in columns).rstrip())


FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")


class LazyGroup(click.Group):
    """Subcommands from other packages are imported only when they run, so ``intake`` (and the
    desktop app it starts) does not pay for the form engine, reportlab or httpx up front."""

    lazy_subcommands: ClassVar[dict[str, str]] = {
        "forms": "intake.formengine.cli:forms",
        "report": "intake.reports.cli:report",
        "sync": "intake.sync.cli:sync",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy_subcommands])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy_subcommands:
            module_name, attribute = self.lazy_subcommands[name].split(":")
            return getattr(importlib.import_module(module_name), attribute)
        return super().get_command(ctx, name)


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), help="Store directory."
)
@click.option("--lang", help="Language of messages (de, en).")
@click.version_option(__version__, prog_name="intake")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, lang: str | None) -> None:
    """Intake: the first profiling interview, encrypted and offline."""
    i18n.set_language(lang or i18n.language_from_environment())
    data_dir = data_dir or paths.default_data_dir()
    ctx.obj = Context(data_dir)
    if ctx.invoked_subcommand != "forms" and data_dir.is_dir():
        logsetup.configure(data_dir)
    if ctx.invoked_subcommand is None:
        try:
            from intake.ui.app import run  # type: ignore[import-not-found]
        except ImportError:
            raise IntakeError(
                "The desktop interface is not installed in this build; use the subcommands "
                "(see 'intake --help')."
            ) from None
        sys.exit(run(data_dir, lang))


# -- store ------------------------------------------------------------------------------------


@main.command()
@click.option("--admin", required=True, metavar="NAME", help="Name of the first administrator.")
@click.option("--password-stdin", is_flag=True, help="Read the admin password from stdin.")
@click.option(
    "--keyring",
    "keyring_policy",
    type=click.Choice(["auto", "required", "off"]),
    default="auto",
    show_default=True,
    help="Bind the store to this computer's key store: when available, always, or never.",
)
@pass_context
def init(obj: Context, admin: str, password_stdin: bool, keyring_policy: str) -> None:
    """Create an encrypted store; prints the recovery code once."""
    password = obj.secret(
        password_stdin, _("New password for {user}").format(user=admin), confirm=True
    )
    created = obj.vault().create(admin, password, keyring_policy=keyring_policy)
    created.session.close()
    logsetup.configure(obj.data_dir)
    click.echo(
        _("Created an encrypted store in {path} with administrator {user}.").format(
            path=obj.data_dir, user=admin
        )
    )
    if created.device_bound:
        click.echo(
            _("The store is bound to this computer's key store ({backend}).").format(
                backend=created.keyring.backend
            )
        )
    else:
        click.echo(
            _(
                "Notice: no OS key store is in use ({detail}); the store is protected by "
                "passwords only."
            ).format(detail=created.keyring.detail or keyring_policy),
            err=True,
        )
    click.echo(
        _(
            "Recovery code — print it or write it down and keep it locked away; "
            "it is shown only this once:"
        )
    )
    click.echo(created.recovery_code)


@main.command()
@auth_options
@pass_context
def rekey(obj: Context, user: str | None, password_stdin: bool) -> None:
    """Re-encrypt the store with a new key (admin). Other users then need new passwords."""
    session, password = obj.login(user, password_stdin)
    try:
        code = session.rekey(password)
    finally:
        session.close()
    click.echo(_("The store was re-encrypted with a new key. New recovery code:"))
    click.echo(code)


# -- users ------------------------------------------------------------------------------------


@main.group()
def user() -> None:
    """Manage the users of this store."""


@user.command("add")
@click.argument("name")
@click.option(
    "--role", required=True, type=click.Choice(["admin", "supervisor", "counselor", "outreach"])
)
@auth_options
@pass_context
def user_add(obj: Context, name: str, role: str, user: str | None, password_stdin: bool) -> None:
    """Add a user (admin). Stdin: your password, then the new user's password."""
    session = obj.session(user, password_stdin)
    try:
        session.require("users.manage", N_("add users"))
        password = obj.secret(
            password_stdin, _("Password for {user}").format(user=name), confirm=True
        )
        session.add_user(name, role, password)
    finally:
        session.close()
    click.echo(_("Added {user} as {role}.").format(user=name, role=role))


@user.command("list")
@auth_options
@FORMAT
@pass_context
def user_list(obj: Context, user: str | None, password_stdin: bool, fmt: str) -> None:
    """List the users of this store."""
    session = obj.session(user, password_stdin)
    try:
        rows = [info.to_json() for info in session.list_users()]
    finally:
        session.close()
    emit(rows, fmt, ["name", "role", "created_at", "can_log_in"])


@user.command("passwd")
@click.argument("name", required=False)
@click.option("--recovery", is_flag=True, help="Use the recovery code instead of a password.")
@auth_options
@pass_context
def user_passwd(
    obj: Context, name: str | None, recovery: bool, user: str | None, password_stdin: bool
) -> None:
    """Change a password.

    \b
    Own password:            stdin: current password, new password.
    Another user's (admin):  stdin: your password, their new password.
    With --recovery NAME:    stdin: recovery code, NAME's new password; prints a new code.
    """
    if recovery:
        if not name:
            raise InvalidInput("Say whose password to set: intake user passwd NAME --recovery.")
        code = obj.secret(password_stdin, _("Recovery code"))
        new = obj.secret(
            password_stdin, _("New password for {user}").format(user=name), confirm=True
        )
        session, new_code = obj.vault().recover(code, name, new)
        session.close()
        click.echo(
            _(
                "The password of {user} was set. The old recovery code no longer works; "
                "new recovery code:"
            ).format(user=name)
        )
        click.echo(new_code)
        return
    session, current = obj.login(user, password_stdin)
    try:
        if name and name != session.user:
            session.require("users.manage", N_("set other users' passwords"))
            new = obj.secret(
                password_stdin, _("New password for {user}").format(user=name), confirm=True
            )
            session.reset_password(name, new)
        else:
            name = session.user
            new = obj.secret(password_stdin, _("New password"), confirm=True)
            session.change_password(current, new)
    finally:
        session.close()
    click.echo(_("The password of {user} was changed.").format(user=name))


@user.command("remove")
@click.argument("name")
@auth_options
@pass_context
def user_remove(obj: Context, name: str, user: str | None, password_stdin: bool) -> None:
    """Remove a user and their key slot (admin)."""
    session = obj.session(user, password_stdin)
    try:
        session.remove_user(name)
    finally:
        session.close()
    click.echo(_("Removed {user}; their password no longer opens this store.").format(user=name))


# -- profiles ---------------------------------------------------------------------------------


@main.group()
def profile() -> None:
    """Import, export, list and delete profiles."""


@profile.command("list")
@click.option("--search", help="Names or customer number (word beginnings).")
@click.option("--status", type=click.Choice(["draft", "complete", "needs_review"]))
@click.option("--mine", is_flag=True, help="Only profiles you created.")
@click.option("--limit", type=click.IntRange(1, 100000), default=100, show_default=True)
@auth_options
@FORMAT
@pass_context
def profile_list(obj, search, status, mine, limit, user, password_stdin, fmt) -> None:
    """List profiles, newest first (or best match first with --search)."""
    session = obj.session(user, password_stdin)
    try:
        session.require("profiles.read", N_("read profiles"))
        rows = [
            summary.to_json()
            for summary in session.profiles.list(
                search=search, status=status, created_by=session.user if mine else None, limit=limit
            )
        ]
    finally:
        session.close()
    emit(rows, fmt, ["id", "display_name", "customer_number", "status", "updated_at"])


@profile.command("export")
@click.argument("profile_id")
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@auth_options
@pass_context
def profile_export(obj, profile_id, fmt, out, user, password_stdin) -> None:
    """Everything held about one person (GDPR Art. 15) as JSON."""
    session = obj.session(user, password_stdin)
    try:
        session.require("profiles.export", N_("export profiles"))
        document = json.dumps([session.profiles.export(profile_id)], ensure_ascii=False, indent=2)
    finally:
        session.close()
    if out:
        out.write_text(document + "\n", encoding="utf-8")
    else:
        click.echo(document)


@profile.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@auth_options
@pass_context
def profile_import(obj, file: Path, user, password_stdin) -> None:
    """Import profiles from a JSON file (one object or a list, as 'profile export' writes)."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            "{file} is not valid JSON ({problem}).", file=str(file), problem=str(exc)
        ) from None
    documents = data if isinstance(data, list) else [data]
    session = obj.session(user, password_stdin)
    try:
        session.require("profiles.write", N_("import profiles"))
        with session.db.atomic():
            changes = [session.profiles.import_document(doc) for doc in documents]
    finally:
        session.close()
    click.echo(_("Imported {count} profile(s).").format(count=len(changes)))
    for change in changes:
        click.echo(change.profile_id)


@profile.command("delete")
@click.argument("profile_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@auth_options
@pass_context
def profile_delete(obj, profile_id, yes, user, password_stdin) -> None:
    """Delete a profile for good (GDPR Art. 17); the deletion reaches the server at next sync."""
    if not yes:
        click.confirm(
            _("Delete profile {id} for good?").format(id=profile_id), abort=True, err=True
        )
    session = obj.session(user, password_stdin)
    try:
        session.require("profiles.delete", N_("delete profiles"))
        session.profiles.delete(profile_id)
    finally:
        session.close()
    click.echo(_("Deleted profile {id}.").format(id=profile_id))


@main.command()
@click.option("--profiles", "count", type=click.IntRange(1, 1_000_000), required=True)
@click.option("--seed", type=int, default=1, show_default=True)
@auth_options
@pass_context
def demo(obj: Context, count: int, seed: int, user, password_stdin) -> None:
    """Fill the store with fictional profiles for trying things out."""
    from intake.demo import demo_profiles
    from intake.formengine import default_form_path, load_form

    form = load_form(default_form_path())
    session = obj.session(user, password_stdin)
    batch = 1000
    try:
        session.require("profiles.write", N_("create profiles"))
        profiles = demo_profiles(count, seed, form=form)
        done = 0
        with click.progressbar(length=count, label=_("Creating profiles"), file=sys.stderr) as bar:
            while done < count:
                size = min(batch, count - done)
                with session.db.atomic():
                    for _index in range(size):
                        status = "complete" if done % 3 else "draft"
                        session.profiles.save(
                            next(profiles),
                            form_id=form.id,
                            form_version=form.version,
                            status=status,
                        )
                        done += 1
                bar.update(size)
    finally:
        session.close()
    click.echo(_("Created {count} fictional profiles.").format(count=count))


# -- audit and health -------------------------------------------------------------------------


@main.group()
def audit() -> None:
    """Read and check the audit log."""


@audit.command("verify")
@auth_options
@pass_context
def audit_verify(obj: Context, user, password_stdin) -> None:
    """Check the hash chain of the audit log; exit 1 at the first broken link."""
    session = obj.session(user, password_stdin)
    try:
        session.require("audit.read", N_("check the audit log"))
        result = session.audit.verify()
    finally:
        session.close()
    if not result.ok:
        raise IntakeError(
            "The audit log is broken at entry {seq} ({reason}); {checked} entries before it are intact.",
            seq=result.first_broken_seq,
            reason=result.reason,
            checked=result.checked,
        )
    click.echo(_("The audit log is intact ({count} entries).").format(count=result.checked))


@main.command()
@auth_options
@click.option("--server", help="Central server to check (default: the configured one).")
@pass_context
def doctor(obj: Context, user, password_stdin, server) -> None:
    """Check fonts, the key store, the store's integrity and the server connection."""
    from intake.doctor import run_checks

    session = obj.session(user, password_stdin) if user else None
    try:
        results = run_checks(obj.vault(), session, server)
    finally:
        if session is not None:
            session.close()
    for check in results:
        click.echo(f"[{check.status:>4}] {check.name}: {check.detail}")
    if any(check.status == "FAIL" for check in results):
        raise IntakeError("At least one check failed; see the lines marked FAIL above.")


def connect_errors(exc: Exception) -> IntakeError | None:
    """A damaged database or a full disk met in the middle of a command is still a user error."""
    from intake.store import connect

    data_dir = click.get_current_context(silent=True)
    path = paths.default_data_dir() / "intake.db"
    if data_dir is not None and isinstance(data_dir.find_root().obj, Context):
        path = data_dir.find_root().obj.data_dir / "intake.db"
    return connect.classify(exc, path)


def run(argv: list[str] | None = None) -> int:
    try:
        main.main(args=argv, prog_name="intake", standalone_mode=False)
    except IntakeError as exc:
        click.echo(_("Error: ") + exc.user_message(), err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo(_("Cancelled."), err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        mapped = connect_errors(exc)
        if mapped is not None:
            log.warning("store error: %s", type(mapped).__name__)
            click.echo(_("Error: ") + mapped.user_message(), err=True)
            return mapped.exit_code
        log.error("unexpected error\n%s", logsetup.redacted_traceback(exc))
        click.echo(
            _(
                "Error: Intake hit an unexpected problem ({kind}); details are in the log file."
            ).format(kind=type(exc).__name__),
            err=True,
        )
        return EXIT_UNEXPECTED
    return 0


def entry() -> None:  # pragma: no cover - console script
    sys.exit(run())
