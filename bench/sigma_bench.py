"""Sigma evaluation speed and matches: Unmask against Zircolite, same rules, same events.

    python -m bench.sigma_events bench/work/sysmon --events 100000
    python -m bench.sigma_bench bench/work/sysmon --zircolite ZIRCOLITE_CHECKOUT \\
        --zircolite-python ZIRCOLITE_VENV/bin/python --rules FOLDER_OF_SIGMA_YAML \\
        [--zircolite-rules ZIRCOLITE_CHECKOUT/rules/rules_windows_sysmon_high.json] \\
        --repeat 5 --lock /work/cpu.lock

Both sides are whole processes timed from outside (interpreter start, imports, rules, reading
the file, evaluation), pinned to one core (``taskset -c 0``), run in alternation (Unmask,
Zircolite, Unmask, ...), the median of ``--repeat`` pairs. With ``--lock`` each pair holds
that flock and releases it before the next, so a shared machine stays usable.

Zircolite reads the EVTX-JSON file with ``-j --no-parallel``; given YAML (``--rules``) it
converts them with ``-p sysmon -p windows-logsources``, given its own pre-converted JSON set
(``--zircolite-rules``) it reads that. Unmask reads the flat JSON Lines of the same events with
its Sysmon reader and evaluates the same YAML rules as a ``[sigma] rules_dir``; their conversion
is cached by the first, untimed, run (as a weekly rescan would find it), whose cold time is
reported apart (``unmask_cold``).
"""

from __future__ import annotations

import argparse
import fcntl
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


