"""``unmask serve`` and ``unmask users``: the workbench's commands (registered by unmask.cli)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from unmask.scans import out_root

users_app = typer.Typer(help="Workbench accounts (kept in OUT/cases.sqlite).", no_args_is_help=True)
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _store(out: Path, cases: Path | None) -> Path:
    return cases or out_root(out) / "cases.sqlite"


OutArg = Annotated[Path, typer.Argument(help="The scan output folder (OUT).")]
CasesOpt = Annotated[Path | None, typer.Option("--cases", help="Cases store (default: OUT/cases.sqlite).")]


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Account name.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The scan output folder (OUT).")] = Path("unmask-out"),
    role: Annotated[str, typer.Option("--role", help="admin, investigator or viewer.")] = "viewer",
    cases: CasesOpt = None,
) -> None:
    """Add an account. The password is read from UNMASK_PASSWORD, else asked for (twice)."""
    from unmask.serve.accounts import AccountError, Accounts

    pw = os.environ.get("UNMASK_PASSWORD") or typer.prompt("Password", hide_input=True,
                                                           confirmation_prompt=True)
    acc = Accounts(_store(out, cases))
    try:
        acc.add_user(name, role, pw)
    except AccountError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    finally:
        acc.close()
    typer.echo(f"added {name} ({role})")


@users_app.command("token")
def users_token(
    name: Annotated[str, typer.Argument(help="Account name.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The scan output folder (OUT).")] = Path("unmask-out"),
    cases: CasesOpt = None,
) -> None:
    """Print a new personal API token (send it as 'Authorization: Bearer TOKEN'); shown once."""
    from unmask.serve.accounts import AccountError, Accounts

    acc = Accounts(_store(out, cases))
    try:
        typer.echo(acc.new_api_token(name))
    except AccountError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    finally:
        acc.close()


def serve(
    out: OutArg,
    host: Annotated[str, typer.Option("--host", help="Address to bind; not loopback = exposed.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8765,
    cases: CasesOpt = None,
) -> None:
    """Open the investigator's workbench on a scan folder; prints a one-time login URL."""
    import uvicorn

    from unmask.results import ResultsError
    from unmask.serve.accounts import Accounts
    from unmask.serve.app import create_app

    store = _store(out, cases)
    try:
        app = create_app(out, store, secure_cookie=host not in LOOPBACK)
    except ResultsError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    acc: Accounts = app.state.accounts
    admin = acc.first_admin()
    if admin is None:
        # A fresh store: an admin that can only log in through the printed link until
        # `unmask users add` gives people passwords.
        admin = acc.add_user("admin", "admin", None)
    if host not in LOOPBACK:
        typer.echo(f"WARNING: listening on {host}: anyone who can reach this address can try to log in. "
                   "Put TLS in front of it.", err=True)
    tok = acc.login_link(admin)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"unmask workbench: http://{shown}:{port}/login?t={tok}  (one-time login as {admin.name}, 15 min)")
    sys.stdout.flush()
    uvicorn.run(app, host=host, port=port, log_level="warning")
