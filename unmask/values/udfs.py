"""Every Python scalar the pipeline registers with the engine, named once, with its types.

The SQL of the stages calls these by name (``unmask_phone(phone, country)``); an engine
registers them from this table (:func:`unmask.engine.register_udfs`), so the name, the
function and the types live in one place and a second engine (Spark) registers the same set.
Types are engine-neutral SQL names ('VARCHAR', 'DOUBLE', 'INTEGER', 'VARCHAR[]'); each engine
maps them to its own. Every function takes NULLs (None) and returns NULL for what it cannot
read: engines call it for NULL arguments too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from unmask.values.address import address_key
from unmask.values.contact import email_canonical, phone_e164, profile_handle
from unmask.values.country import country_code
from unmask.values.names import name_similarity, name_tokens
from unmask.values.ofac_scale import ofac_score
from unmask.values.screen_names import block_keys, name_score, prepare


@dataclass(frozen=True)
class Udf:
    name: str
    fn: Callable[..., Any]
    arg_types: tuple[str, ...]
    return_type: str
    doc: str


def _addr_building(l1: str | None, l2: str | None, c: str | None, r: str | None, p: str | None,
                   co: str | None) -> str | None:
    return address_key(l1, l2, c, r, p, co).building


def _addr_full(l1: str | None, l2: str | None, c: str | None, r: str | None, p: str | None,
               co: str | None) -> str | None:
    return address_key(l1, l2, c, r, p, co).full


def _addr_zip(l1: str | None, l2: str | None, c: str | None, r: str | None, p: str | None,
              co: str | None) -> str | None:
    return address_key(l1, l2, c, r, p, co).zip5


def _name_sim(a: str | None, b: str | None) -> float:
    return name_similarity(a, b)


def _name_key(name: str | None) -> str | None:
    return " ".join(sorted(name_tokens(name))) or None


def _surname(name: str | None) -> str | None:
    tokens = name_tokens(name)
    return tokens[-1] if tokens else None


def _screen_schema(schema: str | None) -> str:
    # 'Any' (an account holder: person or company) is prepared as a company: legal forms go,
    # and a person's name has none to lose.
    return "Person" if schema == "Person" else "Company"


def _screen_name_score(a: str | None, b: str | None, party_schema: str | None, list_schema: str | None) -> float:
    # A pair is read as two people when either side is one: an account holder (Any) against a
    # Person entry is a person's name, with the rules of people's names (a given name alone,
    # or a middle name standing in for another given name, does not identify).
    s = "Person" if "Person" in (party_schema, list_schema) else "Company"
    return name_score(prepare(a, s), prepare(b, s))


def _screen_keys(name: str | None, schema: str | None) -> list[str]:
    return block_keys(name, _screen_schema(schema))


def _ofac(a: str | None, b: str | None) -> int:
    return ofac_score(a or "", b or "")


_V = "VARCHAR"
_ADDRESS = (_V,) * 6  # line1, line2, city, region, postal code, country

UDFS: dict[str, Udf] = {u.name: u for u in (
    Udf("unmask_addr_building", _addr_building, _ADDRESS, _V, "building key: street and ZIP (or place), no unit"),
    Udf("unmask_addr_full", _addr_full, _ADDRESS, _V, "building key with the unit"),
    Udf("unmask_addr_zip", _addr_zip, _ADDRESS, _V, "US ZIP5 of an address"),
    Udf("unmask_name_sim", _name_sim, (_V, _V), "DOUBLE", "1.0 when the second names the person of the first"),
    # A person's name as sorted tokens ("Smith, Robert J." = "j robert smith"): equality only.
    Udf("unmask_name_key", _name_key, (_V,), _V, "a name's tokens, sorted"),
    Udf("unmask_surname", _surname, (_V,), _V, "a name's last token"),
    Udf("unmask_phone", phone_e164, (_V, _V), _V, "phone (and default country) to E.164"),
    Udf("unmask_email", email_canonical, (_V,), _V, "e-mail with provider rules applied"),
    Udf("unmask_handle", profile_handle, (_V,), _V, "GitHub or LinkedIn handle of a profile URL"),
    Udf("unmask_country", country_code, (_V,), _V, "country name or code to ISO alpha-2"),
    Udf("unmask_block_keys", _screen_keys, (_V, _V), "VARCHAR[]", "screening index keys of a name"),
    Udf("unmask_name_score", _screen_name_score, (_V, _V, _V, _V), "DOUBLE",
        "screening score of a party's name and a listed name, given both schemas"),
    Udf("unmask_ofac_score", _ofac, (_V, _V), "INTEGER", "the pair on OFAC's tool's 0-100 scale"),
)}
