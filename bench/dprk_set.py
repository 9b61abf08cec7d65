"""The DPRK screening set: every DPRK-programme OFAC SDN person and company in the shipped
list, written the ways HR and payroll exports write them, and real-looking names that are
not listed.

    python -m bench.dprk_set --out tests/data/dprk_screen      # (re)generate the set
    python -m bench.dprk_set --eval tests/data/dprk_screen     # recall / FPR at 0.85

Positives (``positives.csv``): each entity's primary name, rewritten by *kinds* of variation.
Two groups of kinds, each drawn with its own seed:

- ``dev`` kinds, looked at while the matcher was built: given names in front, given names
  joined into one word or hyphenated, upper case surname first, Revised Romanisation of the
  McCune-Reischauer spellings, one typo; for companies title case, another legal form, no
  legal form, '&' for 'and', one typo.
- ``held-out`` kinds, generated once and only reported (never inspected case by case while
  tuning): Americanised spellings (Young, Chul, Sung, Park, Lee, Choi) with joined given
  names, RR with a hyphen behind a comma, a typo inside joined given names; for companies an
  added legal form, abbreviations (Corp., Co., Intl), a typo with another legal form.

The romanisation tables below are the generator's own (a lookup of common name syllables
from the apostrophe spellings OFAC publishes), written apart from ``unmask/screen/names.py``.

Negatives (``negatives.csv``): people from FEBRL (dataset3 originals) and Splink's fake_1000,
yente's synthetic global negatives (many origins), common Korean-American names (common
surnames with common South Korean given names, romanised as people write them, and with
English given names), and company names (real Korean-American and Asian-American banks and
businesses, and generated ones from common words, industries and legal forms). A Korean
name that is a listed person's name (same syllables) is dropped: it would be a true hit.

Each row has a role as exports have it: workers and references are Person, vendors are
Company, account holders are either (schema Any).
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
CUT = 0.85

# -- romanisation (the generator's own tables) ----------------------------------------------

# McCune-Reischauer syllables with a breve (OFAC writes o', u') and aspirates (ch', k', t', p')
# to Revised Romanisation. Only the initial and the vowel change; a final stays.
_MR_INITIAL = {"ch'": "ch", "k'": "k", "t'": "t", "p'": "p", "th": "t", "ph": "p", "ch": "j", "sh": "s", "k": "g",
               "t": "d", "p": "b"}
_MR_VOWEL = [("wo'", "wo"), ("yo'", "yeo"), ("o'", "eo"), ("u'", "eu")]
# Without the apostrophe spelling, the syllables that are nearly always a breve vowel.
_BREVE = {"chol", "song", "yong", "kyong", "myong", "hyok", "pyong", "sok", "hyon", "chon", "ryon", "yon",
          "chong", "jong", "hyong", "sop", "kon", "mok"}
_POPULAR = {"yong": "young", "chol": "chul", "song": "sung", "hyon": "hyun", "jong": "jung", "chong": "jung",
            "kyong": "kyung", "myong": "myung", "pyong": "byung", "hyok": "hyuk", "sok": "suk", "chon": "chun",
            "il": "il", "un": "eun", "kwang": "kwang", "ho": "ho", "nam": "nam", "su": "soo", "u": "woo",
            "hui": "hee", "yon": "yeon", "ok": "ok", "gil": "gil", "kil": "gil", "mun": "moon", "sik": "sik"}
_SURNAME_POPULAR = {"pak": "Park", "ri": "Lee", "choe": "Choi", "jong": "Jung", "chong": "Jung", "jo": "Cho",
                    "kang": "Kang", "kim": "Kim", "yun": "Yoon", "sin": "Shin", "rim": "Lim", "ryu": "Yoo",
                    "o": "Oh", "ro": "Roh", "ryang": "Yang", "han": "Han", "hwang": "Hwang", "mun": "Moon"}
_SURNAME_RR = {"pak": "Bak", "ri": "Yi", "choe": "Choe", "jong": "Jeong", "chong": "Jeong", "jo": "Jo",
               "kim": "Gim", "kang": "Gang", "ryu": "Yu", "rim": "Im", "ko": "Go", "kil": "Gil", "ku": "Gu",
               "chu": "Ju", "kwak": "Gwak", "pae": "Bae", "paek": "Baek", "pang": "Bang", "ryom": "Yeom",
               "ryang": "Yang", "ro": "No", "chon": "Jeon", "jon": "Jeon", "chang": "Jang", "cho": "Jo"}
KOREAN_MR_SURNAMES = {
    "kim", "ri", "pak", "choe", "jong", "chong", "jo", "cho", "kang", "han", "hwang", "o", "ryu", "yu", "rim", "im",
    "sin", "ko", "kil", "ku", "chu", "ju", "kwak", "pae", "paek", "pang", "ryom", "ryang", "ro", "chon", "jon",
    "chang", "jang", "min", "mun", "ho", "hong", "yun", "kye", "ji", "chi", "cha", "song", "so", "an", "nam", "sok",
    "kwon", "yang", "paeng", "tong", "hyon", "jin", "chae", "u", "won", "yom", "myong"}
_SYL = re.compile(r"(ch'|ch|k'|t'|p'|kk|tt|pp|ss|jj|sh|th|ph|[gkndtrlmbpsjh])?(yo'|o'|u'|wo'|[aeiouwy]+)"
                  r"(ng|[kntlmp](?![aeiouwy']))?")


def _syllables(token: str) -> list[str] | None:
    out, pos = [], 0
    while pos < len(token):
        m = _SYL.match(token, pos)
        if not m or m.end() == pos:
            return None
        out.append(m.group(0))
        pos = m.end()
    return out


def _rr_syllable(s: str) -> str:
    """One MR syllable (apostrophes kept) to RR."""
    if "'" not in s and s in _BREVE:
        s = re.sub(r"(y?o|u)(ng|[kntlmp])?$", lambda m: m.group(1) + "'" + (m.group(2) or ""), s, count=1)
    for a, b in _MR_VOWEL:
        if a in s:
            s = s.replace(a, b, 1)
            break
    m = re.match(r"ch'|k'|t'|p'|th|ph|ch|sh|k|t|p", s)
    if m:
        s = _MR_INITIAL[m.group(0)] + s[m.end():]
    return s.replace("'", "")


def rr(token: str) -> str:
    """MR (OFAC's apostrophe spelling) to Revised Romanisation; the token as is if it does not parse."""
    syl = _syllables(token.lower())
    if not syl:
        return token
    return "".join(_rr_syllable(s) for s in syl)


def popular(token: str) -> str:
    syl = _syllables(token.lower().replace("'", ""))
    if not syl:
        return token
    return "".join(_POPULAR.get(s, s) for s in syl)


# -- variants ---------------------------------------------------------------------------------

def _split_person(name: str) -> tuple[str, list[str]]:
    """OFAC 'SURNAME, Given Names' -> (surname, given tokens split on space and hyphen)."""
    if "," in name:
        sur, given = name.split(",", 1)
    else:
        parts = name.split()
        sur, given = parts[0], " ".join(parts[1:])
    return sur.strip(), [g for g in re.split(r"[\s-]+", given.strip()) if g]


def _cap(t: str) -> str:
    return t[:1].upper() + t[1:].lower()


def typo(word: str, rnd: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rnd.randrange(1, len(word) - 1)
    op = rnd.choice(("swap", "drop", "double", "sub"))
    if op == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if op == "drop":
        return word[:i] + word[i + 1:]
    if op == "double":
        return word[:i] + word[i] + word[i:]
    vowels = "aeiou"
    c = word[i]
    rep = rnd.choice([v for v in vowels if v != c.lower()]) if c.lower() in vowels else rnd.choice("nmrstlk")
    return word[:i] + rep + word[i + 1:]


def person_variants(primary: str, apostrophe: str | None, rnd: random.Random, group: str) -> dict[str, str]:
    sur, given = _split_person(primary)
    mr_sur, mr_given = _split_person(apostrophe) if apostrophe else (sur, given)
    if len(mr_given) != len(given):
        mr_sur, mr_given = sur, given
    g = [_cap(x) for x in given]
    s = _cap(sur)
    # Korean: a Korean surname and a given name written as syllables ("Yong Chol"); only these
    # get Korean romanisations, joined and hyphenated given names.
    korean = sur.lower().replace("'", "") in KOREAN_MR_SURNAMES and len(given) >= 2 and all(
        _syllables(x.lower()) for x in given)
    out: dict[str, str] = {}
    if group == "dev":
        out["western"] = f"{' '.join(g)} {s}"
        if korean:
            out["joined_given"] = f"{''.join(g).capitalize()} {s}"
            out["hyphen_given"] = f"{s} {'-'.join(g).capitalize()}" if rnd.random() < 0.5 else \
                f"{'-'.join(g).capitalize()} {s}"
        out["upper_surname_first"] = f"{sur.upper()} {' '.join(given).upper()}"
        if korean:
            rr_given = [rr(x.lower()) for x in mr_given]
            rr_sur = _SURNAME_RR.get(sur.lower().replace("'", ""), _cap(rr(mr_sur.lower())))
            joined = "".join(rr_given).capitalize() if rnd.random() < 0.5 else " ".join(_cap(x) for x in rr_given)
            out["revised_romanisation"] = f"{joined} {_cap(rr_sur)}"
        k = rnd.randrange(len(g)) if g else 0
        out["typo"] = " ".join([*(typo(x, rnd) if i == k else x for i, x in enumerate(g)), s])
    elif korean:
        pop_given = "".join(popular(x) for x in mr_given).capitalize()
        pop_sur = _SURNAME_POPULAR.get(sur.lower().replace("'", ""), s)
        out["popular_joined"] = f"{pop_given} {pop_sur}"
        rr_given = [rr(x.lower()) for x in mr_given]
        rr_sur = _SURNAME_RR.get(sur.lower().replace("'", ""), _cap(rr(mr_sur.lower())))
        out["rr_hyphen_comma"] = f"{_cap(rr_sur)}, {'-'.join(rr_given).capitalize()}"
        jg = "".join(g).capitalize()
        out["typo_joined"] = f"{typo(jg, rnd)} {s}" if len(jg) >= 4 else f"{jg} {typo(s, rnd)}"
    else:
        out["surname_first_title"] = f"{s} {' '.join(g)}"
        k = rnd.randrange(len(g)) if g else 0
        out["typo_surname_first"] = " ".join([s, *(typo(x, rnd) if i == k else x for i, x in enumerate(g))])
    return {k: v for k, v in out.items() if v.strip()}


_LEGAL = [r"co\.?,? ltd\.?", r"company limited", r"corporation", r"corp\.?", r"limited", r"ltd\.?", r"llc",
          r"inc\.?", r"company", r"co\.?", r"pte\.? ltd\.?", r"jsc"]
_LEGAL_RE = re.compile(r"[\s,]+(?:" + "|".join(_LEGAL) + r")\s*$", re.IGNORECASE)
_FORMS = ["Co., Ltd.", "Corporation", "LLC", "Limited", "Inc.", "Company", "Corp.", "Co. Ltd"]


def _title(name: str) -> str:
    return " ".join(w.capitalize() if w.isalpha() else w.title() for w in name.lower().split())


def company_variants(primary: str, rnd: random.Random, group: str) -> dict[str, str]:
    base = _LEGAL_RE.sub("", primary).strip(" ,")
    has_form = base != primary.strip()
    t = _title(primary)
    out: dict[str, str] = {}
    if group == "dev":
        out["title_case"] = t
        out["legal_swap"] = f"{_title(base)} {rnd.choice(_FORMS)}"
        if has_form:
            out["legal_drop"] = _title(base)
        if " AND " in primary.upper() or "&" in primary:
            out["and_amp"] = re.sub(r"\bAND\b", "&", t, flags=re.IGNORECASE) if " AND " in primary.upper() \
                else t.replace("&", "and")
        words = _title(base).split()
        k = max(range(len(words)), key=lambda i: (len(words[i]), -i))
        out["typo"] = " ".join(typo(w, rnd) if i == k else w for i, w in enumerate(words)) + t[len(_title(base)):]
    else:
        if not has_form:
            out["legal_add"] = f"{_title(base)} {rnd.choice(_FORMS)}"
        ab = re.sub(r"\bCorporation\b", "Corp.", t)
        ab = re.sub(r"\bCompany\b", "Co.", ab)
        ab = re.sub(r"\bInternational\b", "Intl", ab)
        ab = re.sub(r"\bLimited\b", "Ltd.", ab)
        if ab != t:
            out["abbreviated"] = ab
        words = _title(base).split()
        k = rnd.randrange(len(words))
        out["typo_legal_swap"] = " ".join(typo(w, rnd) if i == k else w for i, w in enumerate(words)) + \
            f" {rnd.choice(_FORMS)}"
    return out


# -- negatives --------------------------------------------------------------------------------

KOREAN_SURNAMES = ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han", "Oh", "Seo",
                   "Shin", "Kwon", "Hwang", "Ahn", "Song", "Yoo", "Hong", "Jeon", "Ko", "Moon", "Yang", "Son", "Bae",
                   "Baek", "Heo", "Nam", "Noh", "Ha", "Kwak", "Sung", "Cha", "Joo", "Woo", "Koo", "Min", "Ryu", "Na"]
# Common given names of South Koreans born 1960-2000, as their holders romanise them.
KOREAN_GIVEN = ["Min-jun", "Seo-yeon", "Ji-hoon", "Ji-woo", "Hyun-woo", "Eun-ji", "Soo-jin", "Young-ho", "Ji-young",
                "Jae-hyun", "Min-seo", "Sung-min", "Hye-jin", "Dong-hyun", "Ji-hye", "Seung-woo", "Yu-jin",
                "Jin-woo", "Mi-kyung", "Sang-hoon", "Eun-young", "Jun-ho", "Hyo-jin", "Kyung-soo", "Ji-eun",
                "Sun-hee", "Jong-hoon", "Hye-won", "Tae-yang", "Da-eun", "Joon-young", "So-yeon", "Min-ji",
                "Ye-jin", "Hae-won", "In-ho", "Jae-won", "Su-bin", "Hyun-joo", "Mi-young", "Byung-hoon",
                "Chang-min", "Eun-kyung", "Hee-jung", "Jeong-ho", "Kyung-mi", "Myung-soo", "Nam-joon", "Seok-jin",
                "Yoon-ah", "Ha-neul", "Bo-ra", "Ga-eun", "Na-yeon", "Da-hye", "Woo-jin", "Jae-sung", "Seung-hyun"]
ENGLISH_GIVEN = ["David", "Grace", "Daniel", "Sarah", "Michael", "Jennifer", "John", "Esther", "Paul", "Christine",
                 "James", "Susan", "Peter", "Julie", "Andrew", "Hannah", "Steven", "Rachel", "Joseph", "Angela",
                 "Brian", "Helen", "Kevin", "Jenny", "Eugene", "Irene", "Samuel", "Joanne", "Timothy", "Sophia"]
REAL_COMPANIES = [
    "Hanmi Bank", "Shinhan Bank America", "Woori America Bank", "Pacific City Bank", "Open Bank",
    "Korea Exchange Bank", "Nara Bank", "Cathay Bank", "East West Bank", "Preferred Bank", "Hana Financial",
    "Samsung Electronics America, Inc.", "LG Electronics USA Inc", "Hyundai Motor America", "Kia America, Inc.",
    "SK hynix America Inc.", "Korean Air Lines Co., Ltd.", "Asiana Airlines Inc.", "H Mart Inc.", "Lotte Plaza",
    "CJ America Inc.", "Nongshim America Inc.", "Paris Baguette USA", "Tous Les Jours", "Coupang, Inc.",
    "Naver Corporation", "Kakao Corp.", "Doosan Bobcat North America", "Hanwha Q Cells America",
    "POSCO America Corporation", "Korea Investment Partners", "Seoul Trading LLC", "Busan Logistics Inc",
    "Daewoo Shipbuilding & Marine Engineering", "Hyosung USA Inc.", "Lotte Chemical USA",
    "Amorepacific US Inc", "Nexon America Inc.", "NCSoft West", "Krafton Inc.", "Pacific Rim Staffing LLC",
    "Golden Dragon Trading Co., Ltd.", "Jade Garden Restaurant", "Sunrise Travel Agency", "Oriental Trading Company",
]
_WORDS = ["Acme", "Global", "Pacific", "Sunrise", "Summit", "Pioneer", "Golden", "Silver", "Blue Ocean", "Evergreen",
          "Northstar", "Harbor", "Liberty", "Eagle", "Phoenix", "Horizon", "Keystone", "Atlas", "Orion", "Crescent",
          "Redwood", "Lotus", "Jade", "Dragon", "Mountain", "River", "Asia", "Eastern", "Western", "Central",
          "United", "First", "Prime", "Star", "Bright", "Green", "Diamond", "Royal", "Union", "Metro"]
_INDUSTRY = ["Trading", "Logistics", "Staffing", "Consulting", "Software", "Shipping", "Holdings", "Technology",
             "Solutions", "Development", "Industries", "Construction", "Investment", "Import Export", "Electronics",
             "Systems", "Services", "Partners", "Marine", "Energy", "Bank", "Capital", "Media", "Foods"]
_NEG_FORMS = ["LLC", "Inc.", "Co., Ltd.", "Corporation", "Ltd", "Limited", "Group", "Company", ""]


def _read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open(encoding="utf-8"), skipinitialspace=True))


