"""nomenklatura's side of ``bench/screen_speed.py``: one process, prints one JSON line.

Runs in a separate environment with nomenklatura installed (never a dependency of Unmask):

    python3 -m venv /tmp/nkenv && /tmp/nkenv/bin/pip install nomenklatura==4.17.4
    python -m bench.screen_speed prepare bench/work/speed
    /tmp/nkenv/bin/python bench/nk_logicv2.py pairs bench/work/speed    # one run, by hand
    /tmp/nkenv/bin/python bench/nk_logicv2.py e2e bench/work/speed

- ``pairs``: logic-v2 on exactly the candidate pairs our index proposed (the candidate search
  is ours and not counted on this side, so the ratio flatters it).
- ``e2e``: nomenklatura alone: its own DuckDB blocker ``Index`` over the lists, its default
  candidate count, then logic-v2 on every candidate.

Untimed, as on our side: imports, building the entities (or the store and blocker index), and
a warm-up pass over the ``warm`` set, whose names are not in the timed set. The first compare
call loads rigour's data (about 6 s here), a one-time cost that the timer must not hold.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from followthemoney import Dataset, StatementEntity, model
from nomenklatura.blocker import Index
from nomenklatura.matching import get_algorithm
from nomenklatura.matching.types import ScoringConfig
from nomenklatura.resolver import Linker
from nomenklatura.store.memory import MemoryStore

ALGO: Any = get_algorithm("logic-v2")
CFG = ScoringConfig.defaults()


def pairs(folder: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    by_set: dict[str, list[tuple[Any, Any]]] = {"warm": [], "timed": []}
    for line in open(folder / "pairs.jsonl", encoding="utf-8"):
        r = json.loads(line)
        q = model.make_entity("Person")
        q.id = "q"
        q.add("name", r["name"])
        if r["birth_date"]:
            q.add("birthDate", r["birth_date"])
        if r["country"]:
            q.add("nationality", r["country"])
        for c in r["candidates"]:
            e = model.make_entity("Person" if c["schema"] == "Person" else "LegalEntity")
            e.id = c["id"].replace(":", "-")
            e.add("name", c["names"])
            e.add("birthDate", c["birth_dates"], quiet=True)
            e.add("nationality", c["nationalities"], quiet=True)
            by_set[r["set"]].append((q, e))
    t1 = time.perf_counter()
    for q, e in by_set["warm"]:
        ALGO.compare(q, e, CFG)
    t2 = time.perf_counter()
    for q, e in by_set["timed"]:
        ALGO.compare(q, e, CFG)
    t3 = time.perf_counter()
    return {"seconds": t3 - t2, "setup_seconds": t1 - t0, "warmup_seconds": t2 - t1, "pairs": len(by_set["timed"])}


def end_to_end(folder: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    ds = Dataset.make({"name": "lists", "title": "lists"})
    store: Any = MemoryStore(ds, Linker({}))
    with store.writer() as w:
        for line in open(folder / "lists.ftm.json", encoding="utf-8"):
            w.add_entity(StatementEntity.from_data(ds, json.loads(line)))
    view = store.default_view()
    queries: dict[str, dict[str, Any]] = {"warm": {}, "timed": {}}
    for line in open(folder / "queries.ftm.json", encoding="utf-8"):
        q = json.loads(line)
        queries[q.pop("set")][q["id"]] = StatementEntity.from_data(ds, q)
    with tempfile.TemporaryDirectory() as tmp:
        index = Index(view, Path(tmp))
        index.build()
        t1 = time.perf_counter()

        def screen(qs: dict[str, Any]) -> int:
            n = 0
            for ident, matches in index.match_entities(qs.values()):
                for mid, _ in matches:
                    e = view.get_entity(mid.id)
                    if e is not None:
                        ALGO.compare(qs[ident.id], e, CFG)
                        n += 1
            return n

        screen(queries["warm"])
        t2 = time.perf_counter()
        n_pairs = screen(queries["timed"])
        t3 = time.perf_counter()
    return {"seconds": t3 - t2, "setup_seconds": t1 - t0, "warmup_seconds": t2 - t1, "pairs": n_pairs}


def main() -> None:
    mode, folder = sys.argv[1], Path(sys.argv[2])
    res = pairs(folder) if mode == "pairs" else end_to_end(folder)
    res["names"] = json.loads((folder / "meta.json").read_text())["timed"]
    print(json.dumps(res))


if __name__ == "__main__":
    main()
