"""The keyed MAC of a sensitive value (national ID, account number), in Python.

A token is HMAC-SHA256(key, normalised value), cut to 128 bits and prefixed. These are the
Python twins of the SQL in :mod:`unmask.sensitive` (which tokenises inside the statement that
reads a file); both must give the same token for any input. The key itself is handled in
:mod:`unmask.sensitive`.
"""

from __future__ import annotations

import hashlib
import hmac

TOKEN_PREFIX = "tk_"
TOKEN_HEX = 32  # 128 bits of the MAC: collision-free at any organisation's scale

# One-deletion variants: two values of one length, one substitution or one adjacent swap apart,
# share a variant (sensitive.sql_near says where), so a typo in a national ID is still a near
# match. The domain prefix keeps a variant's token from ever equalling the token of a whole
# (shorter) value. Short values are left out: their variants would join unrelated people. A
# variant is 64 bits of the keyed MAC, as an integer: only ever compared with other variants,
# and integers compare far faster than text when the linkage model compares millions of pairs.
VARIANT_DOMAIN = "del:"
MIN_VARIANT_LEN = 6
MAX_VARIANTS = 18  # a Chinese resident ID is 18 characters; a typo past this is not seen


def normalise_sensitive(value: str | None) -> str | None:
    """Keep letters and digits, upper-cased: '123-45-6789' and '123 45 6789' are one value."""
    if value is None:
        return None
    # ASCII letters and digits only: the SQL twin uses the same class, so both agree on any input.
    out = "".join(ch for ch in value if ch.isascii() and ch.isalnum()).upper()
    return out or None


def pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC inner and outer pads: lets SQL compute the MAC with two sha256 calls."""
    k = key if len(key) <= 64 else hashlib.sha256(key).digest()
    k = k.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in k), bytes(b ^ 0x5C for b in k)


def mac(key: bytes, text: str) -> str:
    """HMAC-SHA256 of ``text`` as hex (Python twin of ``sensitive._sql_mac``)."""
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def token(key: bytes, value: str | None) -> str | None:
    """The token of ``value`` (Python twin of ``sensitive.sql_token``); None for no value."""
    norm = normalise_sensitive(value)
    if not norm:
        return None
    return TOKEN_PREFIX + mac(key, norm)[:TOKEN_HEX]


def token_variants(key: bytes, value: str | None) -> list[int] | None:
    """64-bit keyed MACs of each one-character deletion (Python twin of
    ``sensitive.sql_token_variants``); None when the value is missing or short."""
    norm = normalise_sensitive(value)
    if not norm or len(norm) < MIN_VARIANT_LEN:
        return None
    return [int(mac(key, VARIANT_DOMAIN + norm[:i] + norm[i + 1:])[:16], 16)
            for i in range(min(len(norm), MAX_VARIANTS))]
