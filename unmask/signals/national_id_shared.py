"""One national-ID token on two or more people."""

from unmask.signals.base import Signal, lookalike, negative, positive

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
    sql="""
WITH e AS (SELECT * FROM employees WHERE national_id IS NOT NULL),
per AS (
  SELECT x.employee_id AS a, x.national_id, count(DISTINCT y.employee_id) AS others,
         list(DISTINCT y.employee_id ORDER BY y.employee_id) AS who
  FROM e x JOIN e y ON x.national_id = y.national_id AND x.employee_id <> y.employee_id GROUP BY ALL
)
SELECT 'employee' AS subject_type, e.employee_id AS subject_id, e.source_file, e.line,
  e.hire_date::TIMESTAMPTZ AS observed_at,
  'national ID also declared by ' || per.others || ' other worker(s): '
    || array_to_string(per.who[1:10], ', ') AS detail,
  'national_id:' || e.national_id AS group_key, 'national_id' AS via,
  'token …' || right(e.national_id, 6) AS value_hint
FROM e JOIN per ON per.a = e.employee_id AND per.national_id = e.national_id
""",
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
    ),
)
