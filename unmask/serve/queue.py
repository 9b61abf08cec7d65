"""The queue of the workbench (``/``, ``/api/findings``, ``/queue.csv``) and its filters: band,
signal family, cluster kind, department, decision status, assignee, "new since last scan" and
"new evidence since dismissal", with search by name, id or e-mail and pagination.

Filters on the scan (band, family, kind, department, search) run in the scan's SQL; filters on
the team's work (decision, assignee, reopened, new) become a set of stable keys that the same
query keeps or drops, so one query still pages and counts the queue.
"""

import csv
import io
from dataclasses import asdict, dataclass
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse

from unmask.cases.store import DECISIONS, Judgement
from unmask.report.export import csv_safe
from unmask.results import BANDS, ResultsError
from unmask.scans import history
from unmask.serve.api_models import ERRORS, NOT_FOUND
from unmask.serve.scanpages import new_since_last_scan
from unmask.serve.web import Auth, Web

PAGE = 50
STATUSES = (*DECISIONS, "undecided")


@dataclass(frozen=True)
class Filters:
    band: str = ""
    family: str = ""
    q: str = ""
    kind: str = ""  # cluster kind
    department: str = ""
    status: str = ""  # a decision, or "undecided"
    assignee: str = ""  # an account name, "me" or "nobody"
    new: bool = False  # new since the scan before the published one
    reopened: bool = False  # dismissed, and evidence the dismissal did not see has come

    def link(self, **change: Any) -> str:
        """This filter set as a query string (only what is set), with ``change`` applied."""
        d = {**asdict(self), **change}
        return urlencode({k: ("1" if v is True else v) for k, v in d.items() if v not in ("", False, None, 0)})


# The status filter's values, in the OpenAPI document too (a decision, "undecided", or none).
Status = Literal["", "confirmed", "dismissed", "needs_review", "escalated", "undecided"]


def filters(band: str = "", family: str = "", q: str = "", kind: str = "", department: str = "", status: Status = "",
            assignee: str = "", new: bool = False, reopened: bool = False) -> Filters:
    if status and status not in STATUSES:
        raise HTTPException(422, f"status must be one of {', '.join(STATUSES)}")
    return Filters(band if band in BANDS else "", family, q, kind, department, status, assignee, new, reopened)


def reopened_keys(web: Web, judgements: list[Judgement]) -> set[str]:
    """Subjects dismissed on evidence that has since grown: a row the dismissal did not see that is
    not weak (the rule findings.jsonl applies, unmask.results.jsonl), checked against the
    published scan now, so a dismissal made after the scan is judged on what it saw."""
    res = web.scan()
    out: set[str] = set()
    for j in judgements:
        if j.decision != "dismissed" or j.key.kind == "cluster":
            continue
        seen = set(j.evidence_ids)
        if any(e.evidence_id not in seen and e.strength != "weak" for e in res.evidence(j.key.kind, j.key.id)):
            out.add(str(j.key))
    return out


# Past any scan's size, and inside the engine's signed 64-bit LIMIT/OFFSET: a larger offset in a
# URL is a 422, not a 500 (the schemathesis fuzz sent 2**63).
MAX_OFFSET = 1_000_000_000


def queue_data(web: Web, f: Filters, user: str, offset: int, limit: int | None) -> dict[str, Any]:
    notes: list[str] = []
    keep: set[str] | None = None
    drop: set[str] = set()

    def only(keys: set[str]) -> None:
        nonlocal keep
        keep = keys if keep is None else keep & keys

    with web.lock:  # the cases store only: the scan is read without it
        judgements = web.store.all_current()
        assigned = {str(a.key): a.assignee for a in web.store.assignments() if a.assignee}
    decided = {str(j.key): j for j in judgements}
    if f.status == "undecided":
        drop |= set(decided)
    elif f.status:
        only({k for k, j in decided.items() if j.decision == f.status})
    if f.assignee == "nobody":
        drop |= set(assigned)
    elif f.assignee:
        who = user if f.assignee == "me" else f.assignee
        only({k for k, a in assigned.items() if a == who})
    if f.reopened:
        only(reopened_keys(web, judgements))
    if f.new:
        fresh = new_since_last_scan(web.root)
        if fresh is None:
            notes.append("no earlier scan to compare with: every finding is new")
        else:
            only(fresh)
    pg = web.scan().findings(
        bands=[f.band] if f.band else None, family=f.family or None, search=f.q or None, offset=offset,
        limit=limit, department=f.department or None, cluster_kind=f.kind or None,
        keys=None if keep is None else sorted(keep), not_keys=sorted(drop) if drop else None)
    items = []
    for x in pg.items:
        k = f"{x.subject_type}:{x.subject_id}"
        items.append({"subject_type": x.subject_type, "subject_id": x.subject_id, "name": x.name, "score": x.score,
                      "band": x.band, "rank": x.rank, "families": list(x.families), "clusters": list(x.clusters),
                      "decision": (d.decision if (d := decided.get(k)) else None), "assignee": assigned.get(k)})
    return {"total": pg.total, "offset": pg.offset, "items": items, "notes": notes}


