"""The person page's map of sign-ins (issue 15) and the queue's search by city: the map is
server-drawn SVG (no tile, no script) with the declared home and ship-to marked; a city finds the
workers who live, receive a laptop or sign in there, and only them."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fastapi.testclient import TestClient

from tests.test_serve_pages import client, login
from unmask.report.pictures import signin_map
from unmask.results import DeclaredPlace, SigninPlace

DAY = datetime(2026, 9, 1, tzinfo=UTC)


@pytest.fixture()
def demo(demo_scan: tuple[Any, Any, Path], tmp_path: Path) -> tuple[TestClient, Path]:
    return client(demo_scan[2] / "out", tmp_path / "cases.sqlite"), demo_scan[2]


def _store(root: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(next((root / "out").rglob("unmask.duckdb"))), read_only=True)


def test_projection_puts_east_right_north_up_and_marks_home_and_ship_to() -> None:
    # Columbus, Ohio (home), a ship-to in Dallas, sign-ins in Columbus and Shenyang.
    places = [SigninPlace(39.96, -83.0, "Columbus", "US", 9, DAY, DAY), SigninPlace(41.8, 123.43, "Shenyang", "CN", 1,
                                                                                    DAY, DAY)]
    declared = [DeclaredPlace("home", 39.96, -83.0, "Columbus, OH 43215"),
                DeclaredPlace("ship_to", 32.78, -96.8, "Dallas, TX 75201")]
    m = signin_map(places, declared)
    assert m is not None
    col, shen = m["points"]
    assert shen["x"] > col["x"] and col["r"] > shen["r"]  # east is right; more sign-ins, bigger
    home, dallas = m["marks"]
    assert dallas["x"] < home["x"] and dallas["y"] > home["y"]  # Dallas is west and south of Columbus
    for p in m["points"] + m["marks"]:
        assert 0 <= p["x"] <= m["width"] and 0 <= p["y"] <= m["height"]
    labels = [x[0] for x in m["legend"]]
    assert labels[:2] == ["declared home", "laptop ship-to"] and "sign-ins from CN" in labels
    assert col["colour"] != shen["colour"] and m["signins"] == 10 and m["places"] == 2
    # One place only: a box at least 8 degrees wide, the point in the middle.
    one = signin_map([places[0]], [])
    assert one is not None and abs(one["points"][0]["x"] - one["width"] / 2) < 1
    assert signin_map([], []) is None


def test_person_page_draws_the_sign_in_map(demo: tuple[TestClient, Path]) -> None:
    c, root = demo
    login(c, "ivan")
    with _store(root) as db:
        eid, n_places, n = db.execute(
            "SELECT employee_id, count(DISTINCT (round(lat, 2), round(lon, 2))), count(*) FROM signins "
            "WHERE lat IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1").fetchone()  # type: ignore[misc]
        kinds = {k for (k,) in db.execute("SELECT DISTINCT kind FROM addresses WHERE subject_id = ? AND "
                                      "subject_type = 'employee' AND lat IS NOT NULL", [eid]).fetchall()}
    page = c.get(f"/person/employee/{eid}").text
    svg = re.search(r'<figure class="map">(.*?)</figure>', page, re.S)
    assert svg, "no map on the person page"
    body = svg.group(1)
    assert body.count('class="signin"') == n_places >= 2
    assert body.count('class="declared"') >= len(kinds) >= 1
    assert "declared home" in body and f"{n} sign-in(s) from {n_places} place(s)" in body
    assert "<script" not in page and "http" not in body.replace("http://www.w3.org/2000/svg", "")
    # A candidate has no sign-ins: the page says so instead of drawing an empty map.
    with _store(root) as db:
        cand = db.execute("SELECT subject_id FROM scores WHERE subject_type = 'candidate' LIMIT 1").fetchone()
    if cand:
        got = c.get(f"/person/candidate/{cand[0]}").text
        assert 'class="signin"' not in got


def test_queue_search_finds_a_city_whole_and_keeps_the_other_filters(demo: tuple[TestClient, Path]) -> None:
    c, root = demo
    login(c, "ivan")
    with (root / "bundle/hr/employees.csv").open(encoding="utf-8") as fh:
        emps = list(csv.DictReader(fh))
    scored = {x["subject_id"]: x for x in c.get("/api/findings", params={"limit": "1000"}).json()["items"]
              if x["subject_type"] == "employee"}
    # A declared city of a scored employee; whoever the search returns lives, ships or signs in there.
    city = next(e["city"] for e in emps if e["employee_id"] in scored and e["city"])
    got = {x["subject_id"] for x in c.get("/api/findings", params={"q": city.upper(), "limit": "1000"}).json()["items"]}
    homes = {e["employee_id"] for e in emps if e["city"].strip().lower() == city.lower()} & set(scored)
    assert homes and homes <= got
    with _store(root) as db:
        elsewhere = {s for (s,) in db.execute(
            "SELECT employee_id FROM shipments WHERE lower(trim(city)) = lower(?) UNION "
            "SELECT employee_id FROM signins WHERE lower(trim(city)) = lower(?)", [city, city]).fetchall()}
    assert got <= homes | elsewhere
    # Part of a city's name is not a city.
    part = c.get("/api/findings", params={"q": city[:2] + "#", "limit": "1000"}).json()["items"]
    assert part == []
    # The band filter still holds with a city.
    band = scored[next(iter(homes))]["band"]
    other = next(b for b in ("critical", "high", "medium", "low") if b != band)
    assert all(x["band"] == other for x in
               c.get("/api/findings", params={"q": city, "band": other, "limit": "1000"}).json()["items"])
    assert next(iter(homes)) not in {x["subject_id"] for x in c.get(
        "/api/findings", params={"q": city, "band": other, "limit": "1000"}).json()["items"]}
    # The HTML queue shows them too.
    page = c.get("/", params={"q": city}).text
    assert all(f"employee:{h}" in page for h in sorted(homes)[:50])
