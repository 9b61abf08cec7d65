"""The scenario suite (bench/scenarios): deterministic, complete, readable, and a floor on its figures."""

from __future__ import annotations

import hashlib
from pathlib import Path

from bench.evaluate_scenarios import evaluate_one
from bench.scenarios import CLASSES, generate
from unmask.pipeline import validate


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode() + p.read_bytes())
    return h.hexdigest()


def test_the_generator_is_deterministic_and_families_differ(tmp_path: Path) -> None:
    a1 = generate(tmp_path / "a1" / "bundle", seed=3, family="A")
    a2 = generate(tmp_path / "a2" / "bundle", seed=3, family="A")
    b = generate(tmp_path / "b" / "bundle", seed=3, family="B")
    assert a1.labels == a2.labels and _digest(tmp_path / "a1/bundle") == _digest(tmp_path / "a2/bundle")
    assert _digest(tmp_path / "a1/bundle") != _digest(tmp_path / "b/bundle")
    assert set(b.labels.values()) == set(CLASSES)  # every class appears
    # Family B writes what family A never does: held-out spellings.
    text = (tmp_path / "b/bundle/hr/employees.csv").read_text()
    assert "United States" in text or "U.S." in text


def test_a_scenario_bundle_reads_without_a_reject(tmp_path: Path) -> None:
    generate(tmp_path / "bundle", seed=1, family="B")
    man = validate(tmp_path / "bundle")
    assert man["totals"]["rejected"] == 0 and man["totals"]["loaded"] > 2000


def test_held_out_family_figures_do_not_regress() -> None:
    r = evaluate_one(1, "B", "small")
    assert r["lookalikes_high"] == 0, r["lookalikes_high_by_class"]
    assert r["clean_high"] == 0
    assert r["recall_high"] >= 0.9 and r["precision_high"] >= 0.9 and r["ap"] >= 0.92
