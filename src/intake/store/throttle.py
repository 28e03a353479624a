"""Login throttling: after a few wrong passwords a user has to wait, longer each time.

The state lives in ``login-throttle.json`` beside the database because it must be readable before
anything is unlocked. It holds user names, counters and times only. Someone who can edit the file
can reset it; against offline guessing the Argon2id cost in every key slot is the defence, this is
against guessing at the login screen. Failures are reported into the audit log at the next
successful login.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from intake.errors import LoginThrottled
from intake.store.fileio import write_json_atomic

FREE_ATTEMPTS = 3
FIRST_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 15 * 60


@dataclass(frozen=True)
class FailureSummary:
    count: int
    first_at: float | None


def delay_after(failures: int) -> int:
    """Seconds to wait after ``failures`` consecutive failures (0 while attempts are free)."""
    if failures < FREE_ATTEMPTS:
        return 0
    return min(FIRST_DELAY_SECONDS * 2 ** (failures - FREE_ATTEMPTS), MAX_DELAY_SECONDS)


class LoginThrottle:
    def __init__(self, path: Path, clock: Callable[[], float]) -> None:
        self._path = Path(path)
        self._clock = clock

    def _read(self) -> dict[str, dict]:
        try:
            data = json.loads(self._path.read_text("utf-8"))
        except (FileNotFoundError, ValueError, UnicodeDecodeError):
            return {}
        return data if isinstance(data, dict) else {}

    def check(self, user: str) -> None:
        """Raise :class:`LoginThrottled` while ``user`` must still wait."""
        entry = self._read().get(user)
        if not isinstance(entry, dict):
            return
        try:
            failures, last = int(entry["failures"]), float(entry["last_at"])
        except (KeyError, TypeError, ValueError):
            return
        remaining = last + delay_after(failures) - self._clock()
        if remaining > 0:
            raise LoginThrottled(seconds=math.ceil(remaining))

    def record_failure(self, user: str) -> None:
        data = self._read()
        entry = data.get(user) if isinstance(data.get(user), dict) else {}
        now = self._clock()
        data[user] = {
            "failures": int(entry.get("failures", 0)) + 1,
            "first_at": entry.get("first_at", now),
            "last_at": now,
        }
        write_json_atomic(self._path, data)

    def record_success(self, user: str) -> FailureSummary:
        """Forget ``user``'s failures and return what there was, for the audit log."""
        data = self._read()
        entry = data.pop(user, None)
        if not isinstance(entry, dict):
            return FailureSummary(0, None)
        write_json_atomic(self._path, data)
        return FailureSummary(int(entry.get("failures", 0)), entry.get("first_at"))
