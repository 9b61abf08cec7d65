"""Seeded scenario bundle: ordinary staff, planted schemes and their benign look-alikes.

Written from the bundle contract and the indicator notes (schemes AND their benign look-alikes),
not from the signals. Each planted subject is recorded in ``truth.json`` with its class, whether
it is a scheme, its planted group and its variant family (A development, B held out).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.scenarios.variants import Address, phone
from bench.scenarios.world import CITIES, DEPTS, NOW, Bundle, Cand, Emp, Net, People, Person

SCHEMES = ("laptop_farm", "persona_network", "claimed_identity", "sanctioned_vendor", "payout_platform_crypto",
           "apac_hours_us_claim")
BENIGN = ("household", "reapplicant", "rehire", "candidate_to_employee", "neighbours", "mail_drop",
          "coworking", "carrier_nat", "it_remote_tools", "nonit_remote_tools", "traveller", "apac_shift",
          "asian_american", "former_surname_account", "stale_ioc", "country_spelling", "address_variants",
          "contact_variants", "partner_stale_address", "rehire_moved", "reapplicant_moved", "couple_candidate",
          "contractor_own_company", "contractor_declared_abroad", "bootcamp_cohort")
CLASSES = SCHEMES + BENIGN
SIZES = {"small": (300, 800, 2), "full": (1500, 4000, 6)}  # employees, candidates, instances per class
OFFICE = Address(100, "", "Main", "St", "", "Springfield", "IL", "62701", "1234", -6)

ASTRILL = Net("", 9009, "M247 Europe SRL", "Astrill VPN", "astrill.com", "United States", "Los Angeles", "CA", True)
HOSTING = Net("", 14061, "DigitalOcean, LLC", "DigitalOcean", "digitalocean.com", "United States", "Clifton", "NJ")
WEWORK = Net("", 396982, "Google LLC", "WeWork Companies", "wework.com", "United States", "Austin", "TX")
TMOBILE = Net("", 21928, "T-Mobile USA, Inc.", "T-Mobile USA", "tmobile.com", "United States", "", "")
KVM_USB = [{"vendor": "PiKVM", "vendor_id": "1d6b", "model": "PiKVM Composite Device", "model_id": "0104",
            "serial": "CAFEBABE"},
           {"vendor": "tinypilot", "vendor_id": "1d6b", "model": "Multifunction USB Device", "model_id": "0104",
            "serial": "6b65796d696d6570690"}]
KVM_EDID = [{"name": "PiKVM V3", "manufacturer": "LNX", "product_id": "7771", "serial_number": "CAFEBABE"},
            {"name": "TinyPilot", "manufacturer": "TSB", "product_id": "9876", "serial_number": ""}]
SANCTIONED = {"A": ["Yanbian Silverstar Network Technology Co., Ltd.", "Chinyong Information Technology "
                    "Cooperation Company"],
              "B": ["YANBIAN SILVER STAR NETWORK TECH CO LTD", "Jinyong IT Cooperation Co."]}
KOREAN = [("Ji-woo", "Park"), ("Min-jun", "Kim"), ("Seo-yeon", "Choi"), ("Hyun", "Jung"), ("Daniel", "Kang")]
CHINESE = [("Wei", "Zhang"), ("Mei", "Chen"), ("Jun", "Liu"), ("Xiaoling", "Wang"), ("Kevin", "Huang")]
OTHER_ASIAN = [("Linh", "Tran"), ("Arjun", "Reddy"), ("Hiroshi", "Tanaka"), ("Maria", "Santos"), ("Bao", "Pham")]


@dataclass
class Truth:
    subjects: dict[str, dict[str, str]]


class Gen:
    def __init__(self, seed: int, size: str) -> None:
        self.rng = random.Random(seed)
        self.pp = People(self.rng)
        self.b = Bundle(self.rng)
        self.n_emp, self.n_cand, self.k = SIZES[size]
        self.truth: dict[str, dict[str, str]] = {}
        self._e = 1000
        self._c = 5000
        self._g = 0

    # -- ids and labels -----------------------------------------------------------------------
    def group(self) -> str:
        self._g += 1
        return f"G{self._g:03d}"

    def label(self, sid: str, typ: str, cls: str, fam: str, group: str = "") -> None:
        self.truth[sid] = {"type": typ, "class": cls, "scheme": "1" if cls in SCHEMES else "0",
                           "family": fam, "group": group}

    def emp(self, cls: str, fam: str, group: str = "", *, dt: tuple[str, str] | None = None,
            p: Person | None = None, hire: date | None = None, term: date | None = None,
            etype: str = "employee", vendor: str = "") -> Emp:
        self._e += 1
        dept, title = dt or self.rng.choice(DEPTS)
        e = Emp(f"E{self._e}", p or self.pp.person(), fam, dept, title,
                hire or NOW - timedelta(days=self.rng.randint(40, 900)), term, etype, vendor)
        e.canonical = cls == "background"
        home = e.p.home
        e.nets = [self.pp.residential(home.city, home.region)]
        e.deposits = [self.deposit(e)]
        self.b.emps.append(e)
        self.label(e.eid, "employee", cls, fam, group)
        return e

    def cand(self, cls: str, fam: str, group: str = "", *, p: Person | None = None, stage: str = "",
             employee_id: str = "") -> Cand:
        self._c += 1
        p = p or self.pp.person()
        applied = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=self.rng.randint(0, 7000))
        c = Cand(f"C{self._c}", p, fam, applied,
                 stage or self.rng.choice(["applied", "screen", "rejected", "withdrawn", "interview"]), employee_id)
        c.canonical = cls == "background"
        self.b.cands.append(c)
        self.label(c.cid, "candidate", cls, fam, group)
        return c

    def deposit(self, e: Emp, holder: str = "", method: str = "direct_deposit", platform: str = "",
                account: str = "", country: str = "US", eff: date | None = None, inst: str = "") -> dict[str, str]:
        r = self.rng
        return {"employee_id": e.eid, "effective_date": (eff or e.hire).isoformat(), "method": method,
                "institution_name": inst or r.choice(["Chase", "Bank of America", "Wells Fargo", "US Bank"]),
                "routing_number": "" if method in ("crypto", "platform") else f"0{r.randint(10**7, 10**8 - 1)}",
                "account_number": account or str(r.randint(10**9, 10**10 - 1)),
                "account_holder_name": holder or f"{e.p.first} {e.p.last}", "platform": platform,
                "country": country}

    def ip(self, proto: Net) -> Net:
        r = self.rng
        first = {9009: 185, 14061: 159, 396982: 38, 21928: 172}.get(proto.asn, 45)
        return Net(f"{first}.{r.randint(1, 254)}.{r.randint(1, 254)}.{r.randint(1, 254)}", proto.asn,
                   proto.as_org, proto.isp, proto.domain, proto.country, proto.city, proto.state, proto.proxy)

    def fams(self) -> list[str]:
        return ["A" if i % 2 == 0 else "B" for i in range(self.k)]

    # -- schemes ------------------------------------------------------------------------------
    def laptop_farm(self) -> None:
        r = self.rng
        for i, fam in enumerate(self.fams()):
            g = self.group()
            facilitator = self.pp.address(r.choice(CITIES))
            hub = self.pp.residential(facilitator.city, facilitator.region)
            vpn = self.ip(ASTRILL)
            for j in range(r.randint(3, 5)):
                e = self.emp("laptop_farm", fam, g, dt=("Engineering", "Software Engineer"),
                             hire=NOW - timedelta(days=r.randint(30, 200)))
                e.ship_to = facilitator
                e.recipient = f"{e.p.first} {e.p.last}" if j % 2 else "R. Whitmore"
                e.nets = [hub, vpn] if (i + j) % 3 else [hub]
                e.programs = ["AnyDesk", "TeamViewer"] if j % 2 == 0 else ["RustDesk"]
                if (i + j) % 2 == 0:  # partly observable: only some laptops show the KVM
                    e.usb = [KVM_USB[j % 2]]
                    e.displays = [KVM_EDID[j % 2]]
                e.work_utc_offset = 9 if (i + j) % 3 != 1 else None
                if i % 2 == 1 and j == 0:
                    e.parts -= {"osquery"}

    def persona_network(self) -> None:
        r = self.rng
        for _i, fam in enumerate(self.fams()):
            g = self.group()
            shared_phone = f"{r.randint(201, 989)}{r.randint(201, 989)}{r.randint(0, 9999):04d}"
            # The group is in the referee's address: two planted networks that drew the same random
            # referee would, in the data, be one operator's network, and the truth would call it two.
            shared_ref = ("Kevin Moore", f"kmoore.{g.lower()}.hr{r.randint(1, 99)}@outlook.com",
                          f"{r.randint(201, 989)}{r.randint(201, 989)}{r.randint(0, 9999):04d}")
            resume = ("Senior Full-Stack Engineer. 9 years building scalable web platforms with React, Node.js, "
                      "Go and AWS. Led migration of monolith to microservices cutting latency 40%. "
                      "Blockchain and smart contract experience (Solidity). ")
            for j in range(r.randint(3, 5)):
                c = self.cand("persona_network", fam, g, stage=r.choice(["interview", "offer", "screen"]))
                if j % 3 != 2:
                    c.phone_override = phone(shared_phone, fam, r)
                c.refs = [{"reference_name": shared_ref[0], "reference_email": shared_ref[1].upper() if fam == "B"
                           else shared_ref[1], "reference_phone": phone(shared_ref[2], fam, r),
                           "relationship": "manager"}] if j % 3 != 1 else []
                c.resume = resume + f"Worked at Company{j} as lead. " + ("Remote only." if j % 2 else "")
                c.interviews = [{"interview_at": (c.applied + timedelta(days=5)).isoformat(), "stage": "screen",
                                 "medium": "video", "camera_on": "false",
                                 "participant_ip": self.ip(ASTRILL).ip, "participant_country": "US",
                                 "identity_checked": "false",
                                 "flags": "reading_answers;declined_onsite" if j % 2 == 0 else "",
                                 "interviewer_id": "E1001"}]

    def claimed_identity(self) -> None:
        r = self.rng
        for i, fam in enumerate(self.fams()):
            g = self.group()
            owner_active = i % 2 == 0
            # The victim is an innocent record: it stays background, labelled as such, but it carries
            # the scheme's group, because issue 13 §1 puts both records of a claimed identity in one
            # cluster (the victim marked as such); the cluster F1 counts that pair as right.
            victim = self.emp("background", "A", g, term=None if owner_active else NOW - timedelta(days=400),
                              hire=NOW - timedelta(days=1500))
            e = self.emp("claimed_identity", fam, g, hire=NOW - timedelta(days=r.randint(30, 120)),
                         dt=("Engineering", "Software Engineer"))
            e.national_id = victim.p.ssn
            e.dob_override = victim.p.dob if i % 3 != 2 else ""
            ch = (e.hire + timedelta(days=r.randint(3, 20))).isoformat() + "T10:00:00Z"
            new_acct = str(r.randint(10**9, 10**10 - 1))
            e.changes = [{"employee_id": e.eid, "field": "bank_account", "old_value": "", "new_value": "changed",
                          "changed_at": ch, "changed_by": "self-service"},
                         {"employee_id": e.eid, "field": "address_line1", "old_value": "", "new_value": "changed",
                          "changed_at": ch, "changed_by": "self-service"}]
            e.deposits.append(self.deposit(e, holder="Dana Whitfield" if i % 2 else "", account=new_acct,
                                           eff=e.hire + timedelta(days=20)))
            if i % 2 == 0:
                e.nets = [self.ip(HOSTING), e.nets[0]]

    def sanctioned_vendor(self) -> None:
        for i, fam in enumerate(self.fams()):
            name = SANCTIONED[fam][i // 2 % 2]
            e = self.emp("sanctioned_vendor", fam, self.group(), etype="contractor", vendor=name,
                         dt=("Engineering", "Contract Developer"))
            if i % 2 == 0:
                e.deposits = [self.deposit(e, holder=name, method="wire", country="CN", inst="Bank of Yanbian")]

    def payout_platform_crypto(self) -> None:
        r = self.rng
        for i, fam in enumerate(self.fams()):
            e = self.emp("payout_platform_crypto", fam, self.group(), etype="contractor",
                         dt=("Engineering", "Contract Developer"))
            if i % 2 == 0:
                wallet = "0x" + "".join(r.choice("0123456789abcdef") for _ in range(40))
                e.deposits = [self.deposit(e, method="crypto", platform="USDT (ERC-20)", account=wallet, country="")]
                if i % 4 == 0:  # listed in intelligence only sometimes
                    self.b.iocs.append({"type": "crypto_address", "value": wallet.upper() if fam == "B" else wallet,
                                        "source": "partner-sharing", "note": "IT-worker laundering wallet"})
            else:
                e.deposits = [self.deposit(e, method="platform", platform="Payoneer", country="HK",
                                           holder="Hong Kong Sino Trade Ltd", inst="Payoneer")]
            e.work_utc_offset = 8

    def apac_hours_us_claim(self) -> None:
        for i, fam in enumerate(self.fams()):
            e = self.emp("apac_hours_us_claim", fam, self.group(), dt=("Engineering", "Software Engineer"))
            e.work_utc_offset = 9
            if i % 2 == 0:
                e.nets = [self.ip(ASTRILL)]
            else:
                e.parts -= {"okta"}

    # -- benign look-alikes -------------------------------------------------------------------
    def household(self) -> None:
        r = self.rng
        for i, fam in enumerate(self.fams()):
            home = self.pp.address(unit=r.choice(["", "Apt 3"]))
            a = self.emp("household", fam, p=self.pp.person(home=home))
            b = self.emp("household", fam, p=self.pp.person(home=home))
            for e in (a, b):
                e.nets = [a.nets[0]]
            b.phone_override = phone(a.p.phone, fam, r) if i % 2 == 0 else ""
            joint = f"{a.p.first} {a.p.last} and {b.p.first} {b.p.last}" if fam == "A" else \
                f"{b.p.last.upper()} {b.p.first.upper()} / {a.p.last.upper()} {a.p.first.upper()}"
            acct = str(r.randint(10**9, 10**10 - 1))
            a.deposits = [self.deposit(a, holder=joint, account=acct)]
            b.deposits = [self.deposit(b, holder=joint, account=acct)]
            if i % 3 == 2:
                self.emp("household", fam, p=self.pp.person(home=home))  # a roommate, third surname

    def reapplicant(self) -> None:
        r = self.rng
        for _i, fam in enumerate(self.fams()):
            p = self.pp.person()
            self.cand("reapplicant", fam, p=p, stage="rejected")
            c2 = self.cand("reapplicant", fam, p=p, stage=r.choice(["applied", "interview"]))
            c2.applied += timedelta(days=150)

    def rehire(self) -> None:
        for i, fam in enumerate(self.fams()):
            p = self.pp.person()
            self.emp("rehire", fam, p=p, hire=NOW - timedelta(days=1400), term=NOW - timedelta(days=500))
            p2 = p if i % 2 == 0 else type(p)(**{**p.__dict__, "email_local": p.email_local + "r"})
            self.emp("rehire", fam, p=p2, hire=NOW - timedelta(days=200))

    def candidate_to_employee(self) -> None:
        for _i, fam in enumerate(self.fams()):
            p = self.pp.person()
            e = self.emp("candidate_to_employee", fam, p=p, hire=NOW - timedelta(days=100))
            self.cand("candidate_to_employee", fam, p=p, stage="hired", employee_id=e.eid)

    def neighbours(self) -> None:
        r = self.rng
        for _i, fam in enumerate(self.fams()):
            bld = self.pp.address()
            for u in ("Apt 2A", "Apt 5C", "Unit 12")[: r.randint(2, 3)]:
                self.emp("neighbours", fam, p=self.pp.person(home=Address(**{**bld.__dict__, "unit": u})))

    def mail_drop(self) -> None:
        r = self.rng
        for _i, fam in enumerate(self.fams()):
            store = self.pp.address()
            for k in range(r.randint(2, 3)):
                unit = f"PMB {r.randint(100, 999)}" if k % 2 == 0 else f"Ste 101 # {r.randint(100, 999)}"
                self.emp("mail_drop", fam, p=self.pp.person(home=Address(**{**store.__dict__, "unit": unit})))

    def coworking(self) -> None:
        for _i, fam in enumerate(self.fams()):
            hub = self.ip(WEWORK)
            for _ in range(3):
                e = self.emp("coworking", fam)
                e.nets = [hub, e.nets[0]]

    def carrier_nat(self) -> None:
        for _i, fam in enumerate(self.fams()):
            cg = self.ip(TMOBILE)
            for _ in range(3):
                e = self.emp("carrier_nat", fam)
                e.nets = [cg]

    def it_remote_tools(self) -> None:
        for i, fam in enumerate(self.fams()):
            e = self.emp("it_remote_tools", fam, dt=("IT", "Helpdesk Technician" if i % 2 else "IT Administrator"))
            e.programs = ["AnyDesk", "TeamViewer", "Microsoft Remote Desktop"]

    def nonit_remote_tools(self) -> None:
        for i, fam in enumerate(self.fams()):
            e = self.emp("nonit_remote_tools", fam, dt=("Finance", "Accountant") if i % 2 else ("Sales", "Sales Rep"))
            e.programs = ["TeamViewer"] if i % 2 else ["Chrome Remote Desktop", "Zoom"]

    def traveller(self) -> None:
        for i, fam in enumerate(self.fams()):
            e = self.emp("traveller", fam)
            hotel = self.ip(Net("", 4713, "NTT Communications", "OCN", "ocn.ne.jp", "Japan", "Tokyo", "Tokyo")) \
                if i % 2 == 0 else self.ip(Net("", 4766, "Korea Telecom", "KT", "kt.com", "South Korea", "Seoul", ""))
            e.nets = [e.nets[0], e.nets[0], e.nets[0], hotel]

    def apac_shift(self) -> None:
        for _i, fam in enumerate(self.fams()):
            e = self.emp("apac_shift", fam, dt=("Support", "Support Engineer, APAC coverage"))
            e.work_utc_offset = 9

    def asian_american(self) -> None:
        r = self.rng
        for i, fam in enumerate(self.fams()):
            for names in (KOREAN, CHINESE, OTHER_ASIAN):
                f, la = names[(i + r.randint(0, 4)) % len(names)]
                self.emp("asian_american", fam, p=self.pp.person(f, la), dt=("Engineering", "Software Engineer"))

    def former_surname_account(self) -> None:
        for i, fam in enumerate(self.fams()):
            e = self.emp("former_surname_account", fam)
            maiden = self.rng.choice(["Kowalski", "Fischer", "Duarte", "Olsen"])
            e.deposits = [self.deposit(e, holder=f"{e.p.first} {maiden}" if i % 2 == 0
                                       else f"{e.p.first} {maiden}-{e.p.last}")]
            e.changes = [{"employee_id": e.eid, "field": "full_name", "old_value": f"{e.p.first} {maiden}",
                          "new_value": f"{e.p.first} {e.p.last}", "changed_at": "2025-06-01T12:00:00Z",
                          "changed_by": "hr-admin"}] if i % 3 else []

    def stale_ioc(self) -> None:
        for i, fam in enumerate(self.fams()):
            e = self.emp("stale_ioc", fam)
            if i % 2 == 0:
                self.b.iocs.append({"type": "ip", "value": e.nets[0].ip, "source": "vendor-report-2019",
                                    "note": "seen 2019; residential pool since reassigned"})
            else:
                self.b.iocs.append({"type": "phone", "value": phone(e.p.phone, fam, self.rng),
                                    "source": "old-blog-2020", "note": "number since recycled by the carrier"})

    def country_spelling(self) -> None:
        for _i, fam in enumerate(self.fams()):
            self.emp("country_spelling", fam)
            self.cand("country_spelling", fam)

    def address_variants(self) -> None:
        # The laptop goes to the worker's own home, written by the carrier in another spelling.
        for _i, fam in enumerate(self.fams()):
            e = self.emp("address_variants", fam)
            e.ship_to = e.p.home

    def contact_variants(self) -> None:
        for _i, fam in enumerate(self.fams()):
            p = self.pp.person()
            e = self.emp("contact_variants", fam, p=p)
            self.cand("contact_variants", fam, p=p, stage="hired", employee_id=e.eid)

    # Added in session 6: what a signal's author could not know about each look-alike. People move
    # without telling HR, change phones between applications, and contractors bill through their own
    # company or live where they say they live abroad.
    def partner_stale_address(self) -> None:
        # Partners with different surnames; B's HR record still has the flat B left, B's laptop goes
        # to the home they now share and both sign in from its line.
        for _i, fam in enumerate(self.fams()):
            a = self.emp("partner_stale_address", fam)
            b = self.emp("partner_stale_address", fam)
            b.ship_to = a.p.home
            b.recipient = f"{b.p.first} {b.p.last}"
            b.nets = [a.nets[0]]

    def rehire_moved(self) -> None:
        # A rehire who moved and changed phone between the two records; the same personal e-mail.
        for _i, fam in enumerate(self.fams()):
            p = self.pp.person()
            self.emp("rehire_moved", fam, p=p, hire=NOW - timedelta(days=1600), term=NOW - timedelta(days=400))
            moved = self.pp.person(p.first, p.last)
            p2 = Person(p.first, p.last, p.middle, p.dob, p.ssn, moved.phone, p.email_local, moved.home)
            self.emp("rehire_moved", fam, p=p2, hire=NOW - timedelta(days=120))

    def reapplicant_moved(self) -> None:
        # Applied again a year later from a new flat with a new phone; the same e-mail and birth date.
        for _i, fam in enumerate(self.fams()):
            p = self.pp.person()
            self.cand("reapplicant_moved", fam, p=p, stage="rejected")
            moved = self.pp.person(p.first, p.last)
            p2 = Person(p.first, p.last, p.middle, p.dob, p.ssn, moved.phone, p.email_local, moved.home)
            c2 = self.cand("reapplicant_moved", fam, p=p2, stage=self.rng.choice(["applied", "screen"]))
            c2.applied += timedelta(days=300)

    def couple_candidate(self) -> None:
        # An employee's partner (another surname) applies from their shared home with the home phone.
        for _i, fam in enumerate(self.fams()):
            home = self.pp.address()
            e = self.emp("couple_candidate", fam, p=self.pp.person(home=home))
            c = self.cand("couple_candidate", fam, p=self.pp.person(home=home))
            c.phone_override = phone(e.p.phone, fam, self.rng)

    def contractor_own_company(self) -> None:
        # A US contractor paid into the account of their own one-person company.
        for i, fam in enumerate(self.fams()):
            e = self.emp("contractor_own_company", fam, etype="contractor", dt=("Engineering", "Contract Developer"))
            firm = f"{e.p.last} Consulting LLC" if i % 2 == 0 else f"{e.p.first[0]}{e.p.last[0]} Software Services Inc."
            e.vendor = firm
            e.deposits = [self.deposit(e, holder=firm.upper() if fam == "B" else firm)]

    def contractor_declared_abroad(self) -> None:
        # A contractor who declares a home in Poland or the Philippines, paid there through a platform.
        for i, fam in enumerate(self.fams()):
            e = self.emp("contractor_declared_abroad", fam, etype="contractor",
                         dt=("Engineering", "Contract Developer"))
            country = "PL" if i % 2 == 0 else "PH"
            e.home_country = country
            e.p.home = Address(12 + i, "", "Marszalkowska" if country == "PL" else "Ayala", "St", "",
                               "Warsaw" if country == "PL" else "Makati", "", "00-001" if country == "PL" else "1226",
                               "", 1 if country == "PL" else 8)
            e.nets = [self.ip(Net("", 5617, "Orange Polska", "Orange Polska", "orange.pl", "Poland", "Warsaw", "")
                              if country == "PL" else Net("", 9299, "PLDT", "PLDT", "pldt.com", "Philippines",
                                                          "Makati", ""))]
            e.deposits = [self.deposit(e, method="platform", platform="Payoneer" if i % 2 else "Wise",
                                       country=country, inst="Payoneer" if i % 2 else "Wise")]
            e.work_utc_offset = 1 if country == "PL" else 8

    def bootcamp_cohort(self) -> None:
        # Graduates of one bootcamp send near-copies of its résumé (indicators.md §3.C: bootcamp
        # graduates) and some give the instructor as their referee; each has their own contacts.
        r = self.rng
        for i, fam in enumerate(self.fams()):
            camp = ["Launch Academy", "Tech Elevator", "Grand Circus"][i % 3]
            instructor = ("Maria Lopez", f"mlopez{i}@{camp.lower().replace(' ', '')}.example",
                          f"{r.randint(201, 989)}{r.randint(201, 989)}{r.randint(0, 9999):04d}")
            text = (f"Full-stack web developer, graduate of {camp} (2026). Built REST APIs in Java and Spring Boot, "
                    "React front ends with TypeScript, PostgreSQL schemas and CI pipelines on GitHub Actions. "
                    "Capstone: a team-built marketplace app with payments, search and an admin dashboard. "
                    "Strong communicator, former retail manager, eager to learn. ")
            for j in range(r.randint(5, 18)):
                c = self.cand("bootcamp_cohort", fam, stage=r.choice(["applied", "screen", "interview"]))
                c.resume = text + f"Previously: {r.choice(['retail', 'teaching', 'logistics', 'hospitality'])}."
                if j % 3 == 0:
                    c.refs = [{"reference_name": instructor[0], "reference_email": instructor[1].upper()
                               if fam == "B" else instructor[1], "reference_phone": phone(instructor[2], fam, r),
                               "relationship": "instructor"}]

    # -- whole bundle -------------------------------------------------------------------------
    def build(self) -> None:
        for cls in CLASSES:
            getattr(self, cls)()
        while sum(1 for e in self.b.emps) < self.n_emp:
            self.emp("background", "A")
        while len(self.b.cands) < self.n_cand:
            self.cand("background", "A")


def generate(out: Path, seed: int = 1, size: str = "small") -> dict[str, dict[str, str]]:
    """Write a scenario bundle into OUT and its truth beside it (OUT.truth.json, outside the bundle so a
    scan never reads it); returns the truth per subject id."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}")
    g = Gen(seed, size)
    g.build()
    out.mkdir(parents=True, exist_ok=True)
    g.b.write(out, [f"{OFFICE.number} {OFFICE.street} {OFFICE.suffix}, {OFFICE.city}, {OFFICE.region} "
                    f"{OFFICE.postal}, US"])
    truth_path(out).write_text(json.dumps({"seed": seed, "size": size, "subjects": g.truth},
                                               indent=1, sort_keys=True), encoding="utf-8")
    return g.truth


def truth_path(bundle: Path) -> Path:
    return bundle.parent / f"{bundle.name}.truth.json"
