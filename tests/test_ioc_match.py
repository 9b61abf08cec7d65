"""intel/iocs.csv and the IOCs the sanctions lists publish, against what the bundle holds."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import bundle, dep, emp, findings, run, signals_of, write_csv


def _iocs(root: Path, rows: list[dict[str, str]]) -> None:
    write_csv(root / "intel/iocs.csv", ["type", "value", "source", "note"], rows)


def test_bundle_iocs_meet_contacts_accounts_and_names(tmp_path: Path) -> None:
    emps = [emp("E1", "Linh Nguyen", personal_email="Dev.Star.Hire@Proton.me", phone="+1 614 555 0101"),
            emp("E2", "Ann Lee", "2 Oak St", personal_email="ann@upworksell.com"),
            emp("E3", "Bo Park", "3 Oak St", vendor_company="Silver Star Staffing Group"),
            emp("E4", "Cy Diaz", "4 Oak St", personal_email="cy@example.org")]
    deps = [dep("E4", "DE89 3704 0044 0532 0130 00", "Cy Diaz")]
    root = bundle(tmp_path / "b", emps, deposits=deps)
    _iocs(root, [
        {"type": "email", "value": "dev.star.hire@proton.me", "source": "partner share", "note": ""},
        {"type": "phone", "value": "(614) 555-0101", "source": "FBI PSA", "note": ""},
        {"type": "domain", "value": "https://www.upworksell.com/jobs", "source": "DOJ", "note": "seized"},
        {"type": "bank_account", "value": "DE89370400440532013000", "source": "bank alert", "note": ""},
        {"type": "company", "value": "Silver Star Staffing Group LLC", "source": "internal", "note": "front"},
    ])
    out = tmp_path / "out"
    run(root, out)
    e1 = [e["detail"] for e in signals_of(out, "E1")["ioc_match"]]
    assert any("personal email" in d and "line 2 (partner share)" in d for d in e1), e1
    assert any(d.startswith("phone +16145550101") for d in e1), e1
    (e2,) = signals_of(out, "E2")["ioc_match"]
    assert e2["strength"] == "medium" and "upworksell.com" in e2["detail"]
    (e4,) = signals_of(out, "E4")["ioc_match"]
    # The account number is matched by its token; its digits appear nowhere in the output.
    assert e4["strength"] == "strong" and "payout account is a known indicator" in e4["detail"]
    assert "0532" not in (out / "findings.jsonl").read_text(encoding="utf-8")
    (e3,) = signals_of(out, "E3")["sanctions_name_match"]
    assert "intel/iocs.csv" in e3["detail"] and e3["strength"] == "strong"


def test_a_crypto_address_published_by_ofac_meets_a_payout(tmp_path: Path) -> None:
    # Real: the shipped sdn.csv lists XBT 12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h in an entry's remarks.
    deps = [dep("E1", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h", "Linh Nguyen", method="crypto", platform="crypto")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", [emp("E1", "Linh Nguyen"), emp("E2", "Ann Lee", "2 Oak St")], deposits=deps), out)
    (ev,) = signals_of(out, "E1")["ioc_match"]
    assert "OFAC SDN entry" in ev["detail"] and ev["strength"] == "strong"
    assert "12QtD5" not in (out / "findings.jsonl").read_text(encoding="utf-8")


def test_no_indicator_no_evidence(tmp_path: Path) -> None:
    emps = [emp("E1", "Linh Nguyen", personal_email="linh@gmail.com")]
    root = bundle(tmp_path / "b", emps, deposits=[dep("E1", "111222333", "Linh Nguyen")])
    _iocs(root, [{"type": "domain", "value": "upworksell.com", "source": "DOJ", "note": ""}])
    out = tmp_path / "out"
    run(root, out)
    assert findings(out) == {}


def test_a_ship_to_address_that_ofac_lists(tmp_path: Path) -> None:
    # Real: OFAC entry 24977 (Yanbian Silverstar) lists "20998B-26 Changbaishan East Road",
    # Yanji, China. A laptop shipped there is evidence; the same street in the US is not.
    from tests.helpers import ship

    emps = [emp("E1", "Linh Nguyen"), emp("E2", "Ann Lee", "2 Oak St")]
    ships = [ship("S1", "E1", "20998B-26 Changbaishan East Road", "133000", "Yanji", "Jilin", country="CN"),
             ship("S2", "E2", "20998B-26 Changbaishan East Road", "43215", "Columbus", "OH")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, shipments=ships), out)
    (ev,) = signals_of(out, "E1")["ioc_match"]
    assert "ship-to address" in ev["detail"] and "OFAC SDN entry 24977 address" in ev["detail"]
    assert ev["strength"] == "medium"
    assert "ioc_match" not in signals_of(out, "E2")


def test_an_ip_inside_a_known_range(tmp_path: Path) -> None:
    root = bundle(tmp_path / "b", [emp("E1", "Linh Nguyen")])
    write_csv(root / "hr/candidates.csv", ["candidate_id", "full_name", "email"],
              [{"candidate_id": "C1", "full_name": "Bo Park", "email": "bo@example.org"},
               {"candidate_id": "C2", "full_name": "Cy Diaz", "email": "cy@example.org"}])
    write_csv(root / "hr/interviews.csv", ["candidate_id", "interview_at", "participant_ip"],
              [{"candidate_id": "C1", "interview_at": "2026-06-01T10:00:00Z", "participant_ip": "175.45.176.9"},
               {"candidate_id": "C2", "interview_at": "2026-06-01T11:00:00Z", "participant_ip": "175.45.180.1"}])
    _iocs(root, [{"type": "cidr", "value": "175.45.176.0/22", "source": "DPRK allocation", "note": ""}])
    out = tmp_path / "out"
    run(root, out)
    (ev,) = signals_of(out, "C1")["ioc_match"]
    assert "interview ip 175.45.176.9 is in a known range" in ev["detail"] and "175.45.176.0/22" in ev["detail"]
    assert "C2" not in findings(out) or "ioc_match" not in signals_of(out, "C2")
