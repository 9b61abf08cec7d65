"""Combine evidence into one score and band per subject, in SQL.

Model (docs/scoring.md): each evidence row weighs its signal's log-odds (the strength's
default unless the signal declares its own; a downgraded row keeps the proportion), times an
optional multiplier from ``[scoring.weights]``. Within one family the n-th row of one signal
counts 0.5^(n-1) of its weight (five RMM hits are not five facts) and the k-th signal
0.75^(k-1). Weak rows together add at most 0.8. A member of a cluster then receives a share
of the cluster's strongest other member's weight, in proportion to its own tie to the cluster. The total maps to
``1 - exp(-total / 2.5)``. A subject reaches high or critical only with a strong row, or
medium rows from two families; propagated weight never counts as support. A decisive row
(model.py) weighs its signal's decisive log-odds and makes the subject at least "high".
"""

from __future__ import annotations

from unmask.config import Config
from unmask.engine import Engine
from unmask.engine.sqlbuild import ident
from unmask.model import BASE_WEIGHT, evidence_id_sql, fingerprint_sql

WEAK_CAP = 0.8
# Within a family, a second row of the same signal restates a fact (five RMM hits): 0.5 each.
# Another signal of the family is another fact about the same thing (who holds the account,
# where the money goes): partly correlated, so 0.75 each.
OTHER_SIGNAL = 0.75
SCALE = 2.5
BANDS = (("critical", 0.9), ("high", 0.7), ("medium", 0.4), ("low", 0.0))
BAND_ORDER = {name: i for i, (name, _) in enumerate(reversed(BANDS))}  # low=0 .. critical=3
# Without a strong row or two independent medium families, the score stops below "high".
UNSUPPORTED_CAP = 0.69
# How firmly a member is tied to its cluster, by the strength of the row that links it.
TIE = {"strong": 1.0, "medium": 0.5, "weak": 0.25}
PROPAGATION_CAP = 0.75  # what a cluster can add to one member, whatever its size
PROPAGATION_FLOOR = 0.05  # smaller shares are not written as evidence


def band_sql(col: str, cuts: dict[str, float] | None = None) -> str:
    c = cuts or dict(BANDS[:-1])
    whens = " ".join(f"WHEN {col} >= {float(c[name])} THEN '{name}'" for name, _ in BANDS[:-1])
    return f"CASE {whens} ELSE 'low' END"


def exact_sum(expr: str, where: str = "", over: str = "") -> str:
    """SQL: the sum of a weight column in exact decimals. A sum of doubles depends on the order
    the engine adds them in, which varies with threads: members of equal weight would then
    differ in the last bit, and a weight rounded for the outputs could flip between runs."""
    # ``where`` is a CASE inside the sum rather than FILTER (WHERE ...): the same answer (NULL when
    # no row qualifies), and Spark takes no FILTER on a window aggregate (issue 16).
    value = f"CASE WHEN {where} THEN CAST({expr} AS DECIMAL(18, 9)) END" if where else f"CAST({expr} AS DECIMAL(18, 9))"
    tail = f" OVER ({over})" if over else ""
    return f"CAST(sum({value}){tail} AS DOUBLE)"


