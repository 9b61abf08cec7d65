"""Person names for comparison: case folding, accents, punctuation, nicknames, initials."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from nicknames import NickNamer
from rapidfuzz import fuzz

_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "phd", "md", "mr", "mrs", "ms", "dr"}
_JOINT = re.compile(r"\s+(?:and|or|&|/|\+)\s+|\s*[&/+;]\s*", re.IGNORECASE)
_nick = NickNamer()


@lru_cache(maxsize=100_000)
def name_tokens(name: str | None) -> tuple[str, ...]:
    """'Robert J. Smith, Jr.' -> ('robert', 'j', 'smith'). "Smith, Robert" is reordered."""
    if not name:
        return ()
    s = unicodedata.normalize("NFKD", name)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    if s.count(",") == 1:
        last, first = s.split(",")
        if first.strip() and first.strip().split()[0].strip(".") not in _SUFFIXES:
            s = f"{first} {last}"
    toks = [t for t in re.split(r"[^\w]+", s) if t and t not in _SUFFIXES]
    return tuple(toks)


@lru_cache(maxsize=100_000)
def _first_names_agree(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    if b in _nick.nicknames_of(a) or a in _nick.nicknames_of(b):
        return True
    ca, cb = _nick.canonicals_of(a) | {a}, _nick.canonicals_of(b) | {b}
    return bool(ca & cb)


def _one(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    if not a or not b:
        return 0.0
    if a[-1] == b[-1] and _first_names_agree(a[0], b[0]):
        return 1.0
    # Two-part surnames and swapped order: compare as sorted token sets.
    return fuzz.token_sort_ratio(" ".join(a), " ".join(b)) / 100.0


def name_similarity(legal: str | None, other: str | None) -> float:
    """1.0 when ``other`` names the same person as ``legal``; joint holders count if one matches."""
    a = name_tokens(legal)
    if not a or not other:
        return 0.0
    best = 0.0
    for part in _JOINT.split(other):
        b = name_tokens(part)
        # "John & Jane Smith": the surname is written once, after the last holder.
        if len(b) == 1 and other.strip().split():
            b = (b[0], name_tokens(other)[-1])
        best = max(best, _one(a, b))
    return best


def same_surname(a: str | None, b: str | None) -> bool:
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return False
    return ta[-1] == tb[-1] or any(ta[-1] == name_tokens(p)[-1] for p in _JOINT.split(b or "") if name_tokens(p))
