"""A person's page in the workbench (``/person/{type}/{id}`` and ``/api/subjects/...``): who the
subject is (title, department, manager, declared home, hire date, vendor), one top reason in
plain words, the evidence (strong and medium first, weak collapsed, each signal described on
hover, rows the last decision did not see highlighted), the life on one time axis in UTC and the
declared zone with the hour-of-day picture as a second view, clusters both ways, decisions and
assignments.

A dismissal as "household" or "approved tool" is also configuration the next scan reads (a
declared relation, a tool allowed to one person: unmask.cases.overlay). The form shows that change
and records it only once the user confirms; the API needs ``"confirm": true`` for the same reason.
"""

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from unmask.cases import overlay
from unmask.cases.store import DECISIONS, REASONS, CasesError
from unmask.model import Key
from unmask.report.pictures import signin_map, timelines
from unmask.report.view import axis, evidence_rows, top_reason, when, zone
from unmask.results import Subject
from unmask.serve.api_models import BAD_BODY, ERRORS, NOT_FOUND, AssignmentIn, DecisionIn
from unmask.serve.web import Auth, Web, subject_key

CONFIGURING = ("household", "approved_tool")
def q(text: str) -> str:
    # A TOML basic string: JSON's escapes are TOML's for every character JSON escapes.
    return json.dumps(text, ensure_ascii=False)


def config_change(key: Key, reason: str | None, related: str | None, tool: str | None) -> str | None:
    """The unmask.toml lines a dismissal amounts to (what the next scan will read), or None."""
    if reason == "household" and related:
        other = Key.parse(related)
        return f'[[relations]]\na = {q(key.id)}\nb = {q(other.id)}\nkind = "household"\n'
    if reason == "approved_tool" and tool:
        return f'[[allow.person_tools]]\nsubject = {q(key.id)}\ntool = {q(tool.strip())}\n'
    return None


