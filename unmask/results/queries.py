"""The SQL of the read API (``unmask.results``), in one place."""

from __future__ import annotations

ISO = "%Y-%m-%dT%H:%M:%SZ"

FINDINGS_SQL = f"""
WITH fresh AS (
  -- Evidence rows a decision did not see. Weak ones alone (a shared home now declared a
  -- household, a share of a changed cluster's weight) do not reopen a dismissal: they never make
  -- a finding by themselves.
  SELECT d.key_kind, d.key_id, list(e.evidence_id ORDER BY e.evidence_id) AS ids,
    bool_or(e.strength <> 'weak') AS material
  FROM decisions d JOIN scored_evidence e ON e.subject_type = d.key_kind AND e.subject_id = d.key_id
  WHERE NOT list_contains(d.evidence_ids, e.evidence_id) GROUP BY ALL
)
SELECT {{'type': s.subject_type, 'id': s.subject_id, 'name': p.full_name}} AS subject,
  s.score, s.band, s.evidence_fingerprint,
  (SELECT list({{'evidence_id': e.evidence_id, 'signal': e.signal,
                 'source': CASE WHEN e.line IS NULL THEN e.source_file ELSE e.source_file || ':' || e.line END,
                 'observed_at': strftime(e.observed_at, '{ISO}'), 'detail': e.detail,
                 'weight': round(e.weight, 3), 'strength': e.strength}}
               ORDER BY e.weight DESC, e.signal, e.source_file, e.line, e.evidence_id)
   FROM scored_evidence e WHERE e.subject_type = s.subject_type AND e.subject_id = s.subject_id) AS evidence,
  coalesce((SELECT list(c.cluster_id ORDER BY c.cluster_id) FROM cluster_members c
            WHERE c.subject_type = s.subject_type AND c.subject_id = s.subject_id), []::VARCHAR[]) AS clusters,
  -- The person behind the record (resolve/records.py): every record of that one human.
  (SELECT {{'id': pr.person_id, 'records': list({{'type': o.subject_type, 'id': o.subject_id}}
                                               ORDER BY o.subject_type, o.subject_id)}}
   FROM person_records pr JOIN person_records o ON o.person_id = pr.person_id
   WHERE pr.subject_type = s.subject_type AND pr.subject_id = s.subject_id GROUP BY pr.person_id) AS person,
  -- The decision in force (unmask.cases), with the evidence it did not see: a dismissal that
  -- did not see today's medium or strong evidence is reopened, never silently kept.
  CASE WHEN d.key_id IS NOT NULL THEN
    {{'status': d.decision, 'reason': d.reason, 'reason_text': d.reason_text, 'note': d.note,
      'by': d.author, 'at': d.decided_at, 'judgement': d.judgement, 'evidence_fingerprint': d.evidence_fingerprint,
      'reopened': d.decision = 'dismissed' AND coalesce(f.material, false)
        AND d.evidence_fingerprint IS DISTINCT FROM s.evidence_fingerprint,
      'new_evidence': coalesce(f.ids, []::VARCHAR[])}} END AS decision
FROM scores s LEFT JOIN people p ON p.subject_type = s.subject_type AND p.subject_id = s.subject_id
LEFT JOIN decisions d ON d.key_kind = s.subject_type AND d.key_id = s.subject_id
LEFT JOIN fresh f ON f.key_kind = s.subject_type AND f.key_id = s.subject_id
ORDER BY s.score DESC, s.subject_type, s.subject_id
"""  # noqa: S608 - only the ISO format constant is interpolated

# Biggest clusters first, for a reader; the ids themselves carry no rank.
CLUSTERS_SQL = """
SELECT c.cluster_id, k.continues,
  list({'type': c.subject_type, 'id': c.subject_id} ORDER BY c.subject_type, c.subject_id) AS members,
  coalesce((SELECT list({'a': l.a, 'b': l.b, 'via': l.via, 'value_hint': l.value_hint} ORDER BY l.via, l.a, l.b)
            FROM cluster_links l WHERE l.cluster_id = c.cluster_id), []) AS links,
  (SELECT {'status': d.decision, 'reason': d.reason, 'note': d.note, 'by': d.author, 'at': d.decided_at,
           'judgement': d.judgement}
   FROM decisions d WHERE d.key_kind = 'cluster' AND d.key_id = c.cluster_id) AS decision
FROM cluster_members c JOIN clusters k USING (cluster_id)
GROUP BY c.cluster_id, k.continues, k.members ORDER BY k.members DESC, c.cluster_id
"""

