"""The engine door's conformance suite: every engine answers these cases alike.

Each test takes the ``engine`` fixture (tests/conftest.py), parametrised over ``ENGINES``; a new
engine (Spark) joins that list and must pass everything here unchanged. The cases are the
promises the pipeline relies on: bound values, errors that carry their SQL, readers that keep
physical line numbers and return one reject per bad record, scalars from the UDF registry,
JSON Lines export, and the constructs the dialect translates giving the same answers.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from unmask.engine import Engine, EngineError, register_udfs


def _rows(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    return engine.query(engine.dialect.transpile(sql))


def test_bound_values_by_name_and_position(engine: Engine) -> None:
    engine.execute("CREATE OR REPLACE TEMP TABLE t(a VARCHAR, n BIGINT)")
    engine.insert_rows("t", ("a", "n"), [("x'); DROP TABLE t; --", 1), ("b", 2)])
    assert engine.query("SELECT n FROM t WHERE a = $a", {"a": "x'); DROP TABLE t; --"}) == [(1,)]
    assert engine.query("SELECT a FROM t WHERE n = ?", [2]) == [("b",)]
    assert engine.query_dicts("SELECT a, n FROM t ORDER BY n") == [
        {"a": "x'); DROP TABLE t; --", "n": 1}, {"a": "b", "n": 2}]
    assert engine.table_exists("t") and engine.columns("t") == ["a", "n"]
    engine.drop("t")
    assert not engine.table_exists("t")


def test_inserted_text_is_cast_to_the_column_type(engine: Engine) -> None:
    # The ZIP table's rows arrive as CSV text; DuckDB casts them on insert, every engine must.
    engine.execute("CREATE OR REPLACE TEMP TABLE g(zip5 VARCHAR, lat DOUBLE, n BIGINT)")
    engine.insert_rows("g", ("zip5", "lat", "n"), [("07030", "40.8154", "3"), ("10001", None, None)])
    assert engine.query("SELECT zip5, lat, n FROM g ORDER BY zip5") == [("07030", 40.8154, 3), ("10001", None, None)]
    engine.drop("g")


def test_errors_carry_the_sql_but_never_the_values(engine: Engine) -> None:
    with pytest.raises(EngineError) as e:
        engine.query("SELECT no_such_column FROM (SELECT $secret AS s)", {"secret": "123-45-6789"})
    assert "no_such_column" in e.value.sql and "123-45-6789" not in e.value.details()
    assert "\n" not in str(e.value) and e.value.engine == engine.name


def test_text_lines_keep_their_physical_numbers(engine: Engine, tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    long = "x" * 300
    p.write_text('{"id": 1}\n\n{"id": 2}\n' + f'{{"id": "{long}"}}\n' + '{"id": 5}\n', encoding="utf-8")
    rejects = engine.load_lines([p], "lines", 200, layers=("raw AS text",), materialize=True)
    got = engine.query("SELECT line, text FROM lines ORDER BY line")
    assert [(line, json.loads(t)["id"]) for line, t in got] == [(1, 1), (3, 2), (5, 5)]
    assert [r.line for r in rejects[0]] == [4] and "1" not in rejects[0][0].reason.replace("limit", "")
    engine.drop("lines")


def test_a_lines_second_layer_still_sees_the_text(engine: Engine, tmp_path: Path) -> None:
    # The JSON Lines reader's second layer asks whether a line the first could not use is valid
    # JSON at all (sources/jsonload.py, _PERR over raw): the DuckDB engine's reading statement
    # keeps raw beside the first layer, so every engine must. The third layer sees the second's
    # columns only.
    p = tmp_path / "a.jsonl"
    p.write_text('{"id": 1}\nnot json\n', encoding="utf-8")
    engine.load_lines([p], "lines", 200, layers=(
        "CASE WHEN left(raw, 1) = '{' THEN raw END AS x", "x, CASE WHEN x IS NULL THEN length(raw) END AS bad",
        "bad"), materialize=True)
    assert engine.query("SELECT line, bad FROM lines ORDER BY line") == [(1, None), (2, 8)]
    with pytest.raises(EngineError):
        engine.load_lines([p], "lines2", 200, layers=("raw AS x", "x", "raw"), materialize=True)
        engine.query("SELECT * FROM lines2")
    engine.drop("lines")


def test_csv_records_keep_their_lines_and_bad_rows_are_one_reject(engine: Engine, tmp_path: Path) -> None:
    p = tmp_path / "e.csv"
    p.write_text("id,name\nE1,Ann\nE2,Bo,extra\nE3,Cy\n", encoding="utf-8")
    rejects = engine.load_csv(p, ["id", "name"], "e", 10_000, materialize=True)
    assert engine.query("SELECT line, c0, c1 FROM e ORDER BY line") == [(2, "E1", "Ann"), (4, "E3", "Cy")]
    assert [r.line for r in rejects] == [3] and "E2" not in rejects[0].reason
    engine.drop("e")


def test_json_documents_from_an_array_or_one_per_line(engine: Engine, tmp_path: Path) -> None:
    arr, lines = tmp_path / "a.json", tmp_path / "b.json"
    arr.write_text('[{"a": 1}, {"a": 2}]', encoding="utf-8")
    lines.write_text('{"a": 3}\n{"a": 4}\n', encoding="utf-8")
    engine.load_json_documents(arr, "docs_a", array=True)
    engine.load_json_documents(lines, "docs_b")
    assert engine.query("SELECT count(*) FROM docs_a")[0][0] == 2
    assert engine.query("SELECT count(*) FROM docs_b")[0][0] == 2


def test_json_records_from_an_array_or_documents(engine: Engine, tmp_path: Path) -> None:
    big = "x" * 80
    arr = tmp_path / "a.json"
    arr.write_text(f'[{{"a": 1}}, {{"a": "{big}"}},\n {{"a": 3}}]', encoding="utf-8")
    # An element over the limit is left out, its position said; the others keep theirs.
    assert engine.load_json_records(arr, "ra", array=True, max_bytes=70) == [2]
    assert _rows(engine, "SELECT line, json_extract_string(j, '$.a') FROM ra ORDER BY line") == [(1, "1"), (3, "3")]
    docs = tmp_path / "d.json"
    docs.write_text('{"@odata.context": "x", "value": [{"a": 1}, {"a": 2}]}\n{"value": []}\n'
                    f'[{{"a": 3}}, {{"a": 4}}]\n{{\n  "a": 5\n}}\n{{"a": "{big}"}}\n{{"a": 6}}', encoding="utf-8")
    # A Graph page's values, an array's elements, a document itself; numbered across documents;
    # the document over the limit (the 5th) is one record without text.
    assert engine.load_json_records(docs, "rd", max_bytes=70) == [5]
    assert _rows(engine, "SELECT line, json_extract_string(j, '$.a') FROM rd ORDER BY line") == [
        (1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5"), (6, None), (7, "6")]
    bad = tmp_path / "b.json"
    bad.write_text('{"a": 1}\n{"a": ', encoding="utf-8")
    with pytest.raises(EngineError):
        engine.load_json_records(bad, "rb")
    engine.drop("ra")
    engine.drop("rd")


def test_scalars_from_the_udf_registry(engine: Engine) -> None:
    register_udfs(engine, "unmask_country")
    assert engine.query("SELECT unmask_country(x) FROM (SELECT unnest(['USA', 'U.S.', 'Korea', NULL]) AS x)") == [
        ("US",), ("US",), (None,), (None,)]


def test_json_lines_export(engine: Engine, tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    n = engine.export_jsonl("SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, 'y'", out)
    assert n == 2 and sorted(json.loads(x)["a"] for x in out.read_text().splitlines()) == [1, 2]
    # A struct is a JSON object on every engine (findings.jsonl's subject and evidence rows).
    engine.export_jsonl("SELECT {'type': 'employee', 'ids': ['E1', 'E2']} AS subject, "
                        "[{'signal': 's', 'weight': 1.5}] AS evidence", out)
    assert json.loads(out.read_text()) == {"subject": {"type": "employee", "ids": ["E1", "E2"]},
                                           "evidence": [{"signal": "s", "weight": 1.5}]}


def test_translated_constructs_answer_alike(engine: Engine) -> None:
    engine.execute("CREATE OR REPLACE TEMP TABLE v(g INTEGER, b VARCHAR, k INTEGER, s VARCHAR)")
    engine.insert_rows("v", ("g", "b", "k", "s"), [
        (1, "c", 3, "AnyDesk.exe"), (1, "a", 1, "ko-KR Safari"), (1, "b", 2, "x"), (1, "a", 4, "y")])
    assert _rows(engine, "SELECT list(DISTINCT b ORDER BY b) FROM v GROUP BY g") == [(["a", "b", "c"],)]
    assert _rows(engine, "SELECT list(b ORDER BY k) FROM v GROUP BY g") == [(["a", "b", "c", "a"],)]
    assert _rows(engine, "SELECT list(DISTINCT b ORDER BY b)[1:2] FROM v GROUP BY g") == [(["a", "b"],)]
    assert _rows(engine, "SELECT count(*) FROM v WHERE regexp_matches(s, 'anydesk', 'i')") == [(1,)]
    assert _rows(engine, "SELECT lower(regexp_replace(s, '\\b[a-z]{2}[-_][a-z]{2}\\b', '', 'gi')) FROM v "
                         "WHERE k = 1") == [(" safari",)]
    assert _rows(engine, "SELECT count(*) FROM v WHERE regexp_full_match(s, '[a-z]')") == [(2,)]
    assert _rows(engine, "SELECT dayofweek(DATE '2026-12-06')") == [(0,)]  # a Sunday
    assert _rows(engine, "SELECT md5('unmask')") == [(hashlib.md5(b"unmask").hexdigest(),)]
    # Two unnests in one SELECT walk their lists in step (Sigma pairs each rule id with its
    # index this way); Spark's two generators paired every id with every index.
    assert sorted(_rows(engine, "SELECT unnest(['r1', 'r2', 'r3']) AS rule_id, unnest([1, 2]) AS idx")) == [
        ("r1", 1), ("r2", 2), ("r3", None)]


def test_rejects_are_per_file_and_never_quote_the_record(engine: Engine, tmp_path: Path) -> None:
    secret = "123-45-6789"
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text('{"id": 1}\n{"id": 2}\n', encoding="utf-8")
    b.write_bytes(b'{"id": 3}\n{"ssn": "' + secret.encode() + b'\xff"}\n{"id": 5}\n')
    rejects = engine.load_lines([a, b], "lines", 10_000, layers=("raw AS text",), materialize=True)
    got = engine.query("SELECT __file, line FROM lines ORDER BY __file, line")
    assert got == [(0, 1), (0, 2), (1, 1), (1, 3)]
    assert rejects[0] == [] and [r.line for r in rejects[1]] == [2]
    assert secret not in rejects[1][0].reason and "\\xff" not in rejects[1][0].reason
    # loaded + rejected = read, for each file
    assert [sum(1 for f, _ in got if f == i) + len(rejects[i]) for i in (0, 1)] == [2, 3]
    engine.drop("lines")
    c = tmp_path / "c.csv"
    c.write_text(f"id,ssn\nE1,{secret},x\nE2,000-00-0000\n", encoding="utf-8")
    csv_rejects = engine.load_csv(c, ["id", "ssn"], "c", 10_000, materialize=True)
    assert [r.line for r in csv_rejects] == [2] and secret not in csv_rejects[0].reason
    assert engine.query("SELECT line, c0 FROM c") == [(3, "E2")]
    engine.drop("c")
