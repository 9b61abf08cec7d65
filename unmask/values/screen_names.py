"""Names prepared for screening, and the pairwise name score.

A name becomes a tuple of ASCII tokens: any script is transliterated (ICU through
``normality``), Hangul one syllable a token (a Korean name is written without spaces, and
its romanisations split it anywhere: "Kim Jong-un", "Kim Jong Un", "Gim Jeongeun"), legal
forms and honorifics removed (``rigour``), punctuation dropped. Each token also gets a
*romanisation fold* (:func:`fold`), so spellings that the common romanisation systems produce
for one sound meet: Kim/Gim, Jong/Chong/Jeong, Un/Eun, Pak/Park/Bak, Ri/Lee/Yi/Rhee. A token
written in romanised syllables is folded syllable by syllable (:mod:`unmask.values.romanise`:
Chol/Cheol, Kwang/Gwang, and "Gildong" = "Gil Dong"), with a looser agreement for personal
spellings (Chul/Chol). The fold is applied to every name alike; it never looks at where a
name comes from.

:func:`name_score` aligns the tokens of the shorter name with those of the longer one (each
token used once; adjacent tokens may be joined, "sang man" = "sangman"), weighs each by its
length, and takes off a little for each token of the longer name left over. A name reduced
to one token never scores above 0.75 against a longer one: a single given name or surname
identifies nobody. For two people, the surname and the first given name of each must meet
their counterparts: a middle name or a nickname standing in for another given name ("Anna
Kate Smith" / "SMITH, Katherine") costs :data:`ROLE_PENALTY`.
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
from rigour.names import NameTypeTag, SymbolCategory, analyze_names, remove_org_types, remove_person_prefixes

from unmask.values import romanise

# Words that say what kind of body a name is, not which one. rigour strips the legal forms
# it knows at the end of a name; these are the ones it keeps (and a few joiners).
_ORG_STOP = frozenset({
    "co", "company", "corp", "corporation", "inc", "ltd", "limited", "llc", "plc", "the", "and", "of", "de",
    "jsc", "ojsc", "cjsc", "pjsc", "ooo", "zao", "oao", "gmbh", "ag", "sa", "sarl", "srl", "bv", "nv", "pte",
    "pty", "lp", "llp", "kg", "oy", "ab", "as", "spa", "joint", "stock", "liability",
})
_PERSON_STOP = frozenset({"mr", "mrs", "ms", "dr", "jr", "sr", "prof", "phd", "md", "sir"})
# Words company registers and payroll systems abbreviate ("NETWORK TECH CO LTD" for "Network
# Technology Co., Ltd."), read as the word they stand for, so a shortened front-company name
# meets its listing. Only for organisations; whole tokens only.
_ORG_ABBREVIATIONS = {
    "tech": "technology", "techn": "technology", "technol": "technology", "intl": "international",
    "int'l": "international", "info": "information", "sys": "systems", "svc": "services", "svcs": "services",
    "mgmt": "management", "mgt": "management", "dev": "development", "devt": "development",
    "eng": "engineering", "engg": "engineering", "soln": "solutions", "solns": "solutions", "grp": "group",
    "hldgs": "holdings", "hldg": "holding", "coop": "cooperation", "ent": "enterprise", "mfg": "manufacturing",
    "assoc": "association", "natl": "national", "dept": "department",
}
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
    # Voiced and voiceless initials meet on the letter the syllable fold uses (romanise.py).
    (r"^k", "g"), (r"^p", "b"), (r"^t", "d"), (r"(.)\1", r"\1"), (r"h$", ""),
    # Cyrillic in ICU's scheme against the English habit: Aleksandr / Alexander, Dmitrij / Dmitry.
    (r"ks", "x"), (r"[iy]j$", "y"), (r"iy$", "y"),
))


@lru_cache(maxsize=500_000)
def fold(token: str) -> str:
    """Romanisation fold of one lower-case ASCII token: 'gim' = 'kim', 'jeong' = 'jong',
    'cheol' = 'chol', 'gildong' = fold('gil') + fold('dong')."""
    t = _SURNAMES.get(token, token)
    syl = romanise.fold(t)
    if syl is not None:
        return syl
    for pat, rep in _FOLD_RULES:
        t = pat.sub(rep, t)
    return t or token


@lru_cache(maxsize=500_000)
def loose_fold(token: str) -> str:
    """:func:`fold` with the personal spellings merged (Chul/Chol, Young/Yong, Hee/Hui) for a
    token written in syllables; the fold itself for any other."""
    t = _SURNAMES.get(token, token)
    syl = romanise.fold(t)
    return romanise.loose(syl) if syl is not None else fold(token)


@dataclass(frozen=True, slots=True)
class Prepared:
    tokens: tuple[str, ...]
    folded: tuple[str, ...]
    person: bool = True
    # Written in Hangul or Chinese characters: one syllable a token, each spelled one way by
    # the transliteration, so two such names differ where a syllable differs (종 / 정).
    syllabic: bool = False
    # The word (space- or comma-separated) each token comes from: "Yong-Chol Kim" is two
    # words of three tokens. Empty for names that are not people's.
    words: tuple[int, ...] = ()
    # Words before the first comma ("SMITH, Katherine": 1): the surname when a list writes it
    # first; 0 when the name has no comma and its order is not known.
    lead: int = 0
    # Organisations: each token that rigour's name tagger reads as a legal form, a trade or
    # domain word ("Trading", "Bank", "Shipping") or a place, which names no one body.
    generic: tuple[bool, ...] = ()

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
    if not person:
        toks = tuple(_ORG_ABBREVIATIONS.get(t, t) for t in toks)
    if not toks:  # a name made only of stop words ("The Company") keeps them
        toks = tuple(t for t in _SPLIT.split(to_ascii(name)) if t)
    words, lead = _words(s, stop, toks) if person else ((), 0)
    syllabic = bool(_SYLLABIC.search(name))
    if syllabic and len(toks) <= 2 and len(name.split()) == 1:
        # One word of one or two Hangul or Chinese syllables is a given name (영철), not a
        # surname and a given name: it is one word, as a single Latin word is.
        words, lead = (0,) * len(toks), 0
    generic = () if person else _generic(name, toks)
    return Prepared(toks, tuple(fold(t) for t in toks), person, syllabic, words, lead, generic)


_GENERIC_KINDS = frozenset({SymbolCategory.SYMBOL, SymbolCategory.DOMAIN, SymbolCategory.ORG_CLASS,
                            SymbolCategory.LOCATION})


def _generic(name: str, toks: tuple[str, ...]) -> tuple[bool, ...]:
    words = {part.form for n in analyze_names(NameTypeTag.ORG, [name], phonetics=False) for span in n.spans
             if span.symbol.category in _GENERIC_KINDS for part in span.parts}
    # A letter alone in a company's name is part of a legal form ("Sp. z o.o.") or an initial.
    return tuple(t in words or len(t) == 1 for t in toks)


def _words(s: str, stop: frozenset[str], toks: tuple[str, ...]) -> tuple[tuple[int, ...], int]:
    """Word of each token, and the words before the comma."""
    head, comma, tail = s.partition(",")
    parts = [[t for t in _SPLIT.split(w) if t and t not in stop] for w in to_ascii(head).split()]
    lead = sum(1 for p in parts if p) if comma else 0
    parts += [[t for t in _SPLIT.split(w) if t and t not in stop] for w in to_ascii(tail).split()]
    parts = [p for p in parts if p]
    if tuple(t for p in parts for t in p) != toks:
        return tuple(range(len(toks))), 0
    return tuple(i for i, p in enumerate(parts) for _ in p), lead if 0 < lead < len(parts) else 0


LOOSE_SIMILARITY = 0.93  # Chul / Chol: one syllable spelled as people write it, not as a system does


@lru_cache(maxsize=1_000_000)
def token_similarity(a: str, b: str, fa: str, fb: str) -> float:
    """Similarity of two tokens (and their folds) in 0..1."""
    if a == b:
        return 1.0
    if fa == fb:
        return 0.97
    if loose_fold(a) == loose_fold(b):
        return LOOSE_SIMILARITY
    if a.isdigit() or b.isdigit():
        return 0.0  # numbers are identifiers: "Company 23" is not "Company 24"
    if len(a) == 1 or len(b) == 1:
        return 0.9 if a[0] == b[0] else 0.0  # an initial agrees with a name
    if b in _nick.nicknames_of(a) or a in _nick.nicknames_of(b):
        return 0.9
    # Transliterations move vowels, not consonants (Muhammad / Mohammed, Hussein / Husayn):
    # the same consonant skeleton of three or more, from the same first letter, is one name.
    # (Not between two words read as syllables: there a vowel is a syllable, Min-jun / Man-chun.)
    if (fa[0] == fb[0] and min(len(fa), len(fb)) >= 5 and len(sa := _skeleton(fa)) >= 3 and sa == _skeleton(fb)
            and not (romanise.syllables(a) and romanise.syllables(b))):
        return 0.9
    # Edit distance, not Jaro-Winkler: JW forgives any ending after a shared prefix, and
    # near-miss surnames (Lukashevich / Lukashenko) are different people. A typo or two
    # (one per nine letters, transpositions counted once) costs little; more is a new word.
    # Folds of words read as syllables are shorter than the words ("seungwoo" -> "sungu"): one
    # letter of a fold may be a whole syllable there, so only the words as written count.
    if romanise.syllables(a) and romanise.syllables(b):
        return _edit_similarity(a, b, syllabic=True)
    return max(_edit_similarity(a, b), _edit_similarity(fa, fb) - 0.02)


_VOWELS = re.compile("[aeiouyw]")


@lru_cache(maxsize=500_000)
def _skeleton(folded: str) -> str:
    return _VOWELS.sub("", folded)


SHORT_TYPO = 0.8  # one letter changed in a word of four: just enough to align, never to carry


def _edit_similarity(a: str, b: str, syllabic: bool = False) -> float:
    n = max(len(a), len(b))
    d = OSA.distance(a, b)
    # A changed first letter is another name in a short word (Ming / Ping, Yong / Jong) and
    # between words read as syllables (Myong / Pyong, Jeongho / Tongho). In a word of four
    # letters or fewer only a swap (Jonh / John) is a typo: one changed letter there is
    # another name (Chol / Chil / Cho, Min / Man), unless all else agrees (SHORT_TYPO).
    if a[:1] != b[:1] and (n < 5 or syllabic):
        return min(1.0 - d / n, 0.75)
    if d <= 1 + n // 10 and (n >= 5 or (n == 4 and sorted(a) == sorted(b))):
        return 1.0 - 0.08 * d
    if n == 4 and d == 1:
        return SHORT_TYPO
    return 1.0 - d / n


MATCH_FLOOR = 0.8  # two tokens below this are different words
EXTRA_PENALTY = 0.04  # per token of the longer name left unmatched
DIGIT_PENALTY = 0.25  # per unmatched number: numbers identify (Fund 1 / Fund 2)
SINGLE_TOKEN_CAP = 0.75
ROLE_PENALTY = 0.15  # a middle name or nickname carries the match, the given names differ
GATE = 60  # rapidfuzz 0-100: below this on both measures a pair is not aligned at all
PATRONYM_PENALTY = 0.2
JOIN_GATE = 75  # ... and below this without spaces, joining words cannot help


Pairs = tuple[tuple[int, int, float], ...]


def _align(short: Prepared, long: Prepared) -> tuple[float, int, int, Pairs]:
    """Weighted coverage of ``short`` by ``long``; leftover tokens of long; leftover numbers;
    the (short, long, similarity) token pairs aligned."""
    pairs = []
    strict = short.syllabic and long.syllabic
    for i, (a, fa) in enumerate(zip(short.tokens, short.folded, strict=True)):
        for j, (b, fb) in enumerate(zip(long.tokens, long.folded, strict=True)):
            sim = 1.0 if a == b else 0.0 if strict else token_similarity(a, b, fa, fb)
            if sim >= MATCH_FLOOR:
                pairs.append((sim, i, j))
    # Best first; between equals, the one at the same place in both names ("ABDUL GHANI ...
    # ABDUL AHMAD TURK": the first Abdul meets the first).
    ns, nl = max(len(short.tokens) - 1, 1), max(len(long.tokens) - 1, 1)
    pairs.sort(key=lambda p: (-p[0], abs(p[1] / ns - p[2] / nl), p[1], p[2]))
    used_i: set[int] = set()
    used_j: set[int] = set()
    got = 0.0
    matched = []
    for sim, i, j in pairs:
        if i in used_i or j in used_j:
            continue
        used_i.add(i)
        used_j.add(j)
        matched.append((i, j, sim))
        # An initial covers only as much as an initial, even against a full name.
        got += sim * (2 if len(long.tokens[j]) == 1 else max(len(short.tokens[i]), 2))
    total = sum(max(len(t), 2) for t in short.tokens)
    left = [t for j, t in enumerate(long.tokens) if j not in used_j]
    digits = sum(t.isdigit() for t in left) + sum(t.isdigit() for i, t in enumerate(short.tokens) if i not in used_i)
    return got / total, len(left), digits, tuple(matched)


@lru_cache(maxsize=200_000)
def _joined_variants(p: Prepared) -> tuple[Prepared, ...]:
    """Each version of ``p`` with two adjacent tokens joined into one."""
    out = []
    for k in range(len(p.tokens) - 1):
        if p.tokens[k].isdigit() or p.tokens[k + 1].isdigit():
            continue  # a number stays a word of its own: joined, "company23" would pass for "company24"
        words, lead = p.words, p.lead
        if words:
            if words[k] < lead <= words[k + 1]:
                continue  # never across the comma: "KIM, Sang" is not "kimsang"
            if words[k] != words[k + 1] and words.count(words[k]) + words.count(words[k + 1]) > 2:
                continue  # two words join only whole: "Gil Dong" = "Gildong", not "Chang-min Koo" = "Chang Minkoo"
            # The joined token is a word of its own, or part of the word it came from.
            shift = 1 if words[k] != words[k + 1] else 0
            lead = lead - shift if words[k] < lead else lead
            words = (*words[:k + 1], *(w - shift for w in words[k + 2:]))
        toks = (*p.tokens[:k], p.tokens[k] + p.tokens[k + 1], *p.tokens[k + 2:])
        generic = (*p.generic[:k], False, *p.generic[k + 2:]) if p.generic else ()
        out.append(Prepared(toks, tuple(fold(t) for t in toks), p.person, p.syllabic, words, lead, generic))
    return tuple(out)


def _pair_score(x: Prepared, y: Prepared) -> float:
    short, long = (x, y) if len(x.tokens) <= len(y.tokens) else (y, x)
    cov, left, digits, pairs = _align(short, long)
    if any(sim == SHORT_TYPO for _, _, sim in pairs) and (left or sum(sim < 0.97 for _, _, sim in pairs) > 1):
        # A changed letter in a short word is believed only when all else agrees exactly.
        return min(cov, SHORT_TYPO) - EXTRA_PENALTY * min(left, 5)
    if not short.person:
        # Organisations: both names must be covered, weighing words by what they tell.
        cov = _org_cover(short, long, pairs)
        left = 0
    s = cov - EXTRA_PENALTY * min(left, 5) - DIGIT_PENALTY * digits
    # One word of several tokens: a hyphenated given name, or a Hangul or Chinese given name.
    one_word = len(set(short.words)) == 1 and len(short.tokens) < len(long.tokens)
    if (len(short.tokens) == 1 and (short.person or len(long.tokens) > 1 and not all(
            g for j, g in enumerate(long.generic) if j not in {j for _, j, _ in pairs}))) or one_word:
        # One word is not a name (a given name, a surname, "Horizon" of "Horizon Media"), but a
        # company is its name without its trade or place ("Faberlic" / "FABERLIC EUROPE").
        s = min(s, SINGLE_TOKEN_CAP)
    elif short.person and long.person and s >= MATCH_FLOOR and not _roles_agree(
            short, long, pairs, full=len(x.tokens) >= len(y.tokens)):
        s -= ROLE_PENALTY
    return s


# Roles of a person's name tokens: S surname, G first given name (g: its further syllables,
# "Yong-Chol"), M any other (middle names, second surnames, patronyms). Roles go by words: a
# name with a comma has one reading ("SMITH, Katherine Anne"); one without may be given name
# first ("Anna Kate Smith") or surname first ("Kim Jong Un").
@lru_cache(maxsize=200_000)
def _roles(words: tuple[int, ...], lead: int) -> tuple[tuple[str, ...], ...]:
    n = (words[-1] + 1) if words else 0
    if lead:
        orders = [["S" if w < lead else "G" if w == lead else "M" for w in range(n)]]
    else:
        orders = [["G" if w == 0 else "S" if w == n - 1 else "M" for w in range(n)],
                  ["S" if w == 0 else "G" if w == 1 else "M" for w in range(n)]]
    return tuple(tuple("g" if kinds[w] == "G" and i and words[i - 1] == w else kinds[w] for i, w in enumerate(words))
                 for kinds in orders)


_ALLOWED = frozenset({("S", "S"), ("G", "G"), ("M", "M"), ("g", "g"), ("M", "S"), ("S", "M"), ("g", "M"),
                      ("M", "g")})


GENERIC_WEIGHT = 0.4  # an organisation's class, trade or place word ("Trading", "Bank", "Hong Kong")


def _org_weights(p: Prepared) -> list[float]:
    return [max(len(t), 2) * (GENERIC_WEIGHT if g else 1.0)
            for t, g in zip(p.tokens, p.generic or (False,) * len(p.tokens), strict=True)]


def _org_cover(a: Prepared, b: Prepared, pairs: Pairs) -> float:
    """How much of both organisation names the aligned words cover, each word weighed by its
    length, and less when rigour tags it as a legal form, a trade or a place: "Asia Trading"
    is not "ASIA TRADING AND CONSTRUCTION", "Prime Trading" is not "HONG KONG PRIME TRADING"."""
    wa, wb = _org_weights(a), _org_weights(b)
    got = sum(sim * (wa[i] + wb[j]) for i, j, sim in pairs)
    return got / (sum(wa) + sum(wb))


def _whole(roles: tuple[str, ...], words: tuple[int, ...], got: set[int]) -> bool:
    """A surname is met, and every surname or given-name word met at all is met whole: a
    hyphenated name ("Seung-hyun", "Yu-jin") is one name, not two that may be met apart."""
    met = {words[k] for k in got}
    heads = {words[k] for k in range(len(roles)) if roles[k] in "SG" and words[k] in met}
    whole = all(all(k in got for k in range(len(words)) if words[k] == w) for w in heads)
    return whole and any(roles[k] == "S" for k in got)


def _roles_agree(a: Prepared, b: Prepared, pairs: Pairs, full: bool = True) -> bool:
    """Some reading of each name meets a surname of each; and (``full``) pairs given name with
    given name, never a given name with a middle name or a surname, and meets each name it
    meets whole. Middle names may meet surnames (compound surnames, patronyms) or go
    unmatched.

    ``full`` when the party says at least as much as the listed name. A party shorter than
    the listed name need only meet both surnames: a list carries full names, and a party
    known by one of them ("Boris Johnson" for "Alexandre Boris de Pfeffel Johnson") leaves
    the others out, but a given name alone (영철 for "KIM, Yong Chol") is no one. A party's
    own middle name or nickname never stands in for the listed given name ("Anna Kate
    Smith" / "SMITH, Katherine")."""
    if not a.words or not b.words or len(set(a.words)) < 2 or len(set(b.words)) < 2:
        return True
    ia, jb = {i for i, _, _ in pairs}, {j for _, j, _ in pairs}
    for ra in _roles(a.words, a.lead):
        for rb in _roles(b.words, b.lead):
            if not full:
                if any(ra[i] == "S" for i in ia) and any(rb[j] == "S" for j in jb):
                    return True
                continue
            if any((ra[i], rb[j]) not in _ALLOWED for i, j, _ in pairs):
                continue
            if _whole(ra, a.words, ia) and _whole(rb, b.words, jb):
                return True
    return False


def _letters(p: Prepared) -> str:
    return "".join(sorted("".join(loose_fold(t) for t in p.tokens)))


def name_score(a: Prepared, b: Prepared) -> float:
    """How surely two prepared names name the same party, 0..1: ``a`` the party screened,
    ``b`` the listed name."""
    if not a.tokens or not b.tokens:
        return 0.0
    if a.tokens == b.tokens:
        return 1.0
    # A cheap gate first (rapidfuzz, in C): pairs that share little text at all are not worth
    # the alignment. Generous by design: token_set_ratio passes a name inside a longer one.
    ja, jb = " ".join(a.folded), " ".join(b.folded)
    flat = fuzz.ratio(ja.replace(" ", ""), jb.replace(" ", ""))
    if (fuzz.token_set_ratio(ja, jb) < GATE and flat < GATE and fuzz.ratio(_letters(a), _letters(b)) < GATE
            and fuzz.token_set_ratio(a.key, b.key) < GATE):
        return 0.0
    best = _pair_score(a, b)
    # Split or joined words ("Sang Man" / "Sangman"): join adjacent words of one name in turn
    # and compare with the other as written. Worth trying only when the names, written
    # without spaces (as given, with sorted words, or with sorted letters for words both
    # joined and reordered: "Gildong Hong" / "HONG, Gil Dong"), are alike.
    if best < 0.99 and max(flat, fuzz.ratio("".join(sorted(a.folded)), "".join(sorted(b.folded))),
                           fuzz.ratio(_letters(a), _letters(b))) >= JOIN_GATE:
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


def _affixes(t: str) -> tuple[str, ...]:
    return (t[:4] + ">", "<" + t[-4:]) if len(t) >= 6 else ()


def block_keys(name: str | None, schema: str) -> list[str]:
    """Index keys of a name (:func:`_block_keys`), a new list each call."""
    return list(_block_keys(name, schema))


# Cached: every scan indexes the same 40,000 list names, and a process that scans more than
# once (the workbench, a test session) keys each of them once. A name's keys take about 3 KB
# (55 keys for four words): the bound holds the shipped lists and keeps the cache near 150 MB.
@lru_cache(maxsize=50_000)
def _block_keys(name: str | None, schema: str) -> tuple[str, ...]:
    """Index keys of a name, for candidates that share a rare one:

    - each word, as written and as its loose fold, and each two adjacent ones joined ("Gildong
      Hong" meets "HONG, Gil Dong": a syllable-folded word is the folds of its syllables);
    - of these, the first and last four letters of long ones (one typo at either end still
      meets; as written too, for a typo that stops a word from reading as syllables), and the
      letters of one of five or more, sorted (two letters swapped still meet);
    - in a name of two to four words, those four letters beside each other word ("yong>kim"):
      a typo inside a joined given name still meets with the surname.

    Keys of one letter carry nothing."""
    p = prepare(name, schema)
    raw, keys = list(p.tokens), [loose_fold(t) for t in p.tokens]
    n = len(keys)
    units: list[tuple[tuple[int, ...], str, str]] = [((i,), keys[i], raw[i]) for i in range(n)]
    units += [((i, i + 1), keys[i] + keys[i + 1], raw[i] + raw[i + 1]) for i in range(n - 1)]
    out: set[str] = set()
    for idx, key, word in units:
        out.update(x for x in (key, word) if len(x) >= 2)
        ends = _affixes(key) + _affixes(word)
        out.update(ends)
        if len(word) >= 5:
            out.add("#" + "".join(sorted(word)))
        if 2 <= n <= 4:
            out.update(a + keys[j] for a in ends for j in range(n) if j not in idx and len(keys[j]) >= 2)
    if n > 2:
        out.add("".join(keys))  # all words written as one ("Siemensag")
    return tuple(sorted(out))
