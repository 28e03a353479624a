"""Profile summaries and printing (no Qt): case-file summary, client copy, batch PDFs.

For the desktop UI and the CLI::

    service = ReportService(session, jobcenter="Jobcenter Teststadt")
    pdf = service.preview(profile_id, "client", language="ar")       # bytes; view audited
    service.record_print(profile_id, "client", pages, language="ar")  # after the print dialog
    service.export(profile_id, "case", Path("out.pdf"))               # file; audited
    service.batch(ids, "case", Path("all.pdf"), progress=cb, cancelled=flag.is_set)

Without a store (drafts, tests): ``render_bytes(kind, ReportInput(form, answers), PrintInfo(user))``
and ``write_report(kind, sources, path, info, progress=..., cancelled=...)``.
"""

from intake.reports.model import KINDS, FormCache, PrintInfo, ReportInput, input_from_profile
from intake.reports.service import (
    ReportCancelled,
    ReportOutputError,
    ReportResult,
    ReportService,
    render,
    render_bytes,
    write_report,
)

__all__ = [
    "KINDS",
    "FormCache",
    "PrintInfo",
    "ReportCancelled",
    "ReportInput",
    "ReportOutputError",
    "ReportResult",
    "ReportService",
    "input_from_profile",
    "render",
    "render_bytes",
    "write_report",
]
