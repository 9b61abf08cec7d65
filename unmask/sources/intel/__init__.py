"""Sanctions lists, in whatever form the organisation has them, into one shape (``common.py``).

Where the lists come from: the bundle's ``intel/sanctions/`` folder when it holds any list
file; otherwise the public-domain copies shipped in ``unmask/data/sanctions`` (OFAC SDN,
OFAC Consolidated non-SDN, UN Security Council). A bundle's lists *replace* the shipped ones:
an organisation that brings its own, newer lists does not want stale copies mixed in.

Recognised files: OFAC CSV (``sdn.csv`` ... and ``cons_prim.csv`` ...), any ``*.xml`` whose
root is OFAC's ``sdnList`` or the UN's ``CONSOLIDATED_LIST``, and FollowTheMoney entity files
(``*.ftm.json``, ``*.ijson``, ``*.ftm.jsonl``).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from unmask.engine import Engine, RawReject, register_udfs
from unmask.sources.intel import ftm, ofac_csv, xml_lists
from unmask.sources.intel.common import ListFile, LoadedList, create_tables, file_date

SHIPPED = Path(__file__).resolve().parent.parent.parent / "data" / "sanctions"
# The shipped copies' dates: what `intel show` reports as their age.
# The shipped copies' own dates (their SOURCE.md), file by file: the CSV form carries none, and
# the files' modification times are those of the checkout. A list is as old as its oldest file
# (the SDN primary file, sdn.csv, is from 2024-05-03 although its aliases are from 2025-12-24).
SHIPPED_FILE_DATES = {
    "sdn.csv": "2024-05-03", "alt.csv": "2025-12-24", "add.csv": "2025-12-24", "sdn_comments.csv": "2025-12-24",
    "cons_prim.csv": "2025-12-19", "cons_alt.csv": "2025-12-19", "cons_add.csv": "2025-12-19",
    "cons_comments.csv": "2025-12-19",
}
STALE_DAYS = 30  # a list older than this draws a warning: designations are added every month
FALLBACK = "shipped default, because the bundle's intel/sanctions/ gave no entity"
FTM_SUFFIXES = (".ftm.json", ".ijson", ".ftm.jsonl")

Rejects = list[tuple[str, RawReject]]


def _is_ftm(p: Path) -> bool:
    return p.name.lower().endswith(FTM_SUFFIXES)


def has_lists(folder: Path) -> bool:
    if not folder.is_dir():
        return False
    return any(
        p.is_file() and (_is_ftm(p) or p.suffix.lower() in (".csv", ".xml")) for p in folder.iterdir()
    )


def load_lists(
    engine: Engine, folder: Path, origin: str, shown_prefix: str, max_line_bytes: int = 8 << 20,
    fresh: bool = True,
) -> tuple[list[LoadedList], Rejects]:
    """Every list found in ``folder`` into the ``intel_*`` tables (made afresh unless ``fresh``
    is false, when they are appended to)."""
    if fresh:
        create_tables(engine)
    register_udfs(engine, "unmask_country")
    out: list[LoadedList] = []
    rejects: Rejects = []
    shipped = origin.startswith("shipped default")

    def add(lst: LoadedList) -> None:
        out.append(lst)
        rejects.extend((f.file, r) for f in lst.files for r in f.rejected)

    published: str | None
    for list_id, name in ofac_csv.NAMES.items():
        if ofac_csv.present(folder, list_id):
            files = ofac_csv.load(engine, folder, list_id, max_line_bytes, shown_prefix)
            for f in files:
                name_ = Path(f.file).name
                # The CSV form carries no date: the shipped files' documented dates, else each
                # file's own modification time.
                f.published = (SHIPPED_FILE_DATES.get(name_) if shipped else None) or file_date(
                    os.stat(folder / name_).st_mtime)
            published = min(f.published for f in files if f.published)
            version = "; ".join(f"{Path(f.file).name} {f.published}" for f in files)
            add(LoadedList(list_id, f"{name} (CSV)", version, published, origin, files))
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        shown = f"{shown_prefix}{path.name}"
        if path.suffix.lower() == ".xml":
            kind = xml_lists.sniff(path)
            try:
                if kind == "ofac":
                    list_id = "ofac_cons" if "cons" in path.name.lower() else "ofac_sdn"
                    lf, published = xml_lists.load_ofac_xml(engine, path, list_id, shown)
                    add(LoadedList(list_id, f"{ofac_csv.NAMES[list_id]} (XML)", f"published {published}",
                                   published, origin, [lf]))
                elif kind == "un":
                    lf, published = xml_lists.load_un_xml(engine, path, shown)
                    add(LoadedList("un_sc", "UN Security Council Consolidated List", f"generated {published}",
                                   published, origin, [lf]))
                else:
                    rejects.append((shown, RawReject(None, "XML file that is neither an OFAC nor a UN list")))
            except xml_lists.XmlListError as e:
                rejects.append((shown, RawReject(None, str(e))))
        elif _is_ftm(path):
            lf, newest = ftm.load(engine, path, f"ftm:{path.name}", shown)
            published = newest or file_date(path.stat().st_mtime)
            how = "newest entity change" if newest else "file dated"
            add(LoadedList(f"ftm:{path.name}", f"FollowTheMoney entities ({path.name})", f"{how} {published}",
                           published, origin, [lf]))
    return out, rejects


def load_default_or(engine: Engine, bundle_lists: Path | None, max_line_bytes: int = 8 << 20,
                    ) -> tuple[list[LoadedList], Rejects]:
    """The bundle's lists if it has any, else the shipped copies. A bundle's lists that give no
    entity at all (a broken sdn.csv) never make a silent empty screen: their rejects are kept and
    the shipped copies are used, each marked with origin FALLBACK, which the scan says aloud."""
    lists: list[LoadedList] = []
    rejects: Rejects = []
    origin = "shipped default"
    if bundle_lists is not None and has_lists(bundle_lists):
        got, rejects = load_lists(engine, bundle_lists, "bundle", "intel/sanctions/", max_line_bytes)
        if int(engine.query("SELECT count(*) FROM intel_entities")[0][0]) > 0:
            return got, rejects
        origin = FALLBACK
    create_tables(engine)
    for sub in ("ofac", "ofac-cons", "un"):
        got, rej = load_lists(engine, SHIPPED / sub, origin, f"(shipped) {sub}/", max_line_bytes, fresh=False)
        lists.extend(got)
        rejects.extend(rej)
    for lst in lists:
        if lst.id == "un_sc":
            lst.version = f"{lst.version} (shipped copy)"
    return lists, rejects


def age_days(lst: LoadedList, today: date | None = None) -> int | None:
    if not lst.published:
        return None
    try:
        d = date.fromisoformat(lst.published[:10]) if len(lst.published) >= 10 else date(int(lst.published[:4]), 1, 1)
    except ValueError:
        return None
    return ((today or date.today()) - d).days


__all__ = ["FALLBACK", "SHIPPED", "STALE_DAYS", "ListFile", "LoadedList", "age_days", "has_lists", "load_default_or",
           "load_lists"]


def list_counts(engine: Engine) -> dict[tuple[str, str], int]:
    """``(list id, table) -> rows`` of the loaded lists' entities, names and indicators."""
    return {
        (str(lst), tbl): int(n) for tbl in ("intel_entities", "intel_names", "intel_iocs")
        for lst, n in engine.query(f"SELECT list, count(*) FROM {tbl} GROUP BY list")  # noqa: S608 - our names
    }
