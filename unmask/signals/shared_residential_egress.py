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
        "Households are weak, coworking and carrier NAT are not residential."
    ),
    sql=shared("""
WITH r AS (SELECT * FROM signins WHERE egress = 'residential'),
holders AS (
  SELECT 'employee' AS subject_type, employee_id AS subject_id, 'egress_ip' AS via, ip AS key,
    source_file, line, ts AS observed_at, NULL AS excuse
  FROM r
)""", """
SELECT 'employee' AS subject_type, s.subject_id, s.first_file AS source_file, s.first_line AS line,
  s.first_at AS observed_at,
  'residential IP ' || s.key || ' also signs in ' || s.others || ' other worker(s): '
    || array_to_string(s.who[1:10], ', ')
    || CASE WHEN s.unrelated = 0 THEN ' (same household)' ELSE '' END AS detail,
  CASE WHEN s.unrelated = 0 THEN 'weak' ELSE 'strong' END AS strength,
  s.group_key, 'egress_ip' AS via,
  -- A hint, masked like the others: the network's first half (the evidence row keeps the IP).
  CASE WHEN contains(s.key, ':') THEN split_part(s.key, ':', 1) || ':' || split_part(s.key, ':', 2) || ':…'
       ELSE split_part(s.key, '.', 1) || '.' || split_part(s.key, '.', 2) || '.…' END AS value_hint
FROM shared s
"""),
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
