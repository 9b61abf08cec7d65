"""The scenario bundle: a fictional company with planted schemes and labelled look-alikes.

Written from the contract and the indicator notes, not from the signals: each class says what
an investigator would call it. Values that exports write in several ways come from the bundle's
variant family (``A`` or ``B``), so a figure on family ``B`` is one on spellings and layouts the
development family never showed.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

# class -> True for a planted scheme (should be high or critical), False for a benign look-alike
# (must not be), None for the ordinary population.
CLASSES: dict[str, bool | None] = {
    "laptop_farm": True, "persona_network": True, "claimed_identity": True, "sanctioned_vendor": True,
    "couple": False, "roommates": False, "rehire": False, "reapplicant": False, "candidate_hired": False,
    "neighbours": False, "mail_drop": False, "country_spelling": False, "asian_american": False,
    "traveller": False, "agency_references": False, "former_surname": False, "identity_victim": False,
    "rehire_moved": False, "reapplicant_new_email": False, "candidate_hired_unlinked": False, "coworking": False,
    "carrier_nat": False,
    "clean": None,
}

GIVEN = ["James", "Maria", "David", "Sarah", "Michael", "Emily", "Robert", "Ashley", "Daniel", "Jessica", "Kevin",
         "Laura", "Brian", "Megan", "Jason", "Rachel", "Eric", "Nicole", "Adam", "Hannah", "Luis", "Ana", "Omar",
         "Fatima", "Tyrone", "Keisha", "Ivan", "Olga", "Raj", "Priya"]
FAMILY = ["Smith", "Johnson", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Wilson", "Anderson", "Thomas",
          "Moore", "Jackson", "White", "Harris", "Clark", "Lewis", "Walker", "Hall", "Young", "Allen", "Patel",
          "Nguyen", "Kowalski", "Okafor", "Haddad", "Cohen", "O'Brien", "Schmidt", "Rossi", "Silva"]
# Asian-American staff with their own names: names are never evidence.
ASIAN = [("Min-jun", "Kim"), ("Ji-woo", "Park"), ("Seo-yeon", "Lee"), ("Hyun", "Choi"), ("Wei", "Zhang"),
         ("Li", "Wang"), ("Yong Chol", "Kim"), ("Jong Un", "Pak"), ("Hiroshi", "Tanaka"), ("Thanh", "Tran")]
CITIES = [("Columbus", "OH", "432"), ("Austin", "TX", "787"), ("Denver", "CO", "802"), ("Raleigh", "NC", "276"),
          ("Portland", "OR", "972"), ("Madison", "WI", "537"), ("Tampa", "FL", "336"), ("Boise", "ID", "837")]
STREETS = ["Oak", "Maple", "Cedar", "Pine", "Elm", "Lake", "Hill", "Park", "Washington", "Lincoln"]

EMP_COLS = ["employee_id", "full_name", "email", "personal_email", "phone", "date_of_birth", "national_id",
            "address_line1", "address_line2", "city", "region", "postal_code", "country", "employment_type",
            "vendor_company", "hire_date", "termination_date", "title", "department"]
CAND_COLS = ["candidate_id", "full_name", "email", "phone", "country", "applied_at", "stage", "employee_id"]
REF_COLS = ["candidate_id", "reference_name", "reference_email", "reference_phone", "relationship"]
SHIP_COLS = ["shipment_id", "asset_tag", "employee_id", "recipient_name", "address_line1", "address_line2", "city",
             "region", "postal_code", "country", "shipped_at", "delivered_at"]
DEP_COLS = ["employee_id", "effective_date", "method", "institution_name", "routing_number", "account_number",
            "account_holder_name", "platform", "country"]


@dataclass
class Truth:
    family: str
    labels: dict[str, str] = field(default_factory=dict)  # subject id -> class
    groups: list[list[str]] = field(default_factory=list)  # planted groups a cluster should hold

    def planted(self) -> set[str]:
        return {s for s, c in self.labels.items() if CLASSES[c]}

    def lookalikes(self) -> dict[str, str]:
        return {s: c for s, c in self.labels.items() if CLASSES[c] is False}


class _Writer:
    """Values written the family's way."""

    def __init__(self, rng: random.Random, family: str) -> None:
        self.rng, self.family = rng, family

    def country(self) -> str:
        return self.rng.choice(["US", "USA"] if self.family == "A" else ["United States", "U.S.", "us",
                                                                        "United States of America"])

    def street(self, number: int, name: str, kind: str = "St", direction: str = "") -> str:
        long = {"St": "Street", "Ave": "Avenue", "Rd": "Road", "Dr": "Drive"}
        if self.family == "A":
            return f"{number} {direction + ' ' if direction else ''}{name} {kind}"
        d = {"N": "North", "S": "South", "E": "East", "W": "West"}.get(direction, direction)
        return f"{number} {d + ' ' if d else ''}{name} {long.get(kind, kind)}"

    def street_other_way(self, number: int, name: str, kind: str = "St", direction: str = "") -> str:
        """The same street as a second system writes it (a couple's two records)."""
        if self.family == "A":
            return f"{number} {direction + '.' + ' ' if direction else ''}{name} {kind}."
        return f"{number} {direction + ' ' if direction else ''}{name.upper()} {kind.upper()}"

    def postal(self, zip5: str) -> str:
        return zip5 if self.family == "A" else f"{zip5}-{self.rng.randint(1000, 9999)}"

    def phone(self, digits: str) -> str:
        a, b, c = digits[:3], digits[3:6], digits[6:]
        if self.family == "A":
            return f"({a}) {b}-{c}"
        return self.rng.choice([f"+1 {a}.{b}.{c}", f"1-{a}-{b}-{c}", f"{a} {b} {c}"])

    def email(self, local: str, domain: str = "gmail.com") -> str:
        if self.family == "A":
            return f"{local}@{domain}".lower()
        dotted = ".".join(local) if domain == "gmail.com" and len(local) < 9 else local
        return f"{dotted.title()}@{domain.upper()}"


