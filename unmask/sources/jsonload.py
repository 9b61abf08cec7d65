"""Generic JSON loader: JSON Lines, a JSON array, or a Graph-style ``{"value": [...]}`` page.

A part lists its columns as JSON paths; records are parsed once by DuckDB and projected in
one statement. Line-oriented files keep their line numbers; records inside one JSON document
are numbered by their position (``unit = "record"``).
"""

from __future__ import annotations

import itertools
import zlib
from pathlib import Path
from typing import Literal

from unmask.engine import Engine, RawReject, StreamingReader
from unmask.engine.sqlbuild import ident
from unmask.engine.textfiles import over_limit
from unmask.sources.base import (
    _CHECKED,
    FileReport,
    LoadContext,
    Part,
    _open_text,
    _plain,
    checked_layer,
    count_files,
    finish,
    finish_many,
    forget_file,
    move_rows,
    note_stop,
    readable_path,
    reject_raw,
    sql_str,
    trimmed,
    typed,
    unreadable,
    uses_token,
)

_n = itertools.count()
Layout = Literal["lines", "array", "document"]


def sniff_layout(path: Path) -> Layout:
    """JSON Lines, one top-level array, or other documents (pretty-printed, Graph pages).

    The first line decides: if it is a whole JSON value and more follows, the file is JSON
    Lines; a lone line holding an array is an array (a minified API export); anything that
    does not fit on its first line is read as documents.
    """
    import orjson

    with _open_text(path) as fh:
        head = fh.read(1 << 16)
    stripped = head.lstrip()
    first, sep, rest = stripped.partition("\n")
    try:
        value = orjson.loads(first)
    except orjson.JSONDecodeError:
        if stripped.startswith("["):
            return "array"
        return "document" if stripped.startswith("{") else "lines"
    if sep and rest.strip():
        return "lines"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict) and isinstance(value.get("value"), list):
        return "document"
    return "lines"


def document_limit(max_line_bytes: int) -> int:
    """Bytes a whole JSON document may hold: 32 records' worth, from 16 MiB up to 1 GiB."""
    return min(max(32 * max_line_bytes, 1 << 24), 1 << 30)


def _all_paths(part: Part, prefixes: tuple[str, ...]) -> list[str]:
    """Every JSON path the part reads, each under every prefix (``$.properties`` then ``$``)."""
    out: list[str] = []
    for c in part.columns:
        for p in c.paths:
            for pre in prefixes:
                full = p if pre == "$" or p == "$" else pre + p[1:]
                if full not in out:
                    out.append(full)
    return out


def _extract_sql(src: str, paths: list[str]) -> str:
    """One parse per record: DuckDB extracts a list of paths from a document in a single pass."""
    return f"json_extract_string({src}, [{', '.join(sql_str(p) for p in paths)}])"


def _column_layers(part: Part, paths: list[str], prefixes: tuple[str, ...]) -> tuple[str, str, str]:
    """Three select lists over the extracted list ``x``: each column's text, the typed
    columns, then the row checks (the first has no ``_perr``; the others carry it).

    A column's text (``name__text``: trimmed, NULL when empty) is made once, in a layer of its
    own: a time's conversion names it a dozen times, and trimming it at each (as when the
    text was written into the conversion) cost a quarter of reading 1M Okta events. Each
    checked value keeps its text beside it, so the check does not convert it a second time.
    """
    texts: list[str] = []
    typed_cols: list[str] = ["_perr"]
    checks: list[tuple[str, str]] = [("_perr IS NOT NULL", "_perr")]
    for c in part.columns:
        alts = []
        for p in c.paths:
            for pre in prefixes:
                full = p if pre == "$" or p == "$" else pre + p[1:]
                alts.append(f"x[{paths.index(full) + 1}]")
        raw = alts[0] if len(alts) == 1 else f"coalesce({', '.join(alts)})"
        t = ident(c.name + "__text")
        if c.kind == "json":
            texts.append(f"{raw} AS {t}")  # a JSON value is kept as written, never trimmed
            typed_cols.append(f"try_cast({t} AS JSON) AS {ident(c.name)}")
            continue
        texts.append(f"{trimmed(raw)} AS {t}")
        typed_cols.append(f"{typed(t, c.kind)} AS {ident(c.name)}")
        if c.required or c.kind in _CHECKED:
            typed_cols.append(t)
            if c.required:
                checks.append((f"{t} IS NULL", sql_str(f"no {c.name}")))
            if c.kind in _CHECKED:
                checks.append((f"{t} IS NOT NULL AND {ident(c.name)} IS NULL", sql_str(f"invalid {c.name}")))
    return ", ".join(texts), ", ".join(typed_cols), checked_layer(part, checks)


