"""The workbench's case work (issue 15): the queue's filters and search, assignments, the person
page (context, top reason, times in two zones, timeline, signal descriptions), hostile names in
every new page, and a household dismissal that the user confirms as configuration and the next
scan honours without hiding anything."""

from __future__ import annotations

import csv
import html
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from tests.helpers import bundle, dep, emp, findings, jsonl, run, ship, signals_of
from tests.test_serve_pages import HTML, client, login
from unmask.signals import BY_ID

EVIL = '<img src=x onerror=alert(1)>'
SPOOF = "Bo \u202eParkexe.txt\x1b[31m"  # a bidi override and a terminal escape in a name


@pytest.fixture()
def demo(demo_scan: tuple[Any, Any, Path], tmp_path: Path) -> tuple[TestClient, Path]:
    return client(demo_scan[2] / "out", tmp_path / "cases.sqlite"), demo_scan[2]


def _employees(root: Path) -> dict[str, dict[str, str]]:
    with (root / "bundle/hr/employees.csv").open(encoding="utf-8") as fh:
        return {r["employee_id"]: r for r in csv.DictReader(fh)}


def _all(c: TestClient, **params: str) -> list[dict[str, Any]]:
    got = c.get("/api/findings", params={**params, "limit": "1000"})
    assert got.status_code == 200, got.text
    items: list[dict[str, Any]] = got.json()["items"]
    return items


def test_queue_filters_by_cluster_kind_and_department(demo: tuple[TestClient, Path]) -> None:
    c, root = demo
    login(c, "vera")
    everyone = _all(c)
    in_scan = {f["subject"]["id"] for f in jsonl(root / "out/findings.jsonl")}
    assert {x["subject_id"] for x in everyone} == in_scan
    for kind in {cl["kind"] for cl in jsonl(root / "out/clusters.jsonl")}:
        want = {m["id"] for cl in jsonl(root / "out/clusters.jsonl") if cl["kind"] == kind for m in cl["members"]}
        assert {x["subject_id"] for x in _all(c, kind=kind)} == want & in_scan and want & in_scan
    assert _all(c, kind="no_such_kind") == []
    emps = _employees(root)
    dept = emps[everyone[0]["subject_id"]]["department"]
    want = {i for i in in_scan if i in emps and emps[i]["department"] == dept}
    got = _all(c, department=dept.upper())  # any case
    assert {x["subject_id"] for x in got} == want and len(want) < len(in_scan)
    assert [x["rank"] for x in got] == sorted(x["rank"] for x in got)  # still by score
    # Search by e-mail; pages of a filtered queue are slices of it.
    mail = emps[everyone[0]["subject_id"]]["email"]
    assert everyone[0]["subject_id"] in [x["subject_id"] for x in _all(c, q=mail.upper())]
    page2 = c.get("/api/findings", params={"department": dept, "offset": 1, "limit": 2}).json()
    assert [x["subject_id"] for x in page2["items"]] == [x["subject_id"] for x in got[1:3]]
    assert page2["total"] == len(got)
    page = c.get("/", params={"department": dept, "kind": "farm"}).text
    assert "department=" in page and "kind=farm" in page  # the CSV link keeps the filters


def test_queue_filters_by_decision_and_assignee_and_assignments(demo: tuple[TestClient, Path]) -> None:
    c, _ = demo
    csrf = login(c, "ivan")
    everyone = _all(c)
    a, b = everyone[0], everyone[1]
    pa, pb = f"/person/{a['subject_type']}/{a['subject_id']}", f"/person/{b['subject_type']}/{b['subject_id']}"
    assert c.post(pa + "/decide", data={"decision": "confirmed", "csrf": csrf}, follow_redirects=False
                  ).status_code == 303
    assert c.post(pb + "/decide", data={"decision": "dismissed", "reason": "travel", "csrf": csrf},
                  follow_redirects=False).status_code == 303
    assert [x["subject_id"] for x in _all(c, status="confirmed")] == [a["subject_id"]]
    assert [x["subject_id"] for x in _all(c, status="dismissed")] == [b["subject_id"]]
    assert len(_all(c, status="undecided")) == len(everyone) - 2
    assert c.get("/api/findings", params={"status": "bogus"}).status_code == 422
    # Assignments: by form (CSRF) and API, to investigators and admins only.
    assert c.post(pa + "/assign", data={"assignee": "ivan"}).status_code == 403
    assert c.post(pa + "/assign", data={"assignee": "ivan", "csrf": csrf}, follow_redirects=False).status_code == 303
    api = f"/api/subjects/{b['subject_type']}/{b['subject_id']}/assignment"
    assert c.post(api, json={"assignee": "vera"}, headers={"x-csrf-token": csrf}).status_code == 422  # a viewer
    assert c.post(api, json={"assignee": "nobody-here"}, headers={"x-csrf-token": csrf}).status_code == 422
    assert c.post(api, json={"assignee": "ada"}, headers={"x-csrf-token": csrf}).status_code == 200
    assert [x["subject_id"] for x in _all(c, assignee="me")] == [a["subject_id"]]
    assert [x["subject_id"] for x in _all(c, assignee="ada")] == [b["subject_id"]]
    assert len(_all(c, assignee="nobody")) == len(everyone) - 2
    assert [x["subject_id"] for x in _all(c, assignee="me", status="confirmed")] == [a["subject_id"]]
    assert _all(c, assignee="me", status="dismissed") == []
    # Handed back: nobody's again, and the hand-over history stays.
    assert c.post(api, json={"assignee": None}, headers={"x-csrf-token": csrf}).status_code == 200
    got = c.get(f"/api/subjects/{b['subject_type']}/{b['subject_id']}").json()
    assert got["assignee"] is None and [x["assignee"] for x in got["assignments"]] == ["ada", None]
    rows = list(csv.reader(c.get("/queue.csv", params={"assignee": "me"}).text.splitlines()))
    assert rows[0][-1] == "assignee" and [r[2] for r in rows[1:]] == [a["subject_id"]] and rows[1][-1] == "ivan"
    vcsrf = login(c, "vera")
    assert c.post(pa + "/assign", data={"assignee": "vera", "csrf": vcsrf}).status_code == 403
    login(c, "ada")
    steps = [(e["actor"], e["action"], e["detail"]) for e in map(json.loads, c.get("/audit.jsonl").text.splitlines())]
    assert ("ivan", "assign", {"assignee": "ivan"}) in steps and ("ivan", "assign", {"assignee": None}) in steps
    assert ("vera", "assign_refused", {}) in steps


