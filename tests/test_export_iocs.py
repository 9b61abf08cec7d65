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

from tests.helpers import bundle, dep, emp, findings, run, signals_of, write_csv
from unmask.cli import app
from unmask.demo import Truth
from unmask.pipeline import ScanResult
from unmask.report.export import UNMASK_EXTENSION, Ioc, csv_safe, to_csv, to_stix


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
    assert kinds == {"identity", "extension-definition", "indicator", "grouping"}
    patterns = [o.pattern for o in parsed.objects if o.type == "indicator"]
    assert any(p.startswith("[email-addr:value") for p in patterns)
    assert any(p.startswith("[ipv4-addr:value") for p in patterns)
    # A phone has no STIX observable: it is there, and marked as only Unmask's.
    phones = [o for o in parsed.objects if o.type == "indicator" and o.pattern.startswith("phone = ")]
    assert phones and all(o.extensions[UNMASK_EXTENSION]["unmask_only"] for o in phones)
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
    iocs = [Ioc("email", "x'or'1=1@evil.test", "personal email of E1"),
            Ioc("email", "x'] OR [ipv4-addr:value = '1.2.3.4@evil.test", "personal email of E1"),
            Ioc("address", "=HYPERLINK(\"http://evil\"), Town, US", "ship-to address of E1")]
    text = to_stix(iocs, "E1")
    parsed = stix2.parse(text, allow_custom=False)
    (email,) = [o for o in parsed.objects if o.type == "indicator" and o.pattern_type == "stix"]
    assert email.pattern == "[email-addr:value = 'x\\'or\\'1=1@evil.test']"
    # Not an e-mail address: no email-addr pattern, and still quoted.
    (odd,) = [o for o in parsed.objects if o.type == "indicator" and o.pattern.startswith("email = ")]
    assert odd.pattern == "email = 'x\\'] OR [ipv4-addr:value = \\'1.2.3.4@evil.test'"
    rows = list(csv.reader(io.StringIO(to_csv(iocs, "E1"))))
    assert rows[3][1].startswith("'=HYPERLINK")


