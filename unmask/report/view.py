"""What the workbench's person page and report.html both show of a subject, as plain data for
the shared templates: the top reason in plain words, times in UTC and the declared zone, the life
on one time axis, the evidence rows, a cluster's graph; and the Jinja ``finalize`` both use. Here, below serve, so
that the report (an earlier stage) and the workbench share it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from unmask.results import BANDS, Cluster, Evidence, TimelineEvent
from unmask.signals import BY_ID
from unmask.values.text import printable

SEVERITY = {b: i for i, b in enumerate(BANDS)}  # critical 0 ... low 3: sort by this, never by the name


def shown(value: Any) -> Any:
    """Jinja's ``finalize``: every string a template prints loses escape sequences, control and
    bidi characters first (values/text.py), so a name cannot reorder or hide the text around it;
    autoescape then makes it text. Markup we built ourselves passes."""
    if type(value) is str:  # Markup, a str subclass, is ours
        return printable(value)
    return value


KIND_COLOURS = {
    "applied": "#1f77b4", "interviewed": "#17becf", "hired": "#2ca02c", "laptop shipped": "#8c564b",
    "laptop delivered": "#9467bd", "device enrolled": "#7f7f7f", "first sign-in": "#ff7f0e",
    "payout account set": "#e377c2", "HR record changed": "#bcbd22", "terminated": "#000000", "evidence": "#d62728",
}


def top_reason(evidence: list[Evidence]) -> str | None:
    """One sentence from the strongest evidence: the strongest row of each of the two strongest
    families (the detail is already plain words), and how much more there is."""
    strong = [e for e in evidence if e.strength != "weak"]  # strongest first already
    picked: list[Evidence] = []
    for e in strong:
        if all((e.family or e.signal) != (p.family or p.signal) for p in picked):
            picked.append(e)
        if len(picked) == 2:
            break
    if not picked:
        return None
    text = "; ".join(p.detail for p in picked)
    more = len(strong) - len(picked)
    return text[:1].upper() + text[1:] + (f" (and {more} more strong or medium row{'s' if more > 1 else ''})"
                                          if more else "")


def zone(name: str | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def when(at: datetime | None, tz: ZoneInfo | None) -> dict[str, str] | None:
    """A moment in UTC and in the worker's declared zone."""
    if at is None:
        return None
    utc = at.astimezone(ZoneInfo("UTC")) if at.tzinfo else at.replace(tzinfo=ZoneInfo("UTC"))
    out = {"utc": utc.strftime("%Y-%m-%d %H:%M UTC")}
    if tz is not None:
        out["local"] = utc.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")
    return out


def axis(events: list[TimelineEvent]) -> dict[str, Any] | None:
    """Positions of the subject's moments on one time axis (oldest left): milestones with a label
    in staggered lanes above the axis, evidence as ticks below it."""
    if not events:
        return None
    t0, t1 = events[0].at.timestamp(), events[-1].at.timestamp()
    span = max(t1 - t0, 86400.0)
    width, left, inner = 960, 20, 760
    marks = []
    lane = 0
    for e in events:
        x = left + inner * (e.at.timestamp() - t0) / span
        milestone = e.kind != "evidence"
        if milestone:
            lane = (lane + 1) % 5
        marks.append({"x": round(x, 1), "kind": e.kind, "detail": e.detail[:120], "milestone": milestone,
                      "label_y": 24 + lane * 20, "colour": KIND_COLOURS.get(e.kind, "#555"),
                      "at": e.at.strftime("%Y-%m-%d")})
    kinds = sorted({e.kind for e in events}, key=lambda k: list(KIND_COLOURS).index(k) if k in KIND_COLOURS else 99)
    return {"width": width, "height": 190, "axis_y": 140, "x0": left, "x1": left + inner, "marks": marks,
            "first": events[0].at.strftime("%Y-%m-%d"), "last": events[-1].at.strftime("%Y-%m-%d"),
            "legend": [(k, KIND_COLOURS.get(k, "#555")) for k in kinds]}


