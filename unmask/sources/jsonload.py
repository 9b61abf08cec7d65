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

from unmask.engine.sqlbuild import ident
from unmask.sources.base import (
    _CHECKED,
    FileReport,
    LoadContext,
    Part,
    _open_text,
    _plain,
    error_expr,
    finish,
    materialise,
    reject_raw,
    sql_str,
    typed,
    unreadable,
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


def _path_expr(root: str, paths: tuple[str, ...]) -> str:
    # Paths are constants of ours, written into the SQL as literals.
    parts = [f"json_extract_string({root}, {sql_str(p)})" for p in paths]
    inner = parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"
    return f"nullif(trim({inner}), '')"


def _json_expr(root: str, paths: tuple[str, ...]) -> str:
    parts = [f"json_extract({root}, {sql_str(p)})" for p in paths]
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


def load_json_part(
    ctx: LoadContext,
    part: Part,
    path: Path,
    *,
    record_sql: str = "j",
    explode: str | None = None,
    report: FileReport | None = None,
) -> FileReport:
    """Load one file of ``part``.

    ``record_sql`` maps the parsed JSON ``j`` to the record root (e.g. Entra's ``properties``).
    ``explode``, if given, is a JSON path to an array whose elements become the records.
    """
    if report is None:
        report = FileReport(path.relative_to(ctx.bundle).as_posix(), part.id)
    rel = report.path
    try:
        layout = sniff_layout(path)
    except UnicodeDecodeError:
        layout = "lines"  # bad bytes are rejected line by line below
    except (OSError, EOFError, zlib.error) as e:
        layout = "lines"
        if path.suffix != ".gz":
            return unreadable(ctx, report, f"cannot open: {_plain(e)}")
    eng = ctx.engine
    parsed = f"__js{next(_n)}"
    readable, salvage_reject = materialise(ctx, path, report)
    unit = "line"
    if layout == "lines":
        raw = f"__jl{next(_n)}"
        try:
            raw_rejects = eng.load_lines(readable, raw, ctx.config.max_line_bytes)
        except Exception as e:  # noqa: BLE001
            return unreadable(ctx, report, f"cannot read as text lines: {_plain(e)}")
        if salvage_reject:
            raw_rejects.append(salvage_reject)
        reject_raw(ctx, rel, part.id, raw_rejects, unit)
        report.rejected += len(raw_rejects)
        eng.execute(
            f"CREATE TEMP TABLE {ident(parsed)} AS SELECT line, "  # noqa: S608
            f"CASE WHEN json_valid(raw) THEN raw::JSON END AS j, "
            f"CASE WHEN NOT json_valid(raw) THEN 'not valid JSON' END AS _perr FROM {ident(raw)}"
        )
        eng.execute(f"DROP TABLE {ident(raw)}")
    else:
        unit = "record"
        docs = f"__jd{next(_n)}"
        try:
            eng.load_json_documents(readable, docs, array=layout == "array")
        except Exception as e:  # noqa: BLE001
            return unreadable(ctx, report, f"not valid JSON: {_plain(e)}")
        if layout == "array":  # elements stream straight from the reader, in file order
            eng.execute(
                f"CREATE TEMP TABLE {ident(parsed)} AS SELECT row_number() OVER () AS line, doc AS j, "  # noqa: S608
                f"NULL::VARCHAR AS _perr FROM {ident(docs)}"
            )
        else:  # one or more documents; a Graph page's "value" array is unrolled
            eng.execute(
                f"CREATE TEMP TABLE {ident(parsed)} AS "  # noqa: S608
                f"WITH d AS (SELECT row_number() OVER () AS doc_no, doc FROM {ident(docs)}), "
                f"e AS (SELECT doc_no, CASE WHEN json_type(json_extract(doc, '$.value')) = 'ARRAY' "
                f"THEN json_extract(doc, '$.value[*]') WHEN json_type(doc) = 'ARRAY' THEN json_extract(doc, '$[*]') "
                f"ELSE [doc] END AS items FROM d), "
                f"u AS (SELECT doc_no, unnest(items) AS j, generate_subscripts(items, 1) AS i FROM e) "
                f"SELECT row_number() OVER (ORDER BY doc_no, i) AS line, j, NULL::VARCHAR AS _perr FROM u"
            )
        eng.execute(f"DROP TABLE {ident(docs)}")

    if explode:
        exploded = f"__jx{next(_n)}"
        eng.execute(
            f"CREATE TEMP TABLE {ident(exploded)} AS "  # noqa: S608
            f"SELECT line, j AS parent, _perr, "
            f"CASE WHEN json_type(json_extract(j, {sql_str(explode)})) = 'ARRAY' "
            f"THEN json_extract(j, {sql_str(explode + '[*]')}) ELSE [NULL::JSON] END AS items "
            f"FROM {ident(parsed)}"
        )
        eng.execute(f"DROP TABLE {ident(parsed)}")
        eng.execute(
            f"CREATE TEMP TABLE {ident(parsed)} AS "  # noqa: S608
            f"SELECT line, CASE WHEN item IS NULL THEN parent "
            f"ELSE json_merge_patch(parent, json_object('__item', item)) END AS j, _perr FROM ("
            f"SELECT line, parent, _perr, unnest(items) AS item, generate_subscripts(items, 1) AS i "
            f"FROM {ident(exploded)}) ORDER BY line, i"
        )
        eng.execute(f"DROP TABLE {ident(exploded)}")

    root = "r"
    selects = ["$file AS source_file", "line"]
    checks: list[tuple[str, str]] = [
        ("_perr IS NOT NULL", "_perr"),
        ("json_type(j) <> 'OBJECT'", "'not a JSON object'"),
    ]
    for c in part.columns:
        if c.kind == "json":
            selects.append(f"{_json_expr(root, c.paths)} AS {ident(c.name)}")
            continue
        text = _path_expr(root, c.paths)
        conv = typed(text, c.kind)
        if c.required:
            checks.append((f"{text} IS NULL", sql_str(f"no {c.name}")))
        if c.kind in _CHECKED:
            checks.append((f"{text} IS NOT NULL AND {conv} IS NULL", sql_str(f"invalid {c.name}")))
        selects.append(f"{conv} AS {ident(c.name)}")
    selects.append(f"{error_expr(checks)} AS _err")
    staged = f"__jst{next(_n)}"
    eng.execute(
        f"CREATE TEMP TABLE {ident(staged)} AS SELECT {', '.join(selects)} FROM "  # noqa: S608
        f"(SELECT *, {record_sql} AS r FROM {ident(parsed)})",
        {"file": rel},
    )
    eng.execute(f"DROP TABLE {ident(parsed)}")
    return finish(ctx, part, staged, report, unit)
