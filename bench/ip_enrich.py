"""IP enrichment speed: classify N distinct IPv4 addresses against the shipped VPN and datacenter
ranges (~53k CIDRs) with the same SQL the scan uses (an ASOF join per range kind).

    python -m bench.ip_enrich --ips 2000000 --threads 2
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from unmask.config import Config
from unmask.engine import open_engine
from unmask.normalise.network import classify_ips, load_ip_ranges


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ips", type=int, default=2_000_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    eng = open_engine(None, threads=a.threads)
    with tempfile.TemporaryDirectory() as tmp:
        n_ranges = load_ip_ranges(eng, Config(), Path(tmp))
    # Random public-looking IPv4 text, generated in SQL (seeded).
    eng.execute("SELECT setseed(0.42)")
    eng.execute(
        "CREATE TABLE src AS SELECT DISTINCT (1 + floor(random() * 222))::INT || '.' || floor(random() * 256)::INT "
        "|| '.' || floor(random() * 256)::INT || '.' || floor(random() * 256)::INT AS ip FROM range($n)",
        {"n": a.ips},
    )
    n = int(eng.query("SELECT count(*) FROM src")[0][0])
    runs = []
    for _ in range(a.repeat):
        t = time.perf_counter()
        classify_ips(eng, "src", "cls")
        runs.append(time.perf_counter() - t)
    hits = dict(eng.query("SELECT kind, count(*) FROM cls GROUP BY kind"))
    med = sorted(runs)[len(runs) // 2]
    print(json.dumps({"ips": n, "ranges": n_ranges, "seconds": round(med, 3), "runs": [round(r, 3) for r in runs],
                      "ips_per_s": round(n / med), "hits": hits, "threads": a.threads}, indent=2))


if __name__ == "__main__":
    main()
