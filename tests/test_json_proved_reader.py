"""The engine's own JSON reader (engine/duckdb/jsonlines.py) against the line reader.

Each bundle is loaded twice: as a scan does (the JSON reader first, the line reader for what
it does not prove) and with the line reader alone. Stored rows, line numbers and rejects must
be the same, and the JSON reader must have proved the files it should: a test that passes
because it never ran proves nothing.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import unmask.sources.jsonload as jsonload
from tests.helpers import DATA
from unmask.config import Config
from unmask.engine import open_engine
from unmask.engine.duckdb import DuckDBEngine
from unmask.sensitive import load_tokenizer
from unmask.sources import ENTRA, ENTRA_PREFIXES, load_bundle
from unmask.sources.base import LoadContext
from unmask.sources.jsonload import record_shape
from unmask.sources.okta import OKTA

Snapshot = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[str, int, int, int]]]


def _load(bundle: Path, proved: bool, mp: pytest.MonkeyPatch) -> tuple[Snapshot, list[list[int | None]]]:
    """Load ``bundle``; the tables, rejects and file counts, and what the JSON reader proved."""
    calls: list[list[int | None]] = []
    real = DuckDBEngine.insert_json_lines

    def spy(self: DuckDBEngine, *a: Any, **k: Any) -> list[int | None]:
        out = real(self, *a, **k)
        calls.append(out)
        return out

    with mp.context() as m:
        m.setattr(DuckDBEngine, "insert_json_lines", spy)
        if not proved:
            m.setattr(jsonload, "_insert_proved", lambda _ctx, _part, batch, _prefixes, _out: batch)
        ctx = LoadContext(open_engine(None), bundle, Config(), load_tokenizer())
        load_bundle(ctx)
    q = ctx.engine.query
    okta = q("SELECT * FROM okta_events ORDER BY source_file, line")
    entra = q("SELECT * FROM entra_signins ORDER BY source_file, line")
    rejects = q("SELECT * FROM rejects ORDER BY file, line, reason")
    files = sorted((f.path, f.read, f.loaded, f.rejected) for f in ctx.files)
    return (okta + entra, rejects, files), calls


def _same_both_ways(bundle: Path, mp: pytest.MonkeyPatch) -> list[int | None]:
    fast, calls = _load(bundle, True, mp)
    slow, none = _load(bundle, False, mp)
    assert none == []  # the line reader alone never asked the JSON reader
    assert fast == slow
    return [n for c in calls for n in c]


def _write_lines(path: Path, records: list[Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def _panther(name: str) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in (DATA / "panther" / name).read_text().splitlines()]
    return [r["log"] for r in rows if r["log_types"]]


def test_real_okta_events_one_file_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Panther's Okta test events: camel-case and lower-case keys, missing objects, four
    # "redacted" times. One file an event, so each is proved or refused on its own.
    events = _panther("okta_system_log_test_events.jsonl")
    for i, e in enumerate(events):
        _write_lines(tmp_path / f"idp/okta/e{i:03}.jsonl", [e])
    proved = _same_both_ways(tmp_path, monkeypatch)
    shape = record_shape(OKTA, ("$",))
    assert shape is not None
    camel_whole = [e for e in events if e.get("published") != "redacted"
                   and all(e.get(k[0]) is not None for k in shape.guarded)
                   and e["debugContext"].get("debugData") != ""]
    # Panther's events are cut down by hand: most lack one of the objects that have a second
    # spelling (an export of the System Log API has them all), or write "" for an empty
    # debugData; their files are refused.
    assert len(camel_whole) >= 5
    # Every file it was given is proved except those it should refuse.
    assert sum(1 for n in proved if n == 1) == len(camel_whole)


def test_real_okta_events_in_one_file_with_rejects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events = _panther("okta_system_log_test_events.jsonl")
    good = [e for e in events if e.get("published") != "redacted" and e.get("securityContext") is not None
            and e.get("debugContext") is not None and e.get("authenticationContext") is not None
            and e["debugContext"].get("debugData") != ""]
    # The last one has "" for debugData: the read of this file fails at its end, and the file
    # is tried alone, then read by the line reader.
    spoilt = [*good, next(e for e in events if e.get("debugContext", {}).get("debugData") == ""
                          and e.get("published") != "redacted")]
    _write_lines(tmp_path / "idp/okta/spoilt.jsonl", spoilt)
    _write_lines(tmp_path / "idp/okta/good.jsonl", good)
    _write_lines(tmp_path / "idp/okta/all.jsonl", events)  # has rejects: left to the line reader
    _write_lines(tmp_path / "idp/okta/empty.jsonl", [])
    proved = _same_both_ways(tmp_path, monkeypatch)
    # all.jsonl and empty.jsonl are not tried (their first line does not fit). The read of
    # good.jsonl and spoilt.jsonl together fails; tried one by one, good.jsonl is proved.
    assert proved == [len(good), None]


def test_real_entra_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    records = _panther("azure_signin_test_events.jsonl")
    _write_lines(tmp_path / "idp/entra/b.jsonl", records)
    _write_lines(tmp_path / "idp/entra/c.jsonl", [r.get("properties", r) for r in records])  # Graph's shape
    proved = _same_both_ways(tmp_path, monkeypatch)
    assert record_shape(ENTRA, ENTRA_PREFIXES) is not None
    assert proved.count(None) < len(proved) and proved  # at least one file proved


# --- shapes nobody's export was meant to have --------------------------------------------------

_text = st.one_of(
    st.sampled_from(["", " ", "a", " a ", "\u00a0x\u3000", "é", "2024-01-02T03:04:05Z", "2024-01-02 03:04:05 PST",
                     "1700000000", "37.5", "-122.4", "1e400", "NaN", "true", "no", "12", "12.0", "1.5", "[1]",
                     "[{\"ip\": \"1.2.3.4\"}]", "x@y.org", "\"q\"", "a\u0000b"]),
    st.text(max_size=6),
)
_scalar = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=False, allow_infinity=False), _text)
_value = st.recursive(_scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.sampled_from(["ip", "a", "id"]), inner,
                                                                       max_size=2)), max_leaves=4)


@st.composite
def _okta_record(draw: st.DrawFn) -> Any:
    """An Okta-like record: the keys the reader reads, in either spelling, with any value."""
    kind = draw(st.sampled_from(["object", "object", "object", "object", "null", "array", "number", "blank", "bad"]))
    if kind == "null":
        return None
    if kind == "array":
        return draw(st.lists(_scalar, max_size=2))
    if kind == "number":
        return draw(st.integers())
    if kind in ("blank", "bad"):
        return kind
    rec: dict[str, Any] = {}
    for key, sub in [("uuid", None), ("published", None), ("eventType", None), ("actor", ["id", "alternateId"]),
                     ("client", ["ipAddress", "geographicalContext"]),
                     ("securityContext", ["asNumber", "isProxy", "asOrg"]),
                     ("outcome", ["result"]), ("authenticationContext", ["externalSessionId"]),
                     ("debugContext", ["debugData"]), ("request", ["ipChain"]), ("target", None)]:
        if not draw(st.integers(0, 5)):
            continue  # missing
        name = key.lower() if key != key.lower() and draw(st.integers(0, 6)) == 0 else key
        if sub is None:
            rec[name] = draw(_value)
            continue
        obj: dict[str, Any] = {}
        for s in sub:
            if s == "geographicalContext":
                obj[s] = {"city": draw(_text), "country": draw(_text),
                          "geolocation": {"lat": draw(_scalar), "lon": draw(_scalar)}}
            elif s == "debugData":
                obj[s] = {"dtHash": draw(_value), "requestUri": draw(_text)}
            elif s == "ipChain":
                obj[s] = draw(st.one_of(st.lists(st.fixed_dictionaries({"ip": _scalar}), max_size=3), _value))
            else:
                obj[s] = draw(_value)
        rec[name] = obj if draw(st.integers(0, 8)) else draw(_value)
    return rec


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(_okta_record(), max_size=6), min_size=1, max_size=3))
def test_any_okta_lines_load_the_same(tmp_path_factory: pytest.TempPathFactory, files: list[list[Any]]) -> None:
    bundle = tmp_path_factory.mktemp("b")
    for i, records in enumerate(files):
        p = bundle / f"idp/okta/f{i}.jsonl"
        p.parent.mkdir(parents=True, exist_ok=True)
        lines = ["" if r == "blank" else '{"uuid": ' if r == "bad" else json.dumps(r) for r in records]
        p.write_text("".join(line + "\n" for line in lines))
    with pytest.MonkeyPatch.context() as mp:
        _same_both_ways(bundle, mp)


def test_clean_events_are_proved_and_numbered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = {"uuid": "u", "published": "2024-05-01T10:00:00.000Z", "eventType": "user.session.start",
            "actor": {"id": "a", "alternateId": "Ann@Example.org"}, "client": {"ipAddress": "192.0.2.1"},
            "securityContext": {"asNumber": 64500, "isProxy": False}, "authenticationContext": {},
            "debugContext": {"debugData": {}}, "request": {"ipChain": [{"ip": "192.0.2.1"}, {"x": 1}]},
            "target": [{"id": "t"}]}
    events = [dict(base, uuid=f"u{i}") for i in range(500)]
    _write_lines(tmp_path / "idp/okta/a.jsonl", events)
    _write_lines(tmp_path / "idp/okta/[b].jsonl", events[:7])  # a name DuckDB would read as a glob
    (tmp_path / "idp/okta/c.jsonl.gz").write_bytes(gzip.compress(b"".join(json.dumps(e).encode() + b"\n"
                                                                          for e in events[:11])))
    proved = _same_both_ways(tmp_path, monkeypatch)
    assert sorted(n for n in proved if n is not None) == [7, 11, 500]
    ctx = LoadContext(open_engine(None), tmp_path, Config(), load_tokenizer())
    load_bundle(ctx)
    rows = ctx.engine.query("SELECT source_file, line, uuid, actor_email, as_number, is_proxy, ip_chain, targets "
                            "FROM okta_events ORDER BY source_file, line")
    assert [r[1] for r in rows if r[0] == "idp/okta/a.jsonl"] == list(range(1, 501))
    assert [r[2] for r in rows if r[0] == "idp/okta/a.jsonl"] == [f"u{i}" for i in range(500)]
    assert rows[0][3:7] == ("ann@example.org", 64500, False, ["192.0.2.1"])
    assert json.loads(rows[0][7]) == [{"id": "t"}]


@pytest.mark.parametrize("damage", ["blank line", "bad json", "bad time", "lower-case keys", "not an object"])
def test_a_file_it_cannot_prove_is_read_by_the_line_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str,
) -> None:
    good = {"uuid": "u", "published": "2024-05-01T10:00:00Z", "eventType": "e", "securityContext": {},
            "authenticationContext": {}, "debugContext": {}}
    lines = [json.dumps(good)] * 5
    lines[3] = {"blank line": "", "bad json": '{"uuid": ', "bad time": json.dumps(dict(good, published="soon")),
                "lower-case keys": json.dumps({"uuid": "v", "eventtype": "e", "securitycontext": {"asOrg": "o"}}),
                "not an object": "null"}[damage]
    (tmp_path / "idp/okta").mkdir(parents=True)
    (tmp_path / "idp/okta/x.jsonl").write_text("\n".join(lines) + "\n")
    _write_lines(tmp_path / "idp/okta/y.jsonl", [good] * 3)
    proved = _same_both_ways(tmp_path, monkeypatch)
    assert proved.count(3) == 1 and proved.count(5) == 0  # y proved, x refused
