"""Evidence read per person, not per record, before any cluster is built.

The signals see records. A signal about an identifier "shared by N people" (a ship-to, an
account, a national ID, a phone, a device) says so through its ``group_key``: every row with
that key names one holder. Here, in one place for all those signals, the holders are counted
as persons (``resolve/records.py``):

- A group whose holders are all records of one person is no sharing at all: a rehire's old and
  new record, or a reapplication. Its rows go; the records stay one person with several records
  (``person_records``), which the findings show.
- A group that ties a claimed identity to the record whose identity it claims keeps its rows,
  but the record that came first is the likely victim: its rows become weak (it stays in the
  cluster, marked, and inherits little from it), and the later record's identity rows are strong.
"""

from __future__ import annotations

from unmask.engine import Engine
from unmask.engine.sqlbuild import ident

# Rows of these signals on the two records of a claimed identity are about the identity itself.
IDENTITY_SIGNALS = ("national_id_shared", "name_dob_shared", "same_person_records")


def honour_persons(engine: Engine) -> int:
    """Rewrite ``evidence`` per person; returns the number of rows dropped as one person's own."""
    if not engine.table_exists("person_records"):
        return 0
    before = int(engine.query("SELECT count(*) FROM evidence")[0][0])
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE group_persons AS "
        "SELECT e.group_key, count(DISTINCT coalesce(p.person_id, e.subject_type || ':' || e.subject_id)) AS persons "
        "FROM (SELECT DISTINCT group_key, subject_type, subject_id FROM evidence WHERE group_key IS NOT NULL) e "
        "LEFT JOIN person_records p USING (subject_type, subject_id) GROUP BY e.group_key"
    )
    # Groups whose other members include the other side of a claimed identity.
    engine.execute(
        "CREATE OR REPLACE TEMP TABLE claim_rows AS "
        "SELECT DISTINCT x.group_key, x.subject_type, x.subject_id, c.a_is_first AS victim, "
        "c.b_type || ' ' || c.b AS other "
        "FROM (SELECT DISTINCT group_key, subject_type, subject_id, signal FROM evidence "
        "  WHERE group_key IS NOT NULL AND signal IN (SELECT unnest($sigs))) x "
        "JOIN claimed_identity_pairs c ON c.a_type = x.subject_type AND c.a = x.subject_id "
        "JOIN evidence y ON y.group_key = x.group_key AND y.subject_type = c.b_type AND y.subject_id = c.b",
        {"sigs": list(IDENTITY_SIGNALS)},
    )
    # The evidence's columns are listed, strength and detail rewritten in place (not
    # ``* REPLACE``, which only DuckDB has), so every engine runs this one statement.
    rewritten = {
        "strength": "CASE WHEN c.victim THEN 'weak' WHEN c.victim = false THEN 'strong' ELSE e.strength END",
        "detail": "CASE WHEN c.victim THEN e.detail || ' (this record came first: likely the person whose identity '"
                  " || c.other || ' uses)' "
                  "WHEN c.victim = false THEN e.detail || ' (claims the identity of the earlier ' || c.other || ')' "
                  "ELSE e.detail END",
    }
    cols = ", ".join(f"{rewritten[c]} AS {ident(c)}" if c in rewritten else f"e.{ident(c)}"
                     for c in engine.columns("evidence"))
    engine.execute(
        f"CREATE OR REPLACE TABLE evidence AS SELECT {cols} "  # noqa: S608 - our column names and SQL
        "FROM evidence e "
        "LEFT JOIN group_persons g USING (group_key) "
        "LEFT JOIN (SELECT group_key, subject_type, subject_id, bool_or(victim) AS victim, "
        "  min(other) AS other FROM claim_rows GROUP BY ALL) c "
        "  ON c.group_key = e.group_key AND c.subject_type = e.subject_type AND c.subject_id = e.subject_id "
        "  AND e.signal IN (SELECT unnest($sigs)) "
        "WHERE e.group_key IS NULL OR g.persons IS NULL OR g.persons > 1 "
        "ORDER BY e.evidence_id",
        {"sigs": list(IDENTITY_SIGNALS)},
    )
    return before - int(engine.query("SELECT count(*) FROM evidence")[0][0])
