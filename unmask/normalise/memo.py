"""Python parsers once per distinct input, remembered from one scan to the next.

Parsing an address (usaddress), a phone (phonenumbers) or an e-mail costs tens to hundreds of
microseconds in Python, and a workforce keeps its values from week to week. :func:`distinct_values`
finds the distinct inputs in SQL, joins them to the answers an earlier scan kept, runs the
parser only for the inputs not found, and leaves a table the stage joins back in SQL.

What is kept (``OUT/parse-cache.parquet``, beside the scans, mode 0600) is keyed by an HMAC
of the input under the scan's token key: it never holds an input, and a scan under another
key finds nothing. It holds the parser's answer (an address key, an E.164 number), which the
scan's own store holds too. An entry names its expression and :data:`MEMO_VERSION` (and the
package version), so a changed parser never reads an old answer.

The file a scan reads is never written during the scan. The answers this scan used go to a
pending file, which :func:`adopt` makes the cache only once the scan is published: an
interrupted scan changes nothing in OUT, and the cache holds what the current population
needs, not every value ever seen.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unmask import __version__
from unmask.engine import Engine, EngineError
from unmask.engine.sqlbuild import ident
from unmask.sensitive import sql_keyed_hash

# Bump when a parser's answer for the same input changes without its SQL changing.
MEMO_VERSION = "1"
PARSE_CACHE = "parse-cache.parquet"
_KEPT, _USED = "__memo_kept", "__memo_used"
# Below this many inputs a parser runs in this process: starting worker processes costs about
# a second, and a parse tens of microseconds.
PARALLEL_MIN = 20_000
_log = logging.getLogger(__name__)


@dataclass
class Memo:
    """One scan's use of the cache: where the kept answers are (``OUT/parse-cache.parquet``, if
    any), where this scan's go, the token pads, and what happened (the manifest)."""

    kept: Path
    pending: Path
    pads: tuple[bytes, bytes]
    account: dict[str, Any] = field(default_factory=lambda: {"found": 0, "parsed": 0})
    active: bool = False

    def begin(self, engine: Engine) -> None:
        """Read the kept answers into the engine (a damaged or foreign file is noted and
        ignored: the values are parsed anew and the file replaced after this scan)."""
        engine.execute(f"CREATE OR REPLACE TEMP TABLE {_USED}(fn VARCHAR, k VARCHAR, v VARCHAR)")
        engine.execute(f"CREATE OR REPLACE TEMP TABLE {_KEPT}(fn VARCHAR, k VARCHAR, v VARCHAR)")
        self.active = True
        self.account["file"] = PARSE_CACHE
        if not self.kept.is_file():
            return
        try:
            engine.load_parquet("__memo_file", self.kept)
            # One answer per key even in a hand-edited file (a LEFT JOIN must not double rows).
            engine.execute(
                f"INSERT INTO {_KEPT} SELECT fn, k, any_value(v) FROM "  # noqa: S608 - our names
                "(SELECT fn::VARCHAR AS fn, k::VARCHAR AS k, v::VARCHAR AS v FROM __memo_file) GROUP BY fn, k"
            )
            engine.drop("__memo_file")
        except EngineError as e:
            self.account["unreadable"] = str(e)
            engine.execute(f"DELETE FROM {_KEPT}")  # noqa: S608 - our name

    def save(self, engine: Engine) -> None:
        """Write the answers this scan used to the pending file (made the cache by :func:`adopt`)."""
        if not self.active:
            return
        engine.export_parquet(f"SELECT fn, k, v FROM {_USED} ORDER BY fn, k", self.pending)  # noqa: S608
        self.pending.chmod(0o600)
        for t in (_KEPT, _USED):
            engine.execute(f"DROP TABLE IF EXISTS {t}")
        self.active = False


def adopt(pending: Path, out: Path) -> None:
    """A published scan's answers become the cache (one rename: a reader sees the old or the new)."""
    if pending.is_file():
        os.replace(pending, out / PARSE_CACHE)


