"""Cluster verdicts (unmask/link/verdicts.py): kind, roles, the cluster's own score, and
persona networks scored as networks, with the benign look-alikes a recruiter and a couple make."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.helpers import bundle, dep, emp, findings, jsonl, run, ship, write_csv

CAND_COLS = ["candidate_id", "full_name", "email", "phone", "country", "github_url", "applied_at"]
REF_COLS = ["candidate_id", "reference_name", "reference_email", "reference_phone", "relationship"]
SCHEMA = json.loads((Path(__file__).parent.parent / "unmask/schemas/cluster.schema.json").read_text())
NAMES = ["Ryan Mitchell", "Jason Carter", "Emily Brooks", "Kevin Hart", "Laura Chen", "Mark Davis", "Nina Lopez",
         "Omar Haddad", "Paula Reyes", "Quinn Baker", "Rosa Diaz", "Sam Wood"]


def _clusters(out: Path) -> list[dict[str, Any]]:
    rows = jsonl(out / "clusters.jsonl")
    for r in rows:
        jsonschema.validate(r, SCHEMA)
    return rows


def _of(clusters: list[dict[str, Any]], member: str) -> dict[str, Any]:
    got = [c for c in clusters if member in {m["id"] for m in c["members"]}]
    assert len(got) == 1, f"{member} is in {len(got)} clusters"
    return got[0]


def _roles(cluster: dict[str, Any]) -> dict[str, str]:
    return {m["id"]: m["role"] for m in cluster["members"]}


def _applicants(root: Path, cands: list[dict[str, str]], refs: list[dict[str, str]]) -> Path:
    bundle(root, [emp("E1", "Ann Lee")])
    write_csv(root / "hr/candidates.csv", CAND_COLS, cands)
    write_csv(root / "hr/references.csv", REF_COLS, refs)
    return root


def _cand(i: int, **kw: str) -> dict[str, str]:
    row = {"candidate_id": f"C{i}", "full_name": NAMES[i], "email": f"{NAMES[i].split()[0].lower()}{i}@mail.example",
           "phone": f"+1 614 555 {1000 + i}", "country": "US", "applied_at": "2026-06-01"}
    row.update(kw)
    return row


def test_a_persona_joined_by_one_phone_is_scored_with_its_network(tmp_path: Path) -> None:
    # Five personas give the same referee and profiles from one operator's naming; a sixth
    # shares only a phone with one of them. Alone, one shared phone leaves it at medium.
    cands = [_cand(i, github_url=f"https://github.com/devstar{i % 2}") for i in range(5)]
    cands.append(_cand(5, phone=cands[0]["phone"]))
    refs = [{"candidate_id": f"C{i}", "reference_name": "J. Smith", "reference_email": "jsmith.ref@mail.example",
             "reference_phone": "+1 212 555 0100", "relationship": "manager"} for i in range(5)]
    out = tmp_path / "out"
    run(_applicants(tmp_path / "b", cands, refs), out)
    net = _of(_clusters(out), "C5")
    assert net["kind"] == "persona_network"
    assert set(_roles(net).values()) == {"applicant"}
    f = findings(out)
    rows = [e for e in f["C5"]["evidence"] if e["signal"] == "persona_network"]
    assert len(rows) == 1 and rows[0]["strength"] == "strong", f["C5"]["evidence"]
    assert f["C5"]["band"] in ("high", "critical")
    assert net["verdict"]["band"] in ("high", "critical")
    assert "persona network: 6 people" in net["verdict"]["summary"]


def test_a_recruiters_referee_is_no_persona_network(tmp_path: Path) -> None:
    # Look-alike (indicators.md §3.B): a staffing agency gives one referee, e-mail and phone,
    # for every applicant it places. One kind of tie, not a network of personas.
    cands = [_cand(i) for i in range(6)]
    refs = [{"candidate_id": f"C{i}", "reference_name": "Agency Desk", "reference_email": "desk@staffing.example",
             "reference_phone": "+1 212 555 0199", "relationship": "recruiter"} for i in range(6)]
    out = tmp_path / "out"
    run(_applicants(tmp_path / "b", cands, refs), out)
    # The referee's rows stay evidence (medium), but a referee shared with nothing else joins no
    # cluster (link/__init__.py).
    assert not [c for c in _clusters(out) if "C0" in {m["id"] for m in c["members"]}]
    f = findings(out)
    assert any(e["signal"] == "shared_contact" for e in f["C0"]["evidence"])
    assert not [e for r in f.values() for e in r["evidence"] if e["signal"] == "persona_network"]
    assert all(r["band"] not in ("high", "critical") for r in f.values())


def test_three_applicants_get_a_medium_network_row(tmp_path: Path) -> None:
    # A small network (three) is a medium row: enough to join the network's evidence, not
    # enough to lift a member with nothing else to high.
    cands = [_cand(0), _cand(1, phone=_cand(0)["phone"]), _cand(2, github_url="https://github.com/x1")]
    cands[1]["github_url"] = "https://github.com/x1"
    out = tmp_path / "out"
    run(_applicants(tmp_path / "b", cands, []), out)
    rows = {sid: [e for e in r["evidence"] if e["signal"] == "persona_network"] for sid, r in findings(out).items()}
    assert {sid: [e["strength"] for e in ev] for sid, ev in rows.items() if ev} == {
        "C0": ["medium"], "C1": ["medium"], "C2": ["medium"]}


def test_farm_roles_and_verdict(tmp_path: Path) -> None:
    # E1 lives at 9 Elm St and receives the laptops of E2 and E3, who declare homes elsewhere:
    # E1 hosts, E2 and E3 are the farm's workers. E4 and E5 are a couple: one home, laptops
    # there, a joint account. No cluster for them.
    emps = [emp("E1", "Ann Lee", "9 Elm St"), emp("E2", "Bo Park", "1 Oak St", "10001", "New York", "NY"),
            emp("E3", "Cy Diaz", "5 Pine St", "60601", "Chicago", "IL"), emp("E4", "Dana Fox", "7 Ash Rd"),
            emp("E5", "Eli Moss", "7 Ash Rd")]
    ships = [ship("S1", "E1", "9 Elm St", "43215"), ship("S2", "E2", "9 Elm St", "43215"),
             ship("S3", "E3", "9 Elm St", "43215"), ship("S4", "E4", "7 Ash Rd", "43215"),
             ship("S5", "E5", "7 Ash Rd", "43215")]
    deps = [dep("E2", "111222333", "Bo Park"), dep("E3", "111222333", "Cy Diaz"),
            dep("E4", "555666777", "Dana Fox"), dep("E5", "555666777", "Eli Moss")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, ships, deps), out)
    clusters = _clusters(out)
    farm = _of(clusters, "E2")
    assert farm["kind"] == "farm"
    assert _roles(farm) == {"E1": "host", "E2": "worker", "E3": "worker"}
    assert "laptop farm: 3 people" in farm["verdict"]["summary"]
    f = findings(out)
    assert farm["verdict"]["score"] == max(f[m]["score"] for m in ("E1", "E2", "E3"))
    assert not [c for c in clusters if {"E4", "E5"} & {m["id"] for m in c["members"]}]


def test_identity_pair_names_the_victim(tmp_path: Path) -> None:
    # E1 has worked here since 2023; E2, hired last month with other contact details and
    # another home, declares E1's national ID, name and birth date.
    same = {"national_id": "123-45-6789", "date_of_birth": "1990-04-02"}
    emps = [emp("E1", "Ann Lee", hire_date="2023-03-01", phone="+1 614 555 0101", **same),
            emp("E2", "Ann Lee", "4 Birch Ln", "98101", "Seattle", "WA", hire_date="2026-08-01",
                phone="+1 206 555 0177", **same)]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps), out)
    pair = _of(_clusters(out), "E1")
    assert pair["kind"] == "identity_pair"
    assert _roles(pair) == {"E1": "victim", "E2": "claimant"}
    f = findings(out)
    # The verdict is the claimant's, never lifted or lowered by the victim.
    assert pair["verdict"]["score"] == f["E2"]["score"]
    assert f["E1"]["score"] < f["E2"]["score"]


def _okta_signins(root: Path, rows: list[tuple[str, str, str]]) -> None:
    (root / "idp/okta").mkdir(parents=True, exist_ok=True)
    events = [{"uuid": f"u{i}", "published": ts, "eventType": "user.session.start",
               "actor": {"alternateId": f"{eid.lower()}@corp.example"}, "outcome": {"result": "SUCCESS"},
               "client": {"ipAddress": ip, "geographicalContext": {"country": "United States"}}}
              for i, (eid, ts, ip) in enumerate(rows)]
    (root / "idp/okta/log.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))


def test_a_coworking_line_joins_no_cluster_but_a_farm_line_does(tmp_path: Path) -> None:
    # Look-alike (indicators.md §3.H, coworking): E1-E3 sign in from their own home lines most
    # days and from one shared line on Fridays. Their rows stay (weak), but three members of a
    # coworking space are not a farm. E4-E6 sign in only from one line: that line ties them.
    emps = [emp(f"E{i}", NAMES[i], f"{i} Oak St") for i in range(1, 7)]
    rows: list[tuple[str, str, str]] = []
    for i in (1, 2, 3):
        rows += [(f"E{i}", f"2026-08-0{d}T15:00:00Z", f"73.{i}.2.3") for d in (3, 4, 5, 6)]
        rows.append((f"E{i}", "2026-08-07T15:00:00Z", "73.200.2.3"))
    for i in (4, 5, 6):
        rows += [(f"E{i}", f"2026-08-0{d}T15:00:00Z", "73.150.9.9") for d in (3, 4, 5, 6, 7)]
    root = bundle(tmp_path / "b", emps)
    _okta_signins(root, rows)
    out = tmp_path / "out"
    run(root, out)
    clusters = _clusters(out)
    assert not [c for c in clusters if {"E1", "E2", "E3"} & {m["id"] for m in c["members"]}]
    farm = _of(clusters, "E4")
    assert {m["id"] for m in farm["members"]} == {"E4", "E5", "E6"}
    f = findings(out)
    cowork = [e for e in f["E1"]["evidence"] if e["signal"] == "shared_residential_egress"]
    assert cowork and all(e["strength"] == "weak" for e in cowork)


def _resume_applicants(root: Path, n: int, refs: list[dict[str, str]], near_copy: bool,
                       phones: dict[int, int] | None = None) -> Path:
    # n applicants; with near_copy, their résumés are one text with one word changed (Jaccard
    # on 5-shingles far above 0.8), more of them than a cluster may hold (MAX_GROUP). phones:
    # applicant i gives applicant j's phone.
    base = ("Senior full stack engineer with nine years building scalable web platforms in React Node "
            "Go and AWS, led the migration of a monolith to microservices and cut latency by forty "
            "percent, shipped payment systems, mentored teams and owned the on-call rotation. ")
    (root / "hr/resumes").mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(n):
        text = (base * 3 + f"Worked at Company{i}.") if near_copy else f"Résumé {i}: " + " ".join(
            f"word{i}x{k}" for k in range(80))
        (root / f"hr/resumes/r{i}.txt").write_text(text)
        rows.append({"candidate_id": f"C{i}", "full_name": f"Applicant Number{i}", "email": f"a{i}@mail.example",
                     "phone": f"+1 614 555 {2000 + (phones or {}).get(i, i)}", "country": "US",
                     "applied_at": "2026-06-01", "resume_path": f"hr/resumes/r{i}.txt"})
    bundle(root, [emp("E1", "Ann Lee")])
    write_csv(root / "hr/candidates.csv", [*CAND_COLS, "resume_path"], rows)
    write_csv(root / "hr/references.csv", REF_COLS, refs)
    return root


def _refs(ids: range, **kw: str) -> list[dict[str, str]]:
    ref = {"reference_name": "K. Moore", "reference_email": "kmoore.hr7@outlook.example",
           "reference_phone": "+1 212 555 0142", "relationship": "manager", **kw}
    return [dict(ref, candidate_id=f"C{i}") for i in ids]


def test_a_referee_is_corroborated_by_a_near_copy_resume_shared_too_widely_to_link(tmp_path: Path) -> None:
    # 18 applicants send near-copies of one résumé: too many for the résumé alone to join a
    # cluster. C0 and C1 give one referee, and C0 gives C9's phone: a persona network tied by
    # its own contact, its referee and its résumé (issue 13 §3), found whole.
    out = tmp_path / "out"
    run(_resume_applicants(tmp_path / "b", 18, _refs(range(2)), near_copy=True, phones={0: 9}), out)
    clusters = _clusters(out)
    assert {m["id"] for m in _of(clusters, "C1")["members"]} == {"C0", "C1", "C9"}
    assert not [c for c in clusters if "C5" in {m["id"] for m in c["members"]}]
    # Negative: the same referee and phone for applicants whose résumés are their own: the
    # referee is a desk; the phone still ties its two holders.
    out2 = tmp_path / "out2"
    run(_resume_applicants(tmp_path / "b2", 18, _refs(range(2)), near_copy=False, phones={0: 9}), out2)
    assert not [c for c in _clusters(out2) if "C1" in {m["id"] for m in c["members"]}]


@pytest.mark.parametrize("cohort", [8, 18])
def test_a_bootcamp_cohort_with_its_instructor_as_referee_is_no_network(tmp_path: Path, cohort: int) -> None:
    # Look-alike (indicators.md §3.C profile_resume_text_reuse: bootcamp graduates): a cohort, as
    # small as a cluster may be or bigger, sends near-copies of the bootcamp's résumé, and five
    # give the instructor as referee. No applicant shares a contact of their own with another: no
    # cluster, nobody high.
    out = tmp_path / "out"
    run(_resume_applicants(tmp_path / "b", cohort, _refs(range(5), relationship="instructor"), near_copy=True),
        out)
    assert not _clusters(out)
    f = findings(out)
    assert not [e for r in f.values() for e in r["evidence"] if e["signal"] == "persona_network"]
    assert all(r["band"] not in ("high", "critical") for r in f.values())
