"""The scan: sources -> normalise -> resolve -> screen -> signals -> link -> score -> report, with timings.

Each stage reads only what the stages before it wrote; none goes back.
"""

from __future__ import annotations

import difflib
import json
import platform
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from unmask import __version__, scans
from unmask.cases import CasesError, CasesStore, Judgement, Overlay, load_decisions, overlay
from unmask.config import Config, load_config
from unmask.engine import Engine, EngineChoice, EngineError, EngineUnavailable, open_engine
from unmask.engine.dialect import DialectError
from unmask.link import build_clusters, verdicts
from unmask.link.persons import honour_persons
from unmask.model import Key
from unmask.normalise import identifiers, memo, network, stage
from unmask.normalise.memo import Memo
from unmask.report import html, outputs
from unmask.resolve import persons, records
from unmask.results import Results
from unmask.score import score
from unmask.score.clusters import cluster_verdicts
from unmask.screen import parties as screening
from unmask.sensitive import Tokenizer, load_tokenizer
from unmask.signals import SIGNAL_IDS, SignalRun, run_signals, sigma
from unmask.sources import ALL_PARTS, CSV_COLUMNS, PartResult, load_bundle, load_intel
from unmask.sources.base import LoadContext
from unmask.sources.documents import DocumentCount, load_documents
from unmask.sources.walk import shown_path, walk_bundle


class Progress(Protocol):
    """(message, done, total) of a stage; ``records``: records read so far, when counted."""

    def __call__(self, message: str, done: int, total: int, records: int = -1) -> None: ...


class InputError(Exception):
    """The bundle or its configuration cannot be used at all (exit code 2)."""


class EngineGap(InputError):
    """A stage the chosen engine cannot run yet (exit code 2): said with the stage's name,
    never papered over by running that stage somewhere else."""


@contextmanager
def _stage(eng: Engine, name: str) -> Iterator[None]:
    """Turn an engine's refusal inside a stage into :class:`EngineGap` naming the stage. DuckDB
    runs every stage: an error there is a bug and stays one."""
    if eng.name == "duckdb":
        yield
        return
    try:
        yield
    except (EngineError, DialectError, NotImplementedError) as e:
        first = str(e).splitlines()[0][:300] if str(e) else e.__class__.__name__
        if isinstance(e, EngineError) and not isinstance(e.__cause__, DialectError):
            # A statement that failed as it ran (a JVM out of memory, a lost executor) is a
            # failure of this run, not a construct the engine lacks: said as such.
            raise EngineGap(f"the {name} stage failed on {eng.name}: {first}") from e
        raise EngineGap(f"the {name} stage does not run on {eng.name} yet: {first}") from e


@dataclass
class Loaded:
    engine: Engine
    config: Config
    tokenizer: Tokenizer
    ctx: LoadContext
    parts: dict[str, PartResult]
    timings: dict[str, float] = field(default_factory=dict)
    intel: list[dict[str, Any]] = field(default_factory=list)
    documents: dict[str, DocumentCount] = field(default_factory=dict)
    # Investigators' judgements (unmask.cases) and the store they came from, when one is used.
    overlay: Overlay | None = None
    decisions: Path | None = None
    # Where converted Sigma rules of a user's rules folder are remembered (OUT/sigma-cache.json).
    sigma_cache: Path | None = None
    # Parsed values an earlier scan kept, and where this scan's go (normalise/memo.py).
    memo: Memo | None = None
    sigma: dict[str, Any] = field(default_factory=dict)  # the manifest's account of the rules

    @property
    def present(self) -> set[str]:
        return {pid for pid, r in self.parts.items() if r.present}


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    t = time.perf_counter()
    yield
    timings[name] = round(timings.get(name, 0.0) + time.perf_counter() - t, 3)


def check_bundle(bundle: Path) -> None:
    if not bundle.exists():
        raise InputError(f"bundle folder not found: {bundle}")
    if not bundle.is_dir():
        raise InputError(f"the bundle must be a folder, not a file: {bundle}")


def read_overlay(path: Path, config: Config) -> Overlay:
    """The judgements in force in the cases store at ``path``, as an overlay on ``config``."""
    try:
        with CasesStore.open(path, create=False) as cases:
            return overlay(cases, config)
    except CasesError as e:
        raise InputError(str(e)) from None


