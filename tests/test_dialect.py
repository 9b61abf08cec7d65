"""Golden tests: every signal's SQL, written once in DuckDB's dialect, translated for Spark.

sqlglot alone turns several DuckDB constructs into valid Spark SQL that answers differently
(the ORDER BY inside ``list()`` and regex flags vanish, ``xs[1:10]`` stays a slice Spark does
not have). The tests prove that plain sqlglot loses them and that the dialect keeps them.
"""

from __future__ import annotations

import re

import pytest
import sqlglot

from unmask.engine.dialect import DUCKDB, DUCKDB_ONLY, SPARK, DialectError
from unmask.signals import SIGNALS

ORDERED_LIST = re.compile(r"\blist\((DISTINCT\s+)?[^()]*\bORDER BY\b", re.I)
FLAGGED_REGEX = re.compile(r"regexp_(matches|replace)\([^;]*?,\s*'[gims]*i[gims]*'\)", re.I)
SLICE = re.compile(r"\]\s*|\[\s*\d+\s*:\s*\d+\s*\]")


@pytest.mark.parametrize("sig", SIGNALS, ids=[s.id for s in SIGNALS])
def test_every_signal_translates_to_valid_spark_sql(sig: object) -> None:
    sql = sig.sql  # type: ignore[attr-defined]
    out = SPARK.transpile(sql)
    sqlglot.parse_one(out, read="spark")  # valid Spark SQL
    left = [w for w in DUCKDB_ONLY if re.search(rf"\b{w}\b", out, re.I)]
    assert not left, f"DuckDB-only constructs left in {sig.id}: {left}"  # type: ignore[attr-defined]
    ordered = len(ORDERED_LIST.findall(sql))
    assert out.upper().count("ARRAY_SORT(") >= ordered
    if FLAGGED_REGEX.search(sql):
        assert "(?i)" in out
    assert not re.search(r"\[\s*\d+\s*:\s*\d+\s*\]", out), "a slice Spark does not have"
    assert DUCKDB.transpile(sql) == sql


def test_plain_sqlglot_loses_what_the_dialect_keeps() -> None:
    # The reason this module exists: each line is valid Spark SQL that answers differently.
    with_order = [s for s in SIGNALS if ORDERED_LIST.search(s.sql)]
    flagged = [s for s in SIGNALS if FLAGGED_REGEX.search(s.sql)]
    assert len(with_order) >= 10
    for s in with_order:
        plain = sqlglot.transpile(s.sql, read="duckdb", write="spark")[0]
        assert plain.upper().count("ARRAY_SORT(") < SPARK.transpile(s.sql).upper().count("ARRAY_SORT("), s.id
    for s in flagged:
        assert "(?i)" not in sqlglot.transpile(s.sql, read="duckdb", write="spark")[0], s.id


@pytest.mark.parametrize(("duck", "spark"), [
    ("SELECT list(DISTINCT b ORDER BY b) FROM t", "ARRAY_SORT(COLLECT_SET(b))"),
    ("SELECT list(b ORDER BY b DESC) FROM t", "REVERSE(ARRAY_SORT(COLLECT_LIST(b)))"),
    ("SELECT list(b ORDER BY c) FROM t", "TRANSFORM(ARRAY_SORT(COLLECT_LIST(STRUCT(c AS k0, b AS v))), e -> e.v)"),
    ("SELECT xs[2:5] FROM t", "SLICE(xs, 2, (5) - (2) + 1)"),
    ("SELECT xs[1] FROM t", "xs[0]"),  # 1-based in DuckDB, 0-based in Spark
    ("SELECT regexp_matches(s, 'anydesk', 'i') FROM t", "s RLIKE '(?i)' || 'anydesk'"),
    ("SELECT regexp_replace(s, '[^a-z]', '', 'gi') FROM t", "REGEXP_REPLACE(s, '(?i)' || '[^a-z]', '')"),
    ("SELECT regexp_full_match(s, '[0-9]+') FROM t", "s RLIKE '^(?:' || '[0-9]+' || ')$'"),
    ("SELECT list_has_any(a, b) FROM t", "ARRAYS_OVERLAP(a, b)"),
    ("SELECT CAST(x AS UBIGINT) FROM t", "CAST(x AS DECIMAL(20, 0))"),
    ("SELECT dayofweek(ts) FROM t", "(DAYOFWEEK(ts) - 1)"),
    ("SELECT from_json(j, '[{\"id\": \"VARCHAR\", \"n\": \"BIGINT\"}]') FROM t",
     "FROM_JSON(j, 'array<struct<`id`:string,`n`:bigint>>')"),
])
def test_each_rewrite(duck: str, spark: str) -> None:
    assert spark in SPARK.transpile(duck)


@pytest.mark.parametrize(("duck", "why"), [
    ("SELECT rowid FROM t", "rowid"),
    ("SELECT * FROM a ASOF JOIN b ON a.x >= b.x", "ASOF"),
    ("SELECT regexp_replace(s, 'a', 'b') FROM t", "first match"),
])
def test_what_has_no_faithful_rewrite_is_refused_not_mistranslated(duck: str, why: str) -> None:
    with pytest.raises(DialectError, match=why):
        SPARK.transpile(duck)


def test_the_device_fingerprint_keeps_its_case_insensitive_flag() -> None:
    # Without 'i' in Spark, "ko-KR" would stay in the fingerprint: a language the signals must
    # never see (docs/scoring.md, Fairness).
    from unmask.normalise.network import DEVICE_FP_SQL

    sql = f"SELECT {DEVICE_FP_SQL} FROM signins"  # noqa: S608 - our own constant
    assert "(?i)" in SPARK.transpile(sql)
    assert "(?i)" not in sqlglot.transpile(sql, read="duckdb", write="spark")[0]
