"""A real multi-process Spark run (issue 16): a standalone master and two workers on localhost.

    python -m bench.spark_cluster --size medium --work /tmp/spark-cluster [--json out.json]

Starts a Spark standalone master and two workers (one core, 1 GiB each) with the scripts of the
pyspark package (``sbin/spark-daemon.sh``), all bound to 127.0.0.1, and connects the Spark engine
to ``spark://127.0.0.1:7077``. Then, on the demo bundle of the given size (seed 7):

1. **Readers on the cluster.** Every line-oriented log of the bundle (``*.jsonl``, ``*.json``
   Lines) is read by Spark and split into lines on the executors
   (``SparkEngine.load_lines``); the per-file counts of lines loaded and rejected must equal
   the DuckDB engine's on the same files. A vectorised scalar reports the process id of the
   executor that ran each partition: more than one proves the work left the driver.
2. **The whole scan** (``unmask scan --engine spark --spark-master ...``) on the cluster, and its
   differences from a DuckDB scan of the same bundle (``bench/engine_parity.same_answers``:
   none expected). A stage Spark cannot run would stop it with its name (docs/architecture.md).

The daemons are stopped (by their pid files) whatever happens; their logs are in ``WORK/logs`` and
each executor's stdout/stderr in ``WORK/worker``. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

MASTER = "spark://127.0.0.1:7077"
UI = "http://127.0.0.1:18080/json/"


def _spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def _daemon(env: dict[str, str], action: str, cls: str, instance: int, *args: str) -> None:
    script = _spark_home() / "sbin" / "spark-daemon.sh"
    subprocess.run(["bash", str(script), action, cls, str(instance), *args], env=env, check=True,
                   capture_output=True, text=True)


def _env(work: Path) -> dict[str, str]:
    # SPARK_WORKER_DIR: a worker keeps each executor's folder (its stdout/stderr, fetched files) in
    # $SPARK_HOME/work by default, which here is inside the installed pyspark package (the venv).
    return {**os.environ, "SPARK_HOME": str(_spark_home()), "SPARK_LOG_DIR": str(work / "logs"),
            "SPARK_PID_DIR": str(work / "pids"), "SPARK_WORKER_DIR": str(work / "worker"),
            "SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable}


_MASTER_CLS = "org.apache.spark.deploy.master.Master"
_WORKER_CLS = "org.apache.spark.deploy.worker.Worker"


def start(work: Path, workers: int) -> dict[str, Any]:
    env = _env(work)
    _daemon(env, "start", _MASTER_CLS, 1, "--host", "127.0.0.1", "--port", "7077", "--webui-port", "18080")
    for i in range(1, workers + 1):
        _daemon(env, "start", _WORKER_CLS, i, "--host", "127.0.0.1", "--webui-port", str(18080 + i),
                "--cores", "1", "--memory", "1g", MASTER)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(UI, timeout=5) as r:  # noqa: S310 - our own localhost master
                state = json.load(r)
            alive = [w for w in state.get("workers", []) if w.get("state") == "ALIVE"]
            if len(alive) >= workers:
                return {"workers": [{"host": w["host"], "cores": w["cores"], "memory_mb": w["memory"]}
                                    for w in alive]}
        except OSError:
            pass
        time.sleep(2)
    raise RuntimeError("the standalone cluster did not come up within 120 s (see its logs)")


def stop(work: Path, workers: int) -> None:
    env = _env(work)
    for i in range(1, workers + 1):
        subprocess.run(["bash", str(_spark_home() / "sbin" / "spark-daemon.sh"), "stop", _WORKER_CLS, str(i)],
                       env=env, capture_output=True)
    subprocess.run(["bash", str(_spark_home() / "sbin" / "spark-daemon.sh"), "stop", _MASTER_CLS, "1"],
                   env=env, capture_output=True)


def _executor_pid(_: str | None) -> int:
    # The parent of a Python worker is its executor's worker daemon: one per executor JVM.
    return os.getppid()


def line_files(bundle: Path) -> list[Path]:
    from unmask.engine.textfiles import text_lines

    out = []
    for p in sorted(bundle.rglob("*.json*")):
        first = next((x for x in text_lines(p, 1 << 20) if isinstance(x, tuple)), None)
        if first and first[1].lstrip().startswith("{"):  # JSON Lines, not one array document
            out.append(p)
    return out


def readers(engine: Any, files: list[Path], pid_udf: bool) -> dict[str, Any]:
    t = time.perf_counter()
    rejects = engine.load_lines(files, "bench_lines", 1 << 20, layers=("raw",), materialize=True)
    counts = dict(engine.query("SELECT __file, count(*) FROM bench_lines GROUP BY __file"))
    out: dict[str, Any] = {
        "seconds": round(time.perf_counter() - t, 2),
        "per_file": {str(p.name): [int(counts.get(i, 0)), len(rejects[i])] for i, p in enumerate(files)},
    }
    if pid_udf:
        engine.register_scalar("bench_executor", _executor_pid, ["VARCHAR"], "BIGINT")
        pids = sorted(int(r[0]) for r in engine.query("SELECT DISTINCT bench_executor(raw) FROM bench_lines"))
        out["executor_processes"], out["executor_pids"] = len(pids), pids
    engine.drop("bench_lines")
    return out


def executor_tasks(work: Path) -> dict[str, int]:
    """Tasks each executor finished (from its stderr in the worker folder): the whole scan's
    share of the work per executor, where the readers' pids cover only their own stage."""
    return {f"{d.parent.name}/{d.name}": (d / "stderr").read_text(errors="replace").count("Finished task")
            for d in sorted((work / "worker").glob("app-*/*")) if (d / "stderr").is_file()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="medium", choices=("small", "medium"))
    ap.add_argument("--work", type=Path, default=Path("/tmp/unmask-spark-cluster"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    os.environ.setdefault("UNMASK_TOKEN_KEY", "6b" * 32)
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"  # the driver, too, listens on localhost only
    from bench.engine_parity import same_answers
    from unmask.demo import generate
    from unmask.engine import EngineChoice, open_engine
    from unmask.pipeline import EngineGap, scan

    work: Path = args.work
    bundle = work / "bundle"
    if not bundle.is_dir():
        generate(bundle, seed=7, size=args.size)
    files = line_files(bundle)
    result: dict[str, Any] = {"size": args.size, "files": len(files)}
    duck = open_engine(None)
    result["duckdb_readers"] = readers(duck, files, False)
    duck.close()
    shutil.rmtree(work / "worker", ignore_errors=True)  # executor_tasks counts this run's executors only
    t0 = time.perf_counter()
    try:
        result["cluster"] = start(work, args.workers)
        result["cluster"]["start_seconds"] = round(time.perf_counter() - t0, 1)
        spark = open_engine(None, kind="spark", master=MASTER)
        result["spark_readers"] = readers(spark, files, True)
        result["readers_agree"] = result["spark_readers"]["per_file"] == result["duckdb_readers"]["per_file"]
        spark.close()
        t = time.perf_counter()
        try:
            got = scan(bundle, work / "out", engine=EngineChoice("spark", master=MASTER))
            result["scan"] = {"bands": got.bands, "seconds": round(time.perf_counter() - t, 1)}
        except EngineGap as e:
            result["scan"] = {"stopped": str(e), "seconds": round(time.perf_counter() - t, 1)}
        if "bands" in result["scan"]:
            # The cluster's answers are DuckDB's (bench/engine_parity.py's comparison).
            scan(bundle, work / "duckdb")
            result["scan"]["differences_from_duckdb"] = same_answers(work / "duckdb", work / "out")[:50]
    finally:
        stop(work, args.workers)
    result["executor_tasks"] = executor_tasks(work)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
