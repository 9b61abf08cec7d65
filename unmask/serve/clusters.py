"""Cluster pages of the workbench: ``/clusters``, ``/cluster/{id}`` (members with roles, links
with masked value hints, the verdict, the graph, decisions) and the case's export to STIX 2.1 or
``intel/iocs.csv`` (the code of ``unmask export-iocs``, behind the same gate, audited).

The graph is SVG drawn by the template ``_graph.html`` from coordinates computed by
``report.view.cluster_graph`` (report.html draws the same): members on the left (a link to each
person page, the name on the node, coloured by role), the identifiers they share on the right.
No script, so the CSP holds; every label is autoescaped bundle text.
"""


from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from unmask.cases.store import DECISIONS, CasesError
from unmask.model import Key
from unmask.report.export import SHAREABLE_BANDS, collect, to_csv, to_stix
from unmask.report.view import ROLE_COLOURS, cluster_graph
from unmask.results import Cluster, ClusterMember, SubjectRef
from unmask.serve.api_models import BAD_BODY, ERRORS, NOT_FOUND, ClusterDecisionIn
from unmask.serve.web import Auth, Web, band_order


def person_href(st: str, sid: str) -> str:
    # The template's urlencode filter quotes the id; here the same, for ids put into SVG hrefs.
    from urllib.parse import quote

    return f"/person/{quote(st, safe='')}/{quote(sid, safe='')}"


def member_dict(m: ClusterMember) -> dict[str, Any]:
    return {"subject_type": m.subject_type, "subject_id": m.subject_id, "name": m.name, "score": m.score,
            "band": m.band, "title": m.title, "department": m.department, "role": m.role}


def cluster_dict(c: Cluster) -> dict[str, Any]:
    v = c.verdict
    d = c.decision
    return {
        "cluster_id": c.cluster_id, "continues": c.continues, "vias": list(c.vias),
        "verdict": None if v is None else {"kind": v.kind, "score": v.score, "band": v.band, "summary": v.summary},
        "members": [member_dict(m) for m in sorted(c.members, key=lambda m: (band_order(m.band), -(m.score or 0),
                                                                              m.subject_type, m.subject_id))],
        "links": [{"a": lk.a, "b": lk.b, "via": lk.via, "value_hint": lk.value_hint} for lk in c.links],
        "scan_decision": None if d is None else {"status": d.status, "reason": d.reason, "by": d.by, "at": d.at},
    }


