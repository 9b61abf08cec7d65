"""A realistic, seeded demo organisation with planted schemes and benign look-alikes.

Every part of the bundle is written in its vendor's shape (Okta API array, Entra Graph page
and diagnostic records, osquery differential and snapshot logs, Sysmon JSON Lines, GitHub
audit stream). ``<bundle>-truth.json`` beside the bundle says what was planted and what only looks
suspicious, for tests and for the report's note. Same seed, same bytes.
"""

from __future__ import annotations

import bisect
import csv
import gzip
import ipaddress
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import zipcodes

from unmask.demo.names import FIRST, LAST, ORIGIN_WEIGHTS, STREET_TYPES, STREETS

SIZES = {"small": 300, "medium": 2000, "large": 20000}
WINDOW_END = datetime(2026, 10, 1, tzinfo=UTC)
WINDOW_DAYS = 21
DOMAIN = "example-corp.com"
OFFICE = {"line1": "100 Main St", "city": "Springfield", "region": "IL", "postal": "62701"}
DEPARTMENTS = ("Engineering", "Engineering", "Engineering", "Data", "Product", "Sales", "Finance", "HR",
               "Support", "IT", "Helpdesk")
# Residential ISPs: (ASN, organisation, domain, first octet of their space)
ISPS = ((7922, "Comcast Cable Communications", "comcast.net", 73), (701, "Verizon Business", "verizon.net", 71),
        (7018, "AT&T Services", "att.net", 99), (20115, "Charter Communications", "charter.com", 24),
        (22773, "Cox Communications", "cox.net", 68))
ASTRILL = (206092, "Astrill VPN", "astrill.com")
ASTRILL_NET = "45.137.8"  # rented datacenter space (in the shipped datacenter list), as Astrill exits are
PYONGYANG = ZoneInfo("Asia/Pyongyang")
RESUME_TEMPLATE = (
    "Senior full-stack engineer with 9 years building scalable web platforms in React, Node.js and "
    "Go. Led migration of a payments monolith to microservices on Kubernetes, cutting latency 40%. "
    "Delivered blockchain wallet integrations and real-time dashboards for fintech clients. "
    "Passionate about clean code, mentoring and remote collaboration across time zones.\n"
    "Experience: Lead Software Engineer at a global payments company, designing event-driven "
    "services in Go and TypeScript, owning CI/CD on GitHub Actions and Terraform, and mentoring six "
    "engineers. Full Stack Developer at a digital agency, shipping React and Next.js storefronts, "
    "GraphQL APIs and PostgreSQL schemas for retail and healthcare clients. Backend Developer at a "
    "startup, building REST services in Node.js with Redis caching and AWS Lambda functions.\n"
    "Skills: JavaScript, TypeScript, Go, Python, Solidity, React, Vue, Node.js, NestJS, Docker, "
    "Kubernetes, AWS, GCP, PostgreSQL, MongoDB, Redis, Kafka, GraphQL, Web3, smart contracts.\n"
    "Education: Bachelor of Science in Computer Science."
)


@dataclass
class Worker:
    id: str
    first: str
    last: str
    origin: str
    addr: dict[str, str]
    tz: str
    lat: float
    lon: float
    hire: date
    dept: str
    ssn: str
    dob: date
    account: str
    employment_type: str = "employee"
    vendor: str = ""
    ship_to: dict[str, str] | None = None  # None: ships home
    home_ip: str = ""
    isp: tuple[int, str, str, int] = ISPS[0]
    profile: str = "normal"  # normal, night_owl, asia, traveller, vpn
    tags: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def email(self) -> str:
        local = f"{self.first}.{self.last}".lower().replace(" ", "").replace("'", "")
        local = local.encode("ascii", "ignore").decode() or self.id.lower()
        return f"{local}.{self.id[1:]}@{DOMAIN}"

    @property
    def hostname(self) -> str:
        return f"lt-{self.id.lower()}"


@dataclass
class Truth:
    planted: dict[str, list[str]]
    benign: dict[str, list[str]]
    note: str

    def planted_ids(self) -> set[str]:
        return {i for ids in self.planted.values() for i in ids}

    def benign_ids(self) -> set[str]:
        return {i for ids in self.benign.values() for i in ids}