def read_histories(path: Path) -> dict[Key, list[Judgement]]:
    """Every judgement in the cases store at ``path``, by key (report.html's decision history)."""
    try:
        with CasesStore.open(path, create=False) as cases:
            return cases.histories()
    except CasesError as e:
        raise InputError(str(e)) from None


def load(
    bundle: Path, store: Path | None, progress: Progress | None = None, threads: int | None = None,
    decisions: Path | None = None, workdir: Path | None = None, memory_limit: str | None = None,
    engine: EngineChoice | None = None,
) -> Loaded:
    """Read the bundle into a store. ``workdir``: private scratch space (a scan's staging
    folder, cleared by the next scan, so a killed run leaves nothing behind)."""
    check_bundle(bundle)
    timings: dict[str, float] = {}
    with _timed(timings, "config"):
        config = load_config(bundle, CSV_COLUMNS, SIGNAL_IDS)
        tokenizer = load_tokenizer()
        ov = read_overlay(decisions, config) if decisions else None
        if ov:
            config = ov.apply(config)
    # Past its memory limit the engine spills into the scan's private scratch space, which
    # goes with the scan (never into the published outputs).
    spill = workdir / "spill" if workdir else None
    if spill:
        spill.mkdir(mode=0o700, parents=True, exist_ok=True)
    choice = engine or EngineChoice()
    try:
        eng = open_engine(store, kind=choice.kind, threads=threads, memory_limit=memory_limit, temp_directory=spill,
                          master=choice.master, remote=choice.remote)
    except EngineUnavailable as e:
        raise InputError(str(e)) from None
    root = bundle.resolve()
    ctx = (LoadContext(eng, root, config, tokenizer, workdir=workdir) if workdir
           else LoadContext(eng, root, config, tokenizer))
    from unmask.sources import plan

    # Reading is measured in bytes of the files done (the bar and its time estimate) and in
    # records stored, which the readers report a batch at a time (the rate).
    sizes = {p.relative_to(ctx.bundle).as_posix(): p.stat().st_size for _part, p in plan(ctx.bundle)}
    total = max(1, sum(sizes.values()))
    done, records, current = 0, 0, ""

    def on_file(_part: object, path: Path) -> None:
        nonlocal current
        current = path.relative_to(ctx.bundle).as_posix()
        if progress:
            progress(f"reading {current}", done, total, records)

    def on_read(n: int, file: str | None) -> None:
        nonlocal done, records
        records += n
        done += sizes.get(file, 0) if file else 0
        if progress:
            progress(f"reading {current}", min(done, total), total, records)

    ctx.on_read = on_read
    with _timed(timings, "sources"), _stage(eng, "sources"):
        parts = load_bundle(ctx, on_file)
        documents = load_documents(ctx)  # résumés and photos the records name
    if progress:
        progress("read all files", total, total, records)
    with _timed(timings, "intel"), _stage(eng, "intel"):
        intel = load_intel(ctx)
    return Loaded(eng, config, tokenizer, ctx, parts, timings, intel, documents, ov, decisions)


