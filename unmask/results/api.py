"""One read API over a finished scan: :class:`Results`.

It is the only code that reads a scan's store once the scan has written it. The report, the
JSON Lines outputs, ``explain``, ``check``, ``export-iocs`` and the workbench call it, and get
typed rows back (``records.py``), never SQL or engine rows.

:meth:`Results.open` opens a finished scan read-only (``OUT`` or ``OUT/unmask.duckdb``). During a
scan, the pipeline wraps its live engine with ``Results(engine, manifest)``, so that the report
written at the end of a scan is built by the same calls as any later reader.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import shutil
import tempfile
import threading
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Self

import unmask.results.jsonl as jsonl
import unmask.results.lookup as lookup
from unmask.engine import Engine, EngineError, SharedReader, open_engine
from unmask.engine.sqlbuild import ident
from unmask.results.records import (
    AddressHolder,
    Cluster,
    ClusterLink,
    ClusterMember,
    ClusterVerdict,
    ContactHolder,
    Decision,
    DeclaredPlace,
    DocumentHash,
    Evidence,
    Finding,
    FindingsPage,
    GiantGroup,
    HourProfile,
    Indicator,
    ListedName,
    Record,
    Reject,
    ScanMeta,
    SigninDay,
    SigninPlace,
    Subject,
    SubjectCluster,
    SubjectRef,
    TimelineEvent,
)
from unmask.results.timeline import records_of, timeline_of
from unmask.scans import current

BANDS = ("critical", "high", "medium", "low")
STORE = "unmask.duckdb"
MANIFEST = "manifest.json"

_EVIDENCE_COLS = ("evidence_id, subject_type, subject_id, signal, family, strength, weight, detail, source_file, line, "
                  "observed_at, via, value_hint, coalesce(decisive, false)")
# Strongest first; the rest of the key makes ties deterministic, as findings.jsonl orders them.
_EVIDENCE_ORDER = "weight DESC, signal, source_file, line, evidence_id"

# Every finding with what the queue filters and shows; _FINDINGS_SQL pages through it. A reader
# that keeps the scan open (the workbench) builds it once into a table (Results.freeze). The
# columns read from tables a scan may lack ({lists}) come from _LISTS (Results._findings_all).
_FINDINGS_ALL = """
WITH ranked AS (
  SELECT s.subject_type, s.subject_id, s.score, s.band, s.evidence_fingerprint,
    row_number() OVER (ORDER BY s.score DESC, s.subject_type, s.subject_id) AS rank
  FROM scores s
), ev AS (
  SELECT subject_type, subject_id, list(DISTINCT signal ORDER BY signal) AS signals,
    coalesce(list(DISTINCT family ORDER BY family) FILTER (WHERE family IS NOT NULL), []) AS families
  FROM scored_evidence GROUP BY subject_type, subject_id
), cl AS (
  SELECT subject_type, subject_id, list(cluster_id ORDER BY cluster_id) AS clusters
  FROM cluster_members GROUP BY subject_type, subject_id
){ctes}
SELECT r.subject_type, r.subject_id, p.full_name, p.email, r.score, r.band, r.rank,
  coalesce(ev.signals, []::VARCHAR[]) AS signals, coalesce(ev.families, []::VARCHAR[]) AS families,
  coalesce(cl.clusters, []::VARCHAR[]) AS clusters, r.evidence_fingerprint{lists},
  -- What the search compares, lowered once.
  lower(r.subject_id) AS id_lc, lower(coalesce(p.full_name, '')) AS name_lc, lower(coalesce(p.email, '')) AS email_lc,
  ' ' || lower(array_to_string(coalesce(cl.clusters, []::VARCHAR[]), ' ')) || ' ' AS clusters_lc
FROM ranked r
LEFT JOIN (SELECT subject_type, subject_id, min(full_name) AS full_name, min(email) AS email
           FROM people GROUP BY subject_type, subject_id) p
  ON p.subject_type = r.subject_type AND p.subject_id = r.subject_id
