"""Write the demo organisation as a bundle of vendor-native exports."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from unmask.demo.generator import (
    ASTRILL,
    ASTRILL_NET,
    DOMAIN,
    OFFICE,
    PYONGYANG,
    RESUME_TEMPLATE,
    WINDOW_DAYS,
    WINDOW_END,
    Demo,
    Worker,
    _csv,
    _jsonl,
    _ts,
    new_uuid,
)

# Some browsers put the interface language in the user agent. Languages are spread over every
# kind of worker at random: the fairness test swaps them and checks that no score moves.
LOCALES = ("en-us", "en-us", "en-us", "es-mx", "ko-kr", "zh-cn", "hi-in", "vi-vn")
UA_LOCALE = ("Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10_15_7; {loc}) AppleWebKit/605.1.15 (KHTML, like Gecko) "
             "Version/17.6 Safari/605.1.15")
EMP_HEADER = ["employee_id", "full_name", "email", "personal_email", "phone", "date_of_birth", "national_id",
              "address_line1", "address_line2", "city", "region", "postal_code", "country", "employment_type",
              "vendor_company", "hire_date", "termination_date", "title", "department", "manager_id"]


def write_all(demo: Demo, bundle: Path) -> None:
    _config(demo, bundle)
    _hr(demo, bundle)
    _assets(demo, bundle)
    _csv(bundle / "payroll/deposits.csv", list(demo.deposits[0]), demo.deposits)
    _okta(demo, bundle)
    _entra(demo, bundle)
    _endpoint(demo, bundle)
    _activity(demo, bundle)
    _code(demo, bundle)
    _candidates(demo, bundle)
    _csv(bundle / "intel/iocs.csv", ["type", "value", "source", "note"], [
        {"type": "domain", "value": "upworksell.com", "source": "DOJ 2024-05-16", "note": "seized facilitator site"},
        {"type": "company", "value": "Volasys Silver Star", "source": "OFAC SDN", "note": "DPRK IT-worker front"},
        {"type": "email", "value": "dev.star.hire@proton.me", "source": "partner share", "note": "persona contact"},
    ])


def _config(demo: Demo, bundle: Path) -> None:
    rel = "\n".join(f'[[relations]]\na = "{a}"\nb = "{b}"\nkind = "{k}"\n' for a, b, k in demo.relations)
    (bundle / "unmask.toml").write_text(
        '[org]\nname = "Example Corp"\nwork_countries = ["US"]\nhome_timezone = "America/Chicago"\n'
        f'offices = ["{OFFICE["line1"]}, {OFFICE["city"]}, {OFFICE["region"]} {OFFICE["postal"]}, US"]\n\n'
        '[network]\ncorporate_cidrs = ["203.0.113.0/24"]\ncorporate_asns = [64500]\n\n'
        '[allow]\nremote_tools_departments = ["IT", "Helpdesk"]\nremote_tools = ["Zoom"]\n\n' + rel,
        encoding="utf-8",
    )


def _ascii(text: str) -> str:
    """Handles and e-mail local parts are ASCII: fold accents, drop the rest."""
    folded = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in folded if ch.isascii() and (ch.isalnum() or ch == "-")).lower()


def _personal_email(first: str, last: str, uid: str) -> str:
    return f"{_ascii(first)[:1]}{_ascii(last)}.{uid.lower()}@gmail.com"


def _phone(demo: Demo) -> str:
    return f"+1-{demo.rng.randint(201, 989)}-{demo.rng.randint(200, 999)}-{demo.rng.randint(1000, 9999)}"


def _hr(demo: Demo, bundle: Path) -> None:
    rows = []
    for w in demo.workers:
        rows.append({
            "employee_id": w.id, "full_name": w.name, "email": w.email,
            "personal_email": _personal_email(w.first, w.last, w.id),
            "phone": _phone(demo), "date_of_birth": w.dob.isoformat(), "national_id": w.ssn,
            "address_line1": w.addr["line1"], "address_line2": w.addr.get("line2", ""), "city": w.addr["city"],
            "region": w.addr["region"], "postal_code": w.addr["postal"], "country": "US",
            "employment_type": w.employment_type, "vendor_company": w.vendor, "hire_date": w.hire.isoformat(),
            "termination_date": "", "title": "Software Engineer" if w.dept == "Engineering" else f"{w.dept} Specialist",
            "department": w.dept, "manager_id": demo.workers[0].id if w is not demo.workers[0] else "",
        })
    _csv(bundle / "hr/employees.csv", EMP_HEADER, rows)
    _csv(bundle / "hr/changes.csv", ["employee_id", "field", "old_value", "new_value", "changed_at", "changed_by"],
         demo.changes)


def _assets(demo: Demo, bundle: Path) -> None:
    devices, ships = [], []
    for i, w in enumerate(demo.workers):
        tag = f"A-{20000 + i}"
        devices.append({"asset_tag": tag, "serial_number": f"C02{demo.rng.randint(10**7, 10**8 - 1)}",
                        "hostname": w.hostname, "assigned_employee_id": w.id,
                        "model": demo.rng.choice(("Latitude 7440", "MacBook Pro 14", "ThinkPad T14")),
                        "os": "Windows 11", "enrolled_at": _ts(w.hire + timedelta(days=3))})
        to = w.ship_to or w.addr
        ships.append({"shipment_id": f"S-{50000 + i}", "asset_tag": tag, "employee_id": w.id,
                      "recipient_name": w.name, "address_line1": to["line1"], "address_line2": to.get("line2", ""),
                      "city": to["city"], "region": to["region"], "postal_code": to["postal"], "country": "US",
                      "shipped_at": _ts(w.hire - timedelta(days=4)), "delivered_at": _ts(w.hire - timedelta(days=2)),
                      "carrier": demo.rng.choice(("UPS", "FedEx")),
                      "tracking_number": f"1Z{demo.rng.randint(10**9, 10**10)}"})
    _csv(bundle / "assets/devices.csv", list(devices[0]), devices)
    _csv(bundle / "assets/shipments.csv", list(ships[0]), ships)


def _signin_plan(demo: Demo, w: Worker) -> list[tuple[datetime, str, dict[str, Any], tuple[int, str, str], bool]]:
    """(time, ip, geo, (asn, org, domain), is_proxy) for each of the worker's sign-ins."""
    out = []
    tz = ZoneInfo(w.tz)
    home_geo = {"city": w.addr["city"], "state": w.addr["region"], "country": "United States",
                "postalCode": w.addr["postal"], "geolocation": {"lat": w.lat, "lon": w.lon}}
    for day in range(WINDOW_DAYS):
        d = (WINDOW_END - timedelta(days=WINDOW_DAYS - day)).astimezone(tz)
        if d.weekday() >= 5:
            continue
        hour = demo.rng.randint(8, 10)
        local = d.replace(hour=hour, minute=demo.rng.randint(0, 59))
        ip, geo, asn, proxy = w.home_ip, home_geo, w.isp[:3], False
        if w.profile == "asia":
            local = datetime(d.year, d.month, d.day, demo.rng.randint(9, 11), demo.rng.randint(0, 59), tzinfo=PYONGYANG)
            if demo.rng.random() < 0.3:
                ip, asn, proxy = f"{ASTRILL_NET}.{demo.rng.randint(2, 250)}", ASTRILL, True
        elif w.profile == "traveller" and 5 <= day < 12:
            ip = demo.ip(126)
            asn = (17676, "SoftBank Corp.", "softbank.jp")
            geo = {"city": "Tokyo", "state": "Tokyo", "country": "Japan", "postalCode": "100-0001",
                   "geolocation": {"lat": 35.68, "lon": 139.76}}
        elif w.profile == "vpn" and demo.rng.random() < 0.5:
            ip, asn, proxy = demo.vpn_ip(), (9009, "M247 Europe SRL", "m247.com"), True
        out.append((local.astimezone(UTC), ip, geo, asn, proxy))
    return out


