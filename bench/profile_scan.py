"""Where a scan's time goes, statement by statement (issue 17): a development tool, not a test.

Runs ``unmask scan`` in this process with the DuckDB engine's ``execute``/``query`` wrapped, and
prints the statements that took the most wall time and CPU time (``time.process_time`` counts
every DuckDB thread of the process). Time spent between statements (Python parsers such as
usaddress, the readers' batches) is the stage time the manifest gives minus what is listed here.

    python -m bench.profile_scan BUNDLE --out OUT [--top 25] [--json PROFILE.json] [-- scan options]

The statement text is cut to its first 160 characters; it holds no bundle value (values are bound
parameters), so the profile can be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from unmask.engine.duckdb import DuckDBEngine


def _key(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()[:160]


def _wrap(
    fn: Callable[..., Any], acc: dict[str, list[float]], stack: list[int],
) -> Callable[..., Any]:
    def timed(self: DuckDBEngine, sql: str, params: Any = None) -> Any:
        if stack[0]:  # a statement inside a statement's own helper: counted once, outside
            return fn(self, sql, params)
        stack[0] += 1
        w0, c0 = time.perf_counter(), time.process_time()
        try:
            return fn(self, sql, params)
        finally:
            stack[0] -= 1
            a = acc[_key(sql)]
            a[0] += time.perf_counter() - w0
            a[1] += time.process_time() - c0
            a[2] += 1
    return timed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bundle", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--json", type=Path)
    ap.add_argument("rest", nargs="*", help="more scan options, after --")
    a = ap.parse_args()
    from unmask.engine import process_env

    # The scan as the CLI runs it: the engine's start-up environment is read once, at start.
    need = {k: v for k, v in process_env().items() if os.environ.get(k) != v}
    if need:
        os.environ.update(need)
        os.execv(sys.executable, [sys.executable, "-m", "bench.profile_scan", *sys.argv[1:]])
    acc: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    stack = [0]
    for name in ("execute", "query", "query_dicts"):
        setattr(DuckDBEngine, name, _wrap(getattr(DuckDBEngine, name), acc, stack))
    from unmask.cli import app  # after the patch, so every engine the scan opens is timed

    w0, c0 = time.perf_counter(), time.process_time()
    try:
        app(["scan", str(a.bundle), "--out", str(a.out), "--quiet", *a.rest])
    except SystemExit as e:
        code = e.code
    else:
        code = 0
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    rows = sorted(((k, v[0], v[1], int(v[2])) for k, v in acc.items()), key=lambda r: -r[2])
    in_sql = sum(r[1] for r in rows)
    print(f"scan exit {code}: wall {wall:.1f} s, CPU {cpu:.1f} s; statements {in_sql:.1f} s wall "
          f"({len(rows)} distinct); between statements {wall - in_sql:.1f} s")
    for sql, w, c, n in rows[: a.top]:
        print(f"{c:8.2f} cpu {w:8.2f} wall {n:5d}x  {sql}")
    if a.json:
        a.json.write_text(json.dumps({"wall_s": wall, "cpu_s": cpu, "statements": [
            {"sql": sql, "wall_s": round(w, 3), "cpu_s": round(c, 3), "calls": n} for sql, w, c, n in rows]}, indent=1))


if __name__ == "__main__":
    main()