LEFT JOIN ev ON ev.subject_type = r.subject_type AND ev.subject_id = r.subject_id
LEFT JOIN cl ON cl.subject_type = r.subject_type AND cl.subject_id = r.subject_id
{joins}"""
# Per subject, a list of lowered values from the tables the scan has (an empty list without any):
# (tables needed, SELECT subject_type, subject_id, value). Constants only.
_LISTS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    # A city searched for: the whole name of the declared home, a ship-to or a sign-in place.
    "cities": tuple(((table,), f"SELECT '{st}', {col}, lower(trim(city)) FROM {table} "  # noqa: S608 - constants
                               "WHERE city IS NOT NULL")
                    for table, st, col in (("employees", "employee", "employee_id"),
                                           ("candidates", "candidate", "candidate_id"),
                                           ("shipments", "employee", "employee_id"),
                                           ("signins", "employee", "employee_id"))),
    "departments": ((("employees",), "SELECT 'employee', employee_id, lower(department) FROM employees "
                                     "WHERE department IS NOT NULL"),),
    "cluster_kinds": ((("cluster_kinds",), "SELECT m.subject_type, m.subject_id, k.kind FROM cluster_members m "
                                           "JOIN cluster_kinds k USING (cluster_id) WHERE k.kind IS NOT NULL"),),
}
# What the queue filters on; every filter reads one row of the findings list.
_FILTERS = """
WHERE ($bands::VARCHAR[] IS NULL OR list_contains($bands::VARCHAR[], f.band))
  AND ($family::VARCHAR IS NULL OR list_contains(f.families, $family::VARCHAR))
  AND ($min_score::DOUBLE IS NULL OR f.score >= $min_score::DOUBLE)
  AND ($q::VARCHAR IS NULL OR contains(f.id_lc, $q::VARCHAR) OR contains(f.name_lc, $q::VARCHAR)
       OR contains(f.email_lc, $q::VARCHAR) OR contains(f.clusters_lc, ' ' || $q::VARCHAR || ' ')
       OR list_contains(f.cities, $q::VARCHAR))
  AND ($dept::VARCHAR IS NULL OR list_contains(f.departments, $dept::VARCHAR))
  AND ($kind::VARCHAR IS NULL OR list_contains(f.cluster_kinds, $kind::VARCHAR))
  AND ($keys::VARCHAR[] IS NULL OR f.subject_type || ':' || f.subject_id IN (SELECT unnest($keys::VARCHAR[])))
  AND ($not_keys::VARCHAR[] IS NULL
       OR f.subject_type || ':' || f.subject_id NOT IN (SELECT unnest($not_keys::VARCHAR[])))
"""
_PAGE_COLS = "f.subject_type, f.subject_id, f.full_name, f.score, f.band, f.rank, f.signals, f.families, f.clusters"
# One pass when the list is computed on the fly (the report asks once). LIMIT and OFFSET are
# INTEGER and "no limit" is the largest one: Spark takes no BIGINT and no NULL there.
_FINDINGS_PAGE = ("SELECT " + _PAGE_COLS + ", count(*) OVER () AS total\nFROM ({source}) f" + _FILTERS
                  + "ORDER BY f.rank\nLIMIT coalesce($limit::INTEGER, 2147483647) OFFSET $offset::INTEGER\n")
_FROZEN = "_unmask_findings"  # the findings list built once (Results.freeze)
# The database of what freeze() builds, read before the store; one per frozen Results, since
# DuckDB gives every connection to one file in a process the same database (and attachments).
_SCRATCH = "unmask_scratch_{n}"
_scratch_ids = itertools.count(1)
# Over the built list: the filters, the count and the page's ranks read narrow columns, and only
# the page's rows are read whole (sorting 100k rows of lists to keep 50 costs ~100 ms).
_FINDINGS_FROZEN_SQL = (
    f"WITH hit AS (SELECT f.rank FROM {_FROZEN} f" + _FILTERS + "), "  # noqa: S608 - constants
    "page AS (SELECT rank FROM hit ORDER BY rank LIMIT coalesce($limit::INTEGER, 2147483647) OFFSET $offset::INTEGER)\n"
    f"SELECT {_PAGE_COLS}, (SELECT count(*) FROM hit) AS total FROM {_FROZEN} f "
    "WHERE f.rank IN (SELECT rank FROM page) ORDER BY f.rank\n")
# DuckDB prunes a scan by each row group's min and max: sorting a table by the subject makes a
# lookup of one subject read one row group (4096 rows in the scratch database), and a table of
# one or two row groups gains nothing.
_ROW_GROUP = 8_192
_SORT_KEYS = ("subject_id", "employee_id", "candidate_id", "cluster_id")


# The members query holds this line verbatim, so a store written before roles can drop it.
_ROLE_JOIN = "LEFT JOIN cluster_roles r USING (cluster_id, subject_type, subject_id)\n"
_MEMBERS_SQL = """
SELECT c.cluster_id, c.subject_type, c.subject_id, p.full_name, s.score, s.band, e.title, e.department, r.role
FROM cluster_members c
LEFT JOIN cluster_roles r USING (cluster_id, subject_type, subject_id)
LEFT JOIN (SELECT subject_type, subject_id, min(full_name) AS full_name FROM people GROUP BY ALL) p
  ON p.subject_type = c.subject_type AND p.subject_id = c.subject_id
