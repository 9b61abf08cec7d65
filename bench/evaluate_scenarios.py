"""Score a scan against the scenario suite's planted truth (issue 13 §6).

``python -m bench.evaluate_scenarios --seeds 1 2 --size small`` generates each seed's bundle,
runs ``unmask.pipeline.scan`` on it and prints (and writes, ``--json``) per seed and overall:
AP of the ranking (subjects without findings rank last), recall and precision of high+critical,
benign look-alikes in high+critical overall and per class, cluster pairwise F1 against the
planted scheme groups, and the same figures for the held-out variant family B alone.
Only classes are reported, never names.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from itertools import combinations
from pathlib import Path
from typing import Any

from bench.scenarios import BENIGN, SCHEMES, generate

HIGH = {"high", "critical"}


def average_precision(ranked: list[str], positives: set[str]) -> float:
    """AP over the ranked subjects; positives never ranked add zero (they rank last, below all)."""
    if not positives:
        return 0.0
    hits, total = 0, 0.0
    for i, sid in enumerate(ranked, 1):
        if sid in positives:
            hits += 1
            total += hits / i
    return total / len(positives)


def pair_f1(clusters: list[set[str]], groups: dict[str, set[str]], scope: set[str]) -> dict[str, float]:
    """Pairwise precision/recall/F1 of predicted clusters against planted scheme groups, on SCOPE."""
    truth = {frozenset(p) for g in groups.values() for p in combinations(sorted(g & scope), 2)}
    pred = {frozenset(p) for c in clusters for p in combinations(sorted(c & scope), 2)}
    tp = len(truth & pred)
    prec = tp / len(pred) if pred else 0.0
    rec = tp / len(truth) if truth else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"pairs_true": len(truth), "pairs_pred": len(pred), "precision": round(prec, 4),
            "recall": round(rec, 4), "f1": round(f1, 4)}


def metrics(findings: list[dict[str, Any]], clusters: list[set[str]], truth: dict[str, dict[str, str]],
            scope: set[str]) -> dict[str, Any]:
    """The figures on the subjects in SCOPE (all planted + background, or one family + background)."""
    ranked = [f["subject"]["id"] for f in findings if f["subject"]["id"] in scope]
    band = {f["subject"]["id"]: f["band"] for f in findings}
    pos = {s for s in scope if truth[s]["scheme"] == "1"}
    high = {s for s in scope if band.get(s) in HIGH}
    tp = len(high & pos)
    per_class: dict[str, dict[str, Any]] = {}
    for cls in SCHEMES + BENIGN + ("background",):
        members = {s for s in scope if truth[s]["class"] == cls}
        if not members:
            continue
        bands = Counter(band.get(s, "none") for s in members)
        per_class[cls] = {"n": len(members), "in_high": sum(bands[b] for b in HIGH),
                          "bands": dict(sorted(bands.items()))}
    benign_high = {c: v["in_high"] for c, v in per_class.items() if c not in SCHEMES and v["in_high"]}
    groups: dict[str, set[str]] = {}
    for s, t in truth.items():
        if t["group"]:  # a scheme's members, and the innocent owner of a claimed identity
            groups.setdefault(t["group"], set()).add(s)
    return {"subjects": len(scope), "positives": len(pos), "ap": round(average_precision(ranked, pos), 4),
            "high_recall": round(tp / len(pos), 4) if pos else 0.0,
            "high_precision": round(tp / len(high), 4) if high else 0.0,
            "high_total": len(high), "benign_in_high": sum(benign_high.values()),
            "worst_benign_classes": sorted(benign_high, key=lambda c: -benign_high[c])[:5],
            "clusters": pair_f1(clusters, groups, scope), "per_class": per_class}


def evaluate_seed(seed: int, size: str, work: Path) -> dict[str, Any]:
    from unmask.pipeline import scan

    bundle = work / f"seed{seed}"
    truth = generate(bundle, seed, size)
    res = scan(bundle, work / f"out{seed}")
    out = res.scan_dir or res.out
    findings = [json.loads(x) for x in (out / "findings.jsonl").read_text().splitlines() if x.strip()]
    findings.sort(key=lambda f: -float(f["score"]))
    clusters = [{m["id"] for m in json.loads(x)["members"]}
                for x in (out / "clusters.jsonl").read_text().splitlines() if x.strip()]
    everyone = set(truth)
    held = {s for s, t in truth.items() if t["family"] == "B" or t["class"] == "background"}
    dev = {s for s, t in truth.items() if t["family"] == "A"}
    return {"seed": seed, "size": size, "all": metrics(findings, clusters, truth, everyone),
            "family_A": metrics(findings, clusters, truth, dev),
            "held_out_B": metrics(findings, clusters, truth, held)}


def _line(name: str, m: dict[str, Any]) -> str:
    c = m["clusters"]
    return (f"{name:>10}: AP {m['ap']:.3f}  high+ recall {m['high_recall']:.2f} precision {m['high_precision']:.2f}"
            f"  benign in high+ {m['benign_in_high']} {m['worst_benign_classes']}  cluster F1 {c['f1']:.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--size", choices=["small", "full"], default="small")
    ap.add_argument("--json", type=Path, help="write the figures here as JSON")
    ap.add_argument("--work", type=Path, help="keep bundles and scans here (default: a temporary folder)")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = a.work or Path(tmp)
        results = [evaluate_seed(s, a.size, work) for s in a.seeds]
    for r in results:
        print(f"seed {r['seed']} ({r['size']})")
        for k in ("all", "family_A", "held_out_B"):
            print(_line(k, r[k]))
        print("  per class (n, in high+, bands):")
        for cls, v in r["all"]["per_class"].items():
            print(f"    {cls:<24} n={v['n']:<4} high+={v['in_high']:<3} {v['bands']}")
    if a.json:
        a.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
