"""Bounded memory (issue 17, item 2): the engine runs under a memory limit (default a quarter of
the machine, at most 3 GiB, or ``--memory-limit``) and spills past it into the scan's scratch space; the manifest
says what the scan ran with."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from tests.helpers import bundle, dep, emp
from unmask.cli import app
from unmask.engine.base import EngineError
from unmask.engine.duckdb import DuckDBEngine, check_memory_limit


def _bundle(root: Path) -> Path:
    return bundle(root, [emp("E1", "Ann Lee"), emp("E2", "Bo Park", "2 Elm St")],
                  deposits=[dep("E1", "555", "Dana Whitfield"), dep("E2", "555", "Dana Whitfield")])


def test_a_sort_larger_than_the_limit_spills_and_an_unspillable_one_is_refused(tmp_path: Path) -> None:
    eng = DuckDBEngine(None, threads=1, memory_limit="64MB", temp_directory=tmp_path / "spill")
    try:
        assert eng.resources["memory_limit"] == "61.0 MiB"  # DuckDB's spelling of 64 MB
        # ~260 MB of strings sorted under a 64 MB limit: completes by spilling to the directory.
        n, top = eng.query("SELECT count(*), max(s) FROM (SELECT md5(i::VARCHAR) || md5((i * 7)::VARCHAR) AS s "
                           "FROM range(2000000) t(i) ORDER BY s)")[0]
        assert n == 2_000_000 and len(top) == 64
        # One 130 MB string cannot spill: the limit is really enforced, not just recorded.
        with pytest.raises(EngineError, match="Out of Memory"):
            eng.query("SELECT length(string_agg(md5(i::VARCHAR), ',')) FROM range(4000000) t(i)")
    finally:
        eng.close()


def test_the_default_limit_is_a_quarter_of_the_machine_at_most_3_gib_not_duckdbs_eighty_percent() -> None:
    eng = DuckDBEngine(None)
    try:
        ours = float(eng.resources["memory_limit"].split()[0])
        theirs = float(duckdb.connect().execute("SELECT current_setting('memory_limit')").fetchone()[0].split()[0])  # type: ignore[index]
        quarter = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 4 / 2**30
        expected = max(1.0, min(quarter, 3.0))  # GiB
        assert ours < theirs
        assert abs(ours - expected) < max(0.1, expected * 0.01)
    finally:
        eng.close()


@pytest.mark.parametrize("good", ["4GB", "512MiB", "1.5 GB", " 2gb "])
def test_sizes_duckdb_accepts_pass(good: str) -> None:
    assert check_memory_limit(good) == good.strip()


@pytest.mark.parametrize("bad", ["", "lots", "4", "-1GB", "4GB'; DROP TABLE x; --", "4 PB"])
def test_anything_else_is_refused_before_it_reaches_sql(bad: str) -> None:
    with pytest.raises(ValueError, match="not a size"):
        check_memory_limit(bad)


def test_scan_memory_limit_is_applied_and_shown_in_the_manifest(tmp_path: Path) -> None:
    root, out = _bundle(tmp_path / "b"), tmp_path / "out"
    r = CliRunner().invoke(app, ["scan", str(root), "--out", str(out), "--quiet", "--memory-limit", "1GB"])
    assert r.exit_code == 0, r.output
    engine = json.loads((out / "manifest.json").read_text())["engine"]
    assert engine["memory_limit"] == "953.6 MiB"
    # The spill folder is the scan's private scratch space, gone with the scan.
    assert engine["temp_directory"].endswith("/.work/spill")
    assert not Path(engine["temp_directory"]).exists()
    assert not any(p.name == "spill" for p in out.rglob("*"))


def test_scan_without_the_option_runs_at_the_machine_default(tmp_path: Path) -> None:
    root, out = _bundle(tmp_path / "b"), tmp_path / "out"
    assert CliRunner().invoke(app, ["scan", str(root), "--out", str(out), "--quiet"]).exit_code == 0
    engine = json.loads((out / "manifest.json").read_text())["engine"]
    assert engine["memory_limit"] == DuckDBEngine(None).resources["memory_limit"]


def test_a_bad_memory_limit_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    root, out = _bundle(tmp_path / "b"), tmp_path / "out"
    r = CliRunner().invoke(app, ["scan", str(root), "--out", str(out), "--memory-limit", "lots"])
    assert r.exit_code == 2
    assert "not a size" in r.output
    assert not out.exists()
