"""The read API over a finished scan (``unmask.results``): every call on the demo scan, checked
against the files the scan wrote and against the bundle; and the line that nothing else reads
the store (report/, check.py, cli.py, pipeline.py call the API, never the engine)."""

from __future__ import annotations

import ast
import csv
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from unmask.demo import Truth
from unmask.engine import open_engine
from unmask.pipeline import ScanResult
from unmask.results import Results, ResultsError, SubjectRef

ROOT = Path(__file__).resolve().parent.parent
Demo = tuple[Truth, ScanResult, Path]


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def results(demo_scan: Demo) -> Any:
    with Results.open(demo_scan[2] / "out") as r:
        yield r


def test_open_is_read_only_and_needs_a_store(demo_scan: Demo, results: Results, tmp_path: Path) -> None:
    with pytest.raises(ResultsError, match="no store"):
        Results.open(tmp_path)
    (tmp_path / "unmask.duckdb").write_text("not a database")
    with pytest.raises(ResultsError, match="cannot open"):
        Results.open(tmp_path)
    with pytest.raises(Exception, match="read-only"):
        results._eng.execute("CREATE TABLE x(a INT)")  # the store is never written by a reader
    # The file alone opens too; without manifest.json beside it there is no scan metadata.
    (tmp_path / "unmask.duckdb").write_bytes((demo_scan[2] / "out" / "unmask.duckdb").read_bytes())
    with Results.open(tmp_path / "unmask.duckdb") as r:
        assert r.band_counts() == results.band_counts()
        with pytest.raises(ResultsError, match="manifest"):
            r.meta()


def test_meta_and_counts(demo_scan: Demo, results: Results) -> None:
    _, scan, root = demo_scan
    man = json.loads((root / "out" / "manifest.json").read_text(encoding="utf-8"))
    meta = results.meta()
    assert meta.bundle == str(root / "bundle") and meta.totals == man["totals"] and meta.raw == man
    assert meta.parts.keys() == man["parts"].keys() and meta.tool_version == man["tool"]["version"]
    assert results.band_counts() == scan.bands
    assert results.cluster_count() == scan.clusters == len(_jsonl(root / "out" / "clusters.jsonl"))


def test_findings_order_filters_and_pages(demo_scan: Demo, results: Results) -> None:
    truth, _, root = demo_scan
    written = _jsonl(root / "out" / "findings.jsonl")
    page = results.findings()
    assert page.total == len(written) == len(page.items)
    assert [(f.subject_id, f.score, f.band) for f in page.items] == [
        (w["subject"]["id"], w["score"], w["band"]) for w in written]
    assert [f.rank for f in page.items] == list(range(1, len(written) + 1))
    for f, w in zip(page.items, written, strict=True):
        assert f.signals == tuple(sorted({e["signal"] for e in w["evidence"]}))
        assert f.clusters == tuple(w["clusters"]) and f.name == w["subject"]["name"]
    high = results.findings(bands=["high", "critical"])
    assert high.total == sum(w["band"] in ("high", "critical") for w in written) > 0
    assert all(f.band in ("high", "critical") for f in high.items)
    assert results.findings(min_score=0.9).total == sum(w["score"] >= 0.9 for w in written)
    payroll = results.findings(family="payroll")
    assert payroll.total > 0 and all("payroll" in f.families for f in payroll.items)
    assert payroll.total < page.total
    # Pages: the same rows in the same order, the total unchanged, also past the end.
    two = results.findings(offset=2, limit=3)
    assert two.total == page.total and [f.subject_id for f in two.items] == [f.subject_id for f in page.items[2:5]]
    assert results.findings(offset=10_000).total == page.total and results.findings(offset=10_000).items == []
    # Search: an id, a part of a name in any case, a cluster id; and nothing.
    farm = truth.planted["laptop_farm"]
    by_id = results.findings(search=farm[0].lower())
    assert [f.subject_id for f in by_id.items] == [farm[0]]
    name = by_id.items[0].name or ""
    assert farm[0] in [f.subject_id for f in results.findings(search=name.split()[-1].upper()).items]
    cid = by_id.items[0].clusters[0]
    assert {f.subject_id for f in results.findings(search=cid).items} >= set(farm)
    assert results.findings(search="no-such-person-zz").total == 0