def router(web: Web) -> APIRouter:
    # Every route may answer these too; the OpenAPI document says so (schemathesis checks it).
    r = APIRouter(responses={**ERRORS, **NOT_FOUND})
    Who = Annotated[Auth, Depends(web.who)]

    def person_data(st: str, sid: str) -> dict[str, Any]:
        key = subject_key(st, sid)
        subj = web.scan().subject(sid, st)
        with web.lock:
            history = web.store.history(key)
            handovers = web.store.assignments(key)
        # The decision as the scan saw it: a dismissal that evidence it did not see reopens.
        in_scan = subj.decision if subj is not None else None
        if subj is None:
            raise HTTPException(404, "no such subject")
        return {"subject": subj, "history": history, "key": key, "handovers": handovers,
                "assignee": handovers[-1].assignee if handovers else None,
                "reopened": in_scan is not None and in_scan.reopened}

    def context(subj: Subject) -> dict[str, Any]:
        emp = next((x for x in subj.records if x.kind == "employee"), None)
        cand = next((x for x in subj.records if x.kind == "candidate"), None)
        rec = emp or cand
        place = ", ".join(p for p in (rec.city, rec.region, rec.country) if p) if rec else ""
        return {"title": emp.title if emp else None, "department": emp.department if emp else None,
                "manager_id": emp.manager_id if emp else None, "manager_name": emp.manager_name if emp else None,
                "location": place or None, "hire_date": emp.hire_date if emp else None,
                "vendor": emp.vendor if emp else None, "employment_type": emp.employment_type if emp else None,
                "applied_at": cand.applied_at if cand else None, "stage": cand.stage if cand else None,
                "email": rec.email if rec else None}

    @r.get("/person/{st}/{sid}", response_class=HTMLResponse, include_in_schema=False)
    def person(request: Request, st: str, sid: str, w: Who) -> Response:
        d = person_data(st, sid)
        web.audit(w[0].name, "view", d["key"], None)
        subj: Subject = d["subject"]
        res = web.scan()
        tzname = res.declared_zone(st, sid)
        hours = timelines(res, [sid], tzname or "UTC") if st == "employee" else {}
        places = res.signin_places(sid) if st == "employee" else []
        where = signin_map(places, res.declared_places(st, sid))
        with web.lock:
            people = [u.name for u in web.accounts.users() if u.can_decide()]
        tz = zone(tzname)
        seen = set(d["history"][-1].evidence_ids) if d["history"] else set()
        rows = evidence_rows(subj.evidence, tz, seen)
        return web.render(request, "person.html", {
            **d, "ctx": context(subj), "reason": top_reason(subj.evidence), "tz": tzname,
            "shown": [x for x in rows if not x["weak"]], "weak": [x for x in rows if x["weak"]],
            "events": [{"t": t, "when": when(t.at, tz)} for t in subj.timeline], "axis": axis(subj.timeline),
            "hours": hours.get(sid), "map": where, "decisions": DECISIONS, "reasons": REASONS, "people": people}, w)

    @r.get("/api/subjects/{st}/{sid}")
    def api_person(st: str, sid: str, w: Who) -> dict[str, Any]:
        """One subject: score, band, evidence (strongest first), decision history and assignee."""
        d = person_data(st, sid)
        web.audit(w[0].name, "view", d["key"], {"via": "api"})
        s: Subject = d["subject"]
        return {"subject_type": s.subject_type, "subject_id": s.subject_id, "name": s.name, "score": s.score,
                "band": s.band, "rank": s.rank, "reopened": d["reopened"], "top_reason": top_reason(s.evidence),
                "evidence": [{"evidence_id": e.evidence_id, "signal": e.signal, "strength": e.strength,
                              "weight": e.weight, "detail": e.detail, "source_file": e.source_file, "line": e.line}
                             for e in s.evidence],
                "decisions": [j.as_dict() for j in d["history"]], "assignee": d["assignee"],
                "assignments": [a.as_dict() for a in d["handovers"]]}

    def check(w: Auth, key: Key) -> None:
        if not w[0].can_decide():
            web.audit(w[0].name, "decide_refused", key, None)
            raise HTTPException(403, "a viewer cannot decide")

    def decide(w: Auth, st: str, sid: str, form: dict[str, str]) -> dict[str, Any]:
        check(w, subject_key(st, sid))
        d = person_data(st, sid)
        related = form.get("related") or None
        try:
            other = Key.parse(related) if related else None
            if other is not None:
                known = web.scan().subject_refs(other.id)
                if other.kind not in [ref.type for ref in known]:
                    raise CasesError(f"no subject {related} in this scan to be the household's other member")
            with web.lock:
                j = web.store.decide(
                    d["key"], form.get("decision", ""), author=w[0].name,  # type: ignore[arg-type]
                    reason=form.get("reason") or None,  # type: ignore[arg-type]
                    reason_text=form.get("reason_text", ""), note=form.get("note", ""),
                    evidence_ids=[e.evidence_id for e in d["subject"].evidence], related=other,
                    tool=form.get("tool") or None)
        except (CasesError, ValueError) as e:
            raise HTTPException(422, str(e)) from None
        return j.as_dict()

    def pending(st: str, sid: str, form: dict[str, str]) -> str | None:
        """The configuration a dismissal would add that the user has not confirmed yet."""
        if form.get("decision") != "dismissed" or form.get("reason") not in CONFIGURING:
            return None
        if form.get("confirm") in ("yes", "true", "True", "1"):
            return None
        try:
            return config_change(subject_key(st, sid), form.get("reason"), form.get("related"), form.get("tool"))
        except ValueError as e:
            raise HTTPException(422, str(e)) from None

    @r.post("/person/{st}/{sid}/decide", include_in_schema=False)
    async def decide_form(request: Request, st: str, sid: str, w: Who) -> Response:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str) and k != "csrf"}
        change = pending(st, sid, form)
        if change is not None:
            check(w, subject_key(st, sid))
            person_data(st, sid)  # 404 before asking
            return web.render(request, "confirm.html", {"st": st, "sid": sid, "form": form, "change": change}, w)
        decide(w, st, sid, form)
        return RedirectResponse(f"/person/{st}/{sid}", status_code=303)

    @r.post("/api/subjects/{st}/{sid}/decision", responses=BAD_BODY)
    def api_decide(body: Annotated[DecisionIn, Body()], st: str, sid: str, w: Who) -> dict[str, Any]:
        """Record a decision. A "household" or "approved_tool" dismissal changes what the next scan
        reads: it needs "confirm": true, and the answer says the configuration it adds."""
        body_ = body.model_dump()
        form = {k: str(v) for k, v in body_.items() if v is not None}
        change = pending(st, sid, form)
        if change is not None:
            raise HTTPException(422, "this dismissal adds to the configuration the next scan reads; send "
                                     f'"confirm": true to record it:\n{change}')
        got = decide(w, st, sid, form)
        return {**got, "configuration": config_change(subject_key(st, sid), got["reason"], got["related"],
                                                        got["tool"])}

    def assign(w: Auth, st: str, sid: str, assignee: str | None) -> dict[str, Any]:
        key = subject_key(st, sid)
        if not w[0].can_decide():
            web.audit(w[0].name, "assign_refused", key, None)
            raise HTTPException(403, "a viewer cannot assign cases")
        person_data(st, sid)
        name = (assignee or "").strip() or None
        with web.lock:
            u = web.accounts.user(name) if name else None
            if name and (u is None or not u.can_decide()):
                raise HTTPException(422, "assign the case to an investigator or an admin")
            return web.store.assign(key, name, author=w[0].name).as_dict()

    @r.post("/person/{st}/{sid}/assign", include_in_schema=False)
    async def assign_form(request: Request, st: str, sid: str, w: Who) -> Response:
        v = (await request.form()).get("assignee")
        assign(w, st, sid, v if isinstance(v, str) else None)
        return RedirectResponse(f"/person/{st}/{sid}", status_code=303)

    @r.post("/api/subjects/{st}/{sid}/assignment", responses=BAD_BODY)
    def api_assign(body: Annotated[AssignmentIn, Body()], st: str, sid: str, w: Who) -> dict[str, Any]:
        """Give the case to a colleague (JSON body: assignee, an account name; null hands it back)."""
        return assign(w, st, sid, body.assignee)

    @r.get("/configuration", response_class=HTMLResponse, include_in_schema=False)
    def configuration(request: Request, w: Who) -> Response:
        with web.lock:
            ov = overlay(web.store)
        return web.render(request, "configuration.html", {"entries": ov.entries}, w)

    @r.get("/api/configuration")
    def api_configuration(w: Who) -> dict[str, Any]:
        """What the next scan reads from the team's decisions: declared relations and tools
        allowed to one person, each with the judgement it comes from."""
        with web.lock:
            ov = overlay(web.store)
        return {"entries": [e.as_dict() for e in ov.entries]}

    return r
