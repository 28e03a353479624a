"""One thread for the database: every store call runs there, results come back as signals.

SQLite connections are not to be shared between threads at the same time, and slow work (Argon2id
at login, a batch export) must not freeze the window. ``DbWorker.submit`` runs a function on the
database thread and calls ``on_done``/``on_error`` on the main thread; ``DbWorker.call`` runs a
short query there and waits for it (the profile list's page fetches take well under a
millisecond, and Qt's model API is synchronous).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)


class DbWorker(QObject):
    _finished = Signal(object, object, object)  # callback, value, is_error

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor_instance = None  # made on first use: the login window does not need it
        self._pending = 0
        self._finished.connect(self._deliver)

    @property
    def _executor(self):
        if self._executor_instance is None:
            import concurrent.futures

            self._executor_instance = concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="intake-db"
            )
        return self._executor_instance

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Any:
        self._pending += 1

        def finished(future: Any) -> None:
            error = future.exception()
            if error is not None:
                self._finished.emit(on_error, error, True)
            else:
                self._finished.emit(on_done, future.result(), False)

        future = self._executor.submit(fn)
        future.add_done_callback(finished)
        return future

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` on the database thread and wait for its result (short reads only)."""
        return self._executor.submit(fn).result()

    def drain(self) -> None:
        """Wait until everything submitted so far has run (before locking or quitting)."""
        self._executor.submit(lambda: None).result()

    def shutdown(self) -> None:
        if self._executor_instance is not None:
            self._executor_instance.shutdown(wait=True)

    @Slot(object, object, object)
    def _deliver(self, callback: Callable | None, value: Any, is_error: bool) -> None:
        self._pending -= 1
        if callback is not None:
            callback(value)
        elif is_error:
            log.error("database task failed without a handler: %s", type(value).__name__)
