"""What a report is made from: one profile's answers with its form, and who prints it when.

Kept apart from the store so the UI can build a preview from an unsaved draft and tests can
print fictional answers without a database.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from intake.formengine import Form, FormLibrary, FormVersionError, load_form
from intake.formengine.paths import default_form_path

KINDS = ("case", "client")
_SAFE_ID = re.compile(r"^[a-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class PrintInfo:
    """Who prints, where and when (footer of every page; never the PDF's metadata)."""

    user: str
    jobcenter: str | None = None
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))


@dataclass(frozen=True)
class ReportInput:
    """One profile to print: answers plus the form version they were captured with."""

    form: Form
    answers: dict[str, Any]
    form_id: str = ""
    form_version: str = ""
    profile_id: str | None = None
    jobcenter: str | None = None

    @property
    def interview_language(self) -> str | None:
        value = self.answers.get("interview_language")
        return str(value) if value else None

    def display_name(self) -> str:
        a = self.answers
        family = a.get("family_name_latin") or a.get("family_name") or ""
        given = a.get("given_names_latin") or a.get("given_names") or ""
        return ", ".join(part for part in (family, given) if part)


class FormCache:
    """Forms by id and version, loaded once (a batch prints many profiles of one version)."""

    def __init__(self, library: FormLibrary | None = None) -> None:
        self._library = library or FormLibrary()
        self._forms: dict[tuple[str, str], Form] = {}

    def get(self, form_id: str | None, version: str | None) -> Form:
        if not form_id or not _SAFE_ID.match(form_id):
            form_id = "erstprofil"  # ids come from stored data: never a path
        key = (form_id, version or "")
        form = self._forms.get(key)
        if form is None:
            try:
                form = self._library.form_for(form_id or "erstprofil", version or "")
            except (FormVersionError, KeyError, OSError):
                # Unknown version (e.g. imported data): print with the current form.
                try:
                    form = self._library.current(form_id or "erstprofil")
                except (FormVersionError, KeyError, OSError):
                    form = load_form(default_form_path())
            self._forms[key] = form
        return form


def input_from_profile(profile, forms: FormCache, jobcenter: str | None = None) -> ReportInput:
    """A :class:`ReportInput` from a store ``Profile`` (``summary`` + ``head``)."""
    head = profile.head
    return ReportInput(
        form=forms.get(head.form_id, head.form_version),
        answers=dict(profile.answers),
        form_id=head.form_id or "",
        form_version=head.form_version or "",
        profile_id=profile.id,
        jobcenter=jobcenter,
    )
