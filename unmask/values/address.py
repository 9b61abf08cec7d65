"""Postal addresses to comparison keys.

US addresses are tagged with ``usaddress`` and rebuilt in USPS style, so "100 N. Main Street
Suite 200" and "100 N Main St Ste 200" meet. The *building* key (number, street, ZIP) is kept
apart from the *unit*, so two flats in one building are neighbours, not "one address".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import usaddress

from unmask.values.country import country_code

# USPS Publication 28 street suffixes and directionals most seen in HR exports.
_SUFFIX = {
    "STREET": "ST", "STR": "ST", "AVENUE": "AVE", "AV": "AVE", "AVN": "AVE", "ROAD": "RD",
    "BOULEVARD": "BLVD", "DRIVE": "DR", "DRV": "DR", "LANE": "LN", "COURT": "CT", "PLACE": "PL",
    "TERRACE": "TER", "PARKWAY": "PKWY", "PKY": "PKWY", "HIGHWAY": "HWY", "CIRCLE": "CIR",
    "SQUARE": "SQ", "TRAIL": "TRL", "WAY": "WAY", "ALLEY": "ALY", "CRESCENT": "CRES",
    "EXPRESSWAY": "EXPY", "FREEWAY": "FWY", "LOOP": "LOOP", "PIKE": "PIKE", "PLAZA": "PLZ",
    "POINT": "PT", "RIDGE": "RDG", "ROUTE": "RTE", "RUN": "RUN", "TURNPIKE": "TPKE",
    "CENTER": "CTR", "CROSSING": "XING", "HEIGHTS": "HTS", "HILL": "HL", "MOUNT": "MT",
}
_DIRECTION = {
    "NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W", "NORTHEAST": "NE", "NORTHWEST": "NW",
    "SOUTHEAST": "SE", "SOUTHWEST": "SW",
}
_SUFFIXES = frozenset(_SUFFIX) | frozenset(_SUFFIX.values())
_DIRECTIONS = frozenset(_DIRECTION) | frozenset(_DIRECTION.values())
# Street types after which usaddress often reads the words before as a landmark or building
# name ("Kenyon Center", "Dickson Plaza"), so its key drops them: those stay with usaddress.
_LANDMARK_TYPES = frozenset({"CENTER", "CTR", "PLAZA", "PLZ", "EXPRESSWAY", "EXPY", "MOUNT", "MT", "RIDGE", "RDG"})
_PLAIN_STREET = re.compile(r"([1-9][0-9]{0,5}) ([A-Za-z]+(?: [A-Za-z]+){1,2})")
_STREET_PARTS = (
    "AddressNumber", "StreetNamePreDirectional", "StreetNamePreModifier", "StreetNamePreType",
    "StreetName", "StreetNamePostType", "StreetNamePostDirectional",
)


@dataclass(frozen=True)
class AddressKey:
    building: str | None  # street address + ZIP5 (or city/region), no unit
    unit: str | None
    zip5: str | None

    @property
    def full(self) -> str | None:
        if not self.building:
            return None
        return self.building + (f" #{self.unit}" if self.unit else "")


def _clean(s: str | None) -> str:
    if not s:
        return ""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", re.sub(r"[^\w#\- ]", " ", s.upper())).strip()


def _word(w: str) -> str:
    w = w.strip(".").upper()
    return _DIRECTION.get(w) or _SUFFIX.get(w) or w


def _zip5(postal: str | None) -> str | None:
    m = re.match(r"\s*(\d{5})(?:-?\d{4})?\s*$", postal or "")
    return m.group(1) if m else None


def usaddress_key(
    line1: str, line2: str | None, city: str | None, region: str | None, postal: str | None, zip5: str | None,
    place: str,
) -> AddressKey | None:
    """The key of a US address as usaddress tags it; None when it finds no street.

    With a ZIP code known, usaddress reads the street lines alone: given the city too, it
    takes a city's first word for the street's directional ("4059 Main Way, East Saint Louis"
    became "4059 MAIN WAY E"), so one home had two keys as the city was spelled."""
    text = ", ".join(x for x in ((line1, line2) if zip5 else (line1, line2, city, region, postal)) if x)
    try:
        tagged, _kind = usaddress.tag(text)
    except usaddress.RepeatedLabelError:
        tagged = {}
    if tagged.get("USPSBoxID"):
        return AddressKey(f"PO BOX {_clean(tagged['USPSBoxID'])}|{place}", None, zip5)
    street = " ".join(_word(w) for part in _STREET_PARTS for w in str(tagged.get(part, "")).split())
    if not street:
        return None
    unit_raw = tagged.get("OccupancyIdentifier") or tagged.get("SubaddressIdentifier")
    unit = _clean(str(unit_raw)).lstrip("#").strip() if unit_raw else None
    if not zip5 and tagged.get("ZipCode"):
        zip5 = _zip5(str(tagged["ZipCode"]))
        place = zip5 or place
    return AddressKey(f"{street}|{place}", unit or None, zip5)


def _plain_street(line1: str) -> str | None:
    """The street key of a first line in the plainest US form, "8473 Highland Dr": a number, one
    or two name words and a street type, nothing else. usaddress tags such a line as number,
    name and type (checked on 214k such lines: FEBRL's street names under every type, three
    spellings each, and the demo's, bench/address_fast.py), so the key is built without it,
    about 15 times faster. Anything else (a directional, a unit, a short or type-like word
    inside the name, a landmark-like type) is left to usaddress."""
    m = _PLAIN_STREET.fullmatch(line1.strip())
    if not m:
        return None
    words = m.group(2).upper().split()
    if words[-1] not in _SUFFIXES or words[-1] in _LANDMARK_TYPES:
        return None
    if any(w in _SUFFIXES or w in _DIRECTIONS or len(w) < 3 for w in words[:-1]):
        return None
    return " ".join((m.group(1), *(_word(w) for w in words)))


@lru_cache(maxsize=200_000)
def address_key(
    line1: str | None,
    line2: str | None,
    city: str | None,
    region: str | None,
    postal: str | None,
    country: str | None,
) -> AddressKey:
    if not (line1 or "").strip():
        return AddressKey(None, None, _zip5(postal))
    # "USA", "United States", "us": one country however the export writes it (a carrier's USA
    # against the HRIS's US must not make two addresses of one).
    country = country_code(country) or (country or "US").strip().upper()
    zip5 = _zip5(postal) if country == "US" else None
    place = zip5 or "|".join(x for x in (_clean(city), _clean(region), _clean(postal), country) if x)
    if country == "US" and zip5 and not (line2 or "").strip():
        street = _plain_street(line1 or "")
        if street:
            return AddressKey(f"{street}|{zip5}", None, zip5)
    if country == "US":
        tagged_key = usaddress_key(line1 or "", line2, city, region, postal, zip5, place)
        if tagged_key:
            return tagged_key
    # Outside the US (or untaggable): cleaned first line is the building, second the unit.
    unit2 = _clean(line2).replace("APT", "").replace("UNIT", "").replace("#", "").strip() or None
    return AddressKey(f"{_clean(line1)}|{place}", unit2, zip5)


def address_keys(l1: str | None, l2: str | None, c: str | None, r: str | None, p: str | None,
                 co: str | None) -> tuple[str | None, str | None, str | None]:
    """(building, full key, ZIP5) at once: the three address scalars' answers, which the
    normalise stage computes together in worker processes (:func:`unmask.normalise.memo.compute`)."""
    k = address_key(l1, l2, c, r, p, co)
    return k.building, k.full, k.zip5


def parse_one_line(text: str) -> AddressKey:
    """An address written on one line, as in ``[org].offices``: "100 Main St, Springfield, IL 62701, US"."""
    parts = [p.strip() for p in text.split(",")]
    last = country_code(parts[-1]) if len(parts) > 1 else None
    country = last or "US"
    body = ", ".join(parts[:-1]) if last else text
    m = re.search(r"(\d{5})(?:-\d{4})?\s*$", body)
    return address_key(body, None, None, None, m.group(1) if m else None, country)
