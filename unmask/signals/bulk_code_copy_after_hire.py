"""Bulk cloning or archive downloads of company code soon after hire: the step before extortion."""

from unmask.signals.base import Signal, lookalike, negative, positive

SIGNAL = Signal(
    id="bulk_code_copy_after_hire",
    needs=("code.audit", "hr.employees"),
    strength="medium",
    family="code",
    description="Twenty or more clones or archive downloads of ten or more repositories within 30 days of hire.",
    reference="indicators.md §3.L exfil_repo_to_personal, exfil_early_bulk_access; G25, SW",
    log_odds=1.0,
    basis=(
        "M in §3.L exfil_early_bulk_access (SW: exfiltrate immediately); onboarding reading and migrations look "
        "alike."
    ),
    sql="""
-- A worker's audit name is the local part of their e-mail or the e-mail itself: one key row
-- each (the second only when it differs), joined by equality. An OR in the join condition
-- made a nested loop of staff by audit rows (10 s at 50k workers).
WITH k AS (
  SELECT employee_id, hire_date, lower(split_part(email, '@', 1)) AS actor FROM employees
  UNION ALL SELECT employee_id, hire_date, email FROM employees
  WHERE email IS DISTINCT FROM lower(split_part(email, '@', 1))
), c AS (
  SELECT e.employee_id, e.hire_date, x.* FROM code_audit x
  JOIN k e ON e.actor = x.actor
  WHERE x.action IN ('git.clone', 'repo.download_zip', 'git.fetch') AND e.hire_date IS NOT NULL
    AND x.observed_at BETWEEN e.hire_date::TIMESTAMPTZ AND e.hire_date::TIMESTAMPTZ + INTERVAL 30 DAY
)
SELECT 'employee' AS subject_type, employee_id AS subject_id, min({'f': source_file, 'l': line}).f AS source_file,
  min({'f': source_file, 'l': line}).l AS line, max(observed_at) AS observed_at,
  count(*) || ' clones/downloads of ' || count(DISTINCT repo) || ' repositories in the first 30 days after hire ('
    || any_value(hire_date) || ')' AS detail
FROM c GROUP BY employee_id HAVING count(*) >= 20 AND count(DISTINCT repo) >= 10
""",
    samples=(
        positive("twenty clones of ten repositories in the first week", {
            "employees": [{"employee_id": "E1", "email": "e1@corp.example", "hire_date": "2026-08-01"}],
            "code_audit": [{"action": "git.clone", "actor": "e1", "repo": f"acme/repo{i % 10}",
                            "observed_at": f"2026-08-0{2 + i % 5}T10:00:00Z"} for i in range(20)],
        }, {"E1": "medium"}),
        negative("the same clones half a year after hire", {
            "employees": [{"employee_id": "E1", "email": "e1@corp.example", "hire_date": "2026-02-01"}],
            "code_audit": [{"action": "git.clone", "actor": "e1", "repo": f"acme/repo{i % 10}",
                            "observed_at": f"2026-08-0{2 + i % 5}T10:00:00Z"} for i in range(20)],
        }),
        lookalike("exfil_early_bulk_access: onboarding reading, the team's few repositories fetched often", {
            "employees": [{"employee_id": "E1", "email": "e1@corp.example", "hire_date": "2026-08-01"}],
            "code_audit": [{"action": "git.fetch", "actor": "e1@corp.example", "repo": f"acme/repo{i % 3}",
                            "observed_at": f"2026-08-0{2 + i % 5}T10:00:00Z"} for i in range(25)],
        }),
    ),
)
