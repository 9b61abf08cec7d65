"""What each cluster is, what each member is in it, and how sure we are: the cluster's verdict.

A cluster is a connected component of shared identifiers (link/__init__.py). Its *kind* comes
from what ties it, read off its links:

- ``farm``: company equipment and access shared by workers who are not one household: a
  ship-to, a bank account, a residential egress IP, an MFA device or SMS phone, an Entra device.
- ``identity_pair``: records tied by one identity (national ID, name and birth date) whose
  contact details differ: someone using another person's identity (resolve/records.py).
- ``persona_network``: applicants tied by their own contact details, photos, profiles,
  references or résumés: one operator's many personas.
- ``mixed``: none of these dominates.

Each member's *role*: in an identity pair, the record that came first is the likely
``victim`` and the later one the ``claimant`` (a victim must never be shown as the impostor);
in a farm, a worker whose own declared home is the shared ship-to is the ``host`` and the
others ``worker``; in a persona network, ``applicant`` or ``hired persona``; else ``member``.

A persona network is also scored as a network (:func:`network_evidence`): a candidate whose
only tie is one shared phone into a dozen applicants that share references and résumés
belongs with them, and their own single row would leave them at medium. The network row
needs two independent kinds of tie and at least one of them the personas' own (a phone, an
e-mail, a photo, a profile), because references alone are a recruiter's or a staffing agency's
and résumés alone a template or a bootcamp's (indicators.md §3.B, §3.C benign look-alikes).

The verdict (``score/clusters.py``, after scoring): the kind, the highest score of a member who
is not a victim, its band, and one sentence that says what ties the members.
"""

from __future__ import annotations

from unmask.engine import Engine
from unmask.model import evidence_id_sql

FARM_VIAS = ("ship_to_address", "bank_account", "egress_ip", "mfa_device", "sms_phone", "entra_device")
IDENTITY_VIAS = ("national_id", "name_dob", "same_person")
# Ties between personas, by the fact they observe: a reference's e-mail and phone are one fact
# (one referee), and so are a persona's phone and e-mail (one contact), so each counts once.
PERSONA_CLASS = {
    "phone": "contact", "personal_email": "contact", "photo": "photo", "profile": "profile",
    "reference_email": "reference", "reference_phone": "reference",
    "resume": "resume", "interview_ip": "interview",
}
# The personas' own details, as opposed to what a recruiter (a referee) or a template (a
# résumé) gives many honest applicants.
OWN_CLASSES = ("persona:contact", "persona:photo", "persona:profile")
# A network row is strong for every member firmly tied (by a medium or strong row) into a
# network of at least this many persons: once the network shows the personas' own details, a
# member tied to it only by its referee is one of its personas too. Smaller networks, and
# members tied only by weak rows, get a medium row.
NETWORK_STRONG_MEMBERS = 4
NETWORK_MIN_MEMBERS = 3

WORDS = {
    "ship_to_address": "ship-to address", "bank_account": "bank account", "egress_ip": "home IP",
    "mfa_device": "MFA device", "sms_phone": "SMS phone", "entra_device": "Entra device",
    "national_id": "national ID", "name_dob": "name and birth date", "same_person": "person record",
    "phone": "phone", "personal_email": "personal e-mail", "photo": "photo", "profile": "profile",
    "reference_email": "reference e-mail", "reference_phone": "reference phone", "resume": "résumé",
    "interview_ip": "interview IP",
}


def _via_table(engine: Engine) -> None:
    engine.execute("CREATE OR REPLACE TEMP TABLE via_class(via VARCHAR, class VARCHAR, words VARCHAR)")
    rows = [(v, "farm", WORDS[v]) for v in FARM_VIAS] + [(v, "identity", WORDS[v]) for v in IDENTITY_VIAS]
    rows += [(v, "persona:" + c, WORDS[v]) for v, c in PERSONA_CLASS.items()]
    engine.insert_rows("via_class", ("via", "class", "words"), rows)


