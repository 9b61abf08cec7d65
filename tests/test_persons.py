"""Probabilistic person resolution (Splink, unsupervised) on real labelled records: FEBRL3,
5,000 people of whom many are duplicated with typos, swapped fields and missing values."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.helpers import DATA, bundle, run

EMP = ["employee_id", "full_name", "email", "national_id", "date_of_birth", "address_line1", "city", "region",
       "postal_code", "country"]


def test_febrl3_duplicates_are_found_as_one_person(tmp_path: Path) -> None:
    rows = list(csv.DictReader((DATA / "febrl" / "dataset3.csv").open(encoding="utf-8"), skipinitialspace=True))
    emps = []
    truth: dict[str, str] = {}
    for i, r in enumerate(rows):
        eid = f"E{i}"
        truth[eid] = r["rec_id"].split("-")[1]
        dob = r["date_of_birth"].strip()
        emps.append({
            "employee_id": eid, "full_name": f"{r['given_name']} {r['surname']}".strip() or "unknown",
            "email": f"e{i}@corp.example", "national_id": r["soc_sec_id"],
            "date_of_birth": f"{dob[:4]}-{dob[4:6]}-{dob[6:8]}" if len(dob) == 8 else "",
            "address_line1": f"{r['street_number']} {r['address_1']}".strip(), "city": r["suburb"],
            "region": r["state"].upper(), "postal_code": r["postcode"], "country": "AU"})
    root = bundle(tmp_path / "b", [])
    with (root / "hr/employees.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=EMP)
        w.writeheader()
        w.writerows(emps)
    out = tmp_path / "out"
    run(root, out)
    res = json.loads((out / "manifest.json").read_text())["person_resolution"]
    # FEBRL has impossible birth dates (30 February): those rows are rejects, the rest are people.
    assert res["skipped"] is None and len(rows) - 50 < res["records"] <= len(rows)
    import duckdb

    con = duckdb.connect(str(out / "unmask.duckdb"), read_only=True)
    pairs = con.execute("SELECT a_id, b_id FROM person_matches").fetchall()
    con.close()
    tp = sum(truth[a] == truth[b] for a, b in pairs)
    print(f"FEBRL3 through the scan: {len(pairs)} pairs, precision {tp / len(pairs):.3f}")
    by_person: dict[str, int] = {}
    for v in truth.values():
        by_person[v] = by_person.get(v, 0) + 1
    true_pairs = sum(k * (k - 1) // 2 for k in by_person.values())
    precision, recall = tp / len(pairs), tp / true_pairs
    # Measured: see docs/benchmarks.md. The floor here guards against a model gone wrong.
    assert precision >= 0.95 and recall >= 0.6, (precision, recall, len(pairs), true_pairs)
