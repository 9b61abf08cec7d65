"""Sign-ins of one account from different IPs within the same five minutes."""

from unmask.signals.base import Signal, lookalike, negative, positive, signin

SIGNAL = Signal(
    id="concurrent_sessions",
    needs=("hr.employees",),
    uses=("idp.okta", "idp.entra"),
    strength="weak",
    family="network",
    description="Successful sign-ins from two or more IPs in one five-minute window on three or more days "
    "(weak: a phone and a laptop look the same).",
    reference="indicators.md §3.J time_concurrent_sessions_diff_ips (Splunk: 5-minute buckets, >1 IP)",
    log_odds=0.4,
    basis=(
        "W: the lower end of W-M in §3.J time_concurrent_sessions_diff_ips (Splunk); a phone and a laptop look "
        "the same."
    ),
    sql="""
WITH s AS (
  SELECT employee_id, time_bucket(INTERVAL 5 MINUTE, ts) AS bucket, ip, source_file, line FROM signins
  WHERE egress <> 'corporate'
), cand AS (
  -- Five minutes with two IPs, by min <> max (two distinct values, without their hash sets):
  -- the distinct count and the first line are taken for these few only.
  SELECT employee_id, bucket FROM s GROUP BY employee_id, bucket HAVING min(ip) <> max(ip)
), b AS (
  SELECT employee_id, bucket, count(DISTINCT ip) AS ips,
    min({'f': source_file, 'l': line}).l AS line, min({'f': source_file, 'l': line}).f AS f
  FROM s JOIN cand USING (employee_id, bucket) GROUP BY ALL HAVING count(DISTINCT ip) > 1
)
SELECT 'employee' AS subject_type, employee_id AS subject_id, min({'f': f, 'l': line}).f AS source_file,
  min({'f': f, 'l': line}).l AS line,
  min(bucket) AS observed_at,
  'sign-ins from ' || max(ips) || ' IPs within five minutes, on ' || count(DISTINCT bucket::DATE) || ' day(s)' AS detail
FROM b GROUP BY employee_id HAVING count(DISTINCT bucket::DATE) >= 3
""",
    samples=(
        positive("two home IPs in one five-minute window on three days", {"signins": [
            signin("E1", f"2026-08-0{d}T10:0{m}:00Z", ip)
                for d in (3, 4, 5) for m, ip in ((0, "1.2.3.4"), (2, "5.6.7.8"))
        ] + [signin("E2", "2026-08-03T10:00:00Z", "9.9.9.9")]}, {"E1": "weak"}),
        negative("two IPs on two days only; the office network", {"signins": [
            signin("E1", f"2026-08-0{d}T10:0{m}:00Z", ip) for d in (3, 4) for m, ip in ((0, "1.2.3.4"), (2, "5.6.7.8"))
        ] + [signin("E2", f"2026-08-0{d}T10:0{m}:00Z", ip, "corporate")
             for d in (3, 4, 5) for m, ip in ((0, "10.0.0.1"), (2, "10.0.0.2"))]}),
        lookalike("time_concurrent_sessions_diff_ips: a phone on the carrier beside the laptop at home", {"signins": [
            signin("E1", f"2026-08-0{d}T10:0{m}:00Z", ip, eg)
            for d in (3, 4, 5) for m, ip, eg in ((0, "1.2.3.4", "residential"), (1, "100.64.0.9", "mobile"))
        ]}, {"E1": "weak"}),
    ),
)
