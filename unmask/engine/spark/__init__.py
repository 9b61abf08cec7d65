"""The Spark engine: the engine door over a SparkSession (issue 16, first increment).

Local mode by default; a classic master URL or a Spark Connect remote otherwise. Nothing here
uses a JAR of our own or ``spark._jsc``, so the same code runs under Spark Connect. SQL arrives
in the pipeline's syntax and goes through :data:`unmask.engine.SPARK` once; values are bound as
Spark's named parameters, never pasted into the text.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, SparkSession

from unmask.engine.base import EngineError, Params, RawReject
from unmask.engine.dialect import SPARK, Dialect, DialectError

_log = logging.getLogger("unmask.engine")

# Spark's SQL types for the UDF registry's DuckDB type names.
_TYPES = {"VARCHAR": "string", "BIGINT": "bigint", "INTEGER": "int", "DOUBLE": "double",
          "BOOLEAN": "boolean", "VARCHAR[]": "array<string>", "DATE": "date", "TIMESTAMP": "timestamp"}


class _Translating(Dialect):
    """The Spark dialect that knows its own output: a statement a caller already translated
    (``engine.dialect.transpile``) is not translated a second time by the engine."""

    name = "spark"

    def __init__(self) -> None:
        self._done: set[str] = set()

    def transpile(self, sql: str) -> str:
        if sql in self._done:
            return sql
        out = SPARK.transpile(sql)
        self._done.add(out)
        return out

    def interval_join(self, select: str, probe: str, key: str, ranges: str, start: str, stop: str) -> str:
        return SPARK.interval_join(select, probe, key, ranges, start, stop)


def _message(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0][:500] if text else e.__class__.__name__


def _ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


class SparkEngine:
    name = "spark"

    def __init__(self, master: str | None = None, remote: str | None = None, shuffle_partitions: int = 4) -> None:
        import pyspark

        self.version = pyspark.__version__
        self.dialect = _Translating()
        b = SparkSession.builder.appName("unmask")
        if remote:
            b = b.remote(remote)
        else:
            # Two cores and few partitions: the demo's tables are small and a shuffle into the
            # default 200 partitions costs more than the work.
            b = b.master(master or "local[2]").config("spark.ui.enabled", "false")
        try:
            self._spark = b.config("spark.sql.shuffle.partitions", str(shuffle_partitions)) \
                .config("spark.sql.session.timeZone", "UTC").getOrCreate()
        except Exception as e:  # no JVM, no server: one line for the CLI
            raise EngineError(_message(e), f"-- open spark {remote or master or 'local[2]'}", self.name) from e
        self._views: set[str] = set()

    # -- plain SQL ---------------------------------------------------------------------------
    def _df(self, sql: str, params: Params) -> DataFrame:
        try:
            text = self.dialect.transpile(sql)
        except DialectError as e:
            raise EngineError(str(e), sql, self.name) from e
        _log.debug("sql: %s", text)  # never the parameters
        args: Any = None
        if isinstance(params, Mapping):
            args = dict(params)
        elif params is not None:
            args = list(params)
        try:
            return self._spark.sql(text, args=args) if args else self._spark.sql(text)
        except PySparkException as e:
            raise EngineError(_message(e), text, self.name) from e

    def _collect(self, sql: str, params: Params) -> tuple[list[str], list[tuple[Any, ...]]]:
        df = self._df(sql, params)
        try:
            return list(df.columns), [tuple(r) for r in df.collect()]
        except PySparkException as e:
            raise EngineError(_message(e), sql, self.name) from e

    def execute(self, sql: str, params: Params = None) -> None:
        self._collect(sql, params)

    def query(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        return self._collect(sql, params)[1]

    def query_dicts(self, sql: str, params: Params = None) -> list[dict[str, Any]]:
        names, rows = self._collect(sql, params)
        return [dict(zip(names, r, strict=True)) for r in rows]

    def table_exists(self, name: str) -> bool:
        return bool(self._spark.catalog.tableExists(name))

    def columns(self, table: str) -> list[str]:
        return list(self._spark.table(table).columns)

    # -- readers -----------------------------------------------------------------------------
    def load_lines(
        self,
        paths: Sequence[Path],
        table: str,
        max_line_bytes: int,
        layers: Sequence[str] = ("raw",),
        params: Mapping[str, Any] | None = None,
        materialize: bool = False,
    ) -> list[list[RawReject]]:
        from pyspark.sql import functions as F

        # Spark reads the bytes itself (binaryFile: any filesystem URI it is configured for);
        # each file is split into its physical lines here, so a line keeps its number whatever
        # partition it lands in. Lines are checked as bytes: the reason never quotes a record.
        files = [str(p) for p in paths]
        frames = []
        for i, f in enumerate(files):
            frames.append(self._spark.read.format("binaryFile").load(f).select(
                F.lit(i).alias("__file"), F.col("content")))
        df = frames[0]
        for other in frames[1:]:
            df = df.unionByName(other)
        lines = df.select("__file", F.posexplode(F.split(F.col("content").cast("string"), "\n"))
                          .alias("pos", "raw")) \
            .select("__file", (F.col("pos") + 1).alias("line"), F.regexp_replace("raw", "\r$", "").alias("raw")) \
            .where(F.trim(F.col("raw")) != "")
        reason = F.when(~F.expr("is_valid_utf8(raw)"), F.lit("not valid UTF-8")) \
            .when(F.octet_length("raw") > max_line_bytes, F.lit("line longer than the limit"))
        checked = lines.withColumn("__why", reason)
        staged = f"__lines_{table}"
        checked.cache().createOrReplaceTempView(staged)
        rejects: list[list[RawReject]] = [[] for _ in files]
        for r in checked.where(F.col("__why").isNotNull()).select("__file", "line", "__why").collect():
            rejects[int(r[0])].append(RawReject(int(r[1]), str(r[2])))
        for rs in rejects:
            rs.sort(key=lambda x: x.line or 0)
        q = f"SELECT __file, line, raw FROM {staged} WHERE __why IS NULL"  # noqa: S608
        for layer in layers:
            q = f"SELECT __file, line, {layer} FROM ({q})"  # noqa: S608
        out = self._df(q, params)
        if materialize:
            out = out.cache()
        out.createOrReplaceTempView(table)
        self._views.add(table)
        return rejects

    def drop(self, name: str) -> None:
        self._spark.catalog.dropTempView(name)
        self._spark.catalog.dropTempView(f"__lines_{name}")
        self._views.discard(name)

    def load_csv(
        self,
        path: Path,
        header: Sequence[str],
        table: str,
        max_line_bytes: int,
        layers: Sequence[str] = ("*",),
        params: Mapping[str, Any] | None = None,
        has_header: bool = True,
        encoding: str = "utf-8",
        materialize: bool = False,
    ) -> list[RawReject]:
        # Not yet: RFC 4180 records that span lines need their own splitter on Spark.
        raise EngineError("CSV files are not read on Spark yet", f"-- read csv {path.name}", self.name)

    def load_json_documents(
        self, path: Path, table: str, array: bool = False, max_bytes: int = 1 << 30
    ) -> list[int]:
        from pyspark.sql import functions as F

        df = self._spark.read.format("binaryFile").load(str(path)).select(F.col("content").cast("string").alias("t"))
        if array:
            docs = df.select(F.explode(F.from_json("t", "array<string>")).alias("doc"))
        else:
            docs = df.select(F.explode(F.split("t", "\n")).alias("doc")).where(F.trim("doc") != "")
        docs = docs.select(F.when(F.octet_length("doc") <= max_bytes, F.col("doc")).alias("doc"))
        docs.cache().createOrReplaceTempView(table)
        return []

    # -- rows, functions, export -------------------------------------------------------------
    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        target = self._spark.table(table)
        schema = target.select(*[_ident(c) for c in columns]).schema
        new = self._spark.createDataFrame([tuple(r) for r in rows], schema=schema)
        # Temp tables are temp views on Spark (the dialect's rewrite): appending is a union.
        missing = [c for c in target.columns if c not in columns]
        from pyspark.sql import functions as F

        for c in missing:
            new = new.withColumn(c, F.lit(None).cast(dict(target.dtypes)[c]))
        merged = target.unionByName(new.select(*target.columns)).localCheckpoint()
        merged.createOrReplaceTempView(table)

    def register_scalar(
        self, name: str, fn: Callable[..., Any], arg_types: Sequence[str], return_type: str
    ) -> None:
        _log.debug("scalar: %s(%s) -> %s", name, ", ".join(arg_types), return_type)
        try:
            self._spark.udf.register(name, fn, _TYPES.get(return_type.upper(), "string"))
        except PySparkException as e:
            raise EngineError(_message(e), f"-- register {name}", self.name) from e

    def export_jsonl(self, sql: str, path: Path, params: Params = None) -> int:
        names, rows = self._collect(sql, params)
        with path.open("w", encoding="utf-8") as out:
            for r in rows:
                out.write(json.dumps(dict(zip(names, r, strict=True)), default=str) + "\n")
        return len(rows)

    def splink_api(self) -> Any:
        from splink import SparkAPI

        return SparkAPI(spark_session=self._spark)  # type: ignore[no-untyped-call]

    def close(self) -> None:
        for v in list(self._views):
            self.drop(v)
