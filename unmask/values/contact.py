"""Contact identifiers in one canonical form, so two ways of writing one phone or mailbox meet.

- Phones to E.164 with ``phonenumbers`` (the declared country is the default region).
- E-mails lower-cased, with provider rules: Gmail ignores dots and ``+tags``; googlemail.com
  is gmail.com.
- GitHub and LinkedIn handles from profile URLs.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

# A US number written the usual ways, "+1-636-529-2462", "(636) 529-2462", "636.529.2462": the
# area code and exchange start with 2-9 (NANP), so a leading 1 can only be the country code.
# phonenumbers gives the same E.164 for every number this matches (tests/test_values_written_every_way),
# at a twentieth of the cost; anything else is left to it.
_NANP = re.compile(r"(?:\+?1[ .-]?)?\(?([2-9][0-9]{2})\)?[ .-]?([2-9][0-9]{2})[ .-]?([0-9]{4})")


@lru_cache(maxsize=200_000)
def phone_e164(raw: str | None, country: str | None) -> str | None:
    if not raw or not raw.strip():
        return None
    if (country or "US").upper() == "US":
        m = _NANP.fullmatch(raw.strip())
        if m:
            return "+1" + "".join(m.groups())
    try:
        num = phonenumbers.parse(raw, (country or "US").upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(num):
        return None
    return str(phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164))


@lru_cache(maxsize=200_000)
def email_canonical(raw: str | None) -> str | None:
    if not raw or "@" not in raw:
        return None
    local, _, domain = raw.strip().lower().rpartition("@")
    if not local or not domain:
        return None
    if domain == "googlemail.com":
        domain = "gmail.com"
    if domain == "gmail.com":
        local = local.split("+", 1)[0].replace(".", "")
    elif domain in ("outlook.com", "hotmail.com", "live.com", "yahoo.com", "icloud.com", "proton.me", "protonmail.com"):
        local = local.split("+", 1)[0]
    return f"{local}@{domain}"


@lru_cache(maxsize=200_000)
def profile_handle(url: str | None) -> str | None:
    """github.com/<user> or linkedin.com/in/<user>, lower-cased; None for anything else."""
    if not url:
        return None
    m = re.search(r"(github\.com|linkedin\.com/in)/([\w.-]+)", url, re.IGNORECASE)
    return f"{m.group(1).lower()}/{m.group(2).lower().rstrip('.')}" if m else None
