"""Bulk cloning or archive downloads of company code soon after hire: the step before extortion."""

from unmask.signals.base import Signal

SIGNAL = Signal(
    id="bulk_code_copy_after_hire",
    needs=("code.audit", "hr.employees"),
    strength="medium",
    family="code",
    description="Twenty or more clones or archive downloads of ten or more repositories within 30 days of hire.",
    reference="indicators.md §3.L exfil_repo_to_personal, exfil_early_bulk_access; G25, SW",
    sql="""
WITH c AS (
  SELECT e.employee_id, e.hire_date, x.* FROM code_audit x
  JOIN employees e ON lower(split_part(e.email, '@', 1)) = x.actor OR e.email = x.actor
  WHERE x.action IN ('git.clone', 'repo.download_zip', 'git.fetch') AND e.hire_date IS NOT NULL
    AND x.observed_at BETWEEN e.hire_date::TIMESTAMPTZ AND e.hire_date::TIMESTAMPTZ + INTERVAL 30 DAY
)
SELECT 'employee' AS subject_type, employee_id AS subject_id, min({'f': source_file, 'l': line}).f AS source_file,
  min({'f': source_file, 'l': line}).l AS line, max(observed_at) AS observed_at,
  count(*) || ' clones/downloads of ' || count(DISTINCT repo) || ' repositories in the first 30 days after hire ('
    || any_value(hire_date) || ')' AS detail
FROM c GROUP BY employee_id HAVING count(*) >= 20 AND count(DISTINCT repo) >= 10
""",
)
