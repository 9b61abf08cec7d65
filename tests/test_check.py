"""``unmask check``: one new applicant against a past scan's store."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from unmask.check import check, open_store
from unmask.cli import app
from unmask.demo import Truth
from unmask.pipeline import ScanResult


def _persona_row(root: Path, cid: str) -> dict[str, str]:
    rows = csv.DictReader((root / "bundle/hr/candidates.csv").open(encoding="utf-8"))
    return next(r for r in rows if r["candidate_id"] == cid)


def test_a_new_persona_applicant_is_caught(demo_scan: tuple[Truth, ScanResult, Path], tmp_path: Path) -> None:
    truth, _, root = demo_scan
    persona = _persona_row(root, truth.planted["persona_network"][0])
    applicant = {"full_name": "Kevin Miles", "email": "kevin.miles.dev9@outlook.com", "phone": persona["phone"],
                 "country": "US", "references": [{"email": "DEV.STAR.HIRE@proton.me"}]}
    eng = open_store(root / "out")
    hits = check(eng, applicant)
    eng.close()
    strong = [h for h in hits if h.strength == "strong"]
    phones = [h for h in strong if h.what == "phone"]
    assert {h.subject_id for h in phones} == set(truth.planted["persona_network"])
    assert any(h.what == "reference email" for h in hits)
    # The reference e-mail is also in the demo's intel/iocs.csv: a known indicator, strong.
    (ioc,) = [h for h in strong if h.what == "known indicator"]
    assert "reference email dev.star.hire@proton.me" in ioc.detail and "intel/iocs.csv" in ioc.detail
    assert {h.what for h in strong} == {"phone", "known indicator"}
    # The CLI says the same and exits 1 on strong evidence.
    f = tmp_path / "a.json"
    f.write_text(json.dumps(applicant), encoding="utf-8")
    res = CliRunner().invoke(app, ["check", str(f), "--store", str(root / "out")])
    assert res.exit_code == 1 and "phone also held as phone by candidate" in res.output


def test_a_clean_applicant_and_a_sanctioned_namesake(demo_scan: tuple[Truth, ScanResult, Path]) -> None:
    _, _, root = demo_scan
    eng = open_store(root / "out")
    assert check(eng, {"full_name": "Emily Walker", "email": "emily.walker@example.org", "phone": "+1 614 555 0199",
                       "address_line1": "12 Nowhere Ln", "city": "Columbus", "region": "OH", "postal_code": "43215",
                       "country": "US"}) == []
    # A facilitator's domain from intel/iocs.csv is medium; so is a street a sanctions list gives.
    dom = check(eng, {"full_name": "Emily Walker", "email": "emily@upworksell.com"})
    assert [(h.what, h.strength) for h in dom] == [("known indicator", "medium")] and "DOJ" in dom[0].detail
    # OFAC 43377 KIM, Sang Man, born 1965-04-25: same birth date is strong, another year is nothing.
    same = check(eng, {"full_name": "Gim Sangman", "date_of_birth": "1965-04-25"})
    other = check(eng, {"full_name": "Gim Sangman", "date_of_birth": "1991-02-03"})
    eng.close()
    assert [(h.what, h.strength) for h in same] == [("sanctions", "strong")] and "43377" in same[0].detail
    assert other == []


def test_bad_inputs_are_one_line_errors(tmp_path: Path) -> None:
    f = tmp_path / "a.json"
    f.write_text("[1, 2]", encoding="utf-8")
    res = CliRunner().invoke(app, ["check", str(f), "--store", str(tmp_path)])
    assert res.exit_code == 2 and "one JSON object" in res.output
    f.write_text("{}", encoding="utf-8")
    res = CliRunner().invoke(app, ["check", str(f), "--store", str(tmp_path)])
    assert res.exit_code == 2 and "no store" in res.output and "Traceback" not in res.output
