"""Scan pages of the workbench: ``/scans`` (the history kept under ``OUT/scans/``), ``/scans/{id}``
(what that scan read and could not read: unreadable and ignored files, rejected records) and
``/scans/diff?a=..&b=..`` (new, raised, lowered and resolved findings between two scans, by the
subjects' stable keys), each with its JSON twin under ``/api/scans``.

A published scan never changes (unmask.scans), so each scan's findings are read from its own
``findings.jsonl`` once and kept: the diff compares outputs, and an older scan's store need not be
opened beside the one being served.
"""


import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse

from unmask.scans import SCANS, current, history
from unmask.serve.api_models import ERRORS, NOT_FOUND
from unmask.serve.web import Auth, Web, band_order

SCORE_STEP = 0.01  # a move smaller than this within one band is noise of the rounding, not a change
MAX_REJECTS = 500


@dataclass(frozen=True)
class Row:
    key: str  # "employee:E1": the subject's stable key
    name: str | None
    band: str
    score: float
    fingerprint: str | None
    evidence: frozenset[str]


_cache: dict[Path, dict[str, Row]] = {}
_cache_lock = threading.Lock()


def scan_dir(root: Path, scan_id: str) -> Path:
    """The folder of a complete scan in OUT's history; 404 for anything else (no path from the URL)."""
    if scan_id not in history(root):
        raise HTTPException(404, "no such scan in this output folder")
    return root / SCANS / scan_id