def _unmask_child(folder: Path, rules_dir: Path | None, cache: Path | None) -> None:
    from unmask.config import Config
    from unmask.engine import open_engine
    from unmask.sensitive import Tokenizer
    from unmask.signals.sigma import compile_rules, evaluate
    from unmask.sources.base import LoadContext, create_part_table, init_store
    from unmask.sources.jsonload import load_json_files
    from unmask.sources.sysmon import SYSMON

    t = time.perf_counter()
    rules = compile_rules(rules_dir, cache) if rules_dir else compile_rules()
    t_rules = time.perf_counter() - t
    eng = open_engine(None, threads=1)
    ctx = LoadContext(eng, folder, Config(), Tokenizer(b"k" * 32, "bench"))
    init_store(eng)
    create_part_table(eng, SYSMON)
    load_json_files(ctx, SYSMON, [folder / "flat.jsonl"])
    t_load = time.perf_counter() - t - t_rules
    evaluate(eng, rules)
    t_eval = time.perf_counter() - t - t_rules - t_load
    counts = dict(eng.query(
        "SELECT r.title, count(*) FROM sigma_hits h JOIN sigma_rules r USING (rule_id) GROUP BY r.title"))
    print(json.dumps({
        "rules_seconds": t_rules, "load_seconds": t_load, "eval_seconds": t_eval, "counts": counts,
        "events": eng.query("SELECT count(*) FROM endpoint_events")[0][0],
        "rules": {"files": rules.files, "cached": rules.cached,
                  "evaluated": eng.query("SELECT count(*) FROM sigma_rules")[0][0],
                  "skipped": eng.query("SELECT count(*) FROM sigma_skipped")[0][0]},
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def run_unmask(folder: Path, rules: Path | None, cache: Path | None) -> dict[str, Any]:
    cmd = ["taskset", "-c", "0", sys.executable, "-m", "bench.sigma_bench", str(folder), "--child"]
    if rules:
        cmd += ["--rules", str(rules), "--cache", str(cache)]
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    res: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    res["seconds"] = time.perf_counter() - t  # the whole process
    return res


def run_zircolite(folder: Path, zdir: Path, zpy: str, rules: Path, yaml: bool) -> dict[str, Any]:
    folder, rules = folder.resolve(), rules.resolve()  # Zircolite runs from its own folder
    with tempfile.TemporaryDirectory() as tmp:
        outfile = Path(tmp) / "out.json"
        pipelines = ["-p", "sysmon", "-p", "windows-logsources"] if yaml else []
        t = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-v", "taskset", "-c", "0", zpy, "zircolite.py", "-e", str(folder / "nested.jsonl"),
             "-j", "-r", str(rules), *pipelines, "--no-parallel", "-o", str(outfile), "-q"],
            cwd=zdir, capture_output=True, text=True, check=False,
        )
        elapsed = time.perf_counter() - t
        rss = next((int(x.split(":")[1]) / 1024 for x in proc.stderr.splitlines() if "Maximum resident" in x), 0.0)
        results = json.loads(outfile.read_text()) if outfile.exists() else []
    counts = {r["title"]: r.get("count", len(r.get("matches", []))) for r in results}
    return {"seconds": elapsed, "counts": counts, "peak_rss_mb": rss, "returncode": proc.returncode}


class _Lock:
    """The shared CPU lock, held for one pair of runs at a time (none without a path)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def __enter__(self) -> None:
        if self.path:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            fcntl.flock(self.fd, fcntl.LOCK_EX)

    def __exit__(self, *_: object) -> None:
        if self.path:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--zircolite", type=Path)
    ap.add_argument("--zircolite-python", default="python3")
    ap.add_argument("--rules", type=Path, help="Sigma YAML folder (Unmask's rules_dir; Zircolite's too by default)")
    ap.add_argument("--zircolite-rules", type=Path, help="Zircolite's own pre-converted JSON ruleset instead")
    ap.add_argument("--cache", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--lock", type=Path)
    a = ap.parse_args()
    if a.child:
        _unmask_child(a.folder, a.rules, a.cache)
        return
    os.environ.setdefault("UNMASK_TOKEN_KEY", "00" * 32)
    zrules = a.zircolite_rules or a.rules
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "sigma-cache.json"
        with _Lock(a.lock):
            cold = run_unmask(a.folder, a.rules, cache)  # converts, fills the cache
        ours, theirs = [], []
        for _ in range(a.repeat):
            with _Lock(a.lock):
                ours.append(run_unmask(a.folder, a.rules, cache))
                theirs.append(run_zircolite(a.folder, a.zircolite, a.zircolite_python, zrules,
                                            yaml=a.zircolite_rules is None))
    n = int(ours[0]["events"])
    o, z = _summary(ours, n), _summary(theirs, n)
    o["split_median"] = {k: round(statistics.median(float(r[k]) for r in ours), 2)
                         for k in ("rules_seconds", "load_seconds", "eval_seconds")}
    counts_o: dict[str, int] = ours[0]["counts"]
    counts_z: dict[str, int] = theirs[0]["counts"]
    print(json.dumps({
        "events": n, "unmask": o, "zircolite": z, "speedup": round(z["seconds"] / o["seconds"], 2),
        "speedup_per_pair": [round(float(b["seconds"]) / float(c["seconds"]), 2)
                             for c, b in zip(ours, theirs, strict=True)],
        "unmask_cold": {"seconds": round(float(cold["seconds"]), 1), "rules_seconds": round(cold["rules_seconds"], 1)},
        "unmask_rules": ours[0]["rules"],
        "zircolite_returncodes": sorted({int(r["returncode"]) for r in theirs}),
        "identical_matches": counts_o == counts_z,
        "matches": {t: {"unmask": counts_o.get(t, 0), "zircolite": counts_z.get(t, 0)}
                    for t in sorted(set(counts_o) | set(counts_z))},
    }, indent=2))


def _summary(runs: list[dict[str, Any]], n: int) -> dict[str, Any]:
    med = statistics.median(float(r["seconds"]) for r in runs)
    return {"seconds": round(med, 2), "runs": [round(float(r["seconds"]), 2) for r in runs],
            "events_per_s": round(n / med), "peak_rss_mb": round(max(float(r["peak_rss_mb"]) for r in runs))}


if __name__ == "__main__":
    main()
