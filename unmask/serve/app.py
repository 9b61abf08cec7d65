"""The investigator's workbench (issue 15): a FastAPI app over one scan folder.

The scan is read through :class:`unmask.results.Results` (read-only DuckDB); decisions, the
audit log and accounts go to the cases store (``OUT/cases.sqlite``, SQLite WAL). Every page is a
Jinja2 template with autoescape, so a bundle string is always text; the CSP allows no inline
script. A state-changing request needs a session and its CSRF token, or an API token.
"""

import json
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from unmask.cases.store import CasesStore
from unmask.model import Key
from unmask.report.view import shown
from unmask.results import Results
from unmask.scans import current, out_root
from unmask.serve import clusters, person, queue, scanpages
from unmask.serve.accounts import Accounts, Session, User
from unmask.serve.api_models import ERRORS
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


class PublishedScan:
    """The scan ``OUT/current`` points at, reopened when a new scan is published: a rescan
    switches ``current`` while the workbench runs, and a page must show that scan, not the one
    the server started on. Safe to call from any thread: the scan is frozen (Results.freeze), so
    each thread reads it through its own cursor and no lock is held while it is read."""

    def __init__(self, out: Path) -> None:
        self._out = out
        self._lock = threading.Lock()
        self._at = current(out)
        self._results = Results.open(out)
        self._results.freeze()
        self._retired: Results | None = None

    def get(self) -> Results:
        now = current(self._out)
        if now == self._at:
            return self._results
        with self._lock:
            at = current(self._out)
            if at != self._at:
                # The old scan's folder stays in OUT/scans (history). A request may still be
                # reading the old scan, so it is closed one switch later, not now.
                new = Results.open(self._out)
                new.freeze()
                if self._retired is not None:
                    self._retired.close()
                self._retired, self._results, self._at = self._results, new, at
            return self._results

    def close(self) -> None:
        with self._lock:
            for r in (self._retired, self._results):
                if r is not None:
                    r.close()


def create_app(out: Path, cases: Path | None = None, secure_cookie: bool = False) -> FastAPI:
    root = out_root(out)
    scan = PublishedScan(out)
    store_path = cases or root / "cases.sqlite"
    accounts = Accounts(store_path)
    store = CasesStore.open(store_path, shared=True)
    # One SQLite connection (accounts, decisions, audit) shared by the worker threads: a lock
    # keeps each call on it whole. The scan needs none (PublishedScan).
    lock = threading.Lock()
    # No /docs or /redoc: FastAPI builds them from a CDN's script and an inline bootstrap script,
    # which our CSP refuses, and vendoring Swagger UI would ship a large third-party script into
    # a page that holds investigation data. The document itself stays at /openapi.json, for any
    # OpenAPI viewer or client generator on the user's side.
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        scan.close()  # its scratch database (sorted copies) goes with it

    app = FastAPI(title="unmask workbench", version="1", docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Authenticate with 'Authorization: Bearer TOKEN' (from `unmask users token`).")
    app.state.accounts = accounts
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.finalize = shown

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
        # In a worker thread: the lock may be held by a write to the cases store (an audit row
        # is synced to disk), and the event loop must not wait for it.
        u, s = await run_in_threadpool(current, request)
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

    @app.get("/audit.jsonl", response_class=Response, responses={
        **ERRORS, 200: {"content": {"application/x-ndjson": {"schema": {"type": "string"}}},
                        "description": "One JSON object a line."}})
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
    web = Web(root, scan.get, store, accounts, lock, who, page, audit)
    for group in (queue, person, clusters, scanpages):
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
