"""The ``intake`` entry point: straight to the desktop app, or to the command line.

Starting the app is the common case and must be quick (SPEC §9: at most 1.5× a bare PySide6
window), so ``intake`` and ``intake --data-dir DIR`` go to the desktop without importing the
command-line machinery; ``intake --self-test`` runs :mod:`intake.selftest`; everything else is
handed to :mod:`intake.cli`.
"""

from __future__ import annotations

import sys


def _desktop_arguments(argv: list[str]) -> dict[str, str] | None:
    """The options when ``argv`` asks for the desktop app (no subcommand), else ``None``."""
    options: dict[str, str] = {}
    args = list(argv)
    while args:
        head = args.pop(0)
        name, _, inline = head.partition("=")
        if name not in ("--data-dir", "--lang"):
            return None
        value = inline or (args.pop(0) if args else "")
        if not value:
            return None
        options[name[2:].replace("-", "_")] = value
    return options


def entry() -> None:
    if sys.argv[1:2] == ["--self-test"]:  # the bundle's smoke test, before Qt or the CLI load
        from intake.selftest import main

        sys.exit(main(sys.argv[2:]))
    options = _desktop_arguments(sys.argv[1:])
    if options is None:
        from intake.cli import entry as cli_entry

        cli_entry()
        return
    from intake.ui.app import launch

    sys.exit(launch(options.get("data_dir"), options.get("lang")))
