"""The one door to the database.

Everything that touches the store goes through :class:`Engine`. The DuckDB engine is the
default; a Spark engine would be one more sub-package implementing the same protocol.
"""

from unmask.engine.base import Engine, RawReject, open_engine, process_env

__all__ = ["Engine", "RawReject", "open_engine", "process_env"]
