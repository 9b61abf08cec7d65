"""``report.html``: one self-contained page, no network, every bundle string escaped.

Sections: summary, bundle coverage, the ranked table (sortable, filterable), clusters with
their graphs, evidence per subject with a timeline picture for workers at medium and above,
and what the data could not tell. Pictures are inline SVG (``pictures.py``).
"""

from __future__ import annotations

from html import escape
from typing import Any

from unmask.report import pictures
from unmask.results import Results, SubjectRef
from unmask.values.text import printable

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1b1b1b;max-width:1200px}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid #ddd;padding:4px 6px;
text-align:left;vertical-align:top}th{background:#f4f4f4;cursor:pointer}
.band{font-weight:600;padding:1px 6px;border-radius:3px}.critical{background:#7a0010;color:#fff}
.high{background:#d9480f;color:#fff}.medium{background:#f2c94c}.low{background:#e6e6e6}
.muted{color:#666}.subject{margin:18px 0;padding:8px 12px;border:1px solid #ddd;border-radius:4px}
code{font-size:12px}
"""

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
  document.querySelectorAll('#ranked tbody tr').forEach(function(r){
    r.style.display = r.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
  });
});
"""


def _e(v: Any) -> str:
    # Control characters, escape sequences and bidi overrides go first (values/text.py), then HTML.
    return escape(printable("" if v is None else str(v)), quote=True)


def _line(line: Any) -> str:
    return "" if line is None else ":" + _e(line)


def _anchor(subject_type: str, subject_id: str) -> str:
    # Ids come from the bundle: keep only safe characters for the fragment.
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in f"{subject_type}-{subject_id}")
    return "s-" + safe


MAX_PICTURES = 200  # timelines for the top subjects (medium band and above); the rest have tables
MAX_CLUSTER_PICTURES = 50


def render(results: Results, planted_note: str | None = None, home_tz: str = "America/Chicago") -> str:
    meta = results.meta()
    scores = results.findings().items
    by_subject = results.evidence_by_subject()
    clusters = results.clusters()
    bands = results.band_counts()
    pictured = [s.subject_id for s in scores
                if s.subject_type == "employee" and s.band != "low"][:MAX_PICTURES]
    timeline = pictures.timelines(results, pictured, home_tz)
    band_of = {s.subject_id: s.band for s in scores}

    out: list[str] = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">",
        "<title>Unmask report</title><style>", _CSS, "</style></head><body>",
        f"<h1>Unmask report</h1><p class='muted'>Bundle <code>{_e(meta.bundle)}</code>, "
        f"scanned {_e(meta.finished_at)} by unmask {_e(meta.tool_version)}.</p>",
    ]
    if planted_note:
        out.append(f"<p><strong>Demo bundle.</strong> {_e(planted_note)}</p>")
    out.append("<h2>Summary</h2><table><tr>")
    for b in ("critical", "high", "medium", "low"):
        out.append(f"<td><span class='band {b}'>{b}</span> {bands.get(b, 0)}</td>")
    t = meta.totals
    out.append(
        f"</tr></table><p>{len(clusters)} cluster(s). Records read {t['read']}, loaded {t['loaded']}, "
        f"rejected {t['rejected']} (see <code>rejects.jsonl</code>).</p>"
    )
    out.append("<h2>Bundle coverage</h2><table><tr><th>part</th><th>present</th><th>files</th>"
               "<th>loaded</th><th>rejected</th></tr>")
    for pid, p in meta.parts.items():
        out.append(
            f"<tr><td>{_e(pid)}</td><td>{'yes' if p['present'] else 'no'}</td><td>{p['files']}</td>"
            f"<td>{p['loaded']}</td><td>{p['rejected']}</td></tr>"
        )
    out.append("</table>")
    out.append("<h2>Ranked subjects</h2><p><input id='filter' placeholder='filter…'></p>"
               "<table id='ranked' class='sortable'><thead><tr><th>score</th><th>band</th><th>type</th>"
               "<th>id</th><th>name</th><th>signals</th></tr></thead><tbody>")
    for s in scores:
        out.append(
            f"<tr><td data-v='{s.score}'>{s.score:.2f}</td><td><span class='band {_e(s.band)}'>"
            f"{_e(s.band)}</span></td><td>{_e(s.subject_type)}</td>"
            f"<td><a href='#{_anchor(s.subject_type, s.subject_id)}'>{_e(s.subject_id)}</a></td>"
            f"<td>{_e(s.name)}</td><td>{_e(', '.join(s.signals))}</td></tr>"
        )
    out.append("</tbody></table>")
    out.append("<h2>Clusters</h2>")
    if not clusters:
        out.append("<p class='muted'>No subjects share an identifier.</p>")
    else:
        out.append("<table><tr><th>cluster</th><th>verdict</th><th>members (role)</th><th>shared</th></tr>")
        for c in clusters:
            v = c.verdict
            verdict = (f"<span class='band {_e(v.band)}'>{_e(v.band)} {v.score:.2f}</span> {_e(v.summary)}"
                       if v else "")
            # A likely victim is named as such, never left looking like one of the suspects.
            members = ", ".join(f"{m.subject_id} ({m.role})" if m.role else m.subject_id
                                for m in sorted(c.members, key=lambda m: m.subject_id))
            out.append(
                f"<tr><td><a href='#cl-{_e(c.cluster_id)}'>{_e(c.cluster_id)}</a></td><td>{verdict}</td>"
                f"<td>{_e(members)}</td><td>{_e(', '.join(c.vias))}</td></tr>"
            )
        out.append("</table>")
        for c in clusters[:MAX_CLUSTER_PICTURES]:
            out.append(f"<div class='cluster' id='cl-{_e(c.cluster_id)}'><h3>{_e(c.cluster_id)}</h3>"
                       f"{pictures.cluster_svg(sorted(c.member_ids), c.links, band_of)}</div>")
    out.append("<h2>Evidence per subject</h2>")
    for s in scores:
        out.append(
            f"<div class='subject' id='{_anchor(s.subject_type, s.subject_id)}'><h3>{_e(s.subject_id)} — "
            f"{_e(s.name)} <span class='band {_e(s.band)}'>{_e(s.band)} {s.score:.2f}</span></h3>"
            "<table><tr><th>signal</th><th>weight</th><th>observed</th><th>detail</th><th>source</th></tr>"
        )
        for ev in by_subject.get(SubjectRef(s.subject_type, s.subject_id), []):
            out.append(
                f"<tr><td>{_e(ev.signal)} <span class='muted'>({_e(ev.strength)})</span></td>"
                f"<td>{ev.weight:.2f}</td><td>{_e(ev.observed_at)}</td><td>{_e(ev.detail)}</td>"
                f"<td><code>{_e(ev.source_file)}{_line(ev.line)}</code></td></tr>"
            )
        out.append("</table>")
        if s.subject_type == "employee" and s.subject_id in timeline:
            out.append(f"<div class='timeline'>{timeline[s.subject_id]}</div>")
        out.append("</div>")
    out.append("<h2>What the data could not tell</h2>")
    giants = results.giant_groups()
    if giants:
        out.append("<p>Identifiers shared by so many people that they name a place or a network, not an "
                   "operation (a coworking address, a carrier NAT), were not used to join clusters:</p><ul>")
        for g in giants:
            out.append(f"<li>{_e(g.via)} {_e(g.value_hint)}: {g.members} people</li>")
        out.append("</ul>")
    missing = meta.missing_parts
    out.append("<p>Missing or empty parts: " + (_e(", ".join(missing)) or "none") + ".</p>")
    disabled = meta.disabled_signals
    if disabled:
        out.append("<ul>")
        for d in disabled:
            out.append(f"<li>{_e(d['id'])} did not run: needs {_e(', '.join(d['missing_parts']))}</li>")
        out.append("</ul>")
    if meta.ignored_files:
        out.append("<p>Files in the bundle that no part took (misplaced or misnamed exports are not read):</p><ul>")
        for ig in meta.ignored_files:
            out.append(f"<li><code>{_e(ig['path'])}</code>: {_e(ig['reason'])}</li>")
        out.append("</ul>")
    unknown = [(f["path"], u) for f in meta.files for u in f.get("unknown_columns", [])]
    if unknown:
        out.append("<p>Columns not read that look like a misspelled known one:</p><ul>")
        for path, u in unknown:
            without = f" (read by {', '.join(u['disables'])})" if u.get("disables") else ""
            out.append(f"<li><code>{_e(path)}</code>: {_e(u['column'])}, did you mean {_e(u['did_you_mean'])}?"
                       f"{_e(without)}</li>")
        out.append("</ul>")
    bad_files = meta.unreadable_files
    if bad_files:
        out.append("<p>Files that could not be fully read:</p><ul>")
        for f in bad_files:
            out.append(f"<li><code>{_e(f['path'])}</code>: {_e(f['note'])}</li>")
        out.append("</ul>")
    out.append(f"<script>{_JS}</script></body></html>")
    return "\n".join(out)