def negatives(rnd: random.Random) -> list[tuple[str, str, str]]:
    """(origin, name, kind) of names that are not listed."""
    out: list[tuple[str, str, str]] = []
    febrl = [r for r in _read_csv(DATA / "febrl" / "dataset3.csv") if r["rec_id"].endswith("-org")
             and r["given_name"].strip() and r["surname"].strip()]
    for r in rnd.sample(febrl, 1000):
        out.append(("febrl", f"{_cap(r['given_name'].strip())} {_cap(r['surname'].strip())}", "person"))
    fake = sorted({(r["first_name"].strip(), r["surname"].strip()) for r in _read_csv(DATA / "splink" / "fake_1000.csv")
                   if r["first_name"].strip() and r["surname"].strip()})
    for f, s in fake:
        out.append(("splink_fake_1000", f"{f} {s}", "person"))
    glob = [r["full_name"] for r in _read_csv(DATA / "yente" / "validation_report" / "negatives_global.csv")]
    for n in rnd.sample(glob, 600):
        out.append(("yente_global", n, "person"))
    kor: set[str] = set()
    while len(kor) < 1000:
        s, pick = rnd.choice(KOREAN_SURNAMES), rnd.random()
        g = rnd.choice(KOREAN_GIVEN)
        if pick < 0.3:
            kor.add(f"{g} {s}")
        elif pick < 0.5:
            kor.add(f"{g.replace('-', '').capitalize()} {s}")
        elif pick < 0.6:
            kor.add(f"{s.upper()}, {g.replace('-', ' ').title()}")
        elif pick < 0.7:
            kor.add(f"{s} {g.replace('-', ' ').title()}")
        else:
            e = rnd.choice(ENGLISH_GIVEN)
            kor.add(f"{e} {s}" if pick < 0.9 else f"{e} {g.replace('-', '').capitalize()} {s}")
    out += [("korean_american", n, "person") for n in sorted(kor)]
    comp: set[str] = set()
    while len(comp) < 400:
        form = rnd.choice(_NEG_FORMS)
        comp.add(" ".join(x for x in (rnd.choice(_WORDS), rnd.choice(_INDUSTRY), form) if x))
    out += [("real_company", n, "company") for n in REAL_COMPANIES]
    out += [("generated_company", n, "company") for n in sorted(comp)]
    return out


