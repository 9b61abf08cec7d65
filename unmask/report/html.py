"""``report.html``: the workbench's pages as one read-only, self-contained, offline file.

It is rendered from the workbench's own Jinja templates (unmask/serve/templates): ``export.html``
lays out the queue, the clusters, a section per subject and what the scan could not read, and
includes the partials the workbench's pages use (``_evidence.html``, ``_timeline.html``,
``_map.html``, ``_unread.html``), so that there is one UI to keep. No form and no decision
button (nothing to post to); links point inside the file. The CSS is inlined; the one script
(sorting and search) is allowed by its hash in the page's CSP, never by 'unsafe-inline'. Every
bundle string is text: autoescape, after control, escape and bidi characters are dropped
(``unmask.serve.web.shown``). Sizes are bounded: pictures for the top subjects only.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from unmask.cases.store import Judgement
from unmask.model import Key
from unmask.report import pictures
from unmask.report.view import SEVERITY, axis, cluster_graph, evidence_rows, shown, top_reason, when, zone
from unmask.results import Results, SubjectRef

TEMPLATES = Path(__file__).resolve().parent.parent / "serve" / "templates"
CSS = TEMPLATES.parent / "static" / "workbench.css"
MAX_PICTURES = 200  # full pages (timeline, hour view, map) for the top subjects; the rest have tables
MAX_CLUSTER_PICTURES = 50
MAX_REJECTS = 200

_EXTRA_CSS = """
body{max-width:1200px;margin:24px auto;padding:0 1.5rem}h2{margin-top:28px;border-bottom:1px solid #ddd}
th{background:#f4f4f4}table.sortable th{cursor:pointer}.band{font-weight:600;padding:1px 6px;border-radius:3px}
.critical{background:#7a0010;color:#fff}.high{background:#d9480f;color:#fff}.medium{background:#f2c94c}
.low{background:#e6e6e6}.muted{color:#666}
.subject{margin:18px 0;padding:8px 12px;border:1px solid #ddd;border-radius:4px}
code{font-size:12px}#filter{width:28em;padding:4px}
"""

# Sorting (bands by severity: the cell's data-v) and one search box over every table's rows.
_JS = """
document.querySelectorAll('table.sortable th').forEach(function(th, i){
  th.addEventListener('click', function(){
    var tb = th.closest('table').tBodies[0];
    var rows = Array.prototype.slice.call(tb.rows);
    var asc = th.dataset.asc !== '1'; th.dataset.asc = asc ? '1' : '0';
    rows.sort(function(a, b){
      var x = a.cells[i].dataset.v || a.cells[i].textContent, y = b.cells[i].dataset.v || b.cells[i].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return asc ? c : -c;
    });
    rows.forEach(function(r){ tb.appendChild(r); });
  });
});
var f = document.getElementById('filter');
if (f) f.addEventListener('input', function(){
  var q = f.value.toLowerCase();
  document.querySelectorAll('table.searchable tbody tr').forEach(function(r){
    r.style.display = r.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
  });
  document.querySelectorAll('div.subject').forEach(function(d){
    d.style.display = d.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
  });
});
"""


def anchor(subject_type: str, subject_id: str) -> str:
    # Ids come from the bundle: keep only safe characters for the fragment.
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in f"{subject_type}-{subject_id}")
    return "s-" + safe


def cluster_anchor(cluster_id: str) -> str:
    return "cl-" + "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in cluster_id)


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      finalize=shown, trim_blocks=False)
    env.globals.update(anchor=anchor, cluster_anchor=cluster_anchor)
    return env


def _subject(results: Results, ref: SubjectRef, evidence: list[Any], full: bool,
             history: list[Judgement] | None) -> dict[str, Any]:
    """One subject's section: the workbench person page's evidence (rows the last decision did not
    see marked, as there), its decision history when the scan read a cases store (``history``
    None: it did not), and for the top subjects its timeline, hour-of-day view and map of sign-ins."""
    out: dict[str, Any] = {"reason": top_reason(evidence), "tz": None, "history": history}
    seen = set(history[-1].evidence_ids) if history else set()
    if not full:
        rows = evidence_rows(evidence, None, seen)
        return {**out, "shown": [x for x in rows if not x["weak"]], "weak": [x for x in rows if x["weak"]],
                "axis": None, "events": [], "hours": None, "map": None, "full": False}
    subj = results.subject(ref.id, ref.type)
    tzname = results.declared_zone(ref.type, ref.id)
    tz = zone(tzname)
    rows = evidence_rows(evidence, tz, seen)
    hours = (pictures.timelines(results, [ref.id], tzname or "UTC").get(ref.id)
             if ref.type == "employee" else None)
    places = results.signin_places(ref.id) if ref.type == "employee" else []
    timeline = subj.timeline if subj else []
    return {**out, "tz": tzname, "shown": [x for x in rows if not x["weak"]], "weak": [x for x in rows if x["weak"]],
            "axis": axis(timeline), "events": [{"t": t, "when": when(t.at, tz)} for t in timeline],
            "hours": Markup(hours) if hours else None,  # noqa: S704 - our SVG, every label escaped
            "map": pictures.signin_map(places, results.declared_places(ref.type, ref.id)),
            "full": True}


def render(results: Results, planted_note: str | None = None, home_tz: str = "America/Chicago",
           history: Mapping[Key, list[Judgement]] | None = None) -> str:
    """report.html. ``history``: every judgement of the cases store the scan read, by key."""
    meta = results.meta()
    scores = results.findings().items
    by_subject = results.evidence_by_subject()
    clusters = results.clusters()
    cities = results.declared_cities()
    sections = {(s.subject_type, s.subject_id) for s in scores}  # each has its section below
    # Scores come highest first: the top subjects at medium and above get the full page.
    top = {(s.subject_type, s.subject_id) for s in scores if s.band != "low"}
    top = {(s.subject_type, s.subject_id) for s in scores if (s.subject_type, s.subject_id) in top}
    top = set([k for k in ((s.subject_type, s.subject_id) for s in scores) if k in top][:MAX_PICTURES])
    subjects = []
    for s in scores:
        ref = SubjectRef(s.subject_type, s.subject_id)
        subjects.append({"s": s, "anchor": anchor(s.subject_type, s.subject_id),
                         **_subject(results, ref, by_subject.get(ref, []), (s.subject_type, s.subject_id) in top,
                                    None if history is None else history.get(Key(ref.type, ref.id), []))})  # type: ignore[arg-type]
    unread = {
        "unreadable_files": meta.unreadable_files, "ignored_files": meta.ignored_files,
        "missing_parts": meta.missing_parts, "disabled_signals": meta.disabled_signals,
        "rejects": [r.as_dict() for r in results.rejects(MAX_REJECTS)], "rejects_total": meta.totals.get("rejected", 0),
        "unknown_columns": [(f["path"], u) for f in meta.files for u in f.get("unknown_columns", [])],
        "giants": results.giant_groups(),
    }
    script = _JS
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    return environment().get_template("export.html").render(
        meta=meta, planted_note=planted_note, bands=results.band_counts(), severity=SEVERITY,
        scores=scores, cities=cities, clusters=clusters, subjects=subjects,
        cluster_graphs={c.cluster_id: cluster_graph(c, lambda st, sid: "#" + anchor(st, sid)
                                                   if (st, sid) in sections else None)
                        for c in clusters[:MAX_CLUSTER_PICTURES]},
        css=Markup(CSS.read_text(encoding="utf-8") + _EXTRA_CSS),  # noqa: S704 - our files
        script=Markup(script), script_hash=digest, **unread)  # noqa: S704 - our constant
