"""Pay goes to an account whose holder is not the worker (fuzzy, nickname- and joint-aware)."""

from unmask.signals.base import Signal

SIGNAL = Signal(
    id="account_holder_mismatch",
    needs=("payroll.deposits", "hr.employees"),
    strength="strong",
    family="payroll",
    description="The account holder's name does not match the worker's legal name.",
    reference="indicators.md §3.K pay_account_holder_mismatch; JP (MPD case)",
    sql="""
SELECT 'employee' AS subject_type, d.employee_id AS subject_id, d.source_file, d.line,
  d.effective_date::TIMESTAMPTZ AS observed_at,
  'account holder "' || d.account_holder_name || '" is not the worker "' || e.full_name || '"'
    || CASE WHEN r.kind IS NOT NULL THEN ' (declared ' || r.kind || ')'
            WHEN unmask_surname(d.account_holder_name) = unmask_surname(e.full_name) THEN ' (same surname: a relative?)'
            ELSE '' END AS detail,
  CASE WHEN r.kind IS NOT NULL OR unmask_surname(d.account_holder_name) = unmask_surname(e.full_name)
       THEN 'weak' ELSE 'strong' END AS strength
FROM deposits d JOIN employees e USING (employee_id)
LEFT JOIN (
  SELECT h.a, p.full_name, any_value(h.kind) AS kind FROM households h
  JOIN employees p ON p.employee_id = h.b GROUP BY ALL
) r ON r.a = d.employee_id AND unmask_name_sim(r.full_name, d.account_holder_name) >= 0.85
WHERE d.account_holder_name IS NOT NULL
  AND d.method IN ('direct_deposit', 'wire', 'paycard', 'platform')
  AND unmask_name_sim(e.full_name, d.account_holder_name) < 0.85
""",
)
