"""Generic loaders: a part declares its columns, these turn files into typed tables.

Every record ends in exactly one place: its part's table, or the ``rejects`` table with file,
line and reason. :class:`FileReport` keeps the per-file counts that ``manifest.json`` shows.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import io
import itertools
import os
import shutil
import tempfile
import weakref
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from unmask.config import Config
from unmask.engine import Engine, RawReject
from unmask.engine.sqlbuild import ident
from unmask.engine.textfiles import Source
from unmask.sensitive import (
    Tokenizer,
    sql_token,
    sql_token_variants,
    sql_tokenise_if_sensitive,
)
from unmask.sources.walk import match_files, walk_bundle

# "token_if_sensitive": a value column whose row says, in another column (``Col.by``), whether
# it is sensitive: intel/iocs.csv's ``type`` (a bank account is tokenised, a domain is not) or
# hr/changes.csv's ``field`` (an old or new account number or national ID is tokenised).
# "token_variants": keyed tokens of each one-character deletion of another column's value
# (``Col.by``), so two national IDs one typo apart can be matched without either in clear.
Kind = Literal[
    "text", "lower", "upper", "date", "ts", "bool", "int", "float", "token", "json", "token_if_sensitive",
    "token_variants", "country", "lat", "lon", "ips",
]
_tmp = itertools.count()


@dataclass(frozen=True)
class Col:
    """One output column. For CSV parts ``name`` is also the spec's column name."""

    name: str
    kind: Kind = "text"
    required: bool = False
    paths: tuple[str, ...] = ()  # JSON parts: alternative JSON paths, first non-null wins
    by: str = "type"  # token_if_sensitive: the column naming the value's kind (unmask.sensitive.sensitive_kind)
    guess: bool = False  # token_if_sensitive: also tokenise a value shaped like an account number or SSN


@dataclass(frozen=True)
class Part:
    """A bundle part: a kind of file, where it lives, and the table it becomes."""

    id: str  # e.g. "hr.employees"
    table: str
    globs: tuple[str, ...]
    columns: tuple[Col, ...]
    fmt: Literal["csv", "json"]
    key: str | None = None  # unique id column: duplicates are rejected, never merged
    description: str = ""

    @property
    def csv_name(self) -> str:
        return self.id.rsplit(".", 1)[-1]


@dataclass
class FileReport:
    path: str
    part: str
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    status: Literal["ok", "partial", "unreadable"] = "ok"
    note: str = ""
    # Header names no column took that look like a misspelled known one: {column, did_you_mean}.
    unknown_columns: list[dict[str, str]] = field(default_factory=list)


@dataclass
class LoadContext:
    engine: Engine
    bundle: Path
    config: Config
    tokenizer: Tokenizer
    files: list[FileReport] = field(default_factory=list)
    # Private (0700) scratch space; a scan puts it in its output's staging folder, which the
    # next scan clears, so nothing outlives a killed run. No bundle record is written here in
    # clear: readers stream, and only derived files (EVTX as JSON Lines) are written, 0600.
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="unmask-")))
    # Told (records read, None) as records reach the store, a batch at a time, and
    # (0, file) when a file is done: what a progress bar shows.
    on_read: Callable[[int, str | None], None] | None = None

    def __post_init__(self) -> None:
        self.workdir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.workdir, 0o700)
        if self.workdir.parent == Path(tempfile.gettempdir()) and self.workdir.name.startswith("unmask-"):
            # A scratch folder of our own making goes with the context even when no one calls
            # cleanup() (a benchmark, a test): 5,771 empty ones had piled up in /tmp.
            weakref.finalize(self, shutil.rmtree, self.workdir, True)

    @property
    def token_params(self) -> dict[str, bytes]:
        ipad, opad = self.tokenizer.pads()
        return {"ipad": ipad, "opad": opad}

    def cleanup(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)

    def read(self, records: int) -> None:
        if self.on_read and records:
            self.on_read(records, None)

    def done(self, report: FileReport) -> None:
        self.files.append(report)
        if self.on_read:
            self.on_read(0, report.path)


