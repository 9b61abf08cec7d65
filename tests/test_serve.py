"""The workbench (issue 15): accounts, sessions, CSRF, roles, headers, pages, decisions, audit.

Driven in-process through Starlette's TestClient (no socket), on the demo scan."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from unmask.serve.accounts import MAX_FAILURES, Accounts
from unmask.serve.app import create_app, neutralise

PW = "correct horse battery"


@pytest.fixture()
def wb(demo_scan: tuple[Any, Any, Path], tmp_path: Path) -> tuple[TestClient, Accounts, Path]:
    cases = tmp_path / "cases.sqlite"
    app = create_app(demo_scan[2] / "out", cases)
    acc: Accounts = app.state.accounts
    for name, role in (("ada", "admin"), ("ivan", "investigator"), ("vera", "viewer")):
        acc.add_user(name, role, PW)
    return TestClient(app, base_url="http://127.0.0.1"), acc, cases


def login(c: TestClient, name: str) -> str:
    r = c.post("/login", data={"name": name, "password": PW}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = c.get("/").text
    m = re.search(r'name="csrf" value="([^"]+)"', page)
    assert m
    return m.group(1)


def top_subject(c: TestClient) -> dict[str, Any]:
    items: list[dict[str, Any]] = c.get("/api/findings?limit=5").json()["items"]
    return items[0]


def test_pages_need_a_session(wb: tuple[TestClient, Accounts, Path]) -> None:
    c, _, _ = wb
    assert c.get("/", follow_redirects=False).headers["location"] == "/login"
    assert c.get("/api/findings").status_code == 401
    assert c.get("/queue.csv", follow_redirects=False).status_code == 303
    assert c.get("/person/employee/x", follow_redirects=False).status_code == 303


def test_login_wrong_password_and_lockout(wb: tuple[TestClient, Accounts, Path]) -> None:
    c, _, _ = wb
    for _ in range(MAX_FAILURES):
        assert c.post("/login", data={"name": "ada", "password": "wrong password!"}).status_code == 401
    # Locked now: even the right password is refused for the window.
    assert c.post("/login", data={"name": "ada", "password": PW}).status_code == 429
    assert c.post("/login", data={"name": "ivan", "password": PW}, follow_redirects=False).status_code == 303


def test_security_headers_and_cookie(wb: tuple[TestClient, Accounts, Path]) -> None:
    c, _, _ = wb
    r = c.post("/login", data={"name": "ada", "password": PW}, follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    page = c.get("/")
    assert page.status_code == 200
    assert page.headers["x-frame-options"] == "DENY"
    csp = page.headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert "<script" not in page.text


def test_one_time_login_link(wb: tuple[TestClient, Accounts, Path]) -> None:
    c, acc, _ = wb
    admin = acc.first_admin()
    assert admin is not None
    tok = acc.login_link(admin)
    assert c.get(f"/login?t={tok}", follow_redirects=False).status_code == 303
    assert c.get("/").status_code == 200
    c.cookies.clear()
    # Used once: the second time it logs nobody in.
    c.get(f"/login?t={tok}", follow_redirects=False)
    assert c.get("/", follow_redirects=False).status_code == 303


def test_decision_needs_csrf_and_role(wb: tuple[TestClient, Accounts, Path]) -> None:
    c, _, _ = wb
    csrf = login(c, "ivan")
    s = top_subject(c)
    url = f"/person/{s['subject_type']}/{s['subject_id']}/decide"
    form = {"decision": "needs_review", "note": "look again"}
    assert c.post(url, data=form, follow_redirects=False).status_code == 403
    assert c.post(url, data={**form, "csrf": "forged"}, follow_redirects=False).status_code == 403
    assert c.post(url, data={**form, "csrf": csrf}, follow_redirects=False).status_code == 303
    got = c.get(f"/api/subjects/{s['subject_type']}/{s['subject_id']}").json()
    assert [d["decision"] for d in got["decisions"]] == ["needs_review"]
    assert got["decisions"][0]["author"] == "ivan"
    # A dismissal without a reason is refused by the store, not half-written.
    bad = c.post(url, data={"decision": "dismissed", "csrf": csrf}, headers={"accept": "application/json"})
    assert bad.status_code == 422
    c.cookies.clear()
    vcsrf = login(c, "vera")
    assert c.post(url, data={**form, "csrf": vcsrf}).status_code == 403
    assert 'name="decision"' not in c.get(f"/person/{s['subject_type']}/{s['subject_id']}").text


def test_api_token_decides_and_queue_shows_it(wb: tuple[TestClient, Accounts, Path]) -> None:
    c, acc, _ = wb
    tok = acc.new_api_token("ivan")
    h = {"authorization": f"Bearer {tok}"}
    items = c.get("/api/findings?limit=3", headers=h).json()["items"]
    t = items[1]
    r = c.post(f"/api/subjects/{t['subject_type']}/{t['subject_id']}/decision", headers=h,
               json={"decision": "dismissed", "reason": "travel", "reason_text": "conference in Lisbon"})
    assert r.status_code == 200, r.text
    assert r.json()["evidence_fingerprint"]
    again = c.get("/api/findings?limit=3", headers=h).json()["items"]
    assert [i["decision"] for i in again] == [None, "dismissed", None]
    assert c.get("/api/findings", headers={"authorization": "Bearer nope"}).status_code == 401


def test_search_and_person_page(wb: tuple[TestClient, Accounts, Path]) -> None:
    c, _, _ = wb
    login(c, "ada")
    s = top_subject(c)
    found = c.get("/api/findings", params={"q": s["subject_id"]}).json()["items"]
    assert s["subject_id"] in [f["subject_id"] for f in found]
    assert c.get("/api/findings", params={"q": "no such person zzzz"}).json()["total"] == 0
    page = c.get(f"/person/{s['subject_type']}/{s['subject_id']}")
    assert page.status_code == 200 and "Top reason" in page.text and "Evidence" in page.text
    assert c.get("/person/employee/NO-SUCH-ID").status_code == 404


def test_hostile_strings_are_text(wb: tuple[TestClient, Accounts, Path]) -> None:
    c, _, _ = wb
    csrf = login(c, "ivan")
    s = top_subject(c)
    evil = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    c.post(f"/person/{s['subject_type']}/{s['subject_id']}/decide",
           data={"decision": "needs_review", "note": evil, "csrf": csrf})
    page = c.get(f"/person/{s['subject_type']}/{s['subject_id']}").text
    assert evil not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    q = c.get("/", params={"q": evil}).text
    assert evil not in q


def test_csv_neutralises_formulas(wb: tuple[TestClient, Accounts, Path]) -> None:
    assert neutralise("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert neutralise("-1+2") == "'-1+2" and neutralise("Ada") == "Ada" and neutralise(None) == ""
    c, _, _ = wb
    login(c, "ada")
    body = c.get("/queue.csv").text
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["rank", "subject_type", "subject_id"] and len(rows) > 1
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_audit_log_holds_every_step_and_is_admin_only(wb: tuple[TestClient, Accounts, Path]) -> None:
    c, _, _ = wb
    csrf = login(c, "ivan")
    s = top_subject(c)
    key = f"{s['subject_type']}:{s['subject_id']}"
    c.get(f"/person/{s['subject_type']}/{s['subject_id']}")
    c.post(f"/person/{s['subject_type']}/{s['subject_id']}/decide",
           data={"decision": "escalated", "csrf": csrf})
    c.get("/queue.csv")
    assert c.get("/audit", headers={"accept": "text/html"}).status_code == 403
    assert c.get("/audit.jsonl").status_code == 403
    c.cookies.clear()
    c.post("/login", data={"name": "ada", "password": "wrong password!"})
    login(c, "ada")
    lines = [json.loads(x) for x in c.get("/audit.jsonl").text.splitlines()]
    steps = [(e["actor"], e["action"], e["key"]) for e in lines]
    assert ("ivan", "login", None) in steps
    assert ("ivan", "view", key) in steps
    assert ("ivan", "decide", key) in steps
    assert ("ivan", "export", None) in steps
    assert ("ada", "login_failed", None) in steps
    assert [e["id"] for e in lines] == sorted(e["id"] for e in lines)


def test_an_offset_past_any_scan_is_refused_not_a_server_error(wb: tuple[TestClient, Accounts, Path]) -> None:
    # The schemathesis fuzz sent offset=2**63, which DuckDB's signed OFFSET cannot hold: a 500.
    c, _, _ = wb
    login(c, "ada")
    assert c.get(f"/api/findings?offset={2**63}").status_code == 422
    assert c.get(f"/?offset={2**63}").status_code == 422
    assert c.get("/api/findings?offset=1000000000").status_code == 200
