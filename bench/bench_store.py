"""Store benchmarks (SPEC §9), each against a baseline measured in the same run.

1. Saving one answer (autosave: encrypted, durable, one revision + outbox + audit row) on the
   SQLCipher store vs. the same code on a plain SQLite file (the same SQLite library, no key).
   Budget: ratio <= 1.3 and under 5 ms.
2. Profile list and full-text search at N profiles (default 100,000, made with the same code as
   ``intake demo``) on the encrypted store vs. a plain copy made with ``sqlcipher_export``.
   Budget: under 50 ms per query.

Run:  .venv/bin/python bench/bench_store.py [--profiles 100000] [--saves 400]
Prints a table and writes bench/results/store.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlcipher3

from intake.demo import demo_profiles
from intake.store import connect
from intake.store.audit import AuditLog
from intake.store.connect import Database
from intake.store.migrations import migrations
from intake.store.profiles import ProfileStore
from intake.store.vault import utc_now

QUERIES = [
    "kov",
    "Kovalenko Olena",
    "ahm",
    "al-kh",
    "999D12",
    "999D4567",
    "ሳባ",
    "الخطيب",
    "مریم",
    "Тарас",
    "yildiz",
    "zozan kaya",
]


def plain_database(path: Path) -> Database:
    """A plain SQLite file through the same library and pragmas: only the cipher is missing."""
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    connect._apply_pragmas(conn)
    return Database(conn)


def encrypted_database(path: Path) -> Database:
    return connect.create_database(path, secrets.token_bytes(32))


def profile_store(db: Database) -> ProfileStore:
    migrations.apply(db)
    audit = AuditLog(db, "bench", "bench-device", utc_now)
    return ProfileStore(db, audit, actor="bench", device_id="bench-device", clock=utc_now)


def time_saves(store: ProfileStore, profile_id: str | None, answers: dict, count: int):
    samples = []
    for index in range(count):
        answers = {**answers, "schooling_years": index % 15, "note": f"answer {index}"}
        start = time.perf_counter()
        change = store.save(
            answers, profile_id=profile_id, form_id="erstprofil", form_version="1", amend=True
        )
        samples.append(time.perf_counter() - start)
        profile_id = change.profile_id
    return samples, profile_id


def bench_save(workdir: Path, saves: int) -> dict:
    answers = next(demo_profiles(1, seed=7))
    stores = {
        "plain": profile_store(plain_database(workdir / "plain-save.db")),
        "encrypted": profile_store(encrypted_database(workdir / "enc-save.db")),
    }
    samples: dict[str, list[float]] = {name: [] for name in stores}
    ids: dict[str, str | None] = dict.fromkeys(stores)
    for name, store in stores.items():  # warm-up
        _, ids[name] = time_saves(store, None, answers, 20)
    for _round in range(10):  # interleave so machine noise hits both alike
        for name, store in stores.items():
            got, ids[name] = time_saves(store, ids[name], answers, saves // 10)
            samples[name] += got
    medians = {name: statistics.median(s) * 1000 for name, s in samples.items()}
    p95 = {name: statistics.quantiles(s, n=20)[18] * 1000 for name, s in samples.items()}
    return {
        "saves_per_variant": len(samples["plain"]),
        "plain_median_ms": medians["plain"],
        "encrypted_median_ms": medians["encrypted"],
        "encrypted_p95_ms": p95["encrypted"],
        "ratio": medians["encrypted"] / medians["plain"],
    }


def fill(store: ProfileStore, db: Database, count: int) -> float:
    start = time.perf_counter()
    profiles = demo_profiles(count, seed=1)
    done = 0
    while done < count:
        size = min(1000, count - done)
        with db.atomic():
            for _ in range(size):
                store.save(
                    next(profiles),
                    form_id="erstprofil",
                    form_version="1",
                    status="complete" if done % 3 else "draft",
                )
                done += 1
    return time.perf_counter() - start


def time_queries(store: ProfileStore, repeats: int = 5) -> dict[str, float]:
    timings: dict[str, list[float]] = {"search": [], "count": [], "first_page": [], "deep_page": []}
    # The row the profile list shows halfway down: "deep_page" is the page after it (keyset).
    anchor = store.list(limit=1, offset=store.count() // 2)[0]
    for _ in range(repeats):
        for query in QUERIES:
            start = time.perf_counter()
            store.list(search=query, limit=50)
            timings["search"].append(time.perf_counter() - start)
            start = time.perf_counter()
            store.count(search=query)
            timings["count"].append(time.perf_counter() - start)
        start = time.perf_counter()
        store.list(limit=50)
        timings["first_page"].append(time.perf_counter() - start)
        start = time.perf_counter()
        store.list(limit=50, after=anchor)
        timings["deep_page"].append(time.perf_counter() - start)
    return {
        f"{name}_{stat}_ms": value * 1000
        for name, values in timings.items()
        for stat, value in (("median", statistics.median(values)), ("max", max(values)))
    }


def bench_search(workdir: Path, count: int) -> dict:
    path = workdir / "enc-search.db"
    db = encrypted_database(path)
    store = profile_store(db)
    fill_seconds = fill(store, db, count)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    plain_path = workdir / "plain-search.db"
    db.execute(f"ATTACH DATABASE '{plain_path}' AS plaintext KEY ''")
    db.execute("SELECT sqlcipher_export('plaintext')")
    db.execute("DETACH DATABASE plaintext")
    plain_db = plain_database(plain_path)
    plain_store = ProfileStore(
        plain_db,
        AuditLog(plain_db, "bench", "d", utc_now),
        actor="bench",
        device_id="d",
        clock=utc_now,
    )
    encrypted = time_queries(store)
    plain = time_queries(plain_store)
    return {
        "profiles": count,
        "fill_seconds": fill_seconds,
        "database_mb": path.stat().st_size / 1e6,
        "encrypted": encrypted,
        "plain": plain,
        "search_ratio": encrypted["search_median_ms"] / plain["search_median_ms"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--saves", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="intake-bench-") as tmp:
        workdir = Path(tmp)
        save = bench_save(workdir, args.saves)
        print(
            f"save one answer  plain {save['plain_median_ms']:.2f} ms  encrypted "
            f"{save['encrypted_median_ms']:.2f} ms (p95 {save['encrypted_p95_ms']:.2f})  "
            f"ratio {save['ratio']:.2f}  [budget <= 1.3 and < 5 ms]"
        )
        search = bench_search(workdir, args.profiles)
        enc, plain = search["encrypted"], search["plain"]
        print(
            f"{search['profiles']} profiles made in {search['fill_seconds']:.0f} s, "
            f"{search['database_mb']:.0f} MB"
        )
        for name in ("search", "count", "first_page", "deep_page"):
            print(
                f"{name:<11} encrypted median {enc[name + '_median_ms']:6.2f} ms "
                f"max {enc[name + '_max_ms']:6.2f} ms | plain median "
                f"{plain[name + '_median_ms']:6.2f} ms  ratio "
                f"{enc[name + '_median_ms'] / plain[name + '_median_ms']:.2f}  [budget < 50 ms]"
            )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak_mb:.0f} MB")
    results = {
        "save": save,
        "search": search,
        "peak_rss_mb": peak_mb,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "sqlcipher": sqlcipher3.sqlite_version,
    }
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "store.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
