"""Fixtures for the form engine tests: the shipped Erstprofil form (loaded once), a fixed today,
and a helper that writes small forms next to a copy of the shared choice lists."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from intake.formengine import Form, load_form
from intake.formengine.paths import forms_dir

TODAY = date(2026, 3, 16)


@pytest.fixture(scope="session")
def erstprofil() -> Form:
    return load_form(forms_dir() / "erstprofil.yaml")


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture
def form_dir(tmp_path: Path) -> Path:
    """A folder with the shared choice lists, for writing test forms into."""
    shutil.copytree(forms_dir() / "choices", tmp_path / "choices")
    return tmp_path


@pytest.fixture
def write_form(form_dir: Path) -> Callable[..., Path]:
    def write(body: str, name: str = "form.yaml") -> Path:
        path = form_dir / name
        path.write_text(textwrap.dedent(body), encoding="utf-8")
        return path

    return write
