"""The shipped catalogs: complete for interview content, faithful in placeholders and markup,
compilable, honest about their review status, and loadable by the app and the form engine."""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from intake import i18n
from intake.formengine import FormText, load_form

ROOT = Path(__file__).parents[2]
TRANSLATIONS = ROOT / "translations"
CATALOG_LANGUAGES = [code for code in i18n.INTERVIEW_LANGUAGES if code != "en"] + ["de"]
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}|%\([a-z_]+\)[sd]|%[sd]|\$\{[a-z0-9_]+\}")
MARKUP = re.compile(r"</?[a-zA-Z][^>]*>")
REVIEW = re.compile(r"^(machine draft|reviewed \d{4}-\d{2}-\d{2} .+)$")


def catalog(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "intake.po").open("rb") as handle:
        return read_po(handle)


def is_interview_content(message) -> bool:
    """Form texts and client-facing texts of the app (context "client")."""
    from_forms = any(path.startswith("forms/") for path, _line in message.locations)
    return from_forms or message.context == "client"


def texts(message) -> list[tuple[str, str]]:
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return [(ids[min(i, len(ids) - 1)], s) for i, s in enumerate(strings)]


def test_every_language_has_a_catalog():
    for language in CATALOG_LANGUAGES:
        assert (TRANSLATIONS / language / "LC_MESSAGES" / "intake.po").is_file(), language


@pytest.mark.parametrize("language", CATALOG_LANGUAGES)
def test_interview_content_is_translated_and_not_fuzzy(language):
    problems = []
    for message in catalog(language):
        if not message.id:
            continue
        required = is_interview_content(message) or language in i18n.UI_LANGUAGES
        if not required:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not all(string.strip() for _id, string in texts(message)):
            problems.append(f"untranslated: {message.id!r}")
    assert problems == [], f"{language}: {len(problems)} problems, first: {problems[:5]}"


@pytest.mark.parametrize("language", CATALOG_LANGUAGES)
def test_placeholders_and_markup_match_the_source(language):
    problems = []
    for message in catalog(language):
        for source, string in texts(message):
            if not message.id or not string:
                continue
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(string)):
                problems.append(f"placeholders differ: {source!r} -> {string!r}")
            if sorted(MARKUP.findall(source)) != sorted(MARKUP.findall(string)):
                problems.append(f"markup differs: {source!r} -> {string!r}")
    assert problems == [], f"{language}: {problems[:5]}"


@pytest.mark.parametrize("language", CATALOG_LANGUAGES)
def test_catalog_compiles_states_its_review_and_loads(language):
    parsed = catalog(language)
    status = parsed.get(i18n.REVIEW_MSGID, context="catalog")
    review = status.string if status else ""
    assert REVIEW.match(review), f"{language}: review status is {review!r}"
    buffer = io.BytesIO()
    write_mo(buffer, parsed)
    buffer.seek(0)
    translation = gettext.GNUTranslations(buffer)
    assert translation.pgettext("catalog", i18n.REVIEW_MSGID) == review
    assert i18n.catalog_review(language) == review  # what the language picker will show
    assert i18n.set_language(language) == language
    i18n.set_language("en")


@pytest.mark.parametrize("language", [*CATALOG_LANGUAGES, "en"])
def test_every_language_loads_in_the_form_engine(language):
    form = load_form(ROOT / "forms" / "erstprofil.yaml")
    text = FormText(language)
    first = form.sections[0]
    title = text.label(first)
    assert title
    if language != "en":
        assert title != first.title, f"{language}: the first section title is not translated"


def test_source_language_needs_no_catalog():
    assert i18n.catalog_review("en") == "source"
    assert "en" in i18n.INTERVIEW_LANGUAGES and "en" in i18n.UI_LANGUAGES