def router(web: Web) -> APIRouter:
    # Every route may answer these too; the OpenAPI document says so (schemathesis checks it).
    r = APIRouter(responses={**ERRORS, **NOT_FOUND})
    Who = Annotated[Auth, Depends(web.who)]

    def get(cid: str) -> Cluster:
        c = web.scan().cluster(cid)
        if c is None:
            raise HTTPException(404, "no such cluster in this scan")
        return c

    def listing() -> list[dict[str, Any]]:
        cs = web.scan().clusters()
        with web.lock:
            decided = {j.key.id: j.decision for j in web.store.all_current() if j.key.kind == "cluster"}
        out = [{"cluster_id": c.cluster_id, "size": len(c.members), "kind": c.verdict.kind if c.verdict else None,
                "band": c.verdict.band if c.verdict else None, "score": c.verdict.score if c.verdict else None,
                "summary": c.verdict.summary if c.verdict else ", ".join(c.vias),
                "decision": decided.get(c.cluster_id)} for c in cs]
        # Severity first (a farm of four before a pair of two only when it is as severe), then size.
        return sorted(out, key=lambda x: (band_order(x["band"]), -(x["score"] or 0), -x["size"], x["cluster_id"]))

    @r.get("/clusters", response_class=HTMLResponse, include_in_schema=False)
    def clusters_page(request: Request, w: Who) -> Response:
        return web.render(request, "clusters.html", {"clusters": listing()}, w)

    @r.get("/api/clusters")
    def api_clusters(w: Who) -> dict[str, Any]:
        """Every cluster of the scan, most severe first, with its kind, verdict and decision."""
        items = listing()
        return {"total": len(items), "items": items}

    @r.get("/cluster/{cid}", response_class=HTMLResponse, include_in_schema=False)
    def cluster_page(request: Request, cid: str, w: Who) -> Response:
        c = get(cid)
        key = Key("cluster", cid)
        with web.lock:
            history = web.store.history(key)
        web.audit(w[0].name, "view", key, None)
        d = cluster_dict(c)
        types = {m.subject_id: m.subject_type for m in c.members}
        return web.render(request, "cluster.html", {
            "c": d, "graph": cluster_graph(c, person_href), "history": history,
            "graph_hint": "Click a member to open their page.", "decisions": DECISIONS, "types": types,
            "shareable": shareable(c), "colours": ROLE_COLOURS}, w)

    @r.get("/api/clusters/{cid}")
    def api_cluster(cid: str, w: Who) -> dict[str, Any]:
        """One cluster: members with roles, links with masked value hints, verdict, decision history."""
        c = get(cid)
        key = Key("cluster", cid)
        with web.lock:
            history = web.store.history(key)
        web.audit(w[0].name, "view", key, {"via": "api"})
        return {**cluster_dict(c), "decisions": [j.as_dict() for j in history]}

    def shareable(c: Cluster) -> bool:
        """export-iocs' gate: a member with a high or critical finding, or a confirmed case."""
        if any(m.band in SHAREABLE_BANDS for m in c.members):
            return True
        keys = [Key("cluster", c.cluster_id)] + [Key(m.subject_type, m.subject_id)  # type: ignore[arg-type]
                                                 for m in c.members if m.subject_type in ("employee", "candidate")]
        with web.lock:
            return any((j := web.store.current(k)) is not None and j.decision == "confirmed" for k in keys)

    def export(cid: str, fmt: str, w: Auth, force: bool, include_tokens: bool, include_references: bool
               ) -> Response:
        if not w[0].can_decide():
            raise HTTPException(403, "a viewer cannot export a case's indicators")
        c = get(cid)
        if not shareable(c) and not force:
            raise HTTPException(409, "this cluster has no high or critical finding and no confirmed decision: its "
                                     "indicators are personal data; export with force=true to share anyway")
        iocs = collect(web.scan(), [SubjectRef(m.subject_type, m.subject_id) for m in c.members],
                       include_tokens, include_references)
        web.audit(w[0].name, "export", Key("cluster", cid),
                  {"what": f"iocs.{fmt}", "rows": len(iocs), "force": force, "include_tokens": include_tokens,
                   "include_references": include_references})
        if fmt == "csv":
            return Response(to_csv(iocs, cid), media_type="text/csv",
                            headers={"Content-Disposition": f'attachment; filename="{cid}-iocs.csv"'})
        return Response(to_stix(iocs, cid), media_type="application/json",
                        headers={"Content-Disposition": f'attachment; filename="{cid}-stix.json"'})

    @r.get("/cluster/{cid}/iocs.csv", response_class=Response, responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "intel/iocs.csv rows."}})
    def cluster_csv(cid: str, w: Who, force: bool = False, include_tokens: bool = False,
                    include_references: bool = False) -> Response:
        """The cluster's indicators as intel/iocs.csv rows (formulas neutralised); audited."""
        return export(cid, "csv", w, force, include_tokens, include_references)

    @r.get("/cluster/{cid}/stix.json", response_class=Response, responses={
        200: {"content": {"application/json": {"schema": {"type": "object"}}}, "description": "A STIX 2.1 bundle."}})
    def cluster_stix(cid: str, w: Who, force: bool = False, include_tokens: bool = False,
                     include_references: bool = False) -> Response:
        """The cluster's indicators as a STIX 2.1 bundle; audited."""
        return export(cid, "stix", w, force, include_tokens, include_references)

    def decide(w: Auth, cid: str, form: dict[str, str]) -> dict[str, Any]:
        key = Key("cluster", cid)
        if not w[0].can_decide():
            web.audit(w[0].name, "decide_refused", key, None)
            raise HTTPException(403, "a viewer cannot decide")
        get(cid)
        reason = form.get("reason") or None
        try:
            with web.lock:
                j = web.store.decide(key, form.get("decision", ""), author=w[0].name,  # type: ignore[arg-type]
                                     reason=reason, reason_text=form.get("reason_text", ""),  # type: ignore[arg-type]
                                     note=form.get("note", ""))
        except (CasesError, ValueError) as e:
            raise HTTPException(422, str(e)) from None
        return j.as_dict()

    @r.post("/cluster/{cid}/decide", include_in_schema=False)
    async def decide_form(request: Request, cid: str, w: Who) -> Response:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        decide(w, cid, form)
        return RedirectResponse(f"/cluster/{cid}", status_code=303)

    @r.post("/api/clusters/{cid}/decision", responses=BAD_BODY)
    def api_decide(body: Annotated[ClusterDecisionIn, Body()], cid: str, w: Who) -> dict[str, Any]:
        """Record a decision on the whole cluster; it supersedes the one in force."""
        return decide(w, cid, {k: str(v) for k, v in body.model_dump().items() if v is not None})

    return r
