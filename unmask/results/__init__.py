"""One read API over a scan's store: the only code that queries a scan for reading.

The report (``report/html.py``, ``report/pictures.py``), the JSON Lines outputs, ``explain``,
``check``, ``export-iocs`` and the coming workbench read through :class:`Results`. It wraps
either the live engine at the end of a scan (the report is written by the same calls any later
reader makes) or a finished store opened read-only with :meth:`Results.open`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from unmask.engine import Engine, EngineError, open_engine
from unmask.results.queries import CLUSTERS_SQL, FINDINGS_SQL, REJECTS_SQL, TIMELINE_DAYS_SQL, TIMELINE_HOURS_SQL

__all__ = ["Results", "ResultsError", "open_results"]


class ResultsError(Exception):
    """The folder or store is not a readable scan."""


class Results:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @staticmethod
    def store_path(path: Path) -> Path:
        store = path / "unmask.duckdb" if path.is_dir() else path
        if not store.is_file():
            raise ResultsError(f"no store at {path}: give a scan's output folder or its unmask.duckdb")
        return store

    @classmethod
    def open(cls, path: Path) -> Results:
        """A finished scan, read-only (temp tables of one's own are still allowed)."""
        try:
            return cls(open_engine(cls.store_path(path), read_only=True))
        except EngineError as e:
            raise ResultsError(f"cannot open the store at {path}: {e}") from None

    def close(self) -> None:
        self.engine.close()

    # -- the outputs of a scan -------------------------------------------------------------
    def export(self, what: str, dest: Path) -> int:
        """``findings``, ``clusters`` or ``rejects`` as JSON Lines into ``dest``."""
        sql = {"findings": FINDINGS_SQL, "clusters": CLUSTERS_SQL, "rejects": REJECTS_SQL}[what]
        return self.engine.export_jsonl(sql, dest)

    def reopened(self) -> list[str]:
        """'type:id' of every subject whose dismissal new evidence reopened."""
        return [f"{st}:{sid}" for st, sid in self.engine.query(
            f"SELECT subject.type, subject.id FROM ({FINDINGS_SQL}) "  # noqa: S608 - our query
            "WHERE decision.reopened ORDER BY ALL")]

    def band_counts(self) -> dict[str, int]:
        return {str(b): int(n) for b, n in self.engine.query("SELECT band, count(*) FROM scores GROUP BY band")}

    def rejects(self, limit: int = 200) -> list[dict[str, Any]]:
        return self.engine.query_dicts(REJECTS_SQL + " LIMIT $n", {"n": limit})

    # -- findings and subjects -------------------------------------------------------------
    def findings(self) -> list[dict[str, Any]]:
        """Every scored subject, highest first: type, id, name, score, band."""
        return self.engine.query_dicts(
            "SELECT s.subject_type, s.subject_id, s.score, s.band, p.full_name FROM scores s "
            "LEFT JOIN people p USING (subject_type, subject_id) ORDER BY score DESC, subject_type, subject_id"
        )

    def evidence(self, subject: tuple[str, str] | None = None) -> list[dict[str, Any]]:
        """Scored evidence rows (of one subject, or all), strongest first per subject."""
        where, params = ("WHERE subject_type = $t AND subject_id = $i", {"t": subject[0], "i": subject[1]}) \
            if subject else ("", None)
        return self.engine.query_dicts(
            "SELECT subject_type, subject_id, evidence_id, signal, family, source_file, line, observed_at, "  # noqa: S608
            f"detail, weight, strength, group_key, via, value_hint FROM scored_evidence {where} "
            "ORDER BY subject_type, subject_id, weight DESC, evidence_id", params)

    def subject(self, subject_type: str, subject_id: str) -> dict[str, Any] | None:
        """One subject: who they are (from the HR or ATS record), score and band, the evidence,
        the records of the same person, and the clusters; None when no record has the id."""
        people = self.engine.query_dicts(
            "SELECT subject_type, subject_id, full_name, email, country, source_file, line FROM people "
            "WHERE subject_type = $t AND subject_id = $i", {"t": subject_type, "i": subject_id})
        if not people:
            return None
        out = dict(people[0])
        if subject_type == "employee" and self.engine.table_exists("employees"):
            ctx = self.engine.query_dicts(
                "SELECT title, department, manager_id, city, region, hire_date, termination_date, vendor_company, "
                "employment_type FROM employees WHERE employee_id = $i LIMIT 1", {"i": subject_id})
            out.update(ctx[0] if ctx else {})
        score = self.engine.query_dicts(
            "SELECT score, band, evidence_fingerprint FROM scores WHERE subject_type = $t AND subject_id = $i",
            {"t": subject_type, "i": subject_id})
        out.update(score[0] if score else {"score": 0.0, "band": None, "evidence_fingerprint": None})
        out["evidence"] = self.evidence((subject_type, subject_id))
        out["clusters"] = [r[0] for r in self.engine.query(
            "SELECT cluster_id FROM cluster_members WHERE subject_type = $t AND subject_id = $i ORDER BY 1",
            {"t": subject_type, "i": subject_id})] if self.engine.table_exists("cluster_members") else []
        out["person_records"] = [tuple(r) for r in self.engine.query(
            "SELECT o.subject_type, o.subject_id FROM person_records p JOIN person_records o USING (person_id) "
            "WHERE p.subject_type = $t AND p.subject_id = $i ORDER BY 1, 2",
            {"t": subject_type, "i": subject_id})] if self.engine.table_exists("person_records") else []
        return out

    def subjects_named(self, subject_id: str) -> list[tuple[str, str]]:
        """Every (type, id) of a record with this id (an employee and a candidate may share one)."""
        return [(str(a), str(b)) for a, b in self.engine.query(
            "SELECT subject_type, subject_id FROM people WHERE subject_id = $s ORDER BY 1", {"s": subject_id})]

    # -- clusters --------------------------------------------------------------------------
    def clusters(self) -> list[dict[str, Any]]:
        """Biggest first (cluster ids are stable keys, not ranks): id, member ids, what ties them."""
        if not self.engine.table_exists("cluster_members"):
            return []
        return self.engine.query_dicts(
            "SELECT cluster_id, list(subject_id ORDER BY subject_id) AS members, "
            "(SELECT list(DISTINCT via) FROM cluster_links l WHERE l.cluster_id = c.cluster_id) AS vias "
            "FROM cluster_members c GROUP BY cluster_id ORDER BY count(*) DESC, cluster_id")

    def cluster_links(self, cluster_id: str | None = None) -> list[dict[str, Any]]:
        if not self.engine.table_exists("cluster_links"):
            return []
        where, params = ("WHERE cluster_id = $c", {"c": cluster_id}) if cluster_id else ("", None)
        return self.engine.query_dicts(
            f"SELECT cluster_id, a, b, via, value_hint FROM cluster_links {where} "  # noqa: S608 - fixed text
            "ORDER BY cluster_id, via, a, b", params)

    def cluster_members(self, cluster_id: str) -> list[tuple[str, str]]:
        if not self.engine.table_exists("cluster_members"):
            return []
        return [(str(a), str(b)) for a, b in self.engine.query(
            "SELECT subject_type, subject_id FROM cluster_members WHERE cluster_id = $c ORDER BY ALL",
            {"c": cluster_id})]

    def giant_groups(self) -> list[dict[str, Any]]:
        if not self.engine.table_exists("giant_groups"):
            return []
        return self.engine.query_dicts("SELECT via, value_hint, members FROM giant_groups ORDER BY members DESC")

    # -- pictures --------------------------------------------------------------------------
    def timeline(self, employees: Sequence[str], home_tz: str) -> tuple[
            list[tuple[str, str, int, int]], list[tuple[str, Any, str, int]]]:
        """(employee, zone, local hour, events) and (employee, day, sign-in country, sign-ins)."""
        with self._subjects_table("pic_subjects", employees):
            hours = [(str(a), str(b), int(c), int(d))
                     for a, b, c, d in self.engine.query(TIMELINE_HOURS_SQL, {"home_tz": home_tz})]
            days = [(str(a), b, str(c), int(d)) for a, b, c, d in self.engine.query(TIMELINE_DAYS_SQL)]
        return hours, days

    # -- lookups for check and export-iocs -------------------------------------------------
    def identifiers_with_values(self, values: Sequence[str], kinds: Sequence[str], limit: int = 200
                                ) -> list[tuple[Any, ...]]:
        return self.engine.query(
            "SELECT kind, value, subject_type, subject_id, source_file, line FROM identifiers "
            "WHERE value IN (SELECT unnest($v)) AND kind IN (SELECT unnest($k)) ORDER BY ALL LIMIT $n",
            {"v": list(values), "k": list(kinds), "n": limit})

    def addresses_in_building(self, building: str, full_key: str | None, limit: int = 50) -> list[tuple[Any, ...]]:
        return self.engine.query(
            "SELECT kind, subject_type, subject_id, full_key = $full AS same_unit, source_file, line FROM addresses "
            "WHERE building = $b AND NOT coalesce(is_office, false) ORDER BY ALL LIMIT $n",
            {"b": building, "full": full_key, "n": limit})

    def indicators_with_values(self, values: Sequence[str]) -> list[tuple[Any, ...]]:
        if not self.engine.table_exists("ioc_values"):
            return []
        return self.engine.query(
            "SELECT kind, v, string_agg(DISTINCT said_by, '; ' ORDER BY said_by) FROM ioc_values "
            "WHERE v IN (SELECT unnest($v)) GROUP BY kind, v", {"v": list(values)})

    def sanctions_candidates(self, keys: Sequence[str], limit: int = 12) -> list[tuple[Any, ...]]:
        if not self.engine.table_exists("intel_keys"):
            return []
        return self.engine.query(
            "SELECT n.list, n.entity_id, n.name, e.caption, e.birth_dates, sum(k.idf) AS w FROM intel_keys k "
            "JOIN intel_name_ids n USING (nid) JOIN intel_entities e USING (list, entity_id) "
            "WHERE k.key IN (SELECT unnest($k)) AND (k.person OR k.any_schema) "
            "GROUP BY ALL ORDER BY w DESC LIMIT $n", {"k": list(keys), "n": limit})

    def case_indicators(self, subjects: Sequence[tuple[str, str]], include_tokens: bool) -> list[tuple[Any, ...]]:
        """(type, value, note) of every indicator of ``subjects`` (export-iocs)."""
        from unmask.results.queries import CASE_INDICATORS_SQL

        with self._subjects_table("case_subjects", [f"{t}\x1f{i}" for t, i in subjects]):
            return self.engine.query(CASE_INDICATORS_SQL, {"tokens": include_tokens})

    def document_hashes(self, subject_ids: Sequence[str]) -> list[tuple[str, str, str]]:
        """(subject id, file path, sha256) of the résumés and photos of these candidates or workers."""
        if not self.engine.table_exists("document_hashes"):
            return []
        return [(str(a), str(b), str(c)) for a, b, c in self.engine.query(
            "SELECT DISTINCT coalesce(c.employee_id, c.candidate_id), d.path, d.sha256 FROM document_hashes d "
            "JOIN candidates c USING (candidate_id) "
            "WHERE list_contains($ids, c.candidate_id) OR list_contains($ids, c.employee_id) ORDER BY ALL",
            {"ids": list(subject_ids)})]

    @contextmanager
    def _subjects_table(self, name: str, keys: Sequence[str]) -> Iterator[None]:
        # A temp table of the subjects asked about: joined in SQL, never pasted into it.
        self.engine.execute(f"CREATE OR REPLACE TEMP TABLE {name}(k VARCHAR)")  # noqa: S608 - our own names
        self.engine.insert_rows(name, ("k",), [(k,) for k in keys])
        try:
            yield
        finally:
            self.engine.drop(name)


def open_results(path: Path) -> Results:
    return Results.open(path)
