"""Screening that knows what it compares: entity types from the lists' FollowTheMoney schema,
Korean given names written as one word or in another romanisation, middle names and
nicknames that must not carry a match, and the fairness of all of it to unlisted names.

Against the shipped lists (OFAC SDN, OFAC Consolidated, UN SC). The DPRK set
(``tests/data/dprk_screen``, made by ``bench/dprk_set.py``) is every DPRK-programme SDN person
and company written the ways exports write them, and real-looking names that are not listed.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import Any

import pytest

from bench.dprk_set import KOREAN_SURNAMES
from tests.helpers import DATA
from unmask.engine import Engine, open_engine
from unmask.screen import index
from unmask.sources.intel import load_default_or
from unmask.values import romanise
from unmask.values.screen_names import compare, fold, loose_fold

SET = DATA / "dprk_screen"
CUT = 0.85


@pytest.fixture(scope="module")
def lists() -> Engine:
    eng = open_engine(None, threads=1)
    load_default_or(eng, None)
    index.build_list_index(eng)
    return eng


def screen(eng: Engine, rows: Sequence[tuple[str, str]]) -> dict[int, dict[str, float]]:
    """Best score per listed entity for each (name, schema) row."""
    index.set_parties(eng, [("row", str(i), "q", n, s, None, None, "t", i) for i, (n, s) in enumerate(rows)])
    index.screen(eng)
    out: dict[int, dict[str, float]] = {i: {} for i in range(len(rows))}
    for sid, eid, score in eng.query("SELECT subject_id, entity_id, max(score) FROM screen_matches GROUP BY ALL"):
        out[int(sid)][eid] = score
    return out


def schema_of(eng: Engine, entity_id: str) -> str:
    return str(eng.query("SELECT schema FROM intel_entities WHERE entity_id = ?", [entity_id])[0][0])


# -- 1. entity types ----------------------------------------------------------------------------

def test_a_person_never_meets_a_vessel_an_aircraft_or_an_organisation(lists: Engine) -> None:
    # OFAC 27310 is the vessel EMMA a.k.a. JASMINE; 15060 the vessel HORIZON; 12312 KOREA
    # DAESONG BANK; 43377 KIM, Sang Man. An account holder (Any) is a person or a company.
    got = screen(lists, [("Jasmine", "Any"), ("Emma", "Person"), ("Horizon", "Company"),
                         ("Korea Daesong Bank", "Person"), ("Sang Man Kim", "Company"),
                         ("Korea Daesong Bank", "Any"), ("Sang Man Kim", "Any"), ("Horizon", "Vessel")])
    assert "27310" not in got[0] and "27310" not in got[1]
    assert "15060" not in got[2]
    assert "12312" not in got[3] and "43377" not in got[4]
    for row in (0, 1, 2, 3, 4):  # whatever they meet, it is of their own kind
        kinds = {schema_of(lists, e) for e, s in got[row].items() if s >= CUT}
        assert not kinds & {"Vessel", "Airplane"}
    # The same names, screened as what they are, are found.
    assert got[5]["12312"] >= 0.95 and got[6]["43377"] >= 0.95 and got[7]["15060"] >= 0.95


def test_given_names_in_hangul_or_chinese_do_not_meet_organisations(lists: Engine) -> None:
    # Given names alone (two syllables), as account holders write them, against every list.
    names = ["광명", "철", "영철", "金哲", "明", "성철", "은정", "광선"]
    got = screen(lists, [(n, "Any") for n in names])
    for row, name in enumerate(names):
        assert all(s < CUT for s in got[row].values()), (name, got[row])


# -- 2. Korean given names written every way ----------------------------------------------------

def test_syllable_fold_is_principled_and_applies_to_every_name() -> None:
    assert fold("cheol") == fold("chol") == fold("jol")
    assert fold("gwang") == fold("kwang") and fold("jeong") == fold("chong") == fold("jong")
    assert fold("pak") == fold("park") == fold("bak") and fold("ri") == fold("lee") == fold("yi")
    # A joined given name folds to its syllables' folds joined, wherever the cut falls.
    assert fold("gildong") == fold("gil") + fold("dong") == fold("kiltong")
    assert fold("songil") == fold("song") + fold("il")
    assert loose_fold("chul") == loose_fold("chol") and fold("chul") != fold("chol")
    assert loose_fold("yeom") == loose_fold("ryom")  # the initial-sound rule of ROK usage
    # Words that are not syllables are left alone, and unrelated words do not meet.
    assert romanise.syllables("walker") is None and romanise.syllables("smith") is None
    assert fold("min") != fold("man") and fold("jun") != fold("jin")


@pytest.mark.parametrize(("party", "entity"), [
    ("Sangman Kim", "43377"), ("Gildong Hong", None), ("Yongchol Kim", "17614"), ("Yong-Chol Kim", "17614"),
    ("Yeongcheol Gim", "17614"), ("Youngchul Kim", "17614"), ("Kwanghun Park", "23516"),
    ("Gwang-hun Bak", "23516"), ("Songchol Lee", "20121"), ("KIM YONG CHOL", "17614"),
])
def test_korean_names_joined_hyphenated_and_romanised_are_found(lists: Engine, party: str,
                                                                 entity: str | None) -> None:
    if entity is None:  # the example, not a listed name: the score alone
        assert compare(party, "HONG, Gil Dong") >= 0.95
        return
    got = screen(lists, [(party, "Person"), (party, "Any")])
    assert got[0].get(entity, 0) >= 0.9 and got[1].get(entity, 0) >= 0.9, got


@pytest.mark.parametrize(("party", "listed"), [
    ("Jong Chol Kim", "KIM, Yong Chol"),  # another syllable (종 / 영)
    ("Minjun Kim", "KIM, Man Chun"),  # vowels are syllables: 민준 is not 만춘
    ("Seunghyun Kim", "KIM, Song Hun"),
    ("Chang-min Kim", "KANG, Min"),
    ("Yu-jin Oh", "YU, Jin"),  # a hyphenated given name is one name
    ("Jonghoon Kim", "KIM, Jong Un"),
])
def test_korean_look_alikes_stay_apart(party: str, listed: str) -> None:
    assert compare(party, listed) < CUT


# -- 3. nicknames and middle names --------------------------------------------------------------

def test_a_middle_name_or_nickname_does_not_carry_the_match() -> None:
    assert compare("Anna Kate Smith", "SMITH, Katherine") < CUT  # Kate is a middle name here
    assert compare("John Robert Smith", "SMITH, Robert") < CUT
    assert compare("Kate Anna Smith", "SMITH, Anna") < CUT
    # The listed given name, or its nickname, as the party's own given name still meets.
    assert compare("Kate Smith", "SMITH, Katherine") >= 0.9
    assert compare("Katherine Anne Smith", "SMITH, Katherine") >= 0.9
    assert compare("John Smith", "SMITH, John Robert") >= 0.9
    # A party known by one of a listed person's names (lists carry full names).
    assert compare("Boris Johnson", "JOHNSON, Alexander Boris de Pfeffel") >= 0.85


# -- 4. the DPRK set, and fairness ---------------------------------------------------------------

def _read(name: str) -> list[dict[str, Any]]:
    return list(csv.DictReader((SET / name).open(encoding="utf-8")))


def test_dprk_set_recall_and_false_positives(lists: Engine) -> None:
    pos, neg = _read("positives.csv"), _read("negatives.csv")
    got = screen(lists, [(r["name"], r["schema"]) for r in pos] + [(r["name"], r["schema"]) for r in neg])
    hits: dict[str, list[bool]] = {}
    for i, r in enumerate(pos):
        hits.setdefault(r["group"], []).append(got[i].get(r["entity_id"], 0) >= CUT)
    recall = {g: sum(h) / len(h) for g, h in hits.items()}
    assert recall["dev"] >= 0.97 and recall["held-out"] >= 0.92, recall
    fp: dict[str, list[bool]] = {}
    for i, r in enumerate(neg, start=len(pos)):
        fp.setdefault(r["origin"], []).append(max(got[i].values(), default=0) >= CUT)
    rate = {o: sum(h) / len(h) for o, h in fp.items()}
    overall = sum(sum(h) for h in fp.values()) / len(neg)
    assert overall <= 0.01, rate
    # Fairness: ordinary Korean-American names are not hit more often than names of other
    # origins (FEBRL, Splink fake_1000, yente's global negatives), within the budget.
    others = [x for o in ("febrl", "splink_fake_1000", "yente_global") for x in fp[o]]
    assert rate["korean_american"] <= max(0.01, sum(others) / len(others)), rate


def test_common_korean_surnames_alone_never_match(lists: Engine) -> None:
    rows = [(s, schema) for s in KOREAN_SURNAMES + ["Ri", "Pak", "Choe", "Jong", "Rim"] for schema in ("Person", "Any")]
    got = screen(lists, rows)
    assert all(s < CUT for g in got.values() for s in g.values())
