"""The workbench in a real browser (issue 15): Debian's Chromium, driven by Playwright, against a
real ``unmask serve`` process on a loopback port.

One small demo per module, made by ``unmask demo`` as the README says, then edited: two laptop-farm
workers get hostile names (and the bundle is scanned again), and the benign same-surname couple is
the household an investigator dismisses. The scan,
the rescans and the account commands run as the CLI a user types; the server is stopped by the
fixture. Screenshots go to ``tmp_path``, and also to ``$UNMASK_SCREENS`` when it is set.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import TEST_KEY

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PW = "correct horse battery"
FARM = ("E1300", "Richard Brown")  # the demo's laptop-farm worker (seed 7, small)
COUPLE = ("E1308", "E1309")  # the demo's same-surname couple: a real household
# Written into the bundle as names of two laptop-farm workers: each would run script if rendered as HTML.
HOSTILE = {"E1301": '<img src=x onerror="alert(1)">Mallory', "E1302": "<script>window.__pwned = 1</script>Eve"}
ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    r = subprocess.run([sys.executable, "-c", "from unmask.cli import main; main()", *args], capture_output=True,
                       text=True, env=env or ENV, timeout=300, check=False)
    assert r.returncode in (0, 1), r.stderr  # 1 = --fail-on, never used here; 2 = bad input
    return r


ENV = {**os.environ, "UNMASK_TOKEN_KEY": TEST_KEY, "PYTHONPATH": str(ROOT)}


@dataclass
class Workbench:
    url: str
    login_link: str
    bundle: Path
    out: Path
    proc: subprocess.Popen[str]
    shots: list[Path]

    def rescan(self) -> list[dict[str, Any]]:
        cli("scan", str(self.bundle), "--out", str(self.out), "--quiet")
        return [json.loads(x) for x in (self.out / "findings.jsonl").read_text().splitlines()]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rename(bundle: Path, names: dict[str, str]) -> None:
    path = bundle / "hr" / "employees.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["full_name"] = names.get(r["employee_id"], r["full_name"])
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


@pytest.fixture(scope="module")
def chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("UNMASK_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required (UNMASK_REQUIRE_BROWSER) but not installed")
        pytest.skip("Debian's chromium is not installed here; .ci/run installs it")
    return CHROMIUM


@pytest.fixture(scope="module")
def wb(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    root = tmp_path_factory.mktemp("wb")
    # As the README says: the demo, then the workbench on the folder the demo prints.
    shown = cli("demo", "--out", str(root), "--seed", "7", "--size", "small", "--quiet").stdout
    bundle, out = root / "bundle", root / "scan"
    assert f"unmask serve {out}" in shown
    _rename(bundle, HOSTILE)
    cli("scan", str(bundle), "--out", str(out), "--quiet")
    pw_env = {**ENV, "UNMASK_PASSWORD": PW}
    for name, role in (("ada", "admin"), ("ivan", "investigator"), ("vera", "viewer")):
        cli("users", "add", name, "--role", role, "--out", str(out), env=pw_env)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-c", "from unmask.cli import main; main()", "serve", str(out),
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:\d+)(/login\?t=\S+)", line)
        assert m, line + (proc.stderr.read() if proc.stderr else "")
        url = m.group(1)
        for _ in range(100):
            try:
                if httpx.get(url + "/login", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("unmask serve did not answer")
        yield Workbench(url, url + m.group(2), bundle, out, proc, [])
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=ARGS)
        yield b
        b.close()


class Tab:
    """One browser context (one user's cookie jar) and page, recording anything that ran or broke."""

    def __init__(self, browser: Any, wb: Workbench) -> None:
        self.ctx = browser.new_context(base_url=wb.url, viewport={"width": 1280, "height": 1000})
        self.page = self.ctx.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.failed: list[tuple[int, str]] = []
        # A console error that is only a refused request is checked through ``failed`` (by URL);
        # any other console error is a fault of the page.
        self.page.on("console", lambda m: self.errors.append(m.text)
                     if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
        self.page.on("response", lambda r: self.failed.append((r.status, r.url.removeprefix(wb.url)))
                     if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def login(self, name: str) -> None:
        self.page.goto("/login")
        self.page.fill("input[name=name]", name)
        self.page.fill("input[name=password]", PW)
        self.page.click("form[action='/login'] button")
        self.page.wait_for_url(re.compile(r"/$"))

    def csrf(self) -> str:
        v = self.page.locator("input[name=csrf]").first.get_attribute("value")
        assert v
        return v

    def shot(self, wb: Workbench, name: str) -> Path:
        path = wb.out.parent / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        if os.environ.get("UNMASK_SCREENS"):
            shutil.copy(path, Path(os.environ["UNMASK_SCREENS"]) / path.name)
        return path

    def close(self) -> None:
        self.ctx.close()


@pytest.fixture
def tab(browser: Any, wb: Workbench) -> Iterator[Tab]:
    t = Tab(browser, wb)
    yield t
    t.close()


def audit_lines(t: Tab) -> list[tuple[str, str, str | None]]:
    body = t.ctx.request.get("/audit.jsonl")
    assert body.status == 200
    return [(e["actor"], e["action"], e["key"]) for e in map(json.loads, body.text().splitlines())]


def test_login_link_then_search_finds_the_laptop_farm_worker(tab: Tab, wb: Workbench) -> None:
    page = tab.page
    tab.page.goto("/login")
    tab.shot(wb, "workbench-login")
    page.goto(wb.login_link)
    assert page.url == wb.url + "/"
    assert "ada (admin)" in page.locator("nav").inner_text()
    tab.shot(wb, "workbench-queue")
    page.fill("input[name=q]", FARM[1])
    page.click("form[action='/'] button")
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and FARM[0] in rows.first.inner_text()
    page.click(f"a[href='/person/employee/{FARM[0]}']")
    assert page.locator("h1").inner_text() == FARM[1]
    ev = page.locator("table").first.inner_text()
    assert "account_holder_mismatch" in ev and "payroll/deposits.csv:2" in ev
    tab.shot(wb, "workbench-person")
    # The link was for one use: a second browser presenting it again is not logged in.
    other = tab.ctx.browser.new_context(base_url=wb.url)
    p2 = other.new_page()
    p2.goto(wb.login_link)
    assert "/login" in p2.url and p2.locator("form[action='/login']").count() == 1
    assert "(admin)" not in p2.locator("nav").inner_text()
    other.close()
    # A wrong password is refused on the page, with no session.
    page.context.clear_cookies()
    page.goto("/login")
    page.fill("input[name=name]", "ivan")
    page.fill("input[name=password]", "not the password")
    page.click("form[action='/login'] button")
    assert "Wrong name or password." in page.locator(".error").inner_text()
    assert tab.errors == [] and tab.dialogs == [] and tab.failed == [(401, "/login")]


def test_hostile_names_render_as_text(tab: Tab, wb: Workbench) -> None:
    tab.login("ivan")
    page = tab.page
    for sid, name in HOSTILE.items():
        page.goto(f"/?q={sid}")
        assert name in page.locator("tbody").inner_text()
        page.goto(f"/person/employee/{sid}")
        assert page.locator("h1").inner_text() == name
    page.goto("/?q=Mallory")
    assert page.locator("main img").count() == 0 and page.locator("main script").count() == 0
    assert page.evaluate("window.__pwned === undefined")
    # Nothing was injected, so nothing was even blocked by the CSP.
    assert tab.dialogs == [] and tab.errors == [] and tab.failed == []


def test_no_session_and_no_csrf_are_refused(tab: Tab, wb: Workbench) -> None:
    page = tab.page
    page.goto(f"/person/employee/{FARM[0]}")
    assert page.url == wb.url + "/login"
    assert tab.ctx.request.get("/api/findings").status == 401
    assert tab.ctx.request.get("/queue.csv", max_redirects=0).status == 303
    tab.login("ivan")
    decide = f"/person/employee/{FARM[0]}/decide"
    form = {"decision": "confirmed", "note": "forged"}
    assert tab.ctx.request.post(decide, form=form, max_redirects=0).status == 403
    assert tab.ctx.request.post(decide, form={**form, "csrf": "x" * 43}, max_redirects=0).status == 403
    api = f"/api/subjects/employee/{FARM[0]}/decision"
    assert tab.ctx.request.post(api, data={"decision": "confirmed"}).status == 403
    # With the session's token the same request is accepted (so the refusals above were the CSRF check).
    ok = tab.ctx.request.post(api, data={"decision": "needs_review", "note": "csrf test"},
                              headers={"x-csrf-token": tab.csrf()})
    assert ok.status == 200 and ok.json()["decision"] == "needs_review"
    history = tab.ctx.request.get(f"/api/subjects/employee/{FARM[0]}").json()["decisions"]
    assert [d["note"] for d in history] == ["csrf test"]


def test_viewer_cannot_decide(tab: Tab, wb: Workbench) -> None:
    tab.login("vera")
    page = tab.page
    page.goto(f"/person/employee/{FARM[0]}")
    assert page.locator("h1").inner_text() == FARM[1]
    assert page.locator("select[name=decision]").count() == 0
    decide = f"/person/employee/{FARM[0]}/decide"
    r = tab.ctx.request.post(decide, form={"decision": "confirmed", "csrf": tab.csrf()}, max_redirects=0)
    assert r.status == 403
    token = cli("users", "token", "vera", "--out", str(wb.out)).stdout.strip()
    api = httpx.post(f"{wb.url}/api/subjects/employee/{FARM[0]}/decision", json={"decision": "confirmed"},
                     headers={"authorization": f"Bearer {token}"})
    assert api.status_code == 403
    history = httpx.get(f"{wb.url}/api/subjects/employee/{FARM[0]}",
                        headers={"authorization": f"Bearer {token}"}).json()["decisions"]
    assert "confirmed" not in [d["decision"] for d in history]


def _decision(findings: list[dict[str, Any]], sid: str) -> dict[str, Any] | None:
    got = [f.get("decision") for f in findings if f["subject"]["id"] == sid]
    return got[0] if got else None


def test_dismissal_survives_a_rescan_and_new_evidence_reopens_it(tab: Tab, wb: Workbench) -> None:
    tab.login("ivan")
    page = tab.page
    me, partner = COUPLE
    page.goto(f"/person/employee/{me}")
    assert page.locator(".reopened").count() == 0
    page.select_option("select[name=decision]", "dismissed")
    page.select_option("select[name=reason]", "household")
    page.fill("input[name=reason_text]", "married couple, same home and account")
    page.fill("input[name=related]", f"employee:{partner}")
    page.click("form[action$='/decide'] button")
    # A household is configuration the next scan reads: the page shows it and asks first.
    assert me in page.locator("pre.config").inner_text() and partner in page.locator("pre.config").inner_text()
    page.click("form[action$='/decide'] button")
    page.wait_for_url(re.compile(f"/person/employee/{me}$"))
    assert "dismissed (household: married couple" in page.locator("main").inner_text()

    # The same bundle again: the dismissal holds, in the scan's output and on the page.
    findings = wb.rescan()
    d = _decision(findings, me)
    assert d is not None and d["status"] == "dismissed" and not d["reopened"]
    page.reload()
    assert page.locator(".reopened").count() == 0
    assert "dismissed (household" in page.locator("main").inner_text()
    page.goto(f"/?q={me}")
    assert "dismissed" in page.locator("tbody").inner_text()

    # New evidence: pay now goes to an account held by a stranger.
    with (wb.bundle / "payroll" / "deposits.csv").open("a", newline="", encoding="utf-8") as f:
        csv.writer(f).writerow([me, "2026-11-02", "direct_deposit", "Chase", "021000021", "70115566778",
                                "Jonah K. Ferreira", "", "US"])
    findings = wb.rescan()
    d = _decision(findings, me)
    assert d is not None and d["status"] == "dismissed" and d["reopened"]
    page.goto(f"/person/employee/{me}")
    assert page.locator(".reopened").is_visible()
    new_rows = page.locator("tr.new").all_inner_texts()
    assert any("account_holder_mismatch" in r and "Jonah K. Ferreira" in r for r in new_rows), new_rows
    tab.shot(wb, "workbench-reopened")
    # The partner, dismissed by nobody, carries no decision.
    assert _decision(findings, partner) is None
    assert tab.errors == [] and tab.dialogs == [] and tab.failed == []


def test_audit_log_holds_every_step(tab: Tab, browser: Any, wb: Workbench) -> None:
    ivan, vera = Tab(browser, wb), Tab(browser, wb)
    try:
        assert ivan.ctx.request.post("/login", form={"name": "ivan", "password": "wrong!"}).status == 401
        vera.login("vera")
        refused = vera.ctx.request.post(f"/person/employee/{FARM[0]}/decide", max_redirects=0,
                                        form={"decision": "confirmed", "csrf": vera.csrf()})
        assert refused.status == 403
        ivan.login("ivan")
        ivan.page.goto(f"/person/employee/{FARM[0]}")
        ivan.page.select_option("select[name=decision]", "escalated")
        ivan.page.fill("input[name=note]", "to legal")
        ivan.page.click("form[action$='/decide'] button")
        ivan.page.wait_for_url(re.compile(f"/person/employee/{FARM[0]}$"))
        assert ivan.ctx.request.get("/queue.csv").status == 200
        assert ivan.ctx.request.get("/audit").status == 403
    finally:
        ivan.close()
        vera.close()
    tab.login("ada")
    page = tab.page
    page.click("nav a[href='/audit']")
    table = page.locator("tbody").inner_text()
    steps = audit_lines(tab)
    key = f"employee:{FARM[0]}"
    for step in (("ivan", "login", None), ("ivan", "view", key), ("ivan", "decide", key), ("ivan", "export", None),
                 ("ada", "login", None), ("ivan", "login_failed", None), ("vera", "decide_refused", key)):
        assert step in steps, step
        assert f"{step[0]}\t{step[1]}" in table, step  # the admin page shows it too
    # The export just made is itself on the record.
    assert ("ada", "export", None) in audit_lines(tab)
    tab.shot(wb, "workbench-audit")