def score(engine: Engine, config: Config) -> None:
    """Create ``scored_evidence`` (rows with their contribution) and ``scores`` (one per subject)."""
    from unmask.signals import SIGNALS

    engine.execute("CREATE OR REPLACE TEMP TABLE signal_factor(signal VARCHAR, factor DOUBLE, decisive_w DOUBLE)")
    engine.insert_rows("signal_factor", ("signal", "factor", "decisive_w"), [
        (s.id, s.weight / BASE_WEIGHT[s.strength] * config.weights.get(s.id, 1.0),
         (s.decisive_log_odds or 0.0) * config.weights.get(s.id, 1.0)) for s in SIGNALS])
    # A name-only sanctions similarity (weak) never makes a finding by itself: common names
    # would otherwise single out people by their names. It joins the evidence of subjects
    # that have something else.
    engine.execute(
        "CREATE OR REPLACE TEMP VIEW evidence_kept AS SELECT * FROM evidence e WHERE EXISTS ("
        "SELECT 1 FROM evidence o WHERE o.subject_type = e.subject_type AND o.subject_id = e.subject_id "
        "AND NOT (o.signal = 'sanctions_name_match' AND o.strength = 'weak'))"
    )
    # The evidence's own columns are listed (not ``* EXCLUDE``/``* REPLACE``, which only
    # DuckDB has), so every engine runs this one statement.
    cols = [c for c in engine.columns("evidence") if c != "decisive"]
    weak_sum = exact_sum("w1", "strength = 'weak'", "PARTITION BY subject_type, subject_id")
    engine.execute(
        "CREATE OR REPLACE TABLE scored_evidence AS "  # noqa: S608 - our column names and exact sum only
        f"WITH w AS (SELECT {', '.join('e.' + ident(c) for c in cols)}, "
        "  coalesce(e.decisive, false) AND e.strength = 'strong' AND f.decisive_w > 0 "
        "  AS decisive, CASE WHEN e.decisive AND e.strength = 'strong' AND f.decisive_w > 0 THEN f.decisive_w "
        "  ELSE (CASE e.strength WHEN 'strong' THEN $s WHEN 'medium' THEN $m ELSE $w END) "
        "  * coalesce(f.factor, 1.0) END AS w0 FROM evidence_kept e LEFT JOIN signal_factor f USING (signal)), "
        "r AS (SELECT *, row_number() OVER (PARTITION BY subject_type, subject_id, family, signal "
        "  ORDER BY w0 DESC, observed_at, source_file, line, evidence_id) AS rk, "
        "  max(w0) OVER (PARTITION BY subject_type, subject_id, family, signal) AS top FROM w), "
        "q AS (SELECT *, dense_rank() OVER (PARTITION BY subject_type, subject_id, family "
        "  ORDER BY top DESC, signal) AS sk FROM r), "
        "c AS (SELECT *, w0 * pow(0.5, rk - 1) * pow($other, sk - 1) AS w1 FROM q), "
        # exact_sum puts a CASE inside the sum, not FILTER: Spark takes no FILTER on a window aggregate.
        f"k AS (SELECT *, {weak_sum} "
        "  AS weak_sum FROM c) "
        f"SELECT {', '.join(ident(c) for c in engine.columns('evidence'))}, "
        "CASE WHEN strength = 'weak' AND weak_sum > $cap THEN w1 * $cap / weak_sum ELSE w1 END AS weight FROM k",
        {"s": BASE_WEIGHT["strong"], "m": BASE_WEIGHT["medium"], "w": BASE_WEIGHT["weak"], "cap": WEAK_CAP,
         "other": OTHER_SIGNAL},
    )
    _propagate(engine, config.propagation)
    _propagate_referrals(engine, config.propagation)
    engine.execute(
        "CREATE OR REPLACE TABLE scores AS "  # noqa: S608 - only our fingerprint expression is interpolated
        f"WITH t AS (SELECT subject_type, subject_id, {exact_sum('weight')} AS total, "
        "  count(*) FILTER (WHERE strength = 'strong') AS strong_rows, "
        "  count(*) FILTER (WHERE decisive) AS decisive_rows, "
        "  count(DISTINCT family) FILTER (WHERE strength = 'medium') AS medium_families, "
        # What a decision on this subject is made on (unmask.model): the set of its row ids.
        f"  {fingerprint_sql('evidence_id')} AS evidence_fingerprint "
        "  FROM scored_evidence GROUP BY ALL), "
        "s AS (SELECT *, 1 - exp(-total / $scale) AS raw_score FROM t), "
        "b AS (SELECT subject_type, subject_id, total, strong_rows, medium_families, decisive_rows, "
        # A decisive row is at least "high" by itself, whatever the family's diminishing
        # returns and the bands configured; without support the score stops below "high".
        "round(CASE WHEN decisive_rows > 0 THEN greatest(raw_score, $high) "
        "  WHEN strong_rows > 0 OR medium_families >= 2 THEN raw_score "
        "  ELSE least(raw_score, $cap) END, 4) AS score, evidence_fingerprint FROM s) "
        # The band in the same statement, not ALTER + UPDATE: every engine can create a table
        # from a query, not every one can update it in place.
        f"SELECT *, {band_sql('score', config.bands)} AS band FROM b",
        {"scale": SCALE, "cap": UNSUPPORTED_CAP, "high": float(config.bands["high"])},
    )


