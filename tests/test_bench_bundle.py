"""The scale benchmark's bundle signs in the organisation's own workers (a sign-in that joins no
worker exercises no sign-in signal, and a benchmark of it measures nothing)."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import orjson
import pytest

from bench import make_bundle
from unmask.demo import build


def test_extra_sign_ins_are_real_workers_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(make_bundle, "CHUNK", 1_000)
    demo, _ = build(tmp_path / "b", seed=3, size="small", workers=300, candidates=400)
    files = make_bundle.write_events(demo, tmp_path / "b", 2_500, seed=5, gz=True)
    assert files == 3
    with (tmp_path / "b/hr/employees.csv").open(encoding="utf-8") as fh:
        emails = {r["email"] for r in csv.DictReader(fh)}
    with (tmp_path / "b/hr/candidates.csv").open(encoding="utf-8") as fh:
        assert sum(1 for _ in csv.DictReader(fh)) >= 400
    events = [orjson.loads(x) for p in sorted((tmp_path / "b/idp/okta").glob("scaled_*.jsonl.gz"))
              for x in gzip.decompress(p.read_bytes()).splitlines()]
    assert len(events) == 2_500
    actors = {e["actor"]["alternateId"] for e in events}
    assert actors <= emails and len(actors) > 200  # real workers, and many of them
    # Each worker signs in from their one home connection (or the office, or the planted
    # remote workers' VPN): no IP is shared between workers by accident.
    homes: dict[str, set[str]] = {}
    for e in events:
        ip = e["client"]["ipAddress"]
        if not ip.startswith(("203.0.113.", make_bundle.ASTRILL_NET)):
            homes.setdefault(ip, set()).add(e["actor"]["alternateId"])
    shared = {ip: who for ip, who in homes.items() if len(who) > 1}
    planted_shared = {w.home_ip for w in demo.workers if "laptop_farm" in w.tags}
    assert set(shared) <= planted_shared | {w.home_ip for w in demo.workers if any("couple" in t for t in w.tags)}
