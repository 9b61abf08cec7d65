"""Spelling and layout variants, in two disjoint families.

Family A is for development; family B is held out. Every planted subject is written with one
family, so a signal tuned to the spellings of A shows it when the B figures fall behind. The two
families share no spelling of a country, a phone, a street suffix or an address layout.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

FAMILIES = ("A", "B")

# Ways other systems write the United States; A and B are disjoint on purpose.
COUNTRY = {"A": ("US", "USA", "United States"), "B": ("U.S.", "us", "United States of America")}
SUFFIX = {
    "A": {"St": "Street", "Ave": "Avenue", "Rd": "Road", "Dr": "Drive", "Ln": "Lane", "Blvd": "Boulevard"},
    "B": {"St": "ST.", "Ave": "AVE.", "Rd": "RD.", "Dr": "DR.", "Ln": "LN.", "Blvd": "BLVD."},
}
DIRECTION = {"A": {"N": "North", "S": "South", "E": "East", "W": "West"},
             "B": {"N": "N.", "S": "S.", "E": "E.", "W": "W."}}


@dataclass(frozen=True)
class Address:
    number: int
    direction: str  # "", "N", "S", "E", "W"
    street: str
    suffix: str  # canonical abbreviation: St, Ave, ...
    unit: str  # "" or e.g. "Apt 4B" / "PMB 212" / "Suite 300"
    city: str
    region: str
    postal: str
    zip4: str
    tz: int  # UTC offset in hours (standard time is enough for a fictional autumn)


def phone_digits(rng: random.Random) -> str:
    return f"{rng.randint(201, 989)}{rng.randint(201, 989)}{rng.randint(0, 9999):04d}"


def render_phone(d: str, style: str) -> str:
    """The same ten digits as different systems print them."""
    a, b, c = d[:3], d[3:6], d[6:]
    return {
        "A0": d, "A1": f"({a}) {b}-{c}", "A2": f"{a}-{b}-{c}",
        "B0": f"+1 {a}.{b}.{c}", "B1": f"1-{a}-{b}-{c}", "B2": f"+1{d}",
    }[style]


def phone(d: str, fam: str, rng: random.Random) -> str:
    return render_phone(d, f"{fam}{rng.randint(0, 2)}")


def country(fam: str, rng: random.Random, canonical: bool = False) -> str:
    return "US" if canonical else rng.choice(COUNTRY[fam])


def address_fields(a: Address, fam: str, rng: random.Random, canonical: bool = False) -> dict[str, str]:
    """An address as one system writes it: line1/line2, postal code and country."""
    if canonical:
        line1 = " ".join(x for x in (str(a.number), a.direction, a.street, a.suffix) if x)
        return {"address_line1": line1, "address_line2": a.unit, "city": a.city, "region": a.region,
                "postal_code": a.postal, "country": "US"}
    suffix = SUFFIX[fam][a.suffix] if rng.random() < 0.6 else a.suffix
    direction = (DIRECTION[fam][a.direction] if a.direction and rng.random() < 0.6 else a.direction)
    line1 = " ".join(x for x in (str(a.number), direction, a.street, suffix) if x)
    unit = a.unit
    if fam == "B":
        line1 = line1.upper() if rng.random() < 0.4 else line1
        unit = unit.replace("Apt ", "#").replace("Suite ", "STE ") if unit else unit
    line2 = unit
    if unit and fam == "B" and rng.random() < 0.6:
        # Layout B: the unit folded into line 1, as many shipping systems write it.
        line1, line2 = f"{line1} {unit}", ""
    postal = f"{a.postal}-{a.zip4}" if fam == "B" and rng.random() < 0.7 else a.postal
    city = a.city.upper() if fam == "B" and rng.random() < 0.3 else a.city
    return {"address_line1": line1, "address_line2": line2, "city": city, "region": a.region,
            "postal_code": postal, "country": country(fam, rng)}


def personal_email(first: str, last: str, fam: str, rng: random.Random, base: str | None = None) -> str:
    """A personal e-mail; family B varies case and Gmail dots (the same mailbox for Gmail)."""
    local = base or f"{first}.{last}{rng.randint(1, 99)}".lower()
    if fam == "A":
        return f"{local}@gmail.com"
    plain = local.replace(".", "")
    dotted = ".".join(plain[i:i + 3] for i in range(0, len(plain), 3))
    return rng.choice([f"{dotted}@gmail.com", f"{local.upper()}@Gmail.com", f"{plain.capitalize()}@GMAIL.COM"])


def full_name(first: str, last: str, fam: str, rng: random.Random, middle: str = "") -> str:
    """A legal name; family B writes "LAST, First M." layouts an ATS export may use."""
    if fam == "A":
        return f"{first} {middle + ' ' if middle else ''}{last}"
    if rng.random() < 0.5:
        return f"{last.upper()}, {first}{' ' + middle[0] + '.' if middle else ''}"
    return f"{first} {middle[0] + '. ' if middle else ''}{last}"
