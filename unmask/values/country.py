"""Country names and codes to ISO 3166 alpha-2."""

from __future__ import annotations

import re
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
    "n korea": "KP", "s korea": "KR", "uae": "AE", "virgin islands, u s": "VI", "u s virgin islands": "VI",
    # How HR systems, carriers and people write the common ones (the dots are already gone).
    "usa": "US", "us": "US", "united states": "US", "united states of america": "US", "america": "US",
    "u s": "US", "u s a": "US", "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northern ireland": "GB", "holland": "NL", "the netherlands": "NL", "deutschland": "DE",
    "espana": "ES", "españa": "ES", "brasil": "BR", "méxico": "MX", "turkiye": "TR", "türkiye": "TR",
    # Former and everyday names ISO 3166 no longer carries, and names in the country's language.
    "swaziland": "SZ", "ivory coast": "CI", "cape verde": "CV", "macedonia": "MK", "bosnia": "BA",
    "trinidad": "TT", "mainland china": "CN", "prc": "CN", "people's republic of china": "CN", "lao pdr": "LA",
    "estados unidos": "US", "eeuu": "US", "polska": "PL", "italia": "IT", "österreich": "AT", "schweiz": "CH",
    "suisse": "CH", "nederland": "NL", "sverige": "SE", "norge": "NO", "danmark": "DK", "suomi": "FI",
    "hrvatska": "HR", "россия": "RU", "대한민국": "KR", "한국": "KR", "中国": "CN", "日本": "JP", "台灣": "TW",
    "hong kong sar": "HK", "macau sar": "MO", "macao sar": "MO", "east timor": "TL", "zaire": "CD",
}
# How a name is dressed without changing the country: "The Philippines", "Netherlands, The",
# "Republic of Ireland", "St. Lucia". Stripped one at a time, each result looked up again.
_DRESSING = (
    (re.compile(r"^the\s+", re.I), ""), (re.compile(r",\s*the$", re.I), ""),
    (re.compile(r"^republic of\s+(?!the\b|korea\b|china\b)", re.I), ""), (re.compile(r"^st\s+", re.I), "saint "),
    (re.compile(r"\s+sar$", re.I), ""),
)
# Names that stand for more than one country: no guess. "Korea" must never become North Korea.
_AMBIGUOUS = frozenset({"korea", "congo", "virgin islands"})
# Two-letter codes in use that ISO 3166 reserves for another meaning (UK for GB, EL for GR).
_EXCEPTIONAL = {"UK": "GB", "EL": "GR"}


@lru_cache(maxsize=4096)
def country_code(name: str | None) -> str | None:
    """'United States' / 'US' / 'Korea, Republic of' -> ISO alpha-2, else None."""
    if not name or not name.strip():
        return None
    # "U.S.", "U.S.A." and "u s" are how people write "US" and "USA": dots and extra spaces go.
    text = re.sub(r"\s+", " ", name.replace(".", " ")).strip()
    if not text:
        return None
    compact = text.replace(" ", "")
    if len(compact) == 2 and compact.isalpha():
        code = _EXCEPTIONAL.get(compact.upper(), compact.upper())
        # An unknown pair ("XX", "ZZ") is no country, not a country of its own.
        return code if pycountry.countries.get(alpha_2=code) or code == "XK" else None
    if text.casefold() in _AMBIGUOUS:
        return None
    forms = [text] + [f for f in (pattern.sub(repl, text).strip() for pattern, repl in _DRESSING) if f != text]
    for form in forms:
        if form.casefold() in _AMBIGUOUS:
            return None
        alias = _COUNTRY_ALIASES.get(form.casefold()) or _COUNTRY_ALIASES.get(form.replace(" ", "").casefold())
        if alias:
            return alias
        try:
            return str(pycountry.countries.lookup(form).alpha_2)
        except LookupError:
            pass
    # Fuzzy search only when its answer names what was written: unchecked, it reads "U.S." as
    # the U.S. Virgin Islands and "America" as American Samoa.
    try:
        hits = pycountry.countries.search_fuzzy(text)
    except LookupError:
        return None
    want = text.casefold()
    for c in hits[:1]:
        names = [getattr(c, a, "") for a in ("name", "official_name", "common_name")]
        if any(n and (n.casefold() == want or n.casefold().startswith(want + ",")) for n in names):
            return str(c.alpha_2)
    return None
