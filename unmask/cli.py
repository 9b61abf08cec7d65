"""Command line: ``unmask scan | validate | demo | explain | screen | intel show | export-iocs``.

Exit codes: 0 ok; 1 a finding at or above ``--fail-on``; 2 unusable input or configuration;
3 an internal error (a bug: please report it). Errors are one line on stderr, never a traceback
(set ``UNMASK_DEBUG=1`` to see one).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from unmask import __version__
from unmask.values.text import printable

if TYPE_CHECKING:
    from unmask.pipeline import Progress as ProgressFn

# Help is plain click help: flags show as flags (rich help printed "<bool>" for each), and no
# text of ours is read as Rich markup. Typer's shell completion: --install-completion.
# Nothing heavy is imported at module level: `unmask --help`, `--version` and completion must
# not load the pipeline (each command imports what it runs).
app = typer.Typer(
    add_completion=True,
    no_args_is_help=True,
    help="Find remote workers who are not who they say they are.",
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
class _Console(Console):
    """A console that shows text as text: bundle strings are never read as Rich markup (a `[/]`
    in a name raised an error; `[hr/employees.csv:304]` vanished as a tag) and lose control
    characters and escape sequences (values/text.py). Our own emphasis is a Text with a style."""

    def print(self, *objects: Any, **kw: Any) -> None:
        kw["markup"] = False
        kw.setdefault("highlight", False)
        super().print(*(printable(o) if isinstance(o, str) else o for o in objects), **kw)


err = _Console(stderr=True)
out = _Console()

EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_INTERNAL = 3
ISO = "%Y-%m-%dT%H:%M:%SZ"  # times as findings.jsonl writes them


class Band(StrEnum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"


class EngineKind(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


class Size(StrEnum):
    small = "small"
    medium = "medium"
    large = "large"


def _version(value: bool) -> None:
    if value:
        out.print(f"unmask {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Unmask correlates HR, payroll, shipping, sign-in and endpoint exports."""


@contextmanager
def _progress(quiet: bool) -> Iterator[ProgressFn | None]:
    if quiet or not err.is_terminal and os.environ.get("UNMASK_PROGRESS") != "1":
        yield None
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TextColumn("{task.fields[rate]}"),
        _Remaining(), TimeElapsedColumn(), console=err, transient=True,
    ) as bar:
        tasks: dict[int, Any] = {}

        def cb(message: str, done: int, total: int, records: int = -1) -> None:
            if total not in tasks:
                tasks[total] = bar.add_task(message, total=total, rate="", counted=records >= 0)
            elapsed = bar.tasks[tasks[total]].elapsed or 0.0
            bar.update(tasks[total], description=message, completed=done,
                       rate=rate_text(records, elapsed) if records >= 0 else "")

        yield cb


def rate_text(records: int, seconds: float) -> str:
    """``1,234,567 records, 250,000/s``: what the reading bar says beside its estimate."""
    per_s = f", {records / seconds:,.0f}/s" if seconds >= 0.5 else ""
    return f"{records:,} records{per_s}"


class _Remaining(TimeRemainingColumn):
    """The time estimate, only for a bar that counts its work (bytes read); the stage bar
    counts steps of unequal length, whose rate would promise a false end."""

    def render(self, task: Task) -> Text:
        return super().render(task) if task.fields.get("counted") else Text("")


