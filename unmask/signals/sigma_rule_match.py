"""Matches of the shipped SigmaHQ rules on a worker's laptop (rule id, title, level, author kept)."""

from typing import Any

from unmask.config import Config
from unmask.signals.base import Signal, lookalike, negative, positive


def params(cfg: Config) -> dict[str, Any]:
    return {"allow_depts": [d.lower() for d in cfg.remote_tools_departments]}


# The samples' rules (unmask/data/sigma holds the real ones) and laptops.
_RULES = [
    {"rule_id": "r-crit", "title": "IP-KVM tool", "level": "critical", "author": "a", "remote_access": False},
    {"rule_id": "r-rmm", "title": "AnyDesk execution", "level": "high", "author": "a", "remote_access": True},
    {"rule_id": "r-low", "title": "Discovery command", "level": "low", "author": "a", "remote_access": False},
]
_HOSTS = [{"hostname": "lt-e1", "employee_id": "E1"}, {"hostname": "lt-e2", "employee_id": "E2"}]


def _hit(computer: str, rule: str) -> dict[str, Any]:
    return {"computer": computer, "rule_id": rule, "observed_at": "2026-08-05T10:00:00Z", "seen": "cmd"}

SIGNAL = Signal(
    id="sigma_rule_match",
    needs=("endpoint.sysmon", "assets.devices", "hr.employees"),
    strength="medium",
    family="endpoint",
    description="A SigmaHQ rule matched an event of the worker's laptop (critical: strong; high or medium: "
    "medium; low: weak). Remote-access rules honour the [allow] lists.",
    reference="SigmaHQ rules (DRL 1.1) in unmask/data/sigma; indicators.md §5.1",
    params=params,
    log_odds=1.0,
    basis=(
        "M for a SigmaHQ rule of level high or medium, S for critical, W for low: the rule authors' own level, "
        "read through §5.1."
    ),
    # What is shown is the first event's (by file and line), not any_value: the same on every
    # engine and run.
    sql="""
SELECT 'employee' AS subject_type, h.employee_id AS subject_id, min({'f': s.source_file, 'l': s.line}).f AS source_file,
  min({'f': s.source_file, 'l': s.line}).l AS line, min(s.observed_at) AS observed_at,
  'Sigma "' || r.title || '" (' || r.level || ', id ' || r.rule_id || ', by ' || r.author || ') on '
    || min({'f': s.source_file, 'l': s.line, 'v': s.computer}).v || ', ' || count(*) || ' event(s)'
    || coalesce(': ' || left(min({'f': s.source_file, 'l': s.line, 'v': s.seen}).v, 160), '') AS detail,
  CASE r.level WHEN 'critical' THEN 'strong' WHEN 'high' THEN 'medium' WHEN 'medium' THEN 'medium'
       ELSE 'weak' END AS strength
FROM sigma_hits s JOIN sigma_rules r USING (rule_id)
JOIN hosts h ON h.hostname = split_part(lower(s.computer), '.', 1)
JOIN employees e ON e.employee_id = h.employee_id
WHERE NOT (r.remote_access AND list_contains($allow_depts, lower(coalesce(e.department, ''))))
GROUP BY h.employee_id, r.rule_id, r.title, r.level, r.author
""",
    samples=(
        positive("rules match events of two workers' laptops (a host named with its domain)", {
            "sigma_rules": _RULES, "hosts": _HOSTS,
            "employees": [{"employee_id": "E1", "department": "Engineering"},
                          {"employee_id": "E2", "department": "Engineering"}],
            "sigma_hits": [_hit("lt-e1.corp.example", "r-crit"), _hit("lt-e2", "r-rmm"), _hit("lt-e2", "r-rmm")],
        }, {"E1": "strong", "E2": "medium"}),
        negative("a rule matches on a machine that is no worker's laptop", {
            "sigma_rules": _RULES, "hosts": _HOSTS, "employees": [{"employee_id": "E1"}, {"employee_id": "E2"}],
            "sigma_hits": [_hit("build-01.corp.example", "r-crit"), _hit("lt-e9", "r-rmm")],
        }),
        lookalike("rat_rmm_present_unapproved: IT helpdesk staff, allowed remote tools; a low-level rule", {
            "sigma_rules": _RULES, "hosts": _HOSTS,
            "employees": [{"employee_id": "E1", "department": "IT"}, {"employee_id": "E2", "department": "Sales"}],
            "sigma_hits": [_hit("lt-e1", "r-rmm"), _hit("lt-e2", "r-low")],
        }, {"E2": "weak"}, remote_tools_departments=["IT"]),
    ),
)