def test_one_subject_with_evidence(demo_scan: Demo, results: Results) -> None:
    truth, _, root = demo_scan
    eid = truth.planted["laptop_farm"][0]
    written = next(w for w in _jsonl(root / "out" / "findings.jsonl") if w["subject"]["id"] == eid)
    s = results.subject(eid)
    assert s is not None and (s.subject_type, s.score, s.band) == ("employee", written["score"], written["band"])
    assert [(e.signal, e.source, e.detail) for e in s.evidence] == [
        (e["signal"], e["source"], e["detail"]) for e in written["evidence"]]
    assert all(abs(e.weight - w["weight"]) < 1e-3 for e, w in zip(s.evidence, written["evidence"], strict=True))
    assert s.evidence == results.evidence("employee", eid)
    # Context from hr/employees.csv, read here independently.
    row = next(r for r in csv.DictReader((root / "bundle/hr/employees.csv").open(encoding="utf-8"))
               if r["employee_id"] == eid)
    (rec,) = [r for r in s.records if r.kind == "employee"]
    assert (rec.title, rec.department, rec.manager_id, rec.city) == (
        row["title"], row["department"], row["manager_id"] or None, row["city"])
    assert str(rec.hire_date) == row["hire_date"] and rec.line is not None
    # The timeline: in order, from hire and shipment to sign-ins and the evidence with a time.
    kinds = {t.kind for t in s.timeline}
    assert {"hired", "laptop shipped", "laptop delivered", "first sign-in", "evidence"} <= kinds
    assert [t.at for t in s.timeline] == sorted(t.at for t in s.timeline)
    hired = next(t for t in s.timeline if t.kind == "hired")
    assert str(hired.at.date()) == row["hire_date"] and hired.source == f"hr/employees.csv:{rec.line}"
    timed = [e for e in s.evidence if e.observed_at is not None]
    assert len([t for t in s.timeline if t.kind == "evidence"]) == len(timed) > 0
    # Its cluster: the rest of the farm, and what links this member.
    (c,) = s.clusters
    assert c.cluster_id in written["clusters"]
    assert {o.id for o in c.others} == set(truth.planted["laptop_farm"]) - {eid}
    assert c.vias and "bank_account" in c.vias
    assert SubjectRef("employee", eid) in s.person_records
    assert s.evidence_fingerprint and s.decision is None  # no cases store in the demo
    assert [e.evidence_id for e in s.evidence] == [e["evidence_id"] for e in written["evidence"]]


def test_a_subject_without_evidence_and_an_unknown_id(demo_scan: Demo, results: Results) -> None:
    _, _, root = demo_scan
    scored = {w["subject"]["id"] for w in _jsonl(root / "out" / "findings.jsonl")}
    rows = list(csv.DictReader((root / "bundle/hr/employees.csv").open(encoding="utf-8")))
    clean = next(r for r in rows if r["employee_id"] not in scored and r["manager_id"])
    s = results.subject(clean["employee_id"])
    assert s is not None and s.score is None and s.band is None and s.rank is None
    assert s.evidence == [] and s.clusters == [] and s.findings_total == len(scored)
    assert s.name == clean["full_name"]
    assert [r.title for r in s.records if r.kind == "employee"] == [clean["title"]]
    assert next(r for r in s.records if r.kind == "employee").manager_name is not None
    assert "hired" in {t.kind for t in s.timeline} and "evidence" not in {t.kind for t in s.timeline}
    assert results.subject("E-NOBODY") is None and results.subjects("E-NOBODY") == []
    assert results.subject_refs("E-NOBODY") == [] and results.evidence("employee", "E-NOBODY") == []
    assert results.timeline("employee", "E-NOBODY") == [] and results.records("employee", "E-NOBODY") == []


def test_a_candidate_subject(demo_scan: Demo, results: Results) -> None:
    truth, _, _ = demo_scan
    cid = truth.planted["persona_network"][0]
    s = results.subject(cid, "candidate")
    assert s is not None and s.band in ("high", "critical")
    assert [r.kind for r in s.records] == ["candidate"] and s.records[0].applied_at is not None
    assert "applied" in {t.kind for t in s.timeline}
    assert results.subject(cid, "employee") is None


