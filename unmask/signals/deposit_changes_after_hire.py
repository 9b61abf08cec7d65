"""Two or more changes of payment instructions within 30 days of hire."""

from unmask.signals.base import Signal, lookalike, negative, positive

SIGNAL = Signal(
    id="deposit_changes_after_hire",
    needs=("payroll.deposits", "hr.employees"),
    strength="medium",
    family="payroll",
    description="Two or more deposit changes within 30 days of hire.",
    reference="indicators.md §3.K pay_frequent_bank_changes; SW, JP",
    log_odds=1.0,
    basis="M in §3.K pay_frequent_bank_changes (SW, JP): switching banks and deposit splits happen.",
    sql="""
WITH ranked AS (
  SELECT d.*, e.hire_date, row_number() OVER (PARTITION BY d.employee_id ORDER BY d.effective_date, d.line) AS n
  FROM deposits d JOIN employees e USING (employee_id)
  WHERE e.hire_date IS NOT NULL AND d.effective_date IS NOT NULL
), changes AS (  -- every instruction after the first is a change
  SELECT * FROM ranked WHERE n > 1 AND effective_date <= hire_date + INTERVAL 30 DAY
), counted AS (
  SELECT employee_id, count(*) AS k, max({'f': source_file, 'l': line}).l AS last_line,
    max({'f': source_file, 'l': line}).f AS f,
         max(effective_date) AS last_date, any_value(hire_date) AS hire_date
  FROM changes GROUP BY employee_id HAVING count(*) >= 2
)
SELECT 'employee' AS subject_type, employee_id AS subject_id, f AS source_file, last_line AS line,
  last_date::TIMESTAMPTZ AS observed_at,
  k || ' changes of payment instructions within 30 days of hire (' || hire_date || ')' AS detail
FROM counted
""",
    samples=(
        positive("two changes of bank details in the first weeks", {
            "employees": [{"employee_id": "E1", "hire_date": "2026-08-01"},
                          {"employee_id": "E2", "hire_date": "2026-08-01"}],
            "deposits": [{"employee_id": "E1", "effective_date": "2026-08-01"},
                         {"employee_id": "E1", "effective_date": "2026-08-05"},
                         {"employee_id": "E1", "effective_date": "2026-08-20"},
                         {"employee_id": "E2", "effective_date": "2026-08-01"}],
        }, {"E1": "medium"}),
        negative("the second change comes months after hire", {
            "employees": [{"employee_id": "E1", "hire_date": "2026-08-01"}],
            "deposits": [{"employee_id": "E1", "effective_date": "2026-08-01"},
                         {"employee_id": "E1", "effective_date": "2026-08-05"},
                         {"employee_id": "E1", "effective_date": "2026-11-05"}],
        }),
        lookalike("pay_frequent_bank_changes: switching banks once after a new job", {
            "employees": [{"employee_id": "E1", "hire_date": "2026-08-01"}],
            "deposits": [{"employee_id": "E1", "effective_date": "2026-08-01"},
                         {"employee_id": "E1", "effective_date": "2026-08-12"}],
        }),
    ),
)
