"""Each signal: a positive case, a negative case, and the benign look-alikes the indicators list."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import bundle, dep, emp, findings, run, ship, signals_of, write_csv

OFFICE_TOML = '[org]\noffices = ["100 Main St, Springfield, IL 62701, US"]\n'


# -- ship_to_shared ---------------------------------------------------------------------------
def test_ship_to_shared_fires_for_unrelated_workers(tmp_path: Path) -> None:
    emps = [emp("E1", "Ann Lee", postal="43215"), emp("E2", "Bo Park", "9 Elm St", "98101", "Seattle", "WA"),
            emp("E3", "Cy Diaz", "7 Pine Rd", "10001", "New York", "NY")]
    ships = [ship("S1", "E1", "55 Cactus Dr", "85212", "Mesa", "AZ"),
             ship("S2", "E2", "55 Cactus Drive", "85212-1234", "Mesa", "AZ"),
             ship("S3", "E3", "7 Pine Rd", "10001", "New York", "NY")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, ships), out)
    e1 = signals_of(out, "E1")["ship_to_shared"]
    assert e1[0]["strength"] == "medium" and "E2" in e1[0]["detail"]
    assert e1[0]["source"] == "assets/shipments.csv:2"
    assert "ship_to_shared" not in signals_of(out, "E3")


def test_neighbours_in_one_building_are_not_one_address(tmp_path: Path) -> None:
    emps = [emp("E1", "Ann Lee", "20 Oak St", line2="Apt 2A"), emp("E2", "Bo Park", "20 Oak St", line2="Apt 7C"),
            emp("E3", "Cy Diaz", "20 Oak St", line2="Apt 9D"), emp("E4", "Di Roy", "20 Oak St", line2="Apt 4B")]
    ships = [ship("S1", "E1", "20 Oak St", "43215", line2="Apt 2A"),
             ship("S2", "E2", "20 Oak Street", "43215", line2="#7C"),
             # The same building, one flat written two ways: that is one address.
             ship("S3", "E3", "20 Oak St", "43215", line2="Apt 9D"),
             ship("S4", "E4", "20 Oak Street", "43215", line2="#9D")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, ships), out)
    assert set(findings(out)) == {"E3", "E4"}
    assert "ship_to_shared" in signals_of(out, "E3")


def test_office_address_is_not_a_shared_ship_to(tmp_path: Path) -> None:
    emps = [emp(f"E{i}", n, postal="62702", city="Springfield", region="IL")
            for i, n in enumerate(("Ann Lee", "Bo Park", "Cy Diaz"))]
    ships = [ship(f"S{i}", f"E{i}", "100 Main Street", "62701", "Springfield", "IL") for i in range(3)]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, ships, toml=OFFICE_TOML), out)
    assert findings(out) == {}
    # Without the office declared, the same shipments are a shared address.
    out2 = tmp_path / "out2"
    run(bundle(tmp_path / "b2", emps, ships), out2)
    assert "ship_to_shared" in signals_of(out2, "E0")


def test_household_sharing_a_ship_to_is_weak_and_not_clustered(tmp_path: Path) -> None:
    emps = [emp("E1", "John Doe", "5 Lake Ave"), emp("E2", "Jane Doe", "5 Lake Ave")]
    ships = [ship("S1", "E1", "5 Lake Ave", "43215"), ship("S2", "E2", "5 Lake Ave", "43215")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, ships), out)
    ev = signals_of(out, "E1")["ship_to_shared"][0]
    assert ev["strength"] == "weak" and "household" in ev["detail"]
    assert (out / "clusters.jsonl").read_text() == ""


# -- ship_to_far_from_home --------------------------------------------------------------------
def test_ship_far_from_home_fires_across_states(tmp_path: Path) -> None:
    emps = [emp("E1", "Ann Lee", postal="10001", city="New York", region="NY")]
    ships = [ship("S1", "E1", "55 Cactus Dr", "85212", "Mesa", "AZ")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, ships), out)
    (ev,) = signals_of(out, "E1")["ship_to_far_from_home"]
    assert "Mesa, AZ" in ev["detail"] and " km " in ev["detail"]


def test_ship_to_a_nearby_zip_is_not_far(tmp_path: Path) -> None:
    emps = [emp("E1", "Ann Lee", postal="43215")]
    ships = [ship("S1", "E1", "9 Other St", "43210", "Columbus", "OH")]  # a few km away
    # Beside it, the same home with a laptop shipped across the country: the signal runs here.
    emps.append(emp("E2", "Bo Park", "9 Elm St", postal="43215"))
    ships.append(ship("S2", "E2", "55 Cactus Dr", "85212", "Mesa", "AZ"))
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, ships), out)
    assert set(findings(out)) == {"E2"} and "ship_to_far_from_home" in signals_of(out, "E2")


def test_relocation_in_hr_history_is_not_far(tmp_path: Path) -> None:
    # E1 moved from Columbus to Seattle (the HRIS says so); E2 lives in Seattle and did not.
    emps = [emp("E1", "Ann Lee", postal="98101", city="Seattle", region="WA"),
            emp("E2", "Bo Park", "9 Elm St", postal="98101", city="Seattle", region="WA")]
    ships = [ship("S1", "E1", "1 Oak St", "43215", "Columbus", "OH"),
             ship("S2", "E2", "1 Oak St", "43215", "Columbus", "OH")]
    root = bundle(tmp_path / "b", emps, ships)
    write_csv(root / "hr/changes.csv", ["employee_id", "field", "old_value", "new_value", "changed_at", "changed_by"],
              [{"employee_id": "E1", "field": "postal_code", "old_value": "43215", "new_value": "98101",
                "changed_at": "2026-09-01T00:00:00Z", "changed_by": "hr"}])
    out = tmp_path / "out"
    run(root, out)
    assert "ship_to_far_from_home" not in signals_of(out, "E1")
    assert "ship_to_far_from_home" in signals_of(out, "E2")


# -- bank_account_shared ----------------------------------------------------------------------
def test_bank_account_shared_by_unrelated_workers_is_strong(tmp_path: Path) -> None:
    emps = [emp("E1", "Ann Lee"), emp("E2", "Bo Park", "9 Elm St"), emp("E3", "Cy Diaz", "3 Ash St")]
    deps = [dep("E1", "111-222", "Ann Lee"), dep("E2", "111222", "Bo Park"), dep("E3", "999", "Cy Diaz")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, deposits=deps), out)
    (ev,) = signals_of(out, "E1")["bank_account_shared"]
    assert ev["strength"] == "strong" and "E2" in ev["detail"]
    assert "111" not in ev["detail"]  # only a slice of the keyed token is shown
    assert "bank_account_shared" not in signals_of(out, "E3")


def test_spouses_joint_account_is_weak(tmp_path: Path) -> None:
    emps = [emp("E1", "John Doe", "5 Lake Ave"), emp("E2", "Jane Doe", "5 Lake Ave")]
    deps = [dep("E1", "555", "John & Jane Doe"), dep("E2", "555", "John and Jane Doe")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, deposits=deps), out)
    f = findings(out)
    for eid in ("E1", "E2"):
        sig = signals_of(out, eid)
        assert sig["bank_account_shared"][0]["strength"] == "weak"
        assert "account_holder_mismatch" not in sig
        assert f[eid]["band"] == "low"


def test_declared_relation_with_different_surnames_is_a_household(tmp_path: Path) -> None:
    emps = [emp("E1", "Camila Perez", "5 Lake Ave"), emp("E2", "Min-jun Kim", "5 Lake Ave")]
    deps = [dep("E1", "555", "Camila Perez and Min-jun Kim"), dep("E2", "555", "Camila Perez and Min-jun Kim")]
    toml = '[[relations]]\na = "E1"\nb = "E2"\nkind = "spouse"\n'
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, deposits=deps, toml=toml), out)
    assert signals_of(out, "E1")["bank_account_shared"][0]["strength"] == "weak"
    assert findings(out)["E2"]["band"] == "low"


# -- account_holder_mismatch ------------------------------------------------------------------
def test_holder_mismatch_fires_for_a_stranger(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", [emp("E1", "Robert Smith")], deposits=[dep("E1", "1", "Dana R. Whitfield")]), out)
    (ev,) = signals_of(out, "E1")["account_holder_mismatch"]
    assert ev["strength"] == "strong" and "Dana R. Whitfield" in ev["detail"]


def test_holder_name_variants_are_not_a_mismatch(tmp_path: Path) -> None:
    emps = [emp("E1", "Robert J. Smith"), emp("E2", "Elizabeth Taylor", "2 Oak St"),
            emp("E3", "José García", "3 Oak St"), emp("E4", "Min-jun Kim", "4 Oak St")]
    deps = [dep("E1", "1", "Bob Smith"), dep("E2", "2", "TAYLOR, ELIZABETH"), dep("E3", "3", "Jose Garcia"),
            dep("E4", "4", "Kim Min-jun")]
    # A stranger's account beside them: the signal runs on this bundle.
    emps.append(emp("E5", "Robert Smith", "5 Oak St"))
    deps.append(dep("E5", "5", "Dana R. Whitfield"))
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, deposits=deps), out)
    assert set(findings(out)) == {"E5"} and "account_holder_mismatch" in signals_of(out, "E5")


def test_relative_account_is_weak(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", [emp("E1", "Jane Doe")], deposits=[dep("E1", "1", "John Doe")]), out)
    (ev,) = signals_of(out, "E1")["account_holder_mismatch"]
    assert ev["strength"] == "weak" and "same surname" in ev["detail"]


# -- payout_platform_or_crypto ----------------------------------------------------------------
def test_platform_payout_for_us_employee(tmp_path: Path) -> None:
    emps = [emp("E1", "Ann Lee"), emp("E2", "Ola Nowak", country="PL", employment_type="contractor",
                                        postal="00-001", city="Warsaw", region="")]
    deps = [dep("E1", "1", "Ann Lee", method="platform", platform="Payoneer"),
            dep("E2", "2", "Ola Nowak", method="platform", platform="Wise", country="PL")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, deposits=deps), out)
    (ev,) = signals_of(out, "E1")["payout_platform_or_crypto"]
    assert ev["strength"] == "medium" and "Payoneer" in ev["detail"]
    assert "E2" not in findings(out)  # a contractor who lives abroad, paid abroad


def test_direct_deposit_is_not_a_platform_payout(tmp_path: Path) -> None:
    emps = [emp("E1", "Ann Lee"), emp("E2", "Bo Park", "9 Elm St")]
    deps = [dep("E1", "1", "Ann Lee"), dep("E2", "2", "Bo Park", method="platform", platform="Payoneer")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, deposits=deps), out)
    assert set(findings(out)) == {"E2"} and "payout_platform_or_crypto" in signals_of(out, "E2")


# -- deposit_changes_after_hire ---------------------------------------------------------------
def test_two_changes_within_30_days_of_hire(tmp_path: Path) -> None:
    deps = [dep("E1", "1", "Ann Lee", "2026-08-01"), dep("E1", "2", "Ann Lee", "2026-08-09"),
            dep("E1", "3", "Ann Lee", "2026-08-20")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", [emp("E1", "Ann Lee")], deposits=deps), out)
    (ev,) = signals_of(out, "E1")["deposit_changes_after_hire"]
    assert ev["detail"].startswith("2 changes")


def test_one_change_or_late_changes_do_not_fire(tmp_path: Path) -> None:
    deps = [dep("E1", "1", "Ann Lee", "2026-08-01"), dep("E1", "2", "Ann Lee", "2026-08-09"),
            dep("E1", "3", "Ann Lee", "2026-12-20")]
    # E2 changes twice within the month: the same bundle shows the signal running.
    deps += [dep("E2", "4", "Bo Park", "2026-08-01"), dep("E2", "5", "Bo Park", "2026-08-09"),
             dep("E2", "6", "Bo Park", "2026-08-20")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", [emp("E1", "Ann Lee"), emp("E2", "Bo Park", "9 Elm St")], deposits=deps), out)
    assert set(findings(out)) == {"E2"} and "deposit_changes_after_hire" in signals_of(out, "E2")


# -- national_id_shared -----------------------------------------------------------------------
def test_national_id_on_two_people(tmp_path: Path) -> None:
    emps = [emp("E1", "Ann Lee", national_id="900-12-3456"), emp("E2", "Ann Lee", "8 Fir St", national_id="900123456"),
            emp("E3", "Bo Park", "9 Fir St", national_id="900-99-9999")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps), out)
    assert signals_of(out, "E1")["national_id_shared"][0]["strength"] == "strong"
    assert "E3" not in findings(out)
    clusters = (out / "clusters.jsonl").read_text()
    assert '"via":"national_id"' in clusters and "900" not in clusters
