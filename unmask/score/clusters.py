"""A cluster's own verdict, once its members are scored (the kind and roles: link/verdicts.py)."""

from __future__ import annotations

from unmask.config import Config
from unmask.engine import Engine
from unmask.link.verdicts import FARM_VIAS, WORDS
from unmask.score import band_sql


def cluster_verdicts(engine: Engine, config: Config) -> None:
    """``cluster_verdicts(cluster_id, kind, score, band, summary)``, after scoring."""
    engine.execute(
        "CREATE OR REPLACE TABLE cluster_verdicts AS "  # noqa: S608 - only our band expression is interpolated
        "WITH s AS (SELECT r.cluster_id, max(coalesce(s.score, 0)) FILTER (WHERE r.role <> 'victim') AS score "
        "  FROM cluster_roles r LEFT JOIN scores s USING (subject_type, subject_id) GROUP BY r.cluster_id) "
        f"SELECT k.cluster_id, k.kind, round(coalesce(s.score, 0), 4) AS score, "
        f"{band_sql('coalesce(s.score, 0)', config.bands)} AS band, "
        # "Laptop farm" only where equipment or a home line is shared; pay alone is said as such.
        "CASE WHEN k.kind = 'farm' AND list_has_any(k.ties, $equipment) THEN 'laptop farm: ' "
        "  WHEN k.kind = 'farm' THEN 'shared pay or access: ' "
        "  WHEN k.kind = 'identity_pair' THEN 'one identity, several people: ' "
        "  WHEN k.kind = 'persona_network' THEN 'persona network: ' ELSE '' END "
        "|| k.members || ' people tied by ' || array_to_string(k.ties, ', ') AS summary "
        "FROM cluster_kinds k LEFT JOIN s USING (cluster_id)",
        {"equipment": [WORDS[v] for v in FARM_VIAS if v != "bank_account"]},
    )