def init_store(engine: Engine) -> None:
    engine.execute(
        "CREATE TABLE IF NOT EXISTS rejects(file VARCHAR, part VARCHAR, line BIGINT, "
        "unit VARCHAR, reason VARCHAR)"
    )


def reject_raw(ctx: LoadContext, rel: str, part: str, rejects: list[RawReject], unit: str) -> None:
    if not rejects:
        return
    ctx.engine.insert_rows("rejects", ("file", "part", "line", "unit", "reason"),
                           [(rel, part, r.line, unit, r.reason) for r in rejects])


def unreadable(ctx: LoadContext, report: FileReport, reason: str) -> FileReport:
    report.status = "unreadable"
    report.note = reason
    reject_raw(ctx, report.path, report.part, [RawReject(None, reason)], "file")
    ctx.done(report)
    return report


def find_files(bundle: Path, part: Part, files: list[str] | None = None) -> list[Path]:
    """The files of ``part`` in ``bundle`` (``files``: the bundle's walk, when already made)."""
    found = walk_bundle(bundle).files if files is None else files
    return [bundle / rel for rel in match_files(found, part.globs)]


def _open_text(path: Path) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if path.suffix == ".gz" or is_gzip(path) else path.open("rb")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def readable_path(ctx: LoadContext, path: Path) -> Path:
    """The path to give the engine: gzip data without a .gz suffix gets an alias that has one."""
    if path.suffix == ".gz" or not is_gzip(path):
        return path
    alias = ctx.workdir / f"{next(_tmp)}-{path.name}.gz"
    alias.symlink_to(path.resolve())
    return alias


def note_stop(report: FileReport, rejects: list[RawReject]) -> None:
    """A file whose reading stopped early (a damaged gzip) is ``partial``: what came before
    was kept, and the one reject saying where it stopped is its note."""
    for r in rejects:
        if r.stop:
            report.status = "partial"
            report.note = r.reason


# ---------------------------------------------------------------------------------------------
# Typed conversion of one text expression
# ---------------------------------------------------------------------------------------------