def test_clusters(demo_scan: Demo, results: Results) -> None:
    _, _, root = demo_scan
    written = _jsonl(root / "out" / "clusters.jsonl")
    got = results.clusters()
    assert [c.cluster_id for c in got] == [w["cluster_id"] for w in written]  # biggest first
    assert [len(c.members) for c in got] == sorted((len(c.members) for c in got), reverse=True)
    assert [c.continues for c in got] == [w["continues"] for w in written]
    for c, w in zip(got, written, strict=True):
        assert [(m.subject_type, m.subject_id) for m in c.members] == [(m["type"], m["id"]) for m in w["members"]]
        assert [(lk.a, lk.b, lk.via, lk.value_hint) for lk in c.links] == [
            (lk["a"], lk["b"], lk["via"], lk["value_hint"]) for lk in w["links"]]
        assert c.vias == tuple(sorted({lk["via"] for lk in w["links"]}))
        assert results.cluster(c.cluster_id) == c
    farm = next(c for c in got if any(m.band == "critical" and m.subject_type == "employee" for m in c.members))
    assert all(m.title for m in farm.members)  # employees carry their title
    assert results.cluster("C-NONE") is None and results.cluster_subjects("C-NONE") == []
    assert results.cluster_subjects(got[0].cluster_id) == [SubjectRef(m.subject_type, m.subject_id)
                                                          for m in got[0].members]


def test_pictures_data(demo_scan: Demo, results: Results) -> None:
    truth, _, root = demo_scan
    eid = truth.planted["laptop_farm"][0]
    days = results.signin_days([eid, "E-NOBODY"])
    hours = results.activity_hours([eid, "E-NOBODY"], "America/Chicago")
    assert set(days) == set(hours) == {eid}
    eng = open_engine(root / "out" / "unmask.duckdb", read_only=True)
    n_signins = eng.query("SELECT count(*) FROM signins WHERE employee_id = $e AND ts IS NOT NULL", {"e": eid})[0][0]
    eng.close()
    assert sum(d.n for d in days[eid]) == n_signins > 0
    assert sum(hours[eid].hours) >= n_signins and len(hours[eid].hours) == 24
    assert [d.day for d in days[eid]] == sorted(d.day for d in days[eid])
    assert results.signin_days([]) == {} and results.activity_hours([], "UTC") == {}


def test_rejects_and_giant_groups_from_tables() -> None:
    # Both are empty in the demo; a store holding some shows their order and types.
    eng = open_engine(None)
    eng.execute("CREATE TABLE rejects(file VARCHAR, part VARCHAR, line BIGINT, unit VARCHAR, reason VARCHAR)")
    eng.execute("INSERT INTO rejects VALUES ('b.csv', 'x', 3, 'row', 'bad'), ('a.csv', 'x', NULL, 'file', 'gone'),"
                " ('a.csv', 'x', 2, 'row', 'short')")
    eng.execute("CREATE TABLE giant_groups(group_key VARCHAR, via VARCHAR, value_hint VARCHAR, members BIGINT)")
    eng.execute("INSERT INTO giant_groups VALUES ('k1', 'egress_ip', '10.…', 40), ('k2', 'address', '1 M… 1', 90)")
    r = Results(eng)
    assert [(x.file, x.line) for x in r.rejects()] == [("a.csv", None), ("a.csv", 2), ("b.csv", 3)]
    assert len(r.rejects(limit=1)) == 1 and r.rejects()[0].as_dict()["reason"] == "gone"
    assert [(g.via, g.members) for g in r.giant_groups()] == [("address", 90), ("egress_ip", 40)]
    eng.execute("DROP TABLE giant_groups")
    assert r.giant_groups() == []
    r.close()  # a wrapped engine belongs to its owner
    assert eng.query("SELECT 1") == [(1,)]
    eng.close()


