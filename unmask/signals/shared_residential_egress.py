"""One residential egress IP used by two or more unrelated workers: the laptop-farm fingerprint."""

from unmask.signals.base import Signal, lookalike, negative, positive, signin
from unmask.signals.shapes import shared

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
        "Households are weak, coworking and carrier NAT are not residential; a shared line the worker uses "
        "less than a line of their own is a place they visit (weak)."
    ),
    sql=shared("""
WITH r AS (SELECT * FROM signins WHERE egress = 'residential'),
ip_use AS (SELECT employee_id, ip, count(*) AS n FROM r GROUP BY ALL),
holders AS (
  SELECT 'employee' AS subject_type, employee_id AS subject_id, 'egress_ip' AS via, ip AS key,
    source_file, line, ts AS observed_at, NULL AS excuse
  FROM r
)""", """
SELECT 'employee' AS subject_type, s.subject_id, s.first_file AS source_file, s.first_line AS line,
  s.first_at AS observed_at,
  'residential IP ' || s.key || ' also signs in ' || s.others || ' other worker(s): '
    || array_to_string(s.who[1:10], ', ')
    || CASE WHEN s.unrelated = 0 THEN ' (same household)'
            WHEN v.subject_id IS NOT NULL THEN ' (they sign in at least as often from a line of their own: '
              || 'a coworking space or a visit?)' ELSE '' END AS detail,
  CASE WHEN s.unrelated = 0 OR v.subject_id IS NOT NULL THEN 'weak' ELSE 'strong' END AS strength,
  -- A line the worker only visits ties them to no cluster: three coworking members are not a farm.
  CASE WHEN v.subject_id IS NULL THEN s.group_key END AS group_key, 'egress_ip' AS via,
  -- A hint, masked like the others: the network's first half (the evidence row keeps the IP).
  CASE WHEN contains(s.key, ':') THEN split_part(s.key, ':', 1) || ':' || split_part(s.key, ':', 2) || ':…'
       ELSE split_part(s.key, '.', 1) || '.' || split_part(s.key, '.', 2) || '.…' END AS value_hint
FROM shared s
-- A farm's laptops live at the farm: its line is their line. A worker who signs in at least as
-- often from another residential line that no stranger shares has a home of their own, and the
-- shared line is a place they go (a coworking space, a friend's flat): weak, as indicators.md
-- lists coworking among this indicator's look-alikes.
LEFT JOIN (
  SELECT DISTINCT c.employee_id AS subject_id, c.ip AS key FROM ip_use c
  JOIN ip_use o ON o.employee_id = c.employee_id AND o.ip <> c.ip AND o.n >= c.n
  WHERE NOT EXISTS (SELECT 1 FROM shared x WHERE x.subject_id = o.employee_id AND x.key = o.ip AND x.unrelated > 0)
) v ON v.subject_id = s.subject_id AND v.key = s.key
"""),
    samples=(
        positive("two unrelated workers sign in from one home IP", {"signins": [
            signin("E1", "2026-08-03T10:00:00Z", "73.1.2.3"), signin("E2", "2026-08-03T11:00:00Z", "73.1.2.3"),
            signin("E3", "2026-08-03T11:00:00Z", "73.1.2.4"),
        ]}, {"E1": "strong", "E2": "strong"}),
        lookalike("net_same_egress_ip_multiple_employees: a coworking space on days away from home", {"signins": [
            signin("E1", "2026-08-03T10:00:00Z", "38.1.2.3"), signin("E2", "2026-08-03T11:00:00Z", "38.1.2.3"),
            signin("E1", "2026-08-04T10:00:00Z", "73.1.2.3"), signin("E2", "2026-08-04T10:00:00Z", "73.9.9.9"),
        ]}, {"E1": "weak", "E2": "weak"}),
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
