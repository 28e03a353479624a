"""The local log: technical events only, never personal data.

Log statements in Intake name ids, counts and event types. Unexpected exceptions are written with
their traceback but without the exception's message, which could quote user input.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

LOG_NAME = "intake.log"


def configure(data_dir: Path, *, level: int = logging.INFO) -> Path | None:
    import logging.handlers

    log_dir = Path(data_dir) / "logs"
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            log_dir / LOG_NAME, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_intake", False)]:
        root.removeHandler(old)
        old.close()
    handler._intake = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return log_dir / LOG_NAME


def redacted_traceback(exc: BaseException) -> str:
    """The traceback with every exception message replaced by its type name."""
    text = "".join(traceback.format_tb(exc.__traceback__))
    chain = []
    current: BaseException | None = exc
    while current is not None:
        chain.append(type(current).__qualname__)
        current = current.__cause__ or current.__context__
    return text + "Exception chain (messages withheld): " + " <- ".join(chain)