def test_decisions_and_reopening_from_tables() -> None:
    """A dismissal that did not see today's medium evidence is reopened; one that saw all of it
    stands; a subject with no evidence left keeps its decision; a cluster's decision is shown."""
    from unmask.cases import load_decisions

    eng = open_engine(None)
    load_decisions(eng)
    eng.execute("CREATE TABLE scores(subject_type VARCHAR, subject_id VARCHAR, total DOUBLE, score DOUBLE, "
                "band VARCHAR, evidence_fingerprint VARCHAR)")
    eng.execute("INSERT INTO scores VALUES ('employee', 'E1', 2, 0.9, 'high', 'fp-new'), "
                "('employee', 'E2', 1, 0.6, 'medium', 'fp-2')")
    eng.execute("CREATE TABLE scored_evidence(evidence_id VARCHAR, subject_type VARCHAR, subject_id VARCHAR, "
                "strength VARCHAR)")
    eng.execute("INSERT INTO scored_evidence VALUES ('ev1', 'employee', 'E1', 'strong'), "
                "('ev2', 'employee', 'E1', 'medium'), ('ev3', 'employee', 'E2', 'medium')")
    eng.execute("INSERT INTO decisions VALUES "
                "('employee', 'E1', 1, 'dismissed', 'household', NULL, 'married', 'ann', '2026-01-01', 'fp-old', "
                "['ev1']),"
                "('employee', 'E2', 2, 'dismissed', 'travel', NULL, NULL, 'bo', '2026-01-02', 'fp-2', ['ev3']),"
                "('employee', 'E3', 3, 'confirmed', NULL, NULL, NULL, 'cy', '2026-01-03', 'fp-3', []),"
                "('cluster', 'K1', 4, 'escalated', NULL, NULL, 'legal', 'di', '2026-01-04', NULL, [])")
    # The rest of what a scan leaves, empty or small, for findings.jsonl's query.
    eng.execute("CREATE TABLE cluster_members(cluster_id VARCHAR, subject_type VARCHAR, subject_id VARCHAR)")
    eng.execute("INSERT INTO cluster_members VALUES ('K1', 'employee', 'E1'), ('K1', 'employee', 'E2')")
    eng.execute("CREATE TABLE cluster_links(cluster_id VARCHAR, a VARCHAR, b VARCHAR, via VARCHAR, value_hint VARCHAR)")
    eng.execute("CREATE TABLE people(subject_type VARCHAR, subject_id VARCHAR, full_name VARCHAR, email VARCHAR)")
    eng.execute("CREATE TABLE person_records(person_id VARCHAR, subject_type VARCHAR, subject_id VARCHAR)")
    eng.execute("ALTER TABLE scored_evidence ADD COLUMN signal VARCHAR")
    for col in ("source_file VARCHAR", "line BIGINT", "observed_at TIMESTAMPTZ", "detail VARCHAR", "weight DOUBLE",
                "decisive BOOLEAN"):
        eng.execute(f"ALTER TABLE scored_evidence ADD COLUMN {col}")
    r = Results(eng)
    e1 = r.decision("employee", "E1")
    assert e1 is not None and e1.status == "dismissed" and e1.reopened and e1.new_evidence == ("ev2",)
    assert (e1.reason, e1.by, e1.judgement) == ("household", "ann", 1)
    e2 = r.decision("employee", "E2")
    assert e2 is not None and not e2.reopened and e2.new_evidence == ()
    e3 = r.decision("employee", "E3")
    assert e3 is not None and e3.status == "confirmed" and not e3.reopened
    assert r.decision("employee", "E4") is None
    assert r.reopened() == [SubjectRef("employee", "E1")]
    k1 = r.cluster("K1")
    assert k1 is not None and k1.decision is not None
    assert (k1.decision.status, k1.decision.note) == ("escalated", "legal")
    eng.close()


def test_demo_rejects_match_the_file(demo_scan: Demo, results: Results) -> None:
    assert [r.as_dict() for r in results.rejects()] == _jsonl(demo_scan[2] / "out" / "rejects.jsonl")


def test_lookups_for_check(demo_scan: Demo, results: Results) -> None:
    truth, _, root = demo_scan
    personas = truth.planted["persona_network"]
    row = next(r for r in csv.DictReader((root / "bundle/hr/candidates.csv").open(encoding="utf-8"))
               if r["candidate_id"] == personas[0])
    eng = open_engine(root / "out" / "unmask.duckdb", read_only=True)
    (phone,) = eng.query("SELECT value FROM identifiers WHERE kind = 'phone' AND subject_id = $s", {"s": personas[0]})
    (home,) = eng.query("SELECT building, full_key FROM addresses WHERE kind = 'home' AND subject_id = $s",
                        {"s": personas[0]})
    eng.close()
    held = results.contact_holders([phone[0], "+10000000000"])
    assert {h.subject_id for h in held} == set(personas) and {h.kind for h in held} == {"phone"}
    assert all(h.source_file == "hr/candidates.csv" and h.line for h in held)
    homes = results.address_holders(home[0], home[1])
    assert any(a.subject_id == personas[0] and a.same_unit for a in homes)
    assert results.address_holders("no such building", None) == []
    said = results.known_indicators(["dev.star.hire@proton.me", "nobody@example.org"])
    ref = ("email", "dev.star.hire@proton.me")
    assert list(said) == [ref] and "intel/iocs.csv" in said[ref]
    from unmask.values.screen_names import block_keys

    listed = results.listed_names(block_keys("Kim Sang Man", "Person"))
    assert any(n.list_id == "ofac_sdn" and n.entity_id == "43377" for n in listed)
    assert results.listed_names([]) == [] and row["full_name"]