def _propagate(engine: Engine, share: float) -> None:
    """Cluster evidence flows to members: each gets ``share`` x its tie x the weight of the
    cluster's strongest *other* member (its evidence of other kinds than the link), at most
    PROPAGATION_CAP, as one weak row of the family 'cluster' (weak: it never satisfies the
    support rule by itself)."""
    if share <= 0 or not engine.table_exists("cluster_members"):
        return
    engine.execute(
        f"""
INSERT INTO scored_evidence BY NAME
WITH link AS (
  SELECT subject_type, subject_id, max(CASE strength WHEN 'strong' THEN $ts WHEN 'medium' THEN $tm ELSE $tw END) AS tie,
    list(DISTINCT via ORDER BY via) AS vias, list(DISTINCT family) AS fams
  FROM evidence WHERE group_key IS NOT NULL GROUP BY ALL
), pairs AS (
  SELECT a.cluster_id, a.subject_type, a.subject_id, b.subject_type AS bt, b.subject_id AS bid
  FROM cluster_members a JOIN cluster_members b ON a.cluster_id = b.cluster_id
    AND NOT (a.subject_type = b.subject_type AND a.subject_id = b.subject_id)
), lead AS (
  -- What the other member carries besides the links and besides the link's own kind of
  -- evidence: the shared account that ties two workers, and the stranger's name on it, are
  -- already counted on both and must not flow back as "cluster evidence".
  SELECT p.cluster_id, p.subject_type, p.subject_id, p.bid, any_value(l.tie) AS tie, any_value(l.vias) AS vias,
    coalesce({exact_sum('e.weight', 'e.group_key IS NULL AND NOT list_contains(l.fams, e.family)')}, 0) AS total
  FROM pairs p JOIN link l ON l.subject_type = p.subject_type AND l.subject_id = p.subject_id
  LEFT JOIN scored_evidence e ON e.subject_type = p.bt AND e.subject_id = p.bid
  GROUP BY p.cluster_id, p.subject_type, p.subject_id, p.bid
), best AS (
  SELECT cluster_id, subject_type, subject_id, any_value(tie) AS tie, any_value(vias) AS vias,
    -- Members of equal weight: the smallest id is named, the same on every engine and run.
    arg_min(bid, (-total, bid)) AS lead, max(total) AS lead_total
  FROM lead GROUP BY ALL
)
SELECT subject_type, subject_id, 'cluster_propagation' AS signal, 'cluster' AS family, 'weak' AS strength,
  'clusters.jsonl#' || cluster_id AS source_file, NULL::BIGINT AS line, NULL::TIMESTAMPTZ AS observed_at,
  'tied to cluster ' || cluster_id || ' (via ' || array_to_string(vias, ', ') || ') whose member ' || lead
    || ' carries other evidence of weight ' || round(lead_total, 1) AS detail,
  least($cap, $share * tie * lead_total) AS weight,
  {evidence_id_sql("'cluster_propagation'", "subject_type", "subject_id", "'clusters.jsonl#' || cluster_id",
                   "NULL", "NULL")} AS evidence_id
FROM best WHERE least($cap, $share * tie * lead_total) >= $floor
""",  # noqa: S608 - only our evidence-id expression is interpolated
        {"ts": TIE["strong"], "tm": TIE["medium"], "tw": TIE["weak"], "share": share, "cap": PROPAGATION_CAP,
         "floor": PROPAGATION_FLOOR},
    )


