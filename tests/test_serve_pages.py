"""The workbench's cluster and scan pages (issue 15): members and links both ways, the graph,
the audited export behind export-iocs' gate, the scan history, what changed between two scans,
and what a scan could not read. Driven in-process (TestClient) on the demo scan and on a small
bundle scanned twice."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import EMP_COLS, bundle, dep, emp, jsonl, run, ship
from unmask.serve.accounts import Accounts
from unmask.serve.app import create_app
from unmask.serve.scanpages import Row, diff

PW = "correct horse battery"
HTML = {"accept": "text/html"}


def client(out: Path, cases: Path) -> TestClient:
    app = create_app(out, cases)
    acc: Accounts = app.state.accounts
    for name, role in (("ada", "admin"), ("ivan", "investigator"), ("vera", "viewer")):
        acc.add_user(name, role, PW)
    return TestClient(app, base_url="http://127.0.0.1")


def login(c: TestClient, name: str) -> str:
    c.cookies.clear()
    assert c.post("/login", data={"name": name, "password": PW}, follow_redirects=False).status_code == 303
    m = re.search(r'name="csrf" value="([^"]+)"', c.get("/").text)
    assert m
    return m.group(1)


@pytest.fixture()
def demo(demo_scan: tuple[Any, Any, Path], tmp_path: Path) -> tuple[TestClient, Path]:
    out = demo_scan[2] / "out"
    return client(out, tmp_path / "cases.sqlite"), out


def _pair(root: Path, deposits: list[dict[str, str]] | None = None) -> Path:
    """E1 and E2 (different surnames) get their laptops at one house; E3's row cannot be read."""
    root = bundle(root, [emp("E1", "Ann Lee", "5 Oak St"), emp("E2", "Bo Park", "3 Ash St")],
                  [ship("S1", "E1", "9 Elm St", "43215"), ship("S2", "E2", "9 Elm St", "43215")], deposits=deposits)
    with (root / "hr/employees.csv").open("a") as fh:
        row = {"employee_id": "E3", "full_name": "Cy", "email": "c@x", "hire_date": "not-a-date"}
        fh.write(",".join(row.get(c, "") for c in EMP_COLS) + "\n")
    return root


@pytest.fixture()
def twice(tmp_path: Path) -> Path:
    """OUT holding two scans of the pair: the second one after E1 is paid into a stranger's account."""
    root, out = tmp_path / "b", tmp_path / "out"
    run(_pair(root), out)
    run(_pair(root, deposits=[dep("E1", "77", "Dana Whitfield")]), out)
    return out


# -- clusters --------------------------------------------------------------------------------


def test_cluster_page_members_links_graph_both_ways(demo: tuple[TestClient, Path]) -> None:
    c, out = demo
    login(c, "ivan")
    listed = c.get("/api/clusters").json()["items"]
    want = {d["cluster_id"]: d for d in jsonl(out / "clusters.jsonl")}
    assert sorted(x["cluster_id"] for x in listed) == sorted(want)
    severity = ["critical", "high", "medium", "low", None]
    assert [severity.index(x["band"]) for x in listed] == sorted(severity.index(x["band"]) for x in listed)
    cid = listed[0]["cluster_id"]
    got = c.get(f"/api/clusters/{cid}").json()
    assert {(m["subject_id"], m["role"]) for m in got["members"]} == {
        (m["id"], m["role"]) for m in want[cid]["members"]}
    assert got["verdict"]["kind"] == want[cid]["kind"]
    page = c.get(f"/cluster/{cid}").text
    assert "<script" not in page and "<svg" in page
    svg = page[page.index("<svg"):page.index("</svg>")]
    for m in got["members"]:
        href = f'href="/person/{m["subject_type"]}/{m["subject_id"]}"'
        assert href in svg and href in page.split("</svg>", 1)[1]  # on the graph and in the table
        if m["name"]:
            assert m["name"][:20] in svg  # names on the nodes
        assert m["role"] in page
    for lk in got["links"]:
        assert lk["value_hint"] in page
    # The person page links back to the cluster.
    m0 = got["members"][0]
    assert f'href="/cluster/{cid}"' in c.get(f"/person/{m0['subject_type']}/{m0['subject_id']}").text
    assert c.get("/cluster/C-nope", headers=HTML).status_code == 404
    assert c.get("/api/clusters/C-nope").status_code == 404


