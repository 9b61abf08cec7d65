"""Workers, candidates and the files they leave behind, written into a bundle.

The generator (:mod:`bench.scenarios.generate`) builds :class:`Emp` and :class:`Cand` objects,
lets each scenario change them, then :class:`Bundle` writes every part of the contract
(``/work/shared/spec/bundle.md``) from them. Only the contract and the vendor formats are used.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.scenarios.variants import Address, address_fields, full_name, personal_email, phone

CITIES: list[tuple[str, str, str, int]] = [
    ("Springfield", "IL", "62704", -6), ("Austin", "TX", "78704", -6), ("Denver", "CO", "80205", -7),
    ("Seattle", "WA", "98103", -8), ("Portland", "OR", "97211", -8), ("Atlanta", "GA", "30307", -5),
    ("Columbus", "OH", "43215", -5), ("Raleigh", "NC", "27605", -5), ("Phoenix", "AZ", "85004", -7),
    ("Madison", "WI", "53703", -6), ("Boston", "MA", "02118", -5), ("Sacramento", "CA", "95814", -8),
    ("Nashville", "TN", "37206", -6), ("Richmond", "VA", "23220", -5), ("Tampa", "FL", "33602", -5),
]
STREETS = ["Oak", "Maple", "Cedar", "Main", "Lake", "Hill", "Park", "Pine", "Elm", "Washington",
           "Lincoln", "Jefferson", "Sunset", "River", "Highland", "Church", "Walnut", "Spring"]
SUFFIXES = ["St", "Ave", "Rd", "Dr", "Ln", "Blvd"]
FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
         "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
         "Carlos", "Maria", "Luis", "Ana", "Aisha", "Omar", "Priya", "Rahul", "Fatima", "Kwame",
         "Emily", "Daniel", "Olivia", "Ethan", "Grace", "Noah", "Chloe", "Samuel", "Hannah", "Isaac"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
        "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson",
        "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young",
        "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell",
        "Okafor", "Patel", "Shah", "Nguyen", "Cohen", "Murphy", "O'Brien", "Rossi", "Novak"]
DEPTS = [("Engineering", "Software Engineer"), ("Engineering", "Senior Software Engineer"),
         ("Data", "Data Engineer"), ("Sales", "Account Executive"), ("Finance", "Accountant"),
         ("Marketing", "Marketing Manager"), ("Support", "Support Specialist"), ("IT", "Systems Administrator"),
         ("HR", "Recruiter"), ("Design", "Product Designer")]
# Residential ISPs (ASN, org, isp, domain, first octets) — ordinary US home egress.
ISPS = [(7922, "comcast", "Comcast Cable Communications", "comcast.net", (73, 24)),
        (20115, "charter", "Charter Communications", "spectrum.com", (97, 98)),
        (7018, "at&t", "AT&T Services", "att.net", (108, 99)),
        (701, "verizon", "Verizon Business", "verizon.net", (71, 100))]
UA_MAC = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/129.0.0.0 Safari/537.36")
UA_WIN = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/129.0.0.0 Safari/537.36 Edg/129.0.0.0")
NOW = date(2026, 11, 20)
BASE_PROGRAMS = ["Google Chrome", "Slack", "Zoom", "Microsoft Teams", "1Password"]


@dataclass
class Person:
    first: str
    last: str
    middle: str
    dob: str
    ssn: str
    phone: str  # ten digits
    email_local: str
    home: Address


@dataclass
class Net:
    """One egress as the IdP enriches it."""
    ip: str
    asn: int
    as_org: str
    isp: str
    domain: str
    country: str = "United States"
    city: str = ""
    state: str = ""
    proxy: bool = False


@dataclass
class Emp:
    eid: str
    p: Person
    fam: str
    dept: str
    title: str
    hire: date
    term: date | None = None
    etype: str = "employee"
    vendor: str = ""
    ship_to: Address | None = None  # None: the declared home
    home_country: str = ""  # "": the address's own country (US)
    recipient: str = ""
    nets: list[Net] = field(default_factory=list)
    work_utc_offset: int | None = None  # where the hours really are; None: the declared home
    programs: list[str] = field(default_factory=list)
    usb: list[dict[str, str]] = field(default_factory=list)
    displays: list[dict[str, str]] = field(default_factory=list)
    deposits: list[dict[str, str]] = field(default_factory=list)
    changes: list[dict[str, str]] = field(default_factory=list)
    clones: int = 0
    parts: set[str] = field(default_factory=lambda: {"okta", "osquery", "activity", "ship", "pay", "device"})
    canonical: bool = True  # background rows use the canonical spelling
    phone_override: str = ""
    email_override: str = ""
    national_id: str = ""  # overrides p.ssn (stolen identities)
    dob_override: str = ""


@dataclass
class Cand:
    cid: str
    p: Person
    fam: str
    applied: datetime
    stage: str
    employee_id: str = ""
    refs: list[dict[str, str]] = field(default_factory=list)
    resume: str = ""
    interviews: list[dict[str, str]] = field(default_factory=list)
    email_override: str = ""
    phone_override: str = ""
    canonical: bool = True
    name_override: str = ""


class People:
    """Fictional people and addresses from a seeded random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._ssn: set[str] = set()
        self._n = 0

    def address(self, city: tuple[str, str, str, int] | None = None, unit: str = "") -> Address:
        r = self.rng
        c = city or r.choice(CITIES)
        return Address(r.randint(10, 9899), r.choice(["", "", "", "N", "S", "E", "W"]), r.choice(STREETS),
                       r.choice(SUFFIXES), unit, c[0], c[1], c[2], f"{r.randint(1, 9999):04d}", c[3])

    def ssn(self) -> str:
        while True:
            s = f"{self.rng.randint(100, 665)}-{self.rng.randint(10, 99)}-{self.rng.randint(1000, 9999)}"
            if s not in self._ssn:
                self._ssn.add(s)
                return s

    def person(self, first: str | None = None, last: str | None = None, home: Address | None = None) -> Person:
        r = self.rng
        self._n += 1
        f, la = first or r.choice(FIRST), last or r.choice(LAST)
        dob = date(r.randint(1965, 2000), r.randint(1, 12), r.randint(1, 28)).isoformat()
        local = f"{f}.{la}{self._n}".lower().replace("'", "")
        digits = f"{r.randint(201, 989)}{r.randint(201, 989)}{self._n % 10000:04d}"
        return Person(f, la, r.choice(["", "", "A", "J", "M", "L"]), dob, self.ssn(), digits, local,
                      home or self.address())

    def residential(self, city: str = "", state: str = "") -> Net:
        r = self.rng
        asn, org, isp, dom, octs = r.choice(ISPS)
        return Net(f"{r.choice(octs)}.{r.randint(1, 254)}.{r.randint(1, 254)}.{r.randint(1, 254)}",
                   asn, org, isp, dom, "United States", city, state)


