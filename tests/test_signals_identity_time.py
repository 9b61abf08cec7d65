"""Sign-in, MFA, first-check-in, composite-USB and working-hours signals (issue 5 additions):
positive, negative and look-alike cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import bundle, emp, findings, run, signals_of
from tests.test_signals_endpoint_network import _okta, _org, _osq, _scan, _sysmon


def _okta_event(root: Path, event_type: str, email: str, targets: list[dict[str, Any]],
                when: str = "2026-08-02T15:00:00.000Z") -> None:
    path = root / "idp/okta/log.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fh.write(json.dumps({"uuid": f"{event_type}{email}{len(targets)}{when}", "published": when,
                             "eventType": event_type, "actor": {"alternateId": email},
                             "outcome": {"result": "SUCCESS"}, "target": targets}) + "\n")


def _device(root: Path, email: str, device_id: str) -> None:
    _okta_event(root, "device.user.add", email, [
        {"id": "guo" + device_id, "type": "Device", "alternateId": "iPhone 15",
         "detailEntry": {"oktaDeviceId": device_id}},
        {"id": "00u" + email[:2], "type": "User", "alternateId": email}])


def _sms(root: Path, email: str, phone_id: str) -> None:
    _okta_event(root, "system.sms.send_phone_verification_message", email, [
        {"id": phone_id, "type": "MobilePhone", "alternateId": "+1 XXX-XXX-1234"}])


PEOPLE = [emp("E1", "Ann Lee", "1 Oak St"), emp("E2", "Bo Park", "2 Elm St"), emp("E3", "Cy Diaz", "3 Pine St"),
          emp("E4", "Dee Diaz", "3 Pine St"), emp("E5", "Eve Moss", "5 Ash St")]


def test_one_mfa_device_for_unrelated_workers_is_strong(tmp_path: Path) -> None:
    root = _org(tmp_path / "b", PEOPLE)
    _device(root, "e1@corp.example", "DEV-A")
    _device(root, "e2@corp.example", "DEV-A")
    _device(root, "e3@corp.example", "DEV-B")  # a couple sharing one phone: weak
    _device(root, "e4@corp.example", "DEV-B")
    _device(root, "e5@corp.example", "DEV-C")  # one's own device: nothing
    out = _scan(root, tmp_path)
    (e1,) = signals_of(out, "E1")["mfa_device_shared"]
    assert e1["strength"] == "strong" and "also enrolled for 1 other worker(s): E2" in e1["detail"]
    assert signals_of(out, "E3")["mfa_device_shared"][0]["strength"] == "weak"
    assert "E5" not in findings(out)
    clusters = [json.loads(x) for x in (out / "clusters.jsonl").read_text().splitlines()]
    assert any({m["id"] for m in c["members"]} == {"E1", "E2"} for c in clusters)


def test_one_sms_phone_for_two_workers_is_medium(tmp_path: Path) -> None:
    root = _org(tmp_path / "b", PEOPLE)
    _sms(root, "e1@corp.example", "mbl-77")
    _sms(root, "e5@corp.example", "mbl-77")
    _sms(root, "e2@corp.example", "mbl-78")
    out = _scan(root, tmp_path)
    assert signals_of(out, "E1")["mfa_device_shared"][0]["strength"] == "medium"
    assert "SMS phone" in signals_of(out, "E5")["mfa_device_shared"][0]["detail"]
    assert "E2" not in findings(out)


def _anydesk_and_crd(root: Path, host: str, first: str, second: str) -> None:
    _sysmon(root, EventID=1, Computer=host, UtcTime=first, Image="C:\\Users\\Public\\AnyDesk.exe",
            CommandLine="AnyDesk.exe --silent")
    _sysmon(root, EventID=1, Computer=host, UtcTime=second,
            Image="C:\\Program Files (x86)\\Google\\Chrome Remote Desktop\\remoting_host.exe",
            CommandLine="remoting_host.exe --type=host")


def test_two_rmm_vendors_within_minutes_is_strong_further_apart_medium(tmp_path: Path) -> None:
    root = _org(tmp_path / "b", PEOPLE)
    _anydesk_and_crd(root, "lt-e1", "2026-08-05 10:00:00.000", "2026-08-05 10:07:00.000")
    _anydesk_and_crd(root, "lt-e2", "2026-08-05 10:00:00.000", "2026-08-19 16:00:00.000")
    out = _scan(root, tmp_path)
    (e1,) = signals_of(out, "E1")["rmm_multiple_vendors"]
    assert e1["strength"] == "strong" and "within 8 minutes" in e1["detail"]
    (e2,) = signals_of(out, "E2")["rmm_multiple_vendors"]
    assert e2["strength"] == "medium" and "within" not in e2["detail"]


def test_first_signin_after_delivery_from_another_country(tmp_path: Path) -> None:
    root = _org(tmp_path / "b", PEOPLE)  # every laptop delivered 2026-08-01 12:00 UTC to the worker's home
    _okta(root, "e1@corp.example", "73.1.1.1", country="China", when="2026-08-01T15:00:00.000Z")
    _okta(root, "e1@corp.example", "73.1.1.9", when="2026-08-02T15:00:00.000Z")
    _okta(root, "e2@corp.example", "73.1.1.2", when="2026-08-01T16:00:00.000Z")  # at home first: nothing
    _okta(root, "e2@corp.example", "73.1.1.3", country="Japan", when="2026-08-02T16:00:00.000Z")
    _okta(root, "e3@corp.example", "73.1.1.4", country="Japan", when="2026-08-09T16:00:00.000Z")  # weeks later
    out = _scan(root, tmp_path)
    (e1,) = signals_of(out, "E1")["first_signin_far_from_ship_to"]
    assert e1["strength"] == "medium" and "CN" in e1["detail"]
    assert "another country than the ship-to (US)" in e1["detail"]
    assert "first_signin_far_from_ship_to" not in signals_of(out, "E2")
    assert "first_signin_far_from_ship_to" not in signals_of(out, "E3")


def _usb(root: Path, host: str, cls: str, vendor: str = "Generic", when: int = 1788300000) -> None:
    # A PiKVM whose ids were changed to a donor's: 2 HID interfaces + 1 mass storage, one serial.
    _osq(root, host, "usb_devices", {"vendor_id": "046a", "model_id": "0011", "vendor": vendor,
                                     "model": "USB Keyboard", "serial": "A1B2C3", "class": cls}, when)


def test_composite_hid_and_storage_after_issue_is_medium(tmp_path: Path) -> None:
    root = _org(tmp_path / "b", PEOPLE)  # laptops delivered 2026-08-01 12:00 UTC
    for cls in ("3", "3", "8"):
        _usb(root, "lt-e1", cls)
        _usb(root, "lt-e2", cls, vendor="Dell Inc.")  # a dock: benign look-alike
    for cls in ("3", "8"):
        _usb(root, "lt-e3", cls)  # a keyboard with one HID interface and storage: not the shape
    for cls in ("3", "3", "8"):
        _usb(root, "lt-e4", cls, when=1753000000)  # seen before the laptop was issued (July 2025)
    out = _scan(root, tmp_path)
    (e1,) = signals_of(out, "E1")["kvm_composite_hid_msd"]
    assert e1["strength"] == "medium" and "2 HID interfaces and 1 mass-storage" in e1["detail"]
    for eid in ("E2", "E3", "E4"):
        assert "kvm_composite_hid_msd" not in signals_of(out, eid)


# -- panther agreement: stolen sessions ----------------------------------------------------------
# panther's rules keep state between events (a cache of what a session looked like); their test
# fixtures give that state as a mock. We replay it as the event that came before, then ask our
# set-based signal the same question.

def _panther_rule(rule_file: str) -> dict[str, Any]:
    import yaml

    src = Path(__file__).resolve().parent / "data" / "panther" / "rules"
    return dict(yaml.safe_load((src / rule_file).read_text(encoding="utf-8")))


def _okta_session_event(log: dict[str, Any], email: str) -> dict[str, Any]:
    e = json.loads(json.dumps(log))
    e["actor"]["alternateId"] = email
    e.setdefault("uuid", f"u{len(json.dumps(e))}")
    e["outcome"] = {"result": "SUCCESS"}
    return e


def test_panther_stolen_session_fixtures_agree(tmp_path: Path) -> None:
    rule = _panther_rule("okta_rules/okta_potentially_stolen_session.yml")
    agree = 0
    for i, t in enumerate(rule["Tests"]):
        root = _org(tmp_path / f"b{i}", PEOPLE)
        now = _okta_session_event(t["Log"], "e1@corp.example")
        now["published"] = "2022-09-01T00:10:00.000Z"  # the fixtures' own time is "redacted"
        asn, ip, ua, browser, os_ = json.loads(t["Mocks"][0]["returnValue"])
        before = json.loads(json.dumps(now))
        before.update(uuid="prior" + str(i), published="2022-09-01T00:00:00.000Z")
        before["client"].update(ipAddress=ip, userAgent={"rawUserAgent": ua.removeprefix("user_agent:"),
                                                          "browser": browser, "os": os_})
        before["securityContext"] = {"asNumber": int(asn)}
        path = root / "idp/okta/log.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(before) + "\n" + json.dumps(now) + "\n", encoding="utf-8")
        out = _scan(root, tmp_path / f"o{i}")
        fired = "session_reuse" in signals_of(out, "E1")
        agree += fired == t["ExpectedResult"]
        assert fired == t["ExpectedResult"], t["Name"]
    assert agree == len(rule["Tests"]) == 4


def test_panther_graph_session_fixtures_agree_except_two_documented(tmp_path: Path) -> None:
    """panther's per-event rule answers "is this a Graph access worth counting"; the alert
    needs two IPs on a session (Threshold 2). We replay each fixture with a second access of
    its session from another IP and another client. Two fixtures differ on purpose: panther
    drops non-interactive sign-ins and first-party Office apps to keep noise down; a remote
    operator's token refreshes are non-interactive, so Unmask keeps both (docs/benchmarks.md)."""
    rule = _panther_rule("azure_signin_rules/azure_graph_session_multiple_ips.yml")
    results = {}
    for i, t in enumerate(rule["Tests"]):
        root = _org(tmp_path / f"b{i}", PEOPLE)
        rec = json.loads(json.dumps(t["Log"]))
        rec["properties"]["userPrincipalName"] = "e1@corp.example"
        rec["properties"]["createdDateTime"] = "2026-08-10T09:35:20Z"
        second = json.loads(json.dumps(rec))
        second["properties"].update(ipAddress="198.51.100.77", userAgent="Mozilla/5.0 (Windows NT 10.0)",
                                    createdDateTime="2026-08-10T09:50:00Z")
        path = root / "idp/entra/diag.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(rec) + "\n" + json.dumps(second) + "\n", encoding="utf-8")
        out = _scan(root, tmp_path / f"o{i}")
        results[t["Name"]] = ("session_reuse" in signals_of(out, "E1"), t["ExpectedResult"])
    assert results["Multiple IP Access to Same Microsoft Graph Session"] == (True, True)
    assert results["Non-Interactive Sign-In via NonInteractiveUserSignInLogs Category"] == (True, False)
    assert results["Whitelisted Office 365"] == (True, False)


