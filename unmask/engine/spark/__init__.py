"""The Spark engine: the engine door over a SparkSession (issue 16, first increment).

Local mode by default; a classic master URL or a Spark Connect remote otherwise. Nothing here
uses a JAR of our own or ``spark._jsc``, so the same code runs under Spark Connect. SQL arrives
in the pipeline's syntax and goes through :data:`unmask.engine.SPARK` once; values are bound as
Spark's named parameters, never pasted into the text.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from py4j.protocol import Py4JError  # type: ignore[import-untyped]
from pyspark import StorageLevel
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, SparkSession

from unmask.engine.base import EngineError, Params, RawReject, size_bytes
from unmask.engine.dialect import SPARK, Dialect, DialectError
from unmask.engine.spark.dml import head, run_dml
from unmask.engine.spark.scalars import BUILTINS, check_types, constant, vectorised
from unmask.engine.sqlbuild import ident

_log = logging.getLogger("unmask.engine")

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


# The readers' layers compute a value once (a record's list of JSON fields, a parsed time) for
# many expressions above it; merging the layers would copy that value into every expression
# that reads it, and Spark would parse a record's JSON once per copy.
_NO_COLLAPSE = "org.apache.spark.sql.catalyst.optimizer.CollapseProject"


def _message(e: BaseException) -> str:
    java = getattr(e, "java_exception", None)  # a Py4JJavaError's first line says nothing
    text = (str(java.getMessage()) if java is not None else str(e)).strip().splitlines()
    return text[0][:500] if text else e.__class__.__name__


def _temp_view(sql: str) -> tuple[str, str, bool] | None:
    """``(name, query, only if new)`` of a ``CREATE [OR REPLACE] TEMPORARY VIEW [IF NOT EXISTS]
    name AS query``, else None."""
    import sqlglot
    from sqlglot import exp

    if "VIEW" not in sql.upper() or head(sql) != "CREATE":
        return None
    try:
        tree = sqlglot.parse_one(sql, read="spark")
    except sqlglot.errors.ParseError:  # not a statement of ours to rewrite: Spark reads it
        return None
    if not isinstance(tree, exp.Create) or (tree.kind or "").upper() != "VIEW" or tree.expression is None:
        return None
    return tree.this.name, tree.expression.sql(dialect="spark"), bool(tree.args.get("exists"))


def _fit(value: Any, t: Any) -> Any:
    """A Python value in the form Spark's type asks for: an unsigned 64-bit integer (UBIGINT
    on DuckDB, DECIMAL(20, 0) here) is a Decimal; text for a number, a time or a date is
    parsed, as DuckDB casts it on insert."""
    from datetime import date, datetime
    from decimal import Decimal

    from pyspark.sql.types import ArrayType, DateType, DecimalType, FractionalType, IntegralType, TimestampType

    if value is None:
        return None
    if isinstance(t, DecimalType) and isinstance(value, int | str):
        return Decimal(value)
    # Text for a number (a CSV field), which DuckDB casts on insert as it does ISO times.
    if isinstance(t, FractionalType) and isinstance(value, str):
        return float(value)
    if isinstance(t, IntegralType) and isinstance(value, str):
        return int(value)
    # ISO text for a time or a date, which DuckDB casts on insert.
    if isinstance(t, TimestampType) and isinstance(value, str):
        return datetime.fromisoformat(value)
    if isinstance(t, DateType) and isinstance(value, str):
        return date.fromisoformat(value)
    if isinstance(t, ArrayType) and isinstance(value, (list, tuple)):
        return [_fit(v, t.elementType) for v in value]
    return value


def _json_value(v: Any) -> Any:
    """What DuckDB's JSON writer gives for a value json cannot write: a number for a DECIMAL
    (an unsigned 64-bit integer here), text for a time."""
    from decimal import Decimal

    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return str(v)


def _ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _union(frames: Sequence[DataFrame]) -> DataFrame:
    df = frames[0]
    for other in frames[1:]:
        df = df.unionByName(other)
    return df


# Names Hadoop decompresses by themselves: such a file is read whole, by ``textfiles``' rules.
_CODECS = (".gz", ".bz2", ".deflate", ".lz4", ".snappy", ".zst", ".zstd", ".br", ".xz")


# The default heap: a third of the machine, at most 8 GiB and at least 1 GiB (Spark's default).
DEFAULT_HEAP_CAP = 8 * 2**30


def driver_memory(limit: str | None) -> str:
    """``--memory-limit`` (``4GB``, ``512MiB``) as Spark's ``spark.driver.memory`` (``3814m``),
    or the default heap for this machine; never below Spark's own default, 1 GiB."""
    if limit:
        try:
            size = size_bytes(limit)
        except ValueError as e:
            raise EngineError(str(e), "-- open spark", "spark") from None
    else:
        size = min(_machine_memory() // 3, DEFAULT_HEAP_CAP)
    return f"{max(size // 2**20, 1024)}m"


def _machine_memory() -> int:
    """The memory this process may use: the machine's, or its container's limit when lower
    (an explicit heap overrides the JVM's own container-aware default)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 3 * 2**30
    for limit in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(limit).read_text(encoding="ascii").strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return total


def _heap_configured() -> bool:
    """Whether the user has set the driver's heap already (Spark's environment variable, the
    arguments PySpark passes to spark-submit, spark-defaults.conf): a default of ours must not
    override it."""
    submit = os.environ.get("PYSPARK_SUBMIT_ARGS", "")
    if os.environ.get("SPARK_DRIVER_MEMORY") or "driver-memory" in submit or "spark.driver.memory" in submit:
        return True
    for folder in (os.environ.get("SPARK_CONF_DIR"), os.path.join(os.environ.get("SPARK_HOME", ""), "conf")):
        try:
            if folder and "spark.driver.memory" in Path(folder, "spark-defaults.conf").read_text(encoding="utf-8"):
                return True
        except (OSError, UnicodeDecodeError):
            continue
    return False


class SparkEngine:
    name = "spark"
    # A file of lines over this size is read in splits by Spark's text reader (``_line_rows``).
    split_bytes = 64 << 20

    def __init__(self, master: str | None = None, remote: str | None = None, shuffle_partitions: int = 4,
                 store: Path | None = None, memory_limit: str | None = None) -> None:
        import pyspark

        self._store = store
        self.version = pyspark.__version__
        self.dialect = _Translating()
        b = SparkSession.builder.appName("unmask")
        if remote:
            b = b.remote(remote)
        else:
            # Two cores and few partitions: the demo's tables are small and a shuffle into the
            # default 200 partitions costs more than the work.
            # Spark's console progress bar would draw over the scan's own progress, and print
            # under --quiet: the scan reports its stages itself.
            b = b.master(master or "local[2]").config("spark.ui.enabled", "false") \
                .config("spark.ui.showConsoleProgress", "false")
            # The driver's heap (in local mode the executor's too). Spark's default, 1 GiB, held
            # neither a 306 MB JSON array read whole nor the 1M-event bundle's cached readers,
            # which Spark then recomputed for every statement. It applies when this process
            # starts the JVM; a session that is already running keeps its own.
            local = master is None or master.startswith("local")
            if local and (memory_limit or not _heap_configured()):
                b = b.config("spark.driver.memory", driver_memory(memory_limit))
            if not os.environ.get("UNMASK_DEBUG"):
                log4j = Path(__file__).resolve().parents[2] / "data" / "spark-log4j2.properties"
                b = b.config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={log4j.as_uri()}")
            if "PYSPARK_PYTHON" not in os.environ:
                # The Python workers run this interpreter with its packages (unmask, pandas,
                # RapidFuzz). Spark starts it by its resolved path, which leaves a virtual
                # environment's site-packages behind, so the path goes with it. A cluster whose
                # nodes install elsewhere sets PYSPARK_PYTHON itself.
                here = [p for p in sys.path if p and os.path.isdir(p)]
                b = b.config("spark.pyspark.python", sys.executable) \
                    .config("spark.executorEnv.PYTHONPATH", os.pathsep.join(here))
        # Constraint propagation is off: an INSERT here is the old checkpointed rows UNION ALL the
        # new ones (dml.py), and checkpointing that union rewrites the children's constraints,
        # which Spark 4.0.1 looks up by attributes the checkpoint no longer has ("key not found:
        # subject_type#1957" in UnionBase.rewriteConstraints: score's propagated rows). It only
        # costs inferred IS NOT NULL filters.
        # minPartitionNum 1: a file's splits are maxPartitionBytes long whatever the cluster's
        # cores at the moment. Spark otherwise sizes them by the parallelism it sees, which
        # changes as executors come and go, and a large file of lines is read twice (its
        # lines counted per split, then numbered by split: _line_rows) on the same splits.
        conf = {"spark.sql.shuffle.partitions": str(shuffle_partitions), "spark.sql.session.timeZone": "UTC",
                "spark.sql.files.minPartitionNum": "1",
                # Spark's defaults, said aloud: dialect_json's one-parse road relies on them (a
                # duplicate key refused by the strict parse; a text where an object was asked
                # leaves its own field NULL, not the whole record).
                "spark.sql.variant.allowDuplicateKeys": "false", "spark.sql.json.enablePartialResults": "true",
                "spark.sql.optimizer.excludedRules": _NO_COLLAPSE,
                "spark.sql.constraintPropagation.enabled": "false"}
        try:
            # A session of its own: a scan's tables are the session's temporary views, and a
            # second scan in the same process (a notebook, the test suite) must not see the
            # first's (getOrCreate hands back the one session: its employees were read again
            # as the next bundle's). The SparkContext, or the Connect server, is shared.
            self._spark: SparkSession
            if remote:
                self._spark = b.create()
            else:
                self._spark = b.getOrCreate().newSession()
            for k, v in conf.items():
                self._spark.conf.set(k, v)
        except Exception as e:  # no JVM, no server: one line for the CLI
            raise EngineError(_message(e), f"-- open spark {remote or master or 'local[2]'}", self.name) from e
        if not os.environ.get("UNMASK_DEBUG"):
            # PySpark logs each refused statement with its plan to stderr; EngineError says it.
            logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
        if not remote and not os.environ.get("UNMASK_DEBUG"):
            # Spark logs every refused statement with its SQL and a Java stack; the engine
            # raises EngineError with the first line instead (UNMASK_DEBUG=1 keeps the logs).
            self._spark.sparkContext.setLogLevel("OFF")
        self._views: set[str] = set()
        # What the scan ran with, for the manifest: the heap the running JVM really has (a
        # session started earlier in this process keeps its own), the master, the partitions.
        self.resources: dict[str, Any] = {"shuffle_partitions": shuffle_partitions}
        for key, conf_key in (("memory_limit", "spark.driver.memory"), ("master", "spark.master")):
            try:
                self.resources[key] = self._spark.conf.get(conf_key, None)
            except Exception:  # noqa: BLE001 - a Connect server may not show its static settings
                self.resources[key] = None
        self._secret_values: dict[str, bytes] = {}
        for fname, (fn, arg_types, return_type) in BUILTINS.items():
            self.register_scalar(fname, fn, arg_types, return_type)

    # -- plain SQL ---------------------------------------------------------------------------
    def _secrets(self, sql: str, params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """Bytes parameters (the token MAC's key pads) go in as functions, not values.

        Spark binds a parameter by writing it into the plan as a literal, which ``EXPLAIN``, the
        UI and the event log print. A bytes parameter is instead returned by a Python function
        that holds it in its closure (pickled to the workers, never shown in a plan); the SQL
        calls that function where it named the parameter."""
        rest = {}
        for k, v in params.items():
            if not isinstance(v, bytes | bytearray):
                rest[k] = v
                continue
            fname = f"__unmask_secret_{k}"
            if self._secret_values.get(fname) != v:
                from pyspark.sql.functions import udf

                self._spark.udf.register(fname, udf(constant(bytes(v)), "binary"))
                self._secret_values[fname] = bytes(v)
            sql = re.sub(rf"\${re.escape(k)}\b", f"{fname}()", sql)
        return sql, rest

    def _df(self, sql: str, params: Params) -> DataFrame:
        if isinstance(params, Mapping):
            sql, params = self._secrets(sql, params)
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
            if run_dml(self._spark, text, args):
                return self._spark.sql("SELECT 1 AS ok WHERE false")
            view = _temp_view(text)
            if view is None:
                return self._spark.sql(text, args=args) if args else self._spark.sql(text)
            # A temp table is a view of a DataFrame, not of SQL text: Spark keeps a SQL view's
            # text and resolves its names at each use, so it would follow a table replaced later
            # (INSERT here rebuilds a view) or fail once one it read is dropped. The DataFrame's
            # plan is resolved once. (It also takes parameters, which CREATE VIEW refuses.)
            if view[2] and self._spark.catalog.tableExists(view[0]):
                return self._spark.sql("SELECT 1 AS ok WHERE false")
            df = self._spark.sql(view[1], args=args) if args else self._spark.sql(view[1])
            if not view[0].startswith("__"):
                # A table of the scan is computed once, as DuckDB's is, so later statements do
                # not compute it again.
                df = df.localCheckpoint()
            else:
                # Readers' staging (``__...``) may hold the text their layers were given: kept
                # in memory only, never on disk (dropping the view releases it).
                df = df.persist(StorageLevel.MEMORY_ONLY)
            df.createOrReplaceTempView(view[0])
            return self._spark.sql("SELECT 1 AS ok WHERE false")
        except (PySparkException, Py4JError, DialectError) as e:
            raise EngineError(_message(e), text, self.name) from e

    def _collect(self, sql: str, params: Params) -> tuple[list[str], list[tuple[Any, ...]]]:
        df = self._df(sql, params)
        try:
            return list(df.columns), [tuple(r) for r in df.collect()]
        except (PySparkException, Py4JError) as e:
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
    def _files(self, paths: Sequence[Path], ids: Sequence[int] | None = None) -> DataFrame:
        """``(__file, content)``: each file's bytes, read by Spark (a path or a filesystem URI).
        ``__file`` is the file's place in ``paths``, or its entry of ``ids``."""
        from pyspark.sql import functions as F

        ids = list(range(len(paths))) if ids is None else ids
        try:
            frames = [self._spark.read.format("binaryFile").load(str(p)).select(
                F.lit(i).cast("int").alias("__file"), F.col("content")) for i, p in zip(ids, paths, strict=True)]
        except (PySparkException, Py4JError) as e:  # a file that is not there or not readable
            raise EngineError(_message(e), f"-- read {len(paths)} file(s)", self.name) from e
        return _union(frames)

    def _size(self, path: Path) -> int:
        """The file's bytes: from the local filesystem, else from Spark's listing of the URI
        (``binaryFile`` reads no content when only the length is asked for)."""
        if os.path.isfile(str(path)):
            return os.path.getsize(str(path))
        got = self._run_action(
            lambda: self._spark.read.format("binaryFile").load(str(path)).select("length").collect(), str(path))
        return int(got[0][0]) if got else 0

    def _line_rows(self, paths: Sequence[Path], max_bytes: int) -> DataFrame:
        """``line_schema()`` rows of every file: small or compressed files whole, large ones in splits.

        A file read whole is one value in one task's memory; a log of several hundred MB made
        the executor run out of heap (the 1M-event bundle's Okta exports, 2026-12-06). Spark's
        ``text`` reader splits a large uncompressed file across tasks instead, and a first,
        cheap pass counts each split's lines so that every line keeps its physical number."""
        from unmask.engine.spark.readers import line_schema, number_splits, split_lines

        big = [i for i, p in enumerate(paths)
               if not str(p).lower().endswith(_CODECS) and self._size(p) > self.split_bytes]
        offsets: dict[tuple[int, int], int] = {}
        if big:
            split, offsets, gzipped = self._splits([paths[i] for i in big], big)
            big = [i for i in big if i not in gzipped]
        whole = [i for i in range(len(paths)) if i not in big]
        frames = []
        if whole:
            frames.append(self._files([paths[i] for i in whole], whole).mapInPandas(
                split_lines(max_bytes), line_schema()))  # type: ignore[arg-type]
        if big:
            from pyspark.sql import functions as F

            value = F.col("value")
            ok = F.expr("is_valid_utf8(value)")
            size = F.octet_length(value)
            frames.append(split.where(F.col("__file").isin(big)).select(
                "__file", "__block", F.when(ok & (size <= max_bytes), value).alias("raw"),
                size.alias("__bytes"), ok.alias("__ok")).mapInPandas(
                number_splits(offsets, max_bytes), line_schema()))  # type: ignore[arg-type]
        return _union(frames)

    def _splits(self, paths: Sequence[Path], ids: Sequence[int]) -> tuple[DataFrame, dict[tuple[int, int], int],
                                                                             set[int]]:
        """Large files through Spark's ``text`` reader: ``(__file, __block, value)``, the lines
        before each split, and the files that turn out to be gzip without the name saying so
        (their first bytes are gzip's magic: they are read whole, as ``textfiles`` would)."""
        from pyspark.sql import functions as F

        try:
            frames = [self._spark.read.format("text").load(str(p)).select(
                F.lit(i).cast("int").alias("__file"), F.col("_metadata.file_block_start").alias("__block"),
                F.col("value")) for i, p in zip(ids, paths, strict=True)]
        except (PySparkException, Py4JError) as e:
            raise EngineError(_message(e), f"-- read {len(paths)} file(s)", self.name) from e
        df = _union(frames)
        # A split's rows are read in order by one task, so the least id of a split is its first
        # line. Only whether it starts with gzip's magic leaves the executors, never its bytes.
        magic = F.substring(F.col("value").cast("binary"), 1, 2) == F.lit(bytearray(b"\x1f\x8b"))
        first = F.min_by((F.col("__block") == 0) & magic, F.col("__at"))
        counts = self._run_action(lambda: df.select("__file", "__block", F.monotonically_increasing_id().alias(
            "__at"), "value").groupBy("__file", "__block").agg(F.count("*"), first).collect(), "line counts")
        offsets: dict[tuple[int, int], int] = {}
        before: dict[int, int] = {}
        gzipped: set[int] = set()
        for f, block, n, packed in sorted(counts, key=lambda r: (int(r[0]), int(r[1]))):
            offsets[(int(f), int(block))] = before.get(int(f), 0)
            before[int(f)] = before.get(int(f), 0) + int(n)
            if packed:
                gzipped.add(int(f))
        return df, offsets, gzipped

    def _layered(self, base: DataFrame, keys: Sequence[str], layers: Sequence[str],
                 params: Mapping[str, Any] | None, table: str, materialize: bool, carry: str = "") -> None:
        """``keys`` then each layer's columns over ``base``, as the temp view ``table``.

        The keys are carried under private names so a layer's ``*`` cannot repeat them.
        ``carry``: a column of ``base`` the second layer sees too (a line's ``raw``, as in the
        DuckDB engine's reading statement, where a JSON record's second layer asks whether the
        text it could not use is valid JSON at all)."""
        from pyspark.sql import functions as F

        hidden = [f"__k_{k}" for k in keys]
        cur = base.select(*[F.col(k).alias(h) for k, h in zip(keys, hidden, strict=True)],
                          *[c for c in base.columns if c not in keys])
        kept = "__carried"
        for n, layer in enumerate(layers):
            view = f"__layer{n}_{table}"
            # Only the layer's own columns are visible to it, as on DuckDB.
            if n == 1 and carry:
                cur = cur.withColumnRenamed(kept, carry) if carry not in cur.columns else cur.drop(kept)
            cur.createOrReplaceTempView(view)
            extra = f", {ident(carry)} AS {kept}" if n == 0 and carry and len(layers) > 1 else ""
            cur = self._df(f"SELECT {', '.join(hidden)}, {layer}{extra} FROM {view}", params)  # noqa: S608
            self._spark.catalog.dropTempView(view)  # the new frame holds its resolved plan
            names = cur.columns
            if len(set(names)) != len(names):  # a `*` brought the keys again: keep the first
                cur = cur.toDF(*[f"__c{i}" for i in range(len(names))]).select(
                    *[F.col(f"__c{i}").alias(x) for i, x in enumerate(names) if x not in hidden or i < len(hidden)])
        out = cur.select(*[F.col(h).alias(k) for k, h in zip(keys, hidden, strict=True)],
                         *[c for c in cur.columns if c not in hidden])
        # Always kept, in memory only (a reader's rows may hold text never meant for a disk;
        # dropping the view releases it). The cache is also a wall for the optimizer: a filter
        # on the view (the readers' ``WHERE _err IS NOT NULL``) is otherwise pushed down
        # through the layers, each layer's expression is copied into it, and a record's JSON was
        # parsed once per copy (the Okta file: 35 s for 2,592 lines; Entra's: out of heap).
        out = out.persist(StorageLevel.MEMORY_ONLY)
        if materialize:
            self._run_action(out.count, table)
        out.createOrReplaceTempView(table)
        self._views.add(table)

    def _run_action(self, action: Callable[[], Any], what: str) -> Any:
        try:
            return action()
        except (PySparkException, Py4JError) as e:
            raise EngineError(_message(e), f"-- read {what}", self.name) from e

    @staticmethod
    def _rejects(rows: list[Any]) -> list[RawReject]:
        out = [RawReject(int(r[0]) if r[0] is not None else None, str(r[1]), bool(r[2])) for r in rows]
        return sorted(out, key=lambda x: (x.stop, x.line or 0))

    def load_lines(
        self,
        paths: Sequence[Path],
        table: str,
        max_line_bytes: int,
        layers: Sequence[str] = ("raw",),
        params: Mapping[str, Any] | None = None,
        materialize: bool = False,
    ) -> list[list[RawReject]]:
        # Each file is split where it is read (readers.py): the lines, and the rejects beside
        # them. The split is not cached (only the layers' typed result is, in memory): it runs again
        # when needed, so the clear text is never held in a cache that could spill to disk.
        rows = self._line_rows(paths, max_line_bytes)
        found = self._run_action(
            lambda: rows.where("__why IS NOT NULL").select("__file", "line", "__why", "__stop").collect(), table)
        per_file: list[list[Any]] = [[] for _ in paths]
        for r in found:
            per_file[int(r[0])].append(r)
        self._layered(rows.where("__why IS NULL").select("__file", "line", "raw"), ["__file", "line"], layers,
                      params, table, materialize, carry="raw")
        return [self._rejects([(r[1], r[2], r[3]) for r in rs]) for rs in per_file]

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
        from unmask.engine.spark.readers import csv_schema, split_csv

        width = len(header)
        split = split_csv(width, max_line_bytes, has_header, encoding, tuple(header))
        rows = self._files([path]).select("content").mapInPandas(split, csv_schema(width))  # type: ignore[arg-type]
        found = self._run_action(lambda: rows.where("__why IS NOT NULL").select("line", "__why", "__stop").collect(),
                                 table)
        self._layered(rows.where("__why IS NULL").drop("__why", "__stop"), ["line"], layers, params, table,
                      materialize)
        return self._rejects(found)

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

    def load_json_records(
        self, path: Path, table: str, array: bool = False, max_bytes: int = 1 << 30
    ) -> list[int]:
        from unmask.engine.spark.readers import json_schema, split_json

        # Split where the file is read (readers.json_records); not cached, like the lines.
        rows = self._files([path]).select("content").mapInPandas(
            split_json(array, max_bytes), json_schema())  # type: ignore[arg-type]
        found = self._run_action(
            lambda: rows.where("__why IS NOT NULL OR __over IS NOT NULL").select("__over", "__why").collect(), table)
        why = [str(r[1]) for r in found if r[1] is not None]
        if why:
            raise EngineError(why[0], f"-- read JSON {path}", self.name)
        keep = rows.where("j IS NOT NULL" if array else "__why IS NULL").select("line", "j")
        keep.createOrReplaceTempView(table)
        self._views.add(table)
        return sorted(int(r[0]) for r in found)

    # -- rows, functions, export -------------------------------------------------------------
    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        from pyspark.sql import functions as F

        target = self._spark.table(table)
        schema = target.select(*[_ident(c) for c in columns]).schema
        try:
            new = self._spark.createDataFrame(
                [tuple(_fit(v, f.dataType) for v, f in zip(r, schema.fields, strict=True)) for r in rows],
                schema=schema)
        except (PySparkException, Py4JError, TypeError, ValueError) as e:
            raise EngineError(_message(e), f"-- insert into {table}", self.name) from e
        # Temp tables are temp views on Spark (the dialect's rewrite): appending is a union.
        types = dict(target.dtypes)
        for c in [c for c in target.columns if c not in columns]:
            new = new.withColumn(c, F.lit(None).cast(types[c]))
        merged = target.unionByName(new.select(*target.columns)).localCheckpoint()
        merged.createOrReplaceTempView(table)

    def register_scalar(
        self, name: str, fn: Callable[..., Any], arg_types: Sequence[str], return_type: str
    ) -> None:
        from pyspark.sql.pandas.functions import pandas_udf

        _log.debug("scalar: %s(%s) -> %s", name, ", ".join(arg_types), return_type)
        try:
            # Vectorised: each Arrow batch calls ``fn`` once per distinct argument tuple.
            udf = pandas_udf(vectorised(fn, len(arg_types)), check_types(arg_types, return_type))  # type: ignore[call-overload]
            self._spark.udf.register(name, udf)
        except (PySparkException, Py4JError, ValueError) as e:
            raise EngineError(_message(e), f"-- register {name}", self.name) from e

    def export_jsonl(self, sql: str, path: Path, params: Params = None) -> int:
        df = self._df(sql, params)
        try:
            # A struct is a Row, which is a tuple: as a dict (recursively), DuckDB's JSON object.
            rows = [r.asDict(recursive=True) for r in df.collect()]
        except (PySparkException, Py4JError) as e:
            raise EngineError(_message(e), sql, self.name) from e
        with path.open("w", encoding="utf-8") as out:
            for r in rows:
                out.write(json.dumps(r, default=_json_value) + "\n")
        return len(rows)

    def export_parquet(self, sql: str, path: Path, params: Params = None) -> None:
        """One Parquet file at ``path``, as the DuckDB engine writes (the parse cache is a file that
        :func:`unmask.normalise.memo.adopt` renames into place, one ``os.replace``).

        Spark writes a folder of part files; here one executor writes the rows as a single
        part (``coalesce(1)``: the rows never pass through the driver) into a folder beside
        ``path``, whose one part file is then renamed to ``path``. That rename needs ``path`` on
        a filesystem the driver sees, which OUT is (the JSON Lines outputs are written there too)."""
        import shutil

        df = self._df(sql, params)
        parts = path.with_name(f".{path.name}.parts")
        shutil.rmtree(parts, ignore_errors=True)
        try:
            df.coalesce(1).write.mode("overwrite").parquet(str(parts))
            written = sorted(parts.glob("part-*.parquet"))
            if len(written) != 1:
                raise EngineError(f"{len(written)} Parquet parts written, 1 expected", f"-- export {path}", self.name)
            os.replace(written[0], path)
        except (PySparkException, Py4JError) as e:
            raise EngineError(_message(e), sql, self.name) from e
        finally:
            shutil.rmtree(parts, ignore_errors=True)

    def load_parquet(self, table: str, path: Path) -> None:
        try:
            # Computed once, as every table of the scan is: the file may be replaced afterwards
            # (the parse cache is, once the scan is published), and a damaged file fails here.
            df = self._spark.read.parquet(str(path)).localCheckpoint()
        except (PySparkException, Py4JError) as e:
            raise EngineError(_message(e), f"-- read Parquet {path}", self.name) from e
        df.createOrReplaceTempView(table)

    def splink_api(self) -> Any:
        from splink import SparkAPI
        from splink.internals.dialects import SparkDialect

        from unmask.engine.splink_api import same_sample_api

        # Splink breaks its plans' lineage by writing Parquet to the SparkContext's checkpoint
        # folder by default, which needs one set (sparkContext, not reachable under Spark
        # Connect); persisted frames need none (the training failed: "Checkpoint directory has
        # not been set in the SparkContext"). No JAR of Splink's similarity functions: none is
        # ours to ship (Spark Connect, shared clusters), the comparisons the scan uses are
        # functions Spark has, and Splink's attempt printed a warning on every scan.
        return same_sample_api(SparkAPI, SparkDialect,
                               "CAST(conv(left(md5(CAST({col} AS STRING)), 15), 16, 10) AS BIGINT)",
                               spark_session=self._spark, break_lineage_method="persist",
                               register_udfs_automatically=False)

    def save(self) -> None:
        """The scan's tables as Parquet, ``store/<table>/`` (readers' staging views, named
        ``__...``, stay behind: they hold the clear text a reader's layers were given)."""
        if self._store is None:
            return
        try:
            for t in self._spark.catalog.listTables():
                if t.isTemporary and not t.name.startswith("__"):
                    self._spark.table(t.name).write.mode("overwrite").parquet(str(self._store / t.name))
        except (PySparkException, Py4JError) as e:
            raise EngineError(_message(e), f"-- save the store to {self._store}", self.name) from e

    def close(self) -> None:
        for v in list(self._views):
            self.drop(v)
