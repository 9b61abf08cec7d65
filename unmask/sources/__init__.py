"""Readers for every bundle part. ``load_bundle`` turns a bundle folder into store tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from unmask.engine import RawReject, register_udfs
from unmask.sensitive import sql_token
from unmask.sources.base import FileReport, LoadContext, Part, create_part_table, find_files, init_store
from unmask.sources.base import load_csv_part as load_csv_part
from unmask.sources.code_audit import CODE_AUDIT
from unmask.sources.entra import ENTRA
from unmask.sources.entra import PREFIXES as ENTRA_PREFIXES
from unmask.sources.jsonload import load_json_files
from unmask.sources.okta import OKTA
from unmask.sources.osquery import OSQUERY
from unmask.sources.sysmon import SYSMON, load_evtx
from unmask.sources.tabular import CSV_PARTS
from unmask.sources.walk import walk_bundle

ALL_PARTS: tuple[Part, ...] = (*CSV_PARTS, OKTA, ENTRA, OSQUERY, SYSMON, CODE_AUDIT)
PARTS_BY_ID = {p.id: p for p in ALL_PARTS}
CSV_COLUMNS = {p.csv_name: tuple(c.name for c in p.columns if c.kind != "token_variants") for p in CSV_PARTS}


@dataclass(frozen=True)
class PartResult:
    part: Part
    files: list[FileReport]

    @property
    def present(self) -> bool:
        return any(f.loaded > 0 for f in self.files)


def _is_evtx(path: Path) -> bool:
    return path.name.lower().endswith((".evtx", ".evtx.gz"))


def plan(bundle: Path) -> list[tuple[Part, Path]]:
    """Every (part, file) the bundle holds, in a stable order."""
    files = walk_bundle(bundle).files  # one walk; links leaving the bundle are not in it
    return [(part, path) for part in ALL_PARTS for path in find_files(bundle, part, files)]


def load_bundle(
    ctx: LoadContext, on_file: Callable[[Part, Path], None] | None = None
) -> dict[str, PartResult]:
    init_store(ctx.engine)
    # Readers normalise country columns while reading (Col kind "country").
    register_udfs(ctx.engine, "unmask_country")
    for part in ALL_PARTS:
        create_part_table(ctx.engine, part)
    results: dict[str, list[FileReport]] = {p.id: [] for p in ALL_PARTS}
    batches: dict[str, list[Path]] = {}
    for part, path in plan(ctx.bundle):
        if part.fmt == "csv":
            if on_file:
                on_file(part, path)
            results[part.id].append(load_csv_part(ctx, part, path))
        elif _is_evtx(path):
            if on_file:
                on_file(part, path)
            results[part.id].append(load_evtx(ctx, path))
        else:
            batches.setdefault(part.id, []).append(path)  # JSON files of a part are read together
    for pid, paths in batches.items():
        part = PARTS_BY_ID[pid]
        if on_file:  # told when the part's files are read (together), not when they were found
            on_file(part, paths[0])
        prefixes = ENTRA_PREFIXES if part is ENTRA else ("$",)
        explode = "$.snapshot" if part is OSQUERY else None
        results[pid].extend(load_json_files(ctx, part, paths, prefixes=prefixes, explode=explode))
    return {pid: PartResult(PARTS_BY_ID[pid], files) for pid, files in results.items()}


def load_intel(ctx: LoadContext) -> list[dict[str, object]]:
    """Sanctions lists: the bundle's ``intel/sanctions/`` if it has any, else the shipped copies."""
    from unmask.sources.base import reject_raw
    from unmask.sources.intel import load_default_or

    lists, rejects = load_default_or(ctx.engine, ctx.bundle / "intel" / "sanctions", ctx.config.max_line_bytes)
    by_file: dict[str, list[RawReject]] = {}
    for shown, r in rejects:
        by_file.setdefault(shown, []).append(r)
    for shown, rs in by_file.items():
        reject_raw(ctx, shown, "intel.sanctions", rs, "line" if all(r.line is not None for r in rs) else "file")
    # A new table from a query, not an UPDATE: every engine can do the first.
    ctx.engine.execute(
        "CREATE OR REPLACE TABLE intel_iocs AS SELECT list, entity_id, kind, value, "  # noqa: S608 - our SQL
        f"CASE WHEN kind IN ('crypto_address', 'bank_account') THEN {sql_token('value')} ELSE token END AS token "
        "FROM intel_iocs",
        ctx.token_params,
    )
    _iocs_as_list(ctx)
    return [lst.manifest() for lst in lists]


def _iocs_as_list(ctx: LoadContext) -> None:
    """Names and companies of intel/iocs.csv join the screening index as a list of their own
    ("iocs"), so they are matched with the same care as a sanctions list."""
    if not ctx.engine.table_exists("iocs"):
        return
    ctx.engine.execute(
        "INSERT INTO intel_entities SELECT 'iocs', 'line ' || line, CASE type WHEN 'name' THEN 'Person' "
        "ELSE 'Organization' END, value, coalesce(source, 'intel/iocs.csv') || coalesce(': ' || note, ''), [], [], [], "
        "note, source_file, line FROM iocs WHERE type IN ('name', 'company')"
    )
    ctx.engine.execute(
        "INSERT INTO intel_names SELECT 'iocs', 'line ' || line, value, 'primary' FROM iocs "
        "WHERE type IN ('name', 'company')"
    )
