"""Sanctions list loaders (OFAC XML, UN XML, FollowTheMoney), the name matcher and
``unmask screen`` / ``unmask intel show``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import DATA
from unmask.cli import app
from unmask.engine import open_engine
from unmask.sources.intel import load_lists
from unmask.values.ofac_scale import ofac_score
from unmask.values.screen_names import compare, fold, prepare

# The layout of OFAC's sdn.xml (sdnList / sdnEntry), crafted: no XML copy of the list is
# in ../shared/data. Values are those of the real entries 43377 and 24977 in sdn.csv.
OFAC_XML = """<?xml version="1.0" standalone="yes"?>
<sdnList xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML">
  <publshInformation><Publish_Date>11/20/2026</Publish_Date><Record_Count>3</Record_Count></publshInformation>
  <sdnEntry>
    <uid>43377</uid><firstName>Sang Man</firstName><lastName>KIM</lastName><sdnType>Individual</sdnType>
    <programList><program>DPRK4</program></programList>
    <akaList><aka><uid>1</uid><type>a.k.a.</type><category>strong</category><lastName>KIM</lastName>
      <firstName>Sangman</firstName></aka></akaList>
    <dateOfBirthList><dateOfBirthItem><uid>2</uid><dateOfBirth>25 Apr 1965</dateOfBirth></dateOfBirthItem>
    </dateOfBirthList>
    <nationalityList><nationality><uid>3</uid><country>Korea, North</country></nationality></nationalityList>
    <idList><id><uid>4</uid><idType>Digital Currency Address - XBT</idType>
      <idNumber>1Kuf2Rd8mDyAViwBozGTNYnvWL8uYFrkVo</idNumber></id>
      <id><uid>5</uid><idType>Email Address</idType><idNumber>Kim.SM@Example.KP</idNumber></id></idList>
  </sdnEntry>
  <sdnEntry>
    <uid>24977</uid><lastName>YANBIAN SILVERSTAR NETWORK TECHNOLOGY CO., LTD.</lastName><sdnType>Entity</sdnType>
    <programList><program>DPRK3</program><program>DPRK4</program></programList>
    <addressList><address><uid>6</uid><city>Yanji</city><country>China</country></address></addressList>
  </sdnEntry>
  <sdnEntry><uid>9</uid><sdnType>Entity</sdnType></sdnEntry>
