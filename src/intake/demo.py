"""Fictional profiles for trying Intake out and for benchmarks.

Each profile is a complete Erstprofil interview: a handful of templates is made by walking the
real form with random valid answers (every visible question answered the way the form allows,
constraints checked by the engine), and each profile copies one and gets its own person —
names combined at random from common given and family names of each region, in the original
script and in Latin letters, so no generated person is a real one. Customer numbers use the
"999" prefix that no Jobcenter issues.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

# Region → country, language, given and family names as (original, Latin).
ORIGINS: list[dict[str, Any]] = [
    {
        "country": "SY",
        "language": "ar",
        "given": [
            ("أحمد", "Ahmad"),
            ("لينا", "Lina"),
            ("عمر", "Omar"),
            ("ريم", "Reem"),
            ("يوسف", "Yousef"),
            ("نور", "Nour"),
            ("سامر", "Samer"),
            ("هبة", "Hiba"),
        ],
        "family": [
            ("الخطيب", "Al-Khatib"),
            ("حداد", "Haddad"),
            ("الأحمد", "Al-Ahmad"),
            ("شامي", "Shami"),
            ("النجار", "Al-Najjar"),
            ("درويش", "Darwish"),
        ],
    },
    {
        "country": "UA",
        "language": "uk",
        "given": [
            ("Олена", "Olena"),
            ("Андрій", "Andrii"),
            ("Ірина", "Iryna"),
            ("Тарас", "Taras"),
            ("Оксана", "Oksana"),
            ("Богдан", "Bohdan"),
        ],
        "family": [
            ("Коваленко", "Kovalenko"),
            ("Бондар", "Bondar"),
            ("Мельник", "Melnyk"),
            ("Шевчук", "Shevchuk"),
            ("Ткаченко", "Tkachenko"),
            ("Кравець", "Kravets"),
        ],
    },
    {
        "country": "AF",
        "language": "fa_AF",
        "given": [
            ("فرشته", "Freshta"),
            ("احمد", "Ahmad"),
            ("مریم", "Maryam"),
            ("نجیب", "Najib"),
            ("زهره", "Zohra"),
            ("شفیق", "Shafiq"),
        ],
        "family": [
            ("احمدی", "Ahmadi"),
            ("رحیمی", "Rahimi"),
            ("حیدری", "Haidari"),
            ("نوری", "Noori"),
            ("صدیقی", "Siddiqi"),
        ],
    },
    {
        "country": "ER",
        "language": "ti",
        "given": [
            ("ሳባ", "Saba"),
            ("ዳዊት", "Dawit"),
            ("ሄለን", "Helen"),
            ("ሚካኤል", "Mikael"),
            ("ሰላም", "Selam"),
            ("ዮናስ", "Yonas"),
        ],
        "family": [
            ("ተስፋይ", "Tesfay"),
            ("ገብረ", "Gebre"),
            ("ሃይለ", "Haile"),
            ("ወልደ", "Welde"),
            ("ብርሃነ", "Berhane"),
        ],
    },
    {
        "country": "TR",
        "language": "kmr",
        "given": [
            ("Zozan", "Zozan"),
            ("Rojda", "Rojda"),
            ("Berxwedan", "Berxwedan"),
            ("Dilan", "Dilan"),
            ("Serhat", "Serhat"),
        ],
        "family": [
            ("Aydın", "Aydin"),
            ("Demir", "Demir"),
            ("Kaya", "Kaya"),
            ("Yıldız", "Yildiz"),
            ("Şahin", "Sahin"),
        ],
    },
]
COUNTRIES = ["SY", "UA", "AF", "ER", "TR", "IQ", "IR", "SO"]
LANGUAGES = ["ar", "uk", "ru", "fa_AF", "fa", "ti", "kmr", "ckb", "ps", "so", "tr", "en", "de"]
TEXTS = {
    "counselor": "Demo-Beratung",
    "email": "demo@example.org",
    "phone": "0000 000000",
    "child_time_window": "8:00-13:00",
}
TEMPLATES = 12
TODAY = dt.date(2026, 3, 16)  # the templates are valid as of this day (and later)


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def _birth_year(answers: dict[str, Any]) -> int:
    value = (answers.get("birth_date") or {}).get("value") or "1990"
    return int(str(value)[:4])


def _special(
    question_id: str, answers: dict[str, Any], rng: random.Random, entry: dict[str, Any]
) -> Any:
    """Questions whose valid answers depend on others (dates in order, years after birth)."""
    start = TODAY - dt.timedelta(days=rng.randint(0, 20))
    if question_id == "birth_date":
        return {"value": f"{rng.randint(1965, 2005)}-{rng.randint(1, 12):02d}", "uncertain": False}
    if question_id in ("started_on", "finished_on"):
        return TODAY.isoformat()
    if question_id == "school_last_year":
        return min(_birth_year(answers) + rng.randint(12, 19), TODAY.year - 1)
    if question_id == "follow_up_on":
        return (TODAY + dt.timedelta(days=rng.randint(30, 150))).isoformat()
    if question_id == "step_due":
        return (TODAY + dt.timedelta(days=rng.randint(7, 90))).isoformat()
    if question_id == "residence_first_issued":
        return _random_date(rng, dt.date(2018, 1, 1), start).isoformat()
    if question_id == "residence_valid_until":
        return (TODAY + dt.timedelta(days=rng.randint(60, 1000))).isoformat()
    if question_id == "arrival_date":
        return {
            "value": _random_date(rng, dt.date(2015, 1, 1), start).isoformat()[:7],
            "uncertain": False,
        }
    if question_id in ("job_from", "training_from"):
        first = _birth_year(answers) + 16
        return {"value": str(rng.randint(first, max(first, TODAY.year - 3))), "uncertain": True}
    if question_id in ("job_to", "training_to"):
        started = (entry.get(question_id.replace("_to", "_from")) or {}).get("value") or "2016"
        year = rng.randint(int(str(started)[:4]), TODAY.year - 1)
        return {"value": str(max(year, int(str(started)[:4]))), "uncertain": False}
    if question_id == "child_birth":
        return {
            "value": _random_date(rng, dt.date(2012, 1, 1), start).isoformat()[:7],
            "uncertain": False,
        }
    return None


def _value(form, question, state, index, rng: random.Random, answers=None, entry=None) -> Any:
    special = _special(question.id, answers or {}, rng, entry or {})
    if special is not None:
        return special
    kind = question.type
    if question.choice_list is not None:
        allowed = [c.name for c in state.allowed_choices(question.id, index)]
        if kind == "country":
            allowed = [c for c in COUNTRIES if c in allowed] or allowed
        elif kind == "language":
            allowed = [c for c in LANGUAGES if c in allowed] or allowed
        elif kind == "consent":
            return "given" if "given" in allowed and rng.random() < 0.85 else rng.choice(allowed)
        if not allowed:
            return None
        if question.is_multiple:
            return rng.sample(allowed, k=min(len(allowed), rng.choice([1, 1, 2])))
        return rng.choice(allowed)
    if kind == "yes_no":
        return rng.random() < 0.5
    if kind == "integer":
        low = int(question.min_value) if question.min_value is not None else 0
        high = int(question.max_value) if question.max_value is not None else 12
        return rng.randint(low, min(high, low + 12))
    if kind == "decimal":
        return round(rng.uniform(0, 10), 1)
    if kind == "date":
        return _random_date(rng, dt.date(2019, 1, 1), TODAY).isoformat()
    if kind == "partial_date":
        day = _random_date(rng, dt.date(2010, 1, 1), TODAY)
        return {"value": day.isoformat()[:7], "uncertain": rng.random() < 0.2}
    if kind == "text":
        return TEXTS.get(question.id, "Demo")
    if kind == "long_text":
        return "Demo-Notiz."
    return None


def _template(form, rng: random.Random) -> dict[str, Any]:
    """Walk the form like a counselor: answer what is visible, in order, then repair what the
    engine finds invalid (a date before another, a number out of range) a few times."""
    from intake.formengine import Group, evaluate, new_answers, new_repeat_instance
    from intake.formengine.engine import validate_answers

    answers = new_answers(form)
    done: set[tuple[str, int | None]] = set()
    for _ in range(2000):
        state = evaluate(form, answers, today=TODAY)
        step = next((k for k, shown in state.visible.items() if shown and k not in done), None)
        if step is None:
            break
        done.add(step)
        item_id, index = step
        item = form.items[item_id]
        if isinstance(item, Group):
            if item.repeat_group:
                count = rng.randint(max(item.min_count, 0), max(item.min_count, 2))
                for _n in range(count):
                    answers[item_id].append(new_repeat_instance(form, item_id))
            continue
        if not item.is_answer or (not state.is_required(item_id, index) and rng.random() < 0.3):
            continue
        target = answers if index is None else answers[item.repeat][index]
        value = _value(form, item, state, index, rng, answers, target)
        if value is not None:
            target[item_id] = value
    for _round in range(12):
        problems = [
            i for i in validate_answers(form, answers, today=TODAY) if i.severity == "error"
        ]
        if not problems:
            break
        state = evaluate(form, answers, today=TODAY)
        for issue in problems:
            question = form.items.get(issue.field)
            if question is None or isinstance(question, Group):
                continue
            target = answers if issue.index is None else answers[question.repeat][issue.index]
            if question.type == "yes_no" and isinstance(target.get(issue.field), bool):
                target[issue.field] = not target[issue.field]  # the other answer is the fix
                continue
            value = _value(form, question, state, issue.index, rng, answers, target)
            if value is None:
                target.pop(issue.field, None)
            else:
                target[issue.field] = value
    return answers


def _person(rng: random.Random) -> dict[str, Any]:
    origin = rng.choice(ORIGINS)
    given, given_latin = rng.choice(origin["given"])
    family, family_latin = rng.choice(origin["family"])
    return {
        "family_name": family,
        "given_names": given,
        "family_name_latin": family_latin,
        "given_names_latin": given_latin,
        "customer_number": f"999D{rng.randint(0, 999999):06d}",
        "nationalities": [origin["country"]],
        "interview_language": origin["language"],
    }


def demo_profiles(count: int, seed: int = 1, form=None) -> Iterator[dict[str, Any]]:
    """``count`` fictional answer documents for the Erstprofil form."""
    if form is None:
        from intake.formengine import default_form_path, load_form

        form = load_form(default_form_path())
    rng = random.Random(seed)
    templates = [_template(form, random.Random(seed * 1000 + n)) for n in range(TEMPLATES)]
    for _ in range(count):
        answers = copy.deepcopy(rng.choice(templates))
        person = _person(rng)
        for key, value in person.items():
            if key in answers or key in {"family_name", "given_names", "customer_number"}:
                answers[key] = value
        yield answers


def demo_answers(rng: random.Random) -> dict[str, Any]:
    """One fictional profile (kept for callers that bring their own random generator)."""
    return next(demo_profiles(1, seed=rng.randint(0, 10**9)))
