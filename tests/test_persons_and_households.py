"""One person per human before anything is called shared, and households read from what people
declare (issue: verdicts on data we did not write).

Each class has its benign form and its twin that must still fire: a rehire and a stolen
identity differ only in whether the records agree beyond the identity; a couple and a laptop
farm differ only in whether the address is the worker's own declared home.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers import bundle, emp, findings, run, ship, signals_of, write_csv

SSN = "512-44-9087"
CAND_COLS = ["candidate_id", "full_name", "email", "phone", "address_line1", "city", "region", "postal_code",
             "country", "applied_at", "stage"]


def _pair(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    # Unrelated colleagues around them, so the organisation is not just the pair.
    return [old, new, emp("E10", "Ann Lee", "9 Elm St"), emp("E11", "Bo Park", "3 Ash St")]


def test_a_rehire_is_one_person_with_two_records(tmp_path: Path) -> None:
    old = emp("E1", "Maria Gonzalez", "14 Birch Rd", national_id=SSN, date_of_birth="1988-04-02",
              personal_email="maria.g88@gmail.com", phone="+1 614 555 0134", hire_date="2019-03-01",
              termination_date="2022-06-30")
    # Rehired: a new id and work e-mail; the same identity, the same personal e-mail (written with
    # Gmail's dots and another case), the same phone in another format.
    new = dict(old, employee_id="E2", email="e2@corp.example", personal_email="Maria.G.88@gmail.com",
               phone="(614) 555-0134", hire_date="2025-01-06", termination_date="")
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", _pair(old, new)), out)
    assert findings(out) == {}, "a rehire's two records are one person, not two people sharing an identity"


def test_the_same_identity_with_other_contacts_and_home_is_claimed(tmp_path: Path) -> None:
    # The twin of the rehire: the same name, birth date and SSN, but nothing else in common.
    old = emp("E1", "Maria Gonzalez", "14 Birch Rd", national_id=SSN, date_of_birth="1988-04-02",
              personal_email="maria.g88@gmail.com", phone="+1 614 555 0134", hire_date="2019-03-01")
    new = emp("E2", "Maria Gonzalez", "77 Lake Dr", postal="85212", city="Mesa", region="AZ", national_id=SSN,
              date_of_birth="1988-04-02", personal_email="mgonz.dev@outlook.com", phone="+1 480 555 0199",
              hire_date="2026-08-01")
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", _pair(old, new)), out)
    thief, victim = signals_of(out, "E2"), signals_of(out, "E1")
    assert thief["national_id_shared"][0]["strength"] == "strong"
    # Both records are employed at once: decisive for the later one.
    assert thief["identity_active_twice"][0]["strength"] == "strong"
    # The record that came first is the likely victim: weak rows, and never the impostor's band.
    assert {e["strength"] for e in victim["national_id_shared"]} == {"weak"}
    assert "likely the person whose identity" in victim["national_id_shared"][0]["detail"]
    assert "identity_active_twice" not in victim
    f = findings(out)
    assert f["E2"]["score"] > f["E1"]["score"] and f["E1"]["band"] in ("low", "medium")
    # Both records stay together in one cluster.
    assert set(f["E1"]["clusters"]) == set(f["E2"]["clusters"]) != set()


def test_a_former_workers_identity_reused_is_still_claimed(tmp_path: Path) -> None:
    old = emp("E1", "Maria Gonzalez", "14 Birch Rd", national_id=SSN, date_of_birth="1988-04-02",
              hire_date="2015-03-01", termination_date="2020-01-31", personal_email="maria.g88@gmail.com")
    new = emp("E2", "Maria Gonzalez", "77 Lake Dr", postal="85212", city="Mesa", region="AZ", national_id=SSN,
              date_of_birth="1988-04-02", hire_date="2026-08-01", personal_email="mg.remote@proton.me")
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", _pair(old, new)), out)
    thief = signals_of(out, "E2")
    assert thief["national_id_shared"][0]["strength"] == "strong"
    assert "identity_active_twice" not in thief  # not at the same time: the reuse alone stays strong


def test_one_person_on_the_payroll_twice_at_once_is_strong(tmp_path: Path) -> None:
    a = emp("E1", "Maria Gonzalez", "14 Birch Rd", national_id=SSN, date_of_birth="1988-04-02",
            personal_email="maria.g88@gmail.com", hire_date="2024-03-01")
    b = dict(a, employee_id="E2", email="e2@corp.example", hire_date="2025-09-01")
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", _pair(a, b)), out)
    assert signals_of(out, "E2")["identity_active_twice"][0]["strength"] == "strong"


def _candidates(root: Path, rows: list[dict[str, Any]]) -> None:
    write_csv(root / "hr/candidates.csv", CAND_COLS, rows)


def _cand(cid: str, name: str, phone: str, email: str, when: str) -> dict[str, Any]:
    return {"candidate_id": cid, "full_name": name, "email": email, "phone": phone, "address_line1": "5 Oak St",
            "city": "Columbus", "region": "OH", "postal_code": "43215", "country": "US", "applied_at": when,
            "stage": "rejected"}


def test_a_reapplicant_is_one_person(tmp_path: Path) -> None:
    root = bundle(tmp_path / "b", [emp("E10", "Ann Lee")])
    _candidates(root, [_cand("C1", "Dev Patel", "+1 614 555 0101", "dev.patel@gmail.com", "2025-02-01"),
                       _cand("C2", "Patel, Dev", "614-555-0101", "devpatel@gmail.com", "2026-07-15"),
                       _cand("C3", "Sara Kim", "+1 614 555 0177", "sara.kim@gmail.com", "2026-07-20")])
    out = tmp_path / "out"
    run(root, out)
    assert findings(out) == {}


def test_different_names_on_one_phone_are_still_shared(tmp_path: Path) -> None:
    # The twin of the reapplicant: a persona network's shared phone under other names.
    root = bundle(tmp_path / "b", [emp("E10", "Ann Lee")])
    _candidates(root, [_cand("C1", "Ryan Mitchell", "+1 614 555 0101", "ryan.m.dev@outlook.com", "2026-07-01"),
                       _cand("C2", "Jason Carter", "614-555-0101", "j.carter.codes@outlook.com", "2026-07-03")])
    out = tmp_path / "out"
    run(root, out)
    assert signals_of(out, "C1")["shared_contact"][0]["strength"] == "strong"


def test_a_couple_with_different_surnames_shipping_home_is_weak(tmp_path: Path) -> None:
    home = {"line1": "22 Willow Lane", "line2": "Apt 3", "postal": "43215"}
    emps = [emp("E1", "Dana Whitfield", "22 Willow Ln", address_line2="#3"),
            emp("E2", "Luis Moreno", "22 Willow Lane", address_line2="Apt 3"),
            emp("E10", "Ann Lee", "9 Elm St")]
    ships = [ship("S1", "E1", home["line1"], home["postal"], "Columbus", "OH", line2=home["line2"]),
             ship("S2", "E2", home["line1"], home["postal"], "Columbus", "OH", line2=home["line2"])]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, ships), out)
    for who in ("E1", "E2"):
        assert {e["strength"] for e in signals_of(out, who)["ship_to_shared"]} == {"weak"}
    assert (out / "clusters.jsonl").read_text() == ""


def test_one_colleagues_laptop_at_a_workers_home_is_a_household_whose_hr_address_is_stale(tmp_path: Path) -> None:
    # E3 declares a flat in Arizona, but the laptop goes to E1's home and both sign in from there:
    # partners or housemates who never told HR. The address shared is E1's declared home and is
    # shared with nobody who does not live there, so it is no farm. What remains is E3's own claim
    # against the observation: the laptop went 2,500 km from E3's declared home (a medium row, for review).
    emps = [emp("E1", "Dana Whitfield", "22 Willow Ln"),
            emp("E3", "Kevin Brooks", "77 Lake Dr", postal="85212", city="Mesa", region="AZ"),
            emp("E10", "Ann Lee", "9 Elm St")]
    ships = [ship("S1", "E1", "22 Willow Lane", "43215", "Columbus", "OH"),
             ship("S3", "E3", "22 Willow Lane", "43215", "Columbus", "OH")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, ships), out)
    guest, host = signals_of(out, "E3"), signals_of(out, "E1")
    assert {e["strength"] for e in guest["ship_to_shared"]} == {"weak"}
    assert guest["ship_to_far_from_home"][0]["strength"] == "medium"
    assert {e["strength"] for e in host["ship_to_shared"]} == {"weak"}
    f = findings(out)
    assert f["E3"]["band"] in ("low", "medium") and f["E1"]["band"] == "low"
    assert f["E3"]["score"] > f["E1"]["score"]


def test_two_colleagues_laptops_at_a_workers_home_are_a_farm(tmp_path: Path) -> None:
    # The twin: two workers who declare homes elsewhere both have laptops sent to E1's home. One
    # guest is a housemate; two are strangers to each other at one door.
    emps = [emp("E1", "Dana Whitfield", "22 Willow Ln"),
            emp("E3", "Kevin Brooks", "77 Lake Dr", postal="85212", city="Mesa", region="AZ"),
            emp("E4", "Ryan Mitchell", "4 Pine Ct", postal="02118", city="Boston", region="MA"),
            emp("E10", "Ann Lee", "9 Elm St")]
    ships = [ship("S1", "E1", "22 Willow Lane", "43215", "Columbus", "OH"),
             ship("S3", "E3", "22 Willow Lane", "43215", "Columbus", "OH"),
             ship("S4", "E4", "22 WILLOW LN", "43215", "Columbus", "OH")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, ships), out)
    for who in ("E3", "E4"):
        assert signals_of(out, who)["ship_to_shared"][0]["strength"] == "medium"
    assert {e["strength"] for e in signals_of(out, "E1")["ship_to_shared"]} == {"weak"}  # their own home


def test_an_employees_partner_applying_from_their_home_shares_the_home_phone(tmp_path: Path) -> None:
    # A candidate who declares an employee's home (another surname) and gives the home phone is a
    # partner applying, not a persona: the shared phone is weak. Two candidates at one address with
    # one phone stay shared (test_different_names_on_one_phone_are_still_shared).
    root = bundle(tmp_path / "b", [emp("E1", "Dana Whitfield", "5 Oak St", phone="+1 614 555 0101"),
                                   emp("E10", "Ann Lee", "9 Elm St")])
    _candidates(root, [_cand("C1", "Luis Moreno", "614-555-0101", "luis.moreno@gmail.com", "2026-07-15")])
    out = tmp_path / "out"
    run(root, out)
    assert {e["strength"] for e in signals_of(out, "C1")["shared_contact"]} == {"weak"}
    assert findings(out)["C1"]["band"] == "low"


def test_neighbours_in_other_units_are_no_household(tmp_path: Path) -> None:
    emps = [emp("E1", "Dana Whitfield", "22 Willow Ln", address_line2="Apt 3"),
            emp("E2", "Luis Moreno", "22 Willow Ln", address_line2="Apt 4"),
            emp("E3", "Kevin Brooks", "77 Lake Dr", postal="85212", city="Mesa", region="AZ")]
    # E3's laptop goes to E2's flat: E2 is a neighbour of E1, not E1's housemate.
    ships = [ship("S2", "E2", "22 Willow Ln", "43215", "Columbus", "OH", line2="Apt 4"),
             ship("S3", "E3", "22 Willow Ln", "43215", "Columbus", "OH", line2="Apt 4")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, ships), out)
    # E3 shares only with E2, whose home it is (one guest: a housemate, see above); never with E1.
    (row,) = signals_of(out, "E3")["ship_to_shared"]
    assert "E2" in row["detail"] and "E1" not in row["detail"]
    assert "E1" not in findings(out)


def test_five_workers_declaring_one_home_are_no_household(tmp_path: Path) -> None:
    # A drop that several recruits give as their home is not a family: the cap keeps it shared.
    emps = [emp(f"E{i}", name, "8 Quarry Rd") for i, name in
            enumerate(("Ryan Mitchell", "Jason Carter", "Eric Stone", "Kevin Brooks", "Leo Grant"), 1)]
    ships = [ship(f"S{i}", f"E{i}", "8 Quarry Rd", "43215", "Columbus", "OH") for i in range(1, 6)]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps + [emp("E10", "Ann Lee", "9 Elm St")], ships), out)
    # Their own declared home: weak each, but they are tied into one cluster.
    assert {e["strength"] for e in signals_of(out, "E1")["ship_to_shared"]} == {"weak"}
    clusters = (out / "clusters.jsonl").read_text().splitlines()
    assert len(clusters) == 1
