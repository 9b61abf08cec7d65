"""A score on the scale of OFAC's own Sanctions List Search tool (0-100).

Compliance teams document a cut on OFAC's slider ("we review everything at 85 and above"),
so the evidence carries this figure beside our own score. OFAC describes its tool as
Jaro-Winkler with phonetic help; this reproduces its published behaviour on the parity
fixture (``bench/screen_quality.py``): apostrophes are part of a word ("QA'IDA"), query
words of one or two letters are ignored when longer ones exist, a query word counts only if
some listed word is like it (Jaro-Winkler 0.7 or more), and the result is the better of the
word-by-word average and the whole name compared as listed (also cut to the query's length).
"""

from __future__ import annotations

import re

from rapidfuzz.distance import JaroWinkler

from unmask.values.screen_names import APOSTROPHES, to_ascii

_WORDS = re.compile(r"[^a-z0-9]+")
WORD_FLOOR = 0.7


def _words(s: str) -> list[str]:
    return [t for t in _WORDS.split(APOSTROPHES.sub("", to_ascii(s))) if t]


def ofac_score(query: str, listed: str) -> int:
    """0-100, like the OFAC tool's score of ``listed`` for the search ``query``."""
    q_all = _words(query)
    q = [t for t in q_all if len(t) >= 3] or q_all
    r = _words(listed)
    if not q or not r:
        return 0
    best = (max(JaroWinkler.normalized_similarity(t, o) for o in r) for t in q)
    words = sum(b if b >= WORD_FLOOR else 0.0 for b in best) / len(q)
    joined = " ".join(q)
    whole = max(JaroWinkler.normalized_similarity(joined, " ".join(r)),
                JaroWinkler.normalized_similarity(joined, " ".join(r[: len(q)])))
    return round(100 * max(words, whole))
