"""What every page group of the workbench shares: the open scan, the cases store, the lock that
serialises calls on them, the login dependency, the template renderer and the audit call.

``app.create_app`` builds one :class:`Web` and hands it to each page group's router factory
(``clusters.router(web)``, ...), so that each group lives in its own module and app.py stays the
place for login, headers and the queue.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse

from unmask.cases.store import CasesStore
from unmask.model import Key
from unmask.report.view import SEVERITY, shown  # noqa: F401 - the app and routers import them here
from unmask.results import Results
from unmask.serve.accounts import Accounts, Session, User

Auth = tuple[User, Session | None]


@dataclass(frozen=True)
class Web:
    root: Path  # OUT: scans/, current, cases.sqlite
    scan: Callable[[], Results]  # the published scan's read API, from any thread without the lock
    store: CasesStore
    accounts: Accounts
    lock: threading.Lock  # around calls on store and accounts (one SQLite connection)
    who: Callable[[Request], Awaitable[Auth]]
    page: Callable[[Request, str, dict[str, Any], Session | None, int], HTMLResponse]
    audit: Callable[[str, str, Key | None, dict[str, Any] | None], None]

    def render(self, request: Request, name: str, ctx: dict[str, Any], auth: Auth, status: int = 200) -> HTMLResponse:
        return self.page(request, name, ctx, auth[1], status)




def subject_key(st: str, sid: str) -> Key:
    """The stable key of a subject named in a URL; 404 for a kind that is not a subject."""
    if st not in ("employee", "candidate"):
        raise HTTPException(404, "no such subject")
    return Key(st, sid)  # type: ignore[arg-type]


def band_order(band: str | None) -> int:
    return SEVERITY.get(band or "", len(SEVERITY))