# -- the set ----------------------------------------------------------------------------------

def _role(kind: str, rnd: random.Random) -> tuple[str, str]:
    if kind == "person":
        return rnd.choice((("worker", "Person"), ("worker", "Person"), ("reference", "Person"),
                           ("account holder", "Any")))
    return rnd.choice((("vendor company", "Company"), ("vendor company", "Company"), ("account holder", "Any")))


def _listed(eng: Any) -> list[tuple[str, str, str, str | None]]:
    """(entity id, schema, primary name, apostrophe alias) of DPRK-programme SDN persons and companies."""
    return [tuple(r) for r in eng.query("""
SELECT e.entity_id, e.schema, e.caption,
  min(n.name) FILTER (WHERE n.kind <> 'primary' AND n.name LIKE '%''%' AND e.schema = 'Person')
FROM intel_entities e JOIN intel_names n USING (list, entity_id)
WHERE e.list = 'ofac_sdn' AND e.programs LIKE '%DPRK%' AND e.schema IN ('Person', 'Organization')
GROUP BY e.entity_id, e.schema, e.caption ORDER BY e.schema, e.entity_id::INTEGER
""")]


def _same_name_keys(eng: Any) -> set[tuple[str, ...]]:
    """Every listed person's name as sorted letters-only syllables: a generated negative with
    the same syllables names a listed person and is dropped."""
    out = set()
    for (name,) in eng.query("SELECT n.name FROM intel_names n JOIN intel_entities e USING (list, entity_id) "
                             "WHERE e.schema = 'Person'"):
        out.add(_syl_key(name))
    return out


