"""``unmask export-iocs``: one case's indicators as STIX 2.1 (validated by stix2) and as
intel/iocs.csv rows that another scan imports."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
import stix2
from typer.testing import CliRunner

from tests.helpers import bundle, emp, run, signals_of, write_csv
from unmask.cli import app
from unmask.demo import Truth
from unmask.pipeline import ScanResult
from unmask.report.export import Ioc, to_csv, to_stix


def _cluster_of(out: Path, member: str) -> str:
    for line in (out / "clusters.jsonl").read_text(encoding="utf-8").splitlines():
        c = json.loads(line)
        if any(m["id"] == member for m in c["members"]):
            return str(c["cluster_id"])
    raise AssertionError(f"{member} is in no cluster")


def test_stix_export_of_a_cluster_validates(demo_scan: tuple[Truth, ScanResult, Path]) -> None:
    truth, _, root = demo_scan
    persona = truth.planted["persona_network"]
    cid = _cluster_of(root / "out", persona[0])
    res = CliRunner().invoke(app, ["export-iocs", str(root / "out"), "--cluster", cid, "--format", "stix"])
    assert res.exit_code == 0, res.output
    parsed = stix2.parse(res.stdout, allow_custom=False)  # raises on anything invalid
    kinds = {o.type for o in parsed.objects}
    assert kinds == {"identity", "indicator", "grouping"}
    patterns = [o.pattern for o in parsed.objects if o.type == "indicator"]
    assert any(p.startswith("[email-addr:value") for p in patterns)
    assert any(p.startswith("[ipv4-addr:value") for p in patterns)
    assert any(p.startswith("phone = ") for p in patterns)
    # No keyed account token leaves without --include-tokens.
    assert "tk_" not in res.stdout


def test_csv_export_is_imported_by_another_scan(demo_scan: tuple[Truth, ScanResult, Path], tmp_path: Path) -> None:
    truth, _, root = demo_scan
    farm = truth.planted["laptop_farm"]
    cid = _cluster_of(root / "out", farm[0])
    target = tmp_path / "iocs.csv"
    res = CliRunner().invoke(app, ["export-iocs", str(root / "out"), "--cluster", cid, "--format", "csv",
                                   "--to", str(target), "--include-tokens"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert {"address", "bank_account"} <= {r["type"] for r in rows}
    assert all(r["value"].startswith("tk_") for r in rows if r["type"] == "bank_account")
    # The next company: the same bundle, with the exported rows as its intel/iocs.csv.
    other = tmp_path / "bundle"
    shutil.copytree(root / "bundle", other)
    shutil.copy(target, other / "intel" / "iocs.csv")
    out = tmp_path / "out"
    run(other, out)
    for eid in farm:
        details = [e["detail"] for e in signals_of(out, eid).get("ioc_match", [])]
        assert any("ship-to address" in d for d in details), (eid, details)
        assert any(d.startswith("payout account") for d in details), (eid, details)


def test_hostile_values_stay_data() -> None:
    iocs = [Ioc("email", "x'] OR [ipv4-addr:value = '1.2.3.4@evil.test", "personal email of E1"),
            Ioc("address", "=HYPERLINK(\"http://evil\"), Town, US", "ship-to address of E1")]
    text = to_stix(iocs, "E1")
    parsed = stix2.parse(text, allow_custom=False)
    (email,) = [o for o in parsed.objects if o.type == "indicator" and o.pattern_type == "stix"]
    assert email.pattern == "[email-addr:value = 'x\\'] OR [ipv4-addr:value = \\'1.2.3.4@evil.test']"
    rows = list(csv.reader(io.StringIO(to_csv(iocs, "E1"))))
    assert rows[2][1].startswith("'=HYPERLINK")


def test_export_needs_one_case_and_a_scan(tmp_path: Path) -> None:
    root = bundle(tmp_path / "b", [emp("E1", "Ann Lee")])
    write_csv(root / "intel/iocs.csv", ["type", "value", "source", "note"], [])
    out = tmp_path / "out"
    run(root, out)
    r = CliRunner().invoke(app, ["export-iocs", str(out)])
    assert r.exit_code == 2 and "exactly one case" in r.output
    r = CliRunner().invoke(app, ["export-iocs", str(out), "--cluster", "C999"])
    assert r.exit_code == 2 and "no cluster C999" in r.output
    r = CliRunner().invoke(app, ["export-iocs", str(tmp_path), "--subject", "E1"])
    assert r.exit_code == 2 and "no unmask.duckdb" in r.output


@pytest.mark.parametrize("cell", ["=1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "+1+HYPERLINK(\"http://x\")",
                                  "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "=HYPERLINK(\"x\")"])
def test_every_formula_cell_is_neutralised(cell: str) -> None:
    text = to_csv([Ioc("email", cell, cell)], "C-1")
    row = list(csv.reader(io.StringIO(text, newline="")))[1]
    assert row[1].startswith("'") and row[3].startswith("'")


def test_plain_values_are_left_as_they_are() -> None:
    text = to_csv([Ioc("domain", "upworksell.com", "facilitator site")], "C-1")
    assert next(csv.reader(io.StringIO(text.splitlines()[1])))[1] == "upworksell.com"
