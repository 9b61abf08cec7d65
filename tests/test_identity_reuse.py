"""Stolen or borrowed identities: one name and birth date on two records, and a trail of
address and bank changes soon after hire."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import bundle, emp, findings, run, signals_of, write_csv


def test_same_name_and_birth_date_on_two_records(tmp_path: Path) -> None:
    emps = [emp("E1", "Robert J. Smith", "1 Oak St", date_of_birth="1988-03-14"),
            emp("E2", "Smith, Robert J.", "9 Elm St", "85212", "Mesa", "AZ", date_of_birth="1988-03-14"),
            emp("E3", "Robert Smith", "3 Pine St", date_of_birth="1990-01-01"),  # a namesake: other birth date
            emp("E4", "Mary Smith", "4 Ash St", date_of_birth="1988-03-14"),  # same birth date, other name
            # Namesakes born on one day, each with their own national ID: weak, and no cluster.
            emp("E5", "Wei Zhang", "5 Elm St", date_of_birth="1979-06-01", national_id="900-55-0001"),
            emp("E6", "Zhang Wei", "6 Elm St", date_of_birth="1979-06-01", national_id="900-55-0002")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps), out)
    (ev,) = signals_of(out, "E1")["name_dob_shared"]
    # Hired the same day: neither record is known to be the victim, so neither is lowered, and
    # one identity employed twice at once is strong on both.
    assert ev["strength"] == "medium" and ev["detail"].endswith(": E2")
    for who in ("E1", "E2"):
        assert signals_of(out, who)["identity_active_twice"][0]["strength"] == "strong"
    assert "E3" not in findings(out) and "E4" not in findings(out)
    assert signals_of(out, "E5")["name_dob_shared"][0]["strength"] == "weak"
    clusters = (out / "clusters.jsonl").read_text()
    assert "E1" in clusters and "E5" not in clusters


def test_address_and_bank_trail_after_hire(tmp_path: Path) -> None:
    emps = [emp("E1", "Ann Lee", hire_date="2026-08-01"), emp("E2", "Bo Park", "2 Elm St", hire_date="2026-08-01")]
    root = bundle(tmp_path / "b", emps)
    cols = ["employee_id", "field", "old_value", "new_value", "changed_at", "changed_by"]
    write_csv(root / "hr/changes.csv", cols, [
        {"employee_id": "E1", "field": "address_line1", "old_value": "1 Oak St", "new_value": "77 Lake Rd",
         "changed_at": "2026-08-05T10:00:00Z", "changed_by": "self-service"},
        {"employee_id": "E1", "field": "account_number", "old_value": "", "new_value": "(tokenised)",
         "changed_at": "2026-08-19T10:00:00Z", "changed_by": "self-service"},
        # E2 moved once, then changed a title: one day of identity changes is a move, not a trail.
        {"employee_id": "E2", "field": "address_line1", "old_value": "2 Elm St", "new_value": "5 Bay Rd",
         "changed_at": "2026-08-10T10:00:00Z", "changed_by": "self-service"},
        {"employee_id": "E2", "field": "title", "old_value": "Engineer", "new_value": "Senior Engineer",
         "changed_at": "2026-08-20T10:00:00Z", "changed_by": "hr"},
    ])
    out = tmp_path / "out"
    run(root, out)
    (ev,) = signals_of(out, "E1")["identity_changes_after_hire"]
    assert ev["strength"] == "medium" and "account_number, address_line1" in ev["detail"]
    assert "E2" not in findings(out)
