"""Sync in the background: when the network appears, every few minutes, and on demand.

The run itself (``Synchronizer.run``: push, pull, merge) goes through the database thread like
every other store access; this object only decides *when*. A failed attempt because the server
cannot be reached is retried after an exponential backoff with full jitter; other errors (a
revoked device, a certificate from another CA) stop the automatic runs until the next manual
"Sync now" or login, and are reported once.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from intake.store.session import Session
from intake.ui.worker import DbWorker

log = logging.getLogger(__name__)

PERIOD_MS = 15 * 60 * 1000
FIRST_RUN_MS = 1500


def _server(session: Session) -> tuple[str | None, str | None]:
    from intake.store.syncstate import SyncState

    enrolment = SyncState(session).enrolment()
    url = session.settings.get("server_url") or (enrolment.server_url if enrolment else None)
    return (url if enrolment else None), session.settings.get("ca_file")


def run_sync(session: Session, *, server: str | None = None, enroll_code: str | None = None) -> Any:
    """One sync run on the database thread: a cheap health check, enrolment first when a code is
    given, then the real run. Without ``server``: the enrolled one, or ``None`` when there is
    none (the background has nothing to do)."""
    from intake.sync.client import Synchronizer, Transport, health

    configured, ca_file = _server(session)
    url = server or configured
    if url is None:
        return None
    with Transport(url, ca_file=ca_file) as transport:
        health(transport)
        synchronizer = Synchronizer(session, transport)
        if enroll_code:
            synchronizer.enroll(enroll_code)
        return synchronizer.run()


class BackgroundSync(QObject):
    started = Signal()
    finished = Signal(object)  # SyncSummary, or None when the device is not enrolled
    failed = Signal(object)  # the exception

    def __init__(self, session: Session, worker: DbWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.worker = worker
        self.running = False
        self.stopped = False
        self._delays = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.sync_now)
        self._network = self._watch_network()

    def _watch_network(self) -> Any:
        """Qt's network information, where the platform has a backend (else: the timer only)."""
        try:
            from PySide6.QtNetwork import QNetworkInformation
        except ImportError:  # pragma: no cover - QtNetwork is part of PySide6-Essentials
            return None
        if not QNetworkInformation.loadDefaultBackend():
            return None
        info = QNetworkInformation.instance()
        info.reachabilityChanged.connect(self._reachability_changed)
        return info

    def _reachability_changed(self, reachability: Any) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if reachability in (
            QNetworkInformation.Reachability.Online,
            QNetworkInformation.Reachability.Site,
        ):
            log.info("network reachable: sync")
            self.schedule(0)

    def start(self) -> None:
        self.stopped = False
        self.schedule(FIRST_RUN_MS)

    def stop(self) -> None:
        self.stopped = True
        self._timer.stop()

    def schedule(self, milliseconds: int) -> None:
        if not self.stopped:
            self._timer.start(max(0, milliseconds))

    def sync_now(self) -> None:
        if self.running or not self.session.is_open:
            return
        self.running = True
        self.started.emit()
        session = self.session
        self.worker.submit(lambda: run_sync(session), self._done, self._failed)

    def _done(self, summary: Any) -> None:
        self.running = False
        self._delays = None
        self.finished.emit(summary)
        self.schedule(PERIOD_MS)

    def _failed(self, exc: BaseException) -> None:
        from intake.sync.client import RETRYABLE, backoff_delays

        self.running = False
        log.info("background sync failed: %s", type(exc).__name__)
        self.failed.emit(exc)
        if isinstance(exc, RETRYABLE):
            self._delays = self._delays or backoff_delays(base=5.0, cap=900.0)
            self.schedule(int(next(self._delays) * 1000))
        else:
            self.stopped = True  # revoked, wrong certificate …: wait for a person
