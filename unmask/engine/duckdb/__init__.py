"""DuckDB implementation of :class:`unmask.engine.base.Engine`."""

from __future__ import annotations

import itertools
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import duckdb.func as duckdb_func
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from unmask.engine.base import EngineError, Params, RawReject, size_bytes
from unmask.engine.dialect import DUCKDB
from unmask.engine.duckdb.ahead import fetched_ahead
from unmask.engine.duckdb.jsonlines import insert_json_lines
from unmask.engine.sqlbuild import ident
from unmask.engine.textfiles import LineCount, Reject, count_lines, csv_records, text_lines

# Unit separator: valid JSON can never contain a raw control character, so splitting a text
# file on it yields exactly one column per physical line.
_LINE_DELIM = "\x1f"
# A subquery in a reading statement's layers is planned as a join, after which DuckDB no longer
# keeps the file's row order, and every line number is counted from that order: a 50k-row
# employees file came out with 96 % of its lines wrong, and a different wrong on each run.
_SUBQUERY = re.compile(r"\(\s*(select|with|from)\b", re.IGNORECASE)


def _keeps_order(layers: Sequence[str]) -> None:
    """Refuse reading layers that hold a subquery (see ``_SUBQUERY``). Layers are our own SQL."""
    for layer in layers:
        if _SUBQUERY.search(layer):
            raise ValueError(f"a reading layer holds a subquery, which loses the file's row order: {layer[:200]}")


_counter = itertools.count()
_log = logging.getLogger("unmask.engine")

# DuckDB error types turned into reasons we are willing to print: never the line itself,
# which may hold a clear national ID.
_REASONS = {
    "INVALID ENCODING": "not valid UTF-8",
    "UNQUOTED VALUE": "unterminated or stray quote",
    "TOO MANY COLUMNS": "more fields than the header",
    "MISSING COLUMNS": "fewer fields than the header",
    "LINE SIZE OVER MAXIMUM": "record longer than the size limit",
    "CAST ERROR": "value could not be read",
    "INVALID STATE": "malformed record",
}


def check_memory_limit(value: str) -> str:
    """``value`` stripped, or ValueError if it is not a size such as ``4GB`` or ``512MiB``:
    checked before it is written into the SET statement (SET takes no bound parameters)."""
    size_bytes(value)
    return value.strip()


# The default buffer pool: a quarter of the machine, at most 3 GiB. Past a few GB DuckDB only
# keeps more pages of the stored tables, which a scan reads once or twice, so the bound costs
# little; with it the 10M-event, 50k/200k scan peaked at 3.9 GB RSS, against 8.5 GB at half the
# machine (docs/benchmarks.md). What DuckDB does not hold (Splink's pandas frames, the value
# parsers) stays in the rest of the machine.
DEFAULT_LIMIT_CAP = 3 * 2**30