def findings_of(folder: Path) -> dict[str, Row]:
    """The scan's findings by stable key (read once: a published scan is immutable)."""
    with _cache_lock:
        got = _cache.get(folder)
    if got is not None:
        return got
    rows: dict[str, Row] = {}
    path = folder / "findings.jsonl"
    if path.is_file():
        with path.open(encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                d = json.loads(line)
                s = d["subject"]
                key = f"{s['type']}:{s['id']}"
                rows[key] = Row(key, s.get("name"), str(d["band"]), float(d["score"]), d.get("evidence_fingerprint"),
                                frozenset(e["evidence_id"] for e in d.get("evidence", [])))
    with _cache_lock:
        if len(_cache) > 8:  # a long-running server over a long history keeps the recent few
            _cache.pop(next(iter(_cache)))
        _cache[folder] = rows
    return rows


def diff(a: dict[str, Row], b: dict[str, Row]) -> dict[str, list[dict[str, Any]]]:
    """What changed from scan ``a`` to scan ``b``: new, raised, lowered, resolved findings, and
    findings whose band and score held but whose evidence changed."""
    out: dict[str, list[dict[str, Any]]] = {"new": [], "raised": [], "lowered": [], "resolved": [],
                                            "evidence_changed": []}

    def item(k: str, old: Row | None, new: Row | None) -> dict[str, Any]:
        r = new or old
        assert r is not None
        st, _, sid = k.partition(":")
        return {"key": k, "subject_type": st, "subject_id": sid, "name": r.name,
                "before": None if old is None else {"band": old.band, "score": old.score},
                "after": None if new is None else {"band": new.band, "score": new.score},
                "new_evidence": sorted(new.evidence - old.evidence) if old and new else []}

    for k, nb in b.items():
        na = a.get(k)
        if na is None:
            out["new"].append(item(k, None, nb))
        elif band_order(nb.band) < band_order(na.band) or (nb.band == na.band and nb.score - na.score >= SCORE_STEP):
            out["raised"].append(item(k, na, nb))
        elif band_order(nb.band) > band_order(na.band) or (nb.band == na.band and na.score - nb.score >= SCORE_STEP):
            out["lowered"].append(item(k, na, nb))
        elif nb.fingerprint != na.fingerprint:
            out["evidence_changed"].append(item(k, na, nb))
    out["resolved"] = [item(k, ra, None) for k, ra in a.items() if k not in b]
    for rows in out.values():
        rows.sort(key=lambda x: (band_order((x["after"] or x["before"])["band"]),
                                 -(x["after"] or x["before"])["score"], x["key"]))
    return out


def previous_and_current(root: Path) -> tuple[str | None, str | None]:
    """The scan before the published one, and the published one (None when there is none)."""
    ids = history(root)
    live = current(root).name
    if live not in ids:
        return None, None
    i = ids.index(live)
    return (ids[i - 1] if i > 0 else None), live


def new_since_last_scan(root: Path) -> set[str] | None:
    """Keys of the published scan's findings that the scan before it did not have (None: no
    earlier scan to compare with)."""
    prev, live = previous_and_current(root)
    if prev is None or live is None:
        return None
    a, b = findings_of(root / SCANS / prev), findings_of(root / SCANS / live)
    return set(b) - set(a)


def _manifest(folder: Path) -> dict[str, Any]:
    try:
        m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return m if isinstance(m, dict) else {}


def summary(root: Path, scan_id: str) -> dict[str, Any]:
    folder = root / SCANS / scan_id
    m = _manifest(folder)
    rows = findings_of(folder)
    bands: dict[str, int] = {}
    for r in rows.values():
        bands[r.band] = bands.get(r.band, 0) + 1
    files = m.get("files", [])
    return {"scan_id": scan_id, "started_at": m.get("started_at"), "finished_at": m.get("finished_at"),
            "bundle": m.get("bundle"), "tool_version": (m.get("tool") or {}).get("version"),
            "findings": len(rows), "bands": {b: bands[b] for b in sorted(bands, key=band_order)},
            "rejected": sum(int(f.get("rejected", 0) or 0) for f in files if isinstance(f, dict)),
            "unreadable_files": sum(1 for f in files if isinstance(f, dict) and f.get("status") != "ok"),
            "ignored_files": len(m.get("ignored_files", [])),
            "decisions": m.get("decisions"), "current": scan_id == current(root).name}


def unread(root: Path, scan_id: str) -> dict[str, Any]:
    """What the scan could not read: files it could not use, files it ignored, rejected records."""
    folder = root / SCANS / scan_id
    m = _manifest(folder)
    rejects: list[dict[str, Any]] = []
    total = 0
    path = folder / "rejects.jsonl"
    if path.is_file():
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    total += 1
                    if len(rejects) < MAX_REJECTS:
                        rejects.append(json.loads(line))
    files = [f for f in m.get("files", []) if isinstance(f, dict)]
    return {"unreadable_files": [f for f in files if f.get("status") != "ok"],
            "ignored_files": m.get("ignored_files", []), "missing_parts": m.get("missing_parts", []),
            "disabled_signals": m.get("disabled_signals", []), "rejects": rejects, "rejects_total": total}


def router(web: Web) -> APIRouter:
    # Every route may answer these too; the OpenAPI document says so (schemathesis checks it).
    r = APIRouter(responses={**ERRORS, **NOT_FOUND})
    Who = Annotated[Auth, Depends(web.who)]

    def listing() -> list[dict[str, Any]]:
        return [summary(web.root, s) for s in reversed(history(web.root))]  # newest first

    def pair(a: str | None, b: str | None) -> tuple[str, str]:
        prev, live = previous_and_current(web.root)
        a, b = a or prev, b or live
        if a is None or b is None:
            raise HTTPException(404, "two scans are needed for a comparison; this output folder has one")
        return a, b

    def compare(a: str, b: str) -> dict[str, Any]:
        d = diff(findings_of(scan_dir(web.root, a)), findings_of(scan_dir(web.root, b)))
        return {"a": a, "b": b, "counts": {k: len(v) for k, v in d.items()}, **d}

    @r.get("/scans", response_class=HTMLResponse, include_in_schema=False)
    def scans_page(request: Request, w: Who) -> Response:
        scans = listing()
        return web.render(request, "scans.html", {"scans": scans, "ids": [s["scan_id"] for s in scans]}, w)

    @r.get("/api/scans")
    def api_scans(w: Who) -> dict[str, Any]:
        """The scans kept in OUT/scans/, newest first, with their findings per band."""
        items = listing()
        return {"total": len(items), "items": items}

    @r.get("/scans/diff", response_class=HTMLResponse, include_in_schema=False)
    def diff_page(request: Request, w: Who, a: str | None = None, b: str | None = None) -> Response:
        a, b = pair(a, b)
        return web.render(request, "scandiff.html", {"d": compare(a, b), "ids": list(reversed(history(web.root)))},
                          w)

    @r.get("/api/scans/diff")
    def api_diff(w: Who, a: str | None = None, b: str | None = None) -> dict[str, Any]:
        """What changed from scan a to scan b (default: the previous and the published scan)."""
        return compare(*pair(a, b))

    @r.get("/scans/{scan_id}", response_class=HTMLResponse, include_in_schema=False)
    def scan_page(request: Request, scan_id: str, w: Who) -> Response:
        scan_dir(web.root, scan_id)
        return web.render(request, "scan.html", {"s": summary(web.root, scan_id), **unread(web.root, scan_id)}, w)

    @r.get("/api/scans/{scan_id}")
    def api_scan(scan_id: str, w: Who) -> dict[str, Any]:
        """One scan: its summary and what it could not read (files, ignored files, first rejects)."""
        scan_dir(web.root, scan_id)
        return {**summary(web.root, scan_id), "unread": unread(web.root, scan_id)}

    return r