def _okta(demo: Demo, bundle: Path) -> None:
    events: list[dict[str, Any]] = []
    first_signin: dict[str, datetime] = {}
    for w in demo.workers:
        session = new_uuid(demo.rng)[:20]
        ua = UA_LOCALE.format(loc=LOCALES[int(w.id.strip("EC")) % len(LOCALES)])
        for t, ip, geo, (asn, org, dom), proxy in _signin_plan(demo, w):
            first_signin.setdefault(w.id, t)
            events.append({
                "uuid": new_uuid(demo.rng), "published": t.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "eventType": "user.session.start", "version": "0", "severity": "INFO",
                "displayMessage": "User login to Okta", "legacyEventType": "core.user_auth.login_success",
                "actor": {"id": f"00u{w.id.lower()}", "type": "User", "alternateId": w.email, "displayName": w.name},
                "client": {"userAgent": {"rawUserAgent": ua, "os": "Mac OS X", "browser": "SAFARI"},
                           "zone": "null", "device": "Computer", "ipAddress": ip, "geographicalContext": geo},
                "authenticationContext": {"authenticationStep": 0, "externalSessionId": session},
                "outcome": {"result": "SUCCESS"},
                "securityContext": {"asNumber": asn, "asOrg": org, "isp": org, "domain": dom, "isProxy": proxy},
                "debugContext": {"debugData": {"requestUri": "/idp/idx/identify", "dtHash": new_uuid(demo.rng)}},
                "request": {"ipChain": [{"ip": ip, "geographicalContext": geo, "version": "V4"}]},
                "target": [], "transaction": {"type": "WEB", "id": new_uuid(demo.rng)[:24]},
            })
    # Okta Verify enrolment: the farm's workers all enrol the facilitator's one phone; a couple
    # shares a phone too (a household: weak); everyone else enrols their own.
    for w in demo.workers:
        if w.id not in first_signin:
            continue
        device = ("guofarmphone0001" if "laptop_farm" in w.tags
                  else "guocouplephone01" if "couple_same_surname" in w.tags else f"guo{w.id.lower()}dev")
        events.append({
            "uuid": f"dev-{w.id}", "published": first_signin[w.id].strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "eventType": "device.user.add", "version": "0", "severity": "INFO",
            "displayMessage": "Add device to user", "actor": {"id": f"00u{w.id.lower()}", "type": "User",
                                                           "alternateId": w.email, "displayName": w.name},
            "outcome": {"result": "SUCCESS"},
            "target": [{"id": device, "type": "Device", "alternateId": "iPhone",
                        "detailEntry": {"oktaDeviceId": device}},
                       {"id": f"00u{w.id.lower()}", "type": "User", "alternateId": w.email}],
        })
    events.sort(key=lambda e: e["published"])
    half = len(events) // 2
    path = bundle / "idp/okta/system_log_1.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    import orjson

    path.write_bytes(orjson.dumps(events[:half], option=orjson.OPT_INDENT_2))  # the API's array
    _jsonl(bundle / "idp/okta/system_log_2.jsonl.gz", events[half:], gz=True)  # a SIEM export, gzipped


