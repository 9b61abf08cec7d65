"""The scoring model's parts that unit tests can pin: cluster propagation and the bands and
propagation share that unmask.toml overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import bundle, dep, emp, findings, run, ship, signals_of
from unmask.config import ConfigError, load_config
from unmask.signals import SIGNALS
from unmask.sources import CSV_COLUMNS


def _farm(tmp_path: Path, toml: str = "") -> Path:
    # E1 is paid via a platform into a stranger's account (payroll evidence); E1 and E2 had
    # laptops shipped to the same flat far from both homes (the shipping link). E2 has no
    # evidence of its own beyond the link.
    emps = [emp("E1", "Ann Lee", "1 Oak St"), emp("E2", "Bo Park", "2 Elm St")]
    ships = [ship("S1", "E1", "4252 Hill Rd", "85212", "Mesa", "AZ", line2="Apt 2"),
             ship("S2", "E2", "4252 Hill Rd", "85212", "Mesa", "AZ", line2="Apt 2")]
    deps = [dep("E1", "77", "Dana Whitfield", method="platform", platform="Payoneer")]
    return bundle(tmp_path / "b", emps, shipments=ships, deposits=deps, toml=toml)


def test_cluster_evidence_flows_to_a_member_by_its_tie(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(_farm(tmp_path), out)
    e2 = signals_of(out, "E2")
    (prop,) = e2["cluster_propagation"]
    assert prop["strength"] == "weak" and prop["source"].startswith("clusters.jsonl#")
    assert "whose member E1 carries other evidence" in prop["detail"]
    assert "cluster_propagation" not in signals_of(out, "E1")  # E2 has nothing else to pass on
    payroll = ("account_holder_mismatch", "payout_platform_or_crypto")
    e1_payroll = sum(e["weight"] for e in findings(out)["E1"]["evidence"] if e["signal"] in payroll)
    assert e1_payroll > 0
    # share 0.25 x tie 0.5 (a medium link) x E1's evidence of other families than the link's
    # (shipping): its payroll rows, not its ship_to_far_from_home.
    assert prop["weight"] == pytest.approx(min(0.75, 0.25 * 0.5 * e1_payroll), abs=0.01)
    # Propagated weight is weak: it never lifts anyone to high on its own.
    assert findings(out)["E2"]["band"] in ("low", "medium")


def test_propagation_can_be_turned_off_and_bands_moved(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(_farm(tmp_path, "[scoring]\npropagation = 0\nbands = {high = 0.5, medium = 0.2}\n"), out)
    assert "cluster_propagation" not in signals_of(out, "E2")
    e1 = findings(out)["E1"]
    assert e1["score"] >= 0.5 and e1["band"] == "high"


def test_bad_scoring_settings_are_refused(tmp_path: Path) -> None:
    (tmp_path / "unmask.toml").write_text("[scoring]\npropagation = 2\nbands = {high = 0.95}\nodd = 1\n")
    with pytest.raises(ConfigError) as e:
        load_config(tmp_path, CSV_COLUMNS, tuple(s.id for s in SIGNALS))
    text = " ".join(str(p) for p in e.value.problems)
    assert "scoring.propagation" in text and "critical > high > medium" in text and "scoring.odd" in text


def test_risk_flows_along_referral_edges(tmp_path: Path) -> None:
    from tests.helpers import write_csv

    # E1 is paid into a stranger's account through a platform; C1 applied on E1's referral;
    # C2 applied on nobody's.
    emps = [emp("E1", "Ann Lee", "1 Oak St")]
    deps = [dep("E1", "77", "Dana Whitfield", method="platform", platform="Payoneer")]
    root = bundle(tmp_path / "b", emps, deposits=deps)
    write_csv(root / "hr/candidates.csv", ["candidate_id", "full_name", "email", "referred_by"], [
        {"candidate_id": "C1", "full_name": "Bo Park", "email": "bo@example.org", "referred_by": "E1"},
        {"candidate_id": "C2", "full_name": "Cy Diaz", "email": "cy@example.org", "referred_by": ""}])
    out = tmp_path / "out"
    run(root, out)
    (row,) = signals_of(out, "C1")["referral_propagation"]
    e1_total = sum(e["weight"] for e in findings(out)["E1"]["evidence"])
    assert row["strength"] == "weak" and row["detail"].startswith("referred by E1")
    assert row["weight"] == pytest.approx(min(0.75, 0.25 * 0.5 * e1_total), abs=0.01)
    assert row["source"] == "hr/candidates.csv:2"
    assert "C2" not in findings(out)
    assert findings(out)["C1"]["band"] in ("low", "medium")  # a referral alone never makes "high"


def test_a_giant_shared_identifier_does_not_make_one_farm(tmp_path: Path) -> None:
    # Twenty workers had laptops shipped to one coworking space; two of them also share a bank
    # account. Only the pair is a cluster; the address is listed as too widely shared.
    emps = [emp(f"E{i}", f"Worker{i} Name{i}", f"{i} Oak St") for i in range(20)]
    ships = [ship(f"S{i}", f"E{i}", "500 Market St", "94105", "San Francisco", "CA", line2="Floor 3")
             for i in range(20)]
    deps = [dep("E1", "555", "Worker1 Name1"), dep("E2", "555", "Worker2 Name2")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, shipments=ships, deposits=deps), out)
    clusters = [json.loads(x) for x in (out / "clusters.jsonl").read_text().splitlines()]
    assert [sorted(m["id"] for m in c["members"]) for c in clusters] == [["E1", "E2"]]
    assert "not used to join clusters" in (out / "report.html").read_text(encoding="utf-8")


def test_within_a_family_a_repeated_signal_halves_and_another_signal_counts_three_quarters(tmp_path: Path) -> None:
    # E1 and E2 are paid into one account held by a stranger: for each, two payroll signals (the
    # shared account and the holder), two facts about one account. E3 is paid into two strangers'
    # accounts: one signal twice, one fact restated.
    emps = [emp("E1", "Ann Lee", "1 Oak St"), emp("E2", "Bo Park", "2 Elm St"), emp("E3", "Cy Ross", "3 Ash St")]
    deps = [dep("E1", "555", "Dana Whitfield"), dep("E2", "555", "Dana Whitfield"),
            dep("E3", "601", "Tom Baker"), dep("E3", "602", "Mark Jensen", when="2026-08-15")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, deposits=deps), out)
    e1 = signals_of(out, "E1")
    assert {e["strength"] for rows in e1.values() for e in rows} == {"strong"}
    weights = sorted((e["weight"] for rows in e1.values() for e in rows), reverse=True)
    assert weights == pytest.approx([2.0, 1.5])
    e3 = sorted(e["weight"] for e in signals_of(out, "E3")["account_holder_mismatch"])
    assert e3 == pytest.approx([1.0, 2.0])
    f = findings(out)
    assert f["E1"]["band"] == "high", f["E1"]
    assert f["E3"]["band"] == "medium", [(e["signal"], e["strength"], e["weight"]) for e in f["E3"]["evidence"]]


def test_members_of_equal_weight_name_the_smallest_id_whatever_order_the_weights_add_in() -> None:
    """Sums of doubles depend on the order of addition (0.1+0.2+0.3 is not 0.3+0.2+0.1), which
    varies with the engine's threads: two members of equal weight must still name one lead,
    the same on every run and engine."""
    from unmask.engine import open_engine
    from unmask.score import _propagate

    eng = open_engine(None)
    eng.execute("CREATE TABLE cluster_members(cluster_id VARCHAR, subject_type VARCHAR, subject_id VARCHAR)")
    eng.execute("CREATE TABLE evidence(subject_type VARCHAR, subject_id VARCHAR, group_key VARCHAR, "
                "strength VARCHAR, via VARCHAR, family VARCHAR)")
    eng.execute("CREATE TABLE scored_evidence(subject_type VARCHAR, subject_id VARCHAR, signal VARCHAR, "
                "family VARCHAR, strength VARCHAR, source_file VARCHAR, line BIGINT, observed_at TIMESTAMPTZ, "
                "detail VARCHAR, weight DOUBLE, evidence_id VARCHAR, group_key VARCHAR)")
    for who in ("X", "A", "B"):
        eng.execute("INSERT INTO cluster_members VALUES ('C1', 'employee', ?)", [who])
        eng.execute("INSERT INTO evidence VALUES ('employee', ?, 'g1', 'medium', 'ship_to_address', 'shipping')",
                    [who])
    # B's weights, added in this order, sum to 0.6000000000000001 as doubles; A's to 0.6.
    for who, weights in (("B", (0.1, 0.2, 0.3)), ("A", (0.3, 0.2, 0.1))):
        for n, w in enumerate(weights):
            eng.execute("INSERT INTO scored_evidence (subject_type, subject_id, signal, family, strength, weight, "
                        "evidence_id) VALUES ('employee', ?, 's', 'payroll', 'medium', ?, ?)", [who, w, f"{who}{n}"])
    assert 0.1 + 0.2 + 0.3 != 0.3 + 0.2 + 0.1
    _propagate(eng, 0.25)
    (detail,) = eng.query("SELECT detail FROM scored_evidence WHERE subject_id = 'X' "
                          "AND signal = 'cluster_propagation'")[0]
    eng.close()
    assert "whose member A carries other evidence of weight 0.6" in detail
