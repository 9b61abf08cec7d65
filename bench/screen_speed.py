"""Screening speed beside nomenklatura: warm on both sides, alternated, pinned to one core.

    python -m bench.screen_speed prepare bench/work/speed    # the pairs and FtM files, once
    python -m bench.screen_speed run bench/work/speed --nk-python /tmp/nkenv/bin/python \\
        --theirs pairs --repeat 5 --lock /work/cpu.lock     # or --theirs e2e

The timed set is the 4,620 names of ``bench/screen_quality.py`` (all yente sets). Every repeat
is a fresh process on each side (``taskset -c 0``), Unmask then nomenklatura, the median of
``--repeat`` pairs; with ``--lock`` each pair holds that flock and releases it after.

Inside each process only the warm part is timed, alike on both sides. Untimed before it:
imports, the lists (ours into DuckDB, theirs into FtM entities or their store and blocker
index), our key index, and one warm-up pass over a *different* set of names (``warm_parties``:
DPRK-set and cross-script names, none of them in the timed set), which pays the first-call
costs (nomenklatura's rigour data load, about 6 s; our UDF registration, ICU transliterators,
regexes) without filling either side's per-name caches with the timed names.

- ``--theirs pairs``: logic-v2 scores exactly the candidate pairs our index proposed for the
  timed names (``prepare`` wrote them); the candidate search is ours and not counted on its side.
- ``--theirs e2e``: nomenklatura alone: its DuckDB blocker ``Index`` (default 75 candidates a
  name) queried for every timed name, then logic-v2 on every candidate.

Our timer is ``index.screen`` of the timed names: key search in SQL, gates, scoring, the match table.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.screen_quality import DATA, SETS, _parties
from bench.sigma_bench import _Lock

NK_SCRIPT = Path(__file__).resolve().parent / "nk_logicv2.py"


def timed_parties() -> list[tuple[Any, ...]]:
    return [row for tag, path in SETS.items() for row in _parties(path, tag)]


def warm_parties() -> list[tuple[Any, ...]]:
    """Every fifth person of the DPRK set (its yente rows left out) and both sides of the
    cross-script pairs, with no name of the timed set; half carry a birth date and a
    nationality so the date and country comparisons run too."""
    taken = {r[3] for r in timed_parties()}
    names: list[str] = []
    for f in ("positives.csv", "negatives.csv"):
        rows = [r for r in csv.DictReader((DATA / "dprk_screen" / f).open(encoding="utf-8"))
                if r["schema"] == "Person" and r.get("origin") != "yente_global"]
        names += [r["name"] for r in rows[::5]]
    lines = (DATA / "watchman/cross-script/cross_script_pairs.csv").read_text(encoding="utf-8").splitlines()
    for row in csv.reader(x for x in lines if x.strip() and not x.startswith("#")):
        names += row[:2]
    names = [n for n in dict.fromkeys(names) if n not in taken]
    ctry = ("kp", "ru", "ir", "cn", "us")
    return [("row", f"warm:{i}", "query", n, "Person", f"19{50 + i % 40}-0{1 + i % 9}-1{i % 10}" if i % 2 else None,
             ctry[i % 5] if i % 2 else None, "warm", i) for i, n in enumerate(names)]


def _index() -> Any:
    from unmask.engine import open_engine
    from unmask.screen import index
    from unmask.sources.intel import load_default_or

    eng = open_engine(None, threads=1)
    load_default_or(eng, None)
    index.build_list_index(eng)
    return eng


PAIRS_SQL = """
SELECT p.name, p.dob, p.country, list(DISTINCT {'id': c.list || ':' || c.entity_id, 'schema': e.schema,
  'birth_dates': e.birth_dates, 'nationalities': e.nationalities}), list(DISTINCT c.list || ':' || c.entity_id || '|'
  || c.list_name)