def _syl_key(name: str) -> tuple[str, ...]:
    toks = [t for t in re.split(r"[^a-z']+", name.lower()) if t]
    syl: list[str] = []
    for t in toks:
        got = _syllables(t)
        syl += [rr(x) for x in got] if got else [t]
    return tuple(sorted(syl))


def generate(out: Path) -> None:
    from unmask.engine import open_engine
    from unmask.sources.intel import load_default_or

    eng = open_engine(None, threads=1)
    load_default_or(eng, None)
    listed = _listed(eng)
    rows: list[dict[str, str]] = []
    for group, seed in (("dev", 13), ("held-out", 2027)):
        rnd = random.Random(seed)
        for eid, schema, caption, apos in listed:
            person = schema == "Person"
            vs = person_variants(caption, apos, rnd, group) if person else company_variants(caption, rnd, group)
            seen = {caption}
            for kind, name in vs.items():
                if name in seen:
                    continue  # a rewrite that changed nothing (a typo in a two-letter name) is not a case
                seen.add(name)
                role, sch = _role("person" if person else "company", rnd)
                rows.append({"name": name, "schema": sch, "role": role, "entity_id": eid, "listed_name": caption,
                             "listed_schema": schema, "kind": kind, "group": group})
    out.mkdir(parents=True, exist_ok=True)
    with (out / "positives.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, ["name", "schema", "role", "entity_id", "listed_name", "listed_schema", "kind",
                                "group"])
        w.writeheader()
        w.writerows(rows)
    rnd = random.Random(7)
    taken = _same_name_keys(eng)
    neg = []
    for origin, name, kind in negatives(rnd):
        if origin == "korean_american" and _syl_key(name) in taken:
            continue
        role, sch = _role(kind, rnd)
        neg.append({"name": name, "schema": sch, "role": role, "origin": origin})
    with (out / "negatives.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, ["name", "schema", "role", "origin"])
        w.writeheader()
        w.writerows(neg)
    print(f"{len(rows)} positives for {len(listed)} entities, {len(neg)} negatives written to {out}")


def evaluate(folder: Path, cut: float, show: str | None) -> None:
    from unmask.engine import open_engine
    from unmask.screen import index
    from unmask.sources.intel import load_default_or

    pos = _read_csv(folder / "positives.csv")
    neg = _read_csv(folder / "negatives.csv")
    eng = open_engine(None, threads=1)
    load_default_or(eng, None)
    index.build_list_index(eng)
    parties = [("row", f"p{i}", r["role"], r["name"], r["schema"], None, None, "positives.csv", i)
               for i, r in enumerate(pos)]
    parties += [("row", f"n{i}", r["role"], r["name"], r["schema"], None, None, "negatives.csv", i)
                for i, r in enumerate(neg)]
    index.set_parties(eng, parties)
    index.screen(eng)
    got: dict[str, dict[str, float]] = {}
    for sid, eid, score in eng.query("SELECT subject_id, entity_id, max(score) FROM screen_matches "
                                     "WHERE list = 'ofac_sdn' OR true GROUP BY ALL"):
        got.setdefault(sid, {})[eid] = max(score, got.get(sid, {}).get(eid, 0.0))
    by: dict[tuple[str, str], list[bool]] = {}
    for i, r in enumerate(pos):
        hit = got.get(f"p{i}", {}).get(r["entity_id"], 0.0) >= cut
        typ = "person" if r["listed_schema"] == "Person" else "company"
        by.setdefault((r["group"], f"{typ}:{r['kind']}"), []).append(hit)
        by.setdefault((r["group"], f"{typ} (all)"), []).append(hit)
        by.setdefault((r["group"], "all"), []).append(hit)
        if show in ("fn", r["group"]) and not hit and r["group"] == "dev":
            mine = got.get(f"p{i}", {})
            print(f"FN {r['kind']:22} {r['schema']:7} {r['name']!r} -> {r['listed_name']!r} "
                  f"(got {mine.get(r['entity_id'], 0.0):.2f}; best other {max(mine.values(), default=0):.2f})")
    fp: dict[str, list[bool]] = {}
    for i, r in enumerate(neg):
        best = max(got.get(f"n{i}", {}).values(), default=0.0)
        fp.setdefault(r["origin"], []).append(best >= cut)
        fp.setdefault("all", []).append(best >= cut)
        if show == "fp" and best >= cut:
            ents = got[f"n{i}"]
            print(f"FP {best:.2f} {r['schema']:7} {r['name']!r} -> {max(ents, key=lambda k: ents[k])}")
    print(f"recall at score >= {cut} (the listed entity found)")
    for (group, kind), hits in sorted(by.items()):
        print(f"  {group:8} {kind:34} {sum(hits) / len(hits):.3f}  ({sum(hits)}/{len(hits)})")
    print(f"false-positive rate at score >= {cut} (any listed entity)")
    for origin, hits in sorted(fp.items()):
        print(f"  {origin:34} {sum(hits) / len(hits):.4f}  ({sum(hits)}/{len(hits)})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, help="write the set into this folder")
    ap.add_argument("--eval", type=Path, help="screen the set in this folder and report")
    ap.add_argument("--cut", type=float, default=CUT)
    ap.add_argument("--show", choices=("fn", "fp"), help="list the dev kinds' misses or the false positives")
    a = ap.parse_args()
    if a.out:
        generate(a.out)
    if a.eval:
        evaluate(a.eval, a.cut, a.show)


if __name__ == "__main__":
    main()
