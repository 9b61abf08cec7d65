"""nomenklatura's logic-v2 on the candidate pairs ``bench/screen_quality.py --pairs`` wrote.

Runs in a separate environment with nomenklatura installed (never a dependency of Unmask):

    python3 -m venv /tmp/nkenv && /tmp/nkenv/bin/pip install nomenklatura==4.17.4
    /tmp/nkenv/bin/python bench/nk_logicv2.py bench/work/screen_pairs.jsonl
    /tmp/nkenv/bin/python bench/nk_logicv2.py --end-to-end bench/work/ftm

logic-v2 gets the same pairs our scorer saw, and only has to score them: the candidate
search is ours and not counted on its side, so the ratio flatters it.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from followthemoney import model
from nomenklatura.matching import get_algorithm
from nomenklatura.matching.types import ScoringConfig


def end_to_end(folder: str) -> None:
    """nomenklatura's own DuckDB blocker Index over the lists, its default candidate count,
    then logic-v2 on every candidate: what screening with nomenklatura alone costs."""
    import tempfile
    from pathlib import Path

    from followthemoney import Dataset, StatementEntity
    from nomenklatura.blocker import Index
    from nomenklatura.resolver import Linker
    from nomenklatura.store.memory import MemoryStore

    ds = Dataset.make({"name": "lists", "title": "lists"})
    algo: Any = get_algorithm("logic-v2")
    cfg = ScoringConfig.defaults()
    qs = [json.loads(x) for x in open(Path(folder) / "queries.ftm.json", encoding="utf-8")]
    ours = qs[0].pop("our_seconds")
    t0 = time.perf_counter()
    store: Any = MemoryStore(ds, Linker({}))
    with store.writer() as w:
        for line in open(Path(folder) / "lists.ftm.json", encoding="utf-8"):
            w.add_entity(StatementEntity.from_data(ds, json.loads(line)))
    view = store.default_view()
    with tempfile.TemporaryDirectory() as tmp:
        index = Index(view, Path(tmp))
        index.build()
        t1 = time.perf_counter()
        queries = {}
        for q in qs:
            q.pop("our_seconds", None)
            queries[q["id"]] = StatementEntity.from_data(ds, q)
        pairs = 0
        for ident, matches in index.match_entities(queries.values()):
            q_ent = queries[ident.id]
            for mid, _ in matches:
                e = view.get_entity(mid.id)
                if e is not None:
                    algo.compare(q_ent, e, cfg)
                    pairs += 1
        t2 = time.perf_counter()
    n = len(qs)
    print(f"nomenklatura end to end: lists into store and blocker index {t1 - t0:.2f} s; {n} names matched and "
          f"{pairs} candidate pairs scored by logic-v2 in {t2 - t1:.2f} s = {n / (t2 - t1):,.1f} names/s; "
          f"Unmask {n / ours:,.0f} names/s; ratio {(n / ours) / (n / (t2 - t1)):.1f}x")


def main() -> None:
    if sys.argv[1] == "--end-to-end":
        end_to_end(sys.argv[2])
        return
    rows = [json.loads(x) for x in open(sys.argv[1], encoding="utf-8")]
    algo: Any = get_algorithm("logic-v2")
    cfg = ScoringConfig.defaults()
    pairs = []
    for r in rows:
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
            pairs.append((q, e))
    t = time.perf_counter()
    for q, e in pairs:
        algo.compare(q, e, cfg)
    dt = time.perf_counter() - t
    ours = rows[0]["our_seconds"] if rows else 0.0
    n = rows[0]["queries"] if rows else 0
    print(f"logic-v2: {len(pairs)} pairs for {len(rows)} names with candidates in {dt:.2f} s "
          f"= {len(rows) / dt:,.0f} names/s; Unmask screened all {n} names (search included) in {ours:.2f} s "
          f"= {n / ours:,.0f} names/s; ratio {(n / ours) / (len(rows) / dt):.1f}x")


if __name__ == "__main__":
    main()