def typed(expr: str, kind: Kind) -> str:
    """SQL converting a trimmed VARCHAR expression to ``kind``; NULL when it does not parse."""
    if kind == "lower":
        return f"lower({expr})"
    if kind == "upper":
        return f"upper({expr})"
    if kind == "country":
        # ISO alpha-2 however the export writes it ("USA", "United States", "u.s."); a value no
        # table knows is kept as written, never turned into a default country.
        return f"coalesce(unmask_country({expr}), upper({expr}))"
    if kind == "date":
        d = f"coalesce(try_cast({expr} AS DATE), try_cast(try_cast({expr} AS TIMESTAMPTZ) AS DATE))"
        # A year no HR system means (5874897-12-31) is a reject, not a date that breaks later sums.
        return f"CASE WHEN {d} BETWEEN DATE '{MIN_DATE}' AND DATE '{MAX_DATE}' THEN {d} END"
    if kind == "ts":
        t = _ts(expr)
        return (f"CASE WHEN {t} BETWEEN TIMESTAMPTZ '{MIN_DATE} 00:00:00+00' AND TIMESTAMPTZ '{MAX_DATE} 00:00:00+00' "
                f"THEN {t} END")
    if kind == "bool":
        return (
            f"CASE lower({expr}) WHEN 'true' THEN true WHEN 'yes' THEN true WHEN '1' THEN true "
            f"WHEN 'false' THEN false WHEN 'no' THEN false WHEN '0' THEN false END"
        )
    if kind == "int":
        # A whole number in decimal digits (a fraction of zeros kept: JSON writers print 1.0).
        # The engines' own casts disagree on the rest: DuckDB rounds "1.5" to 2 and reads
        # "1e3", "0x10" and "1_000"; Spark refuses them all. Neither is a number an export means.
        return (f"CASE WHEN regexp_full_match({expr}, '[+-]?[0-9]+') THEN try_cast({expr} AS BIGINT) "
                f"WHEN regexp_full_match({expr}, '[+-]?[0-9]+\\.0*') "
                f"THEN try_cast(split_part({expr}, '.', 1) AS BIGINT) END")
    if kind in ("float", "lat", "lon"):
        # NaN and infinities are no measurement; a latitude beyond 90 or a longitude beyond 180
        # is a reject, never a point 6,000 km away that makes an "impossible travel".
        limit = {"float": 1e300, "lat": 90, "lon": 180}[kind]
        return f"CASE WHEN abs(try_cast({expr} AS DOUBLE)) <= {limit} THEN try_cast({expr} AS DOUBLE) END"
    if kind == "json":
        return f"try_cast({expr} AS JSON)"
    if kind == "ips":
        # A JSON array of hops that each name an ``ip`` (Okta's request.ipChain): only the IPs,
        # in order. The hops repeat the client's geography, which has columns of its own: kept
        # as JSON text they were some 190 bytes a record (with ``targets``, half the cost of
        # storing Okta events: docs/benchmarks.md, session 17).
        # A value that is no array is NULL (Spark's from_json would read a lone hop as a chain
        # of one; ``expr`` is trimmed text, so an array starts with its bracket); a hop without
        # an ip is left out.
        hops = f"from_json(try_cast({expr} AS JSON), '[{{\"ip\": \"VARCHAR\"}}]')"
        return (f"CASE WHEN left({expr}, 1) = '[' THEN "
                f"list_filter(list_transform({hops}, lambda h: h.ip), lambda i: i IS NOT NULL) END")
    if kind in ("token", "token_if_sensitive"):
        # Whatever reader declares a sensitive column, its value is tokenised in the reading
        # statement (needs the bound $ipad and $opad: see uses_token). A reader that cannot say
        # which kind a value is (no ``Col.by`` here) treats it as sensitive, as the CSV reader does.
        return sql_token(expr)
    if kind == "token_variants":
        return sql_token_variants(expr)
    return expr


MIN_DATE, MAX_DATE = "1900-01-01", "2200-01-01"
# Zone abbreviations an export may write, as the fixed offsets they name: "PST" is -08:00 all
# year (read as America/Los_Angeles it would turn into -07:00 in summer). Any other name is a
# reject: guessing a zone would move every time of the row.
ZONE_ABBREVIATIONS = {
    "UTC": "+00:00", "GMT": "+00:00", "EST": "-05:00", "EDT": "-04:00", "CST": "-06:00", "CDT": "-05:00",
    "MST": "-07:00", "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00", "AKST": "-09:00", "AKDT": "-08:00",
    "HST": "-10:00", "KST": "+09:00", "JST": "+09:00",
}


