"""Generic JSON loader: JSON Lines, a JSON array, or a Graph-style ``{"value": [...]}`` page.

A part lists its columns as JSON paths; records are parsed once by DuckDB and projected in
one statement. Line-oriented files keep their line numbers; records inside one JSON document
are numbered by their position (``unit = "record"``).
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from unmask.engine import Engine, JsonLinesInserter, RawReject, StreamingReader
from unmask.engine.sqlbuild import ident
from unmask.engine.textfiles import over_limit
from unmask.sources.base import (
    _CHECKED,
    Col,
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
        for full in _alternatives(c, prefixes):
            if full not in out:
                out.append(full)
    return out


def _extract_sql(src: str, paths: list[str]) -> str:
    """One parse per record: DuckDB extracts a list of paths from a document in a single pass."""
    return f"json_extract_string({src}, [{', '.join(sql_str(p) for p in paths)}])"


def _column_layers(part: Part, paths: list[str], prefixes: tuple[str, ...]) -> tuple[str, str, str]:
    """The line reader's layers over ``x``, the list of every path's text (see :func:`_layers`)."""
    raws = {}
    for c in part.columns:
        alts = [f"x[{paths.index(full) + 1}]" for full in _alternatives(c, prefixes)]
        raws[c.name] = alts[0] if len(alts) == 1 else f"coalesce({', '.join(alts)})"
    return _layers(part, raws)


def _alternatives(c: Col, prefixes: tuple[str, ...]) -> list[str]:
    """A column's JSON paths in the order tried: each of its paths under every prefix."""
    return [p if pre == "$" or p == "$" else pre + p[1:] for p in c.paths for pre in prefixes]


def _layers(part: Part, raws: Mapping[str, str], hops: frozenset[str] = frozenset()) -> tuple[str, str, str]:
    """Three select lists over each column's raw value (``raws``): each column's text, the
    typed columns, then the row checks (the first has no ``_perr``; the others carry it).
    A column in ``hops`` (an ``ips`` column read by the JSON reader) is already a list of hops.

    A column's text (``name__text``: trimmed, NULL when empty) is made once, in a layer of its
    own: a time's conversion names it a dozen times, and trimming it at each (as when the
    text was written into the conversion) cost a quarter of reading 1M Okta events. Each
    checked value keeps its text beside it, so the check does not convert it a second time.
    """
    texts: list[str] = []
    typed_cols: list[str] = ["_perr"]
    checks: list[tuple[str, str]] = [("_perr IS NOT NULL", "_perr")]
    for c in part.columns:
        raw = raws[c.name]
        t = ident(c.name + "__text")
        if c.kind == "json":
            texts.append(f"{raw} AS {t}")  # a JSON value is kept as written, never trimmed
            typed_cols.append(f"try_cast({t} AS JSON) AS {ident(c.name)}")
            continue
        if c.name in hops:
            texts.append(f"{raw} AS {t}")
            typed_cols.append(f"list_filter(list_transform({t}, lambda h: h.ip), lambda i: i IS NOT NULL) "
                              f"AS {ident(c.name)}")
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


@dataclass(frozen=True)
class RecordShape:
    """How the engine's JSON reader reads a part's records: the struct type of a record (only
    the keys the part reads), each column's raw value from it (``j``), and the guard a row
    must pass for the struct to have seen all it would have read.

    Key names compare without case in the engine (a struct cannot hold both ``eventType`` and
    ``eventtype``), while JSON keys do not. Of two spellings of one key the first is read; a
    record in which the first is missing or null may hold the other, and fails the guard
    (its file is then read the careful way). One difference is left: a record holding both
    spellings of a key, with a field only under the second, is read with that field empty.
    """

    record_type: str
    raws: dict[str, str]
    hops: frozenset[str]
    guard: str
    guarded: tuple[tuple[str, ...], ...]  # the keys the guard asks for, as chains of keys
    tree: dict[str, object]  # the keys read, nested as in the record; a leaf is its SQL type