def manifest(loaded: Loaded, runs: list[SignalRun] | None, started: datetime, bundle: Path) -> dict[str, Any]:
    order = {p.id: i for i, p in enumerate(ALL_PARTS)}
    files = [asdict(f) for f in sorted(loaded.ctx.files, key=lambda f: (order.get(f.part, 99), f.path))]
    for f in files:
        for u in f["unknown_columns"]:
            u["disables"] = _readers_of(f["part"], u["did_you_mean"])
    parts = {
        pid: {
            "description": r.part.description,
            "present": r.present,
            "files": len(r.files),
            "loaded": sum(f.loaded for f in r.files),
            "rejected": sum(f.rejected for f in r.files),
        }
        for pid, r in loaded.parts.items()
    }
    totals = {k: sum(int(f[k]) for f in files) for k in ("read", "loaded", "rejected")}
    out: dict[str, Any] = {
        "tool": {"name": "unmask", "version": __version__},
        "engine": {"name": loaded.engine.name, "version": loaded.engine.version,
                   **getattr(loaded.engine, "resources", {})},
        "python": platform.python_version(),
        "started_at": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "finished_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "bundle": str(bundle),
        "config": loaded.config.source,
        "token_key_id": loaded.tokenizer.key_id,
        "files": files,
        "totals": totals,
        "parts": parts,
        "missing_parts": sorted(pid for pid, r in loaded.parts.items() if not r.present),
        "ignored_files": ignored_files(loaded.ctx.bundle, {f["path"] for f in files}),
        "documents": {part: c.as_dict() for part, c in loaded.documents.items()},
        "intel": loaded.intel,
        "timings": loaded.timings,
    }
    if loaded.sigma:
        out["sigma"] = loaded.sigma
    if loaded.memo:
        out["parse_cache"] = loaded.memo.account
    if runs is not None:
        out["signals"] = [
            {
                "id": r.signal.id, "strength": r.signal.strength, "family": r.signal.family,
                "ran": r.ran, "evidence": r.evidence, "missing_parts": list(r.missing),
            }
            for r in runs
        ]
        out["disabled_signals"] = [
            {"id": r.signal.id, "missing_parts": list(r.missing)} for r in runs if not r.ran
        ]
    return out


def _readers_of(part: str, column: str) -> list[str]:
    """The signals that need ``part`` and read ``column`` (by name, in their SQL)."""
    from unmask.signals import SIGNALS

    word = re.compile(rf"\b{re.escape(column)}\b")
    return [s.id for s in SIGNALS if part in s.needs and word.search(s.sql)]


# Files a bundle may hold that are not records of any part.
_NOT_RECORDS = ("unmask.toml", "hr/resumes/", "hr/photos/", "intel/sanctions/")


def _did_you_mean(rel: str) -> str | None:
    """The part path a misplaced or misnamed file most likely meant: the same file name in
    another folder (`hr/deposits.csv`, `shipments.csv` at the root), else the closest path."""
    paths = [g for p in ALL_PARTS for g in p.globs]
    low = rel.lower().removesuffix(".gz")
    name = low.rsplit("/", 1)[-1]
    same = [g for g in paths if g.rsplit("/", 1)[-1].lower() == name]
    if same:
        return same[0]
    near = difflib.get_close_matches(low, [g.lower() for g in paths], 1, 0.75)
    return next((g for g in paths if g.lower() == near[0]), None) if near else None


def ignored_files(bundle: Path, read: set[str]) -> list[dict[str, str]]:
    """Bundle entries no reader took, each with its reason: a misnamed export, a symbolic link
    that leaves the bundle or leads nowhere, a folder that cannot be read. None may vanish
    unnoticed."""
    walk = walk_bundle(bundle)
    out = [g.as_dict() for g in walk.ignored]
    for rel in walk.files:
        name = rel.rsplit("/", 1)[-1]
        if rel not in read and not rel.startswith(_NOT_RECORDS) and not name.startswith("."):
            guess = _did_you_mean(rel)
            out.append({"path": shown_path(rel), "reason": "matches no part of the bundle"
                        + (f"; did you mean {guess}?" if guess else "")})
    return sorted(out, key=lambda g: g["path"])[:1000]


@dataclass
class ScanResult:
    out: Path
    bands: dict[str, int]
    clusters: int
    manifest: dict[str, Any]
    scan_dir: Path | None = None  # OUT/scans/<id>, once published

    @property
    def report(self) -> Path:
        return self.out / "report.html"


OUTPUTS = scans.OUTPUTS


CASES = "cases.sqlite"


