"""Name matcher quality on nomenklatura's labelled name pairs (name_bench), beside logic-v2."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from unmask.values.screen_names import compare

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "nomenklatura" / "name_bench"


def prf(rows: list[tuple[bool, bool]]) -> dict[str, float]:
    tp = sum(1 for t, p in rows if t and p)
    fp = sum(1 for t, p in rows if p and not t)
    fn = sum(1 for t, p in rows if t and not p)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": prec, "recall": rec, "f1": f1}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--cut", type=float, default=0.88, help="the high cut the scan's sanctions signal uses")
    ap.add_argument("--show-errors", action="store_true")
    a = ap.parse_args()
    frozen_rows = csv.DictReader((a.data / "logicv2-frozen.csv").open(encoding="utf-8"))
    frozen = {(r["name1"], r["name2"], r["schema"]): r for r in frozen_rows}
    ours: list[tuple[bool, bool]] = []
    theirs: list[tuple[bool, bool]] = []
    for r in csv.DictReader((a.data / "cases.csv").open(encoding="utf-8")):
        f = frozen.get((r["name1"], r["name2"], r["schema"]))
        if f is None:  # compare on the cases logic-v2 was run on
            continue
        truth = r["is_match"] == "true"
        schema = "Person" if r["schema"] == "Person" else "Company"
        s = compare(r["name1"], r["name2"], schema)
        ours.append((truth, s >= a.cut))
        theirs.append((truth, f["predicted_match"] == "true"))
        if a.show_errors and truth != (s >= a.cut):
            kind = "FN" if truth else "FP"
            print(f"{kind} {s:.2f} {r['schema'][:3]} {r['quality'][:1]} | {r['name1']} | {r['name2']}")
    for who, rows in (("unmask", ours), ("logic-v2 (frozen)", theirs)):
        m = prf(rows)
        print(f"{who:18} n={len(rows)} P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f} "
              f"tp={m['tp']} fp={m['fp']} fn={m['fn']}")


if __name__ == "__main__":
    main()
