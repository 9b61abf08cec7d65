"""Write N Sysmon events, twice: flat JSON Lines (Unmask's contract) and EVTX-JSON (Zircolite's -j).

    python -m bench.sigma_events bench/work/sysmon --events 500000

The events are the Sysmon records of the EVTX samples in tests/data (EIDs 1, 10, 11, 13)
and of the SigmaHQ regression samples, replicated with varied EventRecordID, times and
ProcessId, as the peer sheet did for Zircolite.
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path
from typing import Any

import evtx
import orjson

from unmask.sources.sysmon import _flatten

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def sample_events() -> list[dict[str, Any]]:
    out = []
    for p in sorted(DATA.rglob("*.evtx")):
        for rec in evtx.PyEvtxParser(str(p)).records_json():
            ev = orjson.loads(rec["data"])  # type: ignore[index]
            prov = ev["Event"]["System"].get("Provider", {}).get("#attributes", {}).get("Name", "")
            if prov == "Microsoft-Windows-Sysmon":
                out.append(ev)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dest", type=Path)
    ap.add_argument("--events", type=int, default=500_000)
    a = ap.parse_args()
    a.dest.mkdir(parents=True, exist_ok=True)
    base = sample_events()
    with (a.dest / "nested.jsonl").open("wb") as nested, (a.dest / "flat.jsonl").open("wb") as flat:
        for i in range(a.events):
            ev = copy.deepcopy(base[i % len(base)])
            sysd = ev["Event"]["System"]
            sysd["EventRecordID"] = i + 1
            ts = f"2026-09-{1 + (i // 86400) % 28:02d} {(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}.000"
            sysd["TimeCreated"]["#attributes"]["SystemTime"] = ts.replace(" ", "T") + "Z"
            data = ev["Event"].get("EventData") or {}
            if "UtcTime" in data:
                data["UtcTime"] = ts
            if "ProcessId" in data:
                data["ProcessId"] = 1000 + i % 50000
            nested.write(orjson.dumps(ev) + b"\n")
            flat.write(orjson.dumps(_flatten(ev)) + b"\n")
    print(f"{a.events} events from {len(base)} samples -> {a.dest}")


if __name__ == "__main__":
    main()
