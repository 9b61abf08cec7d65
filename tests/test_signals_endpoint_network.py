"""Endpoint, network, time and code signals: positive, negative and look-alike cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import bundle, emp, findings, run, ship, signals_of, write_csv

DEV_COLS = ["asset_tag", "serial_number", "hostname", "assigned_employee_id", "model", "os", "enrolled_at"]


def _org(root: Path, people: list[dict[str, Any]], toml: str = "") -> Path:
    bundle(root, people, shipments=[ship(f"S{i}", p["employee_id"], p["address_line1"], p["postal_code"],
                                         when="2026-08-01T12:00:00Z") for i, p in enumerate(people)], toml=toml)
    write_csv(root / "assets/devices.csv", DEV_COLS, [
        {"asset_tag": f"AS{i}", "serial_number": f"SN{i}", "hostname": f"lt-{p['employee_id'].lower()}",
         "assigned_employee_id": p["employee_id"]} for i, p in enumerate(people)])
    return root


def _osq(root: Path, host: str, table: str, columns: dict[str, str], when: int = 1788300000) -> None:
    path = root / "endpoint/osquery/results.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fh.write(json.dumps({"name": f"pack_unmask_{table}", "hostIdentifier": host, "unixTime": when,
                             "action": "added", "decorations": {"hostname": host}, "columns": columns}) + "\n")


def _sysmon(root: Path, **event: Any) -> None:
    path = root / "endpoint/sysmon/events.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fh.write(json.dumps(event) + "\n")


def _okta(root: Path, email: str, ip: str, *, country: str = "United States", as_org: str = "Comcast",
          proxy: bool = False, when: str = "2026-09-01T15:00:00.000Z", city: str | None = None,
          isp: str | None = None) -> None:
    path = root / "idp/okta/log.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fh.write(json.dumps({
            "uuid": f"u{ip}{when}", "published": when, "eventType": "user.session.start",
            "actor": {"alternateId": email}, "outcome": {"result": "SUCCESS"},
            "client": {"ipAddress": ip, "geographicalContext": {"country": country, "city": city}},
            "securityContext": {"asOrg": as_org, "isp": isp, "isProxy": proxy}}) + "\n")


PEOPLE = [emp("E1", "Ann Lee", hire_date="2026-07-30"), emp("E2", "Bo Park", "9 Elm St", department="IT")]


@pytest.fixture
def org(tmp_path: Path) -> Path:
    return _org(tmp_path / "b", PEOPLE)


def _scan(root: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    run(root, out)
    return out


# -- IP-KVM --------------------------------------------------------------------------------------
def test_pikvm_usb_identity_is_strong(org: Path, tmp_path: Path) -> None:
    _osq(org, "lt-e1", "usb_devices", {"vendor_id": "1d6b", "model_id": "0104", "vendor": "PiKVM",
                                       "model": "PiKVM Composite Device", "serial": "CAFEBABE"})
    _osq(org, "lt-e2", "usb_devices", {"vendor_id": "046d", "model_id": "c52b", "vendor": "Logitech",
                                       "model": "Receiver"})
    out = _scan(org, tmp_path)
    assert signals_of(out, "E1")["ipkvm_usb_identity"][0]["strength"] == "strong"
    assert "E2" not in findings(out)


def test_generic_usb_gadget_is_only_weak(org: Path, tmp_path: Path) -> None:
    # A developer's Raspberry Pi gadget uses the same Linux Foundation ids.
    _osq(org, "lt-e1", "usb_devices", {"vendor_id": "1d6b", "model_id": "0104", "vendor": "Linux Foundation",
                                       "model": "Multifunction Composite Gadget", "serial": "0123"})
    out = _scan(org, tmp_path)
    assert signals_of(out, "E1")["ipkvm_usb_identity"][0]["strength"] == "weak"


def test_kvm_display_name(org: Path, tmp_path: Path) -> None:
    _osq(org, "lt-e1", "connected_displays", {"name": "PiKVM V3"})
    _osq(org, "lt-e2", "connected_displays", {"name": "TOSHIBA-TV"})
    out = _scan(org, tmp_path)
    assert "ipkvm_display_edid" in signals_of(out, "E1") and "E2" not in findings(out)


# -- remote-control tools ------------------------------------------------------------------------
def test_rmm_on_new_laptop_is_strong_and_allowed_departments_are_not_flagged(org: Path, tmp_path: Path) -> None:
    _osq(org, "lt-e1", "programs", {"name": "AnyDesk"}, when=1786000000)  # 2026-08-06, days after delivery
    _osq(org, "lt-e2", "programs", {"name": "TeamViewer"})  # IT staff
    root = org
    (root / "unmask.toml").write_text('[allow]\nremote_tools_departments = ["IT"]\n')
    out = _scan(root, tmp_path)
    (ev,) = signals_of(out, "E1")["rmm_on_laptop"]
    assert ev["strength"] == "strong" and "AnyDesk" in ev["detail"]
    assert "E2" not in findings(out)


def test_rmm_long_after_delivery_is_medium_and_allowed_tools_are_skipped(org: Path, tmp_path: Path) -> None:
    _osq(org, "lt-e1", "programs", {"name": "AnyDesk"}, when=1795000000)  # months later
    _osq(org, "lt-e1", "programs", {"name": "Splashtop Streamer"}, when=1795000000)
    (org / "unmask.toml").write_text('[allow]\nremote_tools = ["Splashtop"]\n')
    out = _scan(org, tmp_path)
    evs = signals_of(out, "E1")["rmm_on_laptop"]
    assert [e["strength"] for e in evs] == ["medium"] and "AnyDesk" in evs[0]["detail"]
    assert "rmm_multiple_vendors" not in signals_of(out, "E1")


def test_two_rmm_vendors_and_unattended_crd(org: Path, tmp_path: Path) -> None:
    _sysmon(org, EventID=1, Computer="LT-E1.corp.example", UtcTime="2026-08-05 10:00:00.000",
            Image="C:\\Users\\Public\\AnyDesk.exe", CommandLine="AnyDesk.exe --silent")
    _sysmon(org, EventID=1, Computer="LT-E1.corp.example", UtcTime="2026-08-05 10:03:00.000",
            Image="C:\\Program Files (x86)\\Google\\Chrome Remote Desktop\\remoting_start_host.exe",
            CommandLine="remoting_start_host.exe --code=x --name=LT --pin=123456")
    _sysmon(org, EventID=1, Computer="lt-e2", UtcTime="2026-08-05 10:03:00.000",
            Image="C:\\Program Files\\Google\\Chrome\\chrome.exe", CommandLine="chrome.exe remotedesktop.google.com")
    out = _scan(org, tmp_path)
    sig = signals_of(out, "E1")
    assert "AnyDesk, Chrome Remote Desktop" in sig["rmm_multiple_vendors"][0]["detail"]
    assert "crd_unattended_setup" in sig
    assert "E2" not in findings(out)  # a browser visit is not an installed host


def test_astrill_client_process(org: Path, tmp_path: Path) -> None:
    _osq(org, "lt-e1", "processes", {"name": "asproxy", "path": "/usr/local/Astrill/asproxy", "cmdline": ""})
    _osq(org, "lt-e2", "processes", {"name": "nordvpnd", "path": "/usr/sbin/nordvpnd", "cmdline": ""})
    out = _scan(org, tmp_path)
    assert "astrill_client" in signals_of(out, "E1") and "E2" not in findings(out)


# -- sign-ins ------------------------------------------------------------------------------------
def test_signin_egress_kinds(org: Path, tmp_path: Path) -> None:
    (org / "unmask.toml").write_text('[network]\ncorporate_cidrs = ["45.137.8.0/24"]\n')
    _okta(org, "e1@corp.example", "45.137.9.7", as_org="Astrill VPN", proxy=True)  # Astrill by AS name
    _okta(org, "e1@corp.example", "2.26.157.10", as_org="M247")  # in the shipped VPN list
    _okta(org, "e2@corp.example", "45.137.8.20", as_org="Hosting Inc")  # datacenter list, but corporate
    _okta(org, "e2@corp.example", "73.10.20.30")  # residential
    out = _scan(org, tmp_path)
    (astrill,) = signals_of(out, "E1")["signin_astrill"]
    assert astrill["strength"] == "strong" and "Astrill" in astrill["detail"]
    evs = {e["strength"]: e["detail"] for e in signals_of(out, "E1")["signin_vpn_or_hosting"]}
    assert set(evs) == {"weak"} and "commercial VPN" in evs["weak"]
    assert "E2" not in findings(out)


def test_astrill_named_only_by_the_isp(org: Path, tmp_path: Path) -> None:
    # An Astrill exit rented from M247: Okta's asOrg names the host, only the ISP names Astrill.
    _okta(org, "e1@corp.example", "185.139.7.7", as_org="M247 Europe SRL", isp="Astrill VPN", proxy=True)
    _okta(org, "e2@corp.example", "185.139.7.8", as_org="M247 Europe SRL", isp="M247 Europe SRL", proxy=True)
    out = _scan(org, tmp_path)
    assert "Astrill" in signals_of(out, "E1")["signin_astrill"][0]["detail"]
    assert "signin_astrill" not in signals_of(out, "E2")


def test_signin_countries(org: Path, tmp_path: Path) -> None:
    _okta(org, "e1@corp.example", "73.1.1.1", country="China")
    _okta(org, "e2@corp.example", "73.1.1.2", country="Japan")
    _okta(org, "e2@corp.example", "73.1.1.3", country="United States")
    out = _scan(org, tmp_path)
    assert signals_of(out, "E1")["signin_foreign_country"][0]["strength"] == "medium"
    (ev,) = signals_of(out, "E2")["signin_foreign_country"]
    assert ev["strength"] == "weak" and "JP" in ev["detail"]  # a trip


def test_shared_residential_egress_and_households(tmp_path: Path) -> None:
    people = [emp("E1", "Ann Lee"), emp("E2", "Bo Park", "9 Elm St"), emp("E3", "Jo Doe", "5 Lake Ave"),
              emp("E4", "Al Doe", "5 Lake Ave")]
    root = _org(tmp_path / "b", people)
    for e in ("e1", "e2"):
        _okta(root, f"{e}@corp.example", "73.50.60.70")
    for e in ("e3", "e4"):
        _okta(root, f"{e}@corp.example", "73.50.60.99")
    out = _scan(root, tmp_path)
    assert signals_of(out, "E1")["shared_residential_egress"][0]["strength"] == "strong"
    assert signals_of(out, "E3")["shared_residential_egress"][0]["strength"] == "weak"
    clusters = [json.loads(x) for x in (out / "clusters.jsonl").read_text().splitlines()]
    assert [sorted(m["id"] for m in c["members"]) for c in clusters] == [["E1", "E2"]]


# -- time ----------------------------------------------------------------------------------------
def _rdp(root: Path, host: str, bias: str) -> None:
    _sysmon(root, EventID=104, Provider="Microsoft-Windows-RemoteDesktopServices-RdpCoreTS", Computer=host,
            UtcTime="2026-09-01 02:00:00.000", TimezoneBiasHour=f"[{bias}]")


def test_rdp_client_time_zone(org: Path, tmp_path: Path) -> None:
    _rdp(org, "LT-E1", "9")
    _rdp(org, "LT-E2", "-4")  # Columbus, Ohio, in September: UTC-4
    out = _scan(org, tmp_path)
    (ev,) = signals_of(out, "E1")["rdp_client_timezone"]
    assert ev["strength"] == "strong" and "UTC+9" in ev["detail"] and "UTC-4" in ev["detail"]
    assert "E2" not in findings(out)


def test_work_hours_that_fit_utc9_are_weak_and_daytime_is_nothing(org: Path, tmp_path: Path) -> None:
    rows = []
    for d in range(1, 13):
        rows.append({"actor_email": "e1@corp.example", "timestamp": f"2026-09-{d:02d}T02:00:00Z", "source": "git"})
        rows.append({"actor_email": "e2@corp.example", "timestamp": f"2026-09-{d:02d}T10:00:00-04:00", "source": "git"})
    write_csv(org / "activity/a.csv", ["actor_email", "timestamp", "source", "action"], rows)
    out = _scan(org, tmp_path)
    (ev,) = signals_of(out, "E1")["work_hours_offset"]
    assert ev["strength"] == "weak" and findings(out)["E1"]["band"] == "low"
    assert "E2" not in findings(out)


# -- code ----------------------------------------------------------------------------------------
def test_bulk_clone_soon_after_hire(org: Path, tmp_path: Path) -> None:
    path = org / "code/audit/a.jsonl"
    path.parent.mkdir(parents=True)
    lines = [{"action": "git.clone", "actor": "e1", "repo": f"corp/r{k % 12}", "@timestamp": 1786000000000 + k}
             for k in range(25)]
    lines += [{"action": "git.clone", "actor": "e2", "repo": "corp/onboarding", "@timestamp": 1786000000000 + k}
              for k in range(25)]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    out = _scan(org, tmp_path)
    assert "25 clones/downloads of 12 repositories" in signals_of(out, "E1")["bulk_code_copy_after_hire"][0]["detail"]
    assert "E2" not in findings(out)  # many clones of one repository is a normal day


def _okta_geo(root: Path, email: str, ip: str, when: str, lat: float, lon: float, city: str) -> None:
    path = root / "idp/okta/geo.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fh.write(json.dumps({
            "uuid": f"g{ip}{when}", "published": when, "eventType": "user.session.start",
            "actor": {"alternateId": email}, "outcome": {"result": "SUCCESS"},
            "client": {"ipAddress": ip, "geographicalContext": {
                "city": city, "country": "United States", "geolocation": {"lat": lat, "lon": lon}}},
            "securityContext": {"asOrg": "Comcast", "isProxy": False}}) + "\n")


def test_impossible_travel_and_a_real_trip(org: Path, tmp_path: Path) -> None:
    # E1: Columbus, then Seattle 20 minutes later. E2: Columbus, then Seattle 9 hours later.
    _okta_geo(org, "e1@corp.example", "73.1.1.1", "2026-09-01T15:00:00Z", 39.96, -83.0, "Columbus")
    _okta_geo(org, "e1@corp.example", "73.9.9.9", "2026-09-01T15:20:00Z", 47.61, -122.33, "Seattle")
    _okta_geo(org, "e2@corp.example", "73.1.1.2", "2026-09-01T08:00:00Z", 39.96, -83.0, "Columbus")
    _okta_geo(org, "e2@corp.example", "73.9.9.8", "2026-09-01T17:00:00Z", 47.61, -122.33, "Seattle")
    out = _scan(org, tmp_path)
    (ev,) = signals_of(out, "E1")["impossible_travel"]
    assert "Columbus" in ev["detail"] and "Seattle" in ev["detail"] and "20 min" in ev["detail"]
    assert "E2" not in findings(out)


def test_concurrent_sessions_need_several_days(org: Path, tmp_path: Path) -> None:
    for d in (1, 2, 3):
        _okta(org, "e1@corp.example", "73.1.1.1", when=f"2026-09-0{d}T15:00:00.000Z")
        _okta(org, "e1@corp.example", "73.2.2.2", when=f"2026-09-0{d}T15:02:00.000Z")
    _okta(org, "e2@corp.example", "73.3.3.3", when="2026-09-01T15:00:00.000Z")
    _okta(org, "e2@corp.example", "73.4.4.4", when="2026-09-01T15:01:00.000Z")  # once: a phone
    out = _scan(org, tmp_path)
    assert signals_of(out, "E1")["concurrent_sessions"][0]["strength"] == "weak"
    assert "E2" not in findings(out)


def test_mouse_jiggler(org: Path, tmp_path: Path) -> None:
    _osq(org, "lt-e1", "programs", {"name": "Mouse Jiggler 2.0"})
    _osq(org, "lt-e2", "programs", {"name": "Microsoft Mouse and Keyboard Center"})
    out = _scan(org, tmp_path)
    assert signals_of(out, "E1")["mouse_jiggler"][0]["strength"] == "weak" and "E2" not in findings(out)


def test_panther_anonymising_proxy_fixtures_agree_on_the_egress(tmp_path: Path) -> None:
    """panther's Okta.Anonymizing.VPN.Login fires on securityContext.isProxy; Unmask classifies
    the same events' egress as 'proxy'. Panther also alerts on failed attempts; Unmask scores
    only successful sign-ins (a refused attempt is not the worker's egress): that is the one
    difference, by design."""
    from tests.helpers import DATA

    rows = [json.loads(x) for x in (DATA / "panther/okta_system_log_test_events.jsonl").read_text().splitlines()]
    cases = [r for r in rows if r["rule_id"] == "Okta.Anonymizing.VPN.Login"]
    root = _org(tmp_path / "b", [emp("E1", "Homer Simpson", email="homer.simpson@duff.com")])
    path = root / "idp/okta/panther.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(c["log"]) for c in cases) + "\n")
    from unmask.normalise import network, stage
    from unmask.pipeline import load

    ld = load(root, None)
    stage.build(ld.engine, ld.config, ld.ctx.workdir)
    # Classify every event, successful or not, the way sign-ins are classified.
    ld.engine.execute("UPDATE okta_events SET outcome = 'SUCCESS'")
    network.build(ld.engine, ld.config, ld.ctx.workdir)
    got = [r[0] == "proxy" for r in ld.engine.query("SELECT egress FROM signins ORDER BY line")]
    assert got == [c["expected_result"] for c in cases]


def test_shared_residential_subnet_is_weak_and_never_clusters(tmp_path: Path) -> None:
    people = [emp("E1", "Ann Lee"), emp("E2", "Bo Park", "9 Elm St"), emp("E3", "Cy Diaz", "3 Ash St"),
              emp("E4", "Jo Doe", "5 Lake Ave"), emp("E5", "Al Doe", "5 Lake Ave"), emp("E6", "Di Fox", "8 Fir St"),
              emp("E7", "Ed Roe", "2 Bay St"), emp("E8", "Fy Lim", "4 Gum St")]
    root = _org(tmp_path / "b", people)
    for day in ("2026-09-01", "2026-09-02"):
        at = f"{day}T15:00:00.000Z"
        _okta(root, "e1@corp.example", "98.20.30.11", when=at)  # one /24, two addresses
        _okta(root, "e2@corp.example", "98.20.30.77", when=at)
        _okta(root, "e4@corp.example", "98.40.1.5", when=at)  # a household: not evidence
        _okta(root, "e5@corp.example", "98.40.1.6", when=at)
        _okta(root, "e6@corp.example", "172.56.9.1", as_org="T-Mobile USA", when=at)  # a carrier's pool
        _okta(root, "e7@corp.example", "98.60.7.1", city="Columbus", when=at)  # one /24 in two cities:
        _okta(root, "e8@corp.example", "98.60.7.2", city="Phoenix", when=at)  # a geolocation pool
    _okta(root, "e3@corp.example", "98.20.30.200")  # one day only: a visit
    _okta(root, "e6@corp.example", "172.56.9.2", as_org="T-Mobile USA")
    _okta(root, "e3@corp.example", "172.56.9.3", as_org="T-Mobile USA")
    out = _scan(root, tmp_path)
    (ev,) = signals_of(out, "E1")["shared_residential_subnet"]
    assert ev["strength"] == "weak" and "98.20.30.0/24" in ev["detail"] and "E2" in ev["detail"]
    for quiet in ("E3", "E4", "E5", "E6", "E7", "E8"):
        assert "shared_residential_subnet" not in signals_of(out, quiet)
    assert not (out / "clusters.jsonl").read_text().strip()


def test_shared_residential_subnet_is_silent_when_the_address_itself_is_shared(tmp_path: Path) -> None:
    root = _org(tmp_path / "b", [emp("E1", "Ann Lee"), emp("E2", "Bo Park", "9 Elm St")])
    for day in ("2026-09-01", "2026-09-02"):
        for e in ("e1", "e2"):
            _okta(root, f"{e}@corp.example", "98.20.30.11", when=f"{day}T15:00:00.000Z")
    out = _scan(root, tmp_path)
    assert "shared_residential_egress" in signals_of(out, "E1")
    assert "shared_residential_subnet" not in signals_of(out, "E1")


def test_a_mobile_carriers_address_is_not_a_shared_home(tmp_path: Path) -> None:
    root = _org(tmp_path / "b", [emp("E1", "Ann Lee"), emp("E2", "Bo Park", "9 Elm St")])
    for e in ("e1", "e2"):
        _okta(root, f"{e}@corp.example", "172.56.9.1", as_org="T-Mobile USA")  # one CGNAT address
    out = _scan(root, tmp_path)
    assert "shared_residential_egress" not in signals_of(out, "E1")
    import duckdb

    con = duckdb.connect(str(out / "unmask.duckdb"), read_only=True)
    assert con.execute("SELECT DISTINCT egress FROM signins").fetchall() == [("mobile",)]
    con.close()


# -- Sigma rules on the worker's laptop and Okta events ----------------------------------------------
def test_sigma_rule_match_finds_the_laptop_and_honours_the_allow_list(org: Path, tmp_path: Path) -> None:
    anydesk = {"EventID": 1, "UtcTime": "2026-08-05 10:00:00.000", "Image": "C:\\Users\\Public\\AnyDesk.exe",
               "CommandLine": "AnyDesk.exe --install C:\\AnyDesk --start-with-win --silent"}
    # Sysmon names the computer with its domain and in capitals; devices.csv has "lt-e1".
    _sysmon(org, Computer="LT-E1.corp.example", **anydesk)
    # E2 works in IT, whose remote tools are allowed: a remote-access rule is no evidence there,
    # a rule of another kind (ngrok exposing RDP) still is.
    _sysmon(org, Computer="lt-e2.corp.example", **anydesk)
    _sysmon(org, EventID=1, Computer="lt-e2", UtcTime="2026-08-05 11:00:00.000", Image="C:\\Tools\\ngrok.exe",
            CommandLine="ngrok.exe tcp 3389")
    # A machine that is nobody's laptop: no subject to give the hit to.
    _sysmon(org, Computer="BUILD-01.corp.example", **anydesk)
    (org / "unmask.toml").write_text('[allow]\nremote_tools_departments = ["IT"]\n')
    out = _scan(org, tmp_path)
    e1 = signals_of(out, "E1")["sigma_rule_match"]
    assert any("AnyDesk" in e["detail"] and "on lt-e1.corp.example" in e["detail"] for e in e1), e1
    e2 = signals_of(out, "E2")["sigma_rule_match"]
    assert e2 and all("Ngrok" in e["detail"] for e in e2), e2
    assert set(findings(out)) == {"E1", "E2"}


def test_sigma_idp_rule_match_is_weak_and_only_for_workers(org: Path, tmp_path: Path) -> None:
    _okta(org, "e1@corp.example", "45.137.9.7", proxy=True)  # an anonymising proxy (or iCloud Private Relay)
    _okta(org, "e2@corp.example", "73.20.30.40")  # no proxy
    _okta(org, "vendor@partner.example", "45.137.9.8", proxy=True)  # not a worker of ours
    out = _scan(org, tmp_path)
    (ev,) = signals_of(out, "E1")["sigma_idp_rule_match"]
    # The rule's level is high; a privacy VPN is not a verdict, so the row stays weak.
    assert ev["strength"] == "weak" and "Anonymising Proxy" in ev["detail"] and "(high" in ev["detail"]
    assert [sid for sid in findings(out) if "sigma_idp_rule_match" in signals_of(out, sid)] == ["E1"]
