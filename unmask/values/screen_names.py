"""Names prepared for screening, and the pairwise name score.

A name becomes a tuple of ASCII tokens: any script is transliterated (ICU through
``normality``), Hangul one syllable a token (a Korean name is written without spaces, and
its romanisations split it anywhere: "Kim Jong-un", "Kim Jong Un", "Gim Jeongeun"), legal
forms and honorifics removed (``rigour``), punctuation dropped. Each token also gets a
*romanisation fold* (:func:`fold`), so spellings that the common romanisation systems produce
for one sound meet: Kim/Gim, Jong/Chong/Jeong, Un/Eun, Pak/Park/Bak, Ri/Lee/Yi/Rhee. The fold
is applied to every name alike; it never looks at where a name comes from.

:func:`name_score` aligns the tokens of the shorter name with those of the longer one (each
token used once; adjacent tokens may be joined, "sang man" = "sangman"), weighs each by its
length, and takes off a little for each token of the longer name left over. A name reduced
to one token never scores above 0.75 against a longer one: a single given name or surname
identifies nobody.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from nicknames import NickNamer
from normality import ascii_text
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA
from rigour.names import remove_org_types, remove_person_prefixes

# Words that say what kind of body a name is, not which one. rigour strips the legal forms
# it knows at the end of a name; these are the ones it keeps (and a few joiners).
_ORG_STOP = frozenset({
    "co", "company", "corp", "corporation", "inc", "ltd", "limited", "llc", "plc", "the", "and", "of", "de",
    "jsc", "ojsc", "cjsc", "pjsc", "ooo", "zao", "oao", "gmbh", "ag", "sa", "sarl", "srl", "bv", "nv", "pte",
    "pty", "lp", "llp", "kg", "oy", "ab", "as", "spa", "joint", "stock", "liability",
})
_PERSON_STOP = frozenset({"mr", "mrs", "ms", "dr", "jr", "sr", "prof", "phd", "md", "sir"})
_HANGUL = re.compile("([\uac00-\ud7a3])")
_SYLLABIC = re.compile("[\uac00-\ud7a3\u4e00-\u9fff\u3400-\u4dbf]")
_SPLIT = re.compile(r"[^a-z0-9]+")
APOSTROPHES = re.compile("['\u2019\u02bc`]")
_nick = NickNamer()

# Korean surnames as the romanisation systems and common usage spell them; DPRK usage keeps
# the initial R/N that ROK usage drops (Ri / Lee / Yi).
_SURNAMES: dict[str, str] = {}
for _canon, _variants in {
    "pak": ("park", "bak", "pag", "bag"), "ri": ("lee", "yi", "rhee", "rhie", "i", "rhi", "li"),
    "choe": ("choi", "chwe", "choy"), "kim": ("gim",), "jong": ("jung", "chung", "jeong", "chong", "cheong"),
    "ryu": ("yu", "yoo", "rhyu", "you"), "rim": ("lim", "im"), "ro": ("roh", "no", "noh"),
    "yun": ("yoon",), "sin": ("shin",), "jo": ("cho",), "kang": ("gang",), "ko": ("go", "koh"),
    "han": ("hahn",), "o": ("oh",), "ryang": ("yang",), "kwon": ("gwon",), "hwang": ("whang",),
}.items():
    for _v in (_canon, *_variants):
        _SURNAMES.setdefault(_v, _canon)
# Sound-preserving spelling rules of the romanisation systems (McCune-Reischauer, Revised,
# Wade-Giles, pinyin): applied to a token after the surname table.
_FOLD_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), r) for p, r in (
    (r"eo", "o"), (r"eu", "u"), (r"oo", "u"), (r"ee", "i"), (r"ae", "e"), (r"ch", "j"), (r"sh", "s"),
    (r"^g", "k"), (r"^b", "p"), (r"^d", "t"), (r"(.)\1", r"\1"), (r"h$", ""),
    # Cyrillic in ICU's scheme against the English habit: Aleksandr / Alexander, Dmitrij / Dmitry.
    (r"ks", "x"), (r"[iy]j$", "y"), (r"iy$", "y"),
))


@lru_cache(maxsize=500_000)
def fold(token: str) -> str:
    """Romanisation fold of one lower-case ASCII token: 'gim' -> 'kim', 'jeong' -> 'jong'."""
    t = _SURNAMES.get(token, token)
    for pat, rep in _FOLD_RULES:
        t = pat.sub(rep, t)
    return t or token


@dataclass(frozen=True, slots=True)
class Prepared:
    tokens: tuple[str, ...]
    folded: tuple[str, ...]
    person: bool = True
    # Written in Hangul or Chinese characters: one syllable a token, each spelled one way by
    # the transliteration, so two such names differ where a syllable differs (종 / 정).
    syllabic: bool = False

    @property
    def key(self) -> str:
        return " ".join(self.tokens)


def to_ascii(name: str) -> str:
    """Any script to lower-case ASCII; Hangul one syllable a word."""
    s = _HANGUL.sub(r" \1 ", name) if _HANGUL.search(name) else name
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)
        s = ascii_text(s) or ""
    return s.lower()


@lru_cache(maxsize=400_000)
def prepare(name: str | None, schema: str = "Person") -> Prepared:
    """Tokens and folds of ``name`` for ``schema`` Person, Company, Organization, LegalEntity..."""
    person = schema == "Person"
    if not name:
        return Prepared((), (), person)
    # McCune-Reischauer writes the breve as an apostrophe ("HYO'K" = hyŏk): part of the word.
    s = APOSTROPHES.sub("", name).replace("&", " and ")
    s = remove_person_prefixes(s) if person else remove_org_types(s)
    stop = _PERSON_STOP if person else _ORG_STOP
    toks = tuple(t for t in _SPLIT.split(to_ascii(s)) if t and t not in stop)
    if not toks:  # a name made only of stop words ("The Company") keeps them
        toks = tuple(t for t in _SPLIT.split(to_ascii(name)) if t)
    return Prepared(toks, tuple(fold(t) for t in toks), person, bool(_SYLLABIC.search(name)))


@lru_cache(maxsize=1_000_000)
def token_similarity(a: str, b: str, fa: str, fb: str) -> float:
    """Similarity of two tokens (and their folds) in 0..1."""
    if a == b:
        return 1.0
    if fa == fb:
        return 0.97
    if a.isdigit() or b.isdigit():
        return 0.0  # numbers are identifiers: "Company 23" is not "Company 24"
    if len(a) == 1 or len(b) == 1:
        return 0.9 if a[0] == b[0] else 0.0  # an initial agrees with a name
    if b in _nick.nicknames_of(a) or a in _nick.nicknames_of(b):
        return 0.9
    # Transliterations move vowels, not consonants (Muhammad / Mohammed, Hussein / Husayn):
    # the same consonant skeleton of three or more, from the same first letter, is one name.
    if fa[0] == fb[0] and len(sa := _skeleton(fa)) >= 3 and sa == _skeleton(fb):
        return 0.9
    # Edit distance, not Jaro-Winkler: JW forgives any ending after a shared prefix, and
    # near-miss surnames (Lukashevich / Lukashenko) are different people. A typo or two
    # (one per nine letters, transpositions counted once) costs little; more is a new word.
    return max(_edit_similarity(a, b), _edit_similarity(fa, fb) - 0.02)


_VOWELS = re.compile("[aeiouyw]")


@lru_cache(maxsize=500_000)
def _skeleton(folded: str) -> str:
    return _VOWELS.sub("", folded)


def _edit_similarity(a: str, b: str) -> float:
    n = max(len(a), len(b))
    d = OSA.distance(a, b)
    return 1.0 - 0.08 * d if d <= 1 + n // 10 and n >= 4 else 1.0 - d / n


MATCH_FLOOR = 0.8  # two tokens below this are different words
EXTRA_PENALTY = 0.04  # per token of the longer name left unmatched
DIGIT_PENALTY = 0.25  # per unmatched number: numbers identify (Fund 1 / Fund 2)
SINGLE_TOKEN_CAP = 0.75
GATE = 60  # rapidfuzz 0-100: below this on both measures a pair is not aligned at all
PATRONYM_PENALTY = 0.2
JOIN_GATE = 75  # ... and below this without spaces, joining words cannot help


def _align(short: Prepared, long: Prepared) -> tuple[float, int, int]:
    """Weighted coverage of ``short`` by ``long``; leftover tokens of long; leftover numbers."""
    pairs = []
    strict = short.syllabic and long.syllabic
    for i, (a, fa) in enumerate(zip(short.tokens, short.folded, strict=True)):
        for j, (b, fb) in enumerate(zip(long.tokens, long.folded, strict=True)):
            sim = 1.0 if a == b else 0.0 if strict else token_similarity(a, b, fa, fb)
            if sim >= MATCH_FLOOR:
                pairs.append((sim, i, j))
    pairs.sort(reverse=True)
    used_i: set[int] = set()
    used_j: set[int] = set()
    got = 0.0
    for sim, i, j in pairs:
        if i in used_i or j in used_j:
            continue
        used_i.add(i)
        used_j.add(j)
        # An initial covers only as much as an initial, even against a full name.
        got += sim * (2 if len(long.tokens[j]) == 1 else max(len(short.tokens[i]), 2))
    total = sum(max(len(t), 2) for t in short.tokens)
    left = [t for j, t in enumerate(long.tokens) if j not in used_j]
    digits = sum(t.isdigit() for t in left) + sum(t.isdigit() for i, t in enumerate(short.tokens) if i not in used_i)
    return got / total, len(left), digits


@lru_cache(maxsize=200_000)
def _joined_variants(p: Prepared) -> tuple[Prepared, ...]:
    """Each version of ``p`` with two adjacent tokens joined into one."""
    out = []
    for k in range(len(p.tokens) - 1):
        if p.tokens[k].isdigit() or p.tokens[k + 1].isdigit():
            continue  # a number stays a word of its own: joined, "company23" would pass for "company24"
        toks = (*p.tokens[:k], p.tokens[k] + p.tokens[k + 1], *p.tokens[k + 2:])
        out.append(Prepared(toks, tuple(fold(t) for t in toks), p.person, p.syllabic))
    return tuple(out)


def _pair_score(x: Prepared, y: Prepared) -> float:
    short, long = (x, y) if len(x.tokens) <= len(y.tokens) else (y, x)
    cov, left, digits = _align(short, long)
    s = cov - EXTRA_PENALTY * min(left, 5) - DIGIT_PENALTY * digits
    if len(short.tokens) == 1 and len(long.tokens) > 1 and (short.person or long.person):
        s = min(s, SINGLE_TOKEN_CAP)
    return s


def name_score(a: Prepared, b: Prepared) -> float:
    """How surely two prepared names name the same party, 0..1."""
    if not a.tokens or not b.tokens:
        return 0.0
    if a.tokens == b.tokens:
        return 1.0
    # A cheap gate first (rapidfuzz, in C): pairs that share little text at all are not worth
    # the alignment. Generous by design: token_set_ratio passes a name inside a longer one.
    ja, jb = " ".join(a.folded), " ".join(b.folded)
    flat = fuzz.ratio(ja.replace(" ", ""), jb.replace(" ", ""))
    if fuzz.token_set_ratio(ja, jb) < GATE and flat < GATE:
        return 0.0
    best = _pair_score(a, b)
    # Split or joined words ("Sang Man" / "Sangman"): join adjacent words of one name in turn
    # and compare with the other as written. Worth trying only when the names, written
    # without spaces (as given or sorted), are alike.
    if best < 0.99 and max(flat, fuzz.ratio("".join(sorted(a.folded)), "".join(sorted(b.folded)))) >= JOIN_GATE:
        for x in _joined_variants(a):
            best = max(best, _pair_score(x, b))
        for y in _joined_variants(b):
            best = max(best, _pair_score(a, y))
    if a.person and b.person and best >= MATCH_FLOOR and _patronyms_differ(a, b):
        best -= PATRONYM_PENALTY
    return max(0.0, min(1.0, best))


_CONNECTORS = frozenset({"bin", "ibn", "bint", "binti", "ben", "bn"})


def _patronyms(p: Prepared) -> list[tuple[int, int]]:
    """(son, father) token positions around each "bin"/"ibn" of a name."""
    return [(i - 1, i + 1) for i, t in enumerate(p.tokens) if t in _CONNECTORS and 0 < i < len(p.tokens) - 1]


def _patronyms_differ(a: Prepared, b: Prepared) -> bool:
    """Both names spell a lineage ("Salman bin Muhammad") and no link of one is a link of
    the other: the same words in another order name another man ("Muhammad bin Salman")."""
    pa, pb = _patronyms(a), _patronyms(b)
    if not pa or not pb:
        return False

    def same(i: int, j: int) -> bool:
        return token_similarity(a.tokens[i], b.tokens[j], a.folded[i], b.folded[j]) >= MATCH_FLOOR

    return not any(same(x, u) and same(y, v) for x, y in pa for u, v in pb)


def compare(a: str | None, b: str | None, schema: str = "Person") -> float:
    return name_score(prepare(a, schema), prepare(b, schema))


def block_keys(name: str | None, schema: str) -> list[str]:
    """Index keys of a name: its folded tokens, and for long tokens their first and last four
    letters (one typo at either end still meets). Keys of one letter carry nothing."""
    p = prepare(name, schema)
    out: set[str] = set()
    for t in p.folded:
        if len(t) >= 2:
            out.add(t)
        if len(t) >= 6:
            out.add(t[:4] + ">")
            out.add("<" + t[-4:])
    if len(p.folded) > 1:
        # All tokens written as one word ("Sangman", "Siemensag") meet the spaced form.
        out.add("".join(p.folded))
    return sorted(out)
