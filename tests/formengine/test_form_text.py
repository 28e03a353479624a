"""Translations of form texts, the Babel extractor, text rendering and the `forms` CLI."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner

from intake import i18n
from intake.formengine import FormText
from intake.formengine.cli import forms
from intake.formengine.extract import extract_forms
from intake.formengine.paths import forms_dir
from intake.formengine.render import render_form
from intake.formengine.text import clear_catalog_cache

ROOT = Path(__file__).parents[2]


@pytest.fixture
def catalogs(tmp_path, monkeypatch):
    """Compiled German and Arabic catalogs with a few form texts, in a temporary locale dir."""
    texts = {
        "de": {
            "Date of birth": "Geburtsdatum",
            "Consent given": "Einwilligung erteilt",
            "Yes": "Ja",
        },
        "ar": {"Date of birth": "تاريخ الميلاد", "Consent given": "تم إعطاء الموافقة"},
    }
    for language, messages in texts.items():
        catalog = Catalog(locale=language)
        for msgid, msgstr in messages.items():
            catalog.add(msgid, msgstr)
        folder = tmp_path / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        with (folder / f"{i18n.DOMAIN}.mo").open("wb") as handle:
            write_mo(handle, catalog)
    monkeypatch.setenv("INTAKE_LOCALE_DIR", str(tmp_path))
    clear_catalog_cache()
    yield tmp_path
    clear_catalog_cache()
    i18n.set_language("en")


def test_two_languages_side_by_side(erstprofil, catalogs):
    question = erstprofil.question("birth_date")
    i18n.set_language("de")
    ui, client = FormText(), FormText("ar")
    assert ui.label(question) == "Geburtsdatum"
    assert client.label(question) == "تاريخ الميلاد"
    consent = erstprofil.question("consent_health")
    given = erstprofil.choice(consent, "given")
    assert ui.choice_label(erstprofil, consent, given) == "Einwilligung erteilt"
    assert client.choice_label(erstprofil, consent, given) == "تم إعطاء الموافقة"
    assert FormText("uk").label(question) == "Date of birth"  # no catalog: the English msgid
    i18n.set_language("en")
    assert ui.label(question) == "Date of birth"  # follows the live UI language


def test_country_language_and_occupation_names(erstprofil):
    country = erstprofil.question("birth_country")
    syria = erstprofil.choice(country, "SY")
    assert FormText("de").choice_label(erstprofil, country, syria) == "Syrien"
    assert FormText("ar").choice_label(erstprofil, country, syria) == "سوريا"
    assert FormText("ti").choice_label(erstprofil, country, syria) == "ሶርያ"
    language = erstprofil.question("interview_language")
    dari = erstprofil.choice(language, "fa_AF")
    assert FormText("en").choice_label(erstprofil, language, dari) == "Dari"
    assert FormText("de").choice_label(erstprofil, language, dari) == "Dari"
    occupation = erstprofil.question("job_occupation")
    engineer = erstprofil.choice(occupation, "2142")
    assert FormText("de").choice_label(erstprofil, occupation, engineer) == "Bauingenieure"
    assert FormText("en").choice_label(erstprofil, occupation, engineer) == "Civil engineers"
    stateless = erstprofil.choice(erstprofil.question("nationalities"), "stateless")
    assert (
        FormText("en").choice_label(erstprofil, erstprofil.question("nationalities"), stateless)
        == "Stateless"
    )


def test_occupation_list_is_complete_isco_unit_groups(erstprofil):
    occupations = erstprofil.choice_lists["occupations"]
    assert len(occupations) == 436
    assert all(len(c.name) == 4 and c.name.isdigit() for c in occupations.choices)
    # Their German titles live in the German catalog like every other translation.
    with (ROOT / "translations" / "de" / "LC_MESSAGES" / "intake.po").open("rb") as handle:
        german = read_po(handle)
    assert all(german.get(c.label) and german.get(c.label).string for c in occupations.choices)


def test_answer_text(erstprofil, catalogs):
    i18n.set_language("de")
    text = FormText()
    assert text.answer(erstprofil, erstprofil.question("has_children"), True) == "Ja"
    assert (
        text.answer(erstprofil, erstprofil.question("nationalities"), ["SY", "stateless"])
        == "Syrien, Stateless"
    )


def test_extractor_yields_every_text_with_lines():
    path = forms_dir() / "erstprofil.yaml"
    with path.open("rb") as handle:
        messages = list(extract_forms(handle, [], [], {}))
    texts = {m[2] for m in messages}
    assert "Date of birth" in texts
    assert "Consent given" not in texts  # that one lives in choices/common.yaml
    assert "The child must be under 18." in texts
    assert "Jobcenter desk" in texts
    line, _, _msgid, comments = next(m for m in messages if m[2] == "Date of birth")
    assert (
        path.read_text(encoding="utf-8").splitlines()[line - 1].strip() == 'label: "Date of birth"'
    )
    assert comments and "birth_date" in comments[0]
    assert all(m[1] is None for m in messages)


def test_extractor_through_babel_entry_point():
    messages = list(extract_from_file("intake_forms", str(forms_dir() / "choices" / "common.yaml")))
    texts = {m[1] for m in messages}
    assert {"Consent given", "ISCED 3: Upper secondary education"} <= texts
    assert any("I can understand familiar names" in t for t in texts)
    assert list(extract_forms(io.BytesIO(b"a: [\n"), [], [], {})) == []  # broken YAML: skipped


def test_render_shows_rules_and_translations(erstprofil, catalogs):
    text = render_form(erstprofil, "de")
    assert "== 2. Person (person) ==" in text
    assert "birth_date (partial date, required): Geburtsdatum  [Date of birth]" in text
    assert "sensitive: locked until ${consent_health} = 'given'" in text
    assert "choices filtered by: ${child_age} >= min_age and ${child_age} <= max_age" in text
    assert "from CLDR" in text


def test_cli_validate_and_show(write_form):
    runner = CliRunner()
    good = runner.invoke(forms, ["validate", str(forms_dir() / "erstprofil.yaml")])
    assert good.exit_code == 0 and "OK, form erstprofil version 2026.1" in good.output
    bad_path = write_form(
        'id: x\nversion: "1"\ntitle: X\nsections:\n  - id: s\n    title: S\n    items:\n'
        '      - {id: a, type: text, label: A, relevant: "${b} = 1"}\n'
    )
    bad = runner.invoke(forms, ["validate", str(bad_path)])
    assert bad.exit_code == 1
    assert f"{bad_path}:8: a: relevant refers to ${{b}}" in bad.output
    missing = runner.invoke(forms, ["validate", "/nonexistent/form.yaml"])
    assert missing.exit_code == 1 and "cannot read" in missing.output
    shown = runner.invoke(forms, ["show", str(forms_dir() / "erstprofil.yaml"), "--lang", "ar"])
    assert shown.exit_code == 0 and "أفغانستان" in shown.output and "== 13." in shown.output
    broken_show = runner.invoke(forms, ["show", str(bad_path)])
    assert broken_show.exit_code == 1 and "intake forms validate" in broken_show.output
    assert "Traceback" not in bad.output + broken_show.output


def test_schema_is_published_json(tmp_path):
    import json

    for name in ("form.schema.json", "choices.schema.json"):
        schema = json.loads((forms_dir() / "schema" / name).read_text(encoding="utf-8"))
        assert schema["$schema"].startswith("https://json-schema.org/draft/2020-12")
    assert Path(forms_dir() / "README.md").is_file()


def test_wired_into_the_intake_command(capsys, write_form):
    from intake.cli import run

    assert run(["forms", "validate", str(forms_dir() / "erstprofil.yaml")]) == 0
    assert "OK, form erstprofil" in capsys.readouterr().out
    bad = write_form('id: x\nversion: "1"\ntitle: X\nsections: []\n')
    assert run(["forms", "validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:4: x: sections: [] should be non-empty" in err or "sections" in err
    assert "1 problem found" in err