def what_was_not_read(web: Web) -> dict[str, Any] | None:
    """How much of the bundle the published scan could not read, for a line above the queue
    (the scan's page lists it); None when nothing was left out."""
    try:
        meta = web.scan().meta()
    except ResultsError:
        return None
    got = {"rejected": meta.totals.get("rejected", 0), "unreadable": len(meta.unreadable_files),
           "ignored": len(meta.ignored_files), "scan_id": meta.raw.get("scan_id")}
    if not (got["rejected"] or got["unreadable"] or got["ignored"]):
        return None
    if got["scan_id"] not in history(web.root):
        got["scan_id"] = None  # a scan folder served directly: no page of its own
    return got


def router(web: Web) -> APIRouter:
    # Every route may answer these too; the OpenAPI document says so (schemathesis checks it).
    r = APIRouter(responses={**ERRORS, **NOT_FOUND})
    Who = Annotated[Auth, Depends(web.who)]
    F = Annotated[Filters, Depends(filters)]

    @r.get("/", response_class=HTMLResponse, include_in_schema=False)
    def queue(request: Request, w: Who, f: F, offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> Response:
        data = queue_data(web, f, w[0].name, offset, PAGE)
        with web.lock:
            people = [u.name for u in web.accounts.users() if u.can_decide()]
        facets = web.scan().facets()
        unread = what_was_not_read(web)
        return web.render(request, "queue.html", {
            **data, "f": f, "bands": BANDS, "statuses": STATUSES, "facets": facets, "people": people, "page": PAGE,
            "prev": f.link(offset=max(offset - PAGE, 0)) if offset > 0 else None,
            "next": f.link(offset=offset + PAGE) if offset + PAGE < data["total"] else None,
            "csv": f.link(), "unread": unread}, w)

    @r.get("/api/findings")
    def api_findings(w: Who, f: F, offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
                     limit: Annotated[int, Query(ge=1, le=1000)] = PAGE) -> dict[str, Any]:
        """Findings, highest score first, with each subject's decision in force and assignee.
        Filters: band, family, kind (cluster kind), department, status (a decision or
        "undecided"), assignee (a name, "me" or "nobody"), new (since the last scan), reopened
        (new evidence since a dismissal), q (name, id, e-mail or cluster id)."""
        return queue_data(web, f, w[0].name, offset, limit)

    @r.get("/queue.csv", response_class=Response, responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "The queue as CSV."}})
    def queue_csv(w: Who, f: F) -> Response:
        """The filtered queue as CSV; cells a spreadsheet would run as formulas are quoted."""
        data = queue_data(web, f, w[0].name, 0, None)
        buf = io.StringIO()
        wr = csv.writer(buf)
        wr.writerow(["rank", "subject_type", "subject_id", "name", "score", "band", "families", "decision",
                     "assignee"])
        for it in data["items"]:
            wr.writerow([csv_safe(str(v)) for v in (
                it["rank"], it["subject_type"], it["subject_id"], it["name"] or "", f"{it['score']:.4f}", it["band"],
                " ".join(it["families"]), it["decision"] or "", it["assignee"] or "")])
        web.audit(w[0].name, "export", None, {"what": "queue.csv", "rows": len(data["items"]), **asdict(f)})
        return Response(buf.getvalue(), media_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="queue.csv"'})

    return r