def _w(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=header, extrasaction="raise")
        w.writeheader()
        for row in rows:
            w.writerow({k: row.get(k, "") for k in header})


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Bundle:
    """Writes a bundle from the planted world."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.emps: list[Emp] = []
        self.cands: list[Cand] = []
        self.iocs: list[dict[str, str]] = []
        self.extra_okta: list[dict[str, Any]] = []

    # -- HR --------------------------------------------------------------------------------
    def _emp_row(self, e: Emp) -> dict[str, str]:
        r, p = self.rng, e.p
        canon = e.canonical
        name = full_name(p.first, p.last, "A" if canon else e.fam, r, p.middle)
        home = address_fields(p.home, e.fam, r, canonical=canon)
        ph = e.phone_override or (phone(p.phone, "A", r) if canon else phone(p.phone, e.fam, r))
        pe = e.email_override or personal_email(p.first, p.last, "A" if canon else e.fam, r, p.email_local)
        return {"employee_id": e.eid, "full_name": name, "email": f"{p.email_local}@examplecorp.com",
                "personal_email": pe, "phone": ph, "date_of_birth": e.dob_override or p.dob,
                "national_id": e.national_id or p.ssn, **home,
                **({"country": e.home_country} if e.home_country else {}), "employment_type": e.etype,
                "vendor_company": e.vendor, "hire_date": e.hire.isoformat(),
                "termination_date": e.term.isoformat() if e.term else "", "title": e.title,
                "department": e.dept, "manager_id": ""}

    def write(self, root: Path, org_offices: list[str]) -> None:
        r = self.rng
        hdr_e = ["employee_id", "full_name", "email", "personal_email", "phone", "date_of_birth", "national_id",
                 "address_line1", "address_line2", "city", "region", "postal_code", "country",
                 "employment_type", "vendor_company", "hire_date", "termination_date", "title", "department",
                 "manager_id"]
        _w(root / "hr/employees.csv", hdr_e, [self._emp_row(e) for e in self.emps])
        cand_rows, refs, ivs = [], [], []
        for c in self.cands:
            p = c.p
            fam = "A" if c.canonical else c.fam
            row = {"candidate_id": c.cid,
                   "full_name": c.name_override or full_name(p.first, p.last, fam, r, p.middle),
                   "email": c.email_override or personal_email(p.first, p.last, fam, r, p.email_local),
                   "phone": c.phone_override or phone(p.phone, fam, r),
                   **address_fields(p.home, c.fam, r, canonical=c.canonical),
                   "linkedin_url": f"https://www.linkedin.com/in/{p.email_local.replace('.', '-')}",
                   "github_url": "", "portfolio_url": "", "resume_path": "", "photo_path": "",
                   "applied_at": _iso(c.applied), "stage": c.stage, "referred_by": "",
                   "employee_id": c.employee_id}
            if c.resume:
                rel = f"hr/resumes/{c.cid}.txt"
                (root / "hr/resumes").mkdir(parents=True, exist_ok=True)
                (root / rel).write_text(c.resume, encoding="utf-8")
                row["resume_path"] = rel
            cand_rows.append(row)
            refs += [{"candidate_id": c.cid, **x} for x in c.refs]
            ivs += [{"candidate_id": c.cid, **x} for x in c.interviews]
        _w(root / "hr/candidates.csv", ["candidate_id", "full_name", "email", "phone", "address_line1",
                                        "address_line2", "city", "region", "postal_code", "country",
                                        "linkedin_url", "github_url", "portfolio_url", "resume_path",
                                        "photo_path", "applied_at", "stage", "referred_by", "employee_id"],
           cand_rows)
        _w(root / "hr/references.csv", ["candidate_id", "reference_name", "reference_email", "reference_phone",
                                        "relationship"], refs)
        _w(root / "hr/interviews.csv", ["candidate_id", "interview_at", "stage", "medium", "camera_on",
                                        "participant_ip", "participant_country", "identity_checked", "flags",
                                        "interviewer_id"], ivs)
        _w(root / "hr/changes.csv", ["employee_id", "field", "old_value", "new_value", "changed_at", "changed_by"],
           [x for e in self.emps for x in e.changes])
        self._assets(root)
        _w(root / "payroll/deposits.csv", ["employee_id", "effective_date", "method", "institution_name",
                                           "routing_number", "account_number", "account_holder_name",
                                           "platform", "country"],
           [d for e in self.emps if "pay" in e.parts for d in e.deposits])
        self._okta(root)
        self._osquery(root)
        self._activity(root)
        self._code(root)
        _w(root / "intel/iocs.csv", ["type", "value", "source", "note"], self.iocs)
        offices = ", ".join(json.dumps(o) for o in org_offices)
        (root / "unmask.toml").write_text(
            "[org]\nname = \"Example Corp\"\nwork_countries = [\"US\"]\n"
            f"home_timezone = \"America/Chicago\"\noffices = [{offices}]\n\n"
            "[network]\ncorporate_cidrs = [\"203.0.113.0/24\"]\n\n"
            "[allow]\nremote_tools_departments = [\"IT\"]\nremote_tools = [\"Zoom\"]\n", encoding="utf-8")

    def _assets(self, root: Path) -> None:
        r = self.rng
        devs, ships = [], []
        for i, e in enumerate(self.emps):
            if "device" not in e.parts:
                continue
            tag, host = f"AT{100000 + i}", f"EXC-{e.eid}-LT"
            enrolled = datetime(e.hire.year, e.hire.month, e.hire.day, 15, tzinfo=UTC) - timedelta(days=3)
            devs.append({"asset_tag": tag, "serial_number": f"C02{r.randint(10**6, 10**7 - 1)}X",
                         "hostname": host, "assigned_employee_id": e.eid,
                         "model": "MacBook Pro 14" if i % 3 else "Dell Latitude 7440",
                         "os": "macOS 14.6" if i % 3 else "Windows 11", "enrolled_at": _iso(enrolled)})
            if "ship" not in e.parts:
                continue
            dest = e.ship_to or e.p.home
            fam = e.fam if not e.canonical or e.ship_to else "A"
            ships.append({"shipment_id": f"SH{200000 + i}", "asset_tag": tag, "employee_id": e.eid,
                          "recipient_name": e.recipient or f"{e.p.first} {e.p.last}",
                          **address_fields(dest, fam, r, canonical=e.canonical and e.ship_to is None),
                          "shipped_at": _iso(enrolled), "delivered_at": _iso(enrolled + timedelta(days=2)),
                          "carrier": r.choice(["UPS", "FedEx"]), "tracking_number": f"1Z{r.randint(10**9, 10**10)}"})
        _w(root / "assets/devices.csv", ["asset_tag", "serial_number", "hostname", "assigned_employee_id", "model",
                                         "os", "enrolled_at"], devs)
        _w(root / "assets/shipments.csv", ["shipment_id", "asset_tag", "employee_id", "recipient_name",
                                           "address_line1", "address_line2", "city", "region", "postal_code",
                                           "country", "shipped_at", "delivered_at", "carrier", "tracking_number"],
           ships)

    def _hours(self, e: Emp, n: int) -> list[datetime]:
        """Working moments: weekdays 09:00-18:00 at the offset where the work really happens."""
        r = self.rng
        off = e.work_utc_offset if e.work_utc_offset is not None else e.p.home.tz
        start = max(e.hire, NOW - timedelta(days=60))
        end = e.term or NOW
        out = []
        days = max(1, (end - start).days)
        for _ in range(n):
            d = start + timedelta(days=r.randrange(days))
            while d.weekday() >= 5:
                d -= timedelta(days=1)
            local = datetime(d.year, d.month, d.day, r.randint(9, 17), r.randint(0, 59), tzinfo=UTC)
            out.append(local - timedelta(hours=off))
        return sorted(out)

    def _okta(self, root: Path) -> None:
        r = self.rng
        path = root / "idp/okta/system_log.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as f:
            for e in self.emps:
                if "okta" not in e.parts or not e.nets:
                    continue
                ua = UA_MAC if int(e.eid[1:]) % 3 else UA_WIN
                for k, t in enumerate(self._hours(e, 8)):
                    n = e.nets[k % len(e.nets)]
                    ev = {"uuid": f"{e.eid}-{k}-{r.randint(0, 10**9)}", "published": _iso(t)[:-1] + ".000Z",
                          "eventType": "user.session.start", "severity": "INFO",
                          "actor": {"id": f"00u{e.eid}", "type": "User",
                                    "alternateId": f"{e.p.email_local}@examplecorp.com",
                                    "displayName": f"{e.p.first} {e.p.last}"},
                          "client": {"ipAddress": n.ip, "userAgent": {"rawUserAgent": ua},
                                     "geographicalContext": {"city": n.city, "state": n.state,
                                                             "country": n.country}},
                          "securityContext": {"asNumber": n.asn, "asOrg": n.as_org, "isp": n.isp,
                                              "domain": n.domain, "isProxy": n.proxy},
                          "outcome": {"result": "SUCCESS"}, "request": {"ipChain": [{"ip": n.ip}]},
                          "authenticationContext": {"externalSessionId": f"idx{e.eid}{k}"}}
                    f.write(json.dumps(ev) + "\n")

    def _osquery(self, root: Path) -> None:
        path = root / "endpoint/osquery/osqueryd.results.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as f:
            for e in self.emps:
                if "osquery" not in e.parts or "device" not in e.parts:
                    continue
                host = f"EXC-{e.eid}-LT"
                t = datetime(e.hire.year, e.hire.month, e.hire.day, 16, tzinfo=UTC) + timedelta(days=2)
                rows: list[tuple[str, dict[str, str]]] = [("programs", {"name": p, "version": "1.0"})
                                                          for p in BASE_PROGRAMS + e.programs]
                rows += [("usb_devices", u) for u in e.usb] + [("connected_displays", d) for d in e.displays]
                for table, cols in rows:
                    f.write(json.dumps({"name": f"pack_fleet_{table}", "hostIdentifier": host,
                                        "calendarTime": t.strftime("%a %b %d %H:%M:%S %Y UTC"),
                                        "unixTime": int(t.timestamp()), "epoch": 0, "counter": 0,
                                        "decorations": {"hostname": host}, "columns": cols,
                                        "action": "added"}) + "\n")

    def _activity(self, root: Path) -> None:
        rows = []
        for e in self.emps:
            if "activity" not in e.parts:
                continue
            for t in self._hours(e, 30):
                rows.append({"actor_email": f"{e.p.email_local}@examplecorp.com",
                             "timestamp": t.isoformat(), "source": self.rng.choice(["git", "chat", "ticket"]),
                             "action": "event"})
        _w(root / "activity/activity.csv", ["actor_email", "timestamp", "source", "action"], rows)

    def _code(self, root: Path) -> None:
        path = root / "code/audit/github_audit.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as f:
            for e in self.emps:
                base = datetime(e.hire.year, e.hire.month, e.hire.day, 14, tzinfo=UTC)
                n = e.clones or (self.rng.randint(1, 4) if e.dept in ("Engineering", "Data") else 0)
                for k in range(n):
                    f.write(json.dumps({"action": "git.clone", "actor": e.p.email_local.replace(".", "-"),
                                        "repo": f"examplecorp/repo-{k}", "@timestamp":
                                        int((base + timedelta(days=2, minutes=7 * k)).timestamp() * 1000),
                                        "user_agent": "git/2.45.1"}) + "\n")
