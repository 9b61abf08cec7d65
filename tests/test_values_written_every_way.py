"""Coded values as exports write them: one country, one address, however each system spells it.

The class of mistake: a carrier writes ``USA``, the HRIS ``US``, a form ``United States``; a
signal that compares the raw text sees two countries (or two addresses) and accuses a worker
of shipping abroad. Each value is normalised once, while it is read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import bundle, emp, findings, run, ship, signals_of
from unmask.values.address import address_key, parse_one_line
from unmask.values.country import country_code

US_SPELLINGS = ["US", "us", "USA", "U.S.", "U.S.A.", "United States", "united states of america", "America", " usa "]


@pytest.mark.parametrize("text", US_SPELLINGS)
def test_every_spelling_of_the_united_states_is_us(text: str) -> None:
    assert country_code(text) == "US"


@pytest.mark.parametrize(("text", "code"), [
    ("UK", "GB"), ("Great Britain", "GB"), ("Deutschland", "DE"), ("Viet Nam", "VN"), ("CAN", "CA"),
    ("Korea, Republic of", "KR"), ("South Korea", "KR"), ("Korea, North", "KP"), ("DPRK", "KP"),
    ("Virgin Islands, U.S.", "VI"), ("Russian Federation", "RU"),
    # Dressed names and former or local ones, as HR systems and carriers write them.
    ("Republic of Ireland", "IE"), ("The Philippines", "PH"), ("Netherlands, The", "NL"), ("St. Lucia", "LC"),
    ("Hong Kong SAR", "HK"), ("Swaziland", "SZ"), ("Ivory Coast", "CI"), ("Polska", "PL"), ("대한민국", "KR"),
    ("Estados Unidos", "US"), ("Republic of Korea", "KR"), ("Republic of the Congo", "CG"),
])
def test_other_countries_by_name_or_code(text: str, code: str) -> None:
    assert country_code(text) == code


@pytest.mark.parametrize("text", ["Korea", "Congo", "The Congo", "Republic of China", "XX", "zz", "Atlantis", "", "  ",
                                  None])
def test_ambiguous_or_unknown_is_no_country_never_a_guess(text: str | None) -> None:
    # "Korea" alone must never become North Korea, and an unknown pair is no country.
    assert country_code(text) is None


def test_one_address_however_the_country_is_written() -> None:
    keys = {address_key("12 North Main Street", "Apt 4B", "Springfield", "Illinois", "62701-1234", c)
            for c in US_SPELLINGS}
    assert keys == {address_key("12 N Main St", "#4B", "Springfield", "IL", "62701", "US")}
    assert parse_one_line("100 Main St, Springfield, IL 62701, USA") == parse_one_line(
        "100 Main St, Springfield, IL 62701, US")


def test_neighbours_stay_apart_whatever_the_spelling() -> None:
    a = address_key("12 N Main St", "Apt 4B", "Springfield", "IL", "62701", "USA")
    b = address_key("12 North Main Street", "Apt 5", "Springfield", "IL", "62701", "US")
    assert a.building == b.building and a.full != b.full


@pytest.mark.parametrize("carrier_country", ["USA", "United States", "U.S."])
def test_carrier_spelling_is_not_a_shipment_abroad(tmp_path: Path, carrier_country: str) -> None:
    emps = [emp("E1", "Ann Lee", postal="43215", country="US")]
    ships = [ship("S1", "E1", "1 Oak Street", "43215-0001", "Columbus", "Ohio", country=carrier_country)]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, ships), out)
    assert findings(out) == {}


def test_a_real_shipment_abroad_still_fires(tmp_path: Path) -> None:
    # The positive twin of the test above: the same worker, a laptop sent far away, spelled the
    # carrier's way. The normalisation must not hide real distance.
    emps = [emp("E1", "Ann Lee", postal="10001", city="New York", region="NY", country="United States")]
    ships = [ship("S1", "E1", "55 Cactus Dr", "85212", "Mesa", "AZ", country="USA")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, ships), out)
    assert "ship_to_far_from_home" in signals_of(out, "E1")


def test_work_countries_in_the_config_read_names_too(tmp_path: Path) -> None:
    from unmask.config import load_config

    (tmp_path / "unmask.toml").write_text('[org]\nwork_countries = ["USA", "Canada", "UK"]\n')
    assert load_config(tmp_path, {}, ()).work_countries == ["US", "CA", "GB"]


PHONE_FORMS = ("+1-{a}-{b}-{c}", "({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}", "+1 {a} {b} {c}", "1-{a}-{b}-{c}",
               "{a}{b}{c}", "+1{a}{b}{c}", "1 ({a}) {b}-{c}", "+1 ({a}) {b}-{c}", "{a} {b} {c}", "1{a}{b}{c}",
               "({a} {b}-{c}", "{a}) {b}-{c}", "+1({a}){b}-{c}", "1.{a}.{b}.{c}", "1({a}){b}{c}")


def test_a_us_phone_without_phonenumbers_is_what_phonenumbers_makes_of_it() -> None:
    """The NANP fast path of values/contact.py against phonenumbers itself, on random numbers
    (area codes and exchanges from 000 to 999, so the ones it must leave alone come up too) in
    every usual spelling: where the fast path answers, phonenumbers answers the same."""
    import random

    import phonenumbers

    from unmask.values import contact

    rnd = random.Random(5)
    taken = 0
    for _ in range(30_000):
        raw = rnd.choice(PHONE_FORMS).format(a=f"{rnd.randint(0, 999):03d}", b=f"{rnd.randint(0, 999):03d}",
                                             c=f"{rnd.randint(0, 9999):04d}")
        m = contact._NANP.fullmatch(raw)
        if not m:
            continue
        taken += 1
        num = phonenumbers.parse(raw, "US")
        assert phonenumbers.is_possible_number(num), raw
        assert contact.phone_e164(raw, "US") == phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    assert taken > 15_000


@pytest.mark.parametrize(("raw", "country", "e164"), [
    ("+1-636-529-2462", "US", "+16365292462"), ("(636) 529-2462", None, "+16365292462"),
    ("1-152-327-2391", "US", None),  # an area code from 1: not a US number, phonenumbers decides
    ("+44 20 7946 0958", "US", "+442079460958"), ("020 7946 0958", "GB", "+442079460958"),
    ("636-529-2462 x12", "US", "+16365292462"),
])
def test_phones_the_fast_path_leaves_to_phonenumbers(raw: str, country: str | None, e164: str | None) -> None:
    from unmask.values.contact import phone_e164

    assert phone_e164(raw, country) == e164
