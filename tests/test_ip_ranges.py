"""The SQL range lookup agrees with a plain Python check of every listed network."""

from __future__ import annotations

import bisect
import ipaddress
import random
from pathlib import Path

from unmask.config import Config
from unmask.engine import open_engine
from unmask.normalise.network import NETLISTS, classify_ips, load_ip_ranges
from unmask.values.country import country_code


def _nets(name: str) -> list[ipaddress.IPv4Network]:
    return [ipaddress.IPv4Network(x) for x in (NETLISTS / name).read_text().split()]


def test_asof_lookup_matches_brute_force(tmp_path: Path) -> None:
    rng = random.Random(5)
    vpn, dc = _nets("vpn-ipv4.txt"), _nets("datacenter-ipv4.txt")
    corporate = ["203.0.113.0/24", "203.0.113.128/25", "45.137.8.0/24"]  # nested and overlapping a list
    # Half the sample inside listed networks, half anywhere.
    ips = [str(n.network_address + rng.randrange(n.num_addresses)) for n in rng.sample(vpn + dc, 1500)]
    ips += [f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}"
            for _ in range(1500)]
    ips += ["203.0.113.200", "45.137.8.9", "45.137.9.9", "not-an-ip", "2001:db8::1"]
    eng = open_engine(None)
    load_ip_ranges(eng, Config(corporate_cidrs=corporate), tmp_path)
    eng.execute("CREATE TABLE src(ip VARCHAR)")
    eng.execute("INSERT INTO src SELECT unnest($ips)", {"ips": ips})
    classify_ips(eng, "src", "cls")
    got = dict(eng.query("SELECT ip, kind FROM cls"))
    corp = [ipaddress.IPv4Network(c) for c in corporate]

    def inside(a: ipaddress.IPv4Address, nets: list[ipaddress.IPv4Network]) -> bool:
        # The upstream lists are disjoint: the only candidate is the last network starting at or before a.
        starts = index[id(nets)]
        i = bisect.bisect_right(starts, int(a)) - 1
        return i >= 0 and a in nets[i]

    vpn.sort(key=lambda n: int(n.network_address))
    dc.sort(key=lambda n: int(n.network_address))
    index = {id(x): [int(n.network_address) for n in x] for x in (vpn, dc)}
    for ip in ips:
        try:
            a = ipaddress.IPv4Address(ip)
        except ValueError:
            assert ip not in got
            continue
        want = ("corporate" if any(a in n for n in corp) else "vpn" if inside(a, vpn)
                else "hosting" if inside(a, dc) else None)
        assert got.get(ip) == want, ip


def test_country_names_and_codes() -> None:
    assert country_code("United States") == "US"
    assert country_code("us") == "US"
    assert country_code("Korea, Republic of") == "KR"
    assert country_code("") is None and country_code("Atlantis") is None


def test_a_changed_range_list_is_read_again(tmp_path: Path) -> None:
    # The parsed lists are kept for the process: a file changed since (a new time and size) is
    # parsed anew, and the caller's list is its own to change.
    from unmask.normalise.network import _cidr_rows

    path = tmp_path / "vpn.txt"
    path.write_text("198.51.100.0/24\n", encoding="utf-8")
    first = _cidr_rows(path, "vpn")
    assert [r[3] for r in first] == ["198.51.100.0/24"]
    first.clear()
    assert len(_cidr_rows(path, "vpn")) == 1
    path.write_text("198.51.100.0/24\n# a comment\n203.0.113.0/25\n", encoding="utf-8")
    assert [r[3] for r in _cidr_rows(path, "vpn")] == ["198.51.100.0/24", "203.0.113.0/25"]