_IS_OBJ = "CASE WHEN left(raw, 1) = '{' THEN true ELSE left(ltrim(raw), 1) = '{' END"
_PERR = (
    "CASE WHEN {v} IS NOT NULL THEN NULL WHEN NOT json_valid(raw) THEN 'not valid JSON' "
    "ELSE 'not a JSON object' END AS _perr"
)


def load_json_part(
    ctx: LoadContext,
    part: Part,
    path: Path,
    *,
    prefixes: tuple[str, ...] = ("$",),
    explode: str | None = None,
    report: FileReport | None = None,
) -> FileReport:
    """Load one file of ``part`` (see :func:`load_json_files`)."""
    (out,) = load_json_files(ctx, part, [path], prefixes=prefixes, explode=explode,
                             reports=[report] if report else None)
    return out


def load_json_files(
    ctx: LoadContext,
    part: Part,
    paths: list[Path],
    *,
    prefixes: tuple[str, ...] = ("$",),
    explode: str | None = None,
    reports: list[FileReport] | None = None,
) -> list[FileReport]:
    """Load files of ``part``; JSON Lines files are read together in one statement.

    ``prefixes`` are record roots tried in order for every path (Entra's diagnostic exports
    put the Graph fields under ``$.properties``). ``explode``, if given, is a JSON path to an
    array whose elements become the records (osquery snapshots), under the key ``__item``.
    """
    reports = reports or [FileReport(p.relative_to(ctx.bundle).as_posix(), part.id) for p in paths]
    out: list[FileReport] = []
    batch: list[tuple[Path, FileReport]] = []
    for path, report in zip(paths, reports, strict=True):
        try:
            layout = sniff_layout(path)
        except UnicodeDecodeError:
            layout = "lines"  # bad bytes are rejected line by line below
        except (OSError, EOFError, zlib.error) as e:
            layout = "lines"
            if path.suffix != ".gz":
                out.append(unreadable(ctx, report, f"cannot open: {_plain(e)}"))
                continue
        readable = readable_path(ctx, path)
        if layout == "lines" and not explode:
            batch.append((readable, report))
        else:
            out.append(_load_one_slow(ctx, part, readable, report, layout, prefixes, explode))
    if batch:
        out.extend(_load_lines_fast(ctx, part, batch, prefixes))
    return out


def _load_lines_fast(
    ctx: LoadContext, part: Part, batch: list[tuple[Path, FileReport]], prefixes: tuple[str, ...],
) -> list[FileReport]:
    """Read, validate, extract and type JSON Lines in the statement that reads the files.

    Each record is parsed once (a list of paths in one ``json_extract_string`` call); try()
    turns a parse error into NULL, and only those lines are examined again for a reason.
    """
    eng = ctx.engine
    paths = _all_paths(part, prefixes)
    x = f"CASE WHEN {_IS_OBJ} THEN try({_extract_sql('raw', paths)}) END AS x"
    text_layer, typed_layer, check_layer = _column_layers(part, paths, prefixes)
    staged = f"__js{next(_n)}"
    reports = [r for _p, r in batch]

    layers = (x, f"{text_layer}, {_PERR.format(v='x')}", typed_layer, check_layer)
    params = ctx.token_params if uses_token(part) else None
    # Without a unique key to check, the rows go straight to the part table in bounded
    # batches as they are read: no staged copy of the part is ever held.
    streamed = isinstance(eng, StreamingReader) and not part.key
    counts: dict[int, tuple[int, int]] = {}
    files = [r.path for r in reports]

    def sink(rel: str) -> None:
        for i, (a, b) in move_rows(ctx, part, rel, files, "line").items():
            loaded, rejected = counts.get(i, (0, 0))
            counts[i] = (loaded + a, rejected + b)

    def undo(i: int) -> None:
        forget_file(ctx, part, files[i])
        counts.pop(i, None)

    def read(paths: list[Path]) -> list[list[RawReject]]:
        if isinstance(eng, StreamingReader) and streamed:
            return eng.stream_lines(paths, ctx.config.max_line_bytes, layers, params, sink, undo)
        return eng.load_lines(paths, staged, ctx.config.max_line_bytes, layers, params,
                              materialize=part.key is not None)

    per_file: list[list[RawReject]]
    try:
        per_file = read([p for p, _r in batch])
    except Exception as e:  # noqa: BLE001
        if streamed:  # what the sink was given before the failure is not kept
            for i in range(len(files)):
                undo(i)
        if len(batch) == 1:
            return [unreadable(ctx, reports[0], f"cannot read as text lines: {_plain(e)}")]
        # One bad file must not sink the others: read them one by one to find it.
        return [r for item in batch for r in _load_lines_fast(ctx, part, [item], prefixes)]
    for report, rejects in zip(reports, per_file, strict=True):
        note_stop(report, rejects)
        reject_raw(ctx, report.path, part.id, rejects, "line")
        report.rejected += len(rejects)
    if streamed:
        return count_files(ctx, reports, counts)
    return finish_many(ctx, part, staged, reports, "line")


