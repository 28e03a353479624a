"""``intake forms``: validate a form file and show it as text for review.

The lead wires this group into the main CLI (``main.add_command(forms)``); it also runs on its own
with ``python -m intake.formengine.cli``.
"""

from __future__ import annotations

from pathlib import Path

import click

from intake.formengine.loader import FormValidationError, load_form, validate_form_file
from intake.formengine.render import render_form


@click.group(name="forms", help="Check and review interview form files.")
def forms() -> None:
    """Form files (YAML): validate and show."""


@forms.command("validate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def validate(file: Path) -> None:
    """Check FILE against the form schema and rules; exit 1 with line-precise messages."""
    errors = validate_form_file(file)
    if errors:
        for error in errors:
            click.echo(str(error), err=True)
        noun = "problem" if len(errors) == 1 else "problems"
        raise click.ClickException(f"{file}: {len(errors)} {noun} found.")
    form = load_form(file)
    questions = sum(1 for q in form.questions() if q.is_answer)
    click.echo(
        f"{file}: OK, form {form.id} version {form.version} with {len(form.sections)} sections "
        f"and {questions} questions."
    )


@forms.command("show")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", "language", default="en", show_default=True, help="Language of the texts.")
def show(file: Path, language: str) -> None:
    """Print the interview in FILE as text, in LANG, for review."""
    try:
        form = load_form(file)
    except FormValidationError as exc:
        raise click.ClickException(
            f"{exc.errors[0]} (run 'intake forms validate {file}' for all problems)"
        ) from None
    click.echo(render_form(form, language))


if __name__ == "__main__":  # pragma: no cover
    forms()
