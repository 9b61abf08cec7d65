"""Score scans of the scenario suite (bench/scenarios), per class and per variant family.

    python -m bench.evaluate_scenarios --seeds 1 2 --size small [--json OUT.json]

For each seed and each variant family (A: development, B: held out): generate the bundle,
scan it, and compare with its labels.

- **AP**: average precision of the ranking for the planted subjects (subjects without
  findings rank last; likely victims of a claimed identity are neither planted nor innocent).
- **P / R (high+)**: precision and recall of the high and critical bands.
- **look-alikes high+**: benign look-alikes in high or critical, overall and per class.
- **cluster F1**: pairwise F1 of clusters.jsonl against the planted groups.
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench.scenarios import CLASSES, generate
from unmask.pipeline import scan

HIGH = ("high", "critical")


def _ap(ranked: list[str], positives: set[str]) -> float:
    hits, total = 0, 0.0
    for i, s in enumerate(ranked, start=1):
        if s in positives:
            hits += 1
            total += hits / i
    return total / len(positives) if positives else 0.0


def _pairs(groups: list[list[str]]) -> set[tuple[str, str]]:
    return {p for g in groups for p in itertools.combinations(sorted(g), 2)}


def evaluate_one(seed: int, family: str, size: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        truth = generate(root / "bundle", seed=seed, family=family, size=size)
        scan(root / "bundle", root / "out")
        findings = [json.loads(line) for line in (root / "out/findings.jsonl").read_text().splitlines() if line]
        clusters = [json.loads(line) for line in (root / "out/clusters.jsonl").read_text().splitlines() if line]
    band = {f["subject"]["id"]: f["band"] for f in findings}
    planted = truth.planted()
    ranked = [f["subject"]["id"] for f in findings if f["subject"]["id"] in truth.labels]
    ranked += sorted(s for s in truth.labels if s not in set(ranked))
    scored = [s for s in ranked if truth.labels[s] != "identity_victim"]
    high = {s for s, b in band.items() if b in HIGH and truth.labels.get(s) != "identity_victim"}
    tp = len(high & planted)
    look = {s: c for s, c in truth.lookalikes().items() if c != "identity_victim"}
    look_high = Counter(look[s] for s in high if s in look)
    found = _pairs([[m["id"] for m in c["members"]] for c in clusters])
    want = _pairs(truth.groups)
    cp = len(found & want) / len(found) if found else 0.0
    cr = len(found & want) / len(want) if want else 0.0
    per_class: dict[str, dict[str, int]] = {}
    for s, c in truth.labels.items():
        if c == "clean":
            continue
        row = per_class.setdefault(c, {"subjects": 0, "high+": 0})
        row["subjects"] += 1
        row["high+"] += int(band.get(s) in HIGH)
    return {
        "seed": seed, "family": family, "size": size,
        "ap": round(_ap(scored, planted), 3),
        "precision_high": round(tp / len(high), 3) if high else 0.0,
        "recall_high": round(tp / len(planted), 3) if planted else 0.0,
        "lookalikes_high": sum(look_high.values()),
        "lookalikes_high_by_class": dict(sorted(look_high.items())),
        "clean_high": sum(1 for s in high if truth.labels.get(s) == "clean"),
        "cluster_f1": round(2 * cp * cr / (cp + cr), 3) if cp + cr else 0.0,
        "per_class": dict(sorted(per_class.items())),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--size", choices=["small", "full"], default="small")
    ap.add_argument("--families", nargs="+", default=["A", "B"])
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    rows = [evaluate_one(s, f, a.size) for f in a.families for s in a.seeds]
    for r in rows:
        print(f"seed {r['seed']} family {r['family']}: AP {r['ap']}  P(high+) {r['precision_high']}  "
              f"R(high+) {r['recall_high']}  look-alikes high+ {r['lookalikes_high']} "
              f"{r['lookalikes_high_by_class'] or ''}  clean high+ {r['clean_high']}  cluster F1 {r['cluster_f1']}")
    planted = [c for c, v in CLASSES.items() if v]
    for fam in a.families:
        mine = [r for r in rows if r["family"] == fam]
        classes = sorted({c for r in mine for c in r["per_class"]})
        print(f"family {fam}, per class (subjects in high+ / subjects; planted: {', '.join(planted)}):")
        for c in classes:
            got = sum(r["per_class"].get(c, {}).get("high+", 0) for r in mine)
            n = sum(r["per_class"].get(c, {}).get("subjects", 0) for r in mine)
            print(f"  {c:20} {got}/{n}")
    if a.json:
        a.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
