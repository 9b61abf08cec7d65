"""Screening quality and speed on labelled third-party data, against the shipped lists.

- OFAC parity: our OFAC-scale score against the scores OFAC's own Sanctions List Search
  tool gave (nomenklatura's fixture); share within +/-5 points.
- yente UN positives (clean and noised): share of real UN-listed people found at the cut.
- yente synthetic negatives (global, US) and US Congress members: share wrongly hit.
- watchman cross-script pairs: our name score per pair, beside watchman's expected minimum.
- Speed: names screened per second (one thread), index built once, the first screen call of
  the process (so one-time costs are in it). The comparison with nomenklatura, warm on both
  sides and alternated, is ``bench/screen_speed.py``.

    python -m bench.screen_quality
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path
from typing import Any

from unmask.engine import open_engine
from unmask.screen import index
from unmask.sources.intel import load_default_or
from unmask.sources.intel.common import iso_date
from unmask.values.country import country_code
from unmask.values.ofac_scale import ofac_score
from unmask.values.screen_names import compare

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
YENTE = DATA / "yente"
SETS = {
    "un_positives_clean": YENTE / "candidate_generation_benchmark" / "positives_un_untreated.csv",
    "un_positives_noised": YENTE / "candidate_generation_benchmark" / "positives_un_treated.csv",
    "negatives_global": YENTE / "validation_report" / "negatives_global.csv",
    "negatives_us": YENTE / "validation_report" / "negatives_us.csv",
    "us_congress": YENTE / "candidate_generation_benchmark" / "positives_us_congress_untreated.csv",
}


def parity() -> dict[str, float]:
    rows = [r for r in csv.DictReader((DATA / "nomenklatura/ofac_parity/ofac_fixtures.csv").open(encoding="utf-8"))
            if r["ofac_score"] != "-1"]
    deltas = [abs(ofac_score(r["query_name"], r["result_name"]) - int(r["ofac_score"])) for r in rows]
    return {"rows": len(rows), "within_5": sum(d <= 5 for d in deltas) / len(rows),
            "mean_abs_delta": sum(deltas) / len(deltas)}


def cross_script() -> list[tuple[str, str, float, float]]:
    path = DATA / "watchman/cross-script/cross_script_pairs.csv"
    lines = [x for x in path.read_text(encoding="utf-8").splitlines() if x.strip() and not x.startswith("#")]
    out = []
    for q, e, m, *_ in csv.reader(lines):  # no header row: the format is given in a comment
        out.append((q, e, compare(q, e), float(m)))
    return out


def _parties(path: Path, tag: str) -> list[tuple[Any, ...]]:
    rows = []
    for i, r in enumerate(csv.DictReader(path.open(encoding="utf-8")), start=2):
        rows.append(("row", f"{tag}:{i}", "query", r["full_name"], "Person", iso_date(r.get("date_of_birth")),
                     (country_code(r.get("nationality")) or "").lower() or None, tag, i))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cut", type=float, default=0.88, help="the high cut (the scan's sanctions signal uses 0.88)")
    a = ap.parse_args()

    p = parity()
    print(f"OFAC parity: {p['within_5']:.1%} of {p['rows']} rows within ±5 points "
          f"(mean |delta| {p['mean_abs_delta']:.1f})")
    cs = cross_script()
    ok = sum(s >= m for _, _, s, m in cs)
    print(f"cross-script pairs: {ok}/{len(cs)} at or above watchman's minimum")
    for q, e, s, m in cs:
        print(f"   {s:.2f} (min {m:.2f}) {q} -> {e}")

    eng = open_engine(None, threads=1)
    t0 = time.perf_counter()
    load_default_or(eng, None)
    t1 = time.perf_counter()
    index.build_list_index(eng)
    t2 = time.perf_counter()
    n_names = eng.query("SELECT count(*) FROM intel_names")[0][0]
    print(f"lists loaded in {t1 - t0:.2f} s, index built in {t2 - t1:.2f} s ({n_names} names)")
    parties = [row for tag, path in SETS.items() for row in _parties(path, tag)]
    index.set_parties(eng, parties)
    t3 = time.perf_counter()
    index.screen(eng)
    t4 = time.perf_counter()
    n = len(parties)
    print(f"speed: {n} names screened in {t4 - t3:.2f} s = {n / (t4 - t3):,.0f} names/s on one thread "
          "(first call, one-time costs included)")
    best = dict(eng.query("SELECT subject_id, max(score) FROM screen_matches GROUP BY subject_id"))
    for tag in SETS:
        ids = [r[1] for r in parties if r[7] == tag]
        hit = sum(1 for i in ids if (best.get(i) or 0) >= a.cut)
        hit80 = sum(1 for i in ids if (best.get(i) or 0) >= 0.8)
        kind = "recall" if "positives" in tag else "hit rate (false positives)"
        print(f"{tag:22} n={len(ids):4} {kind} at {a.cut}: {hit / len(ids):.3f}   at 0.80: {hit80 / len(ids):.3f}")


if __name__ == "__main__":
    main()