def _entra(demo: Demo, bundle: Path) -> None:
    graph, diag = [], []
    for i, w in enumerate(demo.workers[::3]):
        for t, ip, geo, (asn, _org, _dom), _proxy in _signin_plan(demo, w)[:5]:
            rec = {
                "id": new_uuid(demo.rng), "createdDateTime": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "userDisplayName": w.name, "userPrincipalName": w.email, "userId": new_uuid(demo.rng),
                "appDisplayName": "Office 365 Exchange Online", "ipAddress": ip, "clientAppUsed": "Browser",
                "status": {"errorCode": 0}, "autonomousSystemNumber": asn,
                "deviceDetail": {"deviceId": "", "displayName": w.hostname, "operatingSystem": "Windows10",
                                 "browser": "Edge 129.0", "isCompliant": True, "isManaged": True},
                "location": {"city": geo["city"], "state": geo["state"],
                             "countryOrRegion": "JP" if geo["country"] == "Japan" else "US",
                             "geoCoordinates": {"latitude": geo["geolocation"]["lat"],
                                                "longitude": geo["geolocation"]["lon"]}},
                "authenticationDetails": [{"authenticationMethod": "Password", "succeeded": True}],
            }
            if i % 2:
                diag.append({"time": rec["createdDateTime"], "category": "SignInLogs",
                             "operationName": "Sign-in activity", "resultType": "0", "properties": rec})
            else:
                graph.append(rec)
    import orjson

    p = bundle / "idp/entra/signins_graph.json"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(orjson.dumps({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns",
                                "value": graph}, option=orjson.OPT_INDENT_2))
    _jsonl(bundle / "idp/entra/signins_diagnostic.jsonl", diag)


