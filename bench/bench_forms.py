"""Form engine benchmarks (issue 3): loading the Erstprofil and recomputing after one answer.

1. Load + validate ``forms/erstprofil.yaml``: cold (first load in the process: schema compile,
   shared choice files) and warm (what the app pays when it reloads a changed form).
2. Recompute visibility, requiredness and calculations after one answer change on a large,
   fully answered profile (3 children, 3 languages, 3 jobs, 2 trainings). Target: under 5 ms.
3. For context: full answer validation and progress on the same profile.

Run:  .venv/bin/python bench/bench_forms.py [--repeat 300]
Prints a table and writes bench/results/forms.json.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import time
from datetime import date
from pathlib import Path
from typing import Any

from intake.formengine import (
    Form,
    Group,
    evaluate,
    load_form,
    new_answers,
    new_repeat_instance,
    progress,
    validate_answers,
    validate_form_file,
)
from intake.formengine.paths import default_form_path

TODAY = date(2026, 3, 16)
REPEATS = {
    "children": 3,
    "language_skills": 3,
    "jobs": 3,
    "trainings": 2,
    "needs": 3,
    "next_steps": 3,
    "household_members": 4,
    "german_certificates": 1,
}
OVERRIDES: dict[str, Any] = {
    "consent_sensitive": "given",
    "consent_health": "given",
    "consent_notice_given": True,
    "has_children": True,
    "has_training": True,
    "has_work": True,
    "has_german_certificate": True,
    "household_size": 5,
    "has_limitations": True,
    "driving_licence": True,
    "interpreter": "staff",
    "school_years": 8,
    "started_on": "2026-03-16",
    "follow_up_on": "2026-05-01",
    "step_due": "2026-04-01",
    "job_current": False,
    "finished_on": "2026-03-16",
    "email": "probe@example.org",
    "school_last_year": 2015,
    "birth_date": {"value": "1990-05", "uncertain": False},
}


def _value(form: Form, state: Any, question: Any, index: int | None) -> Any:
    """A plausible answer for any question type (the first allowed choice, a small number …)."""
    if question.id in OVERRIDES:
        return OVERRIDES[question.id]
    kind = question.type
    if question.choice_list is not None:
        choices = state.allowed_choices(question.id, index)
        names = [c.name for c in choices if c.name not in ("none", "other", "withdrawn", "refused")]
        names = names or [c.name for c in choices]
        return names[:1] if question.is_multiple else names[0]
    return {
        "text": "Probe",
        "long_text": "Probe text",
        "integer": 3,
        "decimal": 2.5,
        "date": "2026-03-10",
        "partial_date": {"value": "2019-06", "uncertain": False},
        "yes_no": False,
    }.get(kind)


def fill(form: Form) -> dict[str, Any]:
    """Answer every visible question, in order, re-evaluating as the interview screen would."""
    answers = new_answers(form)
    done: set[tuple[str, int | None]] = set()
    while True:
        state = evaluate(form, answers, today=TODAY)
        step = next((k for k, shown in state.visible.items() if shown and k not in done), None)
        if step is None:
            return answers
        done.add(step)
        item = form.items[step[0]]
        if isinstance(item, Group):
            if item.repeat_group:
                for _ in range(REPEATS.get(item.id, 1)):
                    answers[item.id].append(new_repeat_instance(form, item.id))
            continue
        if not item.is_answer:
            continue
        target = answers if step[1] is None else answers[item.repeat][step[1]]
        if item.id not in target or target[item.id] in (None, "", []):
            target[item.id] = _value(form, state, item, step[1])


def timed(function: Any, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 3),
        "max_ms": round(ordered[-1], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    path = default_form_path()

    started = time.perf_counter()
    form = load_form(path)
    cold = (time.perf_counter() - started) * 1000
    warm = summary(timed(lambda: load_form(path), 20))
    validate = summary(timed(lambda: validate_form_file(path), 20))

    answers = fill(form)
    issues = [i for i in validate_answers(form, answers, today=TODAY) if i.severity == "error"]
    instances = {
        k: len(v)
        for k, v in answers.items()
        if isinstance(v, list) and v and isinstance(v[0], dict)
    }
    print(f"profile: {len(answers)} top-level answers, repeats {instances}, {len(issues)} errors")

    # One answer change, then a full recompute: alternate two values so every run does work.
    toggles = [
        ("has_children", [True, False]),
        ("school_years", [8, 0]),
        ("consent_health", ["given", "refused"]),
    ]
    variants = []
    for key, values in toggles:
        for value in values:
            changed = copy.deepcopy(answers)
            changed[key] = value
            variants.append(changed)
    child = copy.deepcopy(answers)
    child["children"][1]["child_birth"] = {"value": "2012-01", "uncertain": False}
    variants.append(child)
    counter = iter(range(10**9))
    recompute = summary(
        timed(
            lambda: evaluate(form, variants[next(counter) % len(variants)], today=TODAY),
            args.repeat,
        )
    )
    validation = summary(
        timed(lambda: validate_answers(form, answers, today=TODAY), max(50, args.repeat // 3))
    )
    progress_ms = summary(
        timed(lambda: progress(form, answers, today=TODAY), max(50, args.repeat // 3))
    )

    results = {
        "load_cold_ms": round(cold, 1),
        "load_warm": warm,
        "validate_form_file": validate,
        "recompute_after_one_change": recompute,
        "validate_answers": validation,
        "progress": progress_ms,
        "target_recompute_ms": 5.0,
        "recompute_within_target": recompute["p95_ms"] < 5.0,
        "questions": sum(1 for q in form.questions() if q.is_answer),
    }
    for name, value in results.items():
        print(f"{name:28} {value}")
    out = Path(__file__).parent / "results" / "forms.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
