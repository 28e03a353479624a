"""``python -m intake`` runs the command line (and, with no subcommand, the desktop app)."""

from intake.launcher import entry

if __name__ == "__main__":
    entry()
