"""Fictional profiles for trying Intake out and for benchmarks.

Names are combined at random from common given and family names of each region, in the original
script and in a Latin transliteration, so no generated person is a real one. Customer numbers use
the "999" prefix that no Jobcenter issues.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

# (nationality, mother tongue, script) -> given names and family names as (original, Latin)
_ORIGINS: list[dict[str, Any]] = [
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

_CEFR = ["none", "A1", "A2", "B1", "B2", "C1"]


def demo_answers(rng: random.Random) -> dict[str, Any]:
    origin = rng.choice(_ORIGINS)
    given, given_latin = rng.choice(origin["given"])
    family, family_latin = rng.choice(origin["family"])
    year = rng.randint(1965, 2006)
    uncertain = rng.random() < 0.2
    birth = f"{year}" if uncertain else f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    german = rng.choice(_CEFR)
    children = [
        {
            "child_birth": f"{rng.randint(2012, 2025)}-{rng.randint(1, 12):02d}",
            "child_care_current": rng.choice(["none", "waiting_list", "kita", "school"]),
        }
        for _ in range(rng.choice([0, 0, 1, 2, 3]))
    ]
    return {
        "family_name": family,
        "given_names": given,
        "family_name_latin": family_latin,
        "given_names_latin": given_latin,
        "birth_date": {"value": birth, "uncertain": uncertain},
        "sex": rng.choice(["female", "male"]),
        "nationalities": [origin["country"]],
        "country_of_birth": origin["country"],
        "customer_number": f"999D{rng.randint(0, 999999):06d}",
        "mother_tongues": [origin["language"]],
        "languages": [
            {
                "language": "de",
                "cefr_listening": german,
                "cefr_reading": german,
                "cefr_spoken_interaction": german,
                "cefr_spoken_production": german,
                "cefr_writing": german,
            }
        ],
        "schooling_years": rng.randint(0, 14),
        "children": children,
    }


def demo_profiles(count: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    for _ in range(count):
        yield demo_answers(rng)
