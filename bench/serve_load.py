"""Load test of the workbench (issue 15): 20 users at once browsing a scan of ~100k findings.

The scan store is a real scan of the small demo, amplified in SQL: every row of every table that
is keyed by a scored subject (and every cluster row) is copied N times with the ids suffixed
(``E1300~17``), until there are ~100k findings. A real scan that large would need ~1.7 M workers
(the demo flags ~6 %), far more than this machine scans in a session; amplifying a real store
keeps every table and column the pages read exactly as the scan wrote them, with realistic
evidence, clusters and timelines per subject.

The server is the real ``unmask serve`` process on 127.0.0.1 (loopback only). Each simulated user
has its own account and personal API token and a bounded list of requests (queue pages with
filters and offsets, searches, person pages, the findings API), with a pause between clicks as a
person reading the page makes (``--think``, seconds; ``0,0`` measures saturation instead), stopped
early by ``--max-seconds``. The figures are wall-clock times per request as the client saw them.

    python -m bench.serve_load --work /tmp/wbload [--findings 100000] [--users 20] [--requests 40]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import httpx

ROOT = Path(__file__).resolve().parent.parent
# Columns that name a subject, person, cluster or evidence row: each copy gets its own ids.
ID_COLS = {"subject_id", "employee_id", "candidate_id", "person_id", "cluster_id", "evidence_id", "subject_key",
           "record_key", "group_key"}
LINK_COLS = {"cluster_links": {"a", "b"}}
SEP = "~"


def _cli(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-c", "from unmask.cli import main; main()", *args], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [(str(a), str(b)) for a, b in con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        [table]).fetchall()]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def amplify(store: Path, target: int) -> dict[str, int]:
    """Copy every scored subject's rows (and every cluster's) until ``scores`` holds ~``target``
    rows. Identifiers come from the store's own catalogue, never from input text."""
    con = duckdb.connect(str(store))
    try:
        base = int(con.execute("SELECT count(*) FROM scores").fetchone()[0])  # type: ignore[index]
        copies = max(0, math.ceil(target / base) - 1)
        con.execute("CREATE TEMP TABLE scored AS SELECT subject_type, subject_id FROM scores")
        tables = [str(t) for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_\\_splink%' ESCAPE '\\'").fetchall()]
        grown: dict[str, int] = {}
        for t in tables:
            cols = _columns(con, t)
            names = {c for c, _ in cols}
            if {"subject_type", "subject_id"} <= names:
                where = "(subject_type, subject_id) IN (SELECT subject_type, subject_id FROM scored)"
            elif "employee_id" in names:
                where = "employee_id IN (SELECT subject_id FROM scored WHERE subject_type = 'employee')"
            elif "candidate_id" in names:
                where = "candidate_id IN (SELECT subject_id FROM scored WHERE subject_type = 'candidate')"
            elif "cluster_id" in names:
                where = "true"
            else:
                continue
            exprs = []
            for c, ty in cols:
                if c in ID_COLS or c in LINK_COLS.get(t, set()):
                    if ty.startswith(("VARCHAR", "TEXT")):
                        exprs.append(f"CASE WHEN {_q(c)} IS NULL THEN NULL ELSE {_q(c)} || '{SEP}' || r.i END")
                    else:
                        exprs.append(f"{_q(c)} + r.i * 100000000")
                else:
                    exprs.append(_q(c))
            sql = (f"INSERT INTO {_q(t)} SELECT {', '.join(exprs)} FROM {_q(t)} "  # noqa: S608 - catalogue names
                   f"CROSS JOIN range(1, {copies + 1}) r(i) WHERE {where}")
            before = int(con.execute(f"SELECT count(*) FROM {_q(t)}").fetchone()[0])  # type: ignore[index]  # noqa: S608
            con.execute(sql)
            grown[t] = int(con.execute(f"SELECT count(*) FROM {_q(t)}").fetchone()[0]) - before  # type: ignore[index]  # noqa: S608
        con.execute("CHECKPOINT")
        grown["scores (total)"] = int(con.execute("SELECT count(*) FROM scores").fetchone()[0])  # type: ignore[index]
        return grown
    finally:
        con.close()


def build(work: Path, findings: int, env: dict[str, str]) -> Path:
    """``work/store``: a scan folder (unmask.duckdb + manifest.json) with ~``findings`` findings."""
    store_dir = work / "store"
    if (store_dir / "unmask.duckdb").is_file():
        return store_dir
    demo = work / "demo"
    shutil.rmtree(demo, ignore_errors=True)
    _cli("demo", "--out", str(demo), "--seed", "7", "--size", "small", env=env)
    scan = demo / "scan" / "current"
    store_dir.mkdir(parents=True, exist_ok=True)
    tmp = store_dir / "unmask.duckdb.tmp"
    shutil.copy(scan / "unmask.duckdb", tmp)
    shutil.copy(scan / "manifest.json", store_dir / "manifest.json")
    grown = amplify(tmp, findings)
    os.replace(tmp, store_dir / "unmask.duckdb")
    print("amplified:", json.dumps(grown), file=sys.stderr)
    return store_dir


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, math.ceil(p / 100 * len(xs)) - 1))]