REJECTS_SQL = """
SELECT file, part, line, unit, reason FROM rejects ORDER BY file, line NULLS FIRST, reason
"""

# A worker's activity by local hour, in the zone of their declared home (the scan's home zone
# when none), for the subjects in ``pic_subjects``.
TIMELINE_HOURS_SQL = """
WITH p AS (SELECT k AS employee_id FROM pic_subjects), tz AS (
  SELECT p.employee_id, coalesce(any_value(h.tz), $home_tz) AS tz FROM p
  LEFT JOIN addresses h ON h.kind = 'home' AND h.subject_type = 'employee' AND h.subject_id = p.employee_id
  GROUP BY p.employee_id
), ev AS (
  SELECT employee_id, ts, 'sign-in' AS what FROM signins WHERE employee_id IN (SELECT employee_id FROM p)
  UNION ALL
  SELECT e.employee_id, a.timestamp, 'activity' FROM activity a JOIN employees e ON e.email = a.actor_email
  WHERE e.employee_id IN (SELECT employee_id FROM p)
)
SELECT ev.employee_id, any_value(tz.tz), hour(timezone(tz.tz, ev.ts)) AS h, count(*) AS n
FROM ev JOIN tz USING (employee_id) WHERE ev.ts IS NOT NULL GROUP BY ev.employee_id, h
"""

TIMELINE_DAYS_SQL = """
SELECT employee_id, ts::DATE AS d, coalesce(country, '?'), count(*) FROM signins
WHERE employee_id IN (SELECT k FROM pic_subjects) AND ts IS NOT NULL GROUP BY ALL ORDER BY d
"""

# Every indicator of the subjects in ``case_subjects`` (keys "type<US>id"), for export-iocs.
CASE_INDICATORS_SQL = """
WITH s AS (SELECT split_part(k, chr(31), 1) AS subject_type, split_part(k, chr(31), 2) AS subject_id
  FROM case_subjects),
ids AS (SELECT i.* FROM identifiers i JOIN s USING (subject_type, subject_id))
SELECT 'email', value, replace(kind, '_', ' ') || ' of ' || subject_id FROM ids
  WHERE kind IN ('personal_email', 'reference_email')
UNION ALL SELECT 'domain', split_part(value, '@', 2), 'e-mail domain of ' || subject_id FROM ids
  WHERE kind IN ('personal_email', 'reference_email')
UNION ALL SELECT 'phone', value, replace(kind, '_', ' ') || ' of ' || subject_id FROM ids
  WHERE kind IN ('phone', 'reference_phone')
UNION ALL SELECT CASE WHEN value LIKE 'github.com/%' THEN 'github' ELSE 'linkedin' END, value,
  'profile of ' || subject_id FROM ids WHERE kind = 'profile'
UNION ALL SELECT 'ip', value, 'interview IP of ' || subject_id FROM ids WHERE kind = 'interview_ip'
UNION ALL SELECT 'ip', ip, egress || ' sign-in IP of ' || employee_id || coalesce(' (' || country || ')', '')
  FROM signins JOIN s ON s.subject_type = 'employee' AND s.subject_id = signins.employee_id
  WHERE egress <> 'corporate' AND ip IS NOT NULL
UNION ALL SELECT 'address', concat_ws(', ', address_line1, address_line2, city, region, postal_code, country),
  'ship-to address of ' || employee_id
  FROM shipments JOIN s ON s.subject_type = 'employee' AND s.subject_id = shipments.employee_id
  WHERE address_line1 IS NOT NULL
UNION ALL SELECT CASE WHEN lower(coalesce(platform, '')) LIKE '%crypto%' OR lower(coalesce(method, '')) LIKE '%crypto%'
                      THEN 'crypto_address' ELSE 'bank_account' END, account_number,
  'payout account of ' || employee_id || ' (keyed token)'
  FROM deposits JOIN s ON s.subject_type = 'employee' AND s.subject_id = deposits.employee_id
  WHERE account_number IS NOT NULL AND $tokens
"""
