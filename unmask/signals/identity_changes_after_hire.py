"""Address or bank details changed again and again soon after hire (hr/changes.csv)."""

from unmask.signals.base import Signal, lookalike, negative, positive

SIGNAL = Signal(
    id="identity_changes_after_hire",
    needs=("hr.changes", "hr.employees"),
    strength="medium",
    family="identity",
    description="Home address or bank details changed on two or more days within 30 days of hire, in the "
    "HRIS audit trail (medium: a move after a new job happens).",
    reference="indicators.md §3.A (stolen identity: address and bank trail after hire), §3.K "
    "pay_frequent_bank_changes",
    log_odds=1.0,
    basis=(
        "M in §3.K pay_frequent_bank_changes and §3.A (address and bank trail after hire): a move after a new job"
        " is common."
    ),
    sql="""
WITH c AS (
  SELECT x.*, e.hire_date FROM hr_changes x JOIN employees e USING (employee_id)
  WHERE e.hire_date IS NOT NULL AND x.changed_at IS NOT NULL
    AND replace(x.field, ' ', '_') IN ('address_line1', 'address_line2', 'city', 'region', 'postal_code', 'country',
                    'account_number', 'routing_number', 'account_holder_name', 'institution_name')
    AND x.changed_at BETWEEN e.hire_date::TIMESTAMPTZ AND e.hire_date::TIMESTAMPTZ + INTERVAL 30 DAY
)
SELECT 'employee' AS subject_type, employee_id AS subject_id, max({'f': source_file, 'l': line}).f AS source_file,
  max({'f': source_file, 'l': line}).l AS line, max(changed_at) AS observed_at,
  'address or bank details changed on ' || count(DISTINCT changed_at::DATE) || ' days within 30 days of hire ('
    || any_value(hire_date) || '): ' || array_to_string(list(DISTINCT field ORDER BY field), ', ') AS detail
FROM c GROUP BY employee_id HAVING count(DISTINCT changed_at::DATE) >= 2
""",
    samples=(
        positive("address and bank account changed on two days after hire", {
            "employees": [{"employee_id": "E1", "hire_date": "2026-08-01"},
                          {"employee_id": "E2", "hire_date": "2026-08-01"}],
            "hr_changes": [
                {"employee_id": "E1", "field": "address_line1", "changed_at": "2026-08-03T10:00:00Z"},
                {"employee_id": "E1", "field": "account number", "changed_at": "2026-08-10T10:00:00Z"},
                {"employee_id": "E2", "field": "title", "changed_at": "2026-08-03T10:00:00Z"},
                {"employee_id": "E2", "field": "department", "changed_at": "2026-08-10T10:00:00Z"},
            ],
        }, {"E1": "medium"}),
        negative("changes before hire and months after it", {
            "employees": [{"employee_id": "E1", "hire_date": "2026-08-01"}],
            "hr_changes": [
                {"employee_id": "E1", "field": "address_line1", "changed_at": "2026-07-03T10:00:00Z"},
                {"employee_id": "E1", "field": "account_number", "changed_at": "2026-12-10T10:00:00Z"},
            ],
        }),
        lookalike("id_doc_data_inconsistency: a recent move, every address field changed on one day", {
            "employees": [{"employee_id": "E1", "hire_date": "2026-08-01"}],
            "hr_changes": [
                {"employee_id": "E1", "field": "address_line1", "changed_at": "2026-08-03T10:00:00Z"},
                {"employee_id": "E1", "field": "city", "changed_at": "2026-08-03T10:00:00Z"},
                {"employee_id": "E1", "field": "postal_code", "changed_at": "2026-08-03T10:01:00Z"},
            ],
        }),
    ),
)
