"""The scenario suite (issue 13 §6): deterministic per seed, every class planted, a clean bundle."""

from __future__ import annotations

import hashlib
from pathlib import Path

from bench.evaluate_scenarios import average_precision, pair_f1
from bench.scenarios import BENIGN, CLASSES, SCHEMES, generate
from bench.scenarios.generate import truth_path
from unmask.pipeline import validate


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_same_seed_same_bundle_other_seed_differs(tmp_path: Path) -> None:
    generate(tmp_path / "a", 3, "small")
    generate(tmp_path / "b", 3, "small")
    generate(tmp_path / "c", 4, "small")
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")
    assert truth_path(tmp_path / "a").read_text() == truth_path(tmp_path / "b").read_text()


def test_every_class_in_both_families_and_bundle_validates(tmp_path: Path) -> None:
    truth = generate(tmp_path / "s", 1, "small")
    for cls in CLASSES:
        fams = {t["family"] for t in truth.values() if t["class"] == cls}
        assert fams == {"A", "B"}, cls
    assert {t["class"] for t in truth.values()} == set(CLASSES) | {"background"}
    assert not set(SCHEMES) & set(BENIGN)
    assert all(t["scheme"] == ("1" if t["class"] in SCHEMES else "0") for t in truth.values())
    assert not (tmp_path / "s" / "truth.json").exists()  # the scan must never see the truth
    man = validate(tmp_path / "s", None)
    assert man["totals"]["rejected"] == 0, man["rejects"][:5]
    assert man["totals"]["read"] == man["totals"]["loaded"] > 0
    employees = next(f for f in man["files"] if f["path"] == "hr/employees.csv")
    assert employees["loaded"] == 300


def test_held_out_family_uses_other_spellings(tmp_path: Path) -> None:
    generate(tmp_path / "s", 2, "small")
    text = (tmp_path / "s/hr/employees.csv").read_text()
    assert "United States of America" in text or "U.S." in text  # family B countries
    assert "USA" in text or "United States," in text  # family A countries


def test_metrics_can_fail() -> None:
    assert average_precision(["a", "b", "c"], {"a"}) == 1.0
    assert average_precision(["b", "a"], {"a"}) == 0.5
    assert average_precision(["b"], {"a"}) == 0.0  # never ranked: ranks last, adds nothing
    scope = {"a", "b", "c", "d"}
    assert pair_f1([{"a", "b"}], {"g": {"a", "b"}}, scope)["f1"] == 1.0
    assert pair_f1([{"a", "c"}], {"g": {"a", "b"}}, scope)["f1"] == 0.0
