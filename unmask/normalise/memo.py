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

import os
from collections.abc import Mapping, Sequence
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
    outputs: Mapping[str, str],
) -> None:
    """Create temporary ``out(args..., outputs...)``: one row per distinct tuple of the ``args``
    columns of ``source_sql``, each output (VARCHAR) the value of its SQL expression over the
    args, computed once per tuple, or read from the answers an earlier scan kept (with a kept
    cache the table also holds the key ``__k`` and a ``hit_<output>`` flag per output).

    ``source_sql``, ``args`` and ``outputs`` are our own SQL, never bundle text."""
    cols = ", ".join(ident(a) for a in args)
    distinct = f"SELECT DISTINCT {cols} FROM ({source_sql})"  # noqa: S608 - ours
    if memo is None or not memo.active:
        sel = ", ".join(f"{expr} AS {ident(o)}" for o, expr in outputs.items())
        engine.execute(f"CREATE OR REPLACE TEMP TABLE {ident(out)} AS SELECT {cols}, {sel} FROM ({distinct})")  # noqa: S608
        return
    names = {o: f"{o}:{expr}:{MEMO_VERSION}:{__version__}" for o, expr in outputs.items()}
    key = sql_keyed_hash("to_json([" + ", ".join(f"{ident(a)}::VARCHAR" for a in args) + "])::VARCHAR")
    # CASE runs the parser only for the rows that reach its branch: the inputs not found.
    sel = ", ".join(
        f"CASE WHEN {ident('h_' + o)}.k IS NULL THEN {expr} ELSE {ident('h_' + o)}.v END AS {ident(o)}, "
        f"{ident('h_' + o)}.k IS NOT NULL AS {ident('hit_' + o)}"
        for o, expr in outputs.items()
    )
    joins = " ".join(
        f"LEFT JOIN {_KEPT} {ident('h_' + o)} ON {ident('h_' + o)}.k = i.__k AND {ident('h_' + o)}.fn = $fn_{n}"
        for n, o in enumerate(outputs)
    )
    fns = {f"fn_{n}": names[o] for n, o in enumerate(outputs)}
    # The table keeps its cache key and hit flags beside the outputs: the stage joins back by
    # the args and reads the outputs by name, so no narrower copy is made.
    engine.execute(
        f"CREATE OR REPLACE TEMP TABLE {ident(out)} AS SELECT i.*, {sel} "  # noqa: S608 - ours
        f"FROM (SELECT {cols}, {key} AS __k FROM ({distinct})) i {joins}",
        {"ipad": memo.pads[0], "opad": memo.pads[1], **fns},
    )
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


def same_as(a: str, b: str) -> str:
    """SQL: column ``a`` equals ``b``, NULL equal to NULL (a join back onto distinct inputs)."""
    return f"{a} IS NOT DISTINCT FROM {b}"
