"""``intake demo`` makes complete, valid Erstprofil interviews for fictional people."""

from __future__ import annotations

from intake.demo import TODAY, demo_profiles
from intake.formengine import validate_answers
from intake.store.profiles import index_fields


def test_demo_profiles_are_valid_interviews(erstprofil):
    profiles = list(demo_profiles(60, seed=11, form=erstprofil))
    for answers in profiles:
        errors = [
            i for i in validate_answers(erstprofil, answers, today=TODAY) if i.severity == "error"
        ]
        assert errors == [], errors[:3]
        fields = index_fields(answers)
        assert fields["display_name"] and fields["customer_number"].startswith("999")
    names = {index_fields(a)["display_name"] for a in profiles}
    assert len(names) > 20  # people differ, not one template repeated
    assert list(demo_profiles(5, seed=11, form=erstprofil)) == profiles[:5]  # reproducible
