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

from importlib import import_module
from typing import Any

# Loaded on first use, so that importing ``intake.reports.cli`` (done by every ``intake`` start)
# does not load reportlab, HarfBuzz and pypdf.
_EXPORTS = {
    "KINDS": "model",
    "FormCache": "model",
    "PrintInfo": "model",
    "ReportInput": "model",
    "input_from_profile": "model",
    "ReportCancelled": "service",
    "ReportOutputError": "service",
    "ReportResult": "service",
    "ReportService": "service",
    "render": "service",
    "render_bytes": "service",
    "write_report": "service",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"intake.reports.{module}"), name)