def distinct_values(
    engine: Engine, memo: Memo | None, out: str, source_sql: str, args: Sequence[str],
    outputs: Mapping[str, str], python: Callable[..., tuple[str | None, ...]] | None = None,
) -> None:
    """Create temporary ``out(args..., outputs...)``: one row per distinct tuple of the ``args``
    columns of ``source_sql``, each output (VARCHAR) the value of its SQL expression over the
    args, computed once per tuple, or read from the answers an earlier scan kept (with a kept
    cache the table also holds the key ``__k`` and a ``hit_<output>`` flag per output).

    ``python``, if given, computes every output of one tuple at once, as the expressions
    would: it then runs in worker processes over the tuples not kept (:func:`compute`), for a
    parser that holds the interpreter (usaddress) and would run on one core as a scalar.

    ``source_sql``, ``args`` and ``outputs`` are our own SQL, never bundle text."""
    cols = ", ".join(ident(a) for a in args)
    distinct = f"SELECT DISTINCT {cols} FROM ({source_sql})"  # noqa: S608 - ours
    if python is not None:
        _distinct_in_python(engine, memo, out, distinct, args, outputs, python)
        return
    if memo is None or not memo.active:
        sel = ", ".join(f"{expr} AS {ident(o)}" for o, expr in outputs.items())
        engine.execute(f"CREATE OR REPLACE TEMP TABLE {ident(out)} AS SELECT {cols}, {sel} FROM ({distinct})")  # noqa: S608
        return
    fns, key, joins = _kept_joins(args, outputs)
    # CASE runs the parser only for the rows that reach its branch: the inputs not found.
    sel = ", ".join(
        f"CASE WHEN {ident('h_' + o)}.k IS NULL THEN {expr} ELSE {ident('h_' + o)}.v END AS {ident(o)}, "
        f"{ident('h_' + o)}.k IS NOT NULL AS {ident('hit_' + o)}"
        for o, expr in outputs.items()
    )
    # The table keeps its cache key and hit flags beside the outputs: the stage joins back by
    # the args and reads the outputs by name, so no narrower copy is made.
    engine.execute(
        f"CREATE OR REPLACE TEMP TABLE {ident(out)} AS SELECT i.*, {sel} "  # noqa: S608 - ours
        f"FROM (SELECT {cols}, {key} AS __k FROM ({distinct})) i {joins}",
        {"ipad": memo.pads[0], "opad": memo.pads[1], **fns},
    )
    _account(engine, memo, out, outputs, fns)


def _kept_joins(args: Sequence[str], outputs: Mapping[str, str]) -> tuple[dict[str, str], str, str]:
    """The parse cache's side of a distinct-values table: each output's entry name (bound as
    ``$fn_<n>``: its expression, :data:`MEMO_VERSION` and the package version), the SQL key of
    an input tuple ``i`` (bound pads ``$ipad``/``$opad``), and one join per output to the kept
    answers, as ``h_<output>``."""
    fns = {f"fn_{n}": f"{o}:{expr}:{MEMO_VERSION}:{__version__}" for n, (o, expr) in enumerate(outputs.items())}
    key = sql_keyed_hash("to_json([" + ", ".join(f"{ident(a)}::VARCHAR" for a in args) + "])::VARCHAR")
    joins = " ".join(
        f"LEFT JOIN {_KEPT} {ident('h_' + o)} ON {ident('h_' + o)}.k = i.__k AND {ident('h_' + o)}.fn = $fn_{n}"
        for n, o in enumerate(outputs)
    )
    return fns, key, joins


def _account(engine: Engine, memo: Memo, out: str, outputs: Mapping[str, str], fns: Mapping[str, str]) -> None:
    """Keep this scan's answers for the next one, and count what was found and parsed."""
    used = " UNION ALL ".join(
        f"SELECT $fn_{n}, __k, {ident(o)} FROM {ident(out)}" for n, o in enumerate(outputs)  # noqa: S608 - ours
    )
    engine.execute(f"INSERT INTO {_USED} {used}", fns)
    ((found, rows),) = engine.query(
        "SELECT " + " + ".join(f"count(*) FILTER (WHERE {ident('hit_' + o)})" for o in outputs)  # noqa: S608
        + f", count(*) FROM {ident(out)}"
    )
    memo.account["found"] += int(found)
    memo.account["parsed"] += int(rows) * len(outputs) - int(found)


