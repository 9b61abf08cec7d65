"""Screening in the engine: an inverted index of list-name keys, candidates by shared rare keys,
then the explainable score of each candidate.

Tables in: ``intel_entities`` / ``intel_names`` (sources/intel) and ``screen_parties``
(subject_type, subject_id, role, name, schema, dob as ISO text, country as ISO alpha-2,
source_file, line) from the
caller: the bundle's parties in a scan, a CSV's rows in ``unmask screen``. Table out:
``screen_matches``, one row per party and listed entity (best alias), with the score and
its components:

- ``name``: :func:`unmask.values.screen_names.name_score` of the party name and the alias;
- ``ofac``: the same pair on OFAC's own tool's 0-100 scale;
- ``dob``: 'same date', 'same year', 'different year' or 'unknown';
- ``nationality``: 'agrees', 'differs' or 'unknown' (the party's country against the
  entity's nationalities and citizenships);
- ``country``: the same against the countries of the entity's addresses.

The score is the name score, raised a little when the date of birth agrees and lowered
when it or the country contradicts: a namesake born in another year is not the listed person.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from unmask.engine import Engine, register_udfs

MIN_NAME_SCORE = 0.78  # below this a pair is not kept at all
MAX_KEY_ENTITIES = 300  # a key shared by more listed entities than this ("kim", "trading") does not block
MIN_WEIGHT_RATIO = 0.4  # ... and at least this share of the best candidate's weight
TOP_CANDIDATES = 8  # per party, by summed key rarity, before the Python scorer runs
UDFS = ("unmask_block_keys", "unmask_name_score", "unmask_ofac_score")  # unmask.values.udfs


def build_list_index(engine: Engine) -> None:
    """``intel_name_ids`` (nid, list, entity_id, name, kind, schema) and ``intel_keys``
    (key, nid, person, any_schema, craft, idf) for every name worth indexing: ``person`` a
    Person entry, ``craft`` a Vessel or Airplane, ``any_schema`` a LegalEntity (OFAC's
    alias-only entries, whose kind the list does not give), anything else an organisation. Candidates are grouped by the
    integer ``nid``, not by the text of the name: the search is a join and a group-by."""
    register_udfs(engine, *UDFS)
    engine.execute("""
CREATE OR REPLACE TABLE intel_name_ids AS
SELECT row_number() OVER (ORDER BY n.list, n.entity_id, n.name, n.kind) AS nid, n.list, n.entity_id, n.name, n.kind,
  e.schema
FROM intel_names n JOIN intel_entities e USING (list, entity_id)
""")
    engine.execute("""
CREATE OR REPLACE TABLE intel_keys AS
WITH k AS (
  SELECT nid, entity_id, list, schema = 'Person' AS person, schema = 'LegalEntity' AS any_schema,
    schema IN ('Vessel', 'Airplane') AS craft, unnest(unmask_block_keys(name, schema)) AS key
  FROM intel_name_ids
), common AS (SELECT key FROM k GROUP BY key HAVING count(DISTINCT (list, entity_id)) > $max_key)
SELECT key, nid, person, any_schema, craft,
  ln(1 + (SELECT count(*) FROM intel_entities) / count(*) OVER (PARTITION BY key)) AS idf
FROM k WHERE key NOT IN (SELECT key FROM common)
""", {"max_key": MAX_KEY_ENTITIES})


PARTY_COLUMNS = ("subject_type", "subject_id", "role", "name", "schema", "dob", "country", "source_file", "line")


def set_parties(engine: Engine, rows: Sequence[Sequence[Any]]) -> None:
    """``screen_parties`` from Python rows of PARTY_COLUMNS (a CSV of names, a benchmark set)."""
    engine.execute("CREATE OR REPLACE TABLE screen_parties(" + ", ".join(  # noqa: S608 - our column names
        f"{c} {'BIGINT' if c == 'line' else 'VARCHAR'}" for c in PARTY_COLUMNS) + ")")
    engine.insert_rows("screen_parties", PARTY_COLUMNS, rows)


def screen(engine: Engine) -> None:
    """``screen_parties`` against the index into ``screen_matches``.

    The Python scorers run once per distinct name, not per party: a bank named on 20,000
    deposits, or the same applicant in three roles, is keyed and scored once, and the parties
    join back in SQL for what differs between them (date of birth, country, where they were read)."""
    register_udfs(engine, *UDFS)
    engine.execute("""
CREATE OR REPLACE TEMP TABLE screen_q AS
SELECT row_number() OVER (ORDER BY name, schema) AS qid, name, schema
FROM (SELECT DISTINCT name, schema FROM screen_parties WHERE name IS NOT NULL)
""")
    engine.execute("""
CREATE OR REPLACE TEMP TABLE screen_qk AS SELECT qid, schema, unnest(unmask_block_keys(name, schema)) AS key
FROM screen_q
""")
    engine.execute("""
CREATE OR REPLACE TEMP TABLE screen_p AS
SELECT row_number() OVER (ORDER BY p.subject_type, p.subject_id, p.role, p.source_file, p.line, p.name, p.schema,
  p.dob, p.country) AS pid, p.*, q.qid FROM screen_parties p JOIN screen_q q USING (name, schema)
""")
    engine.execute("""
