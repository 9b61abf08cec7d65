"""The plain-street fast path of unmask/values/address.py gives usaddress's key, on street lines
its author did not write (FEBRL's real street names, and random lines built from them under every
street type and directional); what it refuses goes to usaddress; and the city no longer bleeds
into the street key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.address_fast import check, febrl_lines, febrl_streets, random_lines
from unmask.values.address import _plain_street, address_key

FEBRL = Path(__file__).parent / "data" / "febrl" / "dataset3.csv"


def test_the_fast_path_gives_usaddress_key_on_febrl_streets() -> None:
    streets = febrl_streets([FEBRL])
    taken, differ, first, _f, _s = check(febrl_lines(streets, seed=1))
    assert taken > 5_000  # FEBRL lines of the form "number name type", three spellings each
    assert differ == 0, first


def test_the_fast_path_gives_usaddress_key_on_random_streets_types_and_directionals() -> None:
    streets = febrl_streets([FEBRL])
    taken, differ, first, _f, _s = check(random_lines(streets, 20_000, seed=2))
    assert taken > 5_000
    assert differ == 0, first


@pytest.mark.parametrize("line", [
    "100 N Main St", "100 Main St NW", "12 Kenyon Center", "7 St Francis Rdg", "9 Oak Ci Trail",
    "12 Broadway", "40 Highway 50", "1 Main St Apt 2", "PO Box 12", "12B Elm St", "100 Oak Hill Park Dr",
])
def test_what_the_fast_path_refuses_goes_to_usaddress(line: str) -> None:
    assert _plain_street(line) is None


def test_the_fast_path_takes_plain_lines() -> None:
    assert _plain_street("8473 Highland Dr") == "8473 HIGHLAND DR"
    assert _plain_street("  12 oak grove street ") == "12 OAK GROVE ST"


def test_a_city_does_not_bleed_into_the_street() -> None:
    # Given the city, usaddress read "East" of "East Saint Louis" as the street's directional:
    # the same home then had one key without a unit and another with one.
    plain = address_key("4059 Main Way", None, "East Saint Louis", "IL", "62203", "US")
    with_unit = address_key("4059 Main Way", "Apt 2", "East Saint Louis", "IL", "62203", "US")
    short_city = address_key("4059 Main Way", "Apt 2", "E St Louis", "IL", "62203", "US")
    assert plain.building == with_unit.building == short_city.building == "4059 MAIN WAY|62203"
    assert with_unit.unit == "2" and with_unit.full == "4059 MAIN WAY|62203 #2"
    # Without a ZIP the city is still read, and still part of the place.
    no_zip = address_key("4059 Main Way", None, "Belleville", "IL", None, "US")
    assert no_zip.building == "4059 MAIN WAY|BELLEVILLE|IL|US"