def _git(root: Path, host: str, cmd: str) -> None:
    _sysmon(root, EventID=1, Computer=host, UtcTime="2026-08-20 10:00:00.000",
            Image="C:\\Program Files\\Git\\cmd\\git.exe", CommandLine=cmd)


def test_push_to_a_remote_outside_the_organisation(tmp_path: Path) -> None:
    root = _org(tmp_path / "b", PEOPLE, toml='[org]\ncode_owners = ["example-corp"]\n')
    _git(root, "lt-e1", "git.exe push https://github.com/kimdev99/backup.git main")
    _git(root, "lt-e2", "git.exe push git@github.com:Example-Corp/api.git main")  # the organisation's own
    _git(root, "lt-e3", "git.exe remote add mine git@gitlab.com:cy-diaz/dotfiles.git")
    _git(root, "lt-e5", "git.exe clone https://github.com/torvalds/linux.git")  # a clone is not a push
    out = _scan(root, tmp_path)
    (e1,) = signals_of(out, "E1")["push_to_foreign_remote"]
    assert e1["strength"] == "medium" and "github.com/kimdev99" in e1["detail"]
    assert "remote for gitlab.com/cy-diaz" in signals_of(out, "E3")["push_to_foreign_remote"][0]["detail"]
    assert "push_to_foreign_remote" not in signals_of(out, "E2")
    assert "push_to_foreign_remote" not in signals_of(out, "E5")


