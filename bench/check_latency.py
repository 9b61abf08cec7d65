"""``unmask check`` latency against a store of N people (default 1M), built synthetically.

    python -m bench.check_latency --people 1000000 --checks 300

The store holds what a scan leaves: people, their contact identifiers (phone, personal e-mail,
profile: 3 per person), home addresses keyed by building and unit, and the shipped sanctions
lists with their index. Each check is one applicant; a third reuse a stored phone.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from unmask.check import check, open_store
from unmask.engine import open_engine
from unmask.normalise import identifiers
from unmask.screen import index
from unmask.sources.base import create_part_table
from unmask.sources.intel import load_default_or
from unmask.sources.tabular import IOCS


def build(path: Path, n: int) -> None:
    eng = open_engine(path)
    eng.execute(
        "CREATE TABLE people AS SELECT 'employee' AS subject_type, 'E' || i AS subject_id, 'Person ' || i AS full_name "
        "FROM range($n) t(i)", {"n": n})
    eng.execute(
        "CREATE TABLE identifiers AS "
        "SELECT 'employee' AS subject_type, 'E' || i AS subject_id, 'phone' AS kind, "
        "  '+1' || (2000000000 + i)::VARCHAR AS value, 'hr/employees.csv' AS source_file, i + 2 AS line "
        "  FROM range($n) t(i) "
        "UNION ALL SELECT 'employee', 'E' || i, 'personal_email', 'person' || i || '@example.org', "
        "  'hr/employees.csv', i + 2 FROM range($n) t(i) "
        "UNION ALL SELECT 'employee', 'E' || i, 'profile', 'github.com/person' || i, 'hr/candidates.csv', i + 2 "
        "  FROM range($n) t(i)", {"n": n})
    eng.execute(
        "CREATE TABLE addresses AS SELECT 'home' AS kind, 'employee' AS subject_type, 'E' || i AS subject_id, "
        "'hr/employees.csv' AS source_file, i + 2 AS line, (i % 400000)::VARCHAR || ' main st|43215' AS building, "
        "(i % 400000)::VARCHAR || ' main st|unit ' || (i % 7)::VARCHAR || '|43215' AS full_key, false AS is_office "
        "FROM range($n) t(i)", {"n": n})
    load_default_or(eng, None)
    index.build_list_index(eng)
    # The indicators as a scan leaves them: the lists' own plus an intel/iocs.csv of 10,000 rows.
    create_part_table(eng, IOCS)
    eng.execute("INSERT INTO iocs(source_file, line, type, value, source) SELECT 'intel/iocs.csv', i + 2, "
                "CASE i % 3 WHEN 0 THEN 'email' WHEN 1 THEN 'phone' ELSE 'domain' END, "
                "CASE i % 3 WHEN 0 THEN 'ioc' || i || '@example.net' WHEN 1 THEN '+1' || (3000000000 + i)::VARCHAR "
                "ELSE 'ioc' || i || '.example' END, 'bench' FROM range(10000) t(i)")
    identifiers.build_iocs(eng)
    eng.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--checks", type=int, default=300)
    ap.add_argument("--store", type=Path, help="keep the store here (default: a temporary folder)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = a.store or Path(tmp) / "unmask.duckdb"
        t0 = time.perf_counter()
        if not path.exists():
            build(path, a.people)
        print(f"store of {a.people:,} people ready in {time.perf_counter() - t0:.1f} s")
        eng = open_store(path)
        rng = random.Random(7)
        check(eng, {"full_name": "Warm Up", "phone": "+1 614 555 0100"})  # first-call costs (imports, caches)
        lat = []
        hits = 0
        for k in range(a.checks):
            i = rng.randrange(a.people)
            phone = f"+1{2000000000 + i}" if k % 3 == 0 else f"+1 614 555 {1000 + k:04d}"
            applicant = {"full_name": rng.choice(["Kim Sang Man", "Ann Lee", "Jose Garcia", "Wei Zhang"]) + f" {k}",
                         "email": f"applicant{k}@example.net", "phone": phone, "country": "US",
                         "github_url": f"https://github.com/applicant{k}",
                         "address_line1": f"{k} Elm St", "city": "Columbus", "region": "OH", "postal_code": "43215",
                         "references": [{"email": f"ref{k}@example.com"}]}
            t = time.perf_counter()
            hits += bool(check(eng, applicant))
            lat.append((time.perf_counter() - t) * 1000)
        eng.close()
        lat.sort()
        p95 = lat[int(0.95 * len(lat)) - 1]
        print(f"{a.checks} checks: p50 {statistics.median(lat):.1f} ms, p95 {p95:.1f} ms, max {lat[-1]:.1f} ms; "
              f"{hits} with evidence")


if __name__ == "__main__":
    main()
