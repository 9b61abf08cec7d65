"""Screening bundle parties against the shipped OFAC SDN copy."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import bundle, dep, emp, findings, run, signals_of


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
    assert "OFAC SDN" in evs['vendor company "Volasys Silver Star"']["detail"]
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


def test_romanisation_variants_and_hangul_meet_the_listed_person(tmp_path: Path) -> None:
    # OFAC 43377 "KIM, Sang Man" (DOB 25 Apr 1965) under three romanisations and in Hangul.
    names = ["Kim Sang-man", "Gim Sangman", "김상만"]
    emps = [emp(f"E{i}", n, f"{i} Oak St", date_of_birth="1965-04-25") for i, n in enumerate(names, start=1)]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps), out)
    for i in range(1, len(names) + 1):
        (ev,) = signals_of(out, f"E{i}")["sanctions_name_match"]
        assert "entry 43377" in ev["detail"] and ev["strength"] == "strong", ev


def test_un_list_is_screened_too(tmp_path: Path) -> None:
    # UN KPi.033 RI WON HO, born 1964-07-17; DPRK usage "Ri", ROK usage "Rhee".
    emps = [emp("E1", "Rhee Won-ho", date_of_birth="1964-07-17")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps), out)
    details = [e["detail"] for e in signals_of(out, "E1")["sanctions_name_match"]]
    assert any("UN SC entry KPi.033" in d for d in details), details