class Demo:
    def __init__(self, seed: int, size: str, workers: int | None = None, candidates: int | None = None) -> None:
        self.rng = random.Random(seed)
        self.n = workers or SIZES[size]
        # Applicants: by default 0.6 per worker; the scale benchmark asks for more.
        self.n_candidates = candidates
        self.workers: list[Worker] = []
        self.planted: dict[str, list[str]] = {}
        self.benign: dict[str, list[str]] = {}
        self.relations: list[tuple[str, str, str]] = []
        self.changes: list[dict[str, Any]] = []
        self.deposits: list[dict[str, Any]] = []
        self.ssns: set[str] = set()
        self.zips = self._zip_pool()

    # -- building blocks -------------------------------------------------------------------
    def _zip_pool(self) -> list[dict[str, Any]]:
        states = ("CA", "TX", "NY", "FL", "IL", "OH", "WA", "GA", "NC", "AZ", "CO", "MA", "PA", "MI", "MN",
                  "OR", "VA", "TN", "WI", "NJ")
        every: list[dict[str, Any]] = zipcodes.list_all()  # type: ignore[no-untyped-call]
        pool = [z for z in every if z["state"] in states and z["zip_code_type"] == "STANDARD"
                and z["active"] and z.get("lat") and z.get("timezone")]
        pool.sort(key=lambda z: z["zip_code"])
        return self.rng.sample(pool, 160)

    def name(self, origin: str | None = None) -> tuple[str, str, str]:
        if origin is None:
            origins, weights = zip(*ORIGIN_WEIGHTS, strict=True)
            origin = self.rng.choices(origins, weights)[0]
        return self.rng.choice(FIRST[origin]), self.rng.choice(LAST[origin]), origin

    def address(
        self, z: dict[str, Any] | None = None, unit: bool | None = None
    ) -> tuple[dict[str, str], dict[str, Any]]:
        z = z or self.rng.choice(self.zips)
        line2 = f"Apt {self.rng.randint(1, 30)}{self.rng.choice('ABCD')}" if (
            unit if unit is not None else self.rng.random() < 0.3) else ""
        a = {"line1": f"{self.rng.randint(10, 9899)} {self.rng.choice(STREETS)} {self.rng.choice(STREET_TYPES)}",
             "line2": line2, "city": z["city"], "region": z["state"], "postal": z["zip_code"]}
        return a, z

    def ip(self, first_octet: int) -> str:
        """A residential-looking address: never inside the shipped VPN or datacenter lists."""
        while True:
            ip = f"{first_octet}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}"
            if not _listed(ip):
                return ip

    def vpn_ip(self) -> str:
        """An exit of a commercial VPN from the shipped list."""
        net = ipaddress.ip_network(_vpn_nets()[0])
        return str(net.network_address + self.rng.randint(1, max(1, net.num_addresses - 2)))

    def ssn(self) -> str:
        # 9xx area numbers are never issued: realistic shape, never a real person's number.
        # Unique, as real ones are: only the planted stolen identity shares one.
        while True:
            v = f"9{self.rng.randint(0, 99):02d}-{self.rng.randint(10, 99)}-{self.rng.randint(1000, 9999)}"
            if v not in self.ssns:
                self.ssns.add(v)
                return v

    def account(self) -> str:
        return str(self.rng.randint(10**9, 10**11))

    def worker(self, origin: str | None = None, hire: date | None = None, z: dict[str, Any] | None = None,
               **kw: Any) -> Worker:
        first, last, origin = self.name(origin)
        addr, zz = self.address(z)
        isp = self.rng.choice(ISPS)
        w = Worker(
            id=f"E{1000 + len(self.workers)}", first=first, last=last, origin=origin, addr=addr, tz=zz["timezone"],
            lat=float(zz["lat"]), lon=float(zz["long"]),
            hire=hire or (WINDOW_END.date() - timedelta(days=self.rng.randint(60, 2600))),
            dept=self.rng.choice(DEPARTMENTS), ssn=self.ssn(),
            dob=date(self.rng.randint(1962, 2001), self.rng.randint(1, 12), self.rng.randint(1, 28)),
            account=self.account(), isp=isp, home_ip=self.ip(isp[3]),
        )
        for k, v in kw.items():
            setattr(w, k, v)
        self.workers.append(w)
        return w

    def mark(self, book: dict[str, list[str]], key: str, *ws: Worker) -> None:
        book.setdefault(key, []).extend(w.id for w in ws)
        for w in ws:
            w.tags.append(key)

    # -- the organisation ------------------------------------------------------------------
    def build(self) -> None:
        for _ in range(self.n):
            self.worker()
        self.plant()
        self.lookalikes()
        for w in self.workers:
            self.deposits.append(self.deposit(w, w.hire, w.account, w.name))

    def deposit(self, w: Worker, when: date, account: str, holder: str, method: str = "direct_deposit",
                platform: str = "", country: str = "US", institution: str = "") -> dict[str, Any]:
        return {"employee_id": w.id, "effective_date": when.isoformat(), "method": method,
                "institution_name": institution or self.rng.choice(("Chase", "Bank of America", "Wells Fargo",
                                                                     "US Bank", "Capital One", "PNC")),
                "routing_number": f"0{self.rng.randint(10**7, 10**8 - 1)}", "account_number": account,
                "account_holder_name": holder, "platform": platform, "country": country}

    def plant(self) -> None:
        recent = WINDOW_END.date() - timedelta(days=45)
        # 1. Laptop farm: four "remote engineers" across the US; laptops all go to one house.
        farm_zip = next(z for z in self.zips if z["state"] == "AZ") if any(
            z["state"] == "AZ" for z in self.zips) else self.zips[0]
        facilitator, _ = self.address(farm_zip, unit=False)
        farm_ip = self.ip(73)
        farm_account = self.account()
        farm = [self.worker(hire=recent + timedelta(days=i * 3), dept="Engineering", profile="asia",
                            ship_to=facilitator, home_ip=farm_ip) for i in range(4)]
        self.mark(self.planted, "laptop_farm", *farm)
        for i, w in enumerate(farm):
            if i < 3:  # three share the facilitator's account; the fourth is paid via Payoneer
                self.deposits.append(self.deposit(w, w.hire + timedelta(days=9), farm_account, "Dana R. Whitfield"))
            else:
                self.deposits.append(self.deposit(w, w.hire + timedelta(days=5), self.account(), w.name,
                                                  "platform", "Payoneer", "US", "Payoneer"))
        # 2. Solo worker behind an IP-KVM, laptop shipped to a second facilitator in another state.
        kvm_home = next(z for z in self.zips if z["state"] in ("NY", "MA", "NJ", "PA"))
        kvm_ship_zip = next(z for z in self.zips if z["state"] in ("TX", "FL", "GA"))
        kvm_ship, _ = self.address(kvm_ship_zip, unit=False)
        kvm = self.worker(hire=recent + timedelta(days=10), dept="Engineering", profile="asia", z=kvm_home,
                          ship_to=kvm_ship)
        kvm.home_ip = self.ip(24)
        self.mark(self.planted, "ipkvm_worker", kvm)
        # 3. Contractor placed by a sanctioned DPRK front company, paid by wire to China.
        front = self.worker(hire=recent - timedelta(days=30), dept="Engineering", employment_type="contractor",
                            vendor="Volasys Silver Star", profile="asia")
        self.deposits.append(self.deposit(front, front.hire + timedelta(days=2), self.account(),
                                          "Yanbian Silverstar Network Technology Co., Ltd.", "wire", "", "CN",
                                          "Bank of China"))
        self.mark(self.planted, "sanctioned_front_contractor", front)
        # 4. Stolen identity: a second "person" hired under an existing employee's name, DOB and SSN.
        victim = self.workers[7]
        thief = self.worker(hire=recent + timedelta(days=2), dept="Engineering", profile="asia")
        thief.first, thief.last, thief.origin = victim.first, victim.last, victim.origin
        thief.ssn, thief.dob = victim.ssn, victim.dob
        thief.ship_to, _ = self.address(next(z for z in self.zips if z["state"] != thief.addr["region"]), unit=False)
        self.mark(self.planted, "stolen_identity", thief)
        self.mark(self.planted, "stolen_identity_victim", victim)
        old = ""
        for d, acct in ((6, self.account()), (19, self.account())):
            self.deposits.append(self.deposit(thief, thief.hire + timedelta(days=d), acct, thief.name))
            # Clear account numbers, as an HRIS exports them: the reader tokenises them.
            self.changes.append({"employee_id": thief.id, "field": "account_number", "old_value": old,
                                 "new_value": acct, "changed_at": _ts(thief.hire + timedelta(days=d)),
                                 "changed_by": "self-service"})
            old = acct
        self.changes.append({"employee_id": thief.id, "field": "address_line1", "old_value": thief.addr["line1"],
                             "new_value": thief.ship_to["line1"], "changed_at": _ts(thief.hire + timedelta(days=4)),
                             "changed_by": "self-service"})
        # 5. Payroll diversion: a long-time employee's pay redirected twice, to a stranger's account.
        victim2 = self.worker(hire=WINDOW_END.date() - timedelta(days=24))
        old = ""
        for d, holder in ((8, "Marcus T. Bell"), (15, "Marcus T. Bell")):
            acct = self.account()
            self.deposits.append(self.deposit(victim2, victim2.hire + timedelta(days=d), acct, holder))
            self.changes.append({"employee_id": victim2.id, "field": "account_number", "old_value": old,
                                 "new_value": acct, "changed_at": _ts(victim2.hire + timedelta(days=d)),
                                 "changed_by": "self-service"})
            old = acct
        self.mark(self.planted, "payroll_diversion", victim2)

    def lookalikes(self) -> None:
        # Couple with one surname, one home and a joint account.
        a = self.worker(origin="anglo")
        b = self.worker(origin="anglo", z=next(z for z in self.zips if z["zip_code"] == a.addr["postal"]))
        b.last, b.addr, b.tz, b.lat, b.lon = a.last, dict(a.addr), a.tz, a.lat, a.lon
        b.home_ip, b.isp = a.home_ip, a.isp
        joint = self.account()
        for w in (a, b):
            w.account = joint
        holder = f"{a.first} & {b.first} {a.last}"
        a.tags.append("joint_holder:" + holder)
        b.tags.append("joint_holder:" + holder)
        self.mark(self.benign, "couple_same_surname", a, b)
        # Couple with different surnames, declared in unmask.toml, sharing home and account.
        c = self.worker(origin="hispanic")
        d = self.worker(origin="korean")
        d.addr, d.tz, d.lat, d.lon, d.home_ip, d.isp = dict(c.addr), c.tz, c.lat, c.lon, c.home_ip, c.isp
        d.account = c.account
        self.relations.append((c.id, d.id, "spouse"))
        c.tags.append(f"joint_holder:{c.name} and {d.name}")
        d.tags.append(f"joint_holder:{c.name} and {d.name}")
        self.mark(self.benign, "couple_declared", c, d)
        # Neighbours: two unrelated workers in one building, different flats.
        n1 = self.worker()
        n2 = self.worker()
        n1.addr["line2"], n2.addr["line2"] = "Apt 2A", "Apt 7C"
        n2.addr.update({k: n1.addr[k] for k in ("line1", "city", "region", "postal")})
        n2.tz, n2.lat, n2.lon = n1.tz, n1.lat, n1.lon
        self.mark(self.benign, "neighbours", n1, n2)
        # IT staff who run remote-support tools as part of the job.
        it = [self.worker(dept=dept) for dept in ("IT", "Helpdesk")]
        self.mark(self.benign, "it_remote_tools", *it)
        # A traveller, night owls and a privacy-VPN user.
        self.mark(self.benign, "traveller", self.worker(profile="traveller"))
        self.mark(self.benign, "night_owl", *(self.worker(profile="night_owl") for _ in range(2)))
        self.mark(self.benign, "privacy_vpn", self.worker(profile="vpn"))
        # Korean- and Chinese-American employees in Ohio with clean signals.
        ohio = [z for z in self.zips if z["state"] == "OH"] or self.zips
        self.mark(self.benign, "korean_american", self.worker(origin="korean", z=self.rng.choice(ohio)))
        self.mark(self.benign, "chinese_american", self.worker(origin="chinese", z=self.rng.choice(ohio)))
        # Relocation: laptop went to the old home, HR now has the new one.
        mover = self.worker()
        old_addr = dict(mover.addr)
        new_addr, nz = self.address(next(z for z in self.zips if z["state"] != old_addr["region"]))
        mover.addr, mover.tz, mover.lat, mover.lon = new_addr, nz["timezone"], float(nz["lat"]), float(nz["long"])
        mover.ship_to = old_addr
        for fld, key in (("address_line1", "line1"), ("city", "city"), ("region", "region"), ("postal_code", "postal")):
            self.changes.append({"employee_id": mover.id, "field": fld, "old_value": old_addr[key],
                                 "new_value": new_addr[key], "changed_at": _ts(mover.hire + timedelta(days=200)),
                                 "changed_by": "hr.admin"})
        self.mark(self.benign, "relocation", mover)
        # A laptop shipped to the office for pickup.
        self.mark(self.benign, "office_pickup", self.worker(ship_to=dict(OFFICE, line2="")))


