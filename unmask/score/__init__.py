"""Combine evidence into one score and band per subject, in SQL.

Model (see docs/scoring.md): each evidence row has a base weight by strength (strong 2.0,
medium 1.0, weak 0.4), times an optional per-signal multiplier from ``[scoring.weights]``.
Within one family the n-th row counts 0.5^(n-1) of its weight (five RMM hits are not five
facts). Weak rows together add at most 0.8. The total maps to ``1 - exp(-total / 2.5)``.
A subject reaches high or critical only with a strong row, or medium rows from two families.
"""

from __future__ import annotations

from unmask.config import Config
from unmask.engine import Engine

BASE_WEIGHT = {"strong": 2.0, "medium": 1.0, "weak": 0.4}
WEAK_CAP = 0.8
SCALE = 2.5
BANDS = (("critical", 0.9), ("high", 0.7), ("medium", 0.4), ("low", 0.0))
BAND_ORDER = {name: i for i, (name, _) in enumerate(reversed(BANDS))}  # low=0 .. critical=3
# Without a strong row or two independent medium families, the score stops below "high".
UNSUPPORTED_CAP = 0.69


def band_sql(col: str) -> str:
    whens = " ".join(f"WHEN {col} >= {cut} THEN '{name}'" for name, cut in BANDS[:-1])
    return f"CASE {whens} ELSE 'low' END"


def score(engine: Engine, config: Config) -> None:
    """Create ``scored_evidence`` (rows with their contribution) and ``scores`` (one per subject)."""
    engine.execute("CREATE OR REPLACE TEMP TABLE weight_overrides(signal VARCHAR, mult DOUBLE)")
    for sid, mult in config.weights.items():
        engine.execute("INSERT INTO weight_overrides VALUES (?, ?)", [sid, mult])
    # A name-only sanctions similarity (weak) never makes a finding by itself: common names
    # would otherwise single out people by their names. It joins the evidence of subjects
    # that have something else.
    engine.execute(
        "CREATE OR REPLACE TEMP VIEW evidence_kept AS SELECT * FROM evidence e WHERE EXISTS ("
        "SELECT 1 FROM evidence o WHERE o.subject_type = e.subject_type AND o.subject_id = e.subject_id "
        "AND NOT (o.signal = 'sanctions_name_match' AND o.strength = 'weak'))"
    )
    engine.execute(
        "CREATE OR REPLACE TABLE scored_evidence AS "
        "WITH w AS (SELECT e.*, (CASE e.strength WHEN 'strong' THEN $s WHEN 'medium' THEN $m ELSE $w END) "
        "  * coalesce(o.mult, 1.0) AS w0 FROM evidence_kept e LEFT JOIN weight_overrides o USING (signal)), "
        "r AS (SELECT *, row_number() OVER (PARTITION BY subject_type, subject_id, family "
        "  ORDER BY w0 DESC, observed_at, source_file, line) AS rk FROM w), "
        "c AS (SELECT *, w0 * pow(0.5, rk - 1) AS w1 FROM r), "
        "k AS (SELECT *, sum(w1) FILTER (WHERE strength = 'weak') OVER (PARTITION BY subject_type, subject_id) "
        "  AS weak_sum FROM c) "
        "SELECT * EXCLUDE (w0, rk, w1, weak_sum), "
        "CASE WHEN strength = 'weak' AND weak_sum > $cap THEN w1 * $cap / weak_sum ELSE w1 END AS weight FROM k",
        {"s": BASE_WEIGHT["strong"], "m": BASE_WEIGHT["medium"], "w": BASE_WEIGHT["weak"], "cap": WEAK_CAP},
    )
    engine.execute(
        "CREATE OR REPLACE TABLE scores AS "
        "WITH t AS (SELECT subject_type, subject_id, sum(weight) AS total, "
        "  count(*) FILTER (WHERE strength = 'strong') AS strong_rows, "
        "  count(DISTINCT family) FILTER (WHERE strength = 'medium') AS medium_families "
        "  FROM scored_evidence GROUP BY ALL), "
        "s AS (SELECT *, 1 - exp(-total / $scale) AS raw_score FROM t) "
        "SELECT subject_type, subject_id, total, strong_rows, medium_families, "
        "round(CASE WHEN strong_rows > 0 OR medium_families >= 2 THEN raw_score "
        "  ELSE least(raw_score, $cap) END, 4) AS score FROM s",
        {"scale": SCALE, "cap": UNSUPPORTED_CAP},
    )
    engine.execute("ALTER TABLE scores ADD COLUMN band VARCHAR")
    engine.execute(f"UPDATE scores SET band = {band_sql('score')}")  # noqa: S608 - constants