def _ts(e: str) -> str:
    """ISO 8601 with a zone (Z, ±hh:mm up to ±14:00, or an abbreviation above), without one
    (UTC), or epoch seconds / milliseconds. CASE evaluates a branch only for the rows that reach
    it: the common ``...Z`` never meets a regexp."""
    abbrev = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in ZONE_ABBREVIATIONS.items())
    zone = f"regexp_extract({e}, '\\s*([A-Za-z]+)$', 1)"
    tail = f"regexp_extract({e}, '\\s*[A-Za-z]+$', 0)"

    def offset(group: int) -> str:  # group 2: the offset's hours, 3: its minutes
        return f"regexp_extract({e}, '([+-])(\\d\\d):?(\\d\\d)$', {group})::INT"

    return (
        f"CASE WHEN NOT (strpos({e}, '-') > 0 OR strpos({e}, ':') > 0) THEN "
        f"  CASE WHEN regexp_full_match({e}, '\\d{{12,14}}') THEN make_timestamptz(({e})::BIGINT * 1000) "
        f"  WHEN regexp_full_match({e}, '\\d{{9,11}}(\\.\\d+)?') "
        f"  THEN make_timestamptz(({e})::DOUBLE::BIGINT * 1000000) END "
        f"WHEN right({e}, 1) IN ('Z', 'z') THEN try_cast({e} AS TIMESTAMPTZ) "
        f"WHEN regexp_matches({e}, '[A-Za-z]$') THEN try_cast(left({e}, length({e}) - length({tail})) "
        f"  || CASE upper({zone}) {abbrev} END AS TIMESTAMPTZ) "
        f"WHEN regexp_matches({e}, '[T ][0-9:.]+[+-]\\d\\d:?\\d\\d$') THEN "
        f"  CASE WHEN {offset(2)} <= 14 AND {offset(3)} < 60 THEN try_cast({e} AS TIMESTAMPTZ) END "
        f"ELSE try_cast({e} AS TIMESTAMPTZ) END"
    )


def uses_token(part: Part) -> bool:
    """Whether reading ``part`` needs the token key's pads bound."""
    return any(c.kind in ("token", "token_if_sensitive", "token_variants") for c in part.columns)


_CHECKED: tuple[Kind, ...] = ("date", "ts", "bool", "int", "float", "lat", "lon")


def finish(
    ctx: LoadContext, part: Part, staged: str, report: FileReport, unit: str
) -> FileReport:
    """Move a staged table (``line``, the part's columns, ``_err``) into the part table and
    the rejects; count. Rows come from the file ``report.path``."""
    eng = ctx.engine
    f = {"file": report.path}
    if part.key:
        # A later occurrence of an id (in this file or an earlier one) is rejected, with the
        # place of the first: duplicates are reported, never merged. Written as a new table
        # joined to the first places (not UPDATE ... FROM), so every engine runs the same SQL.
        k = ident(part.key)
        keep = ", ".join(f"s.{ident(c)}" for c in eng.columns(staged) if c != "_err")
        keyed = f"{staged}_k"
        eng.execute(
            f"CREATE OR REPLACE TEMP TABLE {ident(keyed)} AS SELECT {keep}, coalesce(s._err, "  # noqa: S608
            f"'duplicate ' || $kname || ' (first seen at line ' || f.first_line || ' of ' || f.first_file || ')') "
            f"AS _err FROM {ident(staged)} s LEFT JOIN ("
            f"  SELECT {k} AS key, min_by(line, (file_order, line)) AS first_line, "
            f"  min_by(source_file, (file_order, line)) AS first_file FROM ("
            f"    SELECT {k}, line, source_file, 1 AS file_order FROM {ident(part.table)} "
            f"    UNION ALL SELECT {k}, line, $file, 2 FROM {ident(staged)} WHERE _err IS NULL) "
            f"  GROUP BY ALL) f "
            f"ON s._err IS NULL AND s.{k} = f.key AND NOT (f.first_file = $file AND f.first_line = s.line) "
            f"ORDER BY s.line",
            {"kname": part.key, **f},
        )
        eng.drop(staged)
        staged = keyed
    eng.execute(
        f"INSERT INTO rejects SELECT $file, $part, line, $unit, _err FROM {ident(staged)} "  # noqa: S608
        "WHERE _err IS NOT NULL",
        {"part": part.id, "unit": unit, **f},
    )
    cols = ", ".join(ident(c) for c in ["line", *[c.name for c in part.columns]])
    eng.execute(
        f"INSERT INTO {ident(part.table)} SELECT $file, {cols} FROM {ident(staged)} WHERE _err IS NULL",  # noqa: S608
        f,
    )
    (loaded, rejected), = eng.query(
        f"SELECT count(*) FILTER (WHERE _err IS NULL), count(*) FILTER (WHERE _err IS NOT NULL) "  # noqa: S608
        f"FROM {ident(staged)}"
    )
    eng.drop(staged)
    ctx.read(int(loaded) + int(rejected))
    report.loaded += int(loaded)
    report.rejected += int(rejected)
    report.read = report.loaded + report.rejected
    ctx.done(report)
    return report