@lru_cache(maxsize=1)
def _ranges() -> tuple[list[int], list[int]]:
    from unmask.normalise.network import NETLISTS

    spans = []
    for name in ("vpn-ipv4.txt", "datacenter-ipv4.txt"):
        for line in (NETLISTS / name).read_text().split():
            net = ipaddress.ip_network(line, strict=False)
            spans.append((int(net.network_address), int(net.broadcast_address)))
    spans.sort()
    return [a for a, _ in spans], [b for _, b in spans]


def _listed(ip: str) -> bool:
    starts, stops = _ranges()
    n = int(ipaddress.ip_address(ip))
    i = bisect.bisect_right(starts, n) - 1
    # Lists may nest: look back over the few ranges that start before n.
    return any(starts[j] <= n <= stops[j] for j in range(max(0, i - 8), i + 1))


@lru_cache(maxsize=1)
def _vpn_nets() -> list[str]:
    from unmask.normalise.network import NETLISTS

    return [x for x in (NETLISTS / "vpn-ipv4.txt").read_text().split() if x.endswith(("/24", "/23", "/22"))]


def _ts(d: date | datetime) -> str:
    if isinstance(d, datetime):
        return d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{d.isoformat()}T15:00:00Z"


def _csv(path: Path, header: list[str], rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def _jsonl(path: Path, rows: list[dict[str, Any]], gz: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = b"".join(orjson.dumps(r) + b"\n" for r in rows)
    if gz:
        path.write_bytes(gzip.compress(data, mtime=0))
    else:
        path.write_bytes(data)


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
