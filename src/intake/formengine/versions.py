"""Form versions: keeping old profiles readable and bringing their answers up to date.

Approach (documented in ``forms/README.md``):

- The current form lives in ``forms/<id>.yaml``. When a Jobcenter changes it, the old file is kept
  verbatim as ``forms/archive/<id>/<old version>.yaml`` and the new file gets a higher ``version``.
- A profile always records the ``form_id`` and ``form_version`` it was captured with.
  :meth:`FormLibrary.form_for` returns exactly that version, so an old profile is shown and
  printed with the questions it was answered with.
- To edit an old profile, :meth:`FormLibrary.upgrade` applies the declarative ``migrations`` of the
  current form (``rename`` ids, ``remove`` ids, ``recode`` choice names), step by step from the
  profile's version to the current one. Answers whose question no longer exists are returned as
  ``dropped`` (the old revision in the store still has them) instead of being silently kept.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intake.formengine.answers import AnswerDocument
from intake.formengine.loader import load_form
from intake.formengine.model import Form, Group, Migration, Question
from intake.formengine.paths import forms_dir


class FormVersionError(LookupError):
    """The form or version a document needs is not available, or no migration path exists."""


def _apply_to_container(container: dict[str, Any], migration: Migration) -> None:
    for old, new in migration.rename.items():
        if old in container:
            container[new] = container.pop(old)
    for removed in migration.remove:
        container.pop(removed, None)
    for question_id, mapping in migration.recode.items():
        if question_id not in container:
            continue
        value = container[question_id]
        if isinstance(value, str):
            container[question_id] = mapping.get(value, value)
        elif isinstance(value, list):
            recoded: list[Any] = []
            for item in value:
                new_item = mapping.get(item, item) if isinstance(item, str) else item
                if new_item not in recoded:
                    recoded.append(new_item)
            container[question_id] = recoded


def apply_migration(answers: Mapping[str, Any], migration: Migration) -> dict[str, Any]:
    """One migration step on a copy of ``answers`` (top level and inside repeat instances)."""
    result = copy.deepcopy(dict(answers))
    _apply_to_container(result, migration)
    for value in result.values():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for instance in value:
                _apply_to_container(instance, migration)
    return result


def migration_path(form: Form, from_version: str) -> list[Migration]:
    """The migrations that lead from ``from_version`` to ``form.version`` (empty if equal)."""
    steps: list[Migration] = []
    version = from_version
    by_from = {m.from_version: m for m in form.migrations}
    while version != form.version:
        step = by_from.get(version)
        if step is None or len(steps) > len(form.migrations):
            raise FormVersionError(
                f"no migration from version {from_version} to {form.version} of form {form.id}"
            )
        steps.append(step)
        version = step.to_version
    return steps


@dataclass(frozen=True)
class UpgradeResult:
    document: AnswerDocument
    applied: tuple[Migration, ...] = ()
    dropped: Mapping[str, Any] = field(default_factory=dict)


def _known_ids(form: Form) -> tuple[set[str], dict[str, set[str]]]:
    top: set[str] = set()
    inner: dict[str, set[str]] = {}
    for item in form.items.values():
        if isinstance(item, Group) and item.repeat_group:
            top.add(item.id)
            inner.setdefault(item.id, set())
        elif isinstance(item, Question):
            if item.repeat is None:
                top.add(item.id)
            else:
                inner.setdefault(item.repeat, set()).add(item.id)
    return top, inner


def upgrade_answers(form: Form, document: AnswerDocument) -> UpgradeResult:
    """Bring ``document`` (captured with an older version of ``form``) to ``form.version``."""
    if document.form_id != form.id:
        raise FormVersionError(f"the answers belong to form {document.form_id}, not {form.id}")
    steps = migration_path(form, document.form_version)
    answers: dict[str, Any] = copy.deepcopy(document.answers)
    for step in steps:
        answers = apply_migration(answers, step)
    top, inner = _known_ids(form)
    dropped: dict[str, Any] = {}
    for key in list(answers):
        if key not in top:
            dropped[key] = answers.pop(key)
        elif key in inner and isinstance(answers[key], list):
            for index, instance in enumerate(answers[key]):
                if not isinstance(instance, dict):
                    continue
                for inner_key in list(instance):
                    if inner_key not in inner[key]:
                        dropped[f"{key}[{index}].{inner_key}"] = instance.pop(inner_key)
    return UpgradeResult(AnswerDocument(form.id, form.version, answers), tuple(steps), dropped)


class FormLibrary:
    """The forms in a folder: current versions plus archived ones (``archive/<id>/<ver>.yaml``)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory) if directory else forms_dir()
        self._cache: dict[Path, tuple[float, Form]] = {}

    def _load(self, path: Path) -> Form:
        try:
            mtime = path.stat().st_mtime
        except OSError as exc:
            raise FormVersionError(f"form file {path} is missing") from exc
        cached = self._cache.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
        form = load_form(path)
        self._cache[path] = (mtime, form)
        return form

    def current(self, form_id: str) -> Form:
        return self._load(self.directory / f"{form_id}.yaml")

    def versions(self, form_id: str) -> list[str]:
        """Every available version of ``form_id``: archived ones, then the current one."""
        archive = self.directory / "archive" / form_id
        found = sorted(p.stem for p in archive.glob("*.yaml")) if archive.is_dir() else []
        return [*found, self.current(form_id).version]

    def form_for(self, form_id: str, version: str) -> Form:
        """Exactly the form version a document was captured with (current or archived)."""
        current = self.current(form_id)
        if current.version == version:
            return current
        path = self.directory / "archive" / form_id / f"{version}.yaml"
        if not path.is_file():
            raise FormVersionError(f"version {version} of form {form_id} is not in the archive")
        form = self._load(path)
        if form.id != form_id or form.version != version:
            raise FormVersionError(f"{path} does not hold version {version} of form {form_id}")
        return form

    def upgrade(self, document: AnswerDocument) -> UpgradeResult:
        """``document`` on the current version of its form, ready to edit."""
        return upgrade_answers(self.current(document.form_id), document)
