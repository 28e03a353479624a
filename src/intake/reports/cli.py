"""``intake report``: a case-file summary or client copy as PDF, one profile or a batch.

    intake report ID --kind case|client [--lang LANG] --out FILE.pdf --user NAME --password-stdin
    intake report --all [--filter status=complete] [--filter search=WORDS] [--filter mine] ...

reportlab and the fonts load only when the command runs, so ``intake`` itself starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from intake import fonts
from intake.errors import InvalidInput
from intake.i18n import N_, _

FILTER_KEYS = ("status", "search", "mine")


def _parse_filters(values: tuple[str, ...]) -> dict[str, str | bool]:
    parsed: dict[str, str | bool] = {}
    for value in values:
        key, _sep, argument = value.partition("=")
        key = key.strip()
        if key not in FILTER_KEYS or (key != "mine" and not argument):
            raise InvalidInput(
                "Unknown filter {filter}; use status=draft|complete|needs_review, search=WORDS or mine.",
                filter=repr(value),
            )
        parsed[key] = True if key == "mine" else argument
    return parsed


@click.command("report")
@click.argument("profile_id", required=False)
@click.option(
    "--all", "all_profiles", is_flag=True, help="Every profile (or those --filter keeps)."
)
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="KEY=VALUE",
    help="With --all: status=draft|complete|needs_review, search=WORDS, mine.",
)
@click.option("--kind", type=click.Choice(["case", "client"]), default="case", show_default=True)
@click.option(
    "--lang",
    "language",
    type=click.Choice(sorted(fonts.INTERVIEW_LANGUAGES)),
    help="Client copy language (default: the interview language).",
)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="PDF file to write.")
@click.option("--jobcenter", metavar="NAME", help="Name of the Jobcenter in the header.")
@click.option("--user", "user", metavar="NAME", help="Log in as this user.")
@click.option("--password-stdin", is_flag=True, help="Read passwords from stdin, one per line.")
@click.pass_obj
def report(
    obj,
    profile_id: str | None,
    all_profiles: bool,
    filters: tuple[str, ...],
    kind: str,
    language: str | None,
    out: Path,
    jobcenter: str | None,
    user: str | None,
    password_stdin: bool,
) -> None:
    """Write a case-file summary or a client copy as PDF (printing is audited)."""
    if bool(profile_id) == bool(all_profiles):
        raise InvalidInput("Give either a profile id or --all.")
    if filters and not all_profiles:
        raise InvalidInput("--filter works only with --all.")
    parsed = _parse_filters(filters)
    from intake.reports.service import ReportService

    session = obj.session(user, password_stdin)
    try:
        service = ReportService(session, jobcenter=jobcenter)
        if profile_id:
            result = service.export(profile_id, kind, out, language=language)
        else:
            session.require("reports.batch", N_("print profiles in batches"))
            ids = service.matching_ids(
                search=parsed.get("search"),  # type: ignore[arg-type]
                status=parsed.get("status"),  # type: ignore[arg-type]
                mine=bool(parsed.get("mine")),
            )
            if not ids:
                raise InvalidInput("There is nothing to print: no profile matched.")
            with click.progressbar(length=len(ids), label=_("Printing"), file=sys.stderr) as bar:
                shown = 0

                def progress(done: int, total: int) -> None:
                    nonlocal shown
                    bar.update(done - shown)
                    shown = done

                result = service.batch(ids, kind, out, language=language, progress=progress)
    finally:
        session.close()
    click.echo(
        _("Wrote {pages} page(s) for {count} profile(s) to {path}.").format(
            pages=result.pages, count=result.profiles, path=out
        )
    )
