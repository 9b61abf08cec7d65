"""Decisive evidence is scored as decisive (issue 13 §3): each signal carries its own likelihood
ratio with its source, a decisive indicator reaches "high" by itself whatever the family's
diminishing returns, and a weak or medium signal alone still never does."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import bundle, dep, emp, findings, run, ship, signals_of, write_csv
from unmask.config import Config
from unmask.model import DECISIVE_MIN_LOG_ODDS
from unmask.score import SCALE
from unmask.signals import SIGNALS

HIGH = Config().bands["high"]
DEV_COLS = ["asset_tag", "serial_number", "hostname", "assigned_employee_id", "model", "os", "enrolled_at"]


def _score(total: float) -> float:
    return 1 - math.exp(-total / SCALE)


def test_every_signal_states_its_likelihood_ratio_and_where_it_comes_from() -> None:
    for s in SIGNALS:
        assert s.log_odds is not None and s.log_odds > 0, s.id
        assert "§" in s.basis and s.basis.endswith("."), s.id  # an indicators.md section, in a sentence
        if s.decisive:
            assert s.decisive_log_odds is not None and s.decisive_log_odds >= DECISIVE_MIN_LOG_ODDS, s.id
            assert "Decisive" in s.basis, s.id
    # The numbers agree with the rule: one decisive row passes "high", one row of any other
    # signal does not (it needs another family, scoring.md).
    assert _score(DECISIVE_MIN_LOG_ODDS) >= HIGH
    assert all(_score(s.weight) < HIGH for s in SIGNALS)
    assert {s.id for s in SIGNALS if s.decisive} == {
        "ipkvm_usb_identity", "ipkvm_display_edid", "sanctions_name_match", "ioc_match", "identity_active_twice"}


def _laptops(root: Path, people: list[dict[str, Any]]) -> None:
    write_csv(root / "assets/devices.csv", DEV_COLS, [
        {"asset_tag": f"AS{i}", "serial_number": f"SN{i}", "hostname": f"lt-{p['employee_id'].lower()}",
         "assigned_employee_id": p["employee_id"]} for i, p in enumerate(people)])


def _osq(root: Path, host: str, table: str, columns: dict[str, str]) -> None:
    path = root / "endpoint/osquery/results.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fh.write(json.dumps({"name": f"pack_unmask_{table}", "hostIdentifier": host, "unixTime": 1788300000,
                             "action": "added", "decorations": {"hostname": host}, "columns": columns}) + "\n")


def _kvm_org(tmp_path: Path, toml: str = "") -> Path:
    people = [emp("E1", "Ann Lee"), emp("E2", "Bo Park", "9 Elm St"), emp("E3", "Cy Diaz", "4 Ash St")]
    root = bundle(tmp_path / "b", people, shipments=[
        ship(f"S{i}", p["employee_id"], p["address_line1"], p["postal_code"]) for i, p in enumerate(people)],
        toml=toml)
    _laptops(root, people)
    # E1: a PiKVM on the company laptop, as its USB gadget and as the display it announces:
    # two strong rows of one family, which diminishing returns used to hold at 0.70 (medium).
    _osq(root, "lt-e1", "usb_devices", {"vendor_id": "1d6b", "model_id": "0104", "vendor": "PiKVM",
                                        "model": "PiKVM Composite Device", "serial": "CAFEBABE"})
    _osq(root, "lt-e1", "connected_displays", {"name": "PiKVM V4 Plus"})
    # E2: a developer's Raspberry Pi gadget project (the generic Linux Foundation id): weak.
    _osq(root, "lt-e2", "usb_devices", {"vendor_id": "1d6b", "model_id": "0104", "vendor": "Linux Foundation",
                                        "model": "Multifunction Composite Gadget", "serial": "0123"})
    # E3: a real Toshiba TV as a second screen.
    _osq(root, "lt-e3", "connected_displays", {"name": "TOSHIBA-TV"})
    return root


def test_a_known_ipkvm_identity_is_high_by_itself(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(_kvm_org(tmp_path), out)
    f = findings(out)
    assert f["E1"]["band"] in ("high", "critical") and f["E1"]["score"] >= HIGH
    rows = [e for e in f["E1"]["evidence"] if e["signal"].startswith("ipkvm")]
    assert len(rows) == 2 and all(e["decisive"] for e in rows)
    # The look-alikes: a gadget id is weak and not decisive; a TV is nothing.
    assert [e["decisive"] for e in f["E2"]["evidence"]] == [False] and f["E2"]["band"] == "low"
    assert "E3" not in f


def test_decisive_holds_when_bands_move_and_goes_when_the_signal_is_weighed_to_zero(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(_kvm_org(tmp_path, "[scoring]\nbands = {critical = 0.95, high = 0.85, medium = 0.4}\n"), out)
    assert findings(out)["E1"]["band"] == "high"  # raised cut: still high, by the decisive floor
    out2 = tmp_path / "out2"
    (tmp_path / "c").mkdir()
    root = _kvm_org(tmp_path / "c", "[scoring.weights]\nipkvm_usb_identity = 0\nipkvm_display_edid = 0\n")
    run(root, out2)
    assert findings(out2)["E1"]["band"] == "low"  # a user who turns a signal off gets no floor from it


def test_a_sanctioned_front_as_vendor_is_high_and_a_listed_persons_namesake_is_not(tmp_path: Path) -> None:
    # Real: OFAC entry 24978 Volasys Silver Star; 43377 KIM, Sang Man (DOB 1965-04-25).
    emps = [emp("E1", "Linh Nguyen", employment_type="contractor", vendor_company="Volasys Silver Star"),
            emp("E2", "Sang Man Kim", "2 Oak St", date_of_birth="1965-04-25"),
            emp("E3", "Ann Lee", "3 Oak St", employment_type="contractor", vendor_company="Globex Staffing LLC")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps), out)
    f = findings(out)
    assert f["E1"]["band"] in ("high", "critical")
    assert [e["decisive"] for e in f["E1"]["evidence"] if e["signal"] == "sanctions_name_match"] == [True]
    # A listed person with the same birth date is strong, but a person's match is not decisive:
    # one strong row alone stays medium.
    (row,) = f["E2"]["evidence"]
    assert row["strength"] == "strong" and not row["decisive"] and f["E2"]["band"] == "medium"
    assert "E3" not in f


def test_a_payout_to_a_listed_wallet_is_high_and_a_listed_email_alone_is_not(tmp_path: Path) -> None:
    # Real: the shipped sdn.csv lists XBT 12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h in an entry's remarks.
    emps = [emp("E1", "Linh Nguyen"), emp("E2", "Ann Lee", "2 Oak St", personal_email="dev.star.hire@proton.me"),
            emp("E3", "Bo Park", "3 Oak St")]
    deps = [dep("E1", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h", "Linh Nguyen", method="crypto", platform="crypto"),
            dep("E3", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9x", "Bo Park", method="crypto", platform="crypto")]
    root = bundle(tmp_path / "b", emps, deposits=deps)
    write_csv(root / "intel/iocs.csv", ["type", "value", "source", "note"],
              [{"type": "email", "value": "dev.star.hire@proton.me", "source": "partner share", "note": ""}])
    out = tmp_path / "out"
    run(root, out)
    f = findings(out)
    assert f["E1"]["band"] in ("high", "critical")
    (ioc,) = signals_of(out, "E1")["ioc_match"]
    assert ioc["decisive"]
    # A contact that is a known indicator can be stale: strong, not decisive, medium alone.
    (mail,) = signals_of(out, "E2")["ioc_match"]
    assert mail["strength"] == "strong" and not mail["decisive"] and f["E2"]["band"] == "medium"
    # One character off the listed wallet is another wallet.
    assert "ioc_match" not in signals_of(out, "E3")


def test_one_identity_employed_twice_at_once_is_high_and_its_victim_is_not(tmp_path: Path) -> None:
    ssn = "512-44-9087"
    old = emp("E1", "Maria Gonzalez", "14 Birch Rd", national_id=ssn, date_of_birth="1988-04-02",
              personal_email="maria.g88@gmail.com", phone="+1 614 555 0134", hire_date="2019-03-01")
    new = emp("E2", "Maria Gonzalez", "77 Lake Dr", postal="85212", city="Mesa", region="AZ", national_id=ssn,
              date_of_birth="1988-04-02", personal_email="mgonz.dev@outlook.com", phone="+1 480 555 0199",
              hire_date="2026-08-01")
    # One person on the payroll twice (the same contacts and home): strong, not decisive.
    dup_a = emp("E3", "Ravi Shah", "8 Pine Ct", national_id="623-11-4410", date_of_birth="1979-11-30",
                personal_email="ravi.shah@gmail.com", hire_date="2024-03-01")
    dup_b = dict(dup_a, employee_id="E4", email="e4@corp.example", hire_date="2025-09-01")
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", [old, new, dup_a, dup_b, emp("E10", "Ann Lee", "9 Elm St")]), out)
    f = findings(out)
    assert f["E2"]["band"] in ("high", "critical")
    assert [e["decisive"] for e in f["E2"]["evidence"] if e["signal"] == "identity_active_twice"] == [True]
    assert f["E1"]["band"] in ("low", "medium")  # the likely victim
    (dup,) = signals_of(out, "E4")["identity_active_twice"]
    assert dup["strength"] == "strong" and not dup["decisive"] and f["E4"]["band"] == "medium"


@pytest.mark.parametrize("factor", [1.0, 5.0])
def test_medium_evidence_of_one_family_never_makes_high(tmp_path: Path, factor: float) -> None:
    # Laptops shipped far from home, three times, to three other states; even a user weight of
    # five on the signal leaves it below "high" without a strong row or a second family.
    e = emp("E1", "Ann Lee")
    ships = [ship(f"S{i}", "E1", f"{i} Far Rd", z, c, r) for i, (z, c, r) in
             enumerate([("85212", "Mesa", "AZ"), ("97201", "Portland", "OR"), ("33101", "Miami", "FL")])]
    toml = f"[scoring.weights]\nship_to_far_from_home = {factor}\n"
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", [e, emp("E2", "Bo Park", "9 Elm St")], shipments=ships, toml=toml), out)
    f = findings(out)["E1"]
    assert {x["strength"] for x in f["evidence"]} == {"medium"}
    assert f["band"] == "medium" and f["score"] < HIGH
