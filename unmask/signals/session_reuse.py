"""One IdP session used from two devices on two networks: a stolen or handed-over session."""

from unmask.signals.base import Signal, lookalike, negative, positive, signin

SIGNAL = Signal(
    id="session_reuse",
    needs=("hr.employees",),
    uses=("idp.okta", "idp.entra"),
    strength="medium",
    family="network",
    description="One Okta or Entra session id is used from two or more IPs with different user agents "
    "(medium: a session cookie moved to another machine, or a laptop driven from elsewhere).",
    reference="indicators.md §3.J; panther Okta.PotentiallyStolenSession, Azure.Audit.GraphSessionMultipleIPs; "
    "Elastic Multiple Okta Sessions Detected",
    log_odds=1.0,
    basis=(
        "M: §3.L exfil_cookie_session_harvest is S (G25), but a session id seen from two IPs and agents is also "
        "browser sync and SSO quirks."
    ),
    sql="""
WITH s AS (
  SELECT * FROM signins
  -- Okta's own integrations reuse sessions by design; corporate egress says nothing. Devices
  -- are compared by fingerprint (the user agent without its language tag).
  WHERE session_id IS NOT NULL AND egress <> 'corporate' AND device_fp IS DISTINCT FROM 'okta-internal'
), cand AS (
  -- Sessions seen from two IPs and two devices, by min <> max (the same test as two distinct
  -- values, without their hash sets): the lists below are built for these few only.
  SELECT employee_id, session_id FROM s GROUP BY employee_id, session_id
  HAVING min(ip) <> max(ip) AND min(coalesce(device_fp, '?')) <> max(coalesce(device_fp, '?'))
), per AS (
  SELECT employee_id, session_id, count(DISTINCT ip) AS ips, count(DISTINCT coalesce(device_fp, '?')) AS agents,
    list(DISTINCT ip ORDER BY ip) AS ip_list, min(ts) AS first_ts,
    min({'ts': ts, 'f': source_file, 'l': line}).f AS f, min({'ts': ts, 'f': source_file, 'l': line}).l AS l
  FROM s JOIN cand USING (employee_id, session_id) GROUP BY employee_id, session_id
  HAVING count(DISTINCT ip) >= 2 AND count(DISTINCT coalesce(device_fp, '?')) >= 2
)
SELECT 'employee' AS subject_type, employee_id AS subject_id, min({'f': f, 'l': l}).f AS source_file,
  min({'f': f, 'l': l}).l AS line,
  min(first_ts) AS observed_at,
  count(*) || ' session(s) used from several IPs and devices, e.g. session …'
    || right(min({'f': f, 'l': l, 'v': session_id}).v, 6)
    || ' from ' || array_to_string(min({'f': f, 'l': l, 'v': ip_list}).v[1:4], ', ') AS detail
FROM per GROUP BY employee_id
""",
    samples=(
        positive("one session used from two IPs by two devices", {"signins": [
            signin("E1", "2026-08-03T10:00:00Z", "1.2.3.4", session_id="sess-1", device_fp="chrome/windows"),
            signin("E1", "2026-08-03T10:20:00Z", "5.6.7.8", "hosting", session_id="sess-1", device_fp="firefox/linux"),
            signin("E2", "2026-08-03T10:00:00Z", "1.2.3.9", session_id="sess-2", device_fp="chrome/windows"),
        ]}, {"E1": "medium"}),
        negative("one laptop moving from home to a café keeps its session", {"signins": [
            signin("E1", "2026-08-03T10:00:00Z", "1.2.3.4", session_id="sess-1", device_fp="chrome/windows"),
            signin("E1", "2026-08-03T12:00:00Z", "7.7.7.7", session_id="sess-1", device_fp="chrome/windows"),
        ]}),
        lookalike("exfil_cookie_session_harvest: SSO quirks, Okta's own integrations reusing a session", {"signins": [
            signin("E1", "2026-08-03T10:00:00Z", "1.2.3.4", session_id="sess-1", device_fp="okta-internal"),
            signin("E1", "2026-08-03T10:01:00Z", "52.1.1.1", "hosting", session_id="sess-1", device_fp="okta-internal"),
        ]}),
    ),
)
