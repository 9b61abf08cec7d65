"""Engine protocol: the small surface the pipeline needs from a SQL engine."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from unmask.engine.dialect import Dialect

Params = Sequence[Any] | Mapping[str, Any] | None


class EngineError(Exception):
    """A statement the engine refused, with the SQL that failed (the bound values are left out:
    they may be sensitive). ``str()`` is the engine's own message, short enough for a reject
    reason or the CLI's one line; ``sql`` is for logs and ``UNMASK_DEBUG``."""

    def __init__(self, message: str, sql: str, engine: str) -> None:
        super().__init__(message)
        self.sql = sql
        self.engine = engine

    def details(self) -> str:
        return f"{self.engine}: {self} -- in: {' '.join(self.sql.split())[:4000]}"


# "4GB", "512MiB", "1.5 GB": the memory sizes the engines accept (DuckDB's memory_limit takes
# these spellings; Spark's heap is given in MiB made from them).
SIZE = re.compile(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def size_bytes(value: str) -> int:
    """The bytes of a size such as ``4GB`` or ``512MiB``; ValueError for anything else."""
    m = SIZE.fullmatch(value.strip())
    if not m:
        raise ValueError(f"memory limit {value!r} is not a size such as 4GB or 512MiB")
    return int(min(float(value.strip()[:m.start(2)]), 2.0**50) * _UNITS[m.group(2).lower()])


@dataclass(frozen=True)
class RawReject:
    """A record the engine's reader refused. ``line`` counts the header (if any) as 1.

    ``stop`` marks the one reject saying where reading stopped early (a damaged gzip): the
    records before it are kept, and nothing after it could be read.
    """

    line: int | None
    reason: str
    stop: bool = False


class SqlRunner(Protocol):
    """Plain SQL through the door.

    SQL is written once, in DuckDB's syntax, with values bound by name (``$x``) or position
    (``?``); an engine of another dialect translates it with its ``dialect``
    (:mod:`unmask.engine.dialect`). Every method that runs SQL raises :class:`EngineError`
    (never the driver's own exception) and logs the statement at debug level on the
    ``unmask.engine`` logger, never its bound values.
    """

    name: str
    version: str

    @property
    def dialect(self) -> Dialect:
        """How this engine writes what differs between engines (:mod:`unmask.engine.dialect`)."""
        ...

    def execute(self, sql: str, params: Params = None) -> None: ...

    def query(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]: ...

    def query_dicts(self, sql: str, params: Params = None) -> list[dict[str, Any]]: ...

    def table_exists(self, name: str) -> bool: ...

    def columns(self, table: str) -> list[str]: ...


@runtime_checkable
class SharedReader(Protocol):
    """An engine over a finished store that many threads read at once (the workbench). Each
    thread reads through its own :meth:`cursor`; work done once for all of them (sorted copies
    of the big tables, the findings list) goes to a :meth:`scratch` database that every cursor
    reads before the store itself."""

    def scratch(self, path: Path, name: str) -> None:
        """Attach a new writable database at ``path`` as ``name``, and resolve unqualified table
        names there first, then in the store, on this connection and every later cursor."""
        ...

    def cursor(self) -> Engine:
        """Another connection to the same database, for another thread. The store is taken as
        unchanging from then on: which tables exist is asked once, then remembered."""
        ...


class RecordReader(Protocol):
    """The contract "line-numbered records with rejects" that every engine's readers keep.

    - Each record keeps its physical line number in its file (the first line of a record that
      spans several; the header of a CSV is line 1), whatever was rejected before it.
    - Every record the reader cannot use is one :class:`RawReject` with that line, never a
      silent drop; so for each file, records loaded + records rejected = records read.
    - A reject's reason is fixed text (``not valid UTF-8``, ``more fields than the header``,
      with a column name at most): it never quotes the record, which may hold a clear ID.
    - Rejects are returned per file (``load_lines`` reads many files in one call).
    - The ``layers`` (typing, tokenising) run in the reading statement: no clear sensitive value
      is ever stored in a table, not even a temporary one.

    ``tests/conformance/`` checks these promises on every engine.
    """

    def load_lines(
        self,
        paths: Sequence[Path],
        table: str,
        max_line_bytes: int,
        layers: Sequence[str] = ("raw",),
        params: Mapping[str, Any] | None = None,
        materialize: bool = False,
    ) -> list[list[RawReject]]:
        """Create ``table(__file, line, ...)`` with one row per non-blank text line of the files.

        ``__file`` is the file's index in ``paths`` and ``line`` its line number there; the
        result lists each file's rejected lines.

        ``layers`` are select lists evaluated while reading, innermost first: the first over
        ``raw`` (the line's text), each next one over the columns of the one before. Layers
        let a value computed once (a parsed record) feed several expressions. The result may
        be a view (``materialize`` asks for a table); release it with :meth:`drop`.
        """
        ...

    def drop(self, name: str) -> None:
        """Drop a table or a reader's view."""
        ...

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
        """Create ``table(line BIGINT, ...)`` from an RFC 4180 file.

        ``layers`` are select lists applied while reading, innermost first, the first over the
        file's columns named ``c0..cN`` (used to type values and to tokenise sensitive columns
        before anything is stored). The result may be a view; release it with :meth:`drop`.
        """
        ...

    def load_json_documents(
        self, path: Path, table: str, array: bool = False, max_bytes: int = 1 << 30
    ) -> list[int]:
        """Create ``table(doc JSON)``: one row per top-level value, or per element of a top-level array.

        Memory is bounded: a value over ``max_bytes`` (an array element) is kept as a NULL
        ``doc`` and its position (from 1) returned; a document too large to hold at all fails
        the read. Raises :class:`EngineError` when the file is not JSON.
        """
        ...

    def load_json_records(
        self, path: Path, table: str, array: bool = False, max_bytes: int = 1 << 30
    ) -> list[int]:
        """Create ``table(line BIGINT, j JSON)``: one row per record, ``line`` its position from 1.

        ``array``: the elements of the file's top-level array; one over ``max_bytes`` is left
        out and its position returned. Otherwise the file holds JSON documents one after
        another: a document's records are the elements of its ``value`` array (a Graph page),
        or its own elements when it is an array, or the document itself; records are numbered
        across documents, and a document over ``max_bytes`` is one record with a NULL ``j``
        whose document number (from 1) is returned. Raises :class:`EngineError` when the file
        is not JSON."""
        ...



@runtime_checkable
class StreamingReader(Protocol):
    """An engine that can also read line files without staging them (optional: a reader asks
    with ``isinstance``, and uses :meth:`RecordReader.load_lines` otherwise)."""

    def stream_lines(
        self,
        paths: Sequence[Path],
        max_line_bytes: int,
        layers: Sequence[str],
        params: Mapping[str, Any] | None,
        sink: Callable[[str], None],
        undo: Callable[[int], None],
    ) -> list[list[RawReject]]:
        """What :meth:`RecordReader.load_lines` makes, handed to ``sink`` a bounded batch at a
        time as a relation ``(__file, line, ...)`` valid during the call, instead of one table.
        Before a file is read again (its fast read did not add up) ``undo(file index)`` is
        called: the sink must forget what it was given of that file. The result lists each
        file's rejected lines."""
        ...


@runtime_checkable
class JsonLinesInserter(Protocol):
    """An engine whose own JSON reader can store JSON Lines directly (optional: a reader asks
    with ``isinstance`` and reads the careful way otherwise)."""

    def insert_json_lines(
        self,
        paths: Sequence[Path],
        rels: Sequence[str],
        table: str,
        record_type: str,
        layers: Sequence[str],
        params: Mapping[str, Any] | None,
        max_line_bytes: int,
        on_rows: Callable[[int], None] | None = None,
    ) -> list[int | None]:
        """Store each line of ``paths``, read as the struct ``record_type`` (``j``) and typed
        by ``layers``, into ``table`` as (``rels[i]``, line, columns). A file is kept only when
        every physical line became one stored row and no row has an ``_err``: the result is
        each file's rows, or None where nothing of the file was kept."""
        ...


class Engine(SqlRunner, RecordReader, Protocol):
    """What the pipeline asks of a SQL engine: SQL, the readers, Python rows and scalars, export."""

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Append Python rows to an existing table (records parsed outside the engine: XML, FtM)."""
        ...

    def register_scalar(
        self, name: str, fn: Callable[..., Any], arg_types: Sequence[str], return_type: str
    ) -> None: ...

    def export_jsonl(self, sql: str, path: Path, params: Params = None) -> int: ...

    def export_parquet(self, sql: str, path: Path, params: Params = None) -> None:
        """Write the rows of ``sql`` to the Parquet file ``path`` (a table kept between scans)."""
        ...

    def load_parquet(self, table: str, path: Path) -> None:
        """Create temporary ``table`` from the Parquet file ``path`` (EngineError if unreadable)."""
        ...

    def splink_api(self) -> Any:
        """The Splink database API over this engine's connection (Splink supports DuckDB and
        Spark alike, so a Spark engine provides its own)."""
        ...

    def save(self) -> None:
        """Make the store durable where it was opened (a finished scan's tables): DuckDB's file
        already is; Spark writes its tables as Parquet under the store folder."""
        ...

    def close(self) -> None: ...
