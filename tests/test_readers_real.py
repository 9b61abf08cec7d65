"""Readers against real third-party data (copies in tests/data, each with its SOURCE and licence)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import DATA
from unmask.config import Config
from unmask.engine import open_engine
from unmask.sensitive import load_tokenizer
from unmask.sources import load_bundle
from unmask.sources.base import LoadContext
from unmask.sources.intel import load_default_or, load_lists


def _load(bundle: Path) -> LoadContext:
    ctx = LoadContext(open_engine(None), bundle, Config(), load_tokenizer())
    load_bundle(ctx)
    return ctx


def _panther(name: str) -> list[dict[str, object]]:
    rows = [json.loads(line) for line in (DATA / "panther" / name).read_text().splitlines()]
    # Rows without log types are Panther's aggregated query results, not vendor events.
    return [r["log"] for r in rows if r["log_types"]]


def test_every_panther_okta_event_loads(tmp_path: Path) -> None:
    events = _panther("okta_system_log_test_events.jsonl")
    (tmp_path / "idp/okta").mkdir(parents=True)
    (tmp_path / "idp/okta/panther.jsonl").write_text("\n".join(json.dumps(e) for e in events) + "\n")
    ctx = _load(tmp_path)
    rejects = ctx.engine.query("SELECT line, reason FROM rejects ORDER BY line")
    # The only rejects are Panther's placeholder events whose timestamp reads "redacted".
    redacted = [i + 1 for i, e in enumerate(events) if e.get("published") == "redacted"]
    assert [r[0] for r in rejects] == redacted and len(redacted) == 4
    assert all(r[1] == "invalid published" for r in rejects)
    n, types, proxies = ctx.engine.query(
        "SELECT count(*), count(event_type), count(is_proxy) FROM okta_events"
    )[0]
    assert n == len(events) - 4 and types == n
    assert proxies > 0  # securityContext.isProxy read under both key spellings
    def as_org(e: dict[str, object]) -> object:
        sc = e.get("securityContext") or e.get("securitycontext") or {}
        return sc.get("asOrg") if isinstance(sc, dict) else None

    expected = sum(1 for e in events if e.get("published") != "redacted" and as_org(e) not in (None, ""))
    got = ctx.engine.query("SELECT count(*) FROM okta_events WHERE as_org IS NOT NULL")[0][0]
    assert got == expected > 0


def test_every_panther_entra_record_loads_as_array_and_jsonl(tmp_path: Path) -> None:
    records = _panther("azure_signin_test_events.jsonl")
    (tmp_path / "idp/entra").mkdir(parents=True)
    (tmp_path / "idp/entra/a.json").write_text(json.dumps(records, indent=2))
    (tmp_path / "idp/entra/b.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    ctx = _load(tmp_path)
    assert ctx.engine.query("SELECT count(*) FROM rejects")[0][0] == 0
    assert [(f.loaded, f.rejected) for f in ctx.files] == [(len(records), 0)] * 2
    signins = ctx.engine.query(
        "SELECT count(*), count(upn), count(ip) FROM entra_signins WHERE category = 'SignInLogs' "
        "AND source_file = 'idp/entra/a.json'"
    )[0]
    assert signins[0] == 15 and signins[1] == 15 and signins[2] >= 10


def test_entra_graph_page_shape(tmp_path: Path) -> None:
    recs = [{"id": f"id{i}", "createdDateTime": "2026-09-01T10:00:00Z", "userPrincipalName": f"U{i}@X.COM",
             "ipAddress": "198.51.100.7", "location": {"countryOrRegion": "us", "city": "Austin"},
             "status": {"errorCode": 0}} for i in range(3)]
    (tmp_path / "idp/entra").mkdir(parents=True)
    (tmp_path / "idp/entra/page.json").write_text(json.dumps({"@odata.context": "x", "value": recs}, indent=1))
    ctx = _load(tmp_path)
    rows = ctx.engine.query("SELECT line, upn, country, error_code FROM entra_signins ORDER BY line")
    assert rows == [(1, "u0@x.com", "US", 0), (2, "u1@x.com", "US", 0), (3, "u2@x.com", "US", 0)]


EVTX = sorted((DATA / "evtx").rglob("*.evtx")) + sorted((DATA / "sigmahq-regression").rglob("*.evtx"))


@pytest.mark.parametrize("path", EVTX, ids=[p.name[:50] for p in EVTX])
def test_every_evtx_sample_parses(path: Path, tmp_path: Path) -> None:
    import evtx

    expected = sum(1 for _ in evtx.PyEvtxParser(str(path)).records())
    (tmp_path / "endpoint/sysmon").mkdir(parents=True)
    (tmp_path / "endpoint/sysmon" / path.name).write_bytes(path.read_bytes())
    ctx = _load(tmp_path)
    (rep,) = ctx.files
    assert (rep.read, rep.loaded, rep.rejected) == (expected, expected, 0)
    untimed = "SELECT count(*) FROM endpoint_events WHERE event_id IS NULL OR observed_at IS NULL"
    assert ctx.engine.query(untimed)[0][0] == 0


def test_rdp_client_time_zone_field_survives_flattening(tmp_path: Path) -> None:
    src = DATA / "evtx/lateral_movement/DFIR_RDP_Client_TimeZone_RdpCoreTs_104_example.evtx"
    (tmp_path / "endpoint/sysmon").mkdir(parents=True)
    (tmp_path / "endpoint/sysmon/rdp.evtx").write_bytes(src.read_bytes())
    ctx = _load(tmp_path)
    rows = ctx.engine.query(
        "SELECT DISTINCT json_extract_string(event, '$.TimezoneBiasHour') FROM endpoint_events WHERE event_id = 104"
    )
    assert rows and all(r[0] is not None for r in rows)


def test_sysmon_regression_event_fields(tmp_path: Path) -> None:
    src = next((DATA / "sigmahq-regression").rglob("file_event_win_anydesk_artefact/*.evtx"))
    (tmp_path / "endpoint/sysmon").mkdir(parents=True)
    (tmp_path / "endpoint/sysmon/a.evtx").write_bytes(src.read_bytes())
    ctx = _load(tmp_path)
    names = [r[0] for r in ctx.engine.query("SELECT target_filename FROM endpoint_events WHERE event_id = 11")]
    assert any(n and "AnyDesk" in n for n in names)


def test_ofac_sdn_csv_is_readable() -> None:
    eng = open_engine(None)
    (lst,), rejects = load_lists(eng, DATA / "ofac", "bundle", "intel/sanctions/")
    assert rejects == []  # the 0x1A end marker is not a record
    assert [(f.file, f.loaded) for f in lst.files] == [("intel/sanctions/sdn.csv", 14965)]
    row = eng.query("SELECT caption, programs, schema FROM intel_entities WHERE entity_id = '24977'")[0]
    assert row == ("YANBIAN SILVERSTAR NETWORK TECHNOLOGY CO., LTD.", "DPRK3, DPRK4", "Organization")
    # Remarks hold birth dates and digital-currency addresses: both are taken out as data.
    kim = eng.query("SELECT birth_dates FROM intel_entities WHERE entity_id = '43377'")[0][0]
    assert kim == ["1965-04-25"]
    assert eng.query("SELECT count(*) FROM intel_iocs WHERE kind = 'crypto_address'")[0][0] > 100


def test_ofac_csv_is_decoded_as_latin1(tmp_path: Path) -> None:
    # The 2024-05 file happens to be pure ASCII; OFAC's encoding is still latin-1.
    (tmp_path / "sdn.csv").write_bytes(
        b'1,"JOS\xc9 P\xc9REZ","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a'
    )
    eng = open_engine(None)
    (lst,), rejects = load_lists(eng, tmp_path, "bundle", "")
    assert (lst.files[0].loaded, rejects) == (1, [])
    assert eng.query("SELECT caption, remarks FROM intel_entities")[0] == ("JOSÉ PÉREZ", None)


def test_shipped_lists_load_with_aliases_and_dates() -> None:
    eng = open_engine(None)
    lists, rejects = load_default_or(eng, None)
    assert rejects == []
    by_id = {lst.id: lst for lst in lists}
    assert set(by_id) == {"ofac_sdn", "ofac_cons", "un_sc"}
    assert {f.file: f.loaded for f in by_id["ofac_sdn"].files} == {
        "(shipped) ofac/sdn.csv": 14965, "(shipped) ofac/alt.csv": 20107, "(shipped) ofac/add.csv": 24244,
        "(shipped) ofac/sdn_comments.csv": 28}
    assert by_id["ofac_cons"].files[0].loaded == 442
    assert by_id["un_sc"].published == "2026-02-27" and by_id["un_sc"].files[0].loaded == 1003
    assert eng.query("SELECT count(*) FROM intel_names WHERE name = 'YANBIAN SILVERSTAR'")[0][0] == 1
    # UN DPRK entries: reference numbers KPi/KPe, nationality as ISO code, birth dates as ISO text.
    row = eng.query("SELECT caption, nationalities, birth_dates, programs FROM intel_entities "
                    "WHERE list = 'un_sc' AND entity_id = 'KPi.033'")[0]
    assert row == ("RI WON HO", ["kp"], ["1964-07-17"], "UN DPRK")
    assert eng.query("SELECT count(*) FROM intel_entities WHERE list = 'un_sc' AND programs = 'UN DPRK'")[0][0] == 155


def test_osquery_differential_and_snapshot_rows(tmp_path: Path) -> None:
    # osquery's documented results-log shapes (crafted: no third-party log is shipped here).
    diff = {"name": "pack_unmask_usb_devices", "hostIdentifier": "LT-1", "calendarTime": "Tue Sep 1 10:00:00 2026 UTC",
            "unixTime": 1788256800, "action": "added", "decorations": {"hostname": "lt-1"},
            "columns": {"vendor_id": "1d6b", "model_id": "0104", "vendor": "PiKVM", "serial": "CAFEBABE"}}
    snap = {"name": "pack_unmask_programs", "hostIdentifier": "LT-2", "unixTime": "1788256800",
            "action": "snapshot", "snapshot": [{"name": "AnyDesk"}, {"name": "Slack"}]}
    (tmp_path / "endpoint/osquery").mkdir(parents=True)
    (tmp_path / "endpoint/osquery/osqueryd.results.log").write_text(json.dumps(diff) + "\n" + json.dumps(snap) + "\n")
    ctx = _load(tmp_path)
    rows = ctx.engine.query(
        "SELECT line, query_name, hostname, action, json_extract_string(row, '$.vendor'), "
        "json_extract_string(row, '$.name'), strftime(observed_at, '%Y-%m-%d') FROM osquery_rows ORDER BY line, 6"
    )
    assert rows == [
        (1, "pack_unmask_usb_devices", "lt-1", "added", "PiKVM", None, "2026-09-01"),
        (2, "pack_unmask_programs", "lt-2", "snapshot", None, "AnyDesk", "2026-09-01"),
        (2, "pack_unmask_programs", "lt-2", "snapshot", None, "Slack", "2026-09-01"),
    ]
    (rep,) = ctx.files
    assert (rep.read, rep.loaded, rep.rejected) == (3, 3, 0)
