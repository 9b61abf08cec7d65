"""One residential egress IP used by two or more unrelated workers: the laptop-farm fingerprint."""

from unmask.signals.base import Signal

SIGNAL = Signal(
    id="shared_residential_egress",
    needs=("hr.employees",),
    uses=("idp.okta", "idp.entra"),
    strength="strong",
    family="network",
    description="One residential IP signs in two or more unrelated workers (households are weak).",
    reference="indicators.md §3.H net_same_egress_ip_multiple_employees; MNDp, DOJ24a",
    sql="""
WITH r AS (SELECT * FROM signins WHERE egress = 'residential'),
per AS (
  SELECT x.employee_id AS a, x.ip, count(DISTINCT y.employee_id) AS others,
    count(DISTINCT y.employee_id) FILTER (WHERE NOT EXISTS (
      SELECT 1 FROM households h WHERE h.a = x.employee_id AND h.b = y.employee_id)) AS unrelated,
    list(DISTINCT y.employee_id ORDER BY y.employee_id) AS who
  FROM (SELECT DISTINCT employee_id, ip FROM r) x JOIN (SELECT DISTINCT employee_id, ip FROM r) y
    ON x.ip = y.ip AND x.employee_id <> y.employee_id
  GROUP BY x.employee_id, x.ip
)
SELECT 'employee' AS subject_type, per.a AS subject_id, min({'f': r.source_file, 'l': r.line}).f AS source_file,
  min({'f': r.source_file, 'l': r.line}).l AS line, min(r.ts) AS observed_at,
  'residential IP ' || per.ip || ' also signs in ' || any_value(per.others) || ' other worker(s): '
    || array_to_string(any_value(per.who)[1:10], ', ')
    || CASE WHEN any_value(per.unrelated) = 0 THEN ' (same household)' ELSE '' END AS detail,
  CASE WHEN any_value(per.unrelated) = 0 THEN 'weak' ELSE 'strong' END AS strength,
  CASE WHEN any_value(per.unrelated) > 0 THEN 'egress:' || per.ip END AS group_key,
  'egress_ip' AS via, per.ip AS value_hint
FROM per JOIN r ON r.employee_id = per.a AND r.ip = per.ip
GROUP BY per.a, per.ip
""",
)