def classify(engine: Engine) -> None:
    """``cluster_kinds(cluster_id, kind, persona_classes, summary)`` and ``cluster_roles``."""
    _via_table(engine)
    engine.execute(
        "CREATE OR REPLACE TABLE cluster_kinds AS "
        "WITH l AS (SELECT l.cluster_id, l.via, coalesce(v.class, 'other') AS class, coalesce(v.words, l.via) AS words "
        "  FROM cluster_links l LEFT JOIN via_class v USING (via)), "
        "n AS (SELECT cluster_id, count(*) AS members, count(*) FILTER (WHERE subject_type = 'employee') AS employees "
        "  FROM cluster_members GROUP BY cluster_id), "
        "k AS (SELECT cluster_id, count(*) FILTER (WHERE class = 'farm') AS farm, "
        "  count(*) FILTER (WHERE class = 'identity') AS identity, "
        "  count(*) FILTER (WHERE class LIKE 'persona:%') AS persona, "
        "  count(DISTINCT class) FILTER (WHERE class LIKE 'persona:%') AS persona_classes, "
        "  bool_or(list_contains($own, class)) AS persona_own, "
        "  list(DISTINCT words ORDER BY words) AS ties FROM l GROUP BY cluster_id) "
        "SELECT n.cluster_id, n.members, "
        # The kind whose ties are most of the cluster's links; a farm needs two workers.
        "CASE WHEN coalesce(k.farm, 0) > 0 AND n.employees >= 2 AND k.farm >= k.identity AND k.farm >= k.persona "
        "  THEN 'farm' "
        "  WHEN coalesce(k.identity, 0) > 0 AND k.identity >= k.persona THEN 'identity_pair' "
        "  WHEN coalesce(k.persona, 0) > 0 THEN 'persona_network' ELSE 'mixed' END AS kind, "
        "coalesce(k.persona_classes, 0) AS persona_classes, coalesce(k.persona_own, false) AS persona_own, "
        "coalesce(k.ties, []::VARCHAR[]) AS ties "
        "FROM n LEFT JOIN k USING (cluster_id)",
        {"own": list(OWN_CLASSES)},
    )
    engine.execute(
        "CREATE OR REPLACE TABLE cluster_roles AS "
        "WITH claims AS (SELECT a_type, a, bool_or(a_is_first) AS first, bool_or(NOT a_is_first) AS later "
        "  FROM claimed_identity_pairs GROUP BY a_type, a), "
        # A worker whose own declared home receives another member's laptop hosts the farm.
        "hosts AS (SELECT DISTINCT m.cluster_id, m.subject_id FROM cluster_members m "
        "  JOIN addresses h ON h.kind = 'home' AND h.subject_type = 'employee' AND h.subject_id = m.subject_id "
        "  JOIN addresses s ON s.kind = 'ship_to' AND s.full_key = h.full_key AND s.subject_id <> m.subject_id "
        "  JOIN cluster_members o ON o.cluster_id = m.cluster_id AND o.subject_type = 'employee' "
        "    AND o.subject_id = s.subject_id "
        "  WHERE m.subject_type = 'employee') "
        "SELECT m.cluster_id, m.subject_type, m.subject_id, "
        "CASE WHEN cl.later THEN 'claimant' WHEN cl.first THEN 'victim' "
        "  WHEN k.kind = 'farm' AND h.subject_id IS NOT NULL THEN 'host' "
        "  WHEN k.kind = 'farm' THEN 'worker' "
        "  WHEN k.kind = 'persona_network' AND m.subject_type = 'employee' THEN 'hired persona' "
        "  WHEN k.kind = 'persona_network' THEN 'applicant' "
        "  WHEN k.kind = 'identity_pair' THEN 'identity shared' ELSE 'member' END AS role "
        "FROM cluster_members m JOIN cluster_kinds k USING (cluster_id) "
        "LEFT JOIN claims cl ON cl.a_type = m.subject_type AND cl.a = m.subject_id "
        "LEFT JOIN hosts h ON h.cluster_id = m.cluster_id AND h.subject_id = m.subject_id"
    )


def network_evidence(engine: Engine) -> int:
    """Add one ``persona_network`` row to each member of a persona network that qualifies;
    returns how many rows were added."""
    if not engine.table_exists("cluster_kinds"):
        return 0
    before = int(engine.query("SELECT count(*) FROM evidence")[0][0])
    engine.execute(
        f"""
INSERT INTO evidence BY NAME
WITH nets AS (
  SELECT cluster_id, members, persona_classes FROM cluster_kinds
  WHERE kind = 'persona_network' AND members >= $min AND persona_classes >= 2 AND persona_own
), own_tie AS (
  -- How firmly the member itself is tied into the network.
  SELECT m.cluster_id, m.subject_type, m.subject_id,
    bool_or(e.strength IN ('medium', 'strong')) AS firm,
    list(DISTINCT v.words ORDER BY v.words) AS ties
  FROM cluster_members m
  JOIN evidence e ON e.subject_type = m.subject_type AND e.subject_id = m.subject_id AND e.group_key IS NOT NULL
  JOIN via_class v ON v.via = e.via AND v.class LIKE 'persona:%'
  GROUP BY ALL
)
SELECT 'persona_network' AS signal, 'cluster' AS family, t.subject_type, t.subject_id,
  'clusters.jsonl#' || n.cluster_id AS source_file, NULL::BIGINT AS line, NULL::TIMESTAMPTZ AS observed_at,
  'one of ' || n.members || ' applicants tied by ' || n.persona_classes || ' kinds of shared detail in persona '
    || 'network ' || n.cluster_id || ' (this one by its ' || array_to_string(t.ties, ', ') || ')' AS detail,
  CASE WHEN t.firm AND n.members >= $strong THEN 'strong' ELSE 'medium' END AS strength,
  NULL AS group_key, NULL AS via, NULL AS value_hint,
  {evidence_id_sql("'persona_network'", "t.subject_type", "t.subject_id", "'clusters.jsonl#' || n.cluster_id",
                   "NULL", "NULL")} AS evidence_id,
  false AS decisive
FROM nets n JOIN own_tie t USING (cluster_id)
LEFT JOIN cluster_roles r ON r.cluster_id = n.cluster_id AND r.subject_type = t.subject_type
  AND r.subject_id = t.subject_id
WHERE coalesce(r.role, '') <> 'victim'
""",  # noqa: S608 - only our evidence-id expression is interpolated
        {"min": NETWORK_MIN_MEMBERS, "strong": NETWORK_STRONG_MEMBERS},
    )
    return int(engine.query("SELECT count(*) FROM evidence")[0][0]) - before