def _endpoint(demo: Demo, bundle: Path) -> None:
    lines: list[dict[str, Any]] = []
    sysmon: list[dict[str, Any]] = []
    t0 = int((WINDOW_END - timedelta(days=3)).timestamp())
    for w in demo.workers:
        deco = {"hostname": w.hostname, "hardware_serial": ""}
        base = {"hostIdentifier": w.hostname, "calendarTime": "", "unixTime": t0, "epoch": 0, "counter": 0,
                "numerics": False, "decorations": deco}
        lines.append(dict(base, name="pack_unmask_system_info", action="snapshot",
                          snapshot=[{"hostname": w.hostname, "hardware_serial": "", "cpu_brand": "Intel Core i7"}]))
        progs = ["Google Chrome", "Slack", "Zoom"]
        usb = [("046d", "c52b", "Logitech", "USB Receiver", "")]
        displays = ["DELL U2723QE"]
        if "laptop_farm" in w.tags:
            progs.append("AnyDesk")
        if w.dept in ("IT", "Helpdesk"):
            progs.append("TeamViewer")
        if "ipkvm_worker" in w.tags:
            usb.append(("1d6b", "0104", "PiKVM", "PiKVM Composite Device", "CAFEBABE"))
            displays.append("PiKVM V3")
        for p in progs:
            lines.append(dict(base, name="pack_unmask_programs", action="added",
                              columns={"name": p, "version": "1.0", "install_date": ""}))
        for vid, pid, vendor, model, serial in usb:
            lines.append(dict(base, name="pack_unmask_usb_devices", action="added",
                              columns={"vendor_id": vid, "model_id": pid, "vendor": vendor, "model": model,
                                       "serial": serial, "class": "3", "removable": "1"}))
        for d in displays:
            lines.append(dict(base, name="pack_unmask_connected_displays", action="added",
                              columns={"name": d, "manufacturer": "", "serial_number": ""}))
        when = (WINDOW_END - timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S.000")
        sysmon.append({"EventID": 1, "Computer": w.hostname, "UtcTime": when, "Image":
                       "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe", "OriginalFileName": "chrome.exe",
                       "CommandLine": "chrome.exe", "User": f"CORP\\{w.id}"})
        if "laptop_farm" in w.tags:
            sysmon.append({"EventID": 1, "Computer": w.hostname, "UtcTime": when,
                           "Image": "C:\\Users\\Public\\AnyDesk.exe", "OriginalFileName": "AnyDesk.exe",
                           "CommandLine": "AnyDesk.exe --install C:\\ProgramData\\AnyDesk --silent",
                           "Company": "AnyDesk Software GmbH", "User": f"CORP\\{w.id}"})
            sysmon.append({"EventID": 22, "Computer": w.hostname, "UtcTime": when, "QueryName": "net.anydesk.com",
                           "Image": "C:\\Users\\Public\\AnyDesk.exe"})
            # Chrome Remote Desktop layered on top, registered unattended with a PIN.
            sysmon.append({"EventID": 1, "Computer": w.hostname, "UtcTime": when,
                           "Image": "C:\\Program Files (x86)\\Google\\Chrome Remote Desktop\\remoting_start_host.exe",
                           "OriginalFileName": "remoting_start_host.exe",
                           "CommandLine": "remoting_start_host.exe --code=4/0Ad --redirect-url=https://remotedesktop."
                                          "google.com/_/oauthredirect --name=LT --pin=123456",
                           "User": f"CORP\\{w.id}"})
            # The RDP client that drives the laptop reports its time zone (RdpCoreTS 104).
            for k in range(3):
                rdp = "Microsoft-Windows-RemoteDesktopServices-RdpCoreTS"
                sysmon.append({"EventID": 104, "Channel": f"{rdp}/Operational", "Provider": rdp,
                               "Computer": w.hostname, "UtcTime": (WINDOW_END - timedelta(days=3 + k)).strftime(
                                   "%Y-%m-%d 01:%M:%S.000"), "TimezoneBiasHour": "[9]"})
    _jsonl(bundle / "endpoint/osquery/osqueryd.results.log", lines)
    _jsonl(bundle / "endpoint/sysmon/sysmon.jsonl", sysmon)


def _activity(demo: Demo, bundle: Path) -> None:
    rows = []
    for w in demo.workers:
        tz = ZoneInfo(w.tz)
        for k in range(30):
            day = WINDOW_END - timedelta(days=1 + k % WINDOW_DAYS)
            if w.profile == "asia":
                hh, mm = demo.rng.randint(9, 17), demo.rng.randint(0, 59)
                t = datetime(day.year, day.month, day.day, hh, mm, tzinfo=PYONGYANG)
                stamp = t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            else:
                hour = (demo.rng.choice((20, 21, 22, 23, 0, 1)) if w.profile == "night_owl"
                        else demo.rng.randint(9, 17))
                t = datetime(day.year, day.month, day.day, hour, demo.rng.randint(0, 59), tzinfo=tz)
                stamp = t.isoformat(timespec="seconds")
            source = demo.rng.choice(("git", "chat", "ticket"))
            rows.append({"actor_email": w.email, "timestamp": stamp, "source": source,
                         "action": demo.rng.choice(("commit", "message", "comment", "update"))})
    _csv(bundle / "activity/work_activity.csv", ["actor_email", "timestamp", "source", "action"], rows)


def _code(demo: Demo, bundle: Path) -> None:
    rows = []
    for w in demo.workers:
        if w.dept != "Engineering":
            continue
        clones = 40 if "laptop_farm" in w.tags else 2
        for k in range(clones):
            t = datetime.combine(w.hire, datetime.min.time(), UTC) + timedelta(days=10, minutes=3 * k)
            rows.append({"action": "git.clone", "actor": w.email.split("@")[0], "org": "example-corp",
                         "repo": f"example-corp/{'service-' + str(k) if clones > 2 else 'onboarding'}",
                         "@timestamp": int(t.timestamp() * 1000), "actor_ip": w.home_ip,
                         "user_agent": "git/2.45.2"})
    _jsonl(bundle / "code/audit/github_audit.jsonl", rows)


def portrait(seed: int) -> Any:
    """A synthetic portrait (a gradient and shapes placed by ``seed``): a PIL image."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (256, 320))
    d = ImageDraw.Draw(img)
    for y in range(320):
        d.line([(0, y), (255, y)], fill=((y * 3 + seed * 40) % 256, (y + seed * 90) % 256, 180 - y // 4))
    cx, cy = 90 + seed * 23 % 80, 110 + seed * 37 % 70
    d.ellipse([cx, cy, cx + 90, cy + 120], fill=(230, 190 - seed * 20 % 120, 160))
    d.rectangle([40 + seed * 11 % 100, 240, 200, 300], fill=(30 + seed * 50 % 200, 60, 90))
    return img


def _portrait(path: Path, seed: int, size: tuple[int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    portrait(seed).resize(size).save(path, quality=85)


def _candidates(demo: Demo, bundle: Path) -> None:
    cands, refs, interviews = [], [], []
    resumes = bundle / "hr/resumes"
    resumes.mkdir(parents=True, exist_ok=True)
    n = demo.n_candidates or max(60, int(len(demo.workers) * 0.6))
    hired = demo.workers[: n // 4]
    for i in range(n):
        cid = f"C{5000 + i}"
        w = hired[i] if i < len(hired) else None
        first, last, _ = (w.first, w.last, w.origin) if w else demo.name()
        addr, _z = demo.address()
        cands.append({"candidate_id": cid, "full_name": f"{first} {last}",
                      "email": _personal_email(first, last, w.id) if w else _personal_email(first, last, cid),
                      "phone": _phone(demo), "address_line1": addr["line1"], "address_line2": addr["line2"],
                      "city": addr["city"], "region": addr["region"], "postal_code": addr["postal"], "country": "US",
                      "linkedin_url": f"https://www.linkedin.com/in/{_ascii(first)}-{_ascii(last)}-{i}",
                      "github_url": f"https://github.com/{_ascii(first)}{i}", "portfolio_url": "",
                      "resume_path": "", "photo_path": "",
                      "applied_at": _ts(WINDOW_END - timedelta(days=demo.rng.randint(5, 400))),
                      "stage": "hired" if w else demo.rng.choice(("applied", "screen", "interview", "rejected")),
                      "referred_by": "", "employee_id": w.id if w else ""})
        refs.append({"candidate_id": cid, "reference_name": " ".join(demo.name()[:2]),
                     "reference_email": f"ref{i}@{demo.rng.choice(('acme.io', 'globex.com', 'initech.net'))}",
                     "reference_phone": _phone(demo), "relationship": "former manager"})
    # Persona network: four applicants, one phone, one reference, one résumé lightly reworded.
    shared_phone, shared_ref = _phone(demo), ("Kevin Lau", "dev.star.hire@proton.me", _phone(demo))
    personas = []
    for j, (first, last) in enumerate((("Ryan", "Mitchell"), ("Jason", "Carter"), ("Kevin", "Brooks"),
                                       ("Eric", "Stone"))):
        cid = f"C{5000 + n + j}"
        personas.append(cid)
        addr, _z = demo.address()
        text = RESUME_TEMPLATE.replace("9 years", f"{8 + j} years") + f"\n{first} {last}\n"
        (resumes / f"{cid}.txt").write_text(text, encoding="utf-8")
        # One stock portrait for all four, resized and recompressed per profile.
        _portrait(bundle / "hr/photos" / f"{cid}.jpg", seed=3, size=(240 - 12 * j, 300 - 15 * j))
        cands.append({"candidate_id": cid, "full_name": f"{first} {last}",
                      "email": f"{first}.{last}.dev{j}@outlook.com".lower(),
                      "phone": shared_phone, "address_line1": addr["line1"], "address_line2": "", "city": addr["city"],
                      "region": addr["region"], "postal_code": addr["postal"], "country": "US",
                      "linkedin_url": f"https://www.linkedin.com/in/{first.lower()}{last.lower()}dev",
                      "github_url": f"https://github.com/{first.lower()}-codes", "portfolio_url": f"https://{first.lower()}.netlify.app",
                      "resume_path": f"hr/resumes/{cid}.txt", "photo_path": f"hr/photos/{cid}.jpg",
                      "applied_at": _ts(WINDOW_END - timedelta(days=20 + j)), "stage": "interview",
                      "referred_by": personas[0] if j else "", "employee_id": ""})
        refs.append({"candidate_id": cid, "reference_name": shared_ref[0], "reference_email": shared_ref[1],
                     "reference_phone": shared_ref[2], "relationship": "former manager"})
        for stage, camera in (("screen", "false"), ("technical", "false")):
            interviews.append({"candidate_id": cid, "interview_at": _ts(WINDOW_END - timedelta(days=10 - j)),
                               "stage": stage, "medium": "video", "camera_on": camera,
                               "participant_ip": f"{ASTRILL_NET}.{10 + j}", "participant_country": "US",
                               "identity_checked": "false", "flags": "reading_answers;declined_onsite",
                               "interviewer_id": demo.workers[1].id})
    demo.planted["persona_network"] = personas
    for c in cands[: min(40, len(cands))]:
        if c["stage"] in ("interview", "hired") and c["candidate_id"] not in personas:
            interviews.append({"candidate_id": c["candidate_id"], "interview_at": c["applied_at"], "stage": "technical",
                               "medium": "video", "camera_on": "true", "participant_ip": demo.ip(73),
                               "participant_country": "US", "identity_checked": "true", "flags": "",
                               "interviewer_id": demo.workers[1].id})
    # Interview look-alikes: a candidate interviewed with the camera off under a noted
    # accommodation, and one who declined the on-site step but was seen on camera.
    regular = [c for c in cands if c["stage"] in ("interview", "hired") and c["candidate_id"] not in personas
               and not c["employee_id"]]
    if len(regular) >= 2:
        acc, remote = regular[0]["candidate_id"], regular[1]["candidate_id"]
        for stage in ("screen", "technical"):
            interviews.append({"candidate_id": acc, "interview_at": regular[0]["applied_at"], "stage": stage,
                               "medium": "video", "camera_on": "false", "participant_ip": demo.ip(73),
                               "participant_country": "US", "identity_checked": "false", "flags": "accommodation",
                               "interviewer_id": demo.workers[1].id})
        interviews.append({"candidate_id": remote, "interview_at": regular[1]["applied_at"], "stage": "onsite",
                           "medium": "video", "camera_on": "true", "participant_ip": demo.ip(73),
                           "participant_country": "US", "identity_checked": "true", "flags": "declined_onsite",
                           "interviewer_id": demo.workers[1].id})
        demo.benign["interview_accommodation"] = [acc]
        demo.benign["declined_onsite_seen_on_camera"] = [remote]
    _csv(bundle / "hr/candidates.csv", list(cands[0]), cands)
    _csv(bundle / "hr/references.csv", list(refs[0]), refs)
    _csv(bundle / "hr/interviews.csv", ["candidate_id", "interview_at", "stage", "medium", "camera_on",
                                        "participant_ip", "participant_country", "identity_checked", "flags",
                                        "interviewer_id"], interviews)


__all__ = ["write_all", "DOMAIN"]