def default_memory_limit() -> str:
    """A quarter of the machine's memory, at most 3 GiB and at least 1 GiB (DuckDB's own
    default is 80%): past it DuckDB spills to the scan's scratch space instead of growing."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not POSIX: leave DuckDB's own default
        return ""
    return f"{max(1024, min(total // 4, DEFAULT_LIMIT_CAP) // 2**20)}MiB"


SCRATCH_ROW_GROUP = 4096


class DuckDBEngine:
    name = "duckdb"
    version = duckdb.__version__
    dialect = DUCKDB

    def __init__(
        self, path: Path | None, threads: int | None = None, read_only: bool = False,
        memory_limit: str | None = None, temp_directory: Path | None = None,
    ) -> None:
        try:
            self._con = duckdb.connect(str(path) if path else ":memory:", read_only=read_only and path is not None)
        except duckdb.Error as e:  # not a store, locked, or unreadable: the caller says which file
            raise EngineError(str(e).splitlines()[0], f"-- open {path}", self.name) from e
        if threads:
            self.execute(f"SET threads = {int(threads)}")
        # Bounded memory: past the limit DuckDB spills to temp_directory instead of growing.
        limit = check_memory_limit(memory_limit) if memory_limit else default_memory_limit()
        if limit:
            self.execute(f"SET memory_limit = '{limit}'")
        if temp_directory is not None:
            self.execute("SET temp_directory = " + "'" + str(temp_directory).replace("'", "''") + "'")
        # What the scan ran with, for the manifest (DuckDB's own spelling of each).
        self.resources: dict[str, Any] = {
            k: v for k, v in self.query(
                "SELECT name, value FROM duckdb_settings() "
                "WHERE name IN ('threads', 'memory_limit', 'temp_directory')")
        }
        # Row order of a scan is the file order; line numbers depend on it.
        self.execute("SET preserve_insertion_order = true")
        self._owned: dict[str, list[str]] = {}  # reader views -> the tables under them
        # Timestamps without a zone in vendor logs are UTC by convention.
        self.execute("SET TimeZone = 'UTC'")
        # Session settings a cursor repeats (a DuckDB cursor is a new session), and which tables
        # exist, remembered by the cursors of a store no one writes to (see cursor()).
        self._session: list[str] = ["SET TimeZone = 'UTC'"]
        self._exists: dict[str, bool] | None = None
        self._cursor_exists: dict[str, bool] = {}

    @classmethod
    def _cursor_of(cls, parent: DuckDBEngine) -> DuckDBEngine:
        eng = cls.__new__(cls)
        eng._con = parent._con.cursor()
        eng.resources = parent.resources
        eng._owned = {}
        eng._session = list(parent._session)
        eng._exists = parent._cursor_exists
        eng._cursor_exists = parent._cursor_exists
        for stmt in eng._session:
            eng.execute(stmt)
        return eng

    def cursor(self) -> DuckDBEngine:
        """Another connection to the same database, for another thread (a DuckDB connection is
        not for two threads at once, its cursors are): it sees the attached databases, not this
        one's temp tables, and takes the store as unchanging, so table_exists is asked once."""
        try:
            return DuckDBEngine._cursor_of(self)
        except duckdb.Error as e:
            raise EngineError(str(e).splitlines()[0], "-- cursor", self.name) from e

    def scratch(self, path: Path, name: str) -> None:
        """Attach a new database at ``path`` as ``name`` and resolve unqualified tables there
        first, then in the store, here and in every later cursor (``search_path`` is per session)."""
        store = str(self.query("SELECT current_database()")[0][0])
        # Small row groups: a lookup of one key in a table sorted by it reads one of 4096 rows
        # (DuckDB prunes by each group's min and max), not one of the default 122,880.
        self.execute(f"ATTACH '{_quote_path(path)}' AS {ident(name)} (READ_WRITE, ROW_GROUP_SIZE {SCRATCH_ROW_GROUP})")
        # search_path takes a string of names; each is quoted as an identifier inside it.
        value = ",".join(f"{ident(n)}.main" for n in (name, store)).replace("'", "''")
        self._session.append(f"SET search_path = '{value}'")
        self.execute(self._session[-1])

    # -- plain SQL ---------------------------------------------------------------------------
    def _run(self, sql: str, params: Params) -> duckdb.DuckDBPyConnection:
        _log.debug("sql: %s", sql)  # never the parameters: they may hold tokens or bundle text
        try:
            return self._con.execute(sql, params)
        except duckdb.Error as e:
            raise EngineError(str(e).splitlines()[0] if str(e) else e.__class__.__name__, sql, self.name) from e

    def execute(self, sql: str, params: Params = None) -> None:
        cur = self._run(sql, params)
        try:
            cur.fetchall()
        except duckdb.Error as e:
            raise EngineError(str(e).splitlines()[0], sql, self.name) from e

    def query(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        cur = self._run(sql, params)
        try:
            return cur.fetchall()
        except duckdb.Error as e:
            raise EngineError(str(e).splitlines()[0], sql, self.name) from e

    def query_dicts(self, sql: str, params: Params = None) -> list[dict[str, Any]]:
        cur = self._run(sql, params)
        names = [d[0] for d in cur.description or []]
        try:
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        except duckdb.Error as e:
            raise EngineError(str(e).splitlines()[0], sql, self.name) from e

    def table_exists(self, name: str) -> bool:
        if self._exists is not None and name in self._exists:
            return self._exists[name]
        # The catalog functions, not information_schema (a view over them and every column,
        # 2.5 ms a call against 1.4 ms; a 10M-event scan asks about a thousand times).
        found = bool(self.query(
            "SELECT 1 FROM duckdb_tables() WHERE table_name = $n UNION ALL "
            "SELECT 1 FROM duckdb_views() WHERE view_name = $n AND NOT internal LIMIT 1", {"n": name}
        ))
        if self._exists is not None:
            self._exists[name] = found
        return found

    def columns(self, table: str) -> list[str]:
        rows = self.query(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position",
            [table],
        )
        return [r[0] for r in rows]

    # -- readers -----------------------------------------------------------------------------
    def _take_rejects(
        self, rj: str, rs: str, line_offset: int, names: Sequence[str] = (),
        con: duckdb.DuckDBPyConnection | None = None,
    ) -> list[tuple[str, RawReject]]:
        """Read DuckDB's reject tables as (file path, reject), then drop them: they quote lines.
        ``con``: the connection that read (the tables are its temporary ones)."""
        c = con or self._con
        sql = (
            f"SELECT s.file_path, e.line, e.error_type, e.column_name FROM {ident(rj)} e "  # noqa: S608
            f"JOIN {ident(rs)} s USING (scan_id, file_id) ORDER BY s.file_path, e.line"
        )
        try:
            rows = c.execute(sql).fetchall()
            c.execute(f"DROP TABLE IF EXISTS {ident(rj)}")
            c.execute(f"DROP TABLE IF EXISTS {ident(rs)}")
        except duckdb.Error as e:
            raise EngineError(str(e).splitlines()[0], sql, self.name) from e
        out = []
        for path, line, etype, col in rows:
            reason = _REASONS.get(str(etype), str(etype).lower())
            if col and col != "raw":  # "raw" is the whole line of a line-oriented file
                # cN is our positional name; report the file's own column name.
                idx = int(col[1:]) if col[:1] == "c" and col[1:].isdigit() else -1
                reason += f" (column {names[idx] if 0 <= idx < len(names) else col})"
            out.append((str(path), RawReject(int(line) + line_offset if line is not None else None, reason)))
        return out

    def _renumber(
        self, table: str, rejects: list[RawReject], first_line: int, file_index: int | None = None
    ) -> None:
        """Give rows their true line numbers: the reader's ordinal skips rejected lines.

        ``table`` holds ``line = ordinal + first_line - 1``. A row with ordinal i sits after
        every rejected line r_j (j = 0, 1, ... in order) whose count of good lines before it,
        r_j - first_line - j, is below i; each such line pushes it down by one. Files without
        rejects (the usual case) need no pass at all.
        """
        lines = sorted(r.line for r in rejects if r.line is not None)
        if not lines:
            return
        self.execute("CREATE OR REPLACE TEMP TABLE __rej(k BIGINT)")
        self._con.executemany("INSERT INTO __rej VALUES (?)", [(x - first_line - j,) for j, x in enumerate(lines)])
        only = "" if file_index is None else f" WHERE __file = {int(file_index)}"
        self.execute(
            f"UPDATE {ident(table)} SET line = line + "  # noqa: S608
            f"(SELECT count(*) FROM __rej WHERE __rej.k < {ident(table)}.line - ? + 1){only}",
            [first_line],
        )
        self.execute("DROP TABLE __rej")

    def load_lines(
        self,
        paths: Sequence[Path],
        table: str,
        max_line_bytes: int,
        layers: Sequence[str] = ("raw",),
        params: Mapping[str, Any] | None = None,
        materialize: bool = False,
    ) -> list[list[RawReject]]:
        n = next(_counter)
        tmp, base = f"__engine_lines{n}", f"__engine_base{n}"
        # The line count that proves the fast read right runs beside it (DuckDB releases the GIL).
        with ThreadPoolExecutor(1) as pool:
            counting = pool.submit(lambda: [count_lines(p) for p in paths])
            try:
                per_file, rows = self._lines_fast(paths, n, max_line_bytes, layers, params)
            except EngineError:
                if len(paths) > 1:
                    raise  # the caller reads the files one by one to find the one at fault
                per_file, rows = [[]], None
            counts = counting.result()
        # A file is read again, slowly and exactly, when its lines do not add up: DuckDB drops a
        # line far over the size limit without a word, and a damaged gzip fails the read.
        bad = {
            i for i, c in enumerate(counts)
            if rows is None or c is None or c.lines != rows.get(i, 0) + len(per_file[i])
        }
        drop_raw = ", raw" if len(layers) == 1 else ""
        body = (
            f"SELECT b.__file, t.rowid - b.first + 1 AS line, t.* EXCLUDE (__blank, filename{drop_raw}) "  # noqa: S608
            f"FROM {ident(tmp)} t JOIN {ident(base)} b USING (filename) WHERE NOT t.__blank"
        )
        if rows is not None and not bad and not materialize and not any(per_file):
            self.execute(f"CREATE OR REPLACE TEMP VIEW {ident(table)} AS {body}")
            self._owned[table] = [tmp, base]
            return per_file
        made = False
        if rows is not None:
            if len(bad) < len(paths):
                keep = f" AND b.__file NOT IN ({', '.join(str(i) for i in sorted(bad))})" if bad else ""
                self.execute(f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS {body}{keep}")
                made = True
            self.execute(f"DROP TABLE IF EXISTS {ident(tmp)}")
            self.execute(f"DROP TABLE IF EXISTS {ident(base)}")
            for i, rejects in enumerate(per_file):
                if i not in bad:
                    self._renumber(table, rejects, 1, i)
        for i in sorted(bad):
            per_file[i] = self._lines_slow(paths[i], i, max_line_bytes, layers, params, self._into(table, made))
            made = True
        return per_file

    def _lines_sql(self, layers: Sequence[str]) -> str:
        """The reading statement of :meth:`_lines_fast` and :meth:`stream_lines`: every file in
        one parallel read, the layers evaluated in it, one row per physical line (blank ones
        flagged ``__blank``), in file order."""
        _keeps_order(layers)
        sql = (
            f"SELECT raw, filename, {layers[0]} "  # noqa: S608
            "FROM read_csv($p, columns={'raw': 'VARCHAR'}, filename=true, "
            "delim=$d, quote='', escape='', header=false, auto_detect=false, strict_mode=true, "
            "store_rejects=true, rejects_table=$rj, rejects_scan=$rs, max_line_size=$m)"
        )
        # Whether a line is blank is asked only of lines the first layer could not use (NULL
        # in its first column), so ordinary lines pay nothing for it.
        first = layers[0].rsplit(" AS ", 1)[-1].strip() if " AS " in layers[0] else "raw"
        sql = (
            # CASE, not AND: only CASE spares the other rows the trim of a long line.
            f"SELECT *, CASE WHEN {ident(first)} IS NOT NULL THEN false "  # noqa: S608
            f"ELSE raw IS NULL OR trim(raw) = '' END AS __blank FROM ({sql})"
        )
        for layer in layers[1:]:
            sql = f"SELECT filename, __blank, {layer} FROM ({sql})"  # noqa: S608
        return sql

    def _lines_fast(
        self, paths: Sequence[Path], n: int, max_line_bytes: int, layers: Sequence[str],
        params: Mapping[str, Any] | None,
    ) -> tuple[list[list[RawReject]], dict[int, int]]:
        """One parallel read of every file; the rejects of each file, and its rows (blank included)."""
        rj, rs, tmp, base = f"__rj{n}", f"__rs{n}", f"__engine_lines{n}", f"__engine_base{n}"
        names = [str(p) for p in paths]
        # The layers run in the reading statement: the text itself is never stored. Many files
        # are one statement, read in parallel. No window function: a new table's rowid follows
        # the scan order (insertion order is preserved, files in the order given), so a line's
        # number is its rowid less the first rowid of its file.
        try:
            self.execute(
                f"CREATE OR REPLACE TEMP TABLE {ident(tmp)} AS {self._lines_sql(layers)}",  # noqa: S608
                {"p": [_literal(p) for p in names], "d": _LINE_DELIM, "rj": rj, "rs": rs, "m": max_line_bytes,
                 **(params or {})},
            )
        except EngineError:
            for t in (rj, rs, tmp):
                self.execute(f"DROP TABLE IF EXISTS {ident(t)}")
            raise
        found = self._take_rejects(rj, rs, 0)
        per_file: list[list[RawReject]] = [[] for _ in names]
        index = {name: i for i, name in enumerate(names)}
        for path, r in found:
            per_file[index[path]].append(r)
        self.execute(
            f"CREATE OR REPLACE TEMP TABLE {ident(base)} AS SELECT f.i AS __file, t.filename, t.first, t.n "  # noqa: S608
            f"FROM (SELECT filename, min(rowid) AS first, count(*) AS n FROM {ident(tmp)} GROUP BY filename) t "
            f"JOIN (SELECT unnest($names) AS filename, generate_subscripts($names, 1) - 1 AS i) f USING (filename)",
            {"names": names},
        )
        rows = {int(i): int(k) for i, k in self.query(f"SELECT __file, n FROM {ident(base)}")}  # noqa: S608
        return per_file, rows

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
        _keeps_order(layers)
        return insert_json_lines(self._con, paths, [_literal(str(p)) for p in paths], rels, table, record_type,
                                 layers, params, max_line_bytes, on_rows)

    def stream_lines(
        self,
        paths: Sequence[Path],
        max_line_bytes: int,
        layers: Sequence[str],
        params: Mapping[str, Any] | None,
        sink: Sink,
        undo: Callable[[int], None],
    ) -> list[list[RawReject]]:
        """:meth:`load_lines` without a table: the rows go to ``sink`` in bounded batches.

        The files are read in one parallel statement as by :meth:`load_lines`; each batch of
        at most ``_STREAM_ROWS`` lines is numbered and handed to ``sink`` as a relation
        ``(__file, line, ...)``, then released, so memory holds one batch, never the part.
        Rejected lines are known only at the end of the read, and the lines after them were
        numbered by position: such a file is given to ``undo`` (forget what the sink was
        given of it) and read again alone, numbered around the rejected lines now known. A
        file whose lines do not add up (DuckDB dropped a line over the size limit without a
        word, or a damaged gzip failed the read) is read again exactly, in Python.
        """
        per_file, seen, counts, failed = self._stream(paths, max_line_bytes, layers, params, sink, {},
                                                      ids=range(len(paths)))
        if failed and len(paths) > 1:
            for i in range(len(paths)):
                undo(i)
            raise EngineError("the files could not be read together", "-- stream_lines", self.name)
        for i, c in enumerate(counts):
            if failed or c is None or c.lines != seen[i] + len(per_file[i]):
                undo(i)
                per_file[i] = self._lines_slow(paths[i], i, max_line_bytes, layers, params, sink)
            elif per_file[i]:
                undo(i)
                known = sorted(r.line for r in per_file[i] if r.line is not None)
                # The ordinal k of a row moves down by one for every rejected line r_j (j from
                # 0, in order) with r_j - 1 - j < k: the good lines before it are fewer than k.
                skip = np.array([x - 1 - j for j, x in enumerate(known)], dtype=np.int64)
                again, seen2, counts2, failed2 = self._stream(
                    [paths[i]], max_line_bytes, layers, params, sink, {0: skip}, ids=[i])
                if failed2 or again[0] != per_file[i] or counts2[0] != c or seen2[0] != seen[i]:
                    undo(i)  # the file changed under us, or the reader disagrees with itself
                    per_file[i] = self._lines_slow(paths[i], i, max_line_bytes, layers, params, sink)
        return per_file

    def _stream(
        self, paths: Sequence[Path], max_line_bytes: int, layers: Sequence[str], params: Mapping[str, Any] | None,
        sink: Sink, skips: Mapping[int, Any], ids: Sequence[int],
    ) -> tuple[list[list[RawReject]], list[int], list[LineCount | None], bool]:
        """One streamed read of ``paths`` (handed on as ``__file`` = ``ids[i]``): the rejects
        per file, the lines handed on per file (blank ones included), the files' own line
        counts, and whether the read failed. ``skips``: rejected lines known beforehand."""
        n = next(_counter)
        rj, rs = f"__rj{n}", f"__rs{n}"
        names = [str(p) for p in paths]
        drop_raw = ", raw" if len(layers) == 1 else ""
        sql = (
            f"SELECT list_position($names, filename)::INTEGER - 1 AS __file, "  # noqa: S608
            f"* EXCLUDE (filename{drop_raw}) FROM ({self._lines_sql(layers)})"
        )
        seen = [0] * len(paths)
        per_file: list[list[RawReject]] = [[] for _ in names]
        failed = False
        # A second connection streams the read while this one runs the sink's statements.
        cur = self._con.cursor()
        try:
            with ThreadPoolExecutor(1) as pool:
                # The line count that proves the read right runs beside it (DuckDB releases the GIL).
                counting = pool.submit(lambda: [count_lines(p) for p in paths])
                try:
                    cur.execute("SET TimeZone = 'UTC'")
                    reader = cur.sql(sql, params={
                        "p": [_literal(p) for p in names], "names": names, "d": _LINE_DELIM, "rj": rj, "rs": rs,
                        "m": max_line_bytes, **(params or {})}).to_arrow_reader(_STREAM_ROWS)
                    # Batches are handed on in whole row groups of the stored table: an insert
                    # of whole groups is written once, compressed, as it runs (DuckDB's
                    # optimistic write). A part group went through the write-ahead log, which
                    # this open read keeps from being checkpointed, and was written a second
                    # time by the first checkpoint after the readers (16.7 s at 10M events).
                    # Blank or rejected lines leave a group a few rows short: only those go
                    # through the log.
                    pending: list[Any] = []
                    held = 0
                    # The next batches are read while this thread stores the last ones.
                    with fetched_ahead(reader, _AHEAD) as batches:
                        for batch in batches:
                            pending.append(batch)
                            held += batch.num_rows
                            if held >= _STREAM_ROWS:
                                table = pa.Table.from_batches(pending)  # chunks kept: slicing copies nothing
                                cut = held - held % _ROW_GROUP
                                self._hand_on(table.slice(0, cut), seen, skips, ids, sink)
                                pending = table.slice(cut).to_batches()
                                held -= cut
                    if held:
                        self._hand_on(pa.Table.from_batches(pending, schema=reader.schema), seen, skips, ids, sink)
                    index = {name: i for i, name in enumerate(names)}
                    for path, r in self._take_rejects(rj, rs, 0, con=cur):
                        per_file[index[path]].append(r)
                except (duckdb.Error, EngineError) as e:
                    _log.debug("streamed read failed: %s", e.__class__.__name__)
                    failed = True
                counts = counting.result()
        finally:
            cur.close()
        return per_file, seen, counts, failed

    def _hand_on(self, batch: Any, seen: list[int], skips: Mapping[int, Any], ids: Sequence[int], sink: Sink) -> None:
        """Number one streamed batch (rows come in file order, files in the order given), drop
        its blank lines and hand it to ``sink``."""
        f = batch.column(0).to_numpy()
        line = np.empty(len(f), dtype=np.int64)
        cuts = (np.flatnonzero(f[1:] != f[:-1]) + 1).tolist()
        for s, e in zip([0, *cuts], [*cuts, len(f)], strict=True):
            i = int(f[s])
            ordinal = np.arange(seen[i] + 1, seen[i] + 1 + e - s, dtype=np.int64)
            line[s:e] = ordinal + np.searchsorted(skips[i], ordinal, side="left") if i in skips else ordinal
            seen[i] += e - s
        cols = [c for c in batch.schema.names if c not in ("__file", "line", "__blank")]
        table = pa.Table.from_arrays(
            [pa.array(np.asarray(ids, dtype=np.int32)[f]), pa.array(line), *(batch.column(c) for c in cols)],
            names=["__file", "line", *cols],
        )
        blank = batch.column("__blank")
        if pc.any(blank).as_py():  # a filter copies every column: only for a batch with a blank line
            table = table.filter(pc.invert(blank))
        self._hand_to(table, sink)

    def _hand_to(self, table: Any, sink: Sink) -> None:
        name = f"__engine_batch{next(_counter)}"
        self._con.register(name, table)
        try:
            sink(name)
        finally:
            self._con.unregister(name)

    def _lines_slow(
        self, path: Path, file_index: int, max_line_bytes: int, layers: Sequence[str],
        params: Mapping[str, Any] | None, sink: Sink,
    ) -> list[RawReject]:
        """Read one file line by line in Python (:func:`text_lines`) through the same layers."""
        _keeps_order(layers)
        sql = f"SELECT raw, {layers[0]} FROM (SELECT unnest($u_raw::VARCHAR[]) AS raw)"  # noqa: S608
        for layer in layers[1:]:
            sql = f"SELECT {layer} FROM ({sql})"  # noqa: S608
        if len(layers) == 1:
            sql = f"SELECT * EXCLUDE (raw) FROM ({sql})"  # noqa: S608
        rejects: list[RawReject] = []
        batches = ((lines, {"u_raw": raw}) for lines, raw in _batched(text_lines(path, max_line_bytes), rejects))
        self._load_python(sql, batches, file_index, params, sink)
        return rejects

    def _load_python(
        self, sql: str, batches: Iterator[tuple[list[int], dict[str, list[str]]]], file_index: int | None,
        params: Mapping[str, Any] | None, sink: Sink,
    ) -> None:
        """Run ``sql`` over each batch of records read in Python (bound as lists, never stored
        before the layers have run) and hand the result, with each record's line (and
        ``__file`` when ``file_index`` is given), to ``sink``: a batch at a time."""
        for lines, cols in batches:
            try:
                rows = self._con.sql(sql, params={**cols, **(params or {})}).to_arrow_table()
            except duckdb.Error as e:
                raise EngineError(str(e).splitlines()[0], sql, self.name) from e
            # The layers are projections: one result row per record, in order.
            lead = [] if file_index is None else [pa.array([file_index] * len(lines), pa.int32())]
            names = ([] if file_index is None else ["__file"]) + ["line", *rows.column_names]
            self._hand_to(pa.Table.from_arrays([*lead, pa.array(lines, pa.int64()), *rows.columns], names=names), sink)

    def _into(self, table: str, append: bool) -> Sink:
        """A sink that creates the temporary ``table`` from the first batch (unless ``append``)
        and appends the others."""
        made = append

        def sink(rel: str) -> None:
            nonlocal made
            verb = f"INSERT INTO {ident(table)}" if made else f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS"
            self.execute(f"{verb} SELECT * FROM {ident(rel)}")  # noqa: S608
            made = True

        return sink

    def drop(self, name: str) -> None:
        """Drop a table or view made by a reader, with whatever it was built on."""
        if name in self._owned:
            self.execute(f"DROP VIEW IF EXISTS {ident(name)}")
            for under in self._owned.pop(name):
                self.execute(f"DROP TABLE IF EXISTS {ident(under)}")
        else:
            self.execute(f"DROP TABLE IF EXISTS {ident(name)}")

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
        _keeps_order(layers)
        n = next(_counter)
        rj, rs, tmp = f"__rj{n}", f"__rs{n}", f"__engine_csv{n}"
        # Header names are bound positionally as c0..cN: a header is bundle text, never SQL.
        cols = {f"c{i}": "VARCHAR" for i in range(len(header))}
        # The layers (typing, tokenisation) run inside the reading statement, so a clear
        # sensitive value is never stored in any table.
        sql = (
            f"SELECT {layers[0]} FROM read_csv($p, columns=$cols, header=$hdr, encoding=$enc, "  # noqa: S608
            "delim=',', quote='\"', escape='\"', auto_detect=false, strict_mode=true, "
            "store_rejects=true, rejects_table=$rj, rejects_scan=$rs, max_line_size=$m)"
        )
        for layer in layers[1:]:
            sql = f"SELECT {layer} FROM ({sql})"  # noqa: S608
        first = 2 if has_header else 1
        with ThreadPoolExecutor(1) as pool:
            counting = pool.submit(count_lines, path)
            try:
                self.execute(
                    f"CREATE OR REPLACE TEMP TABLE {ident(tmp)} AS {sql}",  # noqa: S608
                    {"p": _literal(str(path)), "cols": cols, "rj": rj, "rs": rs, "m": max_line_bytes,
                     "hdr": has_header, "enc": encoding, **(params or {})},
                )
                # The rejects table holds the offending line verbatim: read the numbers, drop it now.
                rejects: list[RawReject] | None = [r for _path, r in self._take_rejects(rj, rs, 0, header)]
            except EngineError:
                for t in (rj, rs, tmp):
                    self.execute(f"DROP TABLE IF EXISTS {ident(t)}")
                rejects = None
            counts = counting.result()
        # The fast read numbers records by position. That holds when nothing was rejected and
        # every record is one line: the file's lines (less blank ones at its end, which readers
        # skip) are then exactly the header and the records. Anything else (a bad row, a
        # quoted field over two lines, a blank line, mixed line ends, a damaged gzip) is read
        # again record by record, each with its first physical line.
        if rejects == [] and counts is not None:
            (records,) = self.query(f"SELECT count(*) FROM {ident(tmp)}")[0]  # noqa: S608
            if counts.lines - counts.trailing_blank == records + first - 1:
                body = f"SELECT rowid + {first} AS line, * FROM {ident(tmp)}"  # noqa: S608
                if materialize:
                    self.execute(f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS {body}")
                    self.execute(f"DROP TABLE {ident(tmp)}")
                else:
                    self.execute(f"CREATE OR REPLACE TEMP VIEW {ident(table)} AS {body}")
                    self._owned[table] = [tmp]
                return []
        self.execute(f"DROP TABLE IF EXISTS {ident(tmp)}")
        return self._csv_slow(path, tuple(header), table, max_line_bytes, layers, params, has_header, encoding)

    def _csv_slow(
        self, path: Path, header: tuple[str, ...], table: str, max_line_bytes: int, layers: Sequence[str],
        params: Mapping[str, Any] | None, has_header: bool, encoding: str,
    ) -> list[RawReject]:
        """Read a CSV record by record in Python (:func:`csv_records`) through the same layers."""
        width = len(header)
        src = "SELECT " + ", ".join(f"unnest($u_c{i}::VARCHAR[]) AS c{i}" for i in range(width))
        sql = f"SELECT {layers[0]} FROM ({src})"  # noqa: S608
        for layer in layers[1:]:
            sql = f"SELECT {layer} FROM ({sql})"  # noqa: S608
        rejects: list[RawReject] = []
        records = csv_records(path, width, max_line_bytes, has_header, encoding, header)
        batches = ((lines, _columns(rows, width)) for lines, rows in _batched(records, rejects))
        self._load_python(sql, batches, None, params, self._into(table, False))
        return rejects

    def load_json_documents(self, path: Path, table: str, array: bool = False, max_bytes: int = 1 << 30) -> list[int]:
        # DuckDB holds one whole value (an array element, or the document) in memory at a time;
        # its own limit has a floor of 16 MiB, so elements between ours and that are found here.
        self.execute(
            f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS "  # noqa: S608
            "SELECT CASE WHEN strlen(json::VARCHAR) <= $m THEN json END AS doc "
            "FROM read_json_objects($p, format=$f, maximum_object_size=$mo)",
            {"p": _literal(str(path)), "f": "array" if array else "unstructured", "m": max_bytes,
             "mo": min(max(max_bytes, 1 << 24), 1 << 30)},
        )
        return [int(r[0]) for r in self.query(
            f"SELECT line FROM (SELECT rowid + 1 AS line, doc FROM {ident(table)}) WHERE doc IS NULL"  # noqa: S608
        )]

    def load_json_records(self, path: Path, table: str, array: bool = False, max_bytes: int = 1 << 30) -> list[int]:
        docs = f"__jd_{table}"
        over = self.load_json_documents(path, docs, array=array, max_bytes=max_bytes)
        if array:  # elements in file order; one over the limit (doc NULL) is left out
            self.execute(
                f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS SELECT * FROM ("  # noqa: S608
                f"SELECT row_number() OVER () AS line, doc AS j FROM {ident(docs)}) WHERE j IS NOT NULL"
            )
        else:
            self.execute(
                f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS "  # noqa: S608
                f"WITH d AS (SELECT row_number() OVER () AS doc_no, doc FROM {ident(docs)}), "
                f"e AS (SELECT doc_no, CASE WHEN json_type(json_extract(doc, '$.value')) = 'ARRAY' "
                f"THEN json_extract(doc, '$.value[*]') WHEN json_type(doc) = 'ARRAY' "
                f"THEN json_extract(doc, '$[*]') ELSE [doc] END AS items FROM d), "
                f"u AS (SELECT doc_no, unnest(items) AS j, generate_subscripts(items, 1) AS i FROM e) "
                f"SELECT row_number() OVER (ORDER BY doc_no, i) AS line, j FROM u"
            )
        self.execute(f"DROP TABLE {ident(docs)}")
        return over

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        # One statement, the values bound as one list per column and unnested side by side:
        # thousands of times faster than a prepared INSERT per row.
        cols = list(zip(*rows, strict=True))
        params = {f"c{i}": list(c) for i, c in enumerate(cols)}
        sel = ", ".join(f"unnest($c{i})" for i in range(len(cols)))
        self.execute(
            f"INSERT INTO {ident(table)} ({', '.join(ident(c) for c in columns)}) SELECT {sel}",  # noqa: S608
            params,
        )

    # -- functions and export ----------------------------------------------------------------
    def register_scalar(
        self, name: str, fn: Callable[..., Any], arg_types: Sequence[str], return_type: str
    ) -> None:
        _log.debug("scalar: %s(%s) -> %s", name, ", ".join(arg_types), return_type)
        try:
            self._con.remove_function(name)
        except duckdb.Error:
            pass
        try:
            self._con.create_function(
                name,
                fn,
                [duckdb.sqltype(t) for t in arg_types],
                duckdb.sqltype(return_type),
                null_handling=duckdb_func.SPECIAL,
                side_effects=False,
            )
        except duckdb.Error as e:
            raise EngineError(str(e).splitlines()[0], f"-- register {name}", self.name) from e

    def export_jsonl(self, sql: str, path: Path, params: Params = None) -> int:
        rel = self._run(f"SELECT count(*) FROM ({sql})", params).fetchone()  # noqa: S608
        self._run(
            f"COPY ({sql}) TO '{_quote_path(path)}' (FORMAT json)",  # noqa: S608
            params,
        )
        return int(rel[0]) if rel else 0

    def export_parquet(self, sql: str, path: Path, params: Params = None) -> None:
        self._run(f"COPY ({sql}) TO '{_quote_path(path)}' (FORMAT parquet)", params)  # noqa: S608

    def load_parquet(self, table: str, path: Path) -> None:
        self.execute(f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS SELECT * FROM read_parquet($p)",  # noqa: S608
                     {"p": str(path)})

    def splink_api(self) -> Any:
        from splink import DuckDBAPI
        from splink.internals.dialects import DuckDBDialect

        from unmask.engine.splink_api import same_sample_api

        return same_sample_api(DuckDBAPI, DuckDBDialect, "('0x' || left(md5(CAST({col} AS VARCHAR)), 15))::BIGINT",
                               connection=self._con)

    def save(self) -> None:
        """Write what the log still holds into the store's file now, not at close: the scan's
        "store" timing then shows the last checkpoint, which otherwise ran outside every stage."""
        self.execute("CHECKPOINT")

    def close(self) -> None:
        self._con.close()


_BATCH = 20_000  # records bound per statement on the careful path
# Lines per batch of a streamed read: about 100 MB of typed Okta columns, few enough
# statements per million lines that their cost does not show.
_STREAM_ROWS = 200_000
_ROW_GROUP = 122_880  # DuckDB's rows per row group of a stored table
_AHEAD = 2  # streamed batches read ahead of the one being stored (engine/duckdb/ahead.py)

Sink = Callable[[str], None]
_T = TypeVar("_T")


def _batched(
    items: Iterable[tuple[int, _T] | Reject], rejects: list[RawReject]
) -> Iterator[tuple[list[int], list[_T]]]:
    """Records read the careful way, ``_BATCH`` at a time with their lines; rejects go to
    ``rejects``. The last batch may be empty (so a table is made even for no records)."""
    lines: list[int] = []
    values: list[_T] = []
    for item in items:
        if isinstance(item, Reject):
            rejects.append(RawReject(item.line, item.reason, item.stop))
            continue
        lines.append(item[0])
        values.append(item[1])
        if len(lines) >= _BATCH:
            yield lines, values
            lines, values = [], []
    yield lines, values


def _columns(rows: list[list[str]], width: int) -> dict[str, list[str]]:
    return {f"u_c{i}": [r[i] for r in rows] for i in range(width)}


def _literal(path: str) -> str:
    """A path DuckDB reads as itself: its readers expand ``*``, ``?`` and ``[...]`` as a glob,
    so a file named ``[c].jsonl`` would read ``c.jsonl``. Each is wrapped in a class of one."""
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in path)


def _quote_path(path: Path) -> str:
    # COPY TO takes no parameter for its target; the path is ours (the output folder), not
    # bundle text, and is still quoted.
    return str(path).replace("'", "''")


__all__ = ["DuckDBEngine"]
