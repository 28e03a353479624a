"""Intake: the first profiling interview for newcomers, offline and encrypted.

This module holds only constants that packaging and the CLI import; it has no side effects.
"""

__version__ = "0.1.0"
APP_NAME = "Intake"
APP_ID = "de.jobcenter.intake"
