"""Ingest benchmark: Unmask's readers against DuckDB's bare parse of the same files, in one run.

    python -m bench.ingest bench/work/bundle [--threads N] [--repeat 3] [--store memory|file] [--only okta]

Each measurement runs in a fresh process (so peak RSS is its own) and the median of the
repeats is reported. ``--store file`` writes every side into a database file, as a scan
does (its store is a file), and counts the closing checkpoint in the time; ``memory`` (the
default, and every figure before session 17) keeps the tables in memory, where DuckDB does
not compress them. ``--only okta`` runs the two Okta sides alone (a 10M-event bundle).

- ``bare_okta``: DuckDB ``read_json(format='newline_delimited')`` over the Okta files,
  projecting the same 23 fields Unmask keeps into a table (CTAS). The "physical" floor.
  Of ``request.ipChain`` both sides keep the hops' IPs, as Unmask stores it.
- ``unmask_okta``: Unmask's Okta reader on the same files (line accounting, JSON validity,
  rejects, the same 23 typed columns).
- ``bare_activity`` / ``unmask_activity``: the same for the activity CSV (600k rows at 20k
  workers): DuckDB ``read_csv`` with the same casts, against Unmask's CSV reader.
- ``unmask_bundle``: every part of the bundle (20k workers, ~1M Okta events, activity,
  osquery, Sysmon, ...), as ``unmask scan`` reads it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_PROJECTION = """
  uuid, published, eventType, actor.id, actor.alternateId, client.ipAddress,
  client.userAgent.rawUserAgent, client.geographicalContext.city, client.geographicalContext.state,
  client.geographicalContext.country, client.geographicalContext.geolocation.lat,
  client.geographicalContext.geolocation.lon, securityContext.asNumber, securityContext.asOrg,
  securityContext.isp, securityContext.domain, securityContext.isProxy, outcome.result,
  authenticationContext.externalSessionId, debugContext.debugData.dtHash,
  debugContext.debugData.requestUri, list_transform(request.ipChain, lambda h: h.ip) AS ipChain, target
"""


def _child(mode: str, bundle: Path, threads: int, store: Path | None) -> dict[str, float]:
    import duckdb

    from unmask.config import Config
    from unmask.engine import open_engine
    from unmask.sensitive import Tokenizer
    from unmask.sources import load_bundle
    from unmask.sources.base import LoadContext, create_part_table, init_store
    from unmask.sources.jsonload import load_json_files
    from unmask.sources.okta import OKTA

    okta_files = sorted((bundle / "idp/okta").glob("*.jsonl"))
    activity = sorted((bundle / "activity").glob("*.csv"))
    t = time.perf_counter()
    rows = 0
    if mode == "bare_activity":
        con = duckdb.connect(str(store) if store else ":memory:")
        con.execute(f"SET threads = {threads}")
        con.execute(
            "CREATE TABLE t AS SELECT lower(actor_email) AS actor_email, timestamp::TIMESTAMPTZ AS ts, "
            "source, action FROM read_csv(?, header=true, all_varchar=true)",
            [[str(p) for p in activity]],
        )
        con.execute("CHECKPOINT")
        rows = con.execute("SELECT count(*) FROM t").fetchone()[0]  # type: ignore[index]
    elif mode == "bare_okta":
        con = duckdb.connect(str(store) if store else ":memory:")
        con.execute(f"SET threads = {threads}")
        con.execute(
            f"CREATE TABLE t AS SELECT {BARE_PROJECTION} FROM read_json(?, format='newline_delimited')",  # noqa: S608
            [[str(p) for p in okta_files]],
        )
        con.execute("CHECKPOINT")
        rows = con.execute("SELECT count(*) FROM t").fetchone()[0]  # type: ignore[index]
    else:
        eng = open_engine(store, threads=threads)
        ctx = LoadContext(eng, bundle, Config(), Tokenizer(b"k" * 32, "bench"))
        if mode == "unmask_activity":
            from unmask.sources.base import load_csv_part
            from unmask.sources.tabular import ACTIVITY

            init_store(eng)
            create_part_table(eng, ACTIVITY)
            for p in activity:
                load_csv_part(ctx, ACTIVITY, p)
            rows = eng.query("SELECT count(*) FROM activity")[0][0]
        elif mode == "unmask_okta":
            init_store(eng)
            create_part_table(eng, OKTA)
            load_json_files(ctx, OKTA, okta_files)
            rows = eng.query("SELECT count(*) FROM okta_events")[0][0]
        else:
            load_bundle(ctx)
            rows = sum(f.loaded for f in ctx.files)
        ctx.cleanup()
        eng.execute("CHECKPOINT")
    elapsed = time.perf_counter() - t
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": elapsed, "rows": float(rows), "peak_rss_mb": rss_mb}


def measure(mode: str, bundle: Path, threads: int, store: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="unmask-ingest-") as tmp:
        where = ["--db", str(Path(tmp) / "store.duckdb")] if store == "file" else []
        out = subprocess.run(
            [sys.executable, "-m", "bench.ingest", str(bundle), "--child", mode, "--threads", str(threads), *where],
            capture_output=True, text=True, check=True, env=dict(os.environ, UNMASK_TOKEN_KEY="00" * 32),
        )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("bundle", type=Path)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--store", choices=("memory", "file"), default="memory")
    ap.add_argument("--only", choices=("okta",))
    ap.add_argument("--child")
    ap.add_argument("--db", type=Path)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(_child(a.child, a.bundle, a.threads, a.db)))
        return
    okta_bytes = sum(p.stat().st_size for p in (a.bundle / "idp/okta").glob("*.jsonl"))
    results: dict[str, dict[str, object]] = {}
    medians: dict[str, float] = {}
    modes = ["bare_okta", "unmask_okta"]
    if a.only is None:
        modes += ["bare_activity", "unmask_activity", "unmask_bundle"]
    runs_of: dict[str, list[dict[str, float]]] = {m: [] for m in modes}
    # Alternated: repeat i of every mode runs before repeat i + 1 of any, so a slow spell of
    # a shared machine falls on both sides.
    for _ in range(a.repeat):
        for mode in modes:
            runs_of[mode].append(measure(mode, a.bundle, a.threads, a.store))
    for mode in modes:
        runs = runs_of[mode]
        med = medians[mode] = statistics.median(r["seconds"] for r in runs)
        results[mode] = {"seconds": round(med, 2), "runs": [round(r["seconds"], 2) for r in runs],
                         "rows": runs[0]["rows"], "rows_per_s": round(runs[0]["rows"] / med),
                         "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs))}
    ratios = {"unmask_over_bare_okta": round(medians["unmask_okta"] / medians["bare_okta"], 2)}
    if "bare_activity" in medians:
        ratios["unmask_over_bare_activity"] = round(medians["unmask_activity"] / medians["bare_activity"], 2)
    print(json.dumps({
        "threads": a.threads, "store": a.store, "okta_mb": round(okta_bytes / 2**20), "results": results, **ratios,
    }, indent=2))


if __name__ == "__main__":
    main()
