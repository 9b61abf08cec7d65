"""Sigma evaluation speed and matches: Unmask against Zircolite, same rules, same events, one run.

    python -m bench.sigma_events bench/work/sysmon --events 500000
    python -m bench.sigma_bench bench/work/sysmon --zircolite /path/to/Zircolite \\
        --zircolite-python /path/to/venv/bin/python --rules /path/to/flat/sigma/rules

Both run pinned to one core (``taskset -c 0``; the machine's 2 vCPUs behave like ~1.2 cores).
Zircolite reads the EVTX-JSON file with ``-j -p sysmon -p windows-logsources --no-parallel``
(its documented way for Sysmon JSON); Unmask reads the flat JSON Lines of the same events
with its Sysmon reader and evaluates the shipped rules in one pass. Times include reading.
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
from typing import Any


def _unmask_child(folder: Path) -> None:
    from unmask.config import Config
    from unmask.engine import open_engine
    from unmask.sensitive import Tokenizer
    from unmask.signals.sigma import compile_rules, evaluate
    from unmask.sources.base import LoadContext, create_part_table, init_store
    from unmask.sources.jsonload import load_json_files
    from unmask.sources.sysmon import SYSMON

    rules = compile_rules()
    t = time.perf_counter()
    eng = open_engine(None, threads=1)
    ctx = LoadContext(eng, folder, Config(), Tokenizer(b"k" * 32, "bench"))
    init_store(eng)
    create_part_table(eng, SYSMON)
    load_json_files(ctx, SYSMON, [folder / "flat.jsonl"])
    t_load = time.perf_counter() - t
    evaluate(eng, rules)
    elapsed = time.perf_counter() - t
    counts = dict(eng.query(
        "SELECT r.title, count(*) FROM sigma_hits h JOIN sigma_rules r USING (rule_id) GROUP BY r.title"))
    print(json.dumps({"seconds": elapsed, "load_seconds": t_load, "counts": counts,
                      "events": eng.query("SELECT count(*) FROM endpoint_events")[0][0],
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def run_unmask(folder: Path) -> dict[str, Any]:
    out = subprocess.run(["taskset", "-c", "0", sys.executable, "-m", "bench.sigma_bench", str(folder), "--child"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run_zircolite(folder: Path, zdir: Path, zpy: str, rules: Path) -> dict[str, Any]:
    folder, rules = folder.resolve(), rules.resolve()  # Zircolite runs from its own folder
    with tempfile.TemporaryDirectory() as tmp:
        outfile = Path(tmp) / "out.json"
        t = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-v", "taskset", "-c", "0", zpy, "zircolite.py", "-e", str(folder / "nested.jsonl"),
             "-j", "-r", str(rules), "-p", "sysmon", "-p", "windows-logsources", "--no-parallel",
             "-o", str(outfile), "-q"],
            cwd=zdir, capture_output=True, text=True, check=False,
        )
        elapsed = time.perf_counter() - t
        rss = next((int(x.split(":")[1]) / 1024 for x in proc.stderr.splitlines() if "Maximum resident" in x), 0.0)
        results = json.loads(outfile.read_text()) if outfile.exists() else []
    counts = {r["title"]: r.get("count", len(r.get("matches", []))) for r in results}
    return {"seconds": elapsed, "counts": counts, "peak_rss_mb": rss, "returncode": proc.returncode}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--zircolite", type=Path)
    ap.add_argument("--zircolite-python", default="python3")
    ap.add_argument("--rules", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    if a.child:
        _unmask_child(a.folder)
        return
    os.environ.setdefault("UNMASK_TOKEN_KEY", "00" * 32)
    ours = [run_unmask(a.folder) for _ in range(a.repeat)]
    theirs = [run_zircolite(a.folder, a.zircolite, a.zircolite_python, a.rules) for _ in range(a.repeat)]
    n = int(ours[0]["events"])
    o, z = _summary(ours, n), _summary(theirs, n)
    counts_o: dict[str, int] = ours[0]["counts"]
    counts_z: dict[str, int] = theirs[0]["counts"]
    print(json.dumps({
        "events": n, "unmask": o, "zircolite": z, "speedup": round(z["seconds"] / o["seconds"], 2),
        "matches": {t: {"unmask": counts_o.get(t, 0), "zircolite": counts_z.get(t, 0)}
                    for t in sorted(set(counts_o) | set(counts_z))},
    }, indent=2))


def _summary(runs: list[dict[str, Any]], n: int) -> dict[str, Any]:
    med = statistics.median(float(r["seconds"]) for r in runs)
    return {"seconds": round(med, 1), "runs": [round(float(r["seconds"]), 1) for r in runs],
            "events_per_s": round(n / med), "peak_rss_mb": round(max(float(r["peak_rss_mb"]) for r in runs))}


if __name__ == "__main__":
    main()