LEFT JOIN scores s ON s.subject_type = c.subject_type AND s.subject_id = c.subject_id
LEFT JOIN (SELECT employee_id, min(title) AS title, min(department) AS department FROM employees GROUP BY ALL) e
  ON c.subject_type = 'employee' AND e.employee_id = c.subject_id
WHERE $c::VARCHAR IS NULL OR c.cluster_id = $c::VARCHAR
ORDER BY c.cluster_id, c.subject_type, c.subject_id
"""
# A scan without hr/employees.csv has no employees table: the same rows, with no title.
_MEMBERS_NO_EMPLOYEES_SQL = _MEMBERS_SQL.replace(", e.title, e.department", ", NULL, NULL").replace(
    "LEFT JOIN (SELECT employee_id, min(title) AS title, min(department) AS department FROM employees GROUP BY ALL) e\n"
    "  ON c.subject_type = 'employee' AND e.employee_id = c.subject_id\n", "")


class ResultsError(Exception):
    """The scan's output cannot be read (no store, no manifest)."""


def _evidence(row: tuple[Any, ...]) -> Evidence:
    eid, st, sid, sig, fam, strength, w, detail, src, line, at, via, hint, decisive = row
    return Evidence(eid, st, sid, sig, fam, strength, float(w), detail, src, None if line is None else int(line), at,
                    via, hint, bool(decisive))


