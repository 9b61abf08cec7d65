"""report.html as the workbench's read-only export (issue 15): a cluster's picture is the cluster
page's graph (the same nodes, names and legend; members link to their section), a subject's
section carries its decision history once the scan has read a cases store (and says nothing of
decisions before), and the workbench's decision forms start on an empty choice."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from tests.helpers import bundle, dep, emp, run
from unmask.cases import CasesStore
from unmask.model import Key
from unmask.serve.accounts import Accounts
from unmask.serve.app import create_app

PW = "correct horse battery"
HOSTILE_NOTE = '<img src=x onerror="alert(1)">seen in May'


def _pair(root: Path) -> Path:
    # Two workers paid into one account held by a stranger: both have findings and one cluster.
    emps = [emp("E1", "Mallory Ames"), emp("E2", "Eve Brook", "2 Oak St", city="Dayton"),
            emp("E3", "Ann Lee", "3 Oak St")]
    deps = [dep("E1", "111222333", "Zed Stranger"), dep("E2", "111222333", "Zed Stranger")]
    return bundle(root, emps, deposits=deps)


def _labels(svg: str) -> list[str]:
    return re.findall(r"<text [^>]*>([^<]*)</text>", svg)


def _graph(page: str) -> str:
    start = page.index('<figure class="graph">')
    return page[start:page.index("</figure>", start)]


def _section(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[start:page.index('<div class="subject"', start) if '<div class="subject"' in page[start:] else None]


def test_report_draws_the_cluster_pages_graph(tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = run(_pair(tmp_path / "b"), out).report.read_text(encoding="utf-8")
    app = create_app(out, tmp_path / "cases.sqlite")
    acc: Accounts = app.state.accounts
    acc.add_user("ivan", "investigator", PW)
    c = TestClient(app, base_url="http://127.0.0.1")
    assert c.post("/login", data={"name": "ivan", "password": PW}, follow_redirects=False).status_code == 303
    [cluster] = c.get("/api/clusters").json()["items"]
    page = c.get(f"/cluster/{cluster['cluster_id']}").text
    drawn, exported = _graph(page), _graph(report)
    # The same picture: every label (member names, shared identifiers, the legend) in the same order.
    assert _labels(exported) == _labels(drawn)
    assert any("Mallory Ames (E1)" in x for x in _labels(exported)) and "shared identifier (masked)" in exported
    # On the page a node opens the person page; in the report it goes to the subject's section.
    assert 'href="/person/employee/E1"' in drawn and 'href="#s-employee-E1"' in exported
    assert 'id="s-employee-E1"' in report and "/person/" not in exported
    assert exported.count("<svg") == 1  # the legend is inside the one picture


def test_report_carries_the_decision_history_once_the_scan_reads_a_cases_store(tmp_path: Path) -> None:
    root, out = _pair(tmp_path / "b"), tmp_path / "out"
    before = run(root, out).report.read_text(encoding="utf-8")
    assert "<h4>Decisions</h4>" not in before  # no cases store: the report says nothing of decisions
    with CasesStore.open(out / "cases.sqlite") as cases:
        cases.decide(Key("employee", "E1"), "needs_review", author="ana", note=HOSTILE_NOTE)
        cases.decide(Key("employee", "E1"), "confirmed", author="ben", note="same account as E2")
    after = run(root, out).report.read_text(encoding="utf-8")
    e1, e2 = _section(after, "s-employee-E1"), _section(after, "s-employee-E2")
    decided = re.findall(r"<li>[^<]* (ana|ben): (needs_review|confirmed)", e1)
    assert decided == [("ana", "needs_review"), ("ben", "confirmed")]  # oldest first, both kept
    assert "&lt;img src=x onerror=" in e1 and "<img" not in after  # a note is text
    assert "<h4>Decisions</h4>" in e2 and "none yet" in e2


def test_decision_forms_start_on_an_empty_choice(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(_pair(tmp_path / "b"), out)
    app = create_app(out, tmp_path / "cases.sqlite")
    app.state.accounts.add_user("ivan", "investigator", PW)
    c = TestClient(app, base_url="http://127.0.0.1")
    assert c.post("/login", data={"name": "ivan", "password": PW}, follow_redirects=False).status_code == 303
    cid = c.get("/api/clusters").json()["items"][0]["cluster_id"]
    for url in ("/person/employee/E1", f"/cluster/{cid}"):
        page = c.get(url).text
        select = page[page.index('<select name="decision"'):]
        first = re.search(r"<option[^>]*>[^<]*</option>", select)
        assert first and first.group(0) == '<option value="" selected>choose…</option>', url
        assert 'name="decision" required' in page
    # Sent anyway without a choice, nothing is recorded.
    csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/person/employee/E1").text)
    assert csrf
    r = c.post("/person/employee/E1/decide", data={"decision": "", "csrf": csrf.group(1)},
               headers={"accept": "application/json"})
    assert r.status_code == 422
    assert c.get("/api/subjects/employee/E1").json()["decisions"] == []
    ok = c.post("/person/employee/E1/decide", data={"decision": "needs_review", "csrf": csrf.group(1)},
                follow_redirects=False)
    assert ok.status_code == 303
    assert [d["decision"] for d in c.get("/api/subjects/employee/E1").json()["decisions"]] == ["needs_review"]