def load(store_dir: Path, users: int, requests: int, max_seconds: float, env: dict[str, str],
         think: tuple[float, float], seed: int = 1) -> dict[str, Any]:
    from unmask.serve.accounts import Accounts

    cases = store_dir / "cases.sqlite"
    acc = Accounts(cases)
    tokens = []
    for i in range(users):
        name = f"analyst{i:02d}"
        if acc.user(name) is None:
            acc.add_user(name, "investigator", None)
        tokens.append(acc.new_api_token(name))
    acc.close()
    con = duckdb.connect(str(store_dir / "unmask.duckdb"), read_only=True)
    ids = [str(r[0]) for r in con.execute("SELECT subject_id FROM scores WHERE subject_type = 'employee'").fetchall()]
    families = [str(r[0]) for r in con.execute(
        "SELECT DISTINCT family FROM scored_evidence WHERE family IS NOT NULL").fetchall()]
    total = int(con.execute("SELECT count(*) FROM scores").fetchone()[0])  # type: ignore[index]
    con.close()
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-c", "from unmask.cli import main; main()", "serve", str(store_dir),
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        assert proc.stdout is not None
        if not re.search(r"/login\?t=", proc.stdout.readline()):
            raise SystemExit("unmask serve did not start: " + (proc.stderr.read() if proc.stderr else ""))
        for _ in range(200):
            try:
                httpx.get(base + "/login", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        rng = random.Random(seed)
        bands = ["critical", "high", "medium", "low"]

        def plan() -> list[tuple[str, str]]:
            out: list[tuple[str, str]] = []
            for _ in range(requests):
                k = rng.choice(["queue", "queue_filter", "search", "person", "api"])
                if k == "queue":
                    out.append((k, f"/?offset={rng.randrange(0, total, 50)}"))
                elif k == "queue_filter":
                    out.append((k, f"/?band={rng.choice(bands)}&family={rng.choice(families)}"
                                   f"&offset={rng.choice([0, 0, 50, 500])}"))
                elif k == "search":
                    out.append((k, f"/?q={rng.choice(ids)}"))
                elif k == "person":
                    out.append((k, f"/person/employee/{rng.choice(ids)}"))
                else:
                    out.append((k, f"/api/findings?limit=50&offset={rng.randrange(0, total, 50)}"))
            return out

        plans = [plan() for _ in range(users)]
        results: list[tuple[str, float, int]] = []
        guard = threading.Lock()
        deadline = time.monotonic() + max_seconds

        def user(i: int) -> None:
            pause = random.Random(seed * 1000 + i)
            time.sleep(pause.uniform(0, think[1]))  # users do not all click at the same instant
            with httpx.Client(base_url=base, headers={"authorization": f"Bearer {tokens[i]}"}, timeout=60) as c:
                for kind, url in plans[i]:
                    if time.monotonic() > deadline:
                        return
                    t0 = time.perf_counter()
                    r = c.get(url)
                    dt = time.perf_counter() - t0
                    with guard:
                        results.append((kind, dt, r.status_code))
                    time.sleep(pause.uniform(*think))  # reading the page before the next click

        t0 = time.monotonic()
        with ThreadPoolExecutor(users) as pool:
            list(pool.map(user, range(users)))
        wall = time.monotonic() - t0
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    def stats(kind: str | None) -> dict[str, float]:
        xs = [dt * 1000 for k, dt, _ in results if kind is None or k == kind]
        return {"n": len(xs), "p50_ms": round(_pct(xs, 50), 1), "p95_ms": round(_pct(xs, 95), 1),
                "p99_ms": round(_pct(xs, 99), 1), "mean_ms": round(statistics.fmean(xs), 1)} if xs else {"n": 0}

    kinds = sorted({k for k, _, _ in results})
    return {"findings": total, "users": users, "think_s": list(think), "requests": len(results),
            "wall_s": round(wall, 1), "throughput_rps": round(len(results) / wall, 1),
            "errors": sum(1 for _, _, s in results if s != 200),
            "all": stats(None), **{k: stats(k) for k in kinds}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--findings", type=int, default=100_000)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--requests", type=int, default=40, help="requests per user")
    ap.add_argument("--max-seconds", type=float, default=300.0)
    ap.add_argument("--think", default="1,3", help="seconds between a user's clicks, 'MIN,MAX'; '0,0' saturates")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.setdefault("UNMASK_TOKEN_KEY", "6b" * 32)
    a.work.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    store = build(a.work, a.findings, env)
    print(f"store ready in {time.monotonic() - t0:.0f}s: {store}", file=sys.stderr)
    lo, hi = (float(x) for x in a.think.split(","))
    out = load(store, a.users, a.requests, a.max_seconds, env, (lo, hi))
    print(json.dumps(out, indent=1))
    if a.json:
        a.json.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
