"""OFAC lists in their legacy CSV form: SDN (``sdn.csv`` + ``alt.csv`` + ``add.csv`` +
``sdn_comments.csv``) and the Consolidated non-SDN list (``cons_prim.csv``, ``cons_alt.csv``,
``cons_add.csv``, ``cons_comments.csv``), joined on ``ent_num``.

Quirks handled: no header, latin-1, ``-0-`` for empty, a trailing 0x1A (Ctrl-Z) end-of-file
byte, remarks continued in the comments file, and remarks that hold what other lists give
fields for: dates of birth, nationalities, e-mail, websites, phones and digital-currency
addresses. Everything after reading is SQL.
"""

from __future__ import annotations

import contextlib
import itertools
import shutil
import tempfile
from pathlib import Path

from unmask.engine import Engine
from unmask.engine.sqlbuild import ident
from unmask.sources.intel.common import ListFile

_n = itertools.count()

COLUMNS: dict[str, tuple[str, ...]] = {
    "prim": ("ent_num", "name", "sdn_type", "programs", "title", "call_sign", "vess_type", "tonnage", "grt",
             "vess_flag", "vess_owner", "remarks"),
    "alt": ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks"),
    "add": ("ent_num", "add_num", "address", "city_state_postal", "country", "add_remarks"),
    "comments": ("ent_num", "remarks_extension"),
}
# list id -> file stem for each role
LAYOUTS: dict[str, dict[str, str]] = {
    "ofac_sdn": {"prim": "sdn", "alt": "alt", "add": "add", "comments": "sdn_comments"},
    "ofac_cons": {"prim": "cons_prim", "alt": "cons_alt", "add": "cons_add", "comments": "cons_comments"},
}
NAMES = {"ofac_sdn": "OFAC SDN", "ofac_cons": "OFAC Consolidated (non-SDN)"}


def present(folder: Path, list_id: str) -> bool:
    return any((folder / f"{stem}.csv").exists() for stem in LAYOUTS[list_id].values())


def _tail(path: Path, n: int) -> bytes:
    """The file's last ``n`` bytes."""
    with path.open("rb") as fh:
        fh.seek(max(0, fh.seek(0, 2) - n))
        return fh.read()


def _ends_with_eof_marker(path: Path) -> bool:
    return _tail(path, 4).rstrip(b"\r\n").endswith(b"\x1a")


def _marker_tail(path: Path) -> int:
    """The length of a last line that is only the Ctrl-Z marker (with its line end), else 0."""
    tail = _tail(path, 8)
    body = tail.rstrip(b"\r\n")
    return len(tail) - len(body) + 1 if body.endswith(b"\n\x1a") else 0


def _read(engine: Engine, path: Path, role: str, max_line_bytes: int, shown: str) -> tuple[str, ListFile]:
    cols = COLUMNS[role]
    raw, table = f"__ofac{next(_n)}", f"__ofac_{role}{next(_n)}"
    cut = _marker_tail(path) if engine.name == "duckdb" else 0
    # A scratch folder only when there is a marker to cut.
    with tempfile.TemporaryDirectory(prefix="unmask-ofac-") if cut else contextlib.nullcontext("") as tmp:
        read = path
        if cut:
            # Every file OFAC publishes ends with a line that is only the marker. The engine's
            # fast CSV reader would refuse it as a short record and read the whole file again in
            # Python (3 s at every scan); a copy without that line is read fast, with the same
            # line numbers. (DuckDB only: a Spark cluster's executors may not see this machine's
            # temporary folder.)
            read = Path(tmp) / path.name
            shutil.copyfile(path, read)
            with read.open("r+b") as fh:
                fh.truncate(fh.seek(0, 2) - cut)
        rejects = engine.load_csv(read, cols, raw, max_line_bytes, has_header=False, encoding="latin-1",
                                  materialize=True)
    if not cut and _ends_with_eof_marker(path):  # the marker line read as a record: not a reject
        last = max((r.line for r in rejects if r.line is not None), default=None)
        # The Ctrl-Z line is an end-of-file marker, not a record.
        rejects = [r for r in rejects if not (r.line == last and "fewer fields" in r.reason)]
    sel = ", ".join(f"nullif(nullif(trim(c{i}), '-0-'), '') AS {ident(c)}" for i, c in enumerate(cols))
    engine.execute(
        f"CREATE OR REPLACE TEMP TABLE {ident(table)} AS SELECT line, {sel} FROM {ident(raw)} "  # noqa: S608
        "WHERE NOT (c0 = chr(26) AND c1 IS NULL)"
    )
    engine.drop(raw)
    loaded = int(engine.query(f"SELECT count(*) FROM {ident(table)}")[0][0])  # noqa: S608
    return table, ListFile(shown, loaded, rejects)


