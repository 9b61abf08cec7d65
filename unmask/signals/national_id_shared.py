"""One national-ID token on two or more people."""

from unmask.signals.base import Signal, lookalike, negative, positive
from unmask.signals.shapes import shared

SIGNAL = Signal(
    id="national_id_shared",
    needs=("hr.employees",),
    strength="strong",
    family="identity",
    description="One national ID (keyed token) is declared by two or more workers.",
    reference="indicators.md §3.A id_stolen_identity_complaint, §3.B reuse_contact_across_identities",
    log_odds=2.0,
    basis=(
        "S in §3.A id_stolen_identity_complaint and §3.B reuse_contact_across_identities; a data-entry error in "
        "an SSN is the look-alike."
    ),
    sql=shared("""
WITH e AS (SELECT * FROM employees WHERE national_id IS NOT NULL),
holders AS (
  -- A national ID is one human's: a household does not excuse sharing it, so no excuse here
  -- and the household test of the shape finds none (a spouse has an ID of their own).
  SELECT 'employee' AS subject_type, employee_id AS subject_id, 'national_id' AS via, national_id AS key,
    source_file, line, hire_date::TIMESTAMPTZ AS observed_at, NULL AS excuse
  FROM e
)""", """
SELECT 'employee' AS subject_type, e.employee_id AS subject_id, e.source_file, e.line,
  e.hire_date::TIMESTAMPTZ AS observed_at,
  'national ID also declared by ' || s.others || ' other worker(s): '
    || array_to_string(s.who[1:10], ', ') AS detail,
  'national_id:' || md5(e.national_id) AS group_key, 'national_id' AS via,
  'token …' || right(e.national_id, 6) AS value_hint
FROM e JOIN shared s ON s.subject_id = e.employee_id AND s.key = e.national_id
"""),
    samples=(
        positive("two workers declare one national ID", {"employees": [
            {"employee_id": "E1", "national_id": "tok-123456789"},
            {"employee_id": "E2", "national_id": "tok-123456789"},
            {"employee_id": "E3", "national_id": "tok-987654321"},
        ]}, {"E1": "strong", "E2": "strong"}),
        negative("IDs of their own, or none declared", {"employees": [
            {"employee_id": "E1", "national_id": "tok-123456789"},
            {"employee_id": "E2", "national_id": "tok-987654321"},
            {"employee_id": "E3", "national_id": None}, {"employee_id": "E4", "national_id": None},
        ]}),
        lookalike("id_stolen_identity_complaint: a data-entry error in an SSN is another token, not a shared one", {
            "employees": [{"employee_id": "E1", "national_id": "tok-123456789"},
                          {"employee_id": "E2", "national_id": "tok-123456780"}]}),
        lookalike("id_stolen_identity_complaint: a rehire's terminated and new record are one person", {
            "employees": [{"employee_id": "E1", "national_id": "tok-123456789"},
                          {"employee_id": "E7", "national_id": "tok-123456789"}],
            "person_records": [{"subject_type": "employee", "subject_id": "E1", "person_id": "employee:E1"},
                               {"subject_type": "employee", "subject_id": "E7", "person_id": "employee:E1"}],
        }),
        positive("a spouse's national ID is not theirs to share: a household does not excuse it", {
            "employees": [{"employee_id": "E1", "national_id": "tok-123456789"},
                          {"employee_id": "E2", "national_id": "tok-123456789"}],
            "households": [{"a": "E1", "b": "E2", "kind": "spouse"}, {"a": "E2", "b": "E1", "kind": "spouse"}],
        }, {"E1": "strong", "E2": "strong"}),
    ),
)
