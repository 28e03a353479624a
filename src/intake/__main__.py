"""``python -m intake`` runs the command line (and, with no subcommand, the desktop app)."""

from intake.cli import main

if __name__ == "__main__":
    main()
