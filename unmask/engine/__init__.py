"""The one door to the database.

Everything that touches the store goes through :class:`Engine`. The DuckDB engine is the
default; a Spark engine would be one more sub-package implementing the same protocol. The
factory lives here, not in ``base``, so the protocol never imports an implementation.
"""

from __future__ import annotations

from pathlib import Path

from unmask.engine.base import (
    Engine,
    EngineError,
    RawReject,
    RecordReader,
    SharedReader,
    SqlRunner,
    StreamingReader,
)
from unmask.engine.dialect import DUCKDB, SPARK, Dialect, DialectError, DuckDBDialect, SparkDialect

__all__ = ["DUCKDB", "SPARK", "Dialect", "DialectError", "DuckDBDialect", "Engine", "EngineError", "RawReject",
           "RecordReader", "SharedReader", "SparkDialect", "SqlRunner", "StreamingReader", "open_engine", "process_env",
           "register_udfs"]


def process_env(kind: str = "duckdb") -> dict[str, str]:
    """Environment the engine needs set before the process starts (read once, at start-up)."""
    if kind == "duckdb":
        from unmask.engine.duckdb.memory import PROCESS_ENV

        return dict(PROCESS_ENV)
    return {}


def open_engine(
    path: Path | None, kind: str = "duckdb", threads: int | None = None, read_only: bool = False,
    memory_limit: str | None = None, temp_directory: Path | None = None,
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
        from unmask.engine.spark import SparkEngine

        return SparkEngine()
    raise ValueError(f"unknown engine {kind!r}")


def register_udfs(engine: Engine, *names: str) -> None:
    """Register the named scalars of :data:`unmask.values.udfs.UDFS` (SQL then calls them)."""
    # Imported here: the value libraries (ICU, libpostal-like taggers) load only when a stage
    # needs them, not whenever a store is opened.
    from unmask.values.udfs import UDFS

    for name in names:
        u = UDFS[name]
        engine.register_scalar(u.name, u.fn, u.arg_types, u.return_type)