class _Company:
    def __init__(self, seed: int, family: str, employees: int, applicants: int) -> None:
        self.rng = random.Random(seed * 7919 + (0 if family == "A" else 1))
        self.w = _Writer(self.rng, family)
        self.truth = Truth(family)
        self.n_emp, self.n_app = employees, applicants
        self.emps: list[dict[str, Any]] = []
        self.cands: list[dict[str, Any]] = []
        self.refs: list[dict[str, Any]] = []
        self.ships: list[dict[str, Any]] = []
        self.deps: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.next_e, self.next_c, self.next_ip = 1000, 5000, 1
        self.used_phones: set[str] = set()

    # -- building blocks --------------------------------------------------------------------
    def _phone(self, area: str = "614") -> str:
        while True:
            d = f"{area}{self.rng.randint(200, 999)}{self.rng.randint(0, 9999):04d}"
            if d not in self.used_phones:
                self.used_phones.add(d)
                return d

    def _ssn(self) -> str:
        return f"{self.rng.randint(100, 665)}-{self.rng.randint(10, 99)}-{self.rng.randint(1000, 9999)}"

    def _home(self) -> dict[str, Any]:
        city, region, z3 = self.rng.choice(CITIES)
        return {"number": self.rng.randint(10, 9999), "street": self.rng.choice(STREETS),
                "kind": self.rng.choice(["St", "Ave", "Rd", "Dr"]), "dir": self.rng.choice(["", "", "N", "W"]),
                "city": city, "region": region, "zip": f"{z3}{self.rng.randint(10, 99)}", "unit": ""}

    def _addr(self, h: dict[str, Any], other_way: bool = False) -> dict[str, str]:
        line1 = (self.w.street_other_way if other_way else self.w.street)(h["number"], h["street"], h["kind"], h["dir"])
        return {"address_line1": line1, "address_line2": h["unit"], "city": h["city"], "region": h["region"],
                "postal_code": self.w.postal(h["zip"]), "country": self.w.country()}

    def _ip(self) -> str:
        self.next_ip += 1
        return f"73.{(self.next_ip >> 8) % 200 + 20}.{self.next_ip % 250 + 1}.{self.rng.randint(2, 250)}"

    def employee(self, label: str, name: tuple[str, str] | None = None, home: dict[str, Any] | None = None,
                 hired: date | None = None, **kw: Any) -> dict[str, Any]:
        eid = f"E{self.next_e}"
        self.next_e += 1
        given, fam = name or (self.rng.choice(GIVEN), self.rng.choice(FAMILY))
        h = home or self._home()
        hired = hired or date(2026, 1, 5) + timedelta(days=self.rng.randint(0, 200))
        local = f"{given}{fam}".lower().replace("'", "").replace(" ", "").replace("-", "")[:12]
        row: dict[str, Any] = {
            "employee_id": eid, "full_name": f"{given} {fam}", "email": f"{eid.lower()}@corp.example",
            "personal_email": self.w.email(f"{local}{self.next_e}"), "phone": self.w.phone(self._phone()),
            "date_of_birth": str(date(1970, 1, 1) + timedelta(days=self.rng.randint(0, 11000))),
            "national_id": self._ssn(), **self._addr(h, kw.pop("other_way", False)), "employment_type": "employee",
            "vendor_company": "", "hire_date": str(hired), "termination_date": "",
            "title": "Software Engineer", "department": self.rng.choice(["Engineering", "Data", "Product", "Sales"]),
        }
        row.update(kw)
        self.emps.append(row)
        self.truth.labels[eid] = label
        row["_home"] = h
        return row

    def ship(self, e: dict[str, Any], h: dict[str, Any] | None = None, other_way: bool = False) -> None:
        hired = date.fromisoformat(e["hire_date"])
        when = datetime(hired.year, hired.month, hired.day, 15) - timedelta(days=4)
        self.ships.append({"shipment_id": f"S{len(self.ships) + 1}", "asset_tag": f"LT-{len(self.ships) + 1:05d}",
                           "employee_id": e["employee_id"], "recipient_name": e["full_name"],
                           **self._addr(h or e["_home"], other_way),
                           "shipped_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                           "delivered_at": (when + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")})

    def pay(self, e: dict[str, Any], account: str | None = None, holder: str | None = None, when: date | None = None,
            **kw: Any) -> None:
        self.deps.append({"employee_id": e["employee_id"], "effective_date": str(when or e["hire_date"]),
                          "method": "direct_deposit", "institution_name": "First Community Bank",
                          "routing_number": "071000013",
                          "account_number": account or str(self.rng.randint(10**9, 10**10)),
                          "account_holder_name": holder or e["full_name"], "country": self.w.country(), **kw})

    def signins(self, e: dict[str, Any], ip: str, n: int = 4, country: str = "United States", city: str = "",
                lat: float = 39.9, lon: float = -83.0, offset_h: int = 0, org: str = "Comcast Cable") -> None:
        hired = date.fromisoformat(e["hire_date"])
        for i in range(n):
            d = hired + timedelta(days=7 + 3 * i)
            t = datetime(d.year, d.month, d.day, 14 + (offset_h + i) % 5, self.rng.randint(0, 59))
            self.events.append({
                "uuid": f"ev{len(self.events)}", "published": t.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "eventType": "user.session.start", "outcome": {"result": "SUCCESS"},
                "actor": {"alternateId": e["email"], "type": "User"},
                "client": {"ipAddress": ip, "userAgent": {"rawUserAgent": "Mozilla/5.0"},
                           "geographicalContext": {"country": country, "city": city or e["city"],
                                                   "geolocation": {"lat": lat, "lon": lon}}},
                "securityContext": {"asOrg": org, "isp": org},
                "authenticationContext": {"externalSessionId": f"s{len(self.events)}"}})

    def ordinary(self, e: dict[str, Any]) -> None:
        self.ship(e)
        self.pay(e)
        self.signins(e, self._ip())

    def candidate(self, label: str, name: tuple[str, str] | None = None, phone: str | None = None,
                  email: str | None = None, **kw: Any) -> dict[str, Any]:
        cid = f"C{self.next_c}"
        self.next_c += 1
        given, fam = name or (self.rng.choice(GIVEN), self.rng.choice(FAMILY))
        row = {"candidate_id": cid, "full_name": f"{given} {fam}",
               # Unique after Gmail's rules too: two people never share one mailbox by chance.
               "email": email or self.w.email(f"{given}.{fam}.c{self.next_c}".lower().replace("'", "")),
               "phone": phone or self.w.phone(self._phone()), "country": self.w.country(),
               "applied_at": f"2026-0{self.rng.randint(1, 9)}-1{self.rng.randint(0, 9)}", "stage": "applied",
               "employee_id": ""}
        row.update(kw)
        self.cands.append(row)
        self.truth.labels[cid] = label
        return row

    # -- the company ------------------------------------------------------------------------
    def build(self) -> None:
        for _ in range(self.n_emp):
            self.ordinary(self.employee("clean"))
        for _ in range(self.n_app):
            c = self.candidate("clean")
            self.refs.append({"candidate_id": c["candidate_id"], "reference_name": f"{self.rng.choice(GIVEN)} Ref",
                              "reference_email": self.w.email(f"ref{c['candidate_id'].lower()}", "mail.example"),
                              "reference_phone": self.w.phone(self._phone()), "relationship": "manager"})
        for _ in range(3):
            self.farm()
        for _ in range(2):
            self.persona_network()
        for _ in range(3):
            self.claimed_identity()
        self.sanctioned_vendor()
        for _ in range(3):
            self.couple()
        self.roommates()
        for _ in range(3):
            self.rehire()
        for _ in range(3):
            self.reapplicant()
        for _ in range(3):
            self.candidate_hired()
        self.neighbours()
        self.mail_drop()
        for _ in range(4):
            self.country_spelling()
        for name in ASIAN:
            self.ordinary(self.employee("asian_american", name))
        for _ in range(3):
            self.traveller()
        self.agency_references()
        for _ in range(2):
            self.former_surname()
        for _ in range(2):
            self.rehire_moved()
        for _ in range(2):
            self.reapplicant_new_email()
        for _ in range(2):
            self.candidate_hired_unlinked()
        self.coworking()
        self.carrier_nat()

    # planted
    def farm(self) -> None:
        host = self._home()
        ip = self._ip()
        members = []
        for i in range(self.rng.randint(3, 5)):
            e = self.employee("laptop_farm", hired=date(2026, 6, 1) + timedelta(days=7 * i))
            self.ship(e, host)  # not their declared home
            self.signins(e, ip, offset_h=9)
            members.append(e["employee_id"])
        shared = str(self.rng.randint(10**9, 10**10))
        for eid in members[:2]:
            self.pay(next(x for x in self.emps if x["employee_id"] == eid), shared, "Dana Whitfield")
        for eid in members[2:]:
            self.pay(next(x for x in self.emps if x["employee_id"] == eid))
        self.truth.groups.append(members)

    def persona_network(self) -> None:
        phone = self.w.phone(self._phone("347"))
        handle = f"{self.rng.choice(['dev', 'code', 'tech'])}.hire{self.rng.randint(10, 9999)}"
        ref_email = self.w.email(handle, "proton.me")
        ref_phone = self.w.phone(self._phone("646"))
        ids = []
        for i in range(self.rng.randint(5, 7)):
            c = self.candidate("persona_network", phone=phone if i % 2 == 0 else None)
            self.refs.append({"candidate_id": c["candidate_id"], "reference_name": "Alex Kim",
                              "reference_email": ref_email, "reference_phone": ref_phone, "relationship": "lead"})
            ids.append(c["candidate_id"])
        self.truth.groups.append(ids)

    def claimed_identity(self) -> None:
        victim = self.employee("identity_victim", hired=date(2021, 3, 1), termination_date="2024-02-01")
        self.pay(victim, when=date(2021, 3, 1))
        name = tuple(victim["full_name"].split(" ", 1))
        e = self.employee("claimed_identity", name=(name[0], name[1]), hired=date(2026, 7, 6),
                          national_id=victim["national_id"], date_of_birth=victim["date_of_birth"])
        self.ship(e)
        self.signins(e, self._ip(), offset_h=9)
        self.pay(e, when=date(2026, 7, 6))
        self.pay(e, when=date(2026, 7, 20), holder="Chen Wei Trading")
        self.truth.groups.append([victim["employee_id"], e["employee_id"]])

    def sanctioned_vendor(self) -> None:
        vendor = "Yanbian Silverstar Network Technology Co., Ltd." if self.w.family == "A" else "YANBIAN SILVER STAR"
        e = self.employee("sanctioned_vendor", employment_type="contractor", vendor_company=vendor)
        self.ordinary(e)

    # look-alikes
    def couple(self) -> None:
        h = self._home()
        a = self.employee("couple", home=h)
        b = self.employee("couple", home=h, other_way=True, phone=a["phone"])
        ip, acct = self._ip(), str(self.rng.randint(10**9, 10**10))
        for e in (a, b):
            self.ship(e, h, other_way=e is b)
            self.signins(e, ip)
            self.pay(e, acct, f"{a['full_name']} and {b['full_name']}")

    def roommates(self) -> None:
        h = self._home()
        ip = self._ip()
        for _ in range(3):
            e = self.employee("roommates", home=h)
            self.ship(e, h)
            self.signins(e, ip)
            self.pay(e)

    def rehire(self) -> None:
        old = self.employee("rehire", hired=date(2019, 5, 1), termination_date="2023-08-31")
        self.pay(old, when=date(2019, 5, 1))
        name = tuple(old["full_name"].split(" ", 1))
        new = self.employee("rehire", name=(name[0], name[1]), home=old["_home"], hired=date(2026, 4, 1),
                            national_id=old["national_id"], date_of_birth=old["date_of_birth"], phone=old["phone"],
                            personal_email=old["personal_email"])
        self.ordinary(new)

    def reapplicant(self) -> None:
        a = self.candidate("reapplicant")
        self.candidate("reapplicant", name=tuple(a["full_name"].split(" ", 1)),
                       phone=a["phone"], email=a["email"], applied_at="2026-10-02")

    def candidate_hired(self) -> None:
        e = self.employee("candidate_hired")
        self.ordinary(e)
        self.candidate("candidate_hired", name=tuple(e["full_name"].split(" ", 1)),
                       phone=e["phone"], email=e["personal_email"], stage="hired", employee_id=e["employee_id"])
        self.truth.labels[e["employee_id"]] = "candidate_hired"

    def neighbours(self) -> None:
        h = self._home()
        for unit in ("Apt 2", "Apt 5", "Unit 7"):
            hh = dict(h, unit=unit)
            e = self.employee("neighbours", home=hh)
            self.ship(e, hh)
            self.signins(e, self._ip())
            self.pay(e)

    def mail_drop(self) -> None:
        h = self._home()
        for box in ("PMB 101", "PMB 245"):
            hh = dict(h, unit=box)
            e = self.employee("mail_drop", home=hh)
            self.ship(e, hh)
            self.signins(e, self._ip())
            self.pay(e)

    def country_spelling(self) -> None:
        e = self.employee("country_spelling", country="US")
        self.ship(e)
        self.ships[-1]["country"] = self.rng.choice(["USA", "United States", "U.S.A.", "us"])
        self.pay(e)
        self.signins(e, self._ip(), country="United States")

    def traveller(self) -> None:
        e = self.employee("traveller")
        self.ordinary(e)
        self.signins(e, f"189.{self.rng.randint(130, 200)}.{self.rng.randint(1, 250)}.7", n=2, country="Mexico",
                     city="Cancún", lat=21.16, lon=-86.85, offset_h=2)

    def agency_references(self) -> None:
        for _ in range(6):
            c = self.candidate("agency_references")
            self.refs.append({"candidate_id": c["candidate_id"], "reference_name": "Placement Desk",
                              "reference_email": self.w.email("placements", "talentbridge-staffing.com"),
                              "reference_phone": self.w.phone("2125550188"), "relationship": "recruiter"})

    def former_surname(self) -> None:
        e = self.employee("former_surname")
        self.ship(e)
        self.signins(e, self._ip())
        given = e["full_name"].split(" ")[0]
        self.pay(e, holder=f"{given} {self.rng.choice(FAMILY)}")

    def rehire_moved(self) -> None:
        # Back after three years: a new home and a new phone, the same person (same personal
        # e-mail, national ID, name and birth date). The old record ended before the new began.
        old = self.employee("rehire_moved", hired=date(2018, 9, 1), termination_date="2023-01-31")
        self.pay(old, when=date(2018, 9, 1))
        name = tuple(old["full_name"].split(" ", 1))
        new = self.employee("rehire_moved", name=(name[0], name[1]), hired=date(2026, 5, 4),
                            national_id=old["national_id"], date_of_birth=old["date_of_birth"],
                            personal_email=old["personal_email"])
        self.ordinary(new)

    def reapplicant_new_email(self) -> None:
        a = self.candidate("reapplicant_new_email")
        given, fam = a["full_name"].split(" ", 1)
        self.candidate("reapplicant_new_email", name=(given, fam), phone=a["phone"], applied_at="2026-11-02")

    def candidate_hired_unlinked(self) -> None:
        # The ATS record of a hire whose employee_id the ATS never filled in.
        e = self.employee("candidate_hired_unlinked")
        self.ordinary(e)
        given, fam = e["full_name"].split(" ", 1)
        self.candidate("candidate_hired_unlinked", name=(given, fam), phone=e["phone"], email=e["personal_email"],
                       stage="hired")

    def coworking(self) -> None:
        # Four unrelated remote workers at one coworking space: one business line, one IP.
        ip = self._ip()
        for _ in range(4):
            e = self.employee("coworking")
            self.ship(e)
            self.pay(e)
            self.signins(e, ip, org="WeWork Companies LLC")

    def carrier_nat(self) -> None:
        ip = f"172.58.{self.rng.randint(1, 250)}.{self.rng.randint(1, 250)}"
        for _ in range(5):
            e = self.employee("carrier_nat")
            self.ship(e)
            self.pay(e)
            self.signins(e, ip, org="T-Mobile USA, Inc.")

    # -- output -------------------------------------------------------------------------------
    def write(self, root: Path) -> None:
        def csv_out(path: Path, cols: list[str], rows: list[dict[str, Any]]) -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", newline="", encoding="utf-8") as fh:
                wr = csv.DictWriter(fh, fieldnames=cols, extrasaction="ignore")
                wr.writeheader()
                wr.writerows(rows)

        csv_out(root / "hr/employees.csv", EMP_COLS, self.emps)
        csv_out(root / "hr/candidates.csv", CAND_COLS, self.cands)
        csv_out(root / "hr/references.csv", REF_COLS, self.refs)
        csv_out(root / "assets/shipments.csv", SHIP_COLS, self.ships)
        csv_out(root / "payroll/deposits.csv", DEP_COLS, self.deps)
        (root / "idp/okta").mkdir(parents=True, exist_ok=True)
        with (root / "idp/okta/system_log.jsonl").open("w", encoding="utf-8") as fh:
            for ev in self.events:
                fh.write(json.dumps(ev) + "\n")
        (root / "unmask.toml").write_text('[org]\nname = "Scenario Corp"\nwork_countries = ["US"]\n'
                                          'home_timezone = "America/New_York"\n', encoding="utf-8")


def generate(root: Path, seed: int = 1, family: str = "A", size: str = "small") -> Truth:
    """Write a scenario bundle into ``root``; returns its labels."""
    employees, applicants = {"small": (300, 800), "full": (1500, 4000)}[size]
    co = _Company(seed, family, employees, applicants)
    co.build()
    co.write(root)
    (root.parent / f"{root.name}-truth.json").write_text(json.dumps(
        {"family": co.truth.family, "labels": co.truth.labels, "groups": co.truth.groups}, indent=1))
    return co.truth
