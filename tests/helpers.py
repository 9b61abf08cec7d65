"""Small bundles built row by row, for positive and negative cases of each signal."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from unmask.config import Config
from unmask.engine import open_engine
from unmask.pipeline import ScanResult, scan
from unmask.sensitive import load_tokenizer
from unmask.sources import load_bundle
from unmask.sources.base import LoadContext

DATA = Path(__file__).parent / "data"
EMP_COLS = ["employee_id", "full_name", "email", "national_id", "date_of_birth", "address_line1", "address_line2",
            "city", "region", "postal_code", "country", "employment_type", "vendor_company", "hire_date",
            "department", "personal_email", "phone", "termination_date"]
SHIP_COLS = ["shipment_id", "asset_tag", "employee_id", "recipient_name", "address_line1", "address_line2",
             "city", "region", "postal_code", "country", "shipped_at", "delivered_at"]
DEP_COLS = ["employee_id", "effective_date", "method", "institution_name", "routing_number", "account_number",
            "account_holder_name", "platform", "country"]


def write_csv(path: Path, cols: list[str], rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in cols})
    return path


def emp(eid: str, name: str, line1: str = "1 Oak St", postal: str = "43215", city: str = "Columbus",
        region: str = "OH", **kw: Any) -> dict[str, Any]:
    row = {"employee_id": eid, "full_name": name, "email": f"{eid.lower()}@corp.example",
           "address_line1": line1, "city": city, "region": region, "postal_code": postal, "country": "US",
           "employment_type": "employee", "hire_date": "2026-08-01", "department": "Engineering"}
    row.update(kw)
    return row


def ship(sid: str, eid: str, line1: str, postal: str, city: str = "", region: str = "", line2: str = "",
         when: str = "2026-07-28T12:00:00Z", country: str = "US") -> dict[str, Any]:
    return {"shipment_id": sid, "asset_tag": "A" + sid, "employee_id": eid, "recipient_name": eid,
            "address_line1": line1, "address_line2": line2, "city": city, "region": region,
            "postal_code": postal, "country": country, "shipped_at": when, "delivered_at": when}


def dep(eid: str, account: str, holder: str, when: str = "2026-08-01", method: str = "direct_deposit",
        **kw: Any) -> dict[str, Any]:
    row = {"employee_id": eid, "effective_date": when, "method": method, "account_number": account,
           "account_holder_name": holder, "country": "US"}
    row.update(kw)
    return row


def bundle(root: Path, employees: list[dict[str, Any]], shipments: list[dict[str, Any]] | None = None,
           deposits: list[dict[str, Any]] | None = None, toml: str = "") -> Path:
    write_csv(root / "hr/employees.csv", EMP_COLS, employees)
    if shipments is not None:
        write_csv(root / "assets/shipments.csv", SHIP_COLS, shipments)
    if deposits is not None:
        write_csv(root / "payroll/deposits.csv", DEP_COLS, deposits)
    if toml:
        (root / "unmask.toml").write_text(toml)
    return root


def run(root: Path, out: Path) -> ScanResult:
    return scan(root, out)


def findings(out: Path) -> dict[str, dict[str, Any]]:
    rows = [json.loads(line) for line in (out / "findings.jsonl").read_text().splitlines() if line]
    return {r["subject"]["id"]: r for r in rows}


def signals_of(out: Path, subject: str) -> dict[str, list[dict[str, Any]]]:
    f = findings(out).get(subject)
    by: dict[str, list[dict[str, Any]]] = {}
    for ev in (f or {}).get("evidence", []):
        by.setdefault(ev["signal"], []).append(ev)
    return by


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line]


class RecordingEngine:
    """An engine that remembers the SQL its callers send through the door (not the statements
    the engine runs inside its own methods), for the golden tests of tests/test_dialect.py."""

    def __init__(self, engine: Any, sink: list[str]) -> None:
        self._engine, self._sink = engine, sink

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)

    def execute(self, sql: str, params: Any = None) -> None:
        self._sink.append(sql)
        self._engine.execute(sql, params)

    def query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        self._sink.append(sql)
        return self._engine.query(sql, params)  # type: ignore[no-any-return]

    def query_dicts(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        self._sink.append(sql)
        return self._engine.query_dicts(sql, params)  # type: ignore[no-any-return]

    def export_jsonl(self, sql: str, path: Path, params: Any = None) -> int:
        self._sink.append(sql)
        return self._engine.export_jsonl(sql, path, params)  # type: ignore[no-any-return]


def load_parts(bundle: Path, cfg: Config | None = None) -> LoadContext:
    """Only the readers over ``bundle`` (no scan): the loaded tables, rejects and file reports."""
    ctx = LoadContext(open_engine(None), bundle, cfg or Config(), load_tokenizer())
    load_bundle(ctx)
    return ctx


def assert_reconciles(ctx: LoadContext) -> None:
    """Every file's counts add up, and each rejected record is one row of ``rejects``."""
    for f in ctx.files:
        assert f.read == f.loaded + f.rejected, f
        n = ctx.engine.query("SELECT count(*) FROM rejects WHERE file = ? AND unit <> 'file'", [f.path])[0][0]
        assert n == f.rejected, f
