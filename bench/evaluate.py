"""Score scans of labelled demo bundles: how well does the ranking find what was planted?

    python -m bench.evaluate --seeds 1 2 3 4 5 --sizes small medium

For each (seed, size): generate the demo bundle, scan it, and compare with its planted truth.

- **AP**: average precision of the ranking (subjects without findings rank last) for the
  planted subjects (the identity-theft victim is left out: flagged, but not planted).
- **P / R (high+)**: precision and recall of the high and critical bands.
- **look-alikes high+**: benign look-alikes in high or critical (must be 0).
- **cluster F1**: pairwise F1 of clusters.jsonl against the planted groups (the farm, the
  persona network, the stolen identity with its victim).
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from unmask.demo import generate
from unmask.pipeline import scan


def _pairs(groups: list[set[str]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for g in groups:
        out |= {(a, b) for a, b in itertools.combinations(sorted(g), 2)}
    return out


def evaluate_one(seed: int, size: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        truth = generate(root / "bundle", seed=seed, size=size)
        result = scan(root / "bundle", root / "out")
        rows = [json.loads(x) for x in (root / "out/findings.jsonl").read_text().splitlines() if x]
        clusters = [json.loads(x) for x in (root / "out/clusters.jsonl").read_text().splitlines() if x]
    planted = {i for k, ids in truth.planted.items() if k != "stolen_identity_victim" for i in ids}
    ranked = [r["subject"]["id"] for r in rows]
    hits, precisions = 0, []
    for k, sid in enumerate(ranked, 1):
        if sid in planted:
            hits += 1
            precisions.append(hits / k)
    ap = sum(precisions) / len(planted)  # planted subjects never found count as precision 0
    high = {r["subject"]["id"] for r in rows if r["band"] in ("high", "critical")}
    tp = len(high & planted)
    truth_groups = [set(truth.planted["laptop_farm"]), set(truth.planted["persona_network"]),
                    set(truth.planted["stolen_identity"]) | set(truth.planted["stolen_identity_victim"])]
    pred = _pairs([{m["id"] for m in c["members"]} for c in clusters])
    gold = _pairs(truth_groups)
    ctp = len(pred & gold)
    cp = ctp / len(pred) if pred else 0.0
    cr = ctp / len(gold) if gold else 0.0
    return {
        "seed": seed, "size": size, "subjects_with_findings": len(rows), "planted": len(planted),
        "ap": round(ap, 4),
        "precision_high": round(tp / len(high), 4) if high else 0.0,
        "recall_high": round(tp / len(planted), 4),
        "lookalikes_high": len(high & truth.benign_ids()),
        "cluster_f1": round(2 * cp * cr / (cp + cr), 4) if cp + cr else 0.0,
        "seconds": round(sum(result.manifest["timings"].values()), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    ap.add_argument("--sizes", nargs="+", default=["small", "medium"])
    a = ap.parse_args()
    runs = [evaluate_one(seed, size) for size in a.sizes for seed in a.seeds]
    summary = {}
    for size in a.sizes:
        sub = [r for r in runs if r["size"] == size]
        summary[size] = {k: {"mean": round(statistics.mean(r[k] for r in sub), 4),
                             "min": min(r[k] for r in sub), "max": max(r[k] for r in sub)}
                         for k in ("ap", "precision_high", "recall_high", "lookalikes_high", "cluster_f1")}
    print(json.dumps({"runs": runs, "summary": summary}, indent=2))


if __name__ == "__main__":
    main()