CREATE OR REPLACE TEMP TABLE screen_qcand AS
WITH cand AS (
  -- Schemas must be compatible, as FollowTheMoney's are (nomenklatura matches only entities
  -- whose schemata share a descendant): a person meets Person entries, a company meets
  -- organisations, an account holder (Any: LegalEntity) meets either. No party of a bundle is
  -- a vessel or an aircraft, so those entries meet only a screened Vessel or Airplane. Alias-only
  -- OFAC entries (LegalEntity) meet everyone.
  SELECT p.qid, k.nid, sum(k.idf) AS weight
  FROM screen_qk p JOIN intel_keys k USING (key)
  WHERE CASE p.schema WHEN 'Person' THEN k.person OR k.any_schema
                      WHEN 'Company' THEN NOT k.person AND NOT k.craft
                      WHEN 'Any' THEN NOT k.craft
                      ELSE k.craft OR k.any_schema END
  GROUP BY p.qid, k.nid
), top AS (
  -- Two names at most of one entity: an entity listed under many spellings of one name
  -- ("KIM, Yong Chol", "Young-Chol", "Young-Cheol" ...) must not crowd out its namesakes.
  -- (Ranks as named columns of a subquery, not QUALIFY: Spark rewrites QUALIFY over a `*` into
  -- a subquery whose window column the next `*` carries along, then finds it twice.)
  SELECT qid, nid, weight FROM (
    SELECT cand.qid, cand.nid, cand.weight,
      row_number() OVER (PARTITION BY qid, n.list, n.entity_id ORDER BY weight DESC, nid) AS in_entity
    FROM cand JOIN intel_name_ids n USING (nid)
  ) WHERE in_entity <= 2
), top2 AS (
  -- The best few by shared-key rarity, and none far below the best: a candidate that shares
  -- only a common word with the party, when another shares its rare ones, is not worth scoring.
  SELECT qid, nid, weight FROM (
    SELECT qid, nid, weight, row_number() OVER (PARTITION BY qid ORDER BY weight DESC, nid) AS in_party,
      max(weight) OVER (PARTITION BY qid) AS best
    FROM top
  ) WHERE in_party <= $top AND weight >= $ratio * best
)
SELECT t.qid, n.list, n.entity_id, n.name AS list_name, n.kind, n.schema AS list_schema, t.weight
FROM top2 t JOIN intel_name_ids n USING (nid)
""", {"top": TOP_CANDIDATES, "ratio": MIN_WEIGHT_RATIO})
    # Per party, for inspection and for the side-by-side benchmark, which hands the same pairs
    # to another matcher (a view: nothing is copied unless someone reads it).
    engine.execute("CREATE OR REPLACE TEMP VIEW screen_candidates AS "
                   "SELECT p.pid, c.list, c.entity_id, c.list_name, c.kind, c.list_schema, c.weight "
                   "FROM screen_p p JOIN screen_qcand c USING (qid)")
    # A table, not a CTE: an engine may inline a CTE into each place that reads it and call the
    # scorer once per use.
    engine.execute("""
CREATE OR REPLACE TEMP TABLE screen_scored AS
SELECT c.*, q.name, unmask_name_score(q.name, c.list_name, q.schema, c.list_schema) AS name_score
FROM screen_qcand c JOIN screen_q q USING (qid)
""")
    engine.execute("""
CREATE OR REPLACE TABLE screen_matches AS
WITH scored AS (SELECT * FROM screen_scored), best AS (
  SELECT qid, list, entity_id, arg_max(list_name, name_score) AS list_name, arg_max(kind, name_score) AS kind,
    max(name_score) AS name_score, any_value(name) AS name
  FROM scored WHERE name_score >= $min GROUP BY ALL
), best_ofac AS (SELECT *, unmask_ofac_score(name, list_name) AS ofac_score FROM best)
SELECT pa.subject_type, pa.subject_id, pa.role, pa.name, pa.schema AS party_schema, pa.source_file, pa.line,
  b.list, b.entity_id, b.list_name, b.kind, e.caption, e.schema, e.programs, e.birth_dates,
  b.name_score, b.ofac_score,
  -- dob is ISO text of any precision: '1965-04-25', '1965-04' or '1965'.
  CASE WHEN pa.dob IS NULL OR len(e.birth_dates) = 0 THEN 'unknown'
       WHEN length(pa.dob) = 10 AND list_contains(e.birth_dates, pa.dob) THEN 'same date'
       WHEN list_contains(list_transform(e.birth_dates, lambda d: left(d, 4)), left(pa.dob, 4)) THEN 'same year'
       ELSE 'different year' END AS dob,
  CASE WHEN pa.country IS NULL OR len(e.nationalities) = 0 THEN 'unknown'
       WHEN list_contains(e.nationalities, lower(pa.country)) THEN 'agrees' ELSE 'differs' END AS nationality,
  CASE WHEN pa.country IS NULL OR len(e.countries) = 0 THEN 'unknown'
       WHEN list_contains(e.countries, lower(pa.country)) THEN 'agrees' ELSE 'differs' END AS country
FROM best_ofac b JOIN screen_p pa USING (qid) JOIN intel_entities e USING (list, entity_id)
""", {"min": MIN_NAME_SCORE})
    engine.execute("""
CREATE OR REPLACE TABLE screen_matches AS
SELECT *, greatest(0.0, least(1.0, name_score
    + CASE dob WHEN 'same date' THEN 0.1 WHEN 'same year' THEN 0.03 WHEN 'different year' THEN -0.3 ELSE 0 END
    + CASE nationality WHEN 'agrees' THEN 0.02 WHEN 'differs' THEN -0.05 ELSE 0 END
    -- Listed entities keep addresses abroad: an address country agreeing helps a little,
    -- one disagreeing says nothing.
    + CASE country WHEN 'agrees' THEN 0.01 ELSE 0 END)) AS score
FROM screen_matches
""")
