"""JSON Lines straight from DuckDB's JSON reader into a stored table, kept only where proved.

The line reader (``stream_lines``) reads each line as text, parses it with
``json_extract_string`` and streams typed batches through Arrow into the table: it numbers
every line and gives every bad one its reason. That care cost half again the time of the bare
``read_json`` of the same files (docs/benchmarks.md, sessions 17-20). Here ``read_json``
turns each record into a struct of just the keys a part reads, the part's layers type it in
the same statement, and one parallel ``INSERT ... SELECT`` stores the rows, with no batch
leaving the engine.

``read_json`` numbers nothing and stops at the first bad record, so what it stored is kept
only for a file it proves whole: every physical line of the file (counted beside the read,
:func:`count_lines`) became exactly one stored row. No blank line, no reject, nothing
skipped; then a row's line is its place among the file's rows, which the table's ``rowid``
keeps (an insert keeps the scan's order: files in the order given, lines in file order). A
file that is not proved is removed again and its caller reads it the careful way, which finds
and names what was wrong. A read that fails (a line that is no JSON object, a value of
another shape, a line over the size limit, a damaged gzip) stores nothing; the files are
then tried one by one, so that only the file at fault is left to the careful reader.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import duckdb

from unmask.engine.sqlbuild import ident
from unmask.engine.textfiles import LineCount, count_lines

_log = logging.getLogger("unmask.engine")
_POLL = 0.5  # seconds between two looks at the insert's progress
_BAD = -1  # the line of a stored row that failed a check, until its file is removed
_NEW = f"(line IS NULL OR line = {_BAD})"  # the rows of this read, before they are numbered


def insert_json_lines(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[Path],
    names: Sequence[str],
    rels: Sequence[str],
    table: str,
    record_type: str,
    layers: Sequence[str],
    params: Mapping[str, Any] | None,
    max_line_bytes: int,
    on_rows: Callable[[int], None] | None = None,
) -> list[int | None]:
    """Store the records of ``paths`` in ``table`` (``source_file`` = ``rels[i]``, ``line``,
    then the columns of the last layer but ``_err``); a file with a row that has an ``_err``
    is not kept.

    ``record_type`` is the struct each line is read as (``j``, beside ``__file``, the file's
    index, for the first layer). Returns each file's stored rows, or None for a file that was
    not proved whole (nothing of it is kept). ``on_rows`` is told, while the insert runs, the
    lines read so far: the engine's share of the read done times the lines counted (an
    estimate, never above the lines there are). ``names`` are the paths as DuckDB reads them
    (globs escaped)."""
    sql = (
        "SELECT file_index AS __file, json AS j FROM read_json($p, format='newline_delimited', records=false, "
        "columns=$cols, maximum_object_size=$m)"
    )
    for layer in layers:
        sql = f"SELECT __file, {layer} FROM ({sql})"  # noqa: S608
    # A row with an ``_err`` is stored too, its line -1, and removed with its file below: a
    # WHERE on ``_err`` was pushed below the typing and typed every value twice (a tenth of
    # the read at 1M events).
    insert = (
        f"INSERT INTO {ident(table)} SELECT list_extract($rels, (__file + 1)::BIGINT), "  # noqa: S608
        f"CASE WHEN _err IS NOT NULL THEN {_BAD} END, * EXCLUDE (__file, _err) FROM ({sql})"
    )
    bound = {"p": list(names), "cols": {"json": record_type}, "m": max_line_bytes, "rels": list(rels),
             **(params or {})}
    cur = con.cursor()
    try:
        cur.execute("SET TimeZone = 'UTC'")
        if on_rows:  # the engine keeps count of its progress only with the bar on (not printed)
            for setting in ("enable_progress_bar = true", "enable_progress_bar_print = false", "progress_bar_time = 0"):
                cur.execute(f"SET {setting}")
        with ThreadPoolExecutor(2) as pool:
            # The line count that proves the read runs beside it (DuckDB releases the GIL).
            counting = pool.submit(lambda: [count_lines(p) for p in paths])
            # No explicit transaction: one around the insert cost 0.7 s of 5 at 1M events. A
            # failed insert stores nothing (a statement is atomic); until the files are proved
            # their rows have no line, and the scan that would read them has not begun.
            inserting = pool.submit(_run, cur, insert, bound)
            try:
                while wait([inserting], timeout=_POLL).not_done:
                    if on_rows and counting.done():
                        share = cur.query_progress()
                        lines = sum(c.lines for c in counting.result() if c is not None)
                        if share > 0:
                            on_rows(int(min(share / 100, 1.0) * lines))
            except BaseException:
                cur.interrupt()  # a Ctrl-C stops the insert, not only this wait for it
                raise
            failed = inserting.result()
            counts = counting.result()
            if failed and len(paths) > 1:
                # One file the reader refuses must not send the others to the careful reader.
                return [
                    insert_json_lines(con, [p], [n], [r], table, record_type, layers, params, max_line_bytes)[0]
                    for p, n, r in zip(paths, names, rels, strict=True)
                ]
            if failed:
                return [None]
            try:
                return _stored(cur, table, rels, counts)
            except duckdb.Error as e:  # nothing unproved may stay: forget every file of this read
                _log.debug("json lines proof failed: %s", e.__class__.__name__)
                _forget(cur, table, rels)
                return [None] * len(paths)
    finally:
        cur.close()


def _run(cur: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any]) -> bool:
    """Run the insert; True when it failed (the reason is never shown: it may quote a line)."""
    try:
        cur.execute(sql, params)
        return False
    except duckdb.Error as e:
        _log.debug("json lines read refused: %s", e.__class__.__name__)
        return True


def _forget(cur: duckdb.DuckDBPyConnection, table: str, rels: Sequence[str]) -> None:
    """Remove what this read stored of the files ``rels`` (only its rows have no line yet)."""
    cur.execute(f"DELETE FROM {ident(table)} WHERE {_NEW} AND list_contains($f, source_file)",  # noqa: S608
                {"f": list(rels)})


def _stored(
    cur: duckdb.DuckDBPyConnection, table: str, rels: Sequence[str], counts: list[LineCount | None],
) -> list[int | None]:
    """Keep and number the files proved whole; remove the others' rows (only the rows just
    stored have no line)."""
    t = ident(table)
    found = {
        str(f): (int(n), int(bad), int(lo), int(hi))
        for f, n, bad, lo, hi in cur.execute(
            f"SELECT source_file, count(*), count(line), min(rowid), max(rowid) FROM {t} "  # noqa: S608
            f"WHERE {_NEW} AND list_contains($rels, source_file) GROUP BY source_file",
            {"rels": list(rels)},
        ).fetchall()
    }
    out: list[int | None] = []
    keep: list[tuple[str, int]] = []
    for rel, c in zip(rels, counts, strict=True):
        n, bad, lo, hi = found.get(rel, (0, 0, 0, -1))
        # Every physical line is one row, none failed a check, and the rows are one unbroken
        # run of the table.
        whole = c is not None and c.lines == n and not bad and hi - lo + 1 == n
        out.append(n if whole else None)
        if whole and n:
            keep.append((rel, lo))
    drop = [rel for rel, o in zip(rels, out, strict=True) if o is None]
    if drop:
        _forget(cur, table, drop)
    if keep:
        cur.execute(
            f"UPDATE {t} SET line = {t}.rowid - b.first + 1 FROM ("  # noqa: S608
            f"SELECT unnest($f) AS f, unnest($first) AS first) b WHERE {t}.source_file = b.f AND {t}.line IS NULL",
            {"f": [r for r, _ in keep], "first": [lo for _, lo in keep]},
        )
    return out

