"""The Spark engine's own promises (issue 16), beyond the conformance suite every engine passes.

- The token MAC's key reaches the workers in a closure, never as a SQL literal: neither the key,
  its HMAC pads nor a clear sensitive value shows in a plan, a log line or a Parquet file.
- A DuckDB-only install never imports pyspark.
"""

from __future__ import annotations

import gzip
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _spark_missing
from unmask.engine import Engine, open_engine
from unmask.sensitive import load_tokenizer, sql_token

needs_spark = pytest.mark.skipif(bool(_spark_missing()), reason=_spark_missing() or "spark")


@pytest.fixture(scope="module")
def spark() -> Iterator[Engine]:
    eng = open_engine(None, kind="spark")
    yield eng
    eng.close()


def _plan(eng: Engine, table: str) -> str:
    # The engine's own session: its tables are views of that session alone.
    s = eng._spark  # type: ignore[attr-defined]
    return "\n".join(str(r[0]) for r in s.sql(f"EXPLAIN EXTENDED SELECT * FROM {table}").collect())  # noqa: S608


def _leaks(text: bytes, needles: list[bytes]) -> list[bytes]:
    return [n for n in needles if n in text]


@needs_spark
def test_key_and_clear_values_show_in_no_plan_log_or_parquet(
    spark: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UNMASK_TOKEN_KEY", "secret-key-for-the-spark-test-" + "7" * 8)
    tok = load_tokenizer()
    ipad, opad = tok.pads()
    clear = ["123-45-6789", "987-65-4321"]
    p = tmp_path / "hr.csv"
    p.write_text(f"id,ssn\nE1,{clear[0]}\nE2,{clear[1]}\n", encoding="utf-8")
    with caplog.at_level(logging.DEBUG):
        rejects = spark.load_csv(p, ["id", "ssn"], "hr_tok", 10_000, layers=(f"c0 AS id, {sql_token('c1')} AS ssn",),
                                 params={"ipad": ipad, "opad": opad}, materialize=True)
        rows = spark.query("SELECT id, ssn FROM hr_tok ORDER BY id")
        plan = _plan(spark, "hr_tok")
    assert rejects == []
    # The same tokens as the Python twin (and so as DuckDB): the closure carries the right key.
    assert rows == [("E1", tok.token(clear[0])), ("E2", tok.token(clear[1]))]
    out = tmp_path / "store"
    spark._spark.table("hr_tok").write.parquet(str(out))  # type: ignore[attr-defined]
    files = b"".join(f.read_bytes() for f in out.rglob("*") if f.is_file())
    assert files.count(b"E1") >= 1  # the check reads the data that was written
    needles = [tok.key, tok.key.hex().encode(), ipad, opad, ipad.hex().encode(), opad.hex().encode(),
               ipad.hex().upper().encode(), opad.hex().upper().encode(),
               *[c.encode() for c in clear], *[c.replace("-", "").encode() for c in clear]]
    seen = plan.encode() + caplog.text.encode() + "".join(capfd.readouterr()).encode()
    assert "__unmask_secret_ipad" in plan  # the plan names the function, not what it returns
    assert _leaks(seen, needles) == [] and _leaks(files, needles) == []
    spark.drop("hr_tok")


@needs_spark
def test_a_value_bound_as_a_parameter_would_show_in_the_plan(spark: Engine) -> None:
    # The negative case: the detector above is not blind. A plain (text) parameter is written
    # into the plan as a literal by Spark, which is why secrets never travel that way. A reader's
    # staging table (``__``) keeps its plan, as hr_tok above does; a scan's own table is
    # checkpointed, and its plan shows rows, not how they were made.
    spark.execute("CREATE OR REPLACE TEMP TABLE __shown AS SELECT $v AS v", {"v": "visible-literal-42"})
    assert "visible-literal-42" in _plan(spark, "__shown")
    spark.drop("__shown")


@needs_spark
def test_two_engines_in_one_process_see_only_their_own_tables(spark: Engine) -> None:
    # Two scans in one process (a notebook, this test suite) share the SparkContext, never the
    # tables: a second engine's reader must not find the first's employees.
    spark.execute("CREATE OR REPLACE TABLE employees AS SELECT 'E1000' AS employee_id")
    other = open_engine(None, kind="spark")
    try:
        assert not other.table_exists("employees")
        other.execute("CREATE OR REPLACE TABLE employees AS SELECT 'E2000' AS employee_id")
        assert other.query("SELECT employee_id FROM employees") == [("E2000",)]
        assert spark.query("SELECT employee_id FROM employees") == [("E1000",)]
    finally:
        other.close()
        spark.drop("employees")


def test_a_duckdb_scan_never_imports_pyspark(tmp_path: Path) -> None:
    code = ("import sys; import unmask.cli, unmask.pipeline; from unmask.engine import open_engine; "
            "e = open_engine(None); e.query('SELECT 1'); e.close(); print('pyspark' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert out.stdout.strip() == "False"


def _run(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, **env})


def test_spark_without_pyspark_is_a_clear_refusal(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['pyspark'] = None\n"
            "from unmask.engine import open_engine, EngineUnavailable\n"
            "try:\n    open_engine(None, kind='spark')\nexcept EngineUnavailable as e:\n    print(e)")
    out = _run(code, tmp_path)
    assert "pip install 'unmask[spark]'" in out.stdout and out.returncode == 0, out.stderr[-500:]


def test_spark_without_java_is_a_clear_refusal(tmp_path: Path) -> None:
    if _spark_missing().startswith("pyspark"):
        pytest.skip("needs pyspark installed to reach the Java check")
    code = ("from unmask.engine import open_engine, EngineUnavailable\n"
            "try:\n    open_engine(None, kind='spark')\nexcept EngineUnavailable as e:\n    print(e)")
    out = _run(code, tmp_path, PATH=str(tmp_path), JAVA_HOME="")
    assert "Java 17" in out.stdout and out.returncode == 0, out.stderr[-500:]


def test_spark_options_need_the_spark_engine(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from unmask.cli import app

    (tmp_path / "b").mkdir()
    res = CliRunner().invoke(app, ["scan", str(tmp_path / "b"), "--out", str(tmp_path / "o"),
                                   "--spark-master", "spark://127.0.0.1:7077", "-q"])
    assert res.exit_code == 2 and "--engine spark" in res.output
    res = CliRunner().invoke(app, ["scan", str(tmp_path / "b"), "--out", str(tmp_path / "o"), "--engine", "spark",
                                   "--spark-master", "spark://x:7077", "--spark-remote", "sc://x:15002", "-q"])
    assert res.exit_code == 2 and "not both" in res.output


def _awkward_lines(n: int) -> bytes:
    """Lines a split could get wrong: mixed endings (a \\r\\n may straddle a split), blank and
    white lines, bytes that are not UTF-8, lines over the limit, a BOM, a last line with no end."""
    out = [b"\xef\xbb\xbf"]
    for i in range(n):
        end = (b"\n", b"\r\n", b"\r")[i % 3]
        if i % 97 == 0:
            out.append(b" \t" + end)
        elif i % 89 == 0:
            out.append(b'{"bad": "\xff\xfe"}' + end)
        elif i % 83 == 0:
            out.append(b'{"long": "' + b"x" * 60 + b'"}' + end)
        else:
            out.append(b'{"i": %d, "name": "J\xc3\xb6rg"}' % i + end)
    out.append(b'{"last": true}')
    return b"".join(out)


def _ends_on_the_edges(split: int, n: int) -> bytes:
    """Line ends placed on purpose where splits meet: a \\r\\n across the boundary, a lone \\r
    as a split's last byte, a \\n as the next split's first byte, and a blank line there."""
    out = bytearray()
    for k in range(1, n + 1):
        end = (b"\r\n", b"\r", b"\n", b"\r\n\r\n")[k % 4]
        target = k * split - (0 if end == b"\n" else 1)  # where the line end starts
        while target - len(out) > 40:
            out += b'{"i": 1}\r\n'
        out += b"y" * (target - len(out)) + end
    return bytes(out)


@needs_spark
def test_a_large_file_read_in_splits_keeps_every_line_number_and_reject(spark: Engine, tmp_path: Path) -> None:
    # A file over split_bytes is read by Spark's text reader in splits across tasks (the 1M-event
    # bundle's 340 MB Okta exports ran the executor out of heap when read whole); its lines, line
    # numbers and rejects must be exactly textfiles.text_lines', the rules of both engines.
    from unmask.engine.textfiles import Reject, text_lines

    big, small = tmp_path / "big.jsonl", tmp_path / "small.jsonl"
    big.write_bytes(_awkward_lines(5_000))
    small.write_bytes(b'{"i": 1}\n\n{"i": 3}\n')
    gz = tmp_path / "packed.jsonl"  # gzip without the name saying so: read whole, as textfiles does
    gz.write_bytes(gzip.compress(_awkward_lines(300)))
    edges = tmp_path / "edges.jsonl"
    edges.write_bytes(_ends_on_the_edges(4096, 12))
    s = spark._spark  # type: ignore[attr-defined]
    old = s.conf.get("spark.sql.files.maxPartitionBytes")
    spark.split_bytes = 1_000  # type: ignore[attr-defined]
    s.conf.set("spark.sql.files.maxPartitionBytes", "4096")  # ~40 splits of the big file
    try:
        rejects = spark.load_lines([small, big, gz, edges], "split_lines", 50, layers=("raw AS text",),
                                   materialize=True)
        got = spark.query("SELECT __file, line, text FROM split_lines ORDER BY __file, line")
    finally:
        s.conf.set("spark.sql.files.maxPartitionBytes", old)
        del spark.split_bytes  # type: ignore[attr-defined]
    for i, p in enumerate([small, big, gz, edges]):
        want = list(text_lines(p, 50))
        assert [(line, t) for f, line, t in got if f == i] == [x for x in want if not isinstance(x, Reject)]
        assert [(r.line, r.reason) for r in rejects[i]] == [(x.line, x.reason) for x in want if isinstance(x, Reject)]
    reasons = {r.reason for r in rejects[1]}
    assert reasons == {"not valid UTF-8", "record over 50 bytes"} and len(rejects[1]) > 100
    assert (2, 301, '{"last": true}') in got and (1, 5_001, '{"last": true}') in got
    spark.drop("split_lines")


@needs_spark
def test_memory_limit_becomes_the_drivers_heap() -> None:
    # Needs no JVM: the mapping alone. The default heap is Spark's 1 GiB at the least.
    from unmask.engine.base import EngineError
    from unmask.engine.spark import DEFAULT_HEAP_CAP, driver_memory

    assert driver_memory("4GiB") == "4096m" and driver_memory("4GB") == "3814m" and driver_memory("1.5 GiB") == "1536m"
    assert driver_memory("512MB") == "1024m"  # below Spark's own default: the default
    assert 1024 <= int(driver_memory(None)[:-1]) <= DEFAULT_HEAP_CAP // 2**20
    with pytest.raises(EngineError):
        driver_memory("lots")


@needs_spark
def test_the_session_draws_no_progress_bar_and_the_manifest_shows_its_heap(spark: Engine) -> None:
    # Spark's console progress bar printed under `scan --quiet` and drew over the scan's own.
    s = spark._spark  # type: ignore[attr-defined]
    assert s.conf.get("spark.ui.showConsoleProgress") == "false"
    res = spark.resources  # type: ignore[attr-defined]
    assert res["memory_limit"] == s.conf.get("spark.driver.memory") and res["master"].startswith("local")


@needs_spark
def test_a_heap_the_user_set_is_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from unmask.engine.spark import _heap_configured

    for var in ("SPARK_DRIVER_MEMORY", "PYSPARK_SUBMIT_ARGS", "SPARK_CONF_DIR", "SPARK_HOME"):
        monkeypatch.delenv(var, raising=False)
    assert not _heap_configured()
    monkeypatch.setenv("PYSPARK_SUBMIT_ARGS", "--driver-memory 6g pyspark-shell")
    assert _heap_configured()
    monkeypatch.delenv("PYSPARK_SUBMIT_ARGS")
    (tmp_path / "spark-defaults.conf").write_text("spark.driver.memory 12g\n", encoding="utf-8")
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path))
    assert _heap_configured()