def _load_one_slow(
    ctx: LoadContext, part: Part, readable: Path, report: FileReport, layout: Layout,
    prefixes: tuple[str, ...], explode: str | None,
) -> FileReport:
    """Whole JSON documents, or records to explode: parse to JSON first, then extract."""
    eng = ctx.engine
    paths = _all_paths(part, prefixes)
    raw_rejects: list[RawReject] = []
    parsed = f"__jp{next(_n)}"
    unit = "line"
    if layout == "lines":
        def read_lines(p: Path) -> list[RawReject]:
            (rejects,) = eng.load_lines(
                [p], parsed, ctx.config.max_line_bytes,
                (f"CASE WHEN {_IS_OBJ} THEN try(raw::JSON) END AS j", f"j, {_PERR.format(v='j')}"),
                materialize=True,
            )
            return rejects

        try:
            raw_rejects = read_lines(readable)
        except Exception as e:  # noqa: BLE001
            return unreadable(ctx, report, f"cannot read as text lines: {_plain(e)}")
    else:
        unit = "record"
        recs = f"__jd{next(_n)}"
        array = layout == "array"
        # An array element is a record and keeps to the record limit; a whole document (a Graph
        # page) is held at once, so it may be larger, but not without bound.
        limit = ctx.config.max_line_bytes if array else document_limit(ctx.config.max_line_bytes)
        try:
            over = eng.load_json_records(readable, recs, array=array, max_bytes=limit)
        except Exception as e:  # noqa: BLE001
            if "maximum_object_size" in str(e):
                return unreadable(ctx, report, f"a JSON value is over {limit} bytes: export the records as "
                                               "JSON Lines, or raise max_line_bytes")
            return unreadable(ctx, report, f"not valid JSON: {_plain(e)}")
        raw_rejects = [RawReject(i, over_limit(limit)) for i in over]
        eng.execute(f"CREATE TEMP TABLE {ident(parsed)} AS SELECT line, j, NULL::VARCHAR AS _perr "  # noqa: S608
                    f"FROM {ident(recs)}")
        eng.drop(recs)
    if explode:
        _explode(eng, parsed, explode)
    text_layer, typed_layer, check_layer = _column_layers(part, paths, prefixes)
    staged = f"__jt{next(_n)}"
    eng.execute(
        f"CREATE TEMP TABLE {ident(staged)} AS SELECT line, {check_layer} FROM (SELECT line, {typed_layer} FROM ("  # noqa: S608
        f"SELECT line, _perr, {text_layer} FROM ("
        f"SELECT line, CASE WHEN json_type(j) = 'OBJECT' THEN {_extract_sql('j', paths)} END AS x, "
        f"coalesce(_perr, CASE WHEN json_type(j) <> 'OBJECT' THEN 'not a JSON object' END) AS _perr "
        f"FROM {ident(parsed)})))",
        ctx.token_params if uses_token(part) else None,
    )
    eng.drop(parsed)
    note_stop(report, raw_rejects)
    reject_raw(ctx, report.path, part.id, raw_rejects, unit)
    report.rejected += len(raw_rejects)
    return finish(ctx, part, staged, report, unit)


def _explode(eng: Engine, parsed: str, path: str) -> None:
    """Replace each record holding an array at ``path`` by one record per element."""
    tmp = f"__jx{next(_n)}"
    eng.execute(
        f"CREATE TEMP TABLE {ident(tmp)} AS "  # noqa: S608
        f"SELECT line, j AS parent, _perr, "
        f"CASE WHEN json_type(json_extract(j, {sql_str(path)})) = 'ARRAY' "
        f"THEN json_extract(j, {sql_str(path + '[*]')}) ELSE [NULL::JSON] END AS items "
        f"FROM {ident(parsed)}"
    )
    eng.drop(parsed)
    eng.execute(
        f"CREATE TEMP TABLE {ident(parsed)} AS "  # noqa: S608
        f"SELECT line, CASE WHEN item IS NULL THEN parent "
        f"ELSE json_merge_patch(parent, json_object('__item', item)) END AS j, _perr FROM ("
        f"SELECT line, parent, _perr, unnest(items) AS item, generate_subscripts(items, 1) AS i "
        f"FROM {ident(tmp)}) ORDER BY line, i"
    )
    eng.drop(tmp)
