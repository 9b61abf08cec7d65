"""Syllable-level folding of romanised Korean: the spellings that McCune-Reischauer (with or
without its breves and apostrophes, as the DPRK and OFAC write it), Revised Romanisation and
common personal usage give one Hangul syllable fold to one key.

A token is read as a sequence of syllables, onset + vowel + coda, each written as those
systems write them. Each part maps to the class of sounds the systems cannot tell apart once
diacritics are dropped:

- onsets: plain, tense and aspirated stops are one (k/g/kk/k', t/d/tt/th, p/b/pp/ph,
  ch/j/jj/ch'), s/sh/ss are one, r/l are one;
- vowels: o/eo/o' (MR writes eo as o-breve, which loses its breve in most records), u/eu/u'/oo,
  yo/yeo/you, e/ae, ye/yae, we/wae/oe, wo/weo, yu/yoo, i/ee;
- codas: k/g, t/d, p/b, l/r; n, m, ng.

The same letter is used for a consonant whether it ends one syllable or begins the next, so the
key of a word does not depend on where the syllables are cut ("songil" = "song-il" = "son-gil"),
and the key of a joined given name is the keys of its syllables joined ("Gildong" = "Gil Dong" =
"Kil-tong"). A token that is not a sequence of such syllables ("Walker") gets no key and is
compared as written.

:func:`loose` further merges o with u and yo with yu: the personal spellings that write eo as u
("Chul", "Sung", "Young" / MR "Chol", "Song", "Yong"); and it applies the initial-sound rule
that South Korean usage follows and DPRK usage does not (Ryom / Yeom, Rim / Im, Ro / No): an
initial r before i or y is dropped, before another vowel it is n. It is a weaker agreement,
scored below a fold.

Nothing here looks at where a name comes from: every token of every name is folded alike.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Longest spelling first within each table (the parser tries them in order).
_ONSETS: tuple[tuple[str, str], ...] = (
    ("tch", "j"), ("chh", "j"), ("ch", "j"), ("jj", "j"), ("j", "j"),
    ("kk", "g"), ("kh", "g"), ("k", "g"), ("g", "g"),
    ("tt", "d"), ("th", "d"), ("t", "d"), ("d", "d"),
    ("pp", "b"), ("ph", "b"), ("p", "b"), ("b", "b"),
    ("ss", "s"), ("sh", "s"), ("s", "s"),
    ("r", "l"), ("l", "l"), ("n", "n"), ("m", "m"), ("h", "h"),
)
_VOWELS: tuple[tuple[str, str], ...] = (
    ("yeo", "yo"), ("you", "yo"), ("yae", "ye"), ("yoo", "yu"), ("wae", "we"), ("weo", "wo"), ("eui", "ui"),
    ("woo", "u"),
    ("yo", "yo"), ("ya", "ya"), ("ye", "ye"), ("yu", "yu"), ("wa", "wa"), ("we", "we"), ("wi", "wi"),
    ("wo", "wo"), ("oe", "we"), ("ui", "ui"), ("eo", "o"), ("eu", "u"), ("ae", "e"), ("oo", "u"), ("ee", "i"),
    ("ou", "o"),
    ("a", "a"), ("e", "e"), ("i", "i"), ("o", "o"), ("u", "u"),
)
_CODAS: tuple[tuple[str, str], ...] = (
    ("ng", "ng"), ("k", "g"), ("t", "d"), ("p", "b"), ("l", "l"), ("n", "n"), ("m", "m"),
)
_LOOSE = str.maketrans({"u": "o"})
MAX_LEN = 24
_DOUBLED = re.compile(r"(.)\1+")  # longer tokens are not names written in syllables


def _by_first(table: tuple[tuple[str, str], ...]) -> dict[str, tuple[tuple[str, str], ...]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for spelling, key in table:
        out.setdefault(spelling[0], []).append((spelling, key))
    return {c: tuple(v) for c, v in out.items()}


_ONSET_BY, _VOWEL_BY, _CODA_BY = _by_first(_ONSETS), _by_first(_VOWELS), _by_first(_CODAS)
_NONE: tuple[tuple[str, str], ...] = (("", ""),)
_LETTERS = frozenset("".join(s for s, _ in (*_ONSETS, *_VOWELS, *_CODAS)))


def _parse(token: str) -> tuple[str, ...] | None:
    """The syllable keys of ``token``, or None when it is not a sequence of syllables.
    Of the readings, the one with the fewest syllables, then the one whose syllables begin
    with a consonant where they can (the maximal-onset rule)."""
    n = len(token)
    # best[i]: (syllables, codas used, keys) for token[i:]
    best: list[tuple[int, int, tuple[str, ...]] | None] = [None] * (n + 1)
    best[n] = (0, 0, ())
    for i in range(n - 1, -1, -1):
        cand: tuple[int, int, tuple[str, ...]] | None = None
        onsets = tuple(x for x in _ONSET_BY.get(token[i], ()) if token.startswith(x[0], i)) + _NONE
        for o, ok in onsets:
            j = i + len(o)
            if j >= n:
                continue
            for v, vk in _VOWEL_BY.get(token[j], ()):
                if not token.startswith(v, j):
                    continue
                m = j + len(v)
                codas = (tuple(x for x in _CODA_BY.get(token[m], ()) if token.startswith(x[0], m)) if m < n
                         else ()) + _NONE
                for c, ck in codas:
                    rest = best[m + len(c)]
                    if rest is None:
                        continue
                    got = (rest[0] + 1, rest[1] + (1 if c else 0), (ok + vk + ck, *rest[2]))
                    if cand is None or got[:2] < cand[:2]:
                        cand = got
        best[i] = cand
    whole = best[0]
    return whole[2] if whole else None


@lru_cache(maxsize=500_000)
def syllables(token: str) -> tuple[str, ...] | None:
    """Syllable keys of a lower-case ASCII token: 'gildong' -> ('gil', 'dong')."""
    if not token or len(token) > MAX_LEN or not _LETTERS.issuperset(token):
        return None
    # A doubled letter is read once ("Jong-uun", "Joonng"), but for oo and ee, which spell a
    # vowel of their own (Soo, Hee).
    return _parse(_DOUBLED.sub(lambda m: m.group(0) if m.group(1) in "oe" else m.group(1), token))


@lru_cache(maxsize=500_000)
def fold(token: str) -> str | None:
    """The key of a token written in romanised syllables, or None: 'cheol' = 'chol' = 'jol'."""
    syl = syllables(token)
    return "".join(syl) if syl else None


def loose(key: str) -> str:
    """A fold with o/u and yo/yu merged (personal spellings: 'Chul' for 'Chol') and the
    initial-sound rule applied ('lyom' -> 'yom', 'lo' -> 'no')."""
    if key[:1] == "l" and len(key) > 1:
        key = key[1:] if key[1] in "iy" else "n" + key[1:]
    return key.translate(_LOOSE)
