"""The investigator's workbench (issue 15): a FastAPI app over one scan folder.

The scan is read through :class:`unmask.results.Results` (read-only DuckDB); decisions, the
audit log and accounts go to the cases store (``OUT/cases.sqlite``, SQLite WAL). Every page is a
Jinja2 template with autoescape, so a bundle string is always text; the CSP allows no inline
script. A state-changing request needs a session and its CSRF token, or an API token.
"""

import csv
import io
import json
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from unmask.cases.store import DECISIONS, REASONS, CasesError, CasesStore
from unmask.model import Key
from unmask.results import BANDS, Results
from unmask.scans import out_root
from unmask.serve import clusters, scanpages
from unmask.serve.accounts import Accounts, Session, User
from unmask.serve.web import Web

HERE = Path(__file__).parent
COOKIE = "unmask_session"
PAGE = 50
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


def neutralise(cell: object) -> str:
    """A CSV cell a spreadsheet will not run: OWASP's rule for formula injection."""
    s = "" if cell is None else str(cell)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def create_app(out: Path, cases: Path | None = None, secure_cookie: bool = False) -> FastAPI:
    root = out_root(out)
    results = Results.open(out)
    store_path = cases or root / "cases.sqlite"
    accounts = Accounts(store_path)
    store = CasesStore.open(store_path, shared=True)
    # One DuckDB connection and one SQLite connection, shared by the worker threads: a lock
    # keeps each call whole.
    lock = threading.Lock()
    app = FastAPI(title="unmask workbench", version="1")
    app.state.accounts = accounts
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")

    @app.middleware("http")
    async def headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        resp = await call_next(request)
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["Cache-Control"] = "no-store"
        return resp

    def current(request: Request) -> tuple[User, Session | None]:
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            with lock:
                u = accounts.api_user(auth[7:].strip())
            if u is None:
                raise HTTPException(401, "bad API token")
            return u, None
        sid = request.cookies.get(COOKIE)
        with lock:
            s = accounts.session(sid) if sid else None
        if s is None:
            if request.url.path.startswith("/api/"):
                raise HTTPException(401, "log in or give an API token")
            raise HTTPException(303, headers={"Location": "/login"})
        return s.user, s

    async def who(request: Request) -> tuple[User, Session | None]:
        u, s = current(request)
        if request.method not in ("GET", "HEAD") and s is not None:
            # Cookie-authenticated writes carry the session's CSRF token (form field or header).
            sent = request.headers.get("x-csrf-token")
            if sent is None:
                form = await request.form()
                v = form.get("csrf")
                sent = v if isinstance(v, str) else None
            if sent != s.csrf:
                raise HTTPException(403, "missing or wrong CSRF token")
        return u, s

    Who = Annotated[tuple[User, Session | None], Depends(who)]

    def page(request: Request, name: str, ctx: dict[str, Any], s: Session | None, status: int = 200) -> HTMLResponse:
        return templates.TemplateResponse(request, name, {**ctx, "csrf": s.csrf if s else "",
                                                          "user": s.user if s else None}, status_code=status)

    def audit(actor: str, action: str, key: Key | None = None, detail: dict[str, Any] | None = None) -> None:
        with lock:
            store.record(actor, action, key, detail)

    # -- login -------------------------------------------------------------------------------

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_form(request: Request, t: str | None = None) -> Response:
        if t:
            with lock:
                u = accounts.use_login_link(t)
            if u is not None:
                return _logged_in(u, "login_link")
            audit("-", "login_failed", detail={"via": "link"})
        return page(request, "login.html", {"error": None}, None)

    def _logged_in(u: User, via: str) -> Response:
        with lock:
            sid = accounts.new_session(u)
        audit(u.name, "login", detail={"via": via})
        resp = RedirectResponse("/", status_code=303)
        resp.set_cookie(COOKIE, sid, httponly=True, samesite="strict", secure=secure_cookie, path="/")
        return resp

    @app.post("/login", include_in_schema=False)
    def login(request: Request, name: Annotated[str, Form()], password: Annotated[str, Form()]) -> Response:
        with lock:
            locked = accounts.locked(name)
            u = None if locked else accounts.check_password(name, password)
        if u is None:
            audit(name[:64], "login_failed", detail={"locked": locked})
            msg = "Too many failed attempts; try later." if locked else "Wrong name or password."
            return page(request, "login.html", {"error": msg}, None, 429 if locked else 401)
        return _logged_in(u, "password")

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request, w: Who) -> Response:
        sid = request.cookies.get(COOKIE)
        if sid:
            with lock:
                accounts.end_session(sid)
        audit(w[0].name, "logout")
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(COOKIE, path="/")
        return resp

    # -- the queue ---------------------------------------------------------------------------

    def queue_data(band: str | None, family: str | None, q: str | None, offset: int, limit: int | None
                   ) -> dict[str, Any]:
        bands = [band] if band in BANDS else None
        with lock:
            pg = results.findings(bands=bands, family=family or None, search=q, offset=offset, limit=limit)
            decided = {str(j.key): j for j in store.all_current()}
        items = [{"subject_type": f.subject_type, "subject_id": f.subject_id, "name": f.name, "score": f.score,
                  "band": f.band, "rank": f.rank, "families": list(f.families), "clusters": list(f.clusters),
                  "decision": (d.decision if (d := decided.get(f"{f.subject_type}:{f.subject_id}")) else None)}
                 for f in pg.items]
        return {"total": pg.total, "offset": pg.offset, "items": items}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def queue(request: Request, w: Who, band: str | None = None, family: str | None = None, q: str | None = None,
              offset: Annotated[int, Query(ge=0)] = 0) -> Response:
        data = queue_data(band, family, q, offset, PAGE)
        return page(request, "queue.html", {**data, "band": band or "", "family": family or "", "q": q or "",
                                            "bands": BANDS, "page": PAGE}, w[1])

    @app.get("/api/findings")
    def api_findings(w: Who, band: str | None = None, family: str | None = None, q: str | None = None,
                     offset: Annotated[int, Query(ge=0)] = 0,
                     limit: Annotated[int, Query(ge=1, le=1000)] = PAGE) -> dict[str, Any]:
        """Findings, highest score first, with each subject's decision in force."""
        return queue_data(band, family, q, offset, limit)

    @app.get("/queue.csv")
    def queue_csv(w: Who, band: str | None = None, family: str | None = None, q: str | None = None) -> Response:
        """The filtered queue as CSV; cells a spreadsheet would run as formulas are quoted."""
        data = queue_data(band, family, q, 0, None)
        buf = io.StringIO()
        wr = csv.writer(buf)
        wr.writerow(["rank", "subject_type", "subject_id", "name", "score", "band", "families", "decision"])
        for it in data["items"]:
            wr.writerow([neutralise(v) for v in (it["rank"], it["subject_type"], it["subject_id"], it["name"],
                                                 f"{it['score']:.4f}", it["band"], " ".join(it["families"]),
                                                 it["decision"] or "")])
        audit(w[0].name, "export", detail={"what": "queue.csv", "rows": len(data["items"]), "band": band,
                                          "family": family, "q": q})
        return Response(buf.getvalue(), media_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="queue.csv"'})

    # -- a person ----------------------------------------------------------------------------

    def person_data(st: str, sid: str) -> dict[str, Any]:
        if st not in ("employee", "candidate"):
            raise HTTPException(404, "no such subject")
        key = Key(st, sid)  # type: ignore[arg-type]
        with lock:
            subj = results.subject(sid, st)
            history = store.history(key)
        if subj is None:
            raise HTTPException(404, "no such subject")
        return {"subject": subj, "history": history, "key": key}

    @app.get("/person/{st}/{sid}", response_class=HTMLResponse, include_in_schema=False)
    def person(request: Request, st: str, sid: str, w: Who) -> Response:
        d = person_data(st, sid)
        audit(w[0].name, "view", d["key"])
        subj = d["subject"]
        shown = [e for e in subj.evidence if e.strength != "weak"]
        weak = [e for e in subj.evidence if e.strength == "weak"]
        seen = set(d["history"][-1].evidence_ids) if d["history"] else set()
        return page(request, "person.html", {**d, "shown": shown, "weak": weak, "seen": seen,
                                             "decisions": DECISIONS, "reasons": REASONS}, w[1])

    @app.get("/api/subjects/{st}/{sid}")
    def api_person(st: str, sid: str, w: Who) -> dict[str, Any]:
        """One subject: score, band, evidence (strongest first) and decision history."""
        d = person_data(st, sid)
        audit(w[0].name, "view", d["key"], {"via": "api"})
        s = d["subject"]
        return {"subject_type": s.subject_type, "subject_id": s.subject_id, "name": s.name, "score": s.score,
                "band": s.band, "rank": s.rank,
                "evidence": [{"evidence_id": e.evidence_id, "signal": e.signal, "strength": e.strength,
                              "weight": e.weight, "detail": e.detail, "source_file": e.source_file, "line": e.line}
                             for e in s.evidence],
                "decisions": [j.as_dict() for j in d["history"]]}

    def decide(w: tuple[User, Session | None], st: str, sid: str, form: dict[str, str]) -> dict[str, Any]:
        u = w[0]
        if not u.can_decide():
            audit(u.name, "decide_refused", Key(st, sid) if st in ("employee", "candidate") else None)  # type: ignore[arg-type]
            raise HTTPException(403, "a viewer cannot decide")
        d = person_data(st, sid)
        related = form.get("related") or None
        try:
            with lock:
                j = store.decide(
                    d["key"], form.get("decision", ""), author=u.name,  # type: ignore[arg-type]
                    reason=form.get("reason") or None,  # type: ignore[arg-type]
                    reason_text=form.get("reason_text", ""), note=form.get("note", ""),
                    evidence_ids=[e.evidence_id for e in d["subject"].evidence],
                    related=Key.parse(related) if related else None, tool=form.get("tool") or None)
        except (CasesError, ValueError) as e:
            raise HTTPException(422, str(e)) from None
        return j.as_dict()

    @app.post("/person/{st}/{sid}/decide", include_in_schema=False)
    async def decide_form(request: Request, st: str, sid: str, w: Who) -> Response:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        decide(w, st, sid, form)
        return RedirectResponse(f"/person/{st}/{sid}", status_code=303)

    @app.post("/api/subjects/{st}/{sid}/decision")
    async def api_decide(request: Request, st: str, sid: str, w: Who) -> dict[str, Any]:
        """Record a decision (JSON body: decision, reason, reason_text, note, related, tool)."""
        try:
            body = await request.json()
        except ValueError:
            raise HTTPException(422, "a JSON object is expected") from None
        if not isinstance(body, dict):
            raise HTTPException(422, "a JSON object is expected")
        return decide(w, st, sid, {k: str(v) for k, v in body.items() if v is not None})

    # -- the audit log -----------------------------------------------------------------------

    def admin(w: tuple[User, Session | None]) -> None:
        if w[0].role != "admin":
            raise HTTPException(403, "the audit log is for admins")

    @app.get("/audit", response_class=HTMLResponse, include_in_schema=False)
    def audit_page(request: Request, w: Who) -> Response:
        admin(w)
        with lock:
            entries = store.audit()
        return page(request, "audit.html", {"entries": entries[::-1][:500]}, w[1])

    @app.get("/audit.jsonl")
    def audit_jsonl(w: Who) -> Response:
        """The whole audit log, one JSON object a line (admins)."""
        admin(w)
        with lock:
            entries = store.audit()
        audit(w[0].name, "export", detail={"what": "audit.jsonl"})
        body = "".join(json.dumps({"id": e.id, "at": e.at, "actor": e.actor, "action": e.action, "key": e.key,
                                   "detail": e.detail}, sort_keys=True) + "\n" for e in entries)
        return Response(body, media_type="application/x-ndjson")

    # Page groups in their own modules (clusters, scans, ...), sharing this app's state.
    web = Web(root, results, store, accounts, lock, who, page, audit)
    for group in (clusters, scanpages):
        app.include_router(group.router(web))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 303 and exc.headers:
            return RedirectResponse(exc.headers["Location"], status_code=303)
        if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
            return Response(json.dumps({"detail": exc.detail}), status_code=exc.status_code,
                            media_type="application/json")
        return page(request, "error.html", {"status": exc.status_code, "detail": exc.detail}, None, exc.status_code)

    return app
