"""Clusters: subjects tied by a shared identifier, as connected components computed in SQL."""

from __future__ import annotations

from collections.abc import Sequence

from unmask.engine import Engine
from unmask.model import cluster_id_sql

MAX_ITERATIONS = 50
# An identifier shared by more people than this is a coworking address, a carrier NAT or a
# payroll agent, not one operation: it does not join clusters (it is listed in giant_groups,
# and the report says so). Each person's own evidence about it stays.
MAX_GROUP = 15
REFEREE_VIAS = ("reference_email", "reference_phone")
# Ties that a benign crowd shares too (a recruiter's referee, a bootcamp's résumé): they link
# only with a tie of the personas' own beside them (build_clusters).
WEAK_ALONE_VIAS = (*REFEREE_VIAS, "resume")


def build_clusters(engine: Engine, max_group: int = MAX_GROUP,
                   previous: Sequence[tuple[str, str, str]] | None = None) -> int:
    """Create ``cluster_members``, ``cluster_links`` and ``clusters`` from evidence rows carrying a
    group_key. ``previous`` holds the last scan's ``(cluster_id, subject_type, subject_id)``
    rows, from which a changed cluster learns which earlier cluster it continues."""
    # The group's smallest hint: min(), which every engine has, is DuckDB's first(value_hint
    # ORDER BY value_hint) (NULLs last), which Spark does not parse.
    engine.execute(
        "CREATE OR REPLACE TABLE group_members AS SELECT DISTINCT group_key, via, subject_type, subject_id, "
        "min(value_hint) OVER (PARTITION BY group_key) AS value_hint "
        "FROM evidence WHERE group_key IS NOT NULL"
    )
    engine.execute(
        "CREATE OR REPLACE TABLE giant_groups AS SELECT group_key, any_value(via) AS via, "
        "any_value(value_hint) AS value_hint, count(*) AS members FROM group_members GROUP BY group_key "
        "HAVING count(*) > $max",
        {"max": max_group},
    )
    # A referee or a near-copy résumé shared by applicants who share nothing of their own is a
    # staffing agency's desk or a bootcamp cohort (indicators.md §3.B, §3.C look-alikes), not one
    # operator's personas: its rows stay as evidence, but it joins no cluster. It links when two of
    # its applicants also share a contact of their own (a phone, an e-mail, a photo, a profile), or
    # share the other weak-alone kind (however many hold it) while one of them reaches the network
    # by such a contact: issue 13 §3's personas "share reference contacts and near-duplicate résumés".
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE corroborated_weak AS "
        "WITH g AS (SELECT *, CASE WHEN list_contains($refs, via) THEN 'referee' ELSE via END AS kind, "
        "  list_contains($weak, via) AS weak, group_key IN (SELECT group_key FROM giant_groups) AS giant "
        "  FROM group_members), "
        "own AS (SELECT DISTINCT subject_type, subject_id FROM g WHERE NOT weak AND NOT giant) "
        "SELECT DISTINCT w1.group_key FROM g w1 "
        "JOIN g w2 ON w2.group_key = w1.group_key AND w2.subject_id <> w1.subject_id "
        "JOIN g o1 ON o1.subject_type = w1.subject_type AND o1.subject_id = w1.subject_id AND o1.kind <> w1.kind "
        "JOIN g o2 ON o2.group_key = o1.group_key AND o2.subject_type = w2.subject_type "
        "  AND o2.subject_id = w2.subject_id "
        "WHERE w1.weak AND NOT w1.giant AND ((NOT o1.weak AND NOT o1.giant) OR (o1.weak AND EXISTS ("
        "  SELECT 1 FROM g w3 JOIN own USING (subject_type, subject_id) WHERE w3.group_key = w1.group_key)))",
        {"refs": list(REFEREE_VIAS), "weak": list(WEAK_ALONE_VIAS)},
    )
    engine.execute("DELETE FROM group_members WHERE group_key IN (SELECT group_key FROM giant_groups)")
    engine.execute(
        "DELETE FROM group_members WHERE list_contains($weak, via) "
        "AND group_key NOT IN (SELECT group_key FROM corroborated_weak)",
        {"weak": list(WEAK_ALONE_VIAS)},
    )
    # Edges join each member of a group to the group's smallest member: a star is enough for
    # connectivity and stays linear in group size.
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE cc_edges AS "
        "WITH g AS (SELECT group_key, subject_type || ':' || subject_id AS node FROM group_members), "
        "h AS (SELECT group_key, min(node) AS hub FROM g GROUP BY group_key) "
        "SELECT g.node AS a, h.hub AS b FROM g JOIN h USING (group_key) WHERE g.node <> h.hub"
    )
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE cc AS SELECT DISTINCT node, node AS label FROM ("
        "SELECT a AS node FROM cc_edges UNION SELECT b FROM cc_edges)"
    )
    for _ in range(MAX_ITERATIONS):
        engine.execute(
            "CREATE OR REPLACE TEMP TABLE cc_next AS SELECT c.node, least(c.label, min(n.label)) AS label "
            "FROM cc c LEFT JOIN (SELECT e.a AS node, x.label FROM cc_edges e JOIN cc x ON x.node = e.b "
            "UNION ALL SELECT e.b, x.label FROM cc_edges e JOIN cc x ON x.node = e.a) n USING (node) "
            "GROUP BY c.node, c.label"
        )
        changed = engine.query(
            "SELECT count(*) FROM cc JOIN cc_next USING (node) WHERE cc.label <> cc_next.label"
        )[0][0]
        engine.execute("CREATE OR REPLACE TEMP TABLE cc AS SELECT * FROM cc_next")
        if not changed:
            break
    # A cluster is named by its member set (unmask.model), not by its rank: the same farm keeps
    # its id from one scan to the next.
    engine.execute(
        "CREATE OR REPLACE TABLE cluster_members AS "  # noqa: S608 - only our id expression is interpolated
        f"WITH named AS (SELECT label, {cluster_id_sql('node')} AS cluster_id FROM cc GROUP BY label) "
        "SELECT n.cluster_id, split_part(c.node, ':', 1) AS subject_type, "
        "substr(c.node, strpos(c.node, ':') + 1) AS subject_id FROM cc c JOIN named n USING (label)"
    )
    _continues(engine, previous or [])
    engine.execute(
        "CREATE OR REPLACE TABLE cluster_links AS "
        "WITH m AS (SELECT g.*, c.cluster_id, row_number() OVER (PARTITION BY g.group_key ORDER BY g.subject_id) AS k "
        "FROM group_members g JOIN cluster_members c USING (subject_type, subject_id)) "
        "SELECT x.cluster_id, x.subject_id AS a, y.subject_id AS b, x.via, x.value_hint "
        "FROM m x JOIN m y ON x.group_key = y.group_key AND x.k < y.k "
        # Small groups list every pair; big ones only the star around their first member.
        "WHERE (SELECT count(*) FROM group_members z WHERE z.group_key = x.group_key) <= 8 OR x.k = 1"
    )
    return int(engine.query("SELECT count(DISTINCT cluster_id) FROM cluster_members")[0][0])