def _fail(msg: str, code: int) -> None:
    err.print(Text.assemble(("error: ", "bold red"), printable(msg)), soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def _errors() -> Iterator[None]:
    from unmask.config import ConfigError
    from unmask.pipeline import InputError
    from unmask.sensitive import KeyError_

    try:
        yield
    except typer.Exit:
        raise
    except ConfigError as e:
        lines = "\n".join(f"  unmask.toml {p}" for p in e.problems)
        err.print(Text.assemble(("error: ", "bold red"),
                                printable(f"the configuration has {len(e.problems)} problem(s):\n{lines}")),
                  highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_INPUT) from None
    except (InputError, KeyError_) as e:
        _fail(str(e), EXIT_INPUT)
    except KeyboardInterrupt:
        _fail("interrupted; no output was published", 130)
    except OSError as e:
        # A full disk, a folder where a file was meant, a file we may not read: the machine's
        # state, not a bug. Said with the path, never with a traceback.
        where = f" ({e.filename})" if e.filename else ""
        _fail(f"{e.strerror or e}{where}", EXIT_INPUT)
    except Exception as e:  # noqa: BLE001 - the CLI promises one line, not a traceback
        if os.environ.get("UNMASK_DEBUG"):
            raise
        _fail(f"internal error ({e.__class__.__name__}): {str(e).splitlines()[0][:200] if str(e) else ''} "
              "- rerun with UNMASK_DEBUG=1 for details", EXIT_INTERNAL)


def _gaps(man: dict[str, Any], console: Console, full: bool) -> None:
    """What the bundle lacks, first: missing parts with the paths they are read from, files no
    part took (with the path they probably meant), misspelled columns and what they disable,
    then (``full``) the disabled signals grouped by the parts they wait for."""
    from unmask.sources import PARTS_BY_ID

    missing = man.get("missing_parts", [])
    if missing:
        console.print(f"missing parts ({len(missing)}): " + "; ".join(
            f"{p} ({', '.join(PARTS_BY_ID[p].globs) if p in PARTS_BY_ID else '?'})" for p in missing), soft_wrap=True)
    for g in man.get("ignored_files", []):
        console.print(f"ignored {g['path']}: {g['reason']}", soft_wrap=True)
    for f in man.get("files", []):
        for u in f.get("unknown_columns", []):
            console.print(f"{f['path']}: column {u['column']!r} is not read; did you mean {u['did_you_mean']!r}?"
                          + (f" (without it: {', '.join(u['disables'])})" if u.get("disables") else ""),
                          soft_wrap=True)
    if full:
        groups: dict[str, list[str]] = {}
        for d in man.get("disabled_signals", []):
            groups.setdefault(", ".join(d["missing_parts"]), []).append(d["id"])
        for parts, ids in sorted(groups.items()):
            console.print(f"without {parts}: {len(ids)} signal(s) cannot run: {', '.join(ids)}", soft_wrap=True)


def intel_warnings(intel: list[dict[str, Any]], today: Any = None) -> list[str]:
    """What a screen must say aloud: lists older than STALE_DAYS, shipped lists used because the
    bundle's own gave nothing, no list at all."""
    from datetime import date

    from unmask.sources.intel import FALLBACK, STALE_DAYS

    now = today or date.today()
    out: list[str] = []
    if any(lst.get("origin") == FALLBACK for lst in intel):
        out.append("the bundle's intel/sanctions/ gave no entity (see its rejects): the shipped lists were used")
    for lst in intel:
        pub = str(lst.get("published") or "")
        try:
            age = (now - date.fromisoformat(pub[:10])).days
        except ValueError:
            continue
        if age > STALE_DAYS:
            out.append(f"{lst['name']} is {age} days old (published {pub[:10]}): designations since then are "
                       "not screened; update it (intel/sanctions/ in the bundle)")
    return out


def _summary(result: Any) -> None:
    b = result.bands
    out.print(
        f"critical {b['critical']}  high {b['high']}  medium {b['medium']}  low {b['low']}  "
        f"clusters {result.clusters}  rejected records {result.manifest['totals']['rejected']}"
    )
    n = len(result.manifest.get("disabled_signals", []))
    if n:
        out.print(f"{n} signal(s) could not run for lack of a part (unmask validate lists them)")
    _gaps(result.manifest, out, full=False)
    # A file the scan could not use (or used only in part) is named here, as `validate` names it:
    # the summary's "rejected records" counts records, so a whole file lost (a Spark executor out
    # of memory on a 340 MB log made five files "unreadable") left the scan looking clean.
    for f in result.manifest.get("files", []):
        if f.get("status", "ok") != "ok":
            out.print(f"{f['status']} {f['path']}: read {f['read']}, loaded {f['loaded']}: {f['note']}",
                      soft_wrap=True)
    sg = result.manifest.get("sigma") or {}
    if sg.get("skipped"):
        out.print(f"Sigma: {sg['evaluated']} rule(s) evaluated, {sg['skipped']} skipped ("
                  + ", ".join(f"{n} {k}" for k, n in sg["skipped_by_reason"].items())
                  + "; manifest.json sigma.skipped_rules says why)", soft_wrap=True)
    for w in intel_warnings(result.manifest.get("intel", [])):
        err.print(Text.assemble(("warning: ", "bold yellow"), printable(w)), soft_wrap=True)
    out.print(f"report: {result.report}")


def _exit_for(result: Any, fail_on: Band | None) -> None:
    if fail_on is None:
        return
    from unmask.score import BAND_ORDER

    floor = BAND_ORDER[fail_on.value]
    if any(n for band, n in result.bands.items() if BAND_ORDER[band] >= floor):
        raise typer.Exit(EXIT_FINDINGS)


def _memory_limit(value: str | None) -> str | None:
    from unmask.engine.duckdb import check_memory_limit

    try:
        return check_memory_limit(value) if value is not None else None
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None


@app.command()
def scan(
    bundle: Annotated[Path, typer.Argument(help="The bundle folder.")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("unmask-out"),
    fail_on: Annotated[
        Band | None, typer.Option("--fail-on", help="Exit 1 if any subject is at or above this band.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
    threads: Annotated[int | None, typer.Option(min=1, help="Database threads (default: all cores).")] = None,
    decisions: Annotated[
        Path | None,
        typer.Option("--decisions", help="Investigators' cases store (default: OUT/cases.sqlite if it exists)."),
    ] = None,
    keep: Annotated[
        int | None, typer.Option("--keep", min=1, help="Keep only the newest N scans in OUT/scans (default: all).")
    ] = None,
    memory_limit: Annotated[
        str | None, typer.Option("--memory-limit", callback=_memory_limit,
                                 help="Database memory limit, e.g. 4GB; past it the database spills to disk "
                                      "(default: a quarter of the machine's memory, at most 3 GiB). With "
                                      "--engine spark in local mode: the JVM's heap (default: a third of the "
                                      "machine's memory, at most 8 GiB).")
    ] = None,
    engine: Annotated[
        EngineKind, typer.Option("--engine", help="Where the scan runs: DuckDB in this process, or Spark "
                                                  "(pip install 'unmask[spark]'; local mode unless a master "
                                                  "or remote is given).")
    ] = EngineKind.duckdb,
    spark_master: Annotated[
        str | None, typer.Option("--spark-master", help="Spark: a master URL, e.g. spark://host:7077.")
    ] = None,
    spark_remote: Annotated[
        str | None, typer.Option("--spark-remote", help="Spark: a Spark Connect server, e.g. sc://host:15002.")
    ] = None,
) -> None:
    """Scan a bundle and write findings, clusters, rejects, manifest and report.

    Each scan is kept in OUT/scans/<id>/; OUT/current and OUT/findings.jsonl, OUT/report.html, ...
    show the newest. One scan writes OUT at a time."""
    from unmask.engine import EngineChoice
    from unmask.pipeline import InputError
    from unmask.pipeline import scan as run_scan

    with _errors(), _progress(quiet) as cb:
        if engine is EngineKind.duckdb and (spark_master or spark_remote):
            raise InputError("--spark-master and --spark-remote need --engine spark")
        if spark_master and spark_remote:
            raise InputError("give --spark-master or --spark-remote, not both")
        choice = EngineChoice(engine.value, spark_master, spark_remote)
        result = run_scan(bundle, out_dir, cb, threads, decisions=decisions, keep=keep, memory_limit=memory_limit,
                          engine=choice)
    _summary(result)
    _exit_for(result, fail_on)


@app.command()
def validate(
    bundle: Annotated[Path, typer.Argument(help="The bundle folder.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Read everything and report rejects, missing parts and config problems; score nothing."""
    from unmask.pipeline import validate as run_validate

    with _errors(), _progress(quiet) as cb:
        man = run_validate(bundle, cb)
    if as_json:
        out.print_json(json.dumps(man, default=str))
    else:
        _gaps(man, out, full=True)
        if not man["missing_parts"]:
            out.print("missing parts: none")
        for f in man["files"]:
            flag = "" if f["status"] == "ok" else f"  [{f['status']}] {f['note']}"
            out.print(f"{f['path']}: read {f['read']}, loaded {f['loaded']}, rejected {f['rejected']}{flag}")
        for r in man["rejects"][:50]:
            out.print(f"reject {r['file']}:{r['line'] if r['line'] is not None else '-'}: {r['reason']}")
    if not any(f["loaded"] for f in man["files"]):
        _fail("nothing usable was read: no known part has a readable record"
              + (" (see the files above)" if man["files"] else " in this folder"), EXIT_INPUT)


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Where to write the bundle and the scan.")] = Path(
        "demo-out"
    ),
    seed: Annotated[int, typer.Option(help="Random seed: the same seed writes the same bundle.")] = 7,
    size: Annotated[Size, typer.Option(help="small ~300 workers, medium ~2k, large ~20k.")] = Size.small,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Write a realistic demo bundle with planted schemes, scan it, and print where the report is."""
    from unmask.demo import generate, truth_path
    from unmask.pipeline import scan as run_scan

    with _errors(), _progress(quiet) as cb:
        bundle = out_dir / "bundle"
        truth = generate(bundle, seed=seed, size=size.value)
        result = run_scan(bundle, out_dir / "scan", cb, planted_note=truth.note)
    out.print(f"demo bundle: {bundle} (planted truth in {truth_path(bundle)})")
    _summary(result)
    out.print(f"workbench: unmask serve {out_dir / 'scan'}")


@app.command()
def explain(
    out_dir: Annotated[Path, typer.Argument(help="The output folder of a scan.")],
    subject_id: Annotated[str, typer.Argument(help="An employee or candidate id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the subject(s) as JSON.")] = False,
) -> None:
    """Print one subject's evidence chain, strongest first, with sources and clusters.

    A subject of the bundle with no evidence exits 0 ("no evidence"); an id the scan never
    read exits 2."""
    import dataclasses

    from rich.table import Table

    from unmask.results import Results, ResultsError

    with _errors():
        if not (out_dir / "unmask.duckdb").is_file():
            _fail(f"no unmask.duckdb in {out_dir}: is it the output folder of a scan?", EXIT_INPUT)
        try:
            results = Results.open(out_dir)
        except ResultsError as e:
            _fail(str(e), EXIT_INPUT)
            return
        with results:
            known = results.subjects(subject_id)
        if not known:
            _fail(f"{subject_id} is not a subject of the scan in {out_dir}", EXIT_INPUT)
    if as_json:
        out.print_json(json.dumps([dataclasses.asdict(s) for s in known], default=str))
        return
    hits = [s for s in known if s.score is not None]
    if not hits:
        for s in known:
            out.print(f"{s.subject_type} {s.subject_id} {s.name or ''}: no evidence")
        return
    for s in hits:
        out.print(Text.assemble((printable(f"{s.subject_type} {s.subject_id}"), "bold"),
                                printable(f" {s.name or ''}: score {s.score:.2f}, band "), (s.band or "", "bold"),
                                f", rank {s.rank} of {s.findings_total}"))
        d = s.decision
        if d:
            why = f" ({d.reason})" if d.reason else ""
            again = f", reopened: {len(d.new_evidence)} row(s) it did not see" if d.reopened else ""
            out.print(f"decision: {d.status}{why} by {d.by or ''} at {d.at or ''}"
                      f"{again}")
        cells = [(f"{e.weight:.2f}", f"{e.signal} ({e.strength}{', decisive' if e.decisive else ''})",
                  e.observed_at.strftime(ISO) if e.observed_at else "", e.detail, e.source) for e in s.evidence]
        if out.is_terminal:
            t = Table(show_lines=False)
            for col in ("weight", "signal", "observed", "detail", "source"):
                t.add_column(col, overflow="fold")
            for c in cells:
                t.add_row(*(Text(printable(x)) for x in c))
            out.print(t)
        else:  # piped: one evidence row per line, whole, for grep and less
            for c in cells:
                out.print("  ".join(c), soft_wrap=True)
        for cl in s.clusters:
            others = [o.id for o in cl.others]
            what = f" ({cl.kind.replace('_', ' ')}; this record: {cl.role})" if cl.kind and cl.role else ""
            out.print(f"cluster {cl.cluster_id}{what}: with {', '.join(others)} via {', '.join(cl.vias)}")


intel_app = typer.Typer(no_args_is_help=True, help="Sanctions lists: what is loaded and how old it is.")
app.add_typer(intel_app, name="intel")


def _workbench() -> None:
    # The workbench's commands live with it; registering them imports only typer-level code.
    from unmask.serve.cli import serve, users_app

    app.command("serve")(serve)
    app.add_typer(users_app, name="users")


_workbench()


@intel_app.command("show")
def intel_show(
    bundle: Annotated[
        Path | None, typer.Argument(help="A bundle: show its intel/sanctions/ lists (default: the shipped copies).")
    ] = None,
) -> None:
    """Print the sanctions lists a scan would use: source, version, age, entities, names, IOCs."""
    from rich.table import Table

    from unmask.engine import open_engine
    from unmask.sources.intel import age_days, list_counts, load_default_or

    with _errors():
        if bundle is not None and not bundle.is_dir():
            _fail(f"{bundle} is not a folder", EXIT_INPUT)
        eng = open_engine(None)
        lists, rejects = load_default_or(eng, bundle / "intel" / "sanctions" if bundle else None)
        counts = list_counts(eng)
        t = Table(title=Text(printable("sanctions lists" + (f" of {bundle}" if bundle else " (shipped copies)"))))
        for col in ("list", "published", "age (days)", "entities", "names", "IOCs", "rejected"):
            t.add_column(col, overflow="fold")
        for lst in lists:
            age = age_days(lst)
            t.add_row(
                Text(printable(lst.name)), Text(printable(lst.published or "?")), "?" if age is None else str(age),
                str(counts.get((lst.id, "intel_entities"), 0)), str(counts.get((lst.id, "intel_names"), 0)),
                str(counts.get((lst.id, "intel_iocs"), 0)), str(sum(len(f.rejected) for f in lst.files)),
            )
        out.print(t)
        for lst in lists:
            out.print(f"{lst.name} ({lst.origin}): {lst.version}", soft_wrap=True)
            for f in lst.files:  # each file by its own date: a list is as old as its oldest file
                out.print(f"  {f.file}: {f.published or lst.published or 'date unknown'}, {f.loaded} record(s)"
                          + (f", {len(f.rejected)} rejected" if f.rejected else ""), soft_wrap=True)
        for w in intel_warnings([lst.manifest() for lst in lists]):
            err.print(Text.assemble(("warning: ", "bold yellow"), printable(w)), soft_wrap=True)
        if not lists:
            out.print("no list found: screening is off for this bundle")
        if rejects:
            out.print(f"{len(rejects)} record(s) could not be read; a scan lists them in rejects.jsonl")


@intel_app.command("update")
def intel_update(
    bundle: Annotated[Path, typer.Argument(help="The bundle whose intel/sanctions/ to refresh.")],
    opensanctions: Annotated[bool, typer.Option(
        "--opensanctions", help="Also OpenSanctions' sanctions collection (check its licence for your use).")] = False,
    base_url: Annotated[list[str] | None, typer.Option(
        "--base-url", help="LIST=URL: fetch a list from a mirror (ofac_sdn, un_sc, opensanctions).")] = None,
) -> None:
    """Download current OFAC and UN lists (and OpenSanctions) into BUNDLE/intel/sanctions/, check
    that each reads with a sane number of entities before it replaces anything, and record
    source, size and SHA-256 in VERSIONS.json there. Needs a network."""
    from unmask.sources.intel.update import UpdateError, update

    with _errors():
        base: dict[str, str] = {}
        for b in base_url or []:
            k, sep, v = b.partition("=")
            if not sep:
                _fail(f"--base-url takes LIST=URL, not {b!r}", EXIT_INPUT)
            base[k] = v
        if not bundle.is_dir():
            _fail(f"{bundle} is not a folder", EXIT_INPUT)
        try:
            got = update(bundle / "intel" / "sanctions", base, opensanctions)
        except UpdateError as e:
            _fail(str(e), EXIT_INPUT)
            return
    for f in got:
        out.print(f"{f.list_id}: {f.entities} entities from {len(f.files)} file(s), recorded in VERSIONS.json")


@app.command()
def screen(
    names: Annotated[Path, typer.Argument(help="CSV with a 'name' column; optional schema, birth_date, country.")],
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="Write JSON lines here (default: stdout).")]
    = None,
    lists: Annotated[Path | None, typer.Option("--lists", help="A folder of list files instead of the shipped copies.")]
    = None,
    top: Annotated[int, typer.Option(help="Matches kept per name, best first.")] = 5,
    min_score: Annotated[float, typer.Option(help="Lowest score reported (0-1).")] = 0.8,
) -> None:
    """Screen a CSV of names against the sanctions lists, without a bundle: one JSON line per row."""
    from unmask.screen.batch import ScreenInputError, screen_file

    with _errors():
        if lists is not None and not lists.is_dir():
            _fail(f"--lists {lists} is not a folder", EXIT_INPUT)
        try:
            result, payload = screen_file(names, out_file, lists, top, min_score)
        except ScreenInputError as e:
            _fail(str(e), EXIT_INPUT)
            return
        if out_file is None:
            sys.stdout.buffer.write(b"".join(b + b"\n" for b in payload))
            sys.stdout.flush()
        else:
            err.print(f"{result.rows} row(s) screened, {result.with_matches} with a match at {min_score} or above, "
                      f"{result.errors} without a name; written to {out_file}", highlight=False)


@app.command("check")
def check_cmd(
    candidate: Annotated[Path, typer.Argument(help="The applicant as JSON (full_name, email, phone, address_line1, "
                                                   "..., references).")],
    store: Annotated[Path, typer.Option("--store", help="A scan's output folder (or its unmask.duckdb).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the evidence as JSON.")] = False,
    field_map: Annotated[list[str] | None, typer.Option(
        "--map", help="SOURCE=FIELD: read an export's own key as one of ours (repeatable).")] = None,
) -> None:
    """Check one new applicant against a past scan's store. Exit 1 when strong evidence is found.

    The applicant is validated against unmask/schemas/applicant.schema.json: an unknown key or a
    value of the wrong type is exit 2, naming it. Greenhouse, Ashby, Lever and Workday field
    names are read as ours."""

    from unmask.check import CheckError, applicant, check, open_store

    with _errors():
        mapping: dict[str, str] = {}
        for m in field_map or []:
            src, sep, dst = m.partition("=")
            if not sep or not src or not dst:
                _fail(f"--map takes SOURCE=FIELD, not {m!r}", EXIT_INPUT)
            mapping[src] = dst
        try:
            raw = json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as e:
            _fail(f"cannot read {candidate} as JSON: {e.__class__.__name__}", EXIT_INPUT)
            return
        try:
            data = applicant(raw, mapping)
        except CheckError as e:
            _fail(f"{candidate}: {e}", EXIT_INPUT)
            return
        try:
            results = open_store(store)
        except CheckError as e:
            _fail(str(e), EXIT_INPUT)
            return
        with results:
            hits = check(results, data)
        if as_json:
            out.print_json(json.dumps([h.as_dict() for h in hits]))
        elif not hits:
            out.print("nothing known about this applicant in the store")
        for h in [] if as_json else hits:
            out.print(f"{h.strength:6}  {h.detail}" + (f"  [{h.source}]" if h.source else ""),
                      highlight=False, soft_wrap=True)
        if any(h.strength == "strong" for h in hits):
            raise typer.Exit(EXIT_FINDINGS)


class IocFormat(StrEnum):
    stix = "stix"
    csv = "csv"


@app.command("export-iocs")
def export_iocs(
    out_dir: Annotated[Path, typer.Argument(help="The output folder of a scan.")],
    cluster: Annotated[str | None, typer.Option("--cluster", help="A cluster id from clusters.jsonl.")] = None,
    subject: Annotated[str | None, typer.Option("--subject", help="An employee or candidate id.")] = None,
    fmt: Annotated[IocFormat, typer.Option("--format", help="STIX 2.1 bundle or intel/iocs.csv rows.")]
    = IocFormat.stix,
    to: Annotated[Path | None, typer.Option("--to", help="Write here (default: stdout).")] = None,
    include_tokens: Annotated[
        bool, typer.Option("--include-tokens", help="Also export payout accounts, as their keyed tokens.")
    ] = False,
    include_references: Annotated[
        bool, typer.Option("--include-references",
                           help="Also export the references' e-mails and phones (third parties: off by default).")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Export a case with no high or critical finding and no confirmed decision.")
    ] = False,
) -> None:
    """Write one case's indicators (e-mails, phones, IPs, domains, addresses, hashes) to share."""
    from unmask.report.export import ExportError, export

    with _errors():
        try:
            text, n = export(out_dir, cluster, subject, fmt.value, include_tokens, include_references, force)
        except ExportError as e:
            _fail(str(e), EXIT_INPUT)
            return
        if to is None:
            sys.stdout.write(text)
        else:
            to.parent.mkdir(parents=True, exist_ok=True)
            to.write_text(text, encoding="utf-8")
            err.print(f"{n} indicator(s) written to {to}", highlight=False)


def _restart_with_engine_env() -> None:
    """Start again with the engine's start-up environment (see unmask.engine.duckdb.memory):
    it is read once, when the process starts, so setting it now would be too late."""
    from unmask.engine import process_env

    need = {k: v for k, v in process_env().items() if os.environ.get(k) != v}
    if not need or sys.platform != "linux" or os.environ.get("UNMASK_NO_RESTART"):
        return
    os.environ.update(need)
    os.environ["UNMASK_NO_RESTART"] = "1"  # never loop, whatever the engine makes of it
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "unmask.cli", *sys.argv[1:]])


# Arguments that never reach the engine: no restart for them (it costs a second start).
_NO_ENGINE = {"--help", "-h", "--version", "--install-completion", "--show-completion"}


def main() -> None:
    if len(sys.argv) > 1 and not _NO_ENGINE.intersection(sys.argv[1:]) and not os.environ.get("_UNMASK_COMPLETE"):
        _restart_with_engine_env()
    try:
        # The restart runs `python -m unmask.cli`; usage lines still name the command people type.
        app(prog_name="unmask")
    except BrokenPipeError:
        sys.exit(0)


if __name__ == "__main__":
    main()