def finish_many(
    ctx: LoadContext, part: Part, staged: str, reports: list[FileReport], unit: str
) -> list[FileReport]:
    """:func:`finish` for a staged relation holding several files (``__file`` = index)."""
    if len(reports) == 1:  # finish ignores the extra __file column
        return [finish(ctx, part, staged, reports[0], unit)]
    if part.key:
        raise ValueError("parts with a unique key are read one file at a time")
    counts = move_rows(ctx, part, staged, [r.path for r in reports], unit)
    ctx.engine.drop(staged)
    return count_files(ctx, reports, counts)


def move_rows(
    ctx: LoadContext, part: Part, staged: str, files: list[str], unit: str
) -> dict[int, tuple[int, int]]:
    """Move rows (``__file`` = index in ``files``, ``line``, the part's columns, ``_err``) of a
    part without a unique key into the part table and the rejects: a whole staged table, or
    one batch of a streamed read. Returns (loaded, rejected) per file index."""
    eng = ctx.engine
    m = "(SELECT unnest($files) AS rel, generate_subscripts($files, 1) - 1 AS __file)"
    eng.execute(
        f"INSERT INTO rejects SELECT m.rel, $part, s.line, $unit, s._err FROM {ident(staged)} s "  # noqa: S608
        f"JOIN {m} m USING (__file) WHERE s._err IS NOT NULL",
        {"part": part.id, "unit": unit, "files": files},
    )
    cols = ", ".join(f"s.{ident(c)}" for c in ["line", *[c.name for c in part.columns]])
    eng.execute(
        f"INSERT INTO {ident(part.table)} SELECT m.rel, {cols} FROM {ident(staged)} s "  # noqa: S608
        f"JOIN {m} m USING (__file) WHERE s._err IS NULL",
        {"files": files},
    )
    counts = {
        int(i): (int(a), int(b))
        for i, a, b in eng.query(
            f"SELECT __file, count(*) FILTER (WHERE _err IS NULL), count(*) FILTER (WHERE _err IS NOT NULL) "  # noqa: S608
            f"FROM {ident(staged)} GROUP BY __file"
        )
    }
    ctx.read(sum(a + b for a, b in counts.values()))
    return counts


def forget_file(ctx: LoadContext, part: Part, file: str) -> None:
    """Undo :func:`move_rows` for one file (before it is read again)."""
    ctx.engine.execute(f"DELETE FROM {ident(part.table)} WHERE source_file = $f", {"f": file})  # noqa: S608
    ctx.engine.execute("DELETE FROM rejects WHERE file = $f AND part = $p", {"f": file, "p": part.id})


def count_files(
    ctx: LoadContext, reports: list[FileReport], counts: Mapping[int, tuple[int, int]]
) -> list[FileReport]:
    """Add each file's (loaded, rejected) to its report and record it as read."""
    for i, report in enumerate(reports):
        loaded, rejected = counts.get(i, (0, 0))
        report.loaded += loaded
        report.rejected += rejected
        report.read = report.loaded + report.rejected
        ctx.done(report)
    return reports


def create_part_table(engine: Engine, part: Part) -> None:
    sqltype = {
        "text": "VARCHAR", "lower": "VARCHAR", "upper": "VARCHAR", "country": "VARCHAR", "token": "VARCHAR",
        "token_if_sensitive": "VARCHAR",
        "token_variants": "UBIGINT[]",
        "date": "DATE", "ts": "TIMESTAMPTZ", "bool": "BOOLEAN", "int": "BIGINT",
        "float": "DOUBLE", "lat": "DOUBLE", "lon": "DOUBLE", "json": "JSON",
        "ips": "VARCHAR[]",
    }
    cols = ", ".join(f"{ident(c.name)} {sqltype[c.kind]}" for c in part.columns)
    engine.execute(
        f"CREATE TABLE IF NOT EXISTS {ident(part.table)}(source_file VARCHAR, line BIGINT, {cols})"
    )


