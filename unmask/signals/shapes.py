"""One declared shape for "an identifier held by several people", so the rule lives in one place.

A laptop farm, a mule account, a borrowed MFA phone and a shared home line all look the same
in the data: one value (a ship-to, an account token, a device, an IP, a phone) held by several
records. What separates them from a couple or a rehire is *who* the other holders are. That
test used to be written in each signal, in two SQL forms, with keys hashed in some and raw in
others. Now a signal writes only who holds what, as a CTE named ``holders``::

    subject_type, subject_id, via, key, source_file, line, observed_at, excuse

and puts :data:`SHARED` after it. ``shared`` then has one row per holder and key:

- ``others``: how many other *persons* hold the key. Records of one human (a rehire's old and
  new record, a reapplication, the candidate record an employee came from; resolve/records.py's
  ``person_records``) are one person, so a person's own records never count as sharing.
- ``unrelated``: how many of those are outside the holder's household (declared relations, or
  people who declare the same home: normalise/stage.py) and not excused on both sides. An
  ``excuse`` is the signal's own benign context for one holding (e.g. "an office desk": an Entra
  device used only from the corporate network); two holdings with the same excuse are benign.
- ``who``: the other holders' record ids, sorted.
- ``first_file``, ``first_line``, ``first_at``: where and when the holder was first seen with it.
- ``group_key``: ``via:md5(key)`` when anyone unrelated shares it, else NULL, so a household's
  or a person's own sharing links no cluster, and no raw value becomes a key.

The signal keeps its own judgement of strength and its own words; the shape only counts.
"""

from __future__ import annotations

SHARED = """, shared_holders AS (
  SELECT DISTINCT h.subject_type, h.subject_id, h.via, h.key, h.excuse,
    coalesce(p.person_id, h.subject_type || ':' || h.subject_id) AS person
  FROM holders h
  LEFT JOIN person_records p ON p.subject_type = h.subject_type AND p.subject_id = h.subject_id
  WHERE h.key IS NOT NULL
), shared_pairs AS (
  SELECT x.subject_type, x.subject_id, x.via, x.key, y.person AS other, y.subject_id AS other_id,
    NOT EXISTS (SELECT 1 FROM households hh WHERE hh.a = x.subject_id AND hh.b = y.subject_id)
      AND NOT coalesce(x.excuse = y.excuse, false) AS unrelated
  FROM shared_holders x
  JOIN shared_holders y ON x.via = y.via AND x.key = y.key AND x.person <> y.person
), shared_first AS (
  SELECT subject_type, subject_id, via, key,
    min({'f': source_file, 'l': line}) AS first, min(observed_at) AS first_at
  FROM holders WHERE key IS NOT NULL GROUP BY subject_type, subject_id, via, key
), shared AS (
  SELECT p.subject_type, p.subject_id, p.via, p.key,
    count(DISTINCT p.other) AS others,
    count(DISTINCT p.other) FILTER (WHERE p.unrelated) AS unrelated,
    list(DISTINCT p.other_id ORDER BY p.other_id) AS who,
    any_value(f.first).f AS first_file, any_value(f.first).l AS first_line, any_value(f.first_at) AS first_at,
    CASE WHEN bool_or(p.unrelated) THEN p.via || ':' || md5(p.key) END AS group_key
  FROM shared_pairs p
  JOIN shared_first f ON f.subject_type = p.subject_type AND f.subject_id = p.subject_id
    AND f.via = p.via AND f.key = p.key
  GROUP BY p.subject_type, p.subject_id, p.via, p.key
)
"""


def shared(holders: str, select: str) -> str:
    """A signal's SQL: its CTEs ending in ``holders``, then :data:`SHARED`, then its SELECT.

    Both parts are the signal's own constant text; nothing from a bundle is pasted."""
    return holders + SHARED + select