def record_shape(part: Part, prefixes: tuple[str, ...]) -> RecordShape | None:
    """The part's :class:`RecordShape`, or None when its paths cannot be one struct (a path
    that is no plain chain of keys, a key read both as a value and as an object)."""
    tree: dict[str, object] = {}
    raws: dict[str, str] = {}
    guards: dict[tuple[str, ...], str] = {}
    hops = {c.name for c in part.columns if c.kind == "ips"}
    for c in part.columns:
        leaf = "JSON" if c.kind == "json" else 'STRUCT("ip" VARCHAR)[]' if c.kind == "ips" else "VARCHAR"
        reads = []
        for full in _alternatives(c, prefixes):
            keys = full[2:].split(".") if full.startswith("$.") else []
            if not keys or any(not k or not k.replace("_", "").isalnum() for k in keys):
                return None
            node, seen = tree, ["j"]
            for depth, k in enumerate(keys):
                other = next((o for o in node if o.lower() == k.lower()), k)
                if other != k:  # another spelling of this key is read already
                    guards[(*keys[:depth], other)] = f"{'.'.join([*seen, ident(other)])} IS NULL"
                    break
                seen.append(ident(k))
                last = depth == len(keys) - 1
                child = node.setdefault(k, leaf if last else {})
                if last != isinstance(child, str) or (last and child != leaf):
                    return None
                if not last:
                    node = child  # type: ignore[assignment]
            else:
                reads.append(".".join(seen))
        if not reads:
            return None
        if c.kind == "json":
            # The line reader keeps a JSON string's text (unescaped) where it can be JSON itself,
            # and nothing where it cannot; other values are the same text in both readers. The
            # first text of several is taken even when it is no JSON, as there.
            if len(reads) == 1:
                r = reads[0]
                reads = [f"CASE WHEN starts_with({r}::VARCHAR, '\"') "
                         f"THEN try_cast(json_extract_string({r}, '$') AS JSON) ELSE {r} END"]
            else:
                reads = [f"CASE WHEN starts_with({r}::VARCHAR, '\"') THEN json_extract_string({r}, '$') "
                         f"ELSE {r}::VARCHAR END" for r in reads]
        raws[c.name] = reads[0] if len(reads) == 1 else f"coalesce({', '.join(reads)})"

    def render(node: dict[str, object]) -> str:
        return "STRUCT(" + ", ".join(
            f"{ident(k)} {v if isinstance(v, str) else render(v)}"  # type: ignore[arg-type]
            for k, v in node.items()) + ")"

    return RecordShape(render(tree), raws, frozenset(hops), " OR ".join(guards.values()) or "false",
                       tuple(guards), tree)


def _fits(path: Path, shape: RecordShape) -> bool:
    """Whether the file's first record is read whole by the engine's JSON reader: it passes the
    guard, and every object the shape reads into is an object (an export that writes ``""``
    for an empty ``debugData`` fails the read). Such a file goes to the careful reader without
    a read in vain; a record further on that does not fit costs one."""
    import orjson

    try:
        with _open_text(path) as fh:
            first = orjson.loads(fh.readline(1 << 20))
    except (OSError, EOFError, ValueError, zlib.error):
        return False
    if not isinstance(first, dict):
        return False
    for keys in shape.guarded:
        node: object = first
        for k in keys:
            node = node.get(k) if isinstance(node, dict) else None
        if node is None:
            return False
    return _shaped(first, shape.tree)


def _shaped(value: dict[str, object], tree: dict[str, object]) -> bool:
    for k, sub in tree.items():
        v = value.get(k)
        if v is None:
            continue
        if isinstance(sub, dict):
            if not isinstance(v, dict) or not _shaped(v, sub):
                return False
        elif str(sub).endswith("[]") and not (isinstance(v, list) and all(h is None or isinstance(h, dict) for h in v)):
            return False
    return True


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
        batch = _insert_proved(ctx, part, batch, prefixes, out)
    if batch:
        out.extend(_load_lines_fast(ctx, part, batch, prefixes))
    return out


def _insert_proved(
    ctx: LoadContext, part: Part, batch: list[tuple[Path, FileReport]], prefixes: tuple[str, ...],
    out: list[FileReport],
) -> list[tuple[Path, FileReport]]:
    """Store what the engine's own JSON reader can prove whole (engine/duckdb/jsonlines.py),
    adding those files' reports to ``out``; the files left for the careful reader are returned.

    Only for a part without a unique key (its rows go straight to its table), and only on an
    engine that has such a reader. The same layers type the values: a stored row is the row
    the careful reader would have stored, and a file with anything to reject is left to it."""
    eng = ctx.engine
    if not isinstance(eng, JsonLinesInserter) or part.key:
        return batch
    shape = record_shape(part, prefixes)
    if shape is None:
        return batch
    tried = [(p, r) for p, r in batch if _fits(p, shape)]
    if not tried:
        return batch
    text_layer, typed_layer, check_layer = _layers(part, shape.raws, shape.hops)
    first = (f"{text_layer}, CASE WHEN j IS NULL THEN 'not a JSON object' "
             f"WHEN {shape.guard} THEN 'may hold another spelling' END AS _perr")
    told = 0

    def on_rows(n: int) -> None:
        nonlocal told
        if n > told:
            ctx.read(n - told)
            told = n

    stored = eng.insert_json_lines(
        [p for p, _r in tried], [r.path for _p, r in tried], part.table, shape.record_type,
        (first, typed_layer, check_layer), ctx.token_params if uses_token(part) else None,
        ctx.config.max_line_bytes, on_rows)
    proved = [(r, n) for (_p, r), n in zip(tried, stored, strict=True) if n is not None]
    ctx.read(max(0, sum(n for _r, n in proved) - told))
    for report, n in proved:
        report.loaded += n
        report.read = report.loaded + report.rejected
        ctx.done(report)
        out.append(report)
    done = {id(r) for r, _n in proved}
    return [(p, r) for p, r in batch if id(r) not in done]


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