def scan(
    bundle: Path,
    out: Path,
    progress: Progress | None = None,
    threads: int | None = None,
    planted_note: str | None = None,
    decisions: Path | None = None,
    keep: int | None = None,
    memory_limit: str | None = None,
    engine: EngineChoice | None = None,
) -> ScanResult:
    """Run a scan into OUT, which one scan writes at a time (another one is refused).

    The outputs are built in ``OUT/scans/.<id>.partial``, moved to ``OUT/scans/<id>`` when all
    are complete, and published by switching ``OUT/current`` with one rename (see
    :mod:`unmask.scans`): an interrupted scan leaves the previous result in place, never half
    of a new one, and no reader ever sees two scans mixed. Earlier scans are kept (all of them,
    or the newest ``keep``).

    ``decisions`` is a cases store (default ``OUT/cases.sqlite`` when it exists) whose
    judgements overlay the configuration and mark the findings. The previous scan's clusters
    in ``OUT`` tell each changed cluster which one it continues."""
    started = datetime.now(UTC)
    check_bundle(bundle)
    if keep is not None and keep < 1:
        raise InputError("--keep must be at least 1")
    try:
        with scans.lock(out):
            if decisions is None and (out / CASES).is_file():
                decisions = out / CASES
            elif decisions is not None and not decisions.is_file():
                raise InputError(f"no cases store at {decisions}")
            previous = previous_clusters(scans.current(out))
            scan_id = scans.new_id(started, str(bundle.resolve()))
            staged = scans.start(out, scan_id)
            # Beside the scans, not in the staged folder: made the cache only once published.
            pending = out / f"{scans.PENDING}{memo.PARSE_CACHE}.{scan_id}"
            try:
                result = _scan_into(bundle, staged, progress, threads, planted_note, started, decisions, previous,
                                    scan_id, memory_limit, out / SIGMA_CACHE, (out / memo.PARSE_CACHE, pending),
                                    engine)
                result.scan_dir = scans.publish(out, staged, scan_id)
                memo.adopt(pending, out)
            finally:
                shutil.rmtree(staged, ignore_errors=True)
                pending.unlink(missing_ok=True)
            if keep is not None:
                scans.prune(out, keep)
    except scans.OutputError as e:
        raise InputError(str(e)) from None
    result.out = out
    return result