def trimmed(expr: str) -> str:
    """``nullif(trim(expr), '')``, cheaper: ``trim`` removes spaces and Unicode's space
    separators, so a text of ASCII alone (its byte and character counts agree) that neither
    starts nor ends with a space is kept as it is, untouched; only the rest meets ``trim``.
    The same answer for every text; 22 trims were a quarter of reading 1M Okta events.
    ``expr`` is written out five times: pass a column or a cheap expression (the JSON reader
    passes a list element, or a ``coalesce`` of two for a key with two spellings), never a
    costly one; the engine's repeated-expression pass is not relied on."""
    return (f"nullif(CASE WHEN starts_with({expr}, ' ') OR ends_with({expr}, ' ') "
            f"OR strlen({expr}) <> length({expr}) THEN trim({expr}) ELSE {expr} END, '')")


def checked_layer(part: Part, checks: list[tuple[str, str]]) -> str:
    """A reader's last layer: the part's columns and the first failing check's reason.

    The part's columns are listed (not ``*``) so the texts kept beside checked values
    (``name__text``) and the parse error end here: they are not handed on, copied or stored
    (at 10M sign-ins, seven string columns fewer through every batch)."""
    return ", ".join([*(ident(c.name) for c in part.columns), f"{error_expr(checks)} AS _err"])


def error_expr(checks: list[tuple[str, str]]) -> str:
    """First failing check's reason. ``checks`` holds (failure condition SQL, reason literal)."""
    if not checks:
        return "NULL::VARCHAR"
    whens = " ".join(f"WHEN {cond} THEN {reason}" for cond, reason in checks)
    return f"CASE {whens} END"


def sql_str(s: str) -> str:
    """A SQL string literal for a constant of ours (never for bundle text)."""
    return "'" + s.replace("'", "''") + "'"


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------


def read_header(path: Path) -> list[str]:
    """The first CSV record. Only the header must be UTF-8; bad bytes later are per-row rejects."""
    head = b""
    for chunk in Source(path).chunks():  # a damaged gzip still gives its first bytes
        head += chunk
        if len(head) >= 1 << 16:
            break
    head = head[: 1 << 16]
    text = head.decode("utf-8-sig", errors="replace")
    row = next(csv.reader(io.StringIO(text, newline="")), None)
    if not row:
        raise ValueError("the file is empty")
    if any("\ufffd" in h for h in row):
        raise UnicodeDecodeError("utf-8", head, 0, 1, "header")
    return [h.strip() for h in row]