FROM (SELECT DISTINCT pid, name, dob, country FROM screen_p) p JOIN screen_candidates c USING (pid)
JOIN intel_entities e USING (list, entity_id) GROUP BY ALL ORDER BY ALL
"""


def prepare(folder: Path) -> None:
    """``pairs.jsonl`` (our candidates for the warm-up and the timed names, for ``--theirs pairs``),
    ``lists.ftm.json`` and ``queries.ftm.json`` (for ``--theirs e2e``), ``meta.json``."""
    from unmask.screen import index

    folder.mkdir(parents=True, exist_ok=True)
    eng = _index()
    sets = {"warm": warm_parties(), "timed": timed_parties()}
    with (folder / "pairs.jsonl").open("w", encoding="utf-8") as fh:
        for tag, parties in sets.items():
            index.set_parties(eng, parties)
            index.screen(eng)
            for name, dob, ctry, ents, names in eng.query(PAIRS_SQL):
                by_id = {e["id"]: {**e, "names": []} for e in ents}
                for x in names:
                    eid, nm = x.split("|", 1)
                    by_id[eid]["names"].append(nm)
                fh.write(json.dumps({"set": tag, "name": name, "birth_date": dob, "country": ctry,
                                     "candidates": list(by_id.values())}) + "\n")
    rows = eng.query(
        "SELECT e.list || '-' || e.entity_id, e.schema, list(n.name ORDER BY n.name), e.birth_dates, e.nationalities "
        "FROM intel_entities e JOIN intel_names n USING (list, entity_id) GROUP BY ALL ORDER BY 1")
    with (folder / "lists.ftm.json").open("w", encoding="utf-8") as fh:
        for eid, schema, names, dobs, nats in rows:
            person = schema == "Person"
            props: dict[str, list[str]] = {"name": names} | (
                {"birthDate": dobs, "nationality": nats} if person else {})
            fh.write(json.dumps({"id": eid, "schema": "Person" if person else "LegalEntity",
                                 "properties": props}) + "\n")
    with (folder / "queries.ftm.json").open("w", encoding="utf-8") as fh:
        for tag, parties in sets.items():
            for p in parties:
                q = {"name": [p[3]]} | ({"birthDate": [p[5]]} if p[5] else {}) | (
                    {"nationality": [p[6]]} if p[6] else {})
                fh.write(json.dumps({"set": tag, "id": f"q{p[1]}".replace(":", "-"), "schema": "Person",
                                     "properties": q}) + "\n")
    (folder / "meta.json").write_text(json.dumps({k: len(v) for k, v in sets.items()}))
    print(f"{folder}: {len(sets['warm'])} warm-up and {len(sets['timed'])} timed names, pairs and FtM files")


def ours() -> None:
    """One child process of our side: everything untimed but the screen of the timed names."""
    t0 = time.perf_counter()
    from unmask.screen import index

    eng = _index()
    t1 = time.perf_counter()
    index.set_parties(eng, warm_parties())
    index.screen(eng)  # the warm-up pass
    parties = timed_parties()
    index.set_parties(eng, parties)
    t2 = time.perf_counter()
    index.screen(eng)
    t3 = time.perf_counter()
    print(json.dumps({"names": len(parties), "seconds": t3 - t2, "setup_seconds": t1 - t0,
                      "warmup_seconds": t2 - t1,
                      "pairs": eng.query("SELECT count(*) FROM screen_qcand")[0][0]}))


def _child(cmd: list[str]) -> dict[str, Any]:
    t = time.perf_counter()
    out = subprocess.run(["taskset", "-c", "0", *cmd], capture_output=True, text=True, check=True)
    res: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    res["process_seconds"] = time.perf_counter() - t
    return res


def run(folder: Path, nk_python: str, theirs: str, repeat: int, lock: Path | None) -> None:
    env_ours = [sys.executable, "-m", "bench.screen_speed", "ours"]
    env_nk = [nk_python, str(NK_SCRIPT), theirs, str(folder)]
    a, b = [], []
    loads = [os.getloadavg()[0]]
    for _ in range(repeat):
        with _Lock(lock):
            loads.append(os.getloadavg()[0])
            a.append(_child(env_ours))
            b.append(_child(env_nk))
    loads.append(os.getloadavg()[0])
    n = int(a[0]["names"])
    assert all(int(r["names"]) == n for r in a + b), "both sides must time the same names"
    mo, mt = (statistics.median(float(r["seconds"]) for r in x) for x in (a, b))

    def side(runs: list[dict[str, Any]], med: float) -> dict[str, Any]:
        secs = sorted(float(r["seconds"]) for r in runs)
        keys = ("setup_seconds", "warmup_seconds", "process_seconds")
        return {"seconds_median": round(med, 3), "seconds_min": round(secs[0], 3), "seconds_max": round(secs[-1], 3),
                "names_per_s_median": round(n / med), "names_per_s_min": round(n / secs[-1]),
                "names_per_s_max": round(n / secs[0]), "runs": [round(float(r["seconds"]), 3) for r in runs],
                "pairs": runs[0].get("pairs"),
                **{k + "_median": round(statistics.median(float(r[k]) for r in runs), 2) for k in keys}}

    print(json.dumps({
        "theirs": theirs, "names": n, "repeat": repeat, "unmask": side(a, mo), "nomenklatura": side(b, mt),
        "ratio_median": round(mt / mo, 2),
        "ratio_per_pair": [round(float(y["seconds"]) / float(x["seconds"]), 2) for x, y in zip(a, b, strict=True)],
        "load_1min": {"start": round(loads[0], 2), "before_each_pair": [round(x, 2) for x in loads[1:-1]],
                      "end": round(loads[-1], 2)},
    }, indent=2))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", choices=("prepare", "run", "ours"))
    ap.add_argument("folder", type=Path, nargs="?")
    ap.add_argument("--nk-python", default="/tmp/nkenv/bin/python", help="a venv with nomenklatura==4.17.4")
    ap.add_argument("--theirs", choices=("pairs", "e2e"), default="pairs")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--lock", type=Path, help="hold this flock for each pair of runs (e.g. /work/cpu.lock)")
    a = ap.parse_args()
    if a.step == "ours":
        ours()
    elif a.folder is None:
        ap.error("prepare and run need the folder")
    elif a.step == "prepare":
        prepare(a.folder)
    else:
        run(a.folder, a.nk_python, a.theirs, a.repeat, a.lock)


if __name__ == "__main__":
    main()
