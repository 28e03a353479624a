"""Old profiles stay readable: archived form versions and declarative migrations."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from intake.formengine import AnswerDocument, FormLibrary, FormVersionError, validate_answers
from intake.formengine.paths import forms_dir

V1 = """\
id: intake_test
version: "1"
title: Test
choices:
  work:
    - {name: informal, label: Informal}
    - {name: formal, label: Formal}
    - {name: family, label: Family business}
sections:
  - id: main
    title: Main
    items:
      - {id: name, type: text, label: Name, required: true}
      - {id: fax, type: text, label: Fax}
      - id: jobs
        type: repeat
        label: Jobs
        items:
          - {id: job_kind, type: single_choice, label: Kind, choices: work}
          - {id: job_title, type: text, label: Title}
"""

V2 = """\
id: intake_test
version: "2"
title: Test
choices:
  work:
    - {name: informal, label: Informal}
    - {name: employed, label: Employed}
    - {name: family_business, label: Family business}
migrations:
  - from: "1"
    to: "2"
    rename: {job_title: job_title_stated}
    remove: [fax]
    recode: {job_kind: {formal: employed, family: family_business}}
    note: "Fax dropped; work kinds aligned with the Erstprofil."
sections:
  - id: main
    title: Main
    items:
      - {id: name, type: text, label: Name, required: true}
      - id: jobs
        type: repeat
        label: Jobs
        items:
          - {id: job_kind, type: single_choice, label: Kind, choices: work}
          - {id: job_title_stated, type: text, label: Title}
"""

V3 = (
    V2.replace('version: "2"', 'version: "3"')
    .replace("migrations:\n", 'migrations:\n  - {from: "2", to: "3", rename: {name: full_name}}\n')
    .replace("{id: name, type: text", "{id: full_name, type: text")
    .replace('to: "2"\n', 'to: "2"\n', 1)
)


@pytest.fixture
def library(tmp_path: Path) -> FormLibrary:
    (tmp_path / "archive" / "intake_test").mkdir(parents=True)
    (tmp_path / "archive" / "intake_test" / "1.yaml").write_text(V1, encoding="utf-8")
    (tmp_path / "intake_test.yaml").write_text(V2, encoding="utf-8")
    return FormLibrary(tmp_path)


OLD = AnswerDocument(
    "intake_test",
    "1",
    {
        "name": "Ada Probe",
        "fax": "0000",
        "jobs": [
            {"job_kind": "formal", "job_title": "Welder"},
            {"job_kind": "family", "job_title": "Farm", "ghost": 1},
        ],
    },
)


def test_old_profile_opens_with_its_own_form(library):
    form = library.form_for("intake_test", "1")
    assert form.version == "1" and "fax" in form.items
    assert validate_answers(form, {k: v for k, v in OLD.answers.items() if k != "jobs"}) == []
    assert library.versions("intake_test") == ["1", "2"]


def test_upgrade_applies_renames_removals_and_recodes(library):
    result = library.upgrade(OLD)
    assert result.document.form_version == "2"
    assert result.document.answers == {
        "name": "Ada Probe",
        "jobs": [
            {"job_kind": "employed", "job_title_stated": "Welder"},
            {"job_kind": "family_business", "job_title_stated": "Farm"},
        ],
    }
    assert result.dropped == {"jobs[1].ghost": 1}
    assert [m.note for m in result.applied] == [
        "Fax dropped; work kinds aligned with the Erstprofil."
    ]
    assert OLD.answers["fax"] == "0000"  # the stored document is never modified
    assert validate_answers(library.current("intake_test"), result.document.answers) == []


def test_upgrade_over_two_versions(tmp_path, library):
    archive = tmp_path / "archive" / "intake_test"
    (archive / "2.yaml").write_text(V2, encoding="utf-8")
    (tmp_path / "intake_test.yaml").write_text(textwrap.dedent(V3), encoding="utf-8")
    fresh = FormLibrary(tmp_path)
    result = fresh.upgrade(OLD)
    assert result.document.form_version == "3"
    assert result.document.answers["full_name"] == "Ada Probe"
    assert [m.to_version for m in result.applied] == ["2", "3"]
    assert fresh.form_for("intake_test", "2").version == "2"


def test_unknown_versions_are_clear_errors(library):
    with pytest.raises(FormVersionError, match="not in the archive"):
        library.form_for("intake_test", "0.9")
    with pytest.raises(FormVersionError, match=r"no migration from version 0\.9"):
        library.upgrade(AnswerDocument("intake_test", "0.9", {}))
    with pytest.raises(FormVersionError, match="belong to form other"):
        from intake.formengine import upgrade_answers

        upgrade_answers(library.current("intake_test"), AnswerDocument("other", "1", {}))


def test_library_caches_until_the_file_changes(tmp_path, library):
    first = library.current("intake_test")
    assert library.current("intake_test") is first
    path = tmp_path / "intake_test.yaml"
    path.write_text(V2.replace("title: Test", "title: Test changed"), encoding="utf-8")
    import os

    os.utime(path, ns=(1, 1))
    assert library.current("intake_test").title == "Test changed"


def test_shipped_library(tmp_path):
    shutil.copytree(forms_dir(), tmp_path / "forms")
    library = FormLibrary(tmp_path / "forms")
    form = library.current("erstprofil")
    assert library.versions("erstprofil") == [form.version]
    same = library.upgrade(AnswerDocument("erstprofil", form.version, {"family_name": "X"}))
    assert same.applied == () and same.document.answers == {"family_name": "X"}