class Results:
    """Typed reads of one scan's store. Use as a context manager, or :meth:`close` it."""

    def __init__(self, engine: Engine, manifest: dict[str, Any] | None = None, owns_engine: bool = False) -> None:
        self._base = engine
        self._manifest = manifest
        self._owns = owns_engine
        self._frozen = False
        self._shared: SharedReader | None = None  # set by freeze(): each thread reads by its own cursor
        self._local = threading.local()
        # Every cursor handed out, to close with the scan; weak, so a finished thread's goes with it.
        self._cursors: weakref.WeakSet[Any] = weakref.WeakSet()
        self._cursor_lock = threading.Lock()
        self._scratch: Path | None = None
        self._scratch_name: str | None = None
        self._drop_scratch: weakref.finalize[Any, Any] | None = None
        self._facets: dict[str, list[str]] | None = None
        self._decided: set[tuple[str, str]] | None = None  # frozen: the keys the decisions table holds

    @property
    def _eng(self) -> Engine:
        """The engine this thread reads through: its own cursor once the scan is frozen."""
        if self._shared is None:
            return self._base
        eng: Engine | None = getattr(self._local, "eng", None)
        if eng is None:
            with self._cursor_lock:
                eng = self._shared.cursor()
                self._cursors.add(eng)
            self._local.eng = eng
        return eng

    def freeze(self) -> None:
        """Prepare a finished scan for a reader that keeps it open and reads it many times, from
        many threads at once (the workbench). Only for a store no one writes to.

        The findings list is built once (each queue page then filters one row per finding
        instead of aggregating all the evidence again) and the facets are counted once. On an
        engine that can (DuckDB), the big tables keyed by a subject or cluster are copied, sorted
        by that key, into a scratch database read before the store, so that a person page's
        lookups read one row group instead of the whole table, and each thread then reads
        through its own cursor, so requests do not wait on one connection."""
        base = self._base
        if self._owns and isinstance(base, SharedReader):
            self._scratch = Path(tempfile.mkdtemp(prefix="unmask-scan-"))
            # Removed by close(), or when this object goes or the process ends unclosed.
            self._drop_scratch = weakref.finalize(self, shutil.rmtree, self._scratch, True)
            tables = self._sortable()
            # A server starting: no progress bar on its output (the URL line comes first).
            base.execute("SET enable_progress_bar = false")
            store = str(base.query("SELECT current_database()")[0][0])
            self._scratch_name = name = _SCRATCH.format(n=next(_scratch_ids))
            base.scratch(self._scratch / "sorted.duckdb", name)
            for table, key in tables:  # catalogue names, quoted
                base.execute(f"CREATE TABLE {ident(name)}.main.{ident(table)} AS SELECT * "  # noqa: S608
                             f"FROM {ident(store)}.main.{ident(table)} ORDER BY {ident(key)}")
            base.execute(f"CREATE TABLE {ident(name)}.main.{_FROZEN} AS "  # noqa: S608 - constants
                         f"SELECT * FROM ({self._findings_all()}) ORDER BY rank")
            self._shared = base
        else:
            base.execute(f"CREATE OR REPLACE TEMP TABLE {_FROZEN} AS {self._findings_all()}")
        self._facets = self.facets()
        # Who has a decision in this scan: most subjects have none, and need not be asked.
        self._decided = ({(str(k), str(i)) for k, i in self._eng.query("SELECT key_kind, key_id FROM decisions")}
                         if self._has("decisions") else set())
        self._frozen = True

    def _sortable(self) -> list[tuple[str, str]]:
        """(table, key) of the store's tables worth a sorted copy: keyed by a subject or cluster,
        and bigger than one row group."""
        cols: dict[str, set[str]] = {}
        for t, c in self._base.query(
                "SELECT c.table_name, c.column_name FROM information_schema.columns c "
                "JOIN information_schema.tables t USING (table_catalog, table_schema, table_name) "
                "WHERE t.table_schema = 'main' AND t.table_type = 'BASE TABLE' "
                "AND t.table_catalog = current_database()"):
            cols.setdefault(str(t), set()).add(str(c))
        out = []
        for table, names in sorted(cols.items()):
            key = next((k for k in _SORT_KEYS if k in names), None)
            if key is None or table.startswith("__splink"):
                continue
            n = self._base.query(f"SELECT count(*) FROM {ident(table)}")[0][0]  # noqa: S608 - catalogue name
            if int(n) > _ROW_GROUP:
                out.append((table, key))
        return out

    def _findings_all(self) -> str:
        """_FINDINGS_ALL with the per-subject lists of _LISTS this scan's tables give."""
        ctes, lists, joins = [], [], []
        for i, (col, sources) in enumerate(_LISTS.items()):
            parts = [sql for needs, sql in sources if all(self._has(t) for t in needs)]
            if not parts:
                lists.append(f"[]::VARCHAR[] AS {col}")
                continue
            union = " UNION ALL ".join(parts)
            ctes.append(f", l{i} AS (SELECT st, sid, list(DISTINCT v ORDER BY v) AS v "  # noqa: S608 - _LISTS
                        f"FROM ({union}) u(st, sid, v) GROUP BY st, sid)")
            lists.append(f"coalesce(l{i}.v, []::VARCHAR[]) AS {col}")
            joins.append(f"LEFT JOIN l{i} ON l{i}.st = r.subject_type AND l{i}.sid = r.subject_id\n")
        return _FINDINGS_ALL.format(ctes="".join(ctes), lists="".join(", " + x for x in lists), joins="".join(joins))

    @classmethod
    def open(cls, path: Path) -> Results:
        """A finished scan, read-only: ``path`` is its output folder or its ``unmask.duckdb``."""
        # OUT/current resolved once: the published scan's store and manifest, never a link a new
        # scan switches while they are read.
        store = current(path) / STORE if path.is_dir() else path
        if not store.is_file():
            raise ResultsError(f"no store at {path}: give a scan's output folder or its {STORE}")
        manifest = None
        mpath = store.parent / MANIFEST
        if mpath.is_file():
            try:
                manifest = json.loads(mpath.read_text(encoding="utf-8"))
            except (ValueError, OSError) as e:
                raise ResultsError(f"the scan's {MANIFEST} cannot be read ({e.__class__.__name__}): "
                                   "is the output folder damaged?") from None
        try:
            return cls(open_engine(store, read_only=True), manifest, owns_engine=True)
        except EngineError as e:
            raise ResultsError(f"cannot open the store at {path}: {e}") from None

    def close(self) -> None:
        if self._owns:
            for cur in list(self._cursors):
                cur.close()
            if self._scratch_name is not None:
                # Another Results over the same file shares this database: take ours away.
                with contextlib.suppress(EngineError):
                    self._base.execute(f"DETACH DATABASE IF EXISTS {ident(self._scratch_name)}")
            self._base.close()
        if self._drop_scratch is not None:
            self._drop_scratch()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _has(self, table: str) -> bool:
        return self._eng.table_exists(table)

    # -- the scan --------------------------------------------------------------------------

    def meta(self) -> ScanMeta:
        """What the scan read and how (``manifest.json``)."""
        if self._manifest is None:
            raise ResultsError(f"no {MANIFEST} beside the store: the scan did not finish")
        return ScanMeta.from_manifest(self._manifest)

    def band_counts(self) -> dict[str, int]:
        """Scored subjects per band, every band present (0 when empty)."""
        got = dict(self._eng.query("SELECT band, count(*) FROM scores GROUP BY band"))
        return {b: int(got.get(b, 0)) for b in BANDS}

    def cluster_count(self) -> int:
        return int(self._eng.query("SELECT count(DISTINCT cluster_id) FROM cluster_members")[0][0])

    # -- findings --------------------------------------------------------------------------

    def findings(
        self, bands: Iterable[str] | None = None, family: str | None = None, min_score: float | None = None,
        search: str | None = None, offset: int = 0, limit: int | None = None, department: str | None = None,
        cluster_kind: str | None = None, keys: Iterable[str] | None = None, not_keys: Iterable[str] | None = None,
    ) -> FindingsPage:
        """Scored subjects, highest score first. ``search`` matches an id, a cluster id or an
        e-mail exactly, or a part of a name, id or e-mail, ignoring case. ``department`` (any
        case) keeps employees of it; ``cluster_kind`` members of a cluster of that kind; ``keys``
        and ``not_keys`` keep or drop stable keys ("employee:E1", the workbench's decisions)."""
        params = {
            "bands": None if bands is None else list(bands), "family": family, "min_score": min_score,
            "q": search.strip().lower() if search and search.strip() else None,
            "limit": limit, "offset": max(0, offset),
            "keys": None if keys is None else list(keys), "not_keys": None if not_keys is None else list(not_keys),
            "dept": department.strip().lower() if department and department.strip() else None,
            "kind": cluster_kind or None,
        }
        if self._frozen:
            sql = _FINDINGS_FROZEN_SQL
        else:
            sql = _FINDINGS_PAGE.format(source=self._findings_all())
        rows = self._eng.query(sql, params)
        items = [Finding(st, sid, name, float(score), band, int(rank), tuple(sigs), tuple(fams), tuple(cls))
                 for st, sid, name, score, band, rank, sigs, fams, cls, _ in rows]
        if rows:
            total = int(rows[0][-1])
        elif offset > 0:  # past the last page: count without it
            # Counted in the engine: past the end of 100k findings, not 100k rows to Python.
            counted = self._eng.query(f"SELECT count(*) FROM ({sql}) n",  # noqa: S608 - constants
                                      {**params, "limit": None, "offset": 0})
            total = int(counted[0][0])
        else:
            total = 0
        return FindingsPage(total, max(0, offset), items)

    def facets(self) -> dict[str, list[str]]:
        """What the queue can be filtered by: the signal families, departments and cluster kinds
        of the scored subjects, each sorted (counted once for a frozen scan)."""
        if self._facets is not None:
            return self._facets
        fam = [str(f) for (f,) in self._eng.query(
            "SELECT DISTINCT family FROM scored_evidence WHERE family IS NOT NULL ORDER BY 1")]
        dept = [str(d) for (d,) in self._eng.query(
            "SELECT DISTINCT e.department FROM employees e JOIN scores s ON s.subject_type = 'employee' "
            "AND s.subject_id = e.employee_id WHERE e.department IS NOT NULL ORDER BY 1")] \
            if self._has("employees") else []
        kinds = [str(k) for (k,) in self._eng.query("SELECT DISTINCT kind FROM cluster_kinds ORDER BY 1")] \
            if self._has("cluster_kinds") else []
        return {"families": fam, "departments": dept, "cluster_kinds": kinds}

    def evidence(self, subject_type: str | None = None, subject_id: str | None = None) -> list[Evidence]:
        """Scored evidence of one subject (or of all, when no subject is named), strongest first."""
        if subject_id is None:
            sql = (f"SELECT {_EVIDENCE_COLS} FROM scored_evidence "  # noqa: S608 - our constants
                   f"ORDER BY subject_type, subject_id, {_EVIDENCE_ORDER}")
            return [_evidence(r) for r in self._eng.query(sql)]
        sql = (f"SELECT {_EVIDENCE_COLS} FROM scored_evidence "  # noqa: S608 - our constants
               f"WHERE subject_id = $sid AND ($st::VARCHAR IS NULL OR subject_type = $st::VARCHAR) "
               f"ORDER BY subject_type, {_EVIDENCE_ORDER}")
        return [_evidence(r) for r in self._eng.query(sql, {"sid": subject_id, "st": subject_type})]

    def evidence_by_subject(self) -> dict[SubjectRef, list[Evidence]]:
        out: dict[SubjectRef, list[Evidence]] = {}
        for ev in self.evidence():
            out.setdefault(SubjectRef(ev.subject_type, ev.subject_id), []).append(ev)
        return out

    # -- one subject -----------------------------------------------------------------------

    def subject_refs(self, subject_id: str) -> list[SubjectRef]:
        """Every subject with this id (an id is usually one employee or one candidate)."""
        rows = self._eng.query(
            "SELECT subject_type, subject_id FROM people WHERE subject_id = $sid "
            "UNION SELECT subject_type, subject_id FROM scores WHERE subject_id = $sid ORDER BY ALL",
            {"sid": subject_id})
        return [SubjectRef(str(a), str(b)) for a, b in rows]

    def subject(self, subject_id: str, subject_type: str | None = None) -> Subject | None:
        """One subject with records, score, evidence, timeline and clusters; None if unknown.
        Without ``subject_type``, a scored subject of that id comes before an unscored one."""
        refs = [r for r in self.subject_refs(subject_id) if subject_type is None or r.type == subject_type]
        if not refs:
            return None
        got = [self._subject(r) for r in refs]
        return sorted(got, key=lambda s: (s.score is None, s.subject_type))[0]

    def subjects(self, subject_id: str) -> list[Subject]:
        """Every subject of this id, scored ones first."""
        got = [self._subject(r) for r in self.subject_refs(subject_id)]
        return sorted(got, key=lambda s: (s.score is None, s.subject_type))

    def _subject(self, ref: SubjectRef) -> Subject:
        p = {"st": ref.type, "sid": ref.id}
        if self._frozen:  # rank and count from the built list, not a window over every score
            name, *got = self._eng.query(
                "SELECT (SELECT min(full_name) FROM people WHERE subject_type = $st AND subject_id = $sid), "  # noqa: S608
                f"f.score, f.band, f.rank, (SELECT count(*) FROM {_FROZEN}), f.evidence_fingerprint "
                f"FROM (SELECT 1) LEFT JOIN {_FROZEN} f ON f.subject_type = $st AND f.subject_id = $sid", p)[0]
            scored = [tuple(got)] if got[0] is not None else []
            total = got[3]
        else:
            names = self._eng.query(
                "SELECT min(full_name) FROM people WHERE subject_type = $st AND subject_id = $sid", p)
            name = names[0][0] if names else None
            scored = self._eng.query(
                "SELECT score, band, rank_, n_scored, evidence_fingerprint FROM (SELECT subject_type, subject_id, "
                "score, band, evidence_fingerprint, "
                "row_number() OVER (ORDER BY score DESC, subject_type, subject_id) AS rank_, "
                "count(*) OVER () AS n_scored FROM scores) "
                "WHERE subject_type = $st AND subject_id = $sid", p)
            total = scored[0][3] if scored else self._eng.query("SELECT count(*) FROM scores")[0][0]
        return Subject(
            subject_type=ref.type, subject_id=ref.id, name=name,
            records=self.records(ref.type, ref.id),
            score=float(scored[0][0]) if scored else None, band=scored[0][1] if scored else None,
            rank=int(scored[0][2]) if scored else None, findings_total=int(total),
            evidence=self.evidence(ref.type, ref.id),
            timeline=self.timeline(ref.type, ref.id),
            clusters=self.clusters_of(ref.type, ref.id),
            person_records=self.person_records(ref.type, ref.id),
            evidence_fingerprint=scored[0][4] if scored else None,
            decision=self.decision(ref.type, ref.id),
        )

    def person_records(self, subject_type: str, subject_id: str) -> list[SubjectRef]:
        """Every record of the human behind this one (``resolve``), this one included."""
        if not self._has("person_records"):
            return []
        rows = self._eng.query(
            "SELECT o.subject_type, o.subject_id FROM person_records p JOIN person_records o USING (person_id) "
            "WHERE p.subject_type = $st AND p.subject_id = $sid ORDER BY 1, 2", {"st": subject_type, "sid": subject_id})
        return [SubjectRef(str(a), str(b)) for a, b in rows]

    def decision(self, subject_type: str, subject_id: str) -> Decision | None:
        """The decision in force on the subject, and whether evidence it did not see reopens it."""
        if not self._has("decisions") or (self._decided is not None
                                          and (subject_type, subject_id) not in self._decided):
            return None
        rows = self._eng.query(jsonl.SUBJECT_DECISION_SQL, {"st": subject_type, "sid": subject_id})
        return Decision.from_struct(rows[0][0]) if rows else None

    def reopened(self) -> list[SubjectRef]:
        """Subjects whose dismissal evidence it did not see has reopened."""
        if not self._has("decisions"):
            return []
        return [SubjectRef(str(a), str(b)) for a, b in self._eng.query(jsonl.REOPENED_SQL)]

    def declared_zone(self, subject_type: str, subject_id: str) -> str | None:
        """The time zone of the subject's declared home (None when the scan placed none)."""
        if not self._has("addresses"):
            return None
        rows = self._eng.query("SELECT min(tz) FROM addresses WHERE kind = 'home' AND subject_type = $st "
                               "AND subject_id = $sid AND tz IS NOT NULL", {"st": subject_type, "sid": subject_id})
        return str(rows[0][0]) if rows and rows[0][0] else None

    def records(self, subject_type: str, subject_id: str) -> list[Record]:
        """The subject's employee and candidate records, with their context fields."""
        return records_of(self._eng, subject_type, subject_id)

    def timeline(self, subject_type: str, subject_id: str) -> list[TimelineEvent]:
        """The subject's dated moments, oldest first: applied, interviewed, hired, laptop shipped
        and delivered, device enrolled, first sign-in from each country, payout and HR changes,
        and every evidence row with a time (remote tools, bulk clones, ...)."""
        return timeline_of(self._eng, subject_type, subject_id)

    def clusters_of(self, subject_type: str, subject_id: str) -> list[SubjectCluster]:
        roles = self._has("cluster_roles") and self._has("cluster_kinds")
        # The subject's clusters first, then only their members and links (set-based, not a
        # subquery per cluster over every link).
        rows = self._eng.query(
            "WITH mine AS (SELECT cluster_id FROM cluster_members WHERE subject_type = $st AND subject_id = $sid), "  # noqa: S608
            "others AS (SELECT o.cluster_id, list({'t': o.subject_type, 'i': o.subject_id} "
            "  ORDER BY o.subject_type, o.subject_id) AS others FROM cluster_members o "
            "  WHERE o.cluster_id IN (SELECT cluster_id FROM mine) "
            "  AND NOT (o.subject_type = $st AND o.subject_id = $sid) GROUP BY o.cluster_id), "
            "vias AS (SELECT l.cluster_id, list(DISTINCT l.via ORDER BY l.via) AS vias FROM cluster_links l "
            "  WHERE l.cluster_id IN (SELECT cluster_id FROM mine) AND $sid IN (l.a, l.b) GROUP BY l.cluster_id) "
            "SELECT m.cluster_id, "
            + ("(SELECT kind FROM cluster_kinds k WHERE k.cluster_id = m.cluster_id), "
               "(SELECT role FROM cluster_roles r WHERE r.cluster_id = m.cluster_id "
               " AND r.subject_type = $st AND r.subject_id = $sid), " if roles else "NULL, NULL, ")
            + "o.others, v.vias FROM mine m LEFT JOIN others o USING (cluster_id) LEFT JOIN vias v USING (cluster_id) "
            "ORDER BY m.cluster_id",
            {"st": subject_type, "sid": subject_id})
        return [SubjectCluster(cid, tuple(SubjectRef(o["t"], o["i"]) for o in others or []), tuple(vias or []),
                               kind, role)
                for cid, kind, role, others, vias in rows]

    # -- clusters --------------------------------------------------------------------------

    def clusters(self) -> list[Cluster]:
        """Every cluster, biggest first (then by id), with members, links and any decision."""
        return self._clusters(None)

    def cluster(self, cluster_id: str) -> Cluster | None:
        got = self._clusters(cluster_id)
        return got[0] if got else None

    def _clusters(self, cluster_id: str | None) -> list[Cluster]:
        p = {"c": cluster_id}
        sql = _MEMBERS_SQL if self._has("employees") else _MEMBERS_NO_EMPLOYEES_SQL
        if not self._has("cluster_roles"):
            sql = sql.replace(_ROLE_JOIN, "").replace("r.role", "NULL")
        members = self._eng.query(sql, p)
        links = self._eng.query(
            "SELECT cluster_id, a, b, via, value_hint FROM cluster_links "
            "WHERE $c::VARCHAR IS NULL OR cluster_id = $c::VARCHAR ORDER BY cluster_id, via, a, b", p)
        by_id: dict[str, tuple[list[ClusterMember], list[ClusterLink]]] = {}
        for cid, st, sid, name, score, band, title, dept, role in members:
            by_id.setdefault(cid, ([], []))[0].append(
                ClusterMember(st, sid, name, None if score is None else float(score), band, title, dept, role))
        for cid, a, b, via, hint in links:
            if cid in by_id:
                by_id[cid][1].append(ClusterLink(a, b, via, hint))
        # Biggest first, as clusters.jsonl: the ids are stable keys and carry no rank.
        continues: dict[str, str | None] = {}
        if self._has("clusters"):
            continues = {str(c): k for c, k in self._eng.query(
                "SELECT cluster_id, continues FROM clusters WHERE $c::VARCHAR IS NULL OR cluster_id = $c::VARCHAR", p)}
        decided: dict[str, Decision | None] = {}
        if self._has("decisions"):
            decided = {str(k): Decision.from_struct(d) for k, d in self._eng.query(
                "SELECT key_id, {'status': decision, 'reason': reason, 'note': note, 'by': author, 'at': decided_at, "
                "'judgement': judgement} FROM decisions WHERE key_kind = 'cluster'")}
        verdicts: dict[str, ClusterVerdict] = {}
        if self._has("cluster_verdicts"):
            rows = self._eng.query("SELECT cluster_id, kind, score, band, summary FROM cluster_verdicts "
                                   "WHERE $c::VARCHAR IS NULL OR cluster_id = $c::VARCHAR", p)
            verdicts = {str(c): ClusterVerdict(str(k), float(sc), str(b), str(sm)) for c, k, sc, b, sm in rows}
        order = sorted(by_id, key=lambda c: (-len(by_id[c][0]), c))
        return [Cluster(c, by_id[c][0], by_id[c][1], tuple(sorted({x.via for x in by_id[c][1]})), continues.get(c),
                        decided.get(c), verdicts.get(c)) for c in order]

    def giant_groups(self) -> list[GiantGroup]:
        """Identifiers shared too widely to join clusters, most members first."""
        if not self._has("giant_groups"):
            return []
        rows = self._eng.query(
            "SELECT via, value_hint, members FROM giant_groups ORDER BY members DESC, via, value_hint")
        return [GiantGroup(via, hint, int(n)) for via, hint, n in rows]

    # -- what could not be read ------------------------------------------------------------

    def rejects(self, limit: int | None = None) -> list[Reject]:
        rows = self._eng.query(jsonl.REJECTS_SQL + " LIMIT $n::INTEGER", {"n": limit})
        return [Reject(f, part, None if line is None else int(line), unit, reason)
                for f, part, line, unit, reason in rows]

    # -- the JSON Lines outputs ------------------------------------------------------------

    def write_findings(self, dest: Path) -> int:
        """``findings.jsonl`` (schemas/finding.schema.json) written by the engine; rows written."""
        return self._eng.export_jsonl(jsonl.FINDINGS_SQL, dest)

    def write_clusters(self, dest: Path) -> int:
        return self._eng.export_jsonl(jsonl.CLUSTERS_SQL, dest)

    def write_rejects(self, dest: Path) -> int:
        return self._eng.export_jsonl(jsonl.REJECTS_SQL, dest)

    # -- pictures --------------------------------------------------------------------------

    def activity_hours(self, employee_ids: Sequence[str], home_tz: str) -> dict[str, HourProfile]:
        """Per employee, sign-ins and activity by hour in the zone of their declared home
        (``home_tz`` when they declare none)."""
        return lookup.activity_hours(self._eng, list(employee_ids), home_tz)

    def signin_days(self, employee_ids: Sequence[str]) -> dict[str, list[SigninDay]]:
        """Per employee, sign-ins per day and country, oldest first."""
        return lookup.signin_days(self._eng, list(employee_ids))

    def declared_cities(self) -> dict[tuple[str, str], str]:
        """The city of every subject's declared home, by (subject type, id)."""
        return lookup.declared_cities(self._eng)

    def signin_places(self, employee_id: str) -> list[SigninPlace]:
        """Where one worker signed in from, grouped by place (~1 km), busiest first."""
        return lookup.signin_places(self._eng, employee_id)

    def declared_places(self, subject_type: str, subject_id: str) -> list[DeclaredPlace]:
        """The subject's declared home and ship-to addresses placed at their ZIP centroid."""
        return lookup.declared_places(self._eng, subject_type, subject_id)

    # -- a new applicant against the store (``unmask check``) ------------------------------

    def contact_holders(self, values: Sequence[str]) -> list[ContactHolder]:
        return lookup.contact_holders(self._eng, list(values))

    def address_holders(self, building: str, full_key: str | None) -> list[AddressHolder]:
        return lookup.address_holders(self._eng, building, full_key)

    def known_indicators(self, values: Sequence[str]) -> dict[tuple[str, str], str]:
        return lookup.known_indicators(self._eng, list(values))

    def listed_names(self, keys: Sequence[str]) -> list[ListedName]:
        return lookup.listed_names(self._eng, list(keys))

    # -- one case's indicators (``unmask export-iocs``) ------------------------------------

    def cluster_subjects(self, cluster_id: str) -> list[SubjectRef]:
        rows = self._eng.query("SELECT subject_type, subject_id FROM cluster_members WHERE cluster_id = $c "
                               "ORDER BY ALL", {"c": cluster_id})
        return [SubjectRef(str(a), str(b)) for a, b in rows]

    def indicators(self, subjects: Sequence[SubjectRef], include_tokens: bool = False,
                   include_references: bool = False) -> list[Indicator]:
        return lookup.indicators(self._eng, list(subjects), include_tokens, include_references)

    def bands_of(self, subjects: Sequence[SubjectRef]) -> dict[SubjectRef, str]:
        """The band of each of ``subjects`` that has a score (export-iocs' gate)."""
        rows = self._eng.query(
            "SELECT s.subject_type, s.subject_id, s.band FROM scores s JOIN (SELECT unnest($t::VARCHAR[]) AS t, "
            "unnest($i::VARCHAR[]) AS i) q ON s.subject_type = q.t AND s.subject_id = q.i",
            {"t": [s.type for s in subjects], "i": [s.id for s in subjects]})
        return {SubjectRef(str(t), str(i)): str(b) for t, i, b in rows}

    def document_hashes(self, subject_ids: Sequence[str]) -> list[DocumentHash]:
        return lookup.document_hashes(self._eng, list(subject_ids))