def evidence_rows(evidence: list[Evidence], tz: ZoneInfo | None, seen: set[str]) -> list[dict[str, Any]]:
    """What ``_evidence.html`` shows of each row: its time in UTC and the declared zone, whether
    the last decision saw it (``seen``, empty when none was made), the signal's description."""
    return [{"e": e, "when": when(e.observed_at, tz), "new": bool(seen) and e.evidence_id not in seen,
             "about": BY_ID[e.signal].description if e.signal in BY_ID else "", "weak": e.strength == "weak"}
            for e in evidence]


MAX_NODES = 60  # a giant cluster is listed in full, drawn in part
ROLE_COLOURS = {
    "worker": "#d62728", "host": "#7a0010", "claimant": "#d9480f", "victim": "#2ca02c", "hired persona": "#9467bd",
    "applicant": "#17becf", "identity shared": "#ff7f0e", "member": "#4a6fa5",
}


@dataclass(frozen=True)
class Node:
    x: float
    y: float
    label: str
    title: str
    href: str | None
    colour: str


@dataclass(frozen=True)
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Graph:
    width: int
    height: int
    members: list[Node]
    identifiers: list[Node]
    edges: list[Edge]
    legend: list[tuple[str, str, float]]  # (role, colour, x) on one row inside the picture, at legend_y
    legend_y: float
    shared_x: float  # where the legend's "shared identifier" square goes
    not_drawn: int


def cluster_graph(c: Cluster, href: Callable[[str, str], str | None]) -> Graph:
    """Layout of the cluster's bipartite graph: members and the (masked) identifiers they share.
    ``href(type, id)`` is where a member's node links (its person page, its section of report.html)."""
    members = sorted(c.members, key=lambda m: (SEVERITY.get(m.band or "", len(SEVERITY)), -(m.score or 0),
                                               m.subject_type, m.subject_id))
    shown = members[:MAX_NODES]
    held: dict[tuple[str, str], set[str]] = {}
    for lk in c.links:
        held.setdefault((lk.via, lk.value_hint or ""), set()).update((lk.a, lk.b))
    keys = sorted(held)[:MAX_NODES]
    rows = max(len(shown), len(keys), 1)
    step, top, w = 34, 20, 760
    h = top * 2 + rows * step
    ym = {m.subject_id: top + (i + 0.5) * rows * step / len(shown) for i, m in enumerate(shown)}
    yi = {k: top + (i + 0.5) * rows * step / max(1, len(keys)) for i, k in enumerate(keys)}
    mx, ix = 250.0, 470.0
    edges = [Edge(mx, ym[s], ix, yi[k]) for k in keys for s in sorted(held[k]) if s in ym]
    mnodes = [Node(mx, ym[m.subject_id], f"{m.name or m.subject_id} ({m.subject_id})"[:40],
                   f"{m.subject_type}:{m.subject_id} {m.name or ''} — {m.role or 'member'}, "
                   f"{m.band or 'no finding'}", href(m.subject_type, m.subject_id),
                   ROLE_COLOURS.get(m.role or "member", "#4a6fa5")) for m in shown]
    inodes = [Node(ix, yi[k], (f"{k[0].replace('_', ' ')}: {k[1]}" if k[1] else k[0].replace("_", " "))[:45],
                   f"{k[0]} {k[1]} held by {len(held[k])} member(s)", None, "#555") for k in keys]
    # The legend is drawn inside the picture (one SVG: report.html and the page show the same).
    legend: list[tuple[str, str, float]] = []
    x = 20.0
    for r in sorted({m.role or "member" for m in shown}):
        legend.append((r, ROLE_COLOURS.get(r, "#4a6fa5"), x))
        x += 30 + 7 * len(r)  # about 7 px a character at 12 px
    return Graph(w, int(h) + 24, mnodes, inodes, edges, legend, h + 8, x,
                 len(members) - len(shown) + len(held) - len(keys))
