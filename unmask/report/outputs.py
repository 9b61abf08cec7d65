"""Write ``findings.jsonl``, ``clusters.jsonl`` and ``rejects.jsonl`` straight from the store."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from unmask.engine import Engine

ISO = "%Y-%m-%dT%H:%M:%SZ"

FINDINGS_SQL = f"""
SELECT {{'type': s.subject_type, 'id': s.subject_id, 'name': p.full_name}} AS subject,
  s.score, s.band,
  (SELECT list({{'signal': e.signal,
                 'source': CASE WHEN e.line IS NULL THEN e.source_file ELSE e.source_file || ':' || e.line END,
                 'observed_at': strftime(e.observed_at, '{ISO}'), 'detail': e.detail,
                 'weight': round(e.weight, 3), 'strength': e.strength}}
               ORDER BY e.weight DESC, e.signal, e.source_file, e.line)
   FROM scored_evidence e WHERE e.subject_type = s.subject_type AND e.subject_id = s.subject_id) AS evidence,
  coalesce((SELECT list(c.cluster_id ORDER BY c.cluster_id) FROM cluster_members c
            WHERE c.subject_type = s.subject_type AND c.subject_id = s.subject_id), []::VARCHAR[]) AS clusters
FROM scores s LEFT JOIN people p ON p.subject_type = s.subject_type AND p.subject_id = s.subject_id
ORDER BY s.score DESC, s.subject_type, s.subject_id
"""  # noqa: S608 - only the ISO format constant is interpolated

CLUSTERS_SQL = """
SELECT c.cluster_id,
  list({'type': c.subject_type, 'id': c.subject_id} ORDER BY c.subject_type, c.subject_id) AS members,
  coalesce((SELECT list({'a': l.a, 'b': l.b, 'via': l.via, 'value_hint': l.value_hint} ORDER BY l.via, l.a, l.b)
            FROM cluster_links l WHERE l.cluster_id = c.cluster_id), []) AS links
FROM cluster_members c GROUP BY c.cluster_id ORDER BY c.cluster_id
"""

REJECTS_SQL = """
SELECT file, part, line, unit, reason FROM rejects ORDER BY file, line NULLS FIRST, reason
"""


def write_jsonl(engine: Engine, sql: str, dest: Path) -> int:
    """COPY a query to JSON Lines beside ``dest``, then rename: readers never see half a file."""
    tmp = dest.with_name(f".{dest.name}.partial")
    n = engine.export_jsonl(sql, tmp)
    if n == 0:
        tmp.write_text("")  # COPY of zero rows may write nothing at all
    os.replace(tmp, dest)
    return n


def write_json(obj: Any, dest: Path) -> None:
    tmp = dest.with_name(f".{dest.name}.partial")
    tmp.write_text(json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, dest)


def write_text(text: str, dest: Path) -> None:
    tmp = dest.with_name(f".{dest.name}.partial")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, dest)
