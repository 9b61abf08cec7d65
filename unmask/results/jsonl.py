"""The queries behind ``findings.jsonl``, ``clusters.jsonl`` and ``rejects.jsonl``: the engine
writes them straight to a file (no row passes through Python), in the order the schemas give."""

from __future__ import annotations

ISO = "%Y-%m-%dT%H:%M:%SZ"

# Shared by findings.jsonl and the read API's decision of one subject: one definition of
# "reopened". Aliases: d (decisions), s (scores), f (this CTE).
FRESH = """fresh AS (
  -- Evidence rows a decision did not see. Weak ones alone (a shared home now declared a
  -- household, a share of a changed cluster's weight) do not reopen a dismissal: they never make
  -- a finding by themselves.
  SELECT d.key_kind, d.key_id, list(e.evidence_id ORDER BY e.evidence_id) AS ids,
    bool_or(e.strength <> 'weak') AS material
  FROM decisions d JOIN scored_evidence e ON e.subject_type = d.key_kind AND e.subject_id = d.key_id
  WHERE NOT list_contains(d.evidence_ids, e.evidence_id) GROUP BY ALL
)"""
DECISION = """CASE WHEN d.key_id IS NOT NULL THEN
    {'status': d.decision, 'reason': d.reason, 'reason_text': d.reason_text, 'note': d.note,
      'by': d.author, 'at': d.decided_at, 'judgement': d.judgement, 'evidence_fingerprint': d.evidence_fingerprint,
      'reopened': d.decision = 'dismissed' AND coalesce(f.material, false)
        AND d.evidence_fingerprint IS DISTINCT FROM s.evidence_fingerprint,
      'new_evidence': coalesce(f.ids, []::VARCHAR[])} END"""

FINDINGS_SQL = f"""
WITH {FRESH}
SELECT {{'type': s.subject_type, 'id': s.subject_id, 'name': p.full_name}} AS subject,
  s.score, s.band, s.evidence_fingerprint,
  (SELECT list({{'evidence_id': e.evidence_id, 'signal': e.signal,
                 'source': CASE WHEN e.line IS NULL THEN e.source_file ELSE e.source_file || ':' || e.line END,
                 'observed_at': strftime(e.observed_at, '{ISO}'), 'detail': e.detail,
                 'weight': round(e.weight, 3), 'strength': e.strength,
                 'decisive': coalesce(e.decisive, false)}}
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
  {DECISION} AS decision
FROM scores s LEFT JOIN people p ON p.subject_type = s.subject_type AND p.subject_id = s.subject_id
LEFT JOIN decisions d ON d.key_kind = s.subject_type AND d.key_id = s.subject_id
LEFT JOIN fresh f ON f.key_kind = s.subject_type AND f.key_id = s.subject_id
ORDER BY s.score DESC, s.subject_type, s.subject_id
"""  # noqa: S608 - only our constants are interpolated

# The decision on one subject, scored or not (a dismissed worker may have no evidence left).
# The subject is named inside ``fresh`` too, so only its own evidence is read.
SUBJECT_DECISION_SQL = f"""
WITH {FRESH.replace("GROUP BY ALL", "AND d.key_kind = $st AND d.key_id = $sid GROUP BY ALL")}
SELECT {DECISION} FROM decisions d
LEFT JOIN scores s ON s.subject_type = d.key_kind AND s.subject_id = d.key_id
LEFT JOIN fresh f ON f.key_kind = d.key_kind AND f.key_id = d.key_id
WHERE d.key_kind = $st AND d.key_id = $sid
"""  # noqa: S608 - only our constants are interpolated

REOPENED_SQL = f"""
SELECT subject.type, subject.id FROM ({FINDINGS_SQL}) WHERE decision.reopened ORDER BY ALL
"""  # noqa: S608 - only our constants are interpolated

# The members are listed in a CTE and the links and the decision read beside it, not inside a
# GROUP BY: Spark takes no correlated subquery in a grouped SELECT (it cannot tell the
# correlation is a grouping column), and clusters and verdicts have one row per cluster.
# Biggest clusters first, for a reader; the ids themselves carry no rank.
CLUSTERS_SQL = """
WITH m AS (
  SELECT c.cluster_id,
    list({'type': c.subject_type, 'id': c.subject_id, 'role': r.role} ORDER BY c.subject_type, c.subject_id) AS members
  FROM cluster_members c JOIN cluster_roles r USING (cluster_id, subject_type, subject_id)
  GROUP BY c.cluster_id
)
SELECT m.cluster_id, k.continues, v.kind,
  {'score': v.score, 'band': v.band, 'summary': v.summary} AS verdict,
  m.members,
  coalesce((SELECT list({'a': l.a, 'b': l.b, 'via': l.via, 'value_hint': l.value_hint} ORDER BY l.via, l.a, l.b)
            FROM cluster_links l WHERE l.cluster_id = m.cluster_id), []) AS links,
  (SELECT {'status': d.decision, 'reason': d.reason, 'note': d.note, 'by': d.author, 'at': d.decided_at,
           'judgement': d.judgement}
   FROM decisions d WHERE d.key_kind = 'cluster' AND d.key_id = m.cluster_id) AS decision
FROM m JOIN clusters k USING (cluster_id) JOIN cluster_verdicts v USING (cluster_id)
ORDER BY k.members DESC, m.cluster_id
"""

REJECTS_SQL = """
SELECT file, part, line, unit, reason FROM rejects ORDER BY file, line NULLS FIRST, reason
"""
