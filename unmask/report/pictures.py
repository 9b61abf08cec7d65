"""Pictures for the report, as inline SVG drawn here (no network, no script, no library).

- :func:`timelines`: per worker, the hours of the day (in the declared time zone of their
  home) at which they sign in and work, against 09:00-18:00; and the countries of their
  sign-ins day by day. The numbers come from SQL; Python only draws.
- :func:`signin_map`: where a worker signed in from, with the declared home and ship-to.

A cluster's graph is the workbench's (``report.view.cluster_graph`` and ``_graph.html``).

Every label is bundle text and is escaped.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from unmask.results import DeclaredPlace, Results, SigninPlace
from unmask.values.text import printable

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


def _e(v: Any) -> str:
    # Control characters, escape sequences and bidi overrides go first (values/text.py), then HTML.
    return escape(printable("" if v is None else str(v)), quote=True)


def timelines(results: Results, subjects: list[str], home_tz: str) -> dict[str, str]:
    """SVG per employee id of ``subjects`` that has sign-ins or activity."""
    if not subjects:
        return {}
    hours = results.activity_hours(subjects, home_tz)
    days = results.signin_days(subjects)
    return {eid: _timeline_svg(hours[eid].hours if eid in hours else [0] * 24,
                               hours[eid].tz if eid in hours else home_tz,
                               [(d.day, d.country, d.n) for d in days.get(eid, [])])
            for eid in subjects if eid in hours or eid in days}


def _timeline_svg(hours: list[int], tz: str, days: list[tuple[Any, str, int]]) -> str:
    w, h = 720, 200
    top = max(hours) or 1
    bar_w = 24
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h}' role='img' "
             f"aria-label='activity by hour and sign-in countries'>"]
    # Office hours band in the declared zone.
    parts.append(f"<rect x='{20 + 9 * bar_w}' y='10' width='{9 * bar_w}' height='80' fill='#eef5e9'/>")
    for i, n in enumerate(hours):
        bh = 80 * n / top
        parts.append(f"<rect x='{20 + i * bar_w + 2}' y='{90 - bh:.1f}' width='{bar_w - 4}' height='{bh:.1f}' "
                     f"fill='#4a6fa5'><title>{i:02d}:00 {n} event(s)</title></rect>")
        if i % 3 == 0:
            parts.append(f"<text x='{20 + i * bar_w}' y='104' font-size='10'>{i:02d}</text>")
    parts.append(f"<text x='{20 + 24 * bar_w + 6}' y='50' font-size='10'>hour in</text>"
                 f"<text x='{20 + 24 * bar_w + 6}' y='62' font-size='10'>{_e(tz)}</text>"
                 f"<text x='{20 + 24 * bar_w + 6}' y='74' font-size='10'>(green: 09-18)</text>")
    if days:
        countries = sorted({c for _, c, _ in days})
        color = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(countries)}
        first, last = days[0][0], days[-1][0]
        span = max(1, (last - first).days)
        for d, c, n in days:
            x = 20 + (24 * bar_w) * (d - first).days / span
            parts.append(f"<circle cx='{x:.1f}' cy='140' r='{min(7, 2 + n)}' fill='{color[c]}' opacity='0.8'>"
                         f"<title>{_e(d)} {_e(c)}: {n} sign-in(s)</title></circle>")
        parts.append(f"<text x='20' y='165' font-size='10'>{_e(first)}</text>"
                     f"<text x='{20 + 24 * bar_w - 60}' y='165' font-size='10'>{_e(last)}</text>")
        for i, c in enumerate(countries[:8]):
            parts.append(f"<circle cx='{26 + i * 80}' cy='185' r='5' fill='{color[c]}'/>"
                         f"<text x='{34 + i * 80}' y='189' font-size='11'>{_e(c)}</text>")
        parts.append("<text x='20' y='125' font-size='10'>sign-in countries by day</text>")
    parts.append("</svg>")
    return "".join(parts)


MAP_W, MAP_H, MAP_PAD = 720, 360, 24
KIND_MARK = {"home": ("#2ca02c", "declared home"), "ship_to": ("#9467bd", "laptop ship-to")}


def signin_map(places: list[SigninPlace], declared: list[DeclaredPlace]) -> dict[str, Any] | None:
    """Positions for the map of a worker's sign-ins (drawn by the ``_map.html`` template):
    an equirectangular projection of the box around every point (at least 8 degrees wide, so
    one city is not a single pixel), a graticule every 1, 5, 10 or 30 degrees, sign-in places
    as circles sized by count and coloured by country, the declared home and ship-to as squares.
    No tile and no coastline: the page stays offline and the points speak for themselves."""
    if not places and not declared:
        return None
    lats = [p.lat for p in places] + [d.lat for d in declared]
    lons = [p.lon for p in places] + [d.lon for d in declared]
    lat0, lat1, lon0, lon1 = min(lats), max(lats), min(lons), max(lons)
    # Equal degrees on both axes, scaled by the cosine of the middle latitude (equirectangular).
    cos = max(0.2, math.cos(math.radians((lat0 + lat1) / 2)))
    span = max(8.0, (lon1 - lon0) * 1.1, (lat1 - lat0) * 1.1 / cos * MAP_W / MAP_H)
    lon_mid, lat_mid = (lon0 + lon1) / 2, (lat0 + lat1) / 2
    scale = (MAP_W - 2 * MAP_PAD) / span  # pixels per degree of longitude

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return (round(MAP_W / 2 + (lon - lon_mid) * scale, 1), round(MAP_H / 2 - (lat - lat_mid) * scale / cos, 1))

    step = next(s for s in (1, 5, 10, 30, 60) if span / s <= 12)
    west, east = lon_mid - span / 2, lon_mid + span / 2
    south, north = lat_mid - span / 2 * MAP_H / MAP_W * cos, lat_mid + span / 2 * MAP_H / MAP_W * cos
    grid = ([{"x": xy(lat_mid, g)[0], "label": f"{abs(g)}°{'E' if g >= 0 else 'W'}", "vertical": True}
             for g in range(math.ceil(west / step) * step, math.floor(east / step) * step + 1, step)]
            + [{"y": xy(g, lon_mid)[1], "label": f"{abs(g)}°{'N' if g >= 0 else 'S'}", "vertical": False}
               for g in range(math.ceil(south / step) * step, math.floor(north / step) * step + 1, step)])
    countries = sorted({p.country for p in places})
    colour = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(countries)}
    top = max((p.n for p in places), default=1)
    points = [{"x": xy(p.lat, p.lon)[0], "y": xy(p.lat, p.lon)[1], "r": round(3 + 7 * math.sqrt(p.n / top), 1),
               "colour": colour[p.country],
               "title": f"{p.city or '?'}, {p.country}: {p.n} sign-in(s)"
                        + (f", {p.first:%Y-%m-%d} to {p.last:%Y-%m-%d}" if p.first and p.last else "")}
              for p in places]
    # The home is the bigger square, drawn first: a laptop shipped home sits visibly inside it.
    marks = [{"x": xy(d.lat, d.lon)[0], "y": xy(d.lat, d.lon)[1], "colour": KIND_MARK.get(d.kind, ("#555", d.kind))[0],
              "size": 16 if d.kind == "home" else 9, "title": f"{KIND_MARK.get(d.kind, ('', d.kind))[1]}: {d.label}"}
             for d in sorted(declared, key=lambda d: d.kind != "home")]
    legend = ([(KIND_MARK[k][1], KIND_MARK[k][0], "square") for k in KIND_MARK if any(d.kind == k for d in declared)]
              + [(f"sign-ins from {c}", colour[c], "circle") for c in countries[:8]])
    return {"width": MAP_W, "height": MAP_H, "grid": grid, "points": points, "marks": marks, "legend": legend,
            "signins": sum(p.n for p in places), "places": len(places)}