def test_person_page_context_reason_times_and_timeline(demo: tuple[TestClient, Path]) -> None:
    c, root = demo
    login(c, "ivan")
    top = _all(c)[0]
    sid = top["subject_id"]
    emps = _employees(root)
    e = emps[sid]
    page = c.get(f"/person/employee/{sid}").text
    text = html.unescape(page)
    for field in ("title", "department", "hire_date"):
        assert e[field] and e[field] in text
    if e.get("manager_id"):
        assert f'href="/person/employee/{e["manager_id"]}"' in page
    f = findings(root / "out")[sid]
    strong = [x for x in f["evidence"] if x["strength"] != "weak"]
    reason = re.search(r"<b>Top reason:</b> (.*?)</p>", text, re.S)
    assert reason and strong[0]["detail"][1:] in reason.group(1)
    for x in strong:
        assert f'<abbr title="{BY_ID[x["signal"]].description}">{x["signal"]}</abbr>' in text
    # Weak rows are collapsed, after the strong and medium ones.
    weak = [x for x in f["evidence"] if x["strength"] == "weak"]
    if weak:
        assert page.index("<details><summary>") < page.index(html.escape(weak[0]["detail"]))
    # Times in UTC and in the declared zone.
    zone = re.search(r"declared zone ([A-Za-z_/+-]+)", page)
    assert zone
    timed = next(x for x in strong if x["observed_at"])
    at = datetime.strptime(timed["observed_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=ZoneInfo("UTC"))
    assert at.strftime("%Y-%m-%d %H:%M UTC") in page
    assert at.astimezone(ZoneInfo(zone.group(1))).strftime("%Y-%m-%d %H:%M %Z") in page
    # One time axis with the life's milestones, and the hour-of-day view.
    assert 'aria-label="the worker&#39;s life on one time axis"' in page or "the worker's life" in text
    assert f"hired {e['hire_date']}" in text
    assert "Hour of day" in page and "<script" not in page


def test_new_since_last_scan_and_new_evidence_since_dismissal(tmp_path: Path) -> None:
    root, out = tmp_path / "b", tmp_path / "out"
    emps = [emp("E1", "Ann Lee", "5 Oak St"), emp("E2", "Bo Park", "3 Ash St"), emp("E4", "Cy Diaz", "3 Pine St"),
            emp("E5", "Di Ek", "4 Fir St")]
    ships = [ship("S1", "E1", "9 Elm St", "43215"), ship("S2", "E2", "9 Elm St", "43215")]
    run(bundle(root, emps, ships), out)
    first = findings(out)
    # The second scan: E1 is paid into a stranger's account, E4 and E5 share one held by a third.
    deps = [dep("E1", "77", "Dana Whitfield"), dep("E4", "88", "Rex Moor"), dep("E5", "88", "Rex Moor")]
    run(bundle(root, emps, ships, deposits=deps), out)
    second = findings(out)
    c = client(out, out / "cases.sqlite")
    csrf = login(c, "ivan")
    new = {x["subject_id"] for x in _all(c, new="true")}
    assert new == set(second) - set(first) and new >= {"E4", "E5"}
    assert c.get("/", params={"new": "true"}).status_code == 200
    # E1 dismissed on the first scan's evidence (before the rescan); E2 on what it has now.
    seen_e1 = [x["evidence_id"] for x in first["E1"]["evidence"]]
    from unmask.cases import CasesStore
    from unmask.model import Key

    with CasesStore.open(out / "cases.sqlite") as cases:
        cases.decide(Key("employee", "E1"), "dismissed", author="ana", reason="travel", evidence_ids=seen_e1)
    api = "/api/subjects/employee/E2/decision"
    assert c.post(api, json={"decision": "dismissed", "reason": "travel"}, headers={"x-csrf-token": csrf}
                  ).status_code == 200
    assert [x["subject_id"] for x in _all(c, reopened="true")] == ["E1"]
    page = c.get("/person/employee/E1").text
    fresh = {x["evidence_id"] for x in second["E1"]["evidence"]} - set(seen_e1)
    assert page.count('<span class="tag">new</span>') == len(fresh) and fresh
    assert "account_holder_mismatch</abbr> <span class=\"tag\">new</span>" in page


def test_household_dismissal_is_confirmed_as_configuration_and_the_rescan_honours_it(tmp_path: Path) -> None:
    root, out = tmp_path / "b", tmp_path / "out"
    emps = [emp("E1", EVIL, "5 Oak St"), emp("E2", "Bo Park", "3 Ash St")]
    ships = [ship("S1", "E1", "9 Elm St", "43215"), ship("S2", "E2", "9 Elm St", "43215")]
    run(bundle(root, emps, ships), out)
    assert signals_of(out, "E1")["ship_to_shared"][0]["strength"] == "medium"
    c = client(out, out / "cases.sqlite")  # the store the next scan reads by default
    csrf = login(c, "ivan")
    form = {"decision": "dismissed", "reason": "household", "related": "employee:E2", "reason_text": "married",
            "csrf": csrf}
    shown = c.post("/person/employee/E1/decide", data=form, follow_redirects=False)
    assert shown.status_code == 200 and "[[relations]]" in shown.text
    assert 'a = &#34;E1&#34;' in shown.text and 'b = &#34;E2&#34;' in shown.text
    assert c.get("/api/subjects/employee/E1").json()["decisions"] == []  # not recorded before confirming
    assert c.get("/api/configuration").json()["entries"] == []
    bad = c.post("/person/employee/E1/decide", data={**form, "related": "employee:NOPE", "confirm": "yes"},
                 headers=HTML)
    assert bad.status_code == 422
    ok = c.post("/person/employee/E1/decide", data={**form, "confirm": "yes"}, follow_redirects=False)
    assert ok.status_code == 303
    (entry,) = c.get("/api/configuration").json()["entries"]
    assert (entry["kind"], entry["subject"], entry["value"], entry["author"]) == (
        "relation", "employee:E1", "employee:E2", "ivan")
    # The API asks for the same confirmation, and says what it adds.
    api = "/api/subjects/employee/E2/decision"
    body = {"decision": "dismissed", "reason": "approved_tool", "tool": "AnyDesk"}
    refused = c.post(api, json=body, headers={"x-csrf-token": csrf})
    assert refused.status_code == 422 and "[[allow.person_tools]]" in refused.json()["detail"]
    got = c.post(api, json={**body, "confirm": True}, headers={"x-csrf-token": csrf}).json()
    assert got["configuration"] == '[[allow.person_tools]]\nsubject = "E2"\ntool = "AnyDesk"\n'
    c.close()
    # The next scan reads the store beside OUT: the shared house is weak now, nothing is hidden.
    run(root, out)
    f = findings(out)
    assert signals_of(out, "E1")["ship_to_shared"][0]["strength"] == "weak"
    assert f["E1"]["decision"]["status"] == "dismissed" and f["E1"]["decision"]["reason"] == "household"
    man = json.loads((out / "manifest.json").read_text())
    assert [(e["kind"], e["subject"]) for e in man["decisions"]["overlay"]] == [
        ("relation", "employee:E1"), ("person_tool", "employee:E2")]


def test_hostile_names_are_text_on_the_new_pages(tmp_path: Path) -> None:
    root, out = tmp_path / "b", tmp_path / "out"
    emps = [emp("E1", EVIL, "5 Oak St", department=EVIL, title=EVIL), emp("E2", SPOOF, "3 Ash St")]
    ships = [ship("S1", "E1", "9 Elm St", "43215"), ship("S2", "E2", "9 Elm St", "43215")]
    run(bundle(root, emps, ships), out)
    run(bundle(root, emps, ships, deposits=[dep("E1", "77", EVIL)]), out)
    c = client(out, tmp_path / "cases.sqlite")
    login(c, "ivan")
    (cl,) = c.get("/api/clusters").json()["items"]
    pages = ["/", "/?department=" + EVIL, "/person/employee/E1", "/person/employee/E2", "/clusters",
             f"/cluster/{cl['cluster_id']}", "/scans", "/scans/diff"]
    for url in pages:
        r = c.get(url)
        assert r.status_code == 200, url
        assert EVIL not in r.text and "<img" not in r.text, url
        assert not any(ch in r.text for ch in "\x1b\u202e"), url  # no escape or bidi control survives
    page = c.get(f"/cluster/{cl['cluster_id']}").text
    assert html.escape(EVIL, quote=False) in page and "Bo Parkexe.txt" in page
