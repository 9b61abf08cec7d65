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
    if country == "US":
        text = ", ".join(x for x in (line1, line2, city, region, postal) if x)
        try:
            tagged, _kind = usaddress.tag(text)
        except usaddress.RepeatedLabelError:
            tagged = {}
        if tagged.get("USPSBoxID"):
            return AddressKey(f"PO BOX {_clean(tagged['USPSBoxID'])}|{place}", None, zip5)
        street = " ".join(_word(w) for part in _STREET_PARTS for w in str(tagged.get(part, "")).split())
        if street:
            unit_raw = tagged.get("OccupancyIdentifier") or tagged.get("SubaddressIdentifier")
            unit = _clean(str(unit_raw)).lstrip("#").strip() if unit_raw else None
            if not zip5 and tagged.get("ZipCode"):
                zip5 = _zip5(str(tagged["ZipCode"]))
                place = zip5 or place
            return AddressKey(f"{street}|{place}", unit or None, zip5)
    # Outside the US (or untaggable): cleaned first line is the building, second the unit.
    unit2 = _clean(line2).replace("APT", "").replace("UNIT", "").replace("#", "").strip() or None
    return AddressKey(f"{_clean(line1)}|{place}", unit2, zip5)


def parse_one_line(text: str) -> AddressKey:
    """An address written on one line, as in ``[org].offices``: "100 Main St, Springfield, IL 62701, US"."""
    parts = [p.strip() for p in text.split(",")]
    last = country_code(parts[-1]) if len(parts) > 1 else None
    country = last or "US"
    body = ", ".join(parts[:-1]) if last else text
    m = re.search(r"(\d{5})(?:-\d{4})?\s*$", body)
    return address_key(body, None, None, None, m.group(1) if m else None, country)