</sdnList>
"""


def test_ofac_xml_entries_aliases_dates_and_ids(tmp_path: Path) -> None:
    (tmp_path / "sdn.xml").write_text(OFAC_XML, encoding="utf-8")
    eng = open_engine(None)
    (lst,), rejects = load_lists(eng, tmp_path, "bundle", "intel/sanctions/")
    assert (lst.id, lst.published) == ("ofac_sdn", "2026-11-20")
    assert lst.files[0].loaded == 2
    # The entry without a name is rejected with its ordinal, not dropped in silence.
    assert [(f, r.line, r.reason) for f, r in rejects] == [
        ("intel/sanctions/sdn.xml", 3, "record without uid or name")]
    kim = eng.query("SELECT caption, schema, birth_dates, nationalities FROM intel_entities WHERE entity_id = '43377'")
    assert kim == [("KIM, Sang Man", "Person", ["1965-04-25"], ["kp"])]
    assert sorted(eng.query("SELECT name, kind FROM intel_names WHERE entity_id = '43377'")) == [
        ("KIM, Sang Man", "primary"), ("KIM, Sangman", "a.k.a.")]
    assert sorted(eng.query("SELECT kind, value FROM intel_iocs")) == [
        ("crypto_address", "1Kuf2Rd8mDyAViwBozGTNYnvWL8uYFrkVo"), ("email", "kim.sm@example.kp")]
    ybs = eng.query("SELECT programs, countries FROM intel_entities WHERE entity_id = '24977'")
    assert ybs == [("DPRK3, DPRK4", ["cn"])]


def test_xml_that_is_broken_or_hostile_is_rejected_whole(tmp_path: Path) -> None:
    bomb = ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&b;</FIRST_NAME></INDIVIDUAL>"
            "</INDIVIDUALS></CONSOLIDATED_LIST>")
    (tmp_path / "un.xml").write_text(bomb, encoding="utf-8")
    (tmp_path / "cut.xml").write_text("<sdnList><sdnEntry><uid>1</uid>", encoding="utf-8")
    eng = open_engine(None)
    lists, rejects = load_lists(eng, tmp_path, "bundle", "")
    assert lists == []
    assert sorted(f for f, _ in rejects) == ["cut.xml", "un.xml"]
    assert all(r.line is None and "not a readable XML list" in r.reason for _, r in rejects)
    assert any("EntitiesForbidden" in r.reason for _, r in rejects)


def test_un_xml_record_without_name_is_rejected(tmp_path: Path) -> None:
    xml = ('<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09Z"><INDIVIDUALS>'
           "<INDIVIDUAL><REFERENCE_NUMBER>KPi.900</REFERENCE_NUMBER><FIRST_NAME>PAK</FIRST_NAME>"
           "<SECOND_NAME>IL KYU</SECOND_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE>"
           "<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><YEAR>1962</YEAR>"
           "</INDIVIDUAL_DATE_OF_BIRTH></INDIVIDUAL>"
           "<INDIVIDUAL><REFERENCE_NUMBER>KPi.901</REFERENCE_NUMBER></INDIVIDUAL>"
           "</INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>")
    (tmp_path / "consolidated.xml").write_text(xml, encoding="utf-8")
    eng = open_engine(None)
    (lst,), rejects = load_lists(eng, tmp_path, "bundle", "")
    assert (lst.id, lst.published, lst.files[0].loaded) == ("un_sc", "2026-02-27", 1)
    assert [(r.line, r.reason) for _, r in rejects] == [(2, "record without reference number or name")]
    assert eng.query("SELECT caption, birth_dates, programs FROM intel_entities") == [
        ("PAK IL KYU", ["1962"], "UN DPRK")]


def test_followthemoney_entities_through_the_library(tmp_path: Path) -> None:
    # Real FtM data (nomenklatura's donations fixture): 474 entities, of which the parties
    # (Person, Company, Organization) are kept; addresses and payments are context.
    src = DATA / "nomenklatura" / "fixtures" / "donations.ijson"
    lines = src.read_text(encoding="utf-8").splitlines()
    wallet = {"id": "w1", "schema": "CryptoWallet", "properties": {"publicKey": ["0xdeadbeef"], "holder": ["p1"]}}
    person = {"id": "p1", "schema": "Person", "last_change": "2026-10-01T00:00:00",
              "properties": {"name": ["Pak Jin Hyok"], "alias": ["Jin Hyok Pak"], "birthDate": ["1984"],
                             "nationality": ["kp"], "email": ["PJH@example.kp"], "program": ["DPRK3"]}}
    (tmp_path / "entities.ftm.json").write_text(
        "\n".join([*lines, json.dumps(wallet), json.dumps(person), "{not json", '{"schema": "Nope"}']) + "\n",
        encoding="utf-8")
    eng = open_engine(None)
    (lst,), rejects = load_lists(eng, tmp_path, "bundle", "intel/sanctions/")
    assert lst.published == "2026-10-01"
    assert sorted((r.line, r.reason.split(":")[0]) for _, r in rejects) == [
        (len(lines) + 3, "not a FollowTheMoney entity"), (len(lines) + 4, "not a FollowTheMoney entity")]
    schemas = dict(eng.query("SELECT schema, count(*) FROM intel_entities GROUP BY schema"))
    assert set(schemas) == {"Person", "Company", "Organization"}
    expected = sum(1 for x in lines if json.loads(x)["schema"] in ("Person", "Company", "Organization")) + 1
    assert lst.files[0].loaded == expected
    assert eng.query("SELECT birth_dates, nationalities, programs FROM intel_entities WHERE entity_id = 'p1'") == [
        (["1984"], ["kp"], "DPRK3")]
    assert sorted(eng.query("SELECT entity_id, kind, value FROM intel_iocs")) == [
        ("p1", "crypto_address", "0xdeadbeef"), ("p1", "email", "pjh@example.kp")]


# -- the name matcher -------------------------------------------------------------------------

@pytest.mark.parametrize("variant", ["Kim Sang Man", "Kim Sang-man", "Gim Sangman", "KIM, Sang Man", "김상만"])
def test_romanisations_and_hangul_meet(variant: str) -> None:
    assert compare(variant, "KIM, Sang Man") >= 0.95


def test_fold_is_about_spelling_not_origin() -> None:
    assert fold("gim") == fold("kim") and fold("jeong") == fold("chong") == fold("jong")
    assert fold("park") == fold("pak") and fold("lee") == fold("ri")
    # The same rules apply to every name; they do not make unrelated names meet.
    assert compare("Emily Walker", "Emma Walters") < 0.8


def test_legal_forms_and_order() -> None:
    assert compare("Yanbian Silverstar Network Technology Co., Ltd.",
                   "YANBIAN SILVERSTAR NETWORK TECHNOLOGY CO., LTD.", "Company") == 1.0
    assert compare("Korea Sobaeksu United Corp", "KOREA SOBAEKSU UNITED CORPORATION", "Company") == 1.0
    assert compare("PUTIN, Vladimir", "Vladimir Putin") == 1.0


def test_near_miss_and_numbers_are_different() -> None:
    assert compare("Alexander Lukashevich", "Alexander Lukashenko") < 0.85
    assert compare("Management Company 23", "Management Company 24", "Company") < 0.85
    assert compare("Bashar al-Assad", "Hafez al-Assad") < 0.85
    # A typo or a transposition is still the same name.
    assert compare("Donlad Trump", "Donald Trump") >= 0.9
    assert compare("Olaf Scholze", "Olaf Scholz") >= 0.9


def test_one_token_never_identifies() -> None:
    assert compare("Kim", "KIM, Sang Man") <= 0.75
    assert prepare("The Company", "Company").tokens  # a name of stop words keeps them


def test_ofac_scale_on_the_published_examples() -> None:
    assert ofac_score("VLADIMIR PUTIN", "PUTIN, Vladimir") == 100
    assert abs(ofac_score("PUTIN", "PUTINA, Maria") - 97) <= 5


# -- the commands ---------------------------------------------------------------------------

def test_screen_command_writes_a_line_per_row(tmp_path: Path) -> None:
    names = tmp_path / "names.csv"
    names.write_text(
        "Name,Schema,Birth_Date,Country\n"
        "Kim Sang-man,Person,25 Apr 1965,\n"
        ",Person,,\n"
        "Volasys Silver Star,Company,,\n"
        "KIM Sang Man,Person,1991,\n"  # the common-name guard: another birth year
        '"=HYPERLINK(""http://x"")",,,\n', encoding="utf-8")
    out = tmp_path / "hits.jsonl"
    res = CliRunner().invoke(app, ["screen", str(names), "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["row"] for r in rows] == [2, 3, 4, 5, 6]
    kim = rows[0]["matches"][0]
    assert (kim["list"], kim["entity_id"], kim["components"]["dob"]) == ("ofac_sdn", "43377", "same date")
    assert kim["score"] >= 0.95 and kim["components"]["ofac"] >= 90
    assert rows[1]["error"] == "empty name"
    assert rows[2]["matches"][0]["entity_id"] == "24978"
    assert set(kim["components"]) == {"name", "ofac", "dob", "nationality", "country"}
    assert all(m["components"]["dob"] != "different year" for m in rows[3]["matches"])
    assert rows[3]["matches"] == [] or rows[3]["matches"][0]["score"] < 0.7
    assert rows[4]["matches"] == []


def test_screen_command_refuses_a_file_without_names(tmp_path: Path) -> None:
    bad = tmp_path / "x.csv"
    bad.write_text("who,when\nA,1\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["screen", str(bad)])
    assert res.exit_code == 2 and "no 'name' column" in res.output and "Traceback" not in res.output


def test_intel_show_lists_what_a_scan_uses(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["intel", "show"])
    assert res.exit_code == 0, res.output
    for text in ("OFAC SDN", "OFAC Consolidated", "UN Security Council", "2026-02-27"):
        assert text in res.output
    (tmp_path / "intel" / "sanctions").mkdir(parents=True)
    (tmp_path / "intel" / "sanctions" / "sdn.xml").write_text(OFAC_XML, encoding="utf-8")
    res = CliRunner().invoke(app, ["intel", "show", str(tmp_path)])
    assert res.exit_code == 0 and "2026-11-20" in res.output and "UN Security" not in res.output


def test_names_are_scored_once_however_many_parties_bear_them(monkeypatch: pytest.MonkeyPatch) -> None:
    # "Python functions run once per distinct value": a bank on 20,000 deposits, or one name in
    # many roles, is keyed and scored once; the parties join back in SQL.
    from unmask.screen import index
    from unmask.sources.intel import load_default_or
    from unmask.values import udfs

    calls = {"score": 0, "keys": 0}
    real_score, real_keys = udfs.name_score, udfs.block_keys

    def score(a: object, b: object) -> float:
        calls["score"] += 1
        return real_score(a, b)  # type: ignore[arg-type]

    def keys(name: str | None, schema: str) -> list[str]:
        calls["keys"] += 1
        return real_keys(name, schema)

    eng = open_engine(None)
    load_default_or(eng, None)
    index.build_list_index(eng)
    monkeypatch.setattr(udfs, "name_score", score)
    monkeypatch.setattr(udfs, "block_keys", keys)
    rows = [("employee", f"E{i}", "worker", "KIM Yong Chol", "Person", None, None, "hr/employees.csv", i + 2)
            for i in range(40)]
    rows.append(("employee", "E99", "worker", "Ann Lee", "Person", None, None, "hr/employees.csv", 99))
    index.set_parties(eng, rows)
    index.screen(eng)
    matched = {r[0] for r in eng.query("SELECT subject_id FROM screen_matches")}
    eng.close()
    assert calls["keys"] == 2  # two distinct names
    assert 0 < calls["score"] <= 2 * index.TOP_CANDIDATES
    assert {f"E{i}" for i in range(40)} <= matched  # every bearer of the listed name is matched


@pytest.mark.parametrize(("written", "listed"), [
    ("YANBIAN SILVER STAR NETWORK TECH CO LTD", "YANBIAN SILVERSTAR NETWORK TECHNOLOGY CO., LTD."),
    ("Chinyong Info Tech Coop Co", "CHINYONG INFORMATION TECHNOLOGY COOPERATION COMPANY"),
    ("Korea Sobaeksu Trdg Intl Corp", "KOREA SOBAEKSU TRADING COMPANY"),
])
def test_a_front_company_abbreviated_as_registers_do_is_still_decisive(written: str, listed: str) -> None:
    # A payroll vendor file shortens words ("TECH", "INTL", "INFO"); the listed front company must
    # still score at the decisive level (sanctions_name_match: organisations at >= 0.92).
    from unmask.values.udfs import _screen_name_score

    score = _screen_name_score(written, listed, "Company", "Organization")
    if "Trdg" in written:  # "Trdg" is no abbreviation we read, and a class word besides: not decisive
        assert score < 0.92
    else:
        assert score >= 0.92


def test_abbreviations_do_not_make_different_companies_meet() -> None:
    from unmask.values.udfs import _screen_name_score

    assert _screen_name_score("Yanbian Network Services Co", "YANBIAN SILVERSTAR NETWORK TECHNOLOGY CO., LTD.",
                              "Company", "Organization") < 0.88
    assert _screen_name_score("Dev Patel", "DEVELOPMENT PATEL", "Person", "Person") < 0.92  # people's names untouched


def test_index_keys_are_a_new_list_each_call() -> None:
    # The keys are cached per name: a caller that changes its list changes no later answer.
    from unmask.values.screen_names import block_keys

    keys = block_keys("Kim Sang Man", "Person")
    assert "kim" in keys and keys == sorted(keys)
    keys.append("zz-not-a-key")
    assert "zz-not-a-key" not in block_keys("Kim Sang Man", "Person")


def test_ofac_csv_files_are_read_fast_without_their_marker_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real files end with a line that is only Ctrl-Z: read by the fast reader (the record by
    # record one is refused here), every record kept with its own line, the marker no reject.
    import shutil

    from unmask.engine.duckdb import DuckDBEngine
    from unmask.sources.intel import SHIPPED

    for name in ("sdn.csv", "alt.csv"):
        shutil.copyfile(SHIPPED / "ofac" / name, tmp_path / name)
    monkeypatch.setattr(DuckDBEngine, "_csv_slow", lambda *a, **k: pytest.fail("read record by record"))
    eng = open_engine(None)
    lists, rejects = load_lists(eng, tmp_path, "bundle", "intel/sanctions/")
    assert rejects == []
    records = (tmp_path / "sdn.csv").read_bytes().count(b"\n")  # the marker line has no line end
    assert {f.file: f.loaded for f in lists[0].files}["intel/sanctions/sdn.csv"] == records
    assert eng.query("SELECT min(line), max(line) FROM intel_entities WHERE source_file LIKE '%sdn.csv'") == [
        (1, records)]
    # A file with a short record inside is still read (record by record) and the record named.
    monkeypatch.undo()
    monkeypatch.setenv("UNMASK_TOKEN_KEY", "6b" * 32)
    body = (tmp_path / "sdn.csv").read_bytes().split(b"\r\n")
    (tmp_path / "sdn.csv").write_bytes(b"\r\n".join([*body[:5], b'99999,"SHORT"', *body[5:]]))
    lists, rejects = load_lists(open_engine(None), tmp_path, "bundle", "intel/sanctions/")
    assert [(f, r.line) for f, r in rejects] == [("intel/sanctions/sdn.csv", 6)]