def load_csv_part(ctx: LoadContext, part: Part, path: Path) -> FileReport:
    rel = path.relative_to(ctx.bundle).as_posix()
    report = FileReport(rel, part.id)
    mapping = ctx.config.columns.get(part.csv_name, {})
    try:
        header = read_header(path)
    except UnicodeDecodeError:
        return unreadable(ctx, report, "the header is not UTF-8 text: is the file in another encoding?")
    except (OSError, EOFError, zlib.error, csv.Error, ValueError) as e:
        return unreadable(ctx, report, f"cannot read the header: {_plain(e)}")
    if any(len(h) > 512 for h in header) or len(header) > 500:
        return unreadable(ctx, report, "the first row does not look like a header")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        # Which of two same-named columns holds the value is a guess: refuse it, never pick one.
        return unreadable(ctx, report, "duplicate column name(s) in the header: " + ", ".join(dupes[:10]))
    position = {h: i for i, h in enumerate(header)}
    where: dict[str, int] = {}
    for c in part.columns:
        src = mapping.get(c.name, c.name)
        if src in position:
            where[c.name] = position[src]
    taken = {mapping.get(c.name, c.name) for c in part.columns}
    absent = [c.name for c in part.columns if c.name not in where and c.kind != "token_variants"]
    for h in header:
        if h not in taken:
            close = difflib.get_close_matches(h.strip().lower().replace(" ", "_").replace("-", "_"), absent, 1, 0.75)
            if close:
                report.unknown_columns.append({"column": h[:100], "did_you_mean": close[0]})
    missing = [c.name for c in part.columns if c.required and c.name not in where]
    if missing:
        shown = [f"{m} (mapped to {mapping[m]!r})" if m in mapping else m for m in missing]
        return unreadable(ctx, report, "missing required column(s): " + ", ".join(shown))

    selects: list[str] = []
    checks: list[tuple[str, str]] = []
    for c in part.columns:
        if c.kind == "token_variants":
            near = sql_token_variants(f"nullif(trim(c{where[c.by]}), '')") if c.by in where else "NULL::UBIGINT[]"
            selects.append(f"{near} AS {ident(c.name)}")
            continue
        if c.name not in where:
            selects.append(f"NULL AS {ident(c.name)}")
            continue
        text = f"nullif(trim(c{where[c.name]}), '')"
        if c.kind == "token":  # keyed token in the reading statement: no clear value is stored
            selects.append(f"{sql_token(text)} AS {ident(c.name)}")
        elif c.kind == "token_if_sensitive":
            if c.by not in where:
                # Unknown kind: the value may be sensitive, so it is tokenised.
                selects.append(f"{sql_token(text)} AS {ident(c.name)}")
                continue
            # By the kind's name however it is written, and (guess) by the value's shape.
            selects.append(f"{sql_tokenise_if_sensitive(text, f'c{where[c.by]}', c.guess)} AS {ident(c.name)}")
        else:
            selects.append(f"{typed(text, c.kind)} AS {ident(c.name)}")
        if c.required or c.kind in _CHECKED:
            # The text beside the value lets the check layer test it without converting again;
            # for a tokenised value only whether there is one, so no clear value is staged.
            beside = f"CASE WHEN {text} IS NOT NULL THEN '' END" if c.kind in ("token", "token_if_sensitive") else text
            selects.append(f"{beside} AS {ident(c.name + '__text')}")
            t = ident(c.name + "__text")
            if c.required:
                checks.append((f"{t} IS NULL", sql_str(f"empty {c.name}")))
            if c.kind in _CHECKED:
                checks.append((f"{t} IS NOT NULL AND {ident(c.name)} IS NULL", sql_str(f"invalid {c.name}")))
    staged = f"__csv{next(_tmp)}"
    uses_token = any(c.kind in ("token", "token_if_sensitive") and c.name in where
                     or c.kind == "token_variants" and c.by in where for c in part.columns)

    def read(p: Path) -> list[RawReject]:
        return ctx.engine.load_csv(
            p, header, staged, ctx.config.max_line_bytes,
            (", ".join(selects), checked_layer(part, checks)),
            ctx.token_params if uses_token else None,
            materialize=part.key is not None,
        )

    try:
        raw_rejects = read(readable_path(ctx, path))
    except Exception as e:  # noqa: BLE001 - any engine failure is reported per file
        return unreadable(ctx, report, f"cannot parse as CSV: {_plain(e)}")
    note_stop(report, raw_rejects)
    reject_raw(ctx, rel, part.id, raw_rejects, "line")
    report.rejected += len(raw_rejects)
    return finish(ctx, part, staged, report, "line")


def _plain(e: BaseException) -> str:
    """A one-line reason without echoing file content (DuckDB quotes offending lines)."""
    msg = str(e).splitlines()[0] if str(e) else e.__class__.__name__
    return msg[:200]