# OWASP CSV injection payloads, including those the old guard let through because their second
# character is a digit.
FORMULAS = ["=1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "+1+HYPERLINK(\"http://evil\",\"x\")",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "=2*3", "-1", "+14155550123"]


def test_every_formula_cell_is_neutralised_in_the_csv_export() -> None:
    iocs = [Ioc("address", f, f) for f in FORMULAS]
    rows = list(csv.reader(io.StringIO(to_csv(iocs, FORMULAS[0]))))[1:]
    assert len(rows) == len(FORMULAS)
    for row, f in zip(rows, FORMULAS, strict=True):
        assert row[1] == "'" + f and row[3] == "'" + f, row  # value and note
        assert row[2] == "unmask case " + FORMULAS[0]  # starts with a letter: left as it is
    for cell in ("0 Oak St", "dev@x.example", "tk_abc", "'=already quoted"):
        assert csv_safe(cell) == cell


def test_stix_uses_observables_other_tools_read_and_marks_the_rest() -> None:
    iocs = [Ioc("ip", "203.0.113.7", "a"), Ioc("ip", "2001:db8::7", "b"), Ioc("ip", "not-an-ip", "c"),
            Ioc("ip", "203.0.113.7:443", "d"), Ioc("email", "dev@evil.example", "e"),
            Ioc("domain", "evil.example", "f"),
            Ioc("github", "github.com/devstar", "g"), Ioc("linkedin", "linkedin.com/in/dev-star", "h"),
            Ioc("sha256", "a" * 64, "i"), Ioc("phone", "+14155550123", "j"), Ioc("address", "1 Oak St, Town, US", "k"),
            Ioc("crypto_address", "tk_0123", "l"), Ioc("domain", "not a domain", "m")]
    parsed = stix2.parse(to_stix(iocs, "E1"), allow_custom=False)  # the stix2 library validates it all
    by_note = {o.description.rsplit(": ", 1)[-1]: o for o in parsed.objects if o.type == "indicator"}
    assert by_note["a"].pattern == "[ipv4-addr:value = '203.0.113.7']"
    assert by_note["b"].pattern == "[ipv6-addr:value = '2001:db8::7']"
    assert by_note["e"].pattern == "[email-addr:value = 'dev@evil.example']"
    assert by_note["f"].pattern == "[domain-name:value = 'evil.example']"
    assert by_note["g"].pattern == "[url:value = 'https://github.com/devstar']"
    assert by_note["h"].pattern == "[url:value = 'https://linkedin.com/in/dev-star']"
    assert by_note["i"].pattern == f"[file:hashes.'SHA-256' = '{'a' * 64}']"
    standard = set("abefghi")
    for note, o in by_note.items():
        ext = o.extensions[UNMASK_EXTENSION]
        assert ext["unmask_only"] == (note not in standard), note
        assert (o.pattern_type == "stix") == (note in standard), note
        if note not in standard:  # no string that is not an IP is ever an ipv4-addr
            assert "-addr:" not in o.pattern and o.name.startswith("Unmask-only") and "Unmask-only" in o.description
    (ext_def,) = [o for o in parsed.objects if o.type == "extension-definition"]
    assert ext_def.id == UNMASK_EXTENSION and ext_def.extension_types == ["property-extension"]
    (group,) = [o for o in parsed.objects if o.type == "grouping"]
    assert "6 of 13 are Unmask-only" in group.description


def _gate_bundle(root: Path) -> Path:
    """E1 and E2 share a home and a payout account (a high finding); E3 is a clean worker with a
    reference, a personal e-mail and a phone."""
    emps = [emp("E1", "Ann Lee", personal_email="ann@mail.example", phone="+16145550101"),
            emp("E2", "Bo Park", personal_email="bo@mail.example", phone="+16145550102"),
            emp("E3", "Cy Diaz", "3 Ash", personal_email="cy.diaz@home.example", phone="+16145550103")]
    deps = [dep("E1", "000123456789", "Ann Lee"), dep("E2", "000123456789", "Ann Lee"),
            dep("E3", "000555555555", "Cy Diaz")]
    b = bundle(root, emps, deposits=deps)
    write_csv(b / "intel/iocs.csv", ["type", "value", "source", "note"], [
        {"type": "email", "value": "ann@mail.example", "source": "partner", "note": "persona"},
        {"type": "phone", "value": "+16145550101", "source": "partner", "note": "persona"}])
    write_csv(b / "hr/candidates.csv", ["candidate_id", "full_name", "email", "employee_id"], [
        {"candidate_id": "K1", "full_name": "Ann Lee", "email": "ann@mail.example", "employee_id": "E1"},
        {"candidate_id": "K3", "full_name": "Cy Diaz", "email": "cy.diaz@home.example", "employee_id": "E3"}])
    write_csv(b / "hr/references.csv", ["candidate_id", "reference_name", "reference_email", "reference_phone"], [
        {"candidate_id": "K1", "reference_name": "Dee Ref", "reference_email": "dee@referee.example",
         "reference_phone": "+16145550199"},
        {"candidate_id": "K3", "reference_name": "Eve Ref", "reference_email": "eve@referee.example",
         "reference_phone": "+16145550198"}])
    return b


def test_subject_without_a_high_finding_or_confirmation_is_not_exported(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(_gate_bundle(tmp_path / "b"), out)
    bands = {sid: f["band"] for sid, f in findings(out).items()}
    assert bands.get("E1") in ("high", "critical") and bands.get("E3") in (None, "low"), bands
    # The clean worker: refused, nothing written, and the message says how to override.
    target = tmp_path / "e3.csv"
    r = CliRunner().invoke(app, ["export-iocs", str(out), "--subject", "E3", "--format", "csv", "--to", str(target)])
    assert r.exit_code == 2 and "no high or critical finding" in r.output and "--force" in r.output, r.output
    assert not target.exists() and "cy.diaz" not in r.output
    # --force exports them, still without their reference (a third party).
    r = CliRunner().invoke(app, ["export-iocs", str(out), "--subject", "E3", "--format", "csv", "--force"])
    assert r.exit_code == 0 and "cy.diaz@home.example" in r.stdout and "eve@referee" not in r.stdout, r.output
    # A flagged worker: exported; references only when asked for.
    r = CliRunner().invoke(app, ["export-iocs", str(out), "--subject", "E1", "--format", "csv"])
    assert r.exit_code == 0 and "ann@mail.example" in r.stdout, r.output
    assert "dee@referee.example" not in r.stdout and "referee.example" not in r.stdout and "16145550199" not in r.stdout
    r = CliRunner().invoke(app, ["export-iocs", str(out), "--subject", "E1", "--format", "csv",
                                 "--include-references"])
    assert r.exit_code == 0 and "dee@referee.example" in r.stdout and "+16145550199" in r.stdout, r.output
    # A confirmed decision in the cases store makes the clean-by-score worker shareable.
    from unmask.cases import CasesStore
    from unmask.model import Key

    with CasesStore.open(out / "cases.sqlite") as cases:
        cases.decide(Key("employee", "E3"), "needs_review", author="ana")
    r = CliRunner().invoke(app, ["export-iocs", str(out), "--subject", "E3", "--format", "csv"])
    assert r.exit_code == 2, r.output  # under review is not confirmed
    with CasesStore.open(out / "cases.sqlite") as cases:
        cases.decide(Key("employee", "E3"), "confirmed", author="ana")
    r = CliRunner().invoke(app, ["export-iocs", str(out), "--subject", "E3", "--format", "csv"])
    assert r.exit_code == 0 and "cy.diaz@home.example" in r.stdout, r.output


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
