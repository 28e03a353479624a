"""Rendering entry points: one report to bytes (preview, printing), files, and streamed batches.

No Qt here. The desktop UI calls these from its database worker thread (they read the store
through the session) and gets progress through the ``progress`` callback; ``cancelled`` is polled
between profiles. Files are written to a temporary file beside the target and renamed into place
only when complete, so a failure, a full disk or a cancel leaves nothing half-written. Every
print and export is recorded in the audit log (ids, kind, language and page count; never names).
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from intake.errors import DiskFull, IntakeError, InvalidInput
from intake.i18n import N_
from intake.reports import layout
from intake.reports.case import case_summary
from intake.reports.client import client_copy, client_language
from intake.reports.model import KINDS, FormCache, PrintInfo, ReportInput, input_from_profile
from intake.reports.pdfstream import StreamingPdfWriter
from intake.reports.texts import ReportText

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
BATCH_CHUNK = 10  # profiles per in-memory reportlab document in a batch


class ReportCancelled(IntakeError):
    message = N_("Printing was cancelled; no file was written.")


class ReportOutputError(IntakeError):
    message = N_("The PDF cannot be written to {path}: {reason}.")


@dataclass(frozen=True)
class ReportResult:
    path: Path | None
    profiles: int
    pages: int


# -- rendering --------------------------------------------------------------------------------


def _footer(info: PrintInfo) -> layout.Footer:
    t = ReportText("de")
    date, time = t.timestamp(info.at)
    return layout.Footer(
        [
            t("Printed on {date} at {time} by {user}", date=date, time=time, user=info.user),
            t("Confidential: social data (§ 35 SGB I)"),
        ]
    )


def _group(source: ReportInput, kind: str, language: str | None, index: int) -> layout.Group:
    german = ReportText("de")
    name = source.display_name()
    number = source.answers.get("customer_number") or ""
    continuation = " · ".join(
        part
        for part in (
            german("First profile: summary for the case file")
            if kind == "case"
            else german("Client copy"),
            name,
            str(number),
            german("continued"),
        )
        if part
    )
    if kind == "client":
        lang = client_language(source, language)
        client = ReportText(lang)
        from intake import fonts

        return layout.Group(
            key=f"{index}",
            continuation=continuation,
            page_label=lambda page, pages: german.client(
                "Page {page} of {pages}", page=page, pages=pages
            ),
            page_label_client=lambda page, pages: client.client(
                "Page {page} of {pages}", page=page, pages=pages
            ),
            client_rtl=fonts.is_rtl(lang),
        )
    return layout.Group(
        key=f"{index}",
        continuation=continuation,
        page_label=lambda page, pages: german.client(
            "Page {page} of {pages}", page=page, pages=pages
        ),
    )


def flowables_for(kind: str, source: ReportInput, language: str | None = None, index: int = 0):
    """The platypus flowables of one report (``kind``: ``case`` or ``client``)."""
    if kind not in KINDS:
        raise InvalidInput("Unknown report kind {kind}; use case or client.", kind=repr(kind))
    group = _group(source, kind, language, index)
    if kind == "case":
        return case_summary(source, group)
    return client_copy(source, group, language)


def _title(kind: str) -> str:
    t = ReportText("de")
    return t("First profile: summary for the case file") if kind == "case" else t("Client copy")


def render(
    kind: str,
    sources: Iterable[ReportInput],
    out: BinaryIO,
    info: PrintInfo,
    *,
    language: str | None = None,
) -> list[int]:
    """Render reports of ``sources`` one after another into ``out``; returns the page count
    of each report."""
    from reportlab.platypus import PageBreak

    story: list[Any] = []
    for index, source in enumerate(sources):
        if story:
            story.append(PageBreak())
        story += flowables_for(kind, source, language, index)
    if not story:
        raise InvalidInput("There is nothing to print: no profile matched.")
    return layout.build(story, out, footer=_footer(info), title=_title(kind), created=info.at)


def render_bytes(
    kind: str, source: ReportInput, info: PrintInfo, *, language: str | None = None
) -> bytes:
    """One report as PDF bytes (for the preview and the print dialog; nothing is written)."""
    buffer = io.BytesIO()
    render(kind, [source], buffer, info, language=language)
    return buffer.getvalue()


# -- files ------------------------------------------------------------------------------------


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """A file that appears at ``path`` only when the block finishes without an error."""
    path = Path(path)
    if path.is_dir():
        raise ReportOutputError(path=str(path), reason=N_("it is a folder"))
    directory = path.parent if str(path.parent) else Path(".")
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below in every case
            mode="wb", dir=directory, prefix=".intake-report-", suffix=".part", delete=False
        )
    except FileNotFoundError:
        raise ReportOutputError(path=str(path), reason=N_("the folder does not exist")) from None
    except PermissionError:
        raise ReportOutputError(path=str(path), reason=N_("permission denied")) from None
    except OSError as exc:
        raise _os_error(path, exc) from None
    temp = Path(handle.name)
    try:
        try:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        finally:
            handle.close()
        os.replace(temp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError) and not isinstance(exc, IntakeError):
            raise _os_error(path, exc) from None
        raise


def _os_error(path: Path, exc: OSError) -> IntakeError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFull("The disk is full; the PDF was not written. Free some space and try again.")
    if isinstance(exc, PermissionError):
        return ReportOutputError(path=str(path), reason=N_("permission denied"))
    return ReportOutputError(path=str(path), reason=exc.strerror or type(exc).__name__)


def write_report(
    kind: str,
    sources: Iterable[ReportInput],
    path: Path,
    info: PrintInfo,
    *,
    language: str | None = None,
    total: int | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    chunk: int = BATCH_CHUNK,
    on_complete: Callable[[list[tuple[ReportInput, int]]], None] | None = None,
) -> ReportResult:
    """Write the reports of ``sources`` into one PDF at ``path``, streamed ``chunk`` profiles at
    a time. ``progress(done, total)`` follows every chunk; ``cancelled()`` is asked before each
    profile and a true answer raises :class:`ReportCancelled` (nothing is left at ``path``).
    ``on_complete([(source, pages), ...])`` runs once the file is complete, before it is moved
    into place."""
    done = 0
    printed: list[tuple[ReportInput, int]] = []
    with atomic_output(path) as handle:
        writer = StreamingPdfWriter(handle, title=_title(kind))
        batch: list[ReportInput] = []

        def flush() -> None:
            nonlocal done
            if not batch:
                return
            buffer = io.BytesIO()
            pages = render(kind, batch, buffer, info, language=language)
            writer.add_document(buffer.getvalue())
            printed.extend(zip(batch, pages, strict=True))
            done += len(batch)
            batch.clear()
            if progress is not None:
                progress(done, total if total is not None else done)

        for source in sources:
            if cancelled is not None and cancelled():
                raise ReportCancelled()
            batch.append(source)
            if len(batch) >= chunk:
                flush()
        flush()
        if cancelled is not None and cancelled():
            raise ReportCancelled()
        if not printed:
            raise InvalidInput("There is nothing to print: no profile matched.")
        writer.close()
        if on_complete is not None:
            on_complete(printed)  # e.g. the audit: if it fails, no file appears
    return ReportResult(Path(path), len(printed), writer.page_count)


# -- with the store ---------------------------------------------------------------------------


class ReportService:
    """Reports for a logged-in session: permissions, audit and the store's profiles.

    ``jobcenter`` is printed in the header (until the store has a setting for it).
    """

    def __init__(self, session, *, jobcenter: str | None = None) -> None:
        self.session = session
        self.jobcenter = jobcenter
        self.forms = FormCache()

    def _info(self) -> PrintInfo:
        return PrintInfo(user=self.session.user, jobcenter=self.jobcenter)

    def source(self, profile_id: str, *, record_view: bool = False) -> ReportInput:
        profile = self.session.profiles.get(profile_id, record_view=record_view)
        return input_from_profile(profile, self.forms, self.jobcenter)

    def preview(self, profile_id: str, kind: str, language: str | None = None) -> bytes:
        """PDF bytes for the preview or the print dialog; the view is audited, the print is
        recorded by :meth:`record_print` once the print dialog was accepted."""
        self.session.require("profiles.print", N_("print profiles"))
        return render_bytes(
            kind, self.source(profile_id, record_view=True), self._info(), language=language
        )

    def record_print(
        self, profile_id: str, kind: str, pages: int, language: str | None = None
    ) -> None:
        self._audit("profile_print", profile_id, kind, pages, language)

    def export(
        self, profile_id: str, kind: str, path: Path, language: str | None = None
    ) -> ReportResult:
        """Save one report as a PDF file (audited as an export)."""
        self.session.require("profiles.print", N_("print profiles"))
        source = self.source(profile_id)
        return write_report(
            kind,
            [source],
            path,
            self._info(),
            language=language,
            on_complete=lambda printed: self._audit_all(printed, kind, language),
        )

    def batch(
        self,
        profile_ids: list[str],
        kind: str,
        path: Path,
        *,
        language: str | None = None,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> ReportResult:
        """Many profiles into one PDF (supervisors): streamed, with progress and cancel."""
        self.session.require("reports.batch", N_("print profiles in batches"))

        def sources() -> Iterator[ReportInput]:
            for profile_id in profile_ids:
                yield self.source(profile_id)

        return write_report(
            kind,
            sources(),
            path,
            self._info(),
            language=language,
            total=len(profile_ids),
            progress=progress,
            cancelled=cancelled,
            on_complete=lambda printed: self._audit_all(printed, kind, language, batch=True),
        )

    def _audit_all(
        self,
        printed: list[tuple[ReportInput, int]],
        kind: str,
        language: str | None,
        batch: bool = False,
    ) -> None:
        with self.session.db.atomic():
            for source, pages in printed:
                self._audit("profile_export", source.profile_id, kind, pages, language, batch)

    def matching_ids(
        self, *, search: str | None = None, status: str | None = None, mine: bool = False
    ) -> list[str]:
        """Ids of every profile matching the filter (keyset paging; ids only)."""
        ids: list[str] = []
        created_by = self.session.user if mine else None
        if search:
            rows = self.session.profiles.list(
                search=search, status=status, created_by=created_by, limit=1_000_000
            )
            return [row.id for row in rows]
        after = None
        while True:
            rows = self.session.profiles.list(
                status=status, created_by=created_by, limit=500, after=after
            )
            ids += [row.id for row in rows]
            if len(rows) < 500:
                return ids
            after = rows[-1]

    def _audit(
        self,
        action: str,
        profile_id: str | None,
        kind: str,
        pages: int,
        language: str | None,
        batch: bool = False,
    ) -> None:
        detail: dict[str, Any] = {"kind": kind, "pages": pages}
        if language:
            detail["language"] = language
        if batch:
            detail["batch"] = True
        self.session.audit.record(self.session.user, action, "profile", profile_id, **detail)
