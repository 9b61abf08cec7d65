"""The read API over a finished scan (unmask.results), and that nothing else reads the store."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from unmask.pipeline import ScanResult
from unmask.results import Results, ResultsError

ROOT = Path(__file__).parent.parent / "unmask"
# What may only read a scan through unmask.results (cases/ writes the decisions into the live store
# during a scan, as a stage does).
READERS = ["report", "check.py", "cli.py"]
QUERY_METHODS = {"query", "query_dicts", "execute", "export_jsonl", "table_exists", "columns", "insert_rows"}


def test_the_api_over_the_demo_scan(demo_scan: tuple[object, ScanResult, Path]) -> None:
    truth, result, _ = demo_scan
    planted = truth.planted  # type: ignore[attr-defined]
    res = Results.open(result.out)
    try:
        rows = res.findings()
        assert rows == sorted(rows, key=lambda r: (-r["score"], r["subject_type"], r["subject_id"]))
        assert sum(res.band_counts().values()) == len(rows)
        farm = planted["laptop_farm"][0]
        s = res.subject("employee", farm)
        assert s is not None and s["band"] in ("high", "critical") and s["department"]
        assert s["evidence"] and all(e["subject_id"] == farm for e in s["evidence"])
        assert s["clusters"] and ("employee", farm) in s["person_records"]
        cid = s["clusters"][0]
        assert ("employee", farm) in res.cluster_members(cid)
        assert all(lk["cluster_id"] == cid for lk in res.cluster_links(cid))
        assert res.clusters()[0]["members"]
        # A worker with no evidence: who they are, and nothing against them.
        clean = next(r for r in res.engine.query("SELECT employee_id FROM employees")
                     if r[0] not in {x["subject_id"] for x in rows})[0]
        c = res.subject("employee", clean)
        assert c is not None and c["evidence"] == [] and c["band"] is None
        assert res.subject("employee", "NO-SUCH-ID") is None
        assert res.subjects_named("NO-SUCH-ID") == []
        hours, days = res.timeline([farm], "America/Chicago")
        assert hours and all(0 <= h < 24 for _, _, h, _ in hours) and days
        # A read-only store: writing is refused.
        with pytest.raises(Exception, match="read-only"):
            res.engine.execute("CREATE TABLE x(a INT)")
    finally:
        res.close()


def test_a_folder_that_is_no_scan(tmp_path: Path) -> None:
    with pytest.raises(ResultsError, match="no store"):
        Results.open(tmp_path)
    (tmp_path / "unmask.duckdb").write_text("not a database")
    with pytest.raises(ResultsError, match="cannot open"):
        Results.open(tmp_path)


def _calls_on_engines(path: Path, root: Path) -> list[tuple[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in QUERY_METHODS:
            target = ast.unparse(node.func.value)
            if "eng" in target.lower():
                out.append((path.relative_to(root).as_posix(), f"{target}.{node.func.attr}"))
        if isinstance(node, ast.ImportFrom) and node.module == "unmask.engine" and any(
                a.name == "open_engine" for a in node.names):
            out.append((path.relative_to(root).as_posix(), "imports open_engine"))
    return out


# `unmask intel show` loads the sanctions lists into an in-memory engine of its own: no scan.
ALLOWED = {("cli.py", "eng.query"), ("cli.py", "imports open_engine")}


def test_nothing_but_the_read_api_queries_a_scan() -> None:
    files = [p for r in READERS for p in ((ROOT / r).rglob("*.py") if (ROOT / r).is_dir() else [ROOT / r])]
    found = {c for f in files for c in _calls_on_engines(f, ROOT)}
    assert found <= ALLOWED, sorted(found - ALLOWED)


def test_the_checker_catches_a_direct_query(tmp_path: Path) -> None:
    bad = tmp_path / "report.py"
    bad.write_text("def f(engine):\n    return engine.query_dicts('SELECT 1')\n")
    assert _calls_on_engines(bad, tmp_path) == [("report.py", "engine.query_dicts")]