def test_cluster_link_hints_are_masked(demo: tuple[TestClient, Path]) -> None:
    c, out = demo
    login(c, "ivan")
    for cl in jsonl(out / "clusters.jsonl"):
        page = c.get(f"/cluster/{cl['cluster_id']}").text
        for ev in (e for f in jsonl(out / "findings.jsonl") if f["subject"]["id"] in
                   {m["id"] for m in cl["members"]} for e in f["evidence"]):
            for ip in re.findall(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b", ev["detail"]):
                assert ip not in page  # the evidence names it; the cluster page shows only its hint


def test_cluster_export_is_gated_audited_and_neutralised(demo: tuple[TestClient, Path]) -> None:
    c, out = demo
    login(c, "ivan")
    cid = c.get("/api/clusters").json()["items"][0]["cluster_id"]
    body = c.get(f"/cluster/{cid}/iocs.csv")
    assert body.status_code == 200
    rows = list(csv.reader(io.StringIO(body.text)))
    assert rows[0] == ["type", "value", "source", "note"] and len(rows) > 1
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    stix = c.get(f"/cluster/{cid}/stix.json")
    assert stix.status_code == 200 and json.loads(stix.text)["type"] == "bundle"
    login(c, "vera")
    assert c.get(f"/cluster/{cid}/iocs.csv").status_code == 403
    assert "stix.json" not in c.get(f"/cluster/{cid}").text
    login(c, "ada")
    audit = [json.loads(x) for x in c.get("/audit.jsonl").text.splitlines()]
    exports = [(e["actor"], e["detail"]["what"]) for e in audit
               if e["action"] == "export" and e["key"] == f"cluster:{cid}"]
    assert exports == [("ivan", "iocs.csv"), ("ivan", "iocs.stix")]


def test_export_of_a_weak_cluster_needs_force_or_a_confirmation(tmp_path: Path) -> None:
    # The first scan of the pair only: a shared house, no high finding.
    root, out = tmp_path / "b1", tmp_path / "out1"
    run(_pair(root), out)
    c = client(out, tmp_path / "c1.sqlite")
    csrf = login(c, "ivan")
    (cl,) = c.get("/api/clusters").json()["items"]
    cid = cl["cluster_id"]
    assert all(m["band"] not in ("high", "critical") for m in c.get(f"/api/clusters/{cid}").json()["members"])
    assert c.get(f"/cluster/{cid}/iocs.csv").status_code == 409
    assert "anyway" in c.get(f"/cluster/{cid}").text
    assert c.get(f"/cluster/{cid}/iocs.csv", params={"force": "true"}).status_code == 200
    # Deciding on the cluster needs the CSRF token; a confirmed case is shareable without force.
    assert c.post(f"/cluster/{cid}/decide", data={"decision": "confirmed"}).status_code == 403
    r = c.post(f"/cluster/{cid}/decide", data={"decision": "confirmed", "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert c.get(f"/cluster/{cid}/iocs.csv").status_code == 200
    assert c.get("/api/clusters").json()["items"][0]["decision"] == "confirmed"
    vcsrf = login(c, "vera")
    assert c.post(f"/cluster/{cid}/decide", data={"decision": "escalated", "csrf": vcsrf}).status_code == 403
    assert [d["decision"] for d in c.get(f"/api/clusters/{cid}").json()["decisions"]] == ["confirmed"]


# -- scans -----------------------------------------------------------------------------------


def test_scan_list_and_what_changed(twice: Path, tmp_path: Path) -> None:
    c = client(twice, tmp_path / "cases.sqlite")
    login(c, "ivan")
    scans = c.get("/api/scans").json()["items"]
    assert len(scans) == 2 and scans[0]["current"] and not scans[1]["current"]
    a, b = scans[1]["scan_id"], scans[0]["scan_id"]
    d = c.get("/api/scans/diff").json()
    assert (d["a"], d["b"]) == (a, b)
    before = {f["subject"]["id"]: f for f in jsonl(twice / "scans" / a / "findings.jsonl")}
    after = {f["subject"]["id"]: f for f in jsonl(twice / "scans" / b / "findings.jsonl")}
    raised = [x["subject_id"] for x in d["raised"]]
    assert "E1" in raised and after["E1"]["score"] > before["E1"]["score"]
    e1 = next(x for x in d["raised"] if x["subject_id"] == "E1")
    new_ids = {e["evidence_id"] for e in after["E1"]["evidence"]} - {e["evidence_id"] for e in before["E1"]["evidence"]}
    assert set(e1["new_evidence"]) == new_ids and new_ids
    # Reversed, the same change reads as lowered; a scan against itself changes nothing.
    back = c.get("/api/scans/diff", params={"a": b, "b": a}).json()
    assert "E1" in [x["subject_id"] for x in back["lowered"]] and not back["raised"]
    same = c.get("/api/scans/diff", params={"a": a, "b": a}).json()
    assert all(n == 0 for n in same["counts"].values())
    page = c.get("/scans/diff", params={"a": a, "b": b}).text
    assert 'href="/person/employee/E1"' in page
    assert c.get("/api/scans/diff", params={"a": "../../etc", "b": b}).status_code == 404
    assert c.get("/api/scans/20990101T000000Z-abcdef").status_code == 404
    assert a in c.get("/scans").text


def test_scan_page_shows_what_could_not_be_read(twice: Path, tmp_path: Path) -> None:
    c = client(twice, tmp_path / "cases.sqlite")
    login(c, "vera")
    sid = c.get("/api/scans").json()["items"][0]["scan_id"]
    rejects = jsonl(twice / "scans" / sid / "rejects.jsonl")
    assert rejects and any(r["file"] == "hr/employees.csv" for r in rejects)
    got = c.get(f"/api/scans/{sid}").json()
    assert got["unread"]["rejects_total"] == len(rejects) and got["rejected"] == len(rejects)
    page = c.get(f"/scans/{sid}").text
    for r in rejects:
        assert r["reason"] in page
    assert "Files it ignored" in page
    # The queue says so too, and links to that page.
    queue = c.get("/").text
    assert f"{len(rejects)} record(s) rejected" in queue and f'href="/scans/{sid}"' in queue


def test_one_scan_has_no_diff(demo: tuple[TestClient, Path]) -> None:
    c, _ = demo
    login(c, "vera")
    assert len(c.get("/api/scans").json()["items"]) == 1
    assert "could not use everything" not in c.get("/").text  # the demo's bundle is read whole
    assert c.get("/api/scans/diff").status_code == 404
    assert c.get("/api/scans").status_code == 200
    c.cookies.clear()
    assert c.get("/api/scans").status_code == 401


def _row(k: str, band: str, score: float, ev: tuple[str, ...] = ("x",)) -> Row:
    return Row(k, None, band, score, "|".join(ev), frozenset(ev))


def test_diff_kinds() -> None:
    a = {"e:1": _row("e:1", "high", 0.8), "e:2": _row("e:2", "medium", 0.5), "e:3": _row("e:3", "low", 0.2),
         "e:4": _row("e:4", "high", 0.80), "e:5": _row("e:5", "medium", 0.5), "e:6": _row("e:6", "low", 0.1)}
    b = {"e:1": _row("e:1", "critical", 0.95, ("x", "y")), "e:2": _row("e:2", "low", 0.3),
         "e:4": _row("e:4", "high", 0.805), "e:5": _row("e:5", "medium", 0.5, ("z",)), "e:6": _row("e:6", "low", 0.1),
         "e:7": _row("e:7", "medium", 0.4)}
    d = diff(a, b)
    assert {k: [x["key"] for x in v] for k, v in d.items()} == {
        "new": ["e:7"], "raised": ["e:1"], "lowered": ["e:2"], "resolved": ["e:3"], "evidence_changed": ["e:5"]}
    assert d["raised"][0]["new_evidence"] == ["y"]
