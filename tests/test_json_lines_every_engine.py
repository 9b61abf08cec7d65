"""Damaged and hostile JSON Lines read the same on every engine (issue 16).

The demo bundles hold only clean records, so the engine-parity scans could not see these: on
Spark, a truncated line was loaded as a row of NULLs, two records glued on one line were read
as the first (the second silently gone), and an ``asNumber`` written ``1.0`` was a reject. Each
line below has the answer DuckDB gives, written out here, and every engine must give it.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import assert_reconciles
from unmask.config import Config
from unmask.engine import Engine
from unmask.sensitive import load_tokenizer
from unmask.sources import load_bundle
from unmask.sources.base import LoadContext

_GOOD = {"uuid": "u1", "published": "2024-03-01T10:00:00.000Z", "eventType": "user.session.start",
         "actor": {"id": "00u1", "alternateId": "a@x.com"}, "client": {"ipAddress": "1.2.3.4"},
         "securityContext": {"asNumber": 15169, "isProxy": False}, "target": [{"b": 1, "a": 2.50}]}


def _with(**kw: object) -> str:
    return json.dumps(dict(_GOOD, **kw))


_LINES = [
    json.dumps(_GOOD),                                               # 1 loaded
    json.dumps(_GOOD)[:-5],                                          # 2 truncated
    json.dumps(_GOOD) + " x",                                        # 3 text after the record
    json.dumps(_GOOD) + json.dumps(dict(_GOOD, uuid="u2")),          # 4 two records glued
    json.dumps(_GOOD)[:-1] + ', "uuid": "dup"}',                     # 5 a duplicate key: the first
    _with(actor=json.dumps({"id": "00u9", "alternateId": "v@x.com"})),  # 6 a text holding JSON
    _with(securityContext={"asNumber": 1.0}),                        # 7 a whole number written 1.0
    _with(securityContext={"asNumber": 1.5}),                        # 8 not a whole number
    _with(securityContext={"asNumber": "1e3"}),                      # 9 an exponent: refused
    _with(Actor={"alternateId": "case@x.com"}, actor=None),          # 10 keys in their own case
    "[" + json.dumps(_GOOD) + "]",                                   # 11 valid, not an object
    _with(actor={"alternateId": "first@x.com", "alternateId2": 1}, uuid="u3"),  # 12 loaded
]


def test_damaged_and_hostile_json_lines_read_as_duckdb_reads_them(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "idp/okta").mkdir(parents=True)
    (tmp_path / "idp/okta/h.jsonl").write_text("\n".join(_LINES) + "\n")
    ctx = LoadContext(engine, tmp_path, Config(), load_tokenizer())
    load_bundle(ctx)
    rows = engine.query("SELECT line, uuid, actor_email, as_number, targets FROM okta_events ORDER BY line")
    target = '[{"b":1,"a":2.5}]'
    assert rows == [
        (1, "u1", "a@x.com", 15169, target),
        (5, "u1", "a@x.com", 15169, target),
        (6, "u1", None, 15169, target),
        (7, "u1", "a@x.com", 1, target),
        (10, "u1", None, 15169, target),
        (12, "u3", "first@x.com", 15169, target),
    ]
    rejects = engine.query("SELECT line, reason FROM rejects WHERE unit = 'line' ORDER BY line")
    assert rejects == [(2, "not valid JSON"), (3, "not valid JSON"), (4, "not valid JSON"),
                       (8, "invalid as_number"), (9, "invalid as_number"), (11, "not a JSON object")]
    assert_reconciles(ctx)


def test_an_ip_chain_keeps_its_hops_ips_in_order_on_every_engine(engine: Engine, tmp_path: Path) -> None:
    # request.ipChain is stored as the hops' IPs (its hops repeat the client's geography, which
    # has columns of its own). What is no array of hops is NULL, a hop without an ip is left out.
    geo = {"city": "Springfield", "country": "United States", "geolocation": {"lat": 20, "lon": -25}}
    chains: list[object] = [
        [{"ip": "1.3.2.4", "geographicalContext": geo, "version": "V4"}],                 # 1
        [{"ip": "10.0.0.7", "source": "PROXY"}, {"ip": "198.51.100.9", "version": "V4"}],  # 2 two hops, in order
        [{"version": "V4"}, {"ip": "2001:db8::1", "version": "V6"}],                      # 3 a hop with no ip
        [],                                                                                # 4
        {"ip": "1.3.2.4"},                                                                 # 5 an object, not a chain
        "1.3.2.4",                                                                         # 6 a text
    ]
    lines = [_with(uuid=f"c{i}", request={"ipChain": c}) for i, c in enumerate(chains, 1)]
    lines.append(_with(uuid="c7"))                                                         # 7 no request at all
    (tmp_path / "idp/okta").mkdir(parents=True)
    (tmp_path / "idp/okta/c.jsonl").write_text("\n".join(lines) + "\n")
    ctx = LoadContext(engine, tmp_path, Config(), load_tokenizer())
    load_bundle(ctx)
    got = {line: (list(c) if c is not None else None)
           for line, c in engine.query("SELECT line, ip_chain FROM okta_events ORDER BY line")}
    assert got == {1: ["1.3.2.4"], 2: ["10.0.0.7", "198.51.100.9"], 3: ["2001:db8::1"], 4: [],
                   5: None, 6: None, 7: None}
    assert_reconciles(ctx)
