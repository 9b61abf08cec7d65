"""report.html in headless Chromium (Debian's package, driven by Playwright): it loads with no
console error, the ranked table and a subject section render, hostile names stay text, and a
screenshot is taken."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import bundle, dep, emp, run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
HOSTILE = ['<script>window.__pwned = 1</script>Mallory', '<img src=x onerror="window.__pwned = 2">Eve']


@pytest.fixture
def chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("UNMASK_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required (UNMASK_REQUIRE_BROWSER) but not installed")
        pytest.skip("Debian's chromium is not installed here; .ci/run installs it")
    return CHROMIUM


def _open_report(p: Any, chromium: str, report: Path, errors: list[str]) -> tuple[Any, Any]:
    """A browser and a page showing ``report``; console errors and page errors go to ``errors``."""
    browser = p.chromium.launch(executable_path=chromium, args=ARGS)
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(report.resolve().as_uri())
    return browser, page


def test_report_renders_and_hostile_strings_stay_text(chromium: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    # Two workers with hostile names share a bank account: both get evidence and a cluster.
    emps = [emp("E1", HOSTILE[0]), emp("E2", HOSTILE[1], "2 Oak St", city="Dayton"), emp("E3", "Ann Lee", "3 Oak St")]
    deps = [dep("E1", "111222333", "Mallory"), dep("E2", "111222333", "Eve")]
    out = tmp_path / "out"
    run(bundle(tmp_path / "b", emps, deposits=deps), out)
    errors: list[str] = []
    with sync_playwright() as p:
        browser, page = _open_report(p, chromium, out / "report.html", errors)
        assert page.locator("#ranked tbody tr").count() >= 2
        section = page.locator("#s-employee-E1")
        assert section.is_visible() and "bank_account_shared" in section.inner_text()
        assert page.locator(".cluster svg").count() == 1
        # The names are shown as written, and nothing in them ran.
        assert HOSTILE[0] in page.locator("#ranked").inner_text()
        assert HOSTILE[1] in page.locator("#ranked").inner_text()
        assert page.evaluate("window.__pwned === undefined")
        assert page.locator("img").count() == 0
        # The filter box works.
        page.fill("#filter", "mallory")
        visible = [r.inner_text() for r in page.locator("#ranked tbody tr").all() if r.is_visible()]
        assert len(visible) == 1 and "Mallory" in visible[0]
        # The search covers cities and cluster ids too (every table, as the workbench's queue).
        page.fill("#filter", "dayton")
        visible = [r.inner_text() for r in page.locator("#ranked tbody tr").all() if r.is_visible()]
        assert len(visible) == 1 and "E2" in visible[0]
        cluster_id = page.locator("#clusters tbody tr td a").first.inner_text()
        page.fill("#filter", cluster_id.lower())
        visible = [r.inner_text() for r in page.locator("#ranked tbody tr").all() if r.is_visible()]
        assert len(visible) == 2 and all(cluster_id in v for v in visible)
        page.fill("#filter", "")
        # Read-only: nothing to post; the script runs by its hash, not by 'unsafe-inline'.
        assert page.locator("form").count() == 0
        csp = page.locator("meta[http-equiv='Content-Security-Policy']").get_attribute("content") or ""
        assert "script-src 'sha256-" in csp and "unsafe-inline' ;" not in csp and "script-src 'unsafe" not in csp
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert shot.stat().st_size > 10_000
    assert errors == []


def test_report_sorts_bands_by_severity_and_draws_the_person_pages(chromium: str, demo_scan: tuple[Any, Any, Path],
                                                                     tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    severity = ["critical", "high", "medium", "low"]
    errors: list[str] = []
    with sync_playwright() as p:
        browser, page = _open_report(p, chromium, demo_scan[1].report, errors)
        # Sort by name first, so that the band sort has to move rows.
        page.locator("#ranked th", has_text="name").click()
        head = page.locator("#ranked th", has_text="band")
        head.click()
        bands = [t.strip() for t in page.locator("#ranked tbody tr td:nth-child(3)").all_inner_texts()]
        assert len(set(bands)) >= 3, bands  # critical, high and low in the demo: not alphabetical
        assert [severity.index(b) for b in bands] == sorted(severity.index(b) for b in bands)
        head.click()
        bands = [t.strip() for t in page.locator("#ranked tbody tr td:nth-child(3)").all_inner_texts()]
        assert [severity.index(b) for b in bands] == sorted((severity.index(b) for b in bands), reverse=True)
        # The top worker's section is the workbench's person page: evidence, timeline and the map.
        first = page.locator("div.subject").first
        assert first.locator("abbr[title]").count() >= 1 and first.locator("figure.timeline > svg").count() == 1
        assert first.locator("figure.map svg circle.signin").count() >= 1
        assert first.locator("figure.map svg rect.declared").count() >= 1
        browser.close()
    assert errors == []
