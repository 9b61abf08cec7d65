"""The same scan on every engine gives the same answers (issue 16).

The reference is the DuckDB scan of the small demo (the session's ``demo_scan``); each other
engine of ``SCAN_ENGINES`` scans the same bundle and must give the same subjects, bands and
evidence rows, scores within 1e-9, and the same cluster member sets. Where an engine cannot yet
run a stage, the scan stops with :class:`EngineGap` naming it (never a silent fallback to
DuckDB), and the gap is a strict xfail here, with the stage, until it closes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _spark_missing
from unmask.engine import EngineChoice
from unmask.pipeline import ScanResult, scan

# The whole scan runs on Spark and gives the same subjects, bands, cluster member sets and
# rejects; the evidence of two subjects differs for one reason (docs/architecture.md): Splink's
# training fails on Spark, so same_person_records is missing for E1007 and E1306, and the weights
# of their other rows move with it.
SPARK_GAP = ("Splink's training fails on Spark (ArrayIndexOutOfBoundsException, after the checkpoint folder "
             "it needed was replaced by persist), so same_person_records is missing for E1007 and E1306 and "
             "their evidence weights and scores differ; every other subject, every band and cluster agree")

SCAN_ENGINES = [
    pytest.param("spark", marks=[
        pytest.mark.skipif(bool(_spark_missing()), reason=_spark_missing() or "spark"),
        pytest.mark.xfail(reason=SPARK_GAP, raises=AssertionError, strict=True),
    ]),
]


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def _findings(out: Path) -> dict[tuple[str, str], dict[str, Any]]:
    return {(f["subject"]["type"], f["subject"]["id"]): f for f in _rows(out / "findings.jsonl")}


def _evidence(f: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted((e["signal"], e["source"], e.get("observed_at"), e["detail"], e["weight"]) for e in f["evidence"])


def _clusters(out: Path) -> set[frozenset[str]]:
    return {frozenset(f"{m['type']}:{m['id']}" for m in c["members"]) for c in _rows(out / "clusters.jsonl")}


def same_answers(ref: Path, got: Path) -> list[str]:
    """The differences between two scans' outputs (none when they agree)."""
    a, b = _findings(ref), _findings(got)
    diff = [f"subject only in one scan: {k}" for k in sorted(set(a) ^ set(b))]
    for k in sorted(set(a) & set(b)):
        if a[k]["band"] != b[k]["band"] or abs(a[k]["score"] - b[k]["score"]) > 1e-9:
            diff.append(f"{k}: {a[k]['band']} {a[k]['score']} -> {b[k]['band']} {b[k]['score']}")
        if _evidence(a[k]) != _evidence(b[k]):
            diff.append(f"{k}: evidence differs")
    diff += [f"cluster in one scan only: {sorted(c)}" for c in _clusters(ref) ^ _clusters(got)]
    return diff


class CoarseMismatch(Exception):  # noqa: N818 - named for what it reports
    """Subjects, bands or clusters differ: not the known gap the xfail names (AssertionError)."""


def same_subjects_bands_clusters(ref: Path, got: Path) -> list[str]:
    """The coarser comparison an engine with a known evidence gap must still pass."""
    a, b = _findings(ref), _findings(got)
    diff = [f"subject only in one scan: {k}" for k in sorted(set(a) ^ set(b))]
    diff += [f"{k}: {a[k]['band']} -> {b[k]['band']}" for k in sorted(set(a) & set(b)) if a[k]["band"] != b[k]["band"]]
    return diff + [f"cluster in one scan only: {sorted(c)}" for c in _clusters(ref) ^ _clusters(got)]


def test_the_comparison_sees_a_changed_score(demo_scan: tuple[Any, ScanResult, Path], tmp_path: Path) -> None:
    # The negative case: a copy with one score moved by more than 1e-9 and one evidence row
    # dropped is told apart, so an engine that drifts cannot pass.
    _, result, _ = demo_scan
    ref = result.out
    rows = _rows(ref / "findings.jsonl")
    assert same_answers(ref, ref) == []
    rows[0]["score"] += 1e-6
    rows[1]["evidence"] = rows[1]["evidence"][1:]
    (tmp_path / "findings.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (tmp_path / "clusters.jsonl").write_text((ref / "clusters.jsonl").read_text(), encoding="utf-8")
    assert len(same_answers(ref, tmp_path)) == 2


@pytest.mark.parametrize("kind", SCAN_ENGINES)
def test_every_engine_gives_the_duckdb_answers_on_the_small_demo(
    kind: str, demo_scan: tuple[Any, ScanResult, Path], tmp_path: Path
) -> None:
    _, result, root = demo_scan
    got = scan(root / "bundle", tmp_path / "out", engine=EngineChoice(kind))
    assert got.manifest["engine"]["name"] == kind
    # Subjects, bands and clusters must agree even while the xfail's evidence gap is open: a
    # difference there raises something other than the AssertionError the xfail expects.
    if coarse := same_subjects_bands_clusters(result.out, tmp_path / "out"):
        raise CoarseMismatch(coarse)
    assert same_answers(result.out, tmp_path / "out") == []
