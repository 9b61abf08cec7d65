"""``unmask screen NAMES.csv``: screen a list of names on its own, without a bundle.

Input: a CSV (UTF-8, header row) with ``name`` and optionally ``schema`` (Person, Company,
Organization, LegalEntity, Vessel; empty = either), ``birth_date`` (any of 1965-04-25,
25 Apr 1965, 1965) and ``country`` (name or ISO code). Output: one JSON line per input row,
in input order, with its best matches (list, entity id, caption, matched name, score 0-1 and
components). A row without a name is written with ``"error"``, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from unmask.engine import Engine, open_engine
from unmask.engine.textfiles import Reject, csv_records
from unmask.screen import index
from unmask.sources.base import read_header
from unmask.sources.intel import LoadedList, load_default_or
from unmask.sources.intel.common import iso_date
from unmask.values.country import country_code

MAX_ROW_BYTES = 1 << 20  # a row of a names list; a longer one is reported, not read


class ScreenInputError(Exception):
    """The names file cannot be used (missing, not CSV, no ``name`` column)."""


@dataclass
class ScreenResult:
    rows: int
    with_matches: int
    errors: int
    lists: list[LoadedList]


def _schema(text: str | None) -> str:
    """The CSV's schema as screening reads it: Person, Company (any organisation), Vessel,
    Airplane, or Any (empty or LegalEntity: a person or an organisation)."""
    t = (text or "").strip().lower()
    if t in ("", "any", "legalentity", "legal entity"):
        return "Any"
    if t in ("vessel", "airplane", "aircraft"):
        return "Airplane" if t == "aircraft" else t.capitalize()
    return "Person" if t == "person" else "Company"


def read_names(path: Path) -> tuple[list[tuple[Any, ...]], list[dict[str, Any]]]:
    """Party rows for the screen, and the output lines of rows that cannot be screened."""
    try:
        header = read_header(path)
    except UnicodeDecodeError:
        raise ScreenInputError(f"{path.name}: the header is not UTF-8 text") from None
    except ValueError as e:
        raise ScreenInputError(f"{path.name}: {e}") from None
    except OSError as e:
        raise ScreenInputError(f"cannot read {path}: {e.strerror or e.__class__.__name__}") from None
    fields = [f.strip().lower() for f in header]
    if "name" not in fields:
        raise ScreenInputError(f"{path.name}: no 'name' column in the header (found: {', '.join(fields) or 'none'})")
    parties: list[tuple[Any, ...]] = []
    bad: list[dict[str, Any]] = []
    # Record by record with recovery: an unterminated quote costs its own row (reported), never
    # the names after it, which an ordinary CSV reader would swallow unscreened.
    for item in csv_records(path, len(fields), MAX_ROW_BYTES, ragged=True, errors="replace"):
        if isinstance(item, Reject):
            if item.line is not None:
                bad.append({"row": item.line, "name": None, "error": item.reason, "matches": []})
            continue
        line, values = item
        rec = dict(zip(fields, values, strict=False))
        name = (rec.get("name") or "").strip()
        if not name:
            bad.append({"row": line, "name": None, "error": "empty name", "matches": []})
            continue
        parties.append(("row", str(line), "query", name, _schema(rec.get("schema")), iso_date(rec.get("birth_date")),
                        (country_code(rec.get("country")) or "").lower() or None, path.name, line))
    return parties, bad


def screen_file(
    path: Path, out: Path | None, lists_dir: Path | None = None, top: int = 5, min_score: float = 0.8,
    engine: Engine | None = None,
) -> tuple[ScreenResult, list[bytes]]:
    """Screen ``path``; write JSON lines to ``out`` (or return them when ``out`` is None)."""
    parties, bad = read_names(path)
    eng = engine or open_engine(None)
    lists, _ = load_default_or(eng, lists_dir)
    index.build_list_index(eng)
    index.set_parties(eng, parties)
    index.screen(eng)
    rows = eng.query(
        """
SELECT p.line, p.name, p.schema, p.dob, p.country,
  list({'list': m.list, 'entity_id': m.entity_id, 'caption': m.caption, 'matched_name': m.list_name,
        'kind': m.kind, 'schema': m.schema, 'programs': m.programs, 'score': round(m.score, 3),
        'components': {'name': round(m.name_score, 3), 'ofac': m.ofac_score, 'dob': m.dob,
                       'nationality': m.nationality, 'country': m.country}}
       ORDER BY m.score DESC, m.list, m.entity_id) FILTER (WHERE m.entity_id IS NOT NULL) AS matches
FROM screen_parties p LEFT JOIN screen_matches m ON m.subject_id = p.subject_id AND m.score >= $min
GROUP BY ALL ORDER BY p.line
""",
        {"min": min_score},
    )
    lines: list[tuple[int, bytes]] = []
    for line, name, schema, dob, country, matches in rows:
        rec = {"row": line, "name": name, "schema": None if schema == "Any" else schema, "birth_date": dob,
               "country": country, "matches": (matches or [])[:top]}
        lines.append((line, orjson.dumps(rec)))
    lines += [(int(b["row"]), orjson.dumps(b)) for b in bad]
    lines.sort()
    payload = [b for _, b in lines]
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(b"".join(b + b"\n" for b in payload))
    result = ScreenResult(len(payload), sum(1 for _, _, _, _, _, m in rows if m), len(bad), lists)
    if engine is None:
        eng.close()
    return result, payload
