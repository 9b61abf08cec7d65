"""Screening bundle parties against the shipped OFAC SDN copy."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import bundle, dep, emp, findings, run, signals_of
from unmask.normalise.sanctions import screen_key


def test_screen_key_drops_legal_forms_and_order() -> None:
    assert screen_key("Yanbian Silverstar Network Technology Co., Ltd.") == screen_key(
        "YANBIAN SILVERSTAR NETWORK TECHNOLOGY CO., LTD.")
    assert screen_key("KIM, Sang Man") == screen_key("Sang Man Kim") == "kim man sang"


def test_sanctioned_vendor_and_account_holder(tmp_path: Path) -> None:
    emps = [emp("E1", "Linh Nguyen", employment_type="contractor", vendor_company="Volasys Silver Star"),
            emp("E2", "Ann Lee", "2 Oak St", vendor_company="Globex Staffing LLC")]
    deps = [dep("E1", "1", "Yanbian Silverstar Network Technology Co., Ltd.", method="wire", country="CN")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, deposits=deps), out)
    evs = {e["detail"].split(" matches ")[0]: e for e in signals_of(out, "E1")["sanctions_name_match"]}
    assert evs['vendor company "Volasys Silver Star"']["strength"] == "strong"
    assert "entry 24978" in evs['vendor company "Volasys Silver Star"']["detail"]
    assert "entry 24977" in evs['account holder "Yanbian Silverstar Network Technology Co., Ltd."']["detail"]
    assert "E2" not in findings(out)


def test_a_person_needs_the_birth_year_to_be_strong(tmp_path: Path) -> None:
    # OFAC 43377 KIM, Sang Man: DOB 25 Apr 1965.
    emps = [emp("E1", "Sang Man Kim", date_of_birth="1965-04-25"),
            emp("E2", "Sang Man Kim", "2 Oak St", date_of_birth="1991-02-03"),  # a namesake
            emp("E3", "Sang Man Kim", "3 Oak St")]  # no birth date on file
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps), out)
    assert signals_of(out, "E1")["sanctions_name_match"][0]["strength"] == "strong"
    assert "E2" not in findings(out)
    # A name alone (no date of birth on file) makes no finding by itself...
    assert "E3" not in findings(out)


def test_a_name_only_hit_joins_other_evidence(tmp_path: Path) -> None:
    emps = [emp("E1", "Sang Man Kim", national_id="900-11-2222"),
            emp("E2", "Ann Lee", "2 Oak St", national_id="900-11-2222")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps), out)
    sig = signals_of(out, "E1")
    assert sig["sanctions_name_match"][0]["strength"] == "weak" and "national_id_shared" in sig
