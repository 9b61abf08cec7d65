"""Matches of the shipped SigmaHQ rules on a worker's laptop (rule id, title, level, author kept)."""

from typing import Any

from unmask.config import Config
from unmask.signals.base import Signal


def params(cfg: Config) -> dict[str, Any]:
    return {"allow_depts": [d.lower() for d in cfg.remote_tools_departments]}


SIGNAL = Signal(
    id="sigma_rule_match",
    needs=("endpoint.sysmon", "assets.devices", "hr.employees"),
    strength="medium",
    family="endpoint",
    description="A SigmaHQ rule matched an event of the worker's laptop (critical: strong; high or medium: "
    "medium; low: weak). Remote-access rules honour the [allow] lists.",
    reference="SigmaHQ rules (DRL 1.1) in unmask/data/sigma; indicators.md §5.1",
    params=params,
    sql="""
SELECT 'employee' AS subject_type, h.employee_id AS subject_id, min({'f': s.source_file, 'l': s.line}).f AS source_file,
  min({'f': s.source_file, 'l': s.line}).l AS line, min(s.observed_at) AS observed_at,
  'Sigma "' || r.title || '" (' || r.level || ', id ' || r.rule_id || ', by ' || r.author || ') on '
    || any_value(s.computer) || ', ' || count(*) || ' event(s)'
    || coalesce(': ' || any_value(s.seen)[1:160], '') AS detail,
  CASE r.level WHEN 'critical' THEN 'strong' WHEN 'high' THEN 'medium' WHEN 'medium' THEN 'medium'
       ELSE 'weak' END AS strength
FROM sigma_hits s JOIN sigma_rules r USING (rule_id)
JOIN hosts h ON h.hostname = split_part(lower(s.computer), '.', 1)
JOIN employees e ON e.employee_id = h.employee_id
WHERE NOT (r.remote_access AND list_contains($allow_depts, lower(coalesce(e.department, ''))))
GROUP BY h.employee_id, r.rule_id, r.title, r.level, r.author
""",
)
