"""Conformance: the constructs each dialect owns give the same answers on every engine.

Each statement is written once in the pipeline's syntax and sent through the engine's own
dialect (``engine.dialect.transpile``), as the stages do; the expected values are computed
here in Python, not by the engine under test.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from pathlib import Path

import pytest

from unmask.engine import Engine, EngineError


def _one(engine: Engine, sql: str) -> object:
    rows = engine.query(engine.dialect.transpile(sql))
    assert len(rows) == 1 and len(rows[0]) == 1, rows
    return rows[0][0]


@pytest.fixture
def v(engine: Engine) -> Engine:
    engine.execute(engine.dialect.transpile(
        "CREATE OR REPLACE TEMP TABLE v(g INTEGER, b VARCHAR, k INTEGER, s VARCHAR)"))
    engine.insert_rows("v", ("g", "b", "k", "s"), [
        (1, "c", 3, "AnyDesk.exe"), (1, "a", 1, "ko-KR Safari"), (1, "b", 2, "x"), (1, "a", 4, "y")])
    return engine


def test_ordered_lists_and_strings(v: Engine) -> None:
    assert _one(v, "SELECT list(DISTINCT b ORDER BY b) FROM v GROUP BY g") == ["a", "b", "c"]
    assert _one(v, "SELECT list(b ORDER BY k DESC) FROM v GROUP BY g") == ["a", "c", "b", "a"]
    assert _one(v, "SELECT list(s ORDER BY b, k DESC) FROM v GROUP BY g") == ["y", "ko-KR Safari", "x", "AnyDesk.exe"]
    assert _one(v, "SELECT string_agg(b, ',' ORDER BY b) FROM v GROUP BY g") == "a,a,b,c"
    assert _one(v, "SELECT list(DISTINCT b ORDER BY b)[1:2] FROM v GROUP BY g") == ["a", "b"]
    assert _one(v, "SELECT list(DISTINCT b ORDER BY b)[-1] FROM v GROUP BY g") == "c"
    assert _one(v, "SELECT list_last(list(DISTINCT b ORDER BY b)) FROM v GROUP BY g") == "c"
    assert _one(v, "SELECT len(list(b)) FROM v GROUP BY g") == 4
    # Past either end a position is NULL, not an error (a short national ID's deletion list is
    # compared position by position with a longer one's).
    assert _one(v, "SELECT list(k ORDER BY k)[4] FROM v GROUP BY g") == 4
    assert _one(v, "SELECT list(k ORDER BY k)[5] FROM v GROUP BY g") is None
    assert _one(v, "SELECT list(k ORDER BY k)[-5] FROM v GROUP BY g") is None
    assert _one(v, "SELECT list_last(list(k) FILTER (WHERE k > 9)) FROM v GROUP BY g") is None


def test_a_text_trimmed_cheaply_is_trimmed(engine: Engine) -> None:
    from unmask.sources.base import trimmed

    # The readers' guard keeps an ASCII text that neither starts nor ends with a space as it
    # is and trims the rest; on every engine it answers as trim does (spaces only here: which
    # Unicode spaces trim removes is each engine's own).
    assert _one(engine, "SELECT strlen('a\u00e9')") == 3
    for text in ("a", " a", "a ", "  a b  ", "\u00e9 ", " \u00e9", "a\u00e9", "\ta", "", "   "):
        want = text.strip(" ") or None
        assert _one(engine, f"SELECT {trimmed(chr(39) + text + chr(39))}") == want, repr(text)  # no quote in them


def test_regular_expressions(v: Engine) -> None:
    assert _one(v, "SELECT count(*) FROM v WHERE regexp_matches(s, 'anydesk', 'i')") == 1
    # The device fingerprint's rule: a language tag goes whatever its case.
    assert _one(v, "SELECT regexp_replace(s, '\\b[a-z]{2}[-_][a-z]{2}\\b', '', 'gi') FROM v WHERE k = 1") == " Safari"
    assert _one(v, "SELECT count(*) FROM v WHERE regexp_full_match(s, '[a-z]')") == 2
    assert _one(v, "SELECT regexp_replace('Kim, Jong-un', '[^[:alpha:] ]', ' ', 'g')") == "Kim  Jong un"
    assert _one(v, "SELECT regexp_replace('www.example.org/x', '^(www\\.)?([^/]+).*$', '\\2')") == "example.org"
    assert _one(v, "SELECT regexp_extract('ab-12', '([a-z]+)-([0-9]+)', 2)") == "12"


def test_hashes_and_unsigned_macs(engine: Engine) -> None:
    assert _one(engine, "SELECT md5('unmask')") == hashlib.md5(b"unmask").hexdigest()
    assert _one(engine, "SELECT sha256('unmask')") == hashlib.sha256(b"unmask").hexdigest()
    # The keyed 64-bit variants of sensitive.sql_token_variants: hex digits read as unsigned.
    mac = hmac.new(b"k", b"x", hashlib.sha256).hexdigest()
    assert int(_one(engine, f"SELECT ('0x' || left('{mac}', 16))::UBIGINT")) == int(mac[:16], 16)  # type: ignore[call-overload]


def test_time_zones_and_buckets(engine: Engine) -> None:
    engine.execute(engine.dialect.transpile("CREATE OR REPLACE TEMP TABLE t(ts TIMESTAMPTZ)"))
    engine.insert_rows("t", ("ts",), [(datetime(2026, 8, 3, 23, 7, 30, 500000, tzinfo=UTC),)])
    assert _one(engine, "SELECT hour(timezone('Asia/Seoul', ts)) FROM t") == 8  # UTC+9
    assert _one(engine, "SELECT epoch(ts) FROM t") == datetime(2026, 8, 3, 23, 7, 30, 500000, tzinfo=UTC).timestamp()
    bucket = _one(engine, "SELECT time_bucket(INTERVAL 5 MINUTE, ts) FROM t")
    assert bucket.astimezone(UTC) == datetime(2026, 8, 3, 23, 5, tzinfo=UTC)  # type: ignore[attr-defined]
    assert _one(engine, "SELECT dayofweek(DATE '2026-12-06')") == 0  # a Sunday


def test_json_paths_and_string_distances(engine: Engine) -> None:
    assert _one(engine, "SELECT json_extract_string('{\"a\": {\"b\": \"x\"}}', '$.a.b')") == "x"
    assert _one(engine, "SELECT json_extract_string('{\"a\": 1, \"b\": \"y\"}', ['$.a', '$.b'])") == ["1", "y"]
    assert _one(engine, "SELECT levenshtein('kitten', 'sitting')") == 3
    assert _one(engine, "SELECT damerau_levenshtein('ab', 'ba')") == 1
    assert _one(engine, "SELECT round(jaro_winkler_similarity('martha', 'marhta'), 3)") == 0.961


_PATHS = ["$.a", "$.b.c", "$.b", '$."@t"', "$.n", "$"]


@pytest.mark.parametrize(("doc", "want"), [
    # Every path from one document: nested keys, a key that is also a prefix, a quoted key, a
    # number written as JSON writes it, the whole document.
    ('{"a": "x", "b": {"c": 1.50}, "@t": "t", "n": 1.0}',
     ["x", "1.5", '{"c":1.5}', "t", "1.0", '{"a":"x","b":{"c":1.5},"@t":"t","n":1.0}']),
    # A duplicate key: the first is read, at the top and inside an object.
    ('{"a": "first", "a": "second", "b": {"c": 1, "c": 2}}', ["first", "1", '{"c":1,"c":2}', None, None,
                                                              '{"a":"first","a":"second","b":{"c":1,"c":2}}']),
    # A text that holds JSON is a text, not an object; keys match in their exact case.
    ('{"A": "up", "b": "{\\"c\\": 1}"}', [None, None, '{"c": 1}', None, None, '{"A":"up","b":"{\\"c\\": 1}"}']),
    # Not JSON as a whole: NULL under try(), whatever a path-by-path reader would find first.
    ('{"a": "x"}{"a": "glued"}', None),
    ('{"a": "x"} trailing', None),
    ('{"a": "x"}]', None),
    ('{"a": "x", "b": ', None),
    # Valid, but not an object: every path is NULL, the list is not.
    ("[1, 2]", [None, None, None, None, None, "[1,2]"]),
])
def test_a_list_of_json_paths_reads_one_document_as_duckdb_does(engine: Engine, doc: str, want: object) -> None:
    paths = ", ".join("'" + p + "'" for p in _PATHS)
    # The text comes in as a column, as a read line does (the rewrite names it at each use).
    sql = engine.dialect.transpile(
        f"SELECT try(json_extract_string(d, [{paths}])) FROM (SELECT CAST(? AS VARCHAR) AS d)")  # noqa: S608
    assert engine.query(sql, [doc])[0][0] == want


def test_a_list_of_json_paths_outside_try(engine: Engine) -> None:
    sql = engine.dialect.transpile(
        "SELECT json_extract_string(d, ['$.a', '$.b.c']) FROM (SELECT CAST(? AS VARCHAR) AS d)")
    assert engine.query(sql, ['{"a": 1, "a": 2, "b": {"c": "x"}}'])[0][0] == ["1", "x"]
    assert engine.query(sql, ['{"a": 1, "b": {"c": "x"}}'])[0][0] == ["1", "x"]
    assert engine.query(sql, [None])[0][0] is None


@pytest.mark.parametrize(("doc", "valid"), [
    ('{"a": 1}', True), ('{"a": 1, "a": 2}', True), ("[1]", True), ("5", True), ('"s"', True), ("null", True),
    ('{"a": 1} x', False), ('{"a": 1}{"b": 2}', False), ('{"a": 1}]', False), ('{"a": ', False), ("", False),
    ('{"a": 1}, "unmask-end-0"]', False),
])
def test_whether_a_text_is_json(engine: Engine, doc: str, valid: bool) -> None:
    rows = engine.query(engine.dialect.transpile("SELECT json_valid(d), try(d::JSON) IS NOT NULL "
                                                 "FROM (SELECT CAST(? AS VARCHAR) AS d)"), [doc])
    assert rows[0] == (valid, valid)


def test_interval_join(engine: Engine) -> None:
    engine.execute(engine.dialect.transpile("CREATE OR REPLACE TEMP TABLE r(start BIGINT, stop BIGINT, kind VARCHAR)"))
    engine.insert_rows("r", ("start", "stop", "kind"), [(10, 19, "a"), (30, 39, "b")])
    engine.execute(engine.dialect.transpile("CREATE OR REPLACE TEMP TABLE p(n BIGINT)"))
    engine.insert_rows("p", ("n",), [(5,), (10,), (25,), (39,), (40,)])
    sql = engine.dialect.interval_join("p.n, r.kind", "p", "p.n", "r", "r.start", "r.stop")
    assert sorted(engine.query(engine.dialect.transpile(sql))) == [(10, "a"), (39, "b")]


def test_temp_tables_replace_and_fill(engine: Engine) -> None:
    for n in (1, 2):
        engine.execute(engine.dialect.transpile(f"CREATE OR REPLACE TEMP TABLE tt AS SELECT {n} AS a"))
    assert engine.query("SELECT a FROM tt") == [(2,)]
    engine.execute(engine.dialect.transpile("CREATE OR REPLACE TEMP TABLE te(a VARCHAR, n UBIGINT[])"))
    assert engine.query("SELECT count(*) FROM te") == [(0,)]
    engine.insert_rows("te", ("a", "n"), [("x", [2**64 - 1])])
    assert engine.query("SELECT a, n[1] FROM te") == [("x", 2**64 - 1)]


def test_scalar_and_export_errors_are_engine_errors(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(EngineError):
        engine.register_scalar("bad_udf", lambda x: x, ["NO_SUCH_TYPE"], "VARCHAR")
    with pytest.raises(EngineError) as e:
        engine.export_jsonl("SELECT no_such FROM (SELECT 1 AS a)", tmp_path / "x.jsonl")
    assert "no_such" in e.value.sql


def test_rows_inserted_deleted_and_updated(engine: Engine) -> None:
    # Spark's temp tables are views: the engine rebuilds them; the answers are DuckDB's.
    engine.execute(engine.dialect.transpile("CREATE OR REPLACE TEMP TABLE d(k INTEGER, s VARCHAR, n DOUBLE)"))
    engine.execute(engine.dialect.transpile("INSERT INTO d SELECT 1, 'a', 0.5 UNION ALL SELECT 2, 'b', 1.5"))
    engine.execute(engine.dialect.transpile("INSERT INTO d (s, k) SELECT s || 'x', k + 10 FROM d WHERE k = $k"),
                   {"k": 2})
    engine.execute(engine.dialect.transpile("UPDATE d SET n = n * 2, s = upper(s) WHERE k >= 2"))
    engine.execute(engine.dialect.transpile("DELETE FROM d WHERE s = 'a' OR n IS NULL AND k < 0"))
    assert sorted(engine.query("SELECT k, s, n FROM d")) == [(2, "B", 3.0), (12, "BX", None)]
    engine.execute(engine.dialect.transpile("DELETE FROM d WHERE n IS NULL"))
    assert engine.query("SELECT k FROM d") == [(2,)]
    # An INSERT whose query has a WITH (Spark SQL writes the WITH first).
    engine.execute(engine.dialect.transpile(
        "INSERT INTO d (k, s) WITH x AS (SELECT k + 1 AS k FROM d) SELECT k, lower(unnest(['P', 'Q'])) FROM x"))
    assert sorted(engine.query("SELECT k, s FROM d WHERE k = 3")) == [(3, "p"), (3, "q")]
    # BY NAME: the columns are matched by name, not position (persona_network's rows).
    engine.execute(engine.dialect.transpile(
        "INSERT INTO d BY NAME WITH x AS (SELECT 'n' AS s, 5 AS k) SELECT s, k FROM x"))
    assert engine.query("SELECT k, s, n FROM d WHERE k = 5") == [(5, "n", None)]
    engine.execute("DELETE FROM d WHERE k = 5")
    # A statement after comments (a signal's SQL starts with its why): still an INSERT, and a
    # temp table after a comment is still a table of the scan.
    engine.execute(engine.dialect.transpile(
        "-- why this form\nINSERT INTO d (k, s) WITH x AS (SELECT 7 AS k) SELECT k, 'c' FROM x"))
    engine.execute(engine.dialect.transpile("/* why */ CREATE OR REPLACE TEMP TABLE d2 AS SELECT k FROM d"))
    engine.execute("DELETE FROM d WHERE k = 7")
    assert engine.query("SELECT k FROM d2 WHERE k = 7") == [(7,)]


def test_an_update_from_a_join_is_refused_on_spark_not_guessed(engine: Engine) -> None:
    engine.execute(engine.dialect.transpile("CREATE OR REPLACE TEMP TABLE u AS SELECT 1 AS k, 'a' AS s"))
    sql = "UPDATE u SET s = f.s FROM (SELECT 1 AS k, 'b' AS s) AS f WHERE u.k = f.k"
    if engine.name == "duckdb":
        engine.execute(sql)
        assert engine.query("SELECT s FROM u") == [("b",)]
    else:
        with pytest.raises(EngineError, match="UPDATE ... FROM"):
            engine.execute(sql)


def test_splink_samples_the_same_records_on_every_engine(engine: Engine) -> None:
    # Splink picks the records it trains on (u, EM) by a hash bucket of the record id; with each
    # backend's own hash, two engines would train two models. Every engine's Splink API hashes
    # with the first 60 bits of the id's MD5, computed here in Python.
    ids = ["employee:E1007", "employee:E3006", "candidate:C5000", "", "ü:é"]
    expr = engine.splink_api().sql_dialect.hash_function_expression("x")
    engine.execute(engine.dialect.transpile("CREATE OR REPLACE TEMP TABLE ids(k INTEGER, x VARCHAR)"))
    engine.insert_rows("ids", ("k", "x"), list(enumerate(ids)))
    got = [r[0] for r in engine.query(f"SELECT {expr} FROM ids ORDER BY k")]  # noqa: S608 - our SQL
    assert got == [int(hashlib.md5(x.encode()).hexdigest()[:15], 16) for x in ids]  # noqa: S324 - a sample, not security
    bucket = engine.splink_api().sql_dialect.hash_bucket_expression("x", 1000)
    assert [r[0] for r in engine.query(f"SELECT {bucket} FROM ids ORDER BY k")] == [g % 1000 for g in got]  # noqa: S608