# Dates of birth in remarks: "DOB 25 Apr 1965", "DOB Apr 1965", "DOB 1965", "DOB circa 1965",
# "alt. DOB ...". Turned into ISO text of the precision given.
_DOB_SQL = (
    "list_transform(regexp_extract_all(r.remarks_all, "
    "'DOB (?:circa )?((?:\\d{1,2} )?(?:[A-Z][a-z]{2} )?\\d{4})', 1), "
    "lambda x: CASE WHEN regexp_full_match(x, '\\d{1,2} [A-Z][a-z]{2} \\d{4}') "
    "THEN strftime(strptime(x, '%d %b %Y'), '%Y-%m-%d') "
    "WHEN regexp_full_match(x, '[A-Z][a-z]{2} \\d{4}') THEN strftime(strptime(x, '%b %Y'), '%Y-%m') ELSE x END)"
)


def _iso_countries(col: str, key: str) -> str:
    """The ISO codes of the country names in ``col``, from ``__ofac_cc`` (NULL stays NULL)."""
    return f"CASE WHEN e.{col} IS NOT NULL THEN coalesce(c.{key}, []) END"


def load(engine: Engine, folder: Path, list_id: str, max_line_bytes: int, shown_prefix: str) -> list[ListFile]:
    """Read one OFAC CSV list from ``folder`` into the ``intel_*`` tables."""
    tables: dict[str, str] = {}
    files: list[ListFile] = []
    for role, stem in LAYOUTS[list_id].items():
        path = folder / f"{stem}.csv"
        if path.exists():
            tables[role], lf = _read(engine, path, role, max_line_bytes, f"{shown_prefix}{stem}.csv")
            files.append(lf)
    for role, cols in COLUMNS.items():  # a missing file is an empty table of its shape
        if role not in tables:
            tables[role] = f"__ofac_{role}{next(_n)}"
            defs = ", ".join(f"{ident(c)} VARCHAR" for c in ("line", *cols))
            engine.execute(f"CREATE OR REPLACE TEMP TABLE {ident(tables[role])}({defs})")
    prim, alt, add, com = (ident(tables[r]) for r in ("prim", "alt", "add", "comments"))
    src = {r: next((f.file for f in files if f.file.endswith(f"/{LAYOUTS[list_id][r]}.csv")), None) for r in tables}
    params = {"list": list_id, "alt_src": src["alt"]}
    engine.execute(f"""
CREATE OR REPLACE TEMP TABLE __ofac_ent AS
WITH r AS (
  SELECT p.*, nullif(concat_ws('', p.remarks, c.remarks_extension), '') AS remarks_all
  FROM {prim} p LEFT JOIN (SELECT ent_num, string_agg(remarks_extension, '') AS remarks_extension FROM {com}
                           GROUP BY ent_num) c USING (ent_num)
), a AS (
  -- Sorted: a set's order would otherwise follow the reader's (and differ between engines).
  SELECT ent_num, list_sort(list(DISTINCT lower(country)) FILTER (WHERE country IS NOT NULL)) AS add_countries
  FROM {add}
  GROUP BY ent_num
)
SELECT r.ent_num AS entity_id,
  CASE lower(r.sdn_type) WHEN 'individual' THEN 'Person' WHEN 'vessel' THEN 'Vessel'
       WHEN 'aircraft' THEN 'Airplane' ELSE 'Organization' END AS schema,
  r.name AS caption, replace(r.programs, '] [', ', ') AS programs, {_DOB_SQL} AS birth_dates,
  list_transform(regexp_extract_all(r.remarks_all, '(?:[Nn]ationality|[Cc]itizen) ([^;]+)', 1), lambda x: trim(x))
    AS nat_names,
  coalesce(a.add_countries, []) AS add_countries, r.remarks_all AS remarks, r.line
FROM r LEFT JOIN a USING (ent_num)
""")  # noqa: S608 - table names are ours
    # Country names become codes once per distinct name (a Python scalar), joined back per row:
    # not inside a lambda over each list, where Spark takes no Python function.
    engine.execute("""
CREATE OR REPLACE TEMP TABLE __ofac_cc AS
WITH v AS (SELECT line, 'n' AS k, unnest(nat_names) AS name FROM __ofac_ent
           UNION ALL SELECT line, 'a' AS k, unnest(add_countries) AS name FROM __ofac_ent),
d AS (SELECT name, lower(unmask_country(name)) AS cc FROM (SELECT DISTINCT name FROM v))
SELECT v.line, list_sort(list(DISTINCT d.cc) FILTER (WHERE v.k = 'n')) AS nat,
  list_sort(list(DISTINCT d.cc) FILTER (WHERE v.k = 'a')) AS addr
FROM v JOIN d USING (name) WHERE d.cc IS NOT NULL GROUP BY v.line
""")
    engine.execute(
        "INSERT INTO intel_entities SELECT $list, e.entity_id, e.schema, e.caption, e.programs, e.birth_dates, "  # noqa: S608
        f"{_iso_countries('nat_names', 'nat')}, {_iso_countries('add_countries', 'addr')}, e.remarks, $src, e.line "
        "FROM __ofac_ent e LEFT JOIN __ofac_cc c USING (line)",
        {"list": list_id, "src": src["prim"]},
    )
    # Aliases of entities with no primary row (designated after the primary file's date) are
    # kept as "alias-only" entities: the name is what is screened.
    engine.execute(f"""
INSERT INTO intel_entities
SELECT $list, ent_num, 'LegalEntity', arg_min(alt_name, line::BIGINT), NULL, [], [], [], NULL, $alt_src,
  min(line::BIGINT)
FROM {alt} WHERE ent_num NOT IN (SELECT ent_num FROM {prim}) AND alt_name IS NOT NULL GROUP BY ent_num
""", params)  # noqa: S608
    engine.execute(f"""
INSERT INTO intel_names
SELECT $list, ent_num, name, 'primary' FROM {prim} WHERE name IS NOT NULL
UNION ALL SELECT $list, ent_num, alt_name, coalesce(lower(alt_type), 'aka') FROM {alt} WHERE alt_name IS NOT NULL
""", {"list": list_id})  # noqa: S608
    engine.execute(r"""
INSERT INTO intel_iocs (list, entity_id, kind, value)
WITH x AS (
  SELECT entity_id, regexp_extract_all(remarks, 'Digital Currency Address - ([A-Z0-9]+) ([A-Za-z0-9:]+)', 2) AS crypto,
    regexp_extract_all(remarks, 'Email Address ([^;\s]+)', 1) AS email,
    regexp_extract_all(remarks, 'Website ([^;\s]+)', 1) AS website,
    regexp_extract_all(remarks, '(?:Telephone|Phone)(?: No\.| Number)?:? ([+0-9][0-9 ()+-]{5,})', 1) AS phone
  FROM __ofac_ent WHERE remarks IS NOT NULL
)
SELECT $list, entity_id, 'crypto_address', unnest(crypto) FROM x
UNION ALL SELECT $list, entity_id, 'email', lower(unnest(email)) FROM x
UNION ALL SELECT $list, entity_id, 'domain', lower(unnest(website)) FROM x
UNION ALL SELECT $list, entity_id, 'phone', trim(unnest(phone)) FROM x
""", {"list": list_id})
    engine.execute(f"""
INSERT INTO intel_addresses
SELECT $list, ent_num, address, city_state_postal, lower(unmask_country(country)) FROM {add}
WHERE address IS NOT NULL OR city_state_postal IS NOT NULL
""", {"list": list_id})  # noqa: S608
    for t in (*tables.values(), "__ofac_ent", "__ofac_cc"):
        engine.drop(t)
    return files
