"""nomenklatura's logic-v2 on the candidate pairs ``bench/screen_quality.py --pairs`` wrote.

Runs in a separate environment with nomenklatura installed (never a dependency of Unmask):

    python3 -m venv /tmp/nkenv && /tmp/nkenv/bin/pip install nomenklatura==4.17.4
    /tmp/nkenv/bin/python bench/nk_logicv2.py bench/work/screen_pairs.jsonl

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


def main() -> None:
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
