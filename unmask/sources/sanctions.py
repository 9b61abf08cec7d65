"""OFAC SDN in its legacy CSV form: ``sdn.csv`` + ``alt.csv`` + ``add.csv`` (+ ``sdn_comments.csv``).

Quirks handled: no header, latin-1, ``-0-`` for empty, a trailing 0x1A (Ctrl-Z) end-of-file
byte. The bundle's ``intel/sanctions/`` replaces the copy shipped in ``unmask/data``.
Matching names against these tables is the screening stage's job.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from unmask.engine import Engine, RawReject
from unmask.engine.sqlbuild import ident

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "sanctions" / "ofac"
SHIPPED_VERSION = "sdn.csv 2024-05-03; alt/add/comments 2025-12-24"
_n = itertools.count()

# file stem -> (table, column names)
FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "sdn": ("ofac_sdn", ("ent_num", "name", "sdn_type", "programs", "title", "call_sign", "vess_type",
                         "tonnage", "grt", "vess_flag", "vess_owner", "remarks")),
    "alt": ("ofac_alt", ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")),
    "add": ("ofac_add", ("ent_num", "add_num", "address", "city_state_postal", "country", "add_remarks")),
    "sdn_comments": ("ofac_comments", ("ent_num", "remarks_extension")),
}


@dataclass
class IntelFile:
    path: str
    table: str
    loaded: int
    rejected: list[RawReject]


def _ends_with_eof_marker(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 4))
        return fh.read().rstrip(b"\r\n").endswith(b"\x1a")


def load_ofac_csv(engine: Engine, folder: Path, max_line_bytes: int = 8 << 20) -> list[IntelFile]:
    """Load every OFAC CSV file found in ``folder`` into ``ofac_*`` tables."""
    out = []
    for stem, (table, cols) in FILES.items():
        path = folder / f"{stem}.csv"
        if not path.exists():
            continue
        raw = f"__ofac{next(_n)}"
        rejects = engine.load_csv(
            path, cols, raw, max_line_bytes, has_header=False, encoding="latin-1", materialize=True
        )
        if _ends_with_eof_marker(path):
            last = max((r.line for r in rejects if r.line is not None), default=None)
            # The Ctrl-Z line is an end-of-file marker, not a record.
            rejects = [r for r in rejects if not (r.line == last and "fewer fields" in r.reason)]
        sel = ", ".join(
            f"nullif(nullif(trim(c{i}), '-0-'), '') AS {ident(c)}" for i, c in enumerate(cols)
        )
        engine.execute(
            f"CREATE OR REPLACE TABLE {ident(table)} AS SELECT line, {sel} FROM {ident(raw)} "  # noqa: S608
            "WHERE NOT (c0 = chr(26) AND c1 IS NULL)"
        )
        engine.drop(raw)
        loaded = int(engine.query(f"SELECT count(*) FROM {ident(table)}")[0][0])  # noqa: S608
        out.append(IntelFile(path.name, table, loaded, rejects))
    return out