def test_no_known_owner_no_verdict(tmp_path: Path) -> None:
    root = _org(tmp_path / "b", PEOPLE)
    _git(root, "lt-e1", "git.exe push https://github.com/kimdev99/backup.git main")
    out = _scan(root, tmp_path)
    assert "push_to_foreign_remote" not in signals_of(out, "E1")


def _entra(root: Path, upn: str, ip: str, device: str, *, error: int = 0, when: str = "2026-09-01T15:00:00Z") -> None:
    path = root / "idp/entra/signins.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fh.write(json.dumps({
            "id": f"{upn}{ip}{device}{when}", "createdDateTime": when, "userPrincipalName": upn, "ipAddress": ip,
            "location": {"city": "Columbus", "state": "Ohio", "countryOrRegion": "US"},
            "deviceDetail": {"deviceId": device, "operatingSystem": "Windows 11"},
            "status": {"errorCode": error}, "appDisplayName": "Office 365"}) + "\n")


def test_entra_device_shared_by_unrelated_workers(tmp_path: Path) -> None:
    people = [emp("E1", "Ann Lee"), emp("E2", "Bo Park", "9 Elm St"), emp("E3", "Cy Diaz", "3 Ash St"),
              emp("E4", "Di Fox", "8 Fir St"), emp("E5", "Ed Roe", "2 Bay St"), emp("E6", "Jo Doe", "5 Lake Ave"),
              emp("E7", "Al Doe", "5 Lake Ave")]
    root = bundle(tmp_path / "b", people, toml='[network]\ncorporate_cidrs = ["203.0.113.0/24"]\n')
    _entra(root, "e1@corp.example", "98.20.30.11", "3f1c0a52-aaaa-4b1e-9c1d-0000000000e1")
    _entra(root, "e2@corp.example", "71.80.9.4", "3f1c0a52-aaaa-4b1e-9c1d-0000000000e1")  # the same machine
    _entra(root, "e5@corp.example", "71.80.9.5", "3f1c0a52-aaaa-4b1e-9c1d-0000000000e1", error=50126)  # refused
    _entra(root, "e3@corp.example", "203.0.113.7", "desk-0042")  # a hot desk in the office
    _entra(root, "e4@corp.example", "203.0.113.8", "desk-0042")
    _entra(root, "e6@corp.example", "98.40.1.5", "family-pc")  # a household's computer
    _entra(root, "e7@corp.example", "98.40.1.5", "family-pc")
    for i, e in enumerate(("e1", "e4")):  # no device ID: nothing to compare
        _entra(root, f"{e}@corp.example", f"98.1.{i}.1", "")
        _entra(root, f"{e}@corp.example", f"98.1.{i}.1", "00000000-0000-0000-0000-000000000000")
    out = tmp_path / "out"
    run(root, out)
    (ev,) = signals_of(out, "E1")["entra_device_shared"]
    assert ev["strength"] == "medium" and "E2" in ev["detail"] and "E5" not in ev["detail"]
    for who in ("E3", "E4", "E6", "E7"):
        (weak,) = signals_of(out, who)["entra_device_shared"]
        assert weak["strength"] == "weak"
    assert "entra_device_shared" not in signals_of(out, "E5")
    clusters = [json.loads(x) for x in (out / "clusters.jsonl").read_text().splitlines()]
    assert [sorted(m["id"] for m in c["members"]) for c in clusters] == [["E1", "E2"]]