def previous_clusters(out: Path) -> list[tuple[str, str, str]]:
    """The last complete scan's ``(cluster_id, subject_type, subject_id)`` rows from
    ``clusters.jsonl`` in ``out`` (a scan's folder); none when there is no complete scan or the
    file is not ours."""
    path = out / "clusters.jsonl"
    if not (out / "manifest.json").is_file() or not path.is_file():
        return []
    rows: list[tuple[str, str, str]] = []
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                c = json.loads(line)
                rows.extend((str(c["cluster_id"]), str(m["type"]), str(m["id"])) for m in c["members"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return []  # a hand-edited or foreign file: the new clusters then continue nothing
    return rows


def _scan_into(
    bundle: Path, stage_dir: Path, progress: Progress | None, threads: int | None,
    planted_note: str | None, started: datetime, decisions: Path | None = None,
    previous: list[tuple[str, str, str]] | None = None, scan_id: str | None = None,
    memory_limit: str | None = None, sigma_cache: Path | None = None,
    parse_cache: tuple[Path, Path] | None = None, engine: EngineChoice | None = None,
) -> ScanResult:
    """``parse_cache``: the kept parse cache and the pending file this scan's answers go to."""
    # DuckDB's store is one file; Spark's is its tables as Parquet (OUT/store/<table>/).
    store = stage_dir / ("unmask.duckdb" if (engine or EngineChoice()).kind == "duckdb" else "store")
    loaded = load(bundle, store, progress, threads, decisions, stage_dir / ".work", memory_limit, engine)
    loaded.sigma_cache = sigma_cache
    if parse_cache:
        loaded.memo = Memo(parse_cache[0], parse_cache[1], loaded.tokenizer.pads())
    eng, t = loaded.engine, loaded.timings
    try:
        if not loaded.present:
            raise InputError(
                "nothing in the bundle could be used: no known part has a readable record "
                "(run `unmask validate` to see why)"
            )
        step = _stepper(progress, 8)
        resolution = prepare(loaded, step)
        step("running signals")
        with _timed(t, "signals"), _stage(eng, "signals"):
            runs = run_signals(eng, loaded.config, loaded.present)
        step("linking")
        with _timed(t, "link"), _stage(eng, "link"):
            own_rows = honour_persons(eng)
            n_clusters = build_clusters(eng, previous=previous)
            verdicts.classify(eng)
            verdicts.network_evidence(eng)
        step("scoring")
        with _timed(t, "score"), _stage(eng, "score"):
            score(eng, loaded.config)
            cluster_verdicts(eng, loaded.config)
        step("writing outputs")
        with _timed(t, "report"), _stage(eng, "report"):
            load_decisions(eng, loaded.overlay.judgements if loaded.overlay else ())
            # The live store through the read API: the outputs and the report are made by the
            # same calls as any later reader of the finished scan.
            results = Results(eng)
            outputs.write_jsonl(results.write_findings, stage_dir / "findings.jsonl")
            outputs.write_jsonl(results.write_clusters, stage_dir / "clusters.jsonl")
            outputs.write_jsonl(results.write_rejects, stage_dir / "rejects.jsonl")
            bands = results.band_counts()
            man = manifest(loaded, runs, started, bundle)
            if scan_id:
                man["scan_id"] = scan_id
            if loaded.overlay and loaded.decisions:
                man["decisions"] = loaded.overlay.manifest(str(loaded.decisions))
                man["decisions"]["reopened"] = [f"{r.type}:{r.id}" for r in results.reopened()]
            man["person_resolution"] = {"records": resolution.records, "matches": resolution.matches,
                                        "skipped": resolution.skipped, "training": resolution.training,
                                        **records.summary(eng), "own_rows_dropped": own_rows}
            page = html.render(Results(eng, man), planted_note, loaded.config.home_timezone,
                               read_histories(loaded.decisions) if loaded.decisions else None)
            outputs.write_text(page, stage_dir / "report.html")
        with _timed(t, "store"), _stage(eng, "store"):
            eng.save()
        man["timings"] = loaded.timings
        outputs.write_json(man, stage_dir / "manifest.json")
        step("done")
    finally:
        eng.close()
        loaded.ctx.cleanup()
    return ScanResult(
        stage_dir, {b: int(bands.get(b, 0)) for b in ("critical", "high", "medium", "low")}, n_clusters, man
    )


def prepare(loaded: Loaded, step: Callable[[str], None] = lambda _msg: None) -> persons.Resolution:
    """The stages between reading and the signals: the normalised tables the signals read."""
    eng, t = loaded.engine, loaded.timings
    step("normalising")
    with _timed(t, "normalise"), _stage(eng, "normalise"):
        # Without a kept cache (no OUT), values are still parsed once per distinct input.
        if loaded.memo:
            loaded.memo.begin(eng)
        stage.build(eng, loaded.config, loaded.ctx.workdir, loaded.memo)
        network.build(eng, loaded.config, loaded.ctx.workdir)
        network.build_endpoint(eng)
        identifiers.build(eng, loaded.memo)
        identifiers.build_iocs(eng)
        if loaded.memo:
            loaded.memo.save(eng)
    step("resolving persons")
    with _timed(t, "resolve"), _stage(eng, "resolve"):
        resolution = persons.resolve(eng)
        records.build(eng)
    step("screening")
    with _timed(t, "screen"), _stage(eng, "screen"):
        screening.build(eng)
    step("running Sigma rules")
    with _timed(t, "sigma"), _stage(eng, "sigma"):
        own = loaded.config.sigma_rules_dir
        rules = sigma.compile_rules(own, loaded.sigma_cache) if own else sigma.compile_rules()
        sigma.evaluate(eng, rules)
        loaded.sigma = sigma.account(eng, own, rules)
    return resolution


# Converted rules of a user's [sigma] rules_dir, beside the scans (rule text only, no bundle data).
SIGMA_CACHE = "sigma-cache.json"


def _stepper(progress: Progress | None, total: int) -> Callable[[str], None]:
    n = 0

    def f(msg: str) -> None:
        nonlocal n
        if progress:
            progress(msg, n, total)
        n += 1

    return f


def validate(bundle: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Read everything, score nothing: the manifest of what would be loaded."""
    started = datetime.now(UTC)
    loaded = load(bundle, None, progress)
    try:
        from unmask.signals import SIGNALS

        man = manifest(loaded, None, started, bundle)
        man["disabled_signals"] = [
            {"id": s.id, "missing_parts": [p for p in s.needs if p not in loaded.present]}
            for s in SIGNALS
            if any(p not in loaded.present for p in s.needs)
        ]
        man["rejects"] = [r.as_dict() for r in Results(loaded.engine).rejects(limit=200)]
        return man
    finally:
        loaded.engine.close()
        loaded.ctx.cleanup()