def _propagate_referrals(engine: Engine, share: float) -> None:
    """Risk flows along referral edges (hr/candidates.csv referred_by), both ways: referrer and
    referee each get ``share`` x 0.5 (a referral is a medium tie) x the other's own weight, at
    most PROPAGATION_CAP, as one weak row. Pairs already in one cluster are left to cluster
    propagation, so no tie is counted twice."""
    if share <= 0 or not engine.table_exists("candidates"):
        return
    engine.execute(
        f"""
INSERT INTO scored_evidence BY NAME
WITH subj AS (
  SELECT c.candidate_id, CASE WHEN e.employee_id IS NOT NULL THEN 'employee' ELSE 'candidate' END AS st,
    coalesce(e.employee_id, c.candidate_id) AS sid
  FROM candidates c LEFT JOIN employees e ON e.employee_id = c.employee_id
), edges AS (
  -- referred_by names a candidate or an employee.
  SELECT s.st AS a_t, s.sid AS a_id, coalesce(r.st, CASE WHEN m.employee_id IS NOT NULL THEN 'employee' END) AS b_t,
    coalesce(r.sid, m.employee_id) AS b_id, c.source_file, c.line
  FROM candidates c JOIN subj s USING (candidate_id)
  LEFT JOIN subj r ON r.candidate_id = c.referred_by LEFT JOIN employees m ON m.employee_id = c.referred_by
  WHERE c.referred_by IS NOT NULL
), pairs AS (
  SELECT a_t, a_id, b_t, b_id, 'referred by ' AS rel, source_file, line FROM edges WHERE b_id IS NOT NULL
  UNION ALL SELECT b_t, b_id, a_t, a_id, 'referred ', source_file, line FROM edges WHERE b_id IS NOT NULL
), own AS (
  SELECT subject_type, subject_id, {exact_sum('weight')} AS total FROM scored_evidence
  WHERE signal NOT IN ('cluster_propagation') GROUP BY ALL
), same_cluster AS (
  SELECT x.subject_type AS t1, x.subject_id AS i1, y.subject_type AS t2, y.subject_id AS i2
  FROM cluster_members x JOIN cluster_members y USING (cluster_id)
), best AS (
  -- Referrers of equal weight: the first by name and place, the same on every engine and run.
  SELECT p.a_t, p.a_id, arg_min(p.rel || p.b_id, (-o.total, p.rel || p.b_id, p.source_file, p.line)) AS who,
    max(o.total) AS total, arg_min(p.source_file, (-o.total, p.rel || p.b_id, p.source_file, p.line)) AS source_file,
    arg_min(p.line, (-o.total, p.rel || p.b_id, p.source_file, p.line)) AS line
  FROM pairs p JOIN own o ON o.subject_type = p.b_t AND o.subject_id = p.b_id
  WHERE NOT EXISTS (SELECT 1 FROM same_cluster z WHERE z.t1 = p.a_t AND z.i1 = p.a_id AND z.t2 = p.b_t
                    AND z.i2 = p.b_id)
  GROUP BY p.a_t, p.a_id
)
SELECT a_t AS subject_type, a_id AS subject_id, 'referral_propagation' AS signal, 'cluster' AS family,
  'weak' AS strength, source_file, line, NULL::TIMESTAMPTZ AS observed_at,
  who || ', who carries evidence of weight ' || round(total, 1) AS detail,
  least($cap, $share * 0.5 * total) AS weight,
  {evidence_id_sql("'referral_propagation'", "a_t", "a_id", "source_file", "line", "NULL")} AS evidence_id
FROM best WHERE least($cap, $share * 0.5 * total) >= $floor
""",  # noqa: S608 - only our evidence-id expression is interpolated
        {"share": share, "cap": PROPAGATION_CAP, "floor": PROPAGATION_FLOOR},
    )