def test_indicators_and_document_hashes_need_no_bundle(demo_scan: Demo, results: Results) -> None:
    truth, _, root = demo_scan
    personas = truth.planted["persona_network"]
    refs = [SubjectRef("candidate", c) for c in personas]
    iocs = results.indicators(refs)
    assert {"email", "phone"} <= {i.type for i in iocs}
    assert not any(i.type == "bank_account" for i in iocs)
    assert not any(i.type == "domain" and i.value == "outlook.com" for i in iocs)  # a public mail service
    docs = results.document_hashes(personas)
    assert {d.subject_id for d in docs} == set(personas)
    for d in docs:  # the hash of the bundle's file, taken when the scan read it
        assert d.sha256 == hashlib.sha256((root / "bundle" / d.path).read_bytes()).hexdigest()
    farm = [SubjectRef("employee", e) for e in truth.planted["laptop_farm"]]
    with_tokens = results.indicators(farm, include_tokens=True)
    assert any(i.type == "bank_account" and i.value.startswith("tk_") for i in with_tokens)
    assert not any(i.type == "bank_account" for i in results.indicators(farm))
    assert results.document_hashes([]) == []


def test_export_iocs_reads_only_the_store(demo_scan: Demo, tmp_path: Path) -> None:
    """A scan's folder copied away from its bundle exports the same indicators, hashes included."""
    from unmask.report.export import export

    truth, _, root = demo_scan
    out = tmp_path / "out"
    out.mkdir()
    for name in ("unmask.duckdb", "manifest.json"):
        (out / name).write_bytes((root / "out" / name).read_bytes())
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    man["bundle"] = str(tmp_path / "gone")  # no bundle to open, even if it tried
    (out / "manifest.json").write_text(json.dumps(man), encoding="utf-8")
    text, n = export(out, None, truth.planted["persona_network"][0], "csv")
    rows = list(csv.DictReader(text.splitlines()))
    assert n == len(rows) and sum(r["type"] == "sha256" for r in rows) == 2
    assert text == export(root / "out", None, truth.planted["persona_network"][0], "csv")[0]


# -- nothing else reads the store ----------------------------------------------------------

ENGINE_CALLS = frozenset({"query", "query_dicts", "execute", "export_jsonl", "insert_rows", "table_exists",
                          "columns", "load_lines", "load_csv", "load_json_documents",
                          "load_json_records"})
# Modules that present a finished scan: they go through unmask.results, never the engine.
READERS = ("unmask/report", "unmask/check.py", "unmask/cli.py", "unmask/pipeline.py")
# Packages that may query the engine: the scan's writing stages, the engine, and the read API.
QUERYING = ("engine", "sources", "normalise", "resolve", "screen", "signals", "link", "score", "results")
_SQL = re.compile(r"\bSELECT\b[\s\S]*\bFROM\b|\bCOPY\b|\bCREATE\s+(TEMP\s+|OR\s+REPLACE\s+)*TABLE\b")


