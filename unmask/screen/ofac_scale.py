"""A score on the scale of OFAC's own Sanctions List Search tool (0-100).

Compliance teams document a cut on OFAC's slider ("we review everything at 85 and above"),
so the evidence carries this figure beside our own score. OFAC describes its tool as
Jaro-Winkler with phonetic help; this reproduces its published behaviour on the parity
fixture (``bench/screen_quality.py``): query words of one or two letters are ignored when
longer ones exist, and the result is the better of the word-by-word average and the whole
name compared in its listed order or "Last, First" turned round.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import JaroWinkler

from unmask.screen.names import to_ascii

_WORDS = re.compile(r"[^a-z0-9]+")


def _words(s: str) -> list[str]:
    return [t for t in _WORDS.split(to_ascii(s)) if t]


def ofac_score(query: str, listed: str) -> int:
    """0-100, like the OFAC tool's score of ``listed`` for the search ``query``."""
    q_all = _words(query)
    q = [t for t in q_all if len(t) >= 3] or q_all
    r = _words(listed)
    if not q or not r:
        return 0
    words = sum(max(JaroWinkler.normalized_similarity(t, o) for o in r) for t in q) / len(q)
    orders = [r]
    if "," in listed:
        last, first = listed.split(",", 1)
        orders.append(_words(first) + _words(last))
    joined = " ".join(q)
    whole = max(
        max(JaroWinkler.normalized_similarity(joined, " ".join(o)),
            JaroWinkler.normalized_similarity(joined, " ".join(o[: len(q)])))
        for o in orders
    )
    return round(100 * max(words, whole))
