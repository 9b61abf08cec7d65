"""One residential egress IP used by two or more unrelated workers: the laptop-farm fingerprint."""

from unmask.signals.base import Signal, lookalike, negative, positive, signin

SIGNAL = Signal(
    id="shared_residential_egress",
    needs=("hr.employees",),
    uses=("idp.okta", "idp.entra"),
    strength="strong",
    family="network",
    description="One residential IP signs in two or more unrelated workers (households are weak).",
    reference="indicators.md §3.H net_same_egress_ip_multiple_employees; MNDp, DOJ24a",
    log_odds=2.0,
    basis=(
        "S in §3.H net_same_egress_ip_multiple_employees (MNDp: both laptops on one point of presence; DOJ24a). "
        "Households are weak, coworking and carrier NAT are not residential."
    ),
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
    samples=(
        positive("two unrelated workers sign in from one home IP", {"signins": [
            signin("E1", "2026-08-03T10:00:00Z", "73.1.2.3"), signin("E2", "2026-08-03T11:00:00Z", "73.1.2.3"),
            signin("E3", "2026-08-03T11:00:00Z", "73.1.2.4"),
        ]}, {"E1": "strong", "E2": "strong"}),
        negative("each from their own home", {"signins": [
            signin("E1", "2026-08-03T10:00:00Z", "73.1.2.3"), signin("E2", "2026-08-03T11:00:00Z", "73.9.2.3"),
        ]}),
        lookalike("net_same_egress_ip_multiple_employees: spouses at one company", {
            "signins": [signin("E1", "2026-08-03T10:00:00Z", "73.1.2.3"),
                        signin("E2", "2026-08-03T11:00:00Z", "73.1.2.3")],
            "households": [{"a": "E1", "b": "E2", "kind": "spouse"}, {"a": "E2", "b": "E1", "kind": "spouse"}],
        }, {"E1": "weak", "E2": "weak"}),
        lookalike("net_same_egress_ip_multiple_employees: corporate NAT, and CGNAT on a mobile ISP", {"signins": [
            signin("E1", "2026-08-03T10:00:00Z", "198.51.100.1", "corporate"),
            signin("E2", "2026-08-03T11:00:00Z", "198.51.100.1", "corporate"),
            signin("E1", "2026-08-04T10:00:00Z", "100.64.0.1", "mobile"),
            signin("E2", "2026-08-04T11:00:00Z", "100.64.0.1", "mobile"),
        ]}),
    ),
)
