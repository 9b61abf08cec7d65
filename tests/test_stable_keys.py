"""Stable keys: the same fact has the same id next week, and a changed farm says what it continues."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import bundle, dep, emp, jsonl, run
from unmask.demo import Truth
from unmask.engine import open_engine
from unmask.model import (
    Key,
    cluster_id,
    cluster_id_sql,
    evidence_id,
    evidence_id_sql,
    fingerprint,
    fingerprint_sql,
)
from unmask.pipeline import ScanResult, scan

Demo = tuple[Truth, ScanResult, Path]


def test_python_twins_compute_what_the_sql_computes() -> None:
    eng = open_engine(None)
    try:
        rows: list[tuple[str, str, str, str | None, int | None, str | None, str]] = [
            ("ship_to_shared", "employee", "E1", "assets/shipments.csv", 7, "ship_to:ab", "x"),
            ("cluster_propagation", "candidate", "C9", "clusters.jsonl#C-0123456789", None, None, "y"),
            ("rmm_on_laptop", "employee", "E1", None, 3, None, "é \x1f"),
        ]
        eng.execute("CREATE TABLE r(sig VARCHAR, st VARCHAR, sid VARCHAR, f VARCHAR, l BIGINT, g VARCHAR, d VARCHAR)")
        eng.insert_rows("r", ("sig", "st", "sid", "f", "l", "g", "d"), rows)
        got = eng.query(
            f"SELECT {evidence_id_sql('sig', 'st', 'sid', 'f', 'l', 'g')}, "  # noqa: S608 - our expressions
            f"{evidence_id_sql('sig', 'st', 'sid', 'f', 'l', 'g', detail='d')} FROM r ORDER BY sig"
        )
        want = sorted(rows)
        assert [g[0] for g in got] == [evidence_id(*w[:6]) for w in want]
        assert [g[1] for g in got] == [evidence_id(*w[:6], detail=w[6]) for w in want]
        assert len({g[0] for g in got} | {g[1] for g in got}) == 6  # the detail makes a different id
        members = [("employee", "E2"), ("employee", "E10"), ("candidate", "C1")]
        eng.execute("CREATE TABLE m(k VARCHAR)")
        eng.insert_rows("m", ("k",), [(f"{t}:{i}",) for t, i in members])
        (cid, fp), = eng.query(f"SELECT {cluster_id_sql('k')}, {fingerprint_sql('k')} FROM m")  # noqa: S608
        assert cid == cluster_id(reversed(members)) and cid.startswith("C-") and len(cid) == 12
        assert fp == fingerprint([f"{t}:{i}" for t, i in members] * 2)
        assert cluster_id(members[:2]) != cid
    finally:
        eng.close()


def test_keys_parse_and_print() -> None:
    assert str(Key.parse("employee:E1")) == "employee:E1" and Key.parse("C-0123456789").kind == "cluster"
    for bad in ("E1", "person:E1", "employee:"):
        with pytest.raises(ValueError):
            Key.parse(bad)


def _by_subject(out: Path) -> dict[tuple[str, str], dict[str, Any]]:
    return {(f["subject"]["type"], f["subject"]["id"]): f for f in jsonl(out / "findings.jsonl")}


def test_an_unrelated_worker_changes_no_other_id(demo_scan: Demo, tmp_path: Path) -> None:
    """The demo bundle scanned again with one clean worker appended to hr/employees.csv (at the
    end, so no other line moves): every cluster keeps its id, every row its evidence id."""
    _, first, root = demo_scan
    shutil.copytree(root / "bundle", tmp_path / "bundle")
    shutil.copytree(first.out, tmp_path / "out", ignore=shutil.ignore_patterns("cases.sqlite"))
    with (tmp_path / "bundle/hr/employees.csv").open("a", encoding="utf-8") as fh:
        fh.write("E9999,Ada Quill,ada.quill.9999@example-corp.com,,,1990-01-01,,12 Quiet Lane,,Columbus,OH,43215,"
                 "US,employee,,2024-01-01,,Engineer,Engineering,E1000\n")
    second = scan(tmp_path / "bundle", tmp_path / "out")
    assert second.manifest["totals"]["loaded"] == first.manifest["totals"]["loaded"] + 1

    before, after = jsonl(first.out / "clusters.jsonl"), jsonl(second.out / "clusters.jsonl")
    assert len(before) >= 2
    for c in before:
        assert c["cluster_id"] == cluster_id((m["type"], m["id"]) for m in c["members"])
    assert [(c["cluster_id"], c["members"]) for c in after] == [(c["cluster_id"], c["members"]) for c in before]
    assert all(c["continues"] is None for c in after)  # unchanged clusters continue nothing

    old, new = _by_subject(first.out), _by_subject(second.out)
    assert ("employee", "E9999") not in new and old.keys() == new.keys()
    rows = 0
    for k, f in old.items():
        ids = [e["evidence_id"] for e in f["evidence"]]
        assert len(set(ids)) == len(ids)
        assert ids == [e["evidence_id"] for e in new[k]["evidence"]], k
        assert f["evidence_fingerprint"] == new[k]["evidence_fingerprint"] == fingerprint(ids)
        rows += len(ids)
    assert rows > 50


def test_a_changed_cluster_gets_a_new_id_that_continues_the_old(tmp_path: Path) -> None:
    emps = [emp("E1", "Ann Lee"), emp("E2", "Bo Park", "2 Elm St"), emp("E3", "Cy Diaz", "3 Ash St")]
    deps = [dep("E1", "5", "Dana Whitfield"), dep("E2", "5", "Dana Whitfield"), dep("E3", "5", "Dana Whitfield")]
    root, out = bundle(tmp_path / "b", emps, deposits=deps), tmp_path / "out"
    run(root, out)
    (farm,) = jsonl(out / "clusters.jsonl")
    assert farm["cluster_id"] == cluster_id([("employee", "E1"), ("employee", "E2"), ("employee", "E3")])
    assert farm["continues"] is None

    # E3 is paid into an account of their own now (same line): the farm loses a member.
    bundle(root, emps, deposits=[*deps[:2], dep("E3", "6", "Cy Diaz")])
    run(root, out)
    (smaller,) = jsonl(out / "clusters.jsonl")
    assert {m["id"] for m in smaller["members"]} == {"E1", "E2"}
    assert smaller["cluster_id"] == cluster_id([("employee", "E1"), ("employee", "E2")]) != farm["cluster_id"]
    assert smaller["continues"] == farm["cluster_id"]

    run(root, out)  # the same bundle again: the same id, and nothing continued
    (again,) = jsonl(out / "clusters.jsonl")
    assert again["cluster_id"] == smaller["cluster_id"] and again["continues"] is None
