"""Country names and codes to ISO 3166 alpha-2."""

from __future__ import annotations

from functools import lru_cache

import pycountry

# Names the sanctions lists use that ISO 3166 does not (OFAC "Korea, North", UN "Democratic
# People's Republic of Korea"); fuzzy search gets some of them wrong (North -> South Korea).
_COUNTRY_ALIASES = {
    "korea, north": "KP", "north korea": "KP", "democratic people's republic of korea": "KP", "dprk": "KP",
    "korea, south": "KR", "south korea": "KR", "republic of korea": "KR", "russia": "RU", "iran": "IR",
    "syria": "SY", "burma": "MM", "vietnam": "VN", "laos": "LA", "turkey": "TR", "kosovo": "XK",
    "west bank": "PS", "gaza": "PS", "palestinian": "PS", "congo, democratic republic of the": "CD",
    "cote d ivoire": "CI", "czech republic": "CZ", "macau": "MO", "taiwan": "TW", "bolivia": "BO",
    "venezuela": "VE", "tanzania": "TZ", "moldova": "MD", "united kingdom": "GB", "soviet union": "RU",
}


@lru_cache(maxsize=4096)
def country_code(name: str | None) -> str | None:
    """'United States' / 'US' / 'Korea, Republic of' -> ISO alpha-2, else None."""
    if not name or not name.strip():
        return None
    text = name.strip()
    if len(text) == 2 and text.isalpha():
        return text.upper()
    alias = _COUNTRY_ALIASES.get(text.casefold())
    if alias:
        return alias
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        try:
            return str(pycountry.countries.search_fuzzy(text)[0].alpha_2)
        except LookupError:
            return None
