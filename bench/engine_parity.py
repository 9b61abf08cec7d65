"""The same scan on two engines gives the same answers (issue 16), on any demo bundle.

    python -m bench.engine_parity --size medium --seeds 7 11 --work /tmp/parity [--json out.json]
    python -m bench.engine_parity --bundle /tmp/b20k1m --work /tmp/parity   # a bench/make_bundle.py bundle
    python -m bench.engine_parity --bundle /tmp/b20k1m --work /tmp/parity --runs 5 --cpus 0,1   # medians

For each seed: writes the demo bundle (or takes ``--bundle``), scans it with DuckDB and with Spark local mode (each a
whole ``unmask scan`` process: wall, CPU and the process tree's peak RSS), and compares the outputs with
:func:`same_answers`: the same subjects, bands and evidence rows, scores within 1e-9, the same
cluster member sets and the same rejects. Prints one JSON object; exit 1 when any seed differs.
With ``--runs N`` the two engines alternate N times (DuckDB, Spark, DuckDB, ...), each run is
compared, and the medians and the ratio of the median walls are reported beside every run;
``--cpus`` pins every scan process (``taskset``) to the same cores.
``tests/test_engine_parity.py`` runs the same comparison on the small demo in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any


def rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def findings(out: Path) -> dict[tuple[str, str], dict[str, Any]]:
    return {(f["subject"]["type"], f["subject"]["id"]): f for f in rows(out / "findings.jsonl")}


def evidence(f: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted((e["signal"], e["source"], e.get("observed_at"), e["detail"], e["weight"]) for e in f["evidence"])


def clusters(out: Path) -> set[frozenset[str]]:
    return {frozenset(f"{m['type']}:{m['id']}" for m in c["members"]) for c in rows(out / "clusters.jsonl")}


def rejects(out: Path) -> set[tuple[str, int, str]]:
    return {(r["file"], r["line"], r["reason"]) for r in rows(out / "rejects.jsonl")}


def same_answers(ref: Path, got: Path) -> list[str]:
    """The differences between two scans' outputs (none when they agree)."""
    a, b = findings(ref), findings(got)
    diff = [f"subject only in one scan: {k}" for k in sorted(set(a) ^ set(b))]
    for k in sorted(set(a) & set(b)):
        if a[k]["band"] != b[k]["band"] or abs(a[k]["score"] - b[k]["score"]) > 1e-9:
            diff.append(f"{k}: {a[k]['band']} {a[k]['score']} -> {b[k]['band']} {b[k]['score']}")
        if evidence(a[k]) != evidence(b[k]):
            diff.append(f"{k}: evidence differs")
    diff += [f"cluster in one scan only: {sorted(c)}" for c in clusters(ref) ^ clusters(got)]
    diff += [f"reject in one scan only: {r}" for r in sorted(rejects(ref) ^ rejects(got))]
    return diff


def _timed_scan(bundle: Path, out: Path, engine: str, cpus: str | None = None) -> dict[str, float]:
    """One whole ``unmask scan`` process: wall seconds, CPU seconds and the peak memory of its
    process tree (the Spark JVM and Python workers included), sampled every 0.5 s, three ways:
    the summed RSS (counts a page shared by forked Python workers once per worker, so it
    overstates), the summed PSS (each shared page split between its sharers: what the tree
    costs the machine; the JVM's RSS stands for its PSS) and the largest single process's RSS
    (the JVM, on Spark)."""
    import psutil

    t0 = time.perf_counter()
    pin = ["taskset", "-c", cpus] if cpus else []
    proc = psutil.Popen([*pin, sys.executable, "-m", "unmask.cli", "scan", str(bundle), "--out", str(out),
                         "--engine", engine, "--quiet"], env=os.environ.copy())
    peak, pss, largest, cpu, n = 0, 0, 0, 0.0, 0
    me = psutil.Process()
    spent = sum(me.cpu_times()[:2])
    while proc.poll() is None:
        try:
            tree = [p for p in [proc, *proc.children(recursive=True)] if p.is_running()]
            rss = [p.memory_info().rss for p in tree]
            peak, largest = max(peak, sum(rss)), max(largest, *rss)
            if n % 4 == 0:
                # PSS every 2 s, of the Python processes alone: reading a JVM's smaps_rollup
                # every 0.2 s took a quarter of a core from the scan it measured, and the JVM
                # shares no pages with them (its RSS stands for its PSS).
                shares = [r if p.name() == "java" else p.memory_full_info().pss
                          for p, r in zip(tree, rss, strict=True)]
                pss = max(pss, sum(shares))
            cpu = max(cpu, sum(sum(p.cpu_times()[:4]) for p in tree))
        except psutil.Error:
            pass
        n += 1
        time.sleep(0.5)
    if proc.returncode != 0:
        raise SystemExit(f"the {engine} scan of {bundle} failed (exit {proc.returncode})")
    return {"wall_s": round(time.perf_counter() - t0, 1), "cpu_s": round(cpu, 1), "peak_rss_gb": round(peak / 2**30, 2),
            "peak_pss_gb": round(pss / 2**30, 2), "peak_largest_rss_gb": round(largest / 2**30, 2),
            "sampler_cpu_s": round(sum(me.cpu_times()[:2]) - spent, 1)}


def main(argv: list[str] | None = None) -> int:
    from unmask.demo import generate

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default="medium", choices=["small", "medium", "large"])
    ap.add_argument("--seeds", type=int, nargs="+", default=[7, 11])
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--bundle", type=Path, help="scan this bundle (e.g. from bench/make_bundle.py) instead of demos")
    ap.add_argument("--runs", type=int, default=1, help="alternate the engines this many times; report medians")
    ap.add_argument("--cpus", help="pin every scan to these cores (taskset -c), e.g. 0,1")
    a = ap.parse_args(argv)
    if a.runs < 1:
        ap.error("--runs must be at least 1")
    report: dict[str, Any] = {"size": str(a.bundle) if a.bundle else a.size, "seeds": {}}
    ok = True
    for seed in [0] if a.bundle else a.seeds:
        root = a.work / (a.bundle.name if a.bundle else f"{a.size}-{seed}")
        bundle = a.bundle or root / "bundle"
        if not a.bundle:
            generate(bundle, seed=seed, size=a.size)
        runs: list[dict[str, dict[str, float]]] = []
        diff: list[str] = []
        for i in range(a.runs):
            # Alternated, so that a slow spell of the shared machine falls on both engines alike.
            runs.append({e: _timed_scan(bundle, root / e, e, a.cpus) for e in ("duckdb", "spark")})
            diff += [f"run {i + 1}: {d}" for d in same_answers(root / "duckdb", root / "spark")]
        times: dict[str, Any] = {e: {k: statistics.median(r[e][k] for r in runs) for k in runs[0][e]}
                                 for e in ("duckdb", "spark")}
        times["spark_to_duckdb_wall"] = round(times["spark"]["wall_s"] / times["duckdb"]["wall_s"], 2)
        if a.runs > 1:
            times["runs"] = runs
        ok &= not diff
        ref = findings(root / "duckdb")
        report["seeds"][seed] = {
            "subjects": len(ref), "high_or_critical": sum(f["band"] in ("critical", "high") for f in ref.values()),
            "evidence_rows": sum(len(f["evidence"]) for f in ref.values()), "clusters": len(clusters(root / "duckdb")),
            "rejects": len(rejects(root / "duckdb")), "differences": diff[:50], "times": times}
    text = json.dumps(report, indent=2)
    print(text)
    if a.json:
        a.json.write_text(text + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