def _distinct_in_python(
    engine: Engine, memo: Memo | None, out: str, distinct: str, args: Sequence[str],
    outputs: Mapping[str, str], python: Callable[..., tuple[str | None, ...]],
) -> None:
    """:func:`distinct_values` with the outputs computed by ``python``: the distinct tuples
    (and what an earlier scan kept) are found in SQL, the rest go to Python once each, and
    the answers come back as one table joined by the tuple's number."""
    cols = ", ".join(ident(a) for a in args)
    staged, answers = f"{out}__in", f"{out}__py"
    kept = memo if memo is not None and memo.active else None
    fns: dict[str, str] = {}
    if kept is not None:
        fns, key, joins = _kept_joins(args, outputs)
        found_sel = ", ".join(
            f"{ident('h_' + o)}.v AS {ident(o)}, {ident('h_' + o)}.k IS NOT NULL AS {ident('hit_' + o)}"
            for o in outputs
        )
        engine.execute(
            f"CREATE OR REPLACE TEMP TABLE {ident(staged)} AS SELECT i.*, {found_sel}, "  # noqa: S608 - ours
            f"row_number() OVER (ORDER BY {cols}) AS __i "
            f"FROM (SELECT {cols}, {key} AS __k FROM ({distinct})) i {joins}",
            {"ipad": kept.pads[0], "opad": kept.pads[1], **fns},
        )
        todo = " OR ".join(f"NOT {ident('hit_' + o)}" for o in outputs)
    else:
        nulls = ", ".join(f"NULL::VARCHAR AS {ident(o)}" for o in outputs)
        engine.execute(
            f"CREATE OR REPLACE TEMP TABLE {ident(staged)} AS "  # noqa: S608 - ours
            f"SELECT {cols}, {nulls}, row_number() OVER (ORDER BY {cols}) AS __i FROM ({distinct})"
        )
        todo = "true"
    rows = engine.query(f"SELECT __i, {cols} FROM {ident(staged)} WHERE {todo}")  # noqa: S608 - ours
    found = compute(python, [r[1:] for r in rows], parallelism(engine))
    engine.execute(
        f"CREATE OR REPLACE TEMP TABLE {ident(answers)}(__i BIGINT, "  # noqa: S608 - ours
        + ", ".join(f"{ident(o)} VARCHAR" for o in outputs) + ")"
    )
    engine.insert_rows(answers, ["__i", *outputs], [(r[0], *a) for r, a in zip(rows, found, strict=True)])
    sel = ", ".join(f"CASE WHEN a.__i IS NULL THEN i.{ident(o)} ELSE a.{ident(o)} END AS {ident(o)}" for o in outputs)
    extra = (", i.__k, " + ", ".join(f"i.{ident('hit_' + o)}" for o in outputs)) if kept else ""
    engine.execute(
        f"CREATE OR REPLACE TEMP TABLE {ident(out)} AS SELECT "  # noqa: S608 - ours
        + ", ".join(f"i.{ident(a)}" for a in args) + f", {sel}{extra} "
        f"FROM {ident(staged)} i LEFT JOIN {ident(answers)} a USING (__i)"
    )
    engine.drop(staged)
    engine.drop(answers)
    if kept is not None:
        _account(engine, kept, out, outputs, fns)


def parallelism(engine: Engine) -> int:
    """Processes a Python parser may use: the engine's threads (``--threads``), else the CPUs
    this process may run on."""
    threads = getattr(engine, "resources", {}).get("threads")
    if threads is not None and str(threads).isdigit():
        return max(1, int(threads))
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def compute(
    fn: Callable[..., tuple[str | None, ...]], rows: Sequence[Sequence[Any]], workers: int,
    min_rows: int | None = None,
) -> list[tuple[str | None, ...]]:
    """``fn(*row)`` for every row, in order: in ``workers`` processes when there are many rows.

    Workers start from a fresh interpreter (forkserver or spawn, never a fork of this
    process, whose engine threads a fork would copy mid-flight). If they cannot start (no
    shared memory, a sandbox), the rows are computed here: slower, the same answers."""
    if workers <= 1 or len(rows) < (PARALLEL_MIN if min_rows is None else min_rows):
        return [fn(*r) for r in rows]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    # A few chunks per worker: an even share each, and little to pickle per task.
    size = -(-len(rows) // (workers * 4))
    chunks = [list(rows[i:i + size]) for i in range(0, len(rows), size)]
    try:
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            return [a for part in pool.map(_apply, itertools.repeat(fn), chunks) for a in part]
    except (BrokenProcessPool, OSError) as e:
        _log.debug("parser workers unavailable (%s): parsing in this process", e.__class__.__name__)
        return [fn(*r) for r in rows]


def _apply(fn: Callable[..., tuple[str | None, ...]], chunk: list[Sequence[Any]]) -> list[tuple[str | None, ...]]:
    return [fn(*r) for r in chunk]


def same_as(a: str, b: str) -> str:
    """SQL: column ``a`` equals ``b``, NULL equal to NULL (a join back onto distinct inputs)."""
    return f"{a} IS NOT DISTINCT FROM {b}"