def _continues(engine: Engine, previous: Sequence[tuple[str, str, str]]) -> None:
    """``clusters(cluster_id, members, continues)``: a cluster whose id is new names the previous
    scan's cluster sharing most of its members (ties: the smaller id), so a farm that gained or
    lost a worker keeps its history. An unchanged cluster keeps its id and continues nothing."""
    engine.execute("CREATE OR REPLACE TEMP TABLE previous_members(cluster_id VARCHAR, subject_type VARCHAR, "
                   "subject_id VARCHAR)")
    engine.insert_rows("previous_members", ("cluster_id", "subject_type", "subject_id"), list(previous))
    engine.execute(
        "CREATE OR REPLACE TABLE clusters AS "
        "WITH sized AS (SELECT cluster_id, count(*) AS members FROM cluster_members GROUP BY cluster_id), "
        "overlap AS (SELECT c.cluster_id, p.cluster_id AS previous, count(*) AS shared "
        "  FROM cluster_members c JOIN previous_members p USING (subject_type, subject_id) "
        "  WHERE c.cluster_id NOT IN (SELECT cluster_id FROM previous_members) GROUP BY ALL), "
        "best AS (SELECT cluster_id, previous AS continues, "
        "  row_number() OVER (PARTITION BY cluster_id ORDER BY shared DESC, previous) AS k FROM overlap) "
        "SELECT s.cluster_id, s.members, b.continues FROM sized s LEFT JOIN best b ON b.cluster_id = s.cluster_id "
        "AND b.k = 1"
    )