def engine_use(source: str, calls: frozenset[str] = ENGINE_CALLS, sql: bool = True) -> list[str]:
    """``line: what`` for each call of an engine method (and each SQL text) in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in calls:
            found.append(f"{node.lineno}: .{node.func.attr}()")
        elif sql and isinstance(node, ast.Constant) and isinstance(node.value, str) and _SQL.search(node.value):
            found.append(f"{node.lineno}: SQL text")
    return found


def _files(*paths: str) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        path = ROOT / p
        out += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return out


def test_the_guard_sees_a_query() -> None:
    sneaky = ('def f(eng):\n    rows = eng.query_dicts("SELECT * FROM scores")\n'
              '    eng.execute(q)\n    return "SELECT a\\n FROM b"\n')
    assert sorted(engine_use(sneaky)) == ["2: .query_dicts()", "2: SQL text", "3: .execute()", "4: SQL text"]
    assert engine_use("def f(r):\n    return r.findings(limit=3)\n") == []


def test_readers_use_the_results_api_only() -> None:
    bad = {str(p.relative_to(ROOT)): hits for p in _files(*READERS)
           if (hits := engine_use(p.read_text(encoding="utf-8")))}
    assert bad == {}, "read the store through unmask.results, not the engine"


def test_only_the_stages_and_the_api_query_the_store() -> None:
    bad = {}
    for p in _files("unmask"):
        rel = p.relative_to(ROOT / "unmask")
        if rel.parts[0] in QUERYING:
            continue
        hits = engine_use(p.read_text(encoding="utf-8"), frozenset({"query", "query_dicts", "export_jsonl"}), sql=False)
        if hits:
            bad[str(rel)] = hits
    assert bad == {}


def test_frozen_findings_page_exactly_as_the_live_query(demo_scan: Demo) -> None:
    """Results.freeze (the workbench's one-time findings table) changes the speed, not the answer:
    every filter, search and page gives the same rows and totals, past the end too."""
    asks: list[dict[str, Any]] = [
        {}, {"limit": 5}, {"offset": 3, "limit": 4}, {"bands": ["critical"]}, {"bands": ["low", "high"]},
        {"family": "payroll"}, {"family": "no-such-family"}, {"min_score": 0.5}, {"search": "E1300"},
        {"search": "johnson"}, {"search": "zzzz"}, {"offset": 500, "limit": 10}, {"bands": ["low"], "offset": 99},
    ]
    with Results.open(demo_scan[2] / "out") as live, Results.open(demo_scan[2] / "out") as frozen:
        frozen.freeze()
        for ask in asks:
            assert frozen.findings(**ask) == live.findings(**ask), ask
        assert live.findings(offset=500).total == live.findings().total > 0
        assert frozen.findings(bands=["critical"]).total < frozen.findings().total


def test_frozen_reads_the_same_from_many_threads_and_leaves_nothing(demo_scan: Demo) -> None:
    """The workbench's frozen scan: sorted copies in a scratch database and a cursor per thread
    give the same answers as the store read directly, for every filter the queue has and for a
    whole subject, from 8 threads at once; closing it removes the scratch database."""
    import threading

    with Results.open(demo_scan[2] / "out") as live:
        top = live.findings(limit=3).items
        dept = next(r.department for f in top for r in live.records(f.subject_type, f.subject_id)
                    if r.department)
        city = next(r.city for f in live.findings().items for r in live.records(f.subject_type, f.subject_id)
                    if r.city)
        kind = next(c.kind for f in live.findings().items for c in live.clusters_of(f.subject_type, f.subject_id)
                    if c.kind)
        keys = [f"{f.subject_type}:{f.subject_id}" for f in top]
        asks: list[dict[str, Any]] = [
            {"department": dept.upper()}, {"department": "no such department"}, {"cluster_kind": kind},
            {"cluster_kind": "no_such_kind"}, {"search": f"  {city.upper()} "}, {"search": city + "x"},
            {"keys": keys}, {"not_keys": keys, "limit": 7}, {"keys": keys, "bands": ["low"]},
            {"department": dept, "cluster_kind": kind, "search": city},
        ]
        want = [live.findings(**ask) for ask in asks]
        subjects = [live.subject(f.subject_id, f.subject_type) for f in top]
        assert want[0].total > 0 and want[2].total > 0 and want[4].total > 0 and want[6].total == 3
        assert want[1].total == want[3].total == want[5].total == 0  # a city is matched whole only
        assert want[7].total == live.findings().total - 3
    frozen = Results.open(demo_scan[2] / "out")
    frozen.freeze()
    scratch = frozen._scratch
    assert scratch is not None and any(scratch.iterdir())
    got: list[Any] = []
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            got.append(([frozen.findings(**ask) for ask in asks],
                        [frozen.subject(f.subject_id, f.subject_type) for f in top]))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert got == [(want, subjects)] * 8
    frozen.close()
    assert not scratch.exists()
