"""The one door to the database.

Everything that touches the store goes through :class:`Engine`. The DuckDB engine is the
default; the Spark engine (``engine/spark``, the ``spark`` extra) implements the same protocol. The
factory lives here, not in ``base``, so the protocol never imports an implementation.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from unmask.engine.base import (
    Engine,
    EngineError,
    JsonLinesInserter,
    RawReject,
    RecordReader,
    SharedReader,
    SqlRunner,
    StreamingReader,
)
from unmask.engine.dialect import DUCKDB, SPARK, Dialect, DialectError, DuckDBDialect, SparkDialect

__all__ = ["DUCKDB", "SPARK", "Dialect", "DialectError", "DuckDBDialect", "Engine", "EngineChoice", "EngineError",
           "EngineUnavailable", "JsonLinesInserter", "RawReject", "RecordReader", "SharedReader", "SparkDialect",
           "SqlRunner", "StreamingReader", "open_engine", "process_env", "register_udfs"]


@dataclass(frozen=True)
class EngineChoice:
    """Which engine a scan runs on. Spark: ``master`` is a classic master URL
    (``spark://host:7077``; local mode when neither is given), ``remote`` a Spark Connect
    server (``sc://host:15002``: Databricks, Sail)."""

    kind: str = "duckdb"
    master: str | None = None
    remote: str | None = None


class EngineUnavailable(Exception):
    """The chosen engine cannot start here (its package or runtime is missing): exit 2."""


def process_env(kind: str = "duckdb") -> dict[str, str]:
    """Environment the engine needs set before the process starts (read once, at start-up)."""
    if kind == "duckdb":
        from unmask.engine.duckdb.memory import PROCESS_ENV

        return dict(PROCESS_ENV)
    return {}


def open_engine(
    path: Path | None, kind: str = "duckdb", threads: int | None = None, read_only: bool = False,
    memory_limit: str | None = None, temp_directory: Path | None = None,
    master: str | None = None, remote: str | None = None,
) -> Engine:
    """Open the store. ``path`` None means in memory; ``read_only`` still allows temp tables.
    ``memory_limit`` (e.g. ``4GB``; default a quarter of the machine, at most 3 GiB) and ``temp_directory`` (where
    the engine spills past it) bound the engine's memory."""
    if kind == "duckdb":
        from unmask.engine.duckdb import DuckDBEngine

        return DuckDBEngine(path, threads=threads, read_only=read_only, memory_limit=memory_limit,
                            temp_directory=temp_directory)
    if kind == "spark":
        # Imported only here: a DuckDB-only install never has pyspark (the ``spark`` extra).
        try:
            from unmask.engine.spark import SparkEngine
        except ImportError as e:
            raise EngineUnavailable(f"the Spark engine needs pyspark and pandas ({e.name} is missing): "
                                    "pip install 'unmask[spark]'") from None
        import shutil

        if remote is None and shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
            raise EngineUnavailable("the Spark engine needs a Java 17 runtime on PATH or in JAVA_HOME "
                                    "(Debian: apt-get install openjdk-17-jre-headless), or --spark-remote")
        try:
            return SparkEngine(master=master, remote=remote, store=path, memory_limit=memory_limit)
        except EngineError as e:
            raise EngineUnavailable(f"Spark did not start ({remote or master or 'local mode'}): {e}") from None
    raise ValueError(f"unknown engine {kind!r}")


def register_udfs(engine: Engine, *names: str) -> None:
    """Register the named scalars of :data:`unmask.values.udfs.UDFS` (SQL then calls them)."""
    # Imported here: the value libraries (ICU, libpostal-like taggers) load only when a stage
    # needs them, not whenever a store is opened.
    from unmask.values.udfs import UDFS

    for name in names:
        u = UDFS[name]
        engine.register_scalar(u.name, u.fn, u.arg_types, u.return_type)
