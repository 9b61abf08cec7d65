"""The CLI's promises (issue 14, items 14, 15, 17, 18, 19): text shown as text, gaps said first,
help without the pipeline, a clean subject is no error. Each test is on the failing shape."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.helpers import DEP_COLS, bundle, dep, emp, jsonl, write_csv
from unmask.cli import app
from unmask.demo import Truth
from unmask.pipeline import ScanResult
from unmask.values.text import printable

HOSTILE = "Eve [/] [bold]Bad\x1b[31m\x1b]8;;http://x.example\x07link\x1b]8;;\x07\u202etxt.exe\x9b2J"


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    e = dict(os.environ)
    e.pop("UNMASK_DEBUG", None)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "unmask.cli", *args], capture_output=True, text=True, env=e,
                          check=False)


def test_printable_strips_sequences_controls_and_bidi() -> None:
    assert printable(HOSTILE) == "Eve [/] [bold]Badlinktxt.exe"
    assert printable("a\tb\nc") == "a\tb\nc" and printable("a\nb", keep_newlines=False) == "a b"
    assert printable("Kim Min-jun 김민준") == "Kim Min-jun 김민준"  # letters of any script stay


def test_hostile_names_and_markup_are_shown_as_text(tmp_path: Path) -> None:
    # Item 14: a `[/]` in a name raised a MarkupError (exit 1, read as "findings" by --fail-on);
    # escapes reached the terminal raw.
    emps = [emp("E1", HOSTILE), emp("E2", "Bo Park", "2 Elm St")]
    root = bundle(tmp_path / "b", emps, deposits=[dep("E1", "5", "Dana Whitfield"), dep("E2", "5", "Dana Whitfield")])
    out = tmp_path / "o"
    assert _cli("scan", str(root), "--out", str(out), "--quiet").returncode == 0
    p = _cli("explain", str(out), "E1")
    assert p.returncode == 0, p.stderr
    assert "Eve [/] [bold]Badlinktxt.exe" in p.stdout
    assert not any(c in p.stdout for c in "\x1b\x07\x9b\u202e")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Eve [/] [bold]Badlinktxt.exe" in page and not any(c in page for c in "\x1b\x07\x9b\u202e")
    # A path with markup in an error message is shown whole.
    bad = tmp_path / "[red]x[/]"
    p = _cli("explain", str(bad), "E1")
    assert p.returncode == 2 and "[red]x[/]" in p.stderr and "Traceback" not in p.stderr


def test_explain_a_clean_subject_is_no_error(tmp_path: Path) -> None:
    # Item 19: a subject with no evidence exited 2 ("unusable input").
    root = bundle(tmp_path / "b", [emp("E1", "Ann Lee"), emp("E2", "Bo Park", "2 Elm St"), emp("E3", "Cy Diaz")],
                  deposits=[dep("E1", "5", "Ann Lee"), dep("E2", "5", "Bo Park"), dep("E3", "6", "Cy Diaz")])
    out = tmp_path / "o"
    assert _cli("scan", str(root), "--out", str(out), "--quiet").returncode == 0
    clean = _cli("explain", str(out), "E3")
    assert clean.returncode == 0 and "E3 Cy Diaz: no evidence" in clean.stdout
    unknown = _cli("explain", str(out), "E99")
    assert unknown.returncode == 2 and "E99 is not a subject" in unknown.stderr
    as_json = json.loads(_cli("explain", str(out), "E1", "--json").stdout)
    assert as_json[0]["subject_id"] == "E1" and as_json[0]["evidence"][0]["signal"] == "bank_account_shared"
    assert json.loads(_cli("explain", str(out), "E3", "--json").stdout)[0]["score"] is None


def test_help_and_version_do_not_load_the_pipeline() -> None:
    # Item 18: `--version` imported everything and restarted the process (2.5 s idle).
    probe = subprocess.run([sys.executable, "-c", "import sys, unmask.cli; print('unmask.pipeline' in sys.modules)"],
                           capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "False"
    p = _cli("scan", "--help")
    assert p.returncode == 0
    assert p.stdout.startswith("Usage: unmask scan"), p.stdout[:80]  # not "python -m unmask.cli"
    quiet = next(line for line in p.stdout.splitlines() if "--quiet" in line)
    assert "<bool>" not in quiet and "No progress bars." in quiet
    assert "--install-completion" in _cli("--help").stdout


def test_misplaced_and_misnamed_files_are_named_with_the_right_path(tmp_path: Path) -> None:
    # Item 17: hr/deposits.csv, shipments.csv at the root and a misspelled column were invisible.
    root = bundle(tmp_path / "b", [emp("E1", "Ann Lee", hiredate="2026-08-01")])
    rows = (root / "hr/employees.csv").read_text().replace("hire_date", "hiredate")
    (root / "hr/employees.csv").write_text(rows)
    write_csv(root / "hr/deposits.csv", DEP_COLS, [dep("E1", "5", "Ann Lee")])
    write_csv(root / "shipments.csv", ["shipment_id"], [{"shipment_id": "S1"}])
    write_csv(root / "hr/Candidates.CSV", ["candidate_id", "full_name"], [{"candidate_id": "C1", "full_name": "Al"}])
    res = CliRunner().invoke(app, ["validate", str(root), "--quiet"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].startswith("missing parts (")  # gaps first
    assert "payroll.deposits (payroll/deposits.csv)" in lines[0]
    assert "ignored hr/deposits.csv: matches no part of the bundle; did you mean payroll/deposits.csv?" in lines
    assert "ignored shipments.csv: matches no part of the bundle; did you mean assets/shipments.csv?" in lines
    hint = next(line for line in lines if "'hiredate'" in line)
    # The signals that read hire_date are named (they run without it); the others are not.
    assert "did you mean 'hire_date'?" in hint and "deposit_changes_after_hire" in hint
    assert "ship_to_shared" not in hint and "account_holder_mismatch" not in hint
    assert any(line.startswith("without payroll.deposits: ") for line in lines)
    # A name in another case is the part: the candidates were read.
    assert any(line.startswith("hr/Candidates.CSV: read 1, loaded 1") for line in lines)
    man = json.loads(CliRunner().invoke(app, ["validate", str(root), "--json", "--quiet"]).stdout)
    (emp_file,) = [f for f in man["files"] if f["part"] == "hr.employees"]
    assert emp_file["unknown_columns"][0]["column"] == "hiredate"
    # The scan's summary and the report say the same.
    out = tmp_path / "o"
    scan = _cli("scan", str(root), "--out", str(out), "--quiet")
    assert "did you mean payroll/deposits.csv?" in scan.stdout and "did you mean 'hire_date'?" in scan.stdout
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "did you mean payroll/deposits.csv?" in page and "hiredate, did you mean hire_date?" in page


def test_validate_exits_2_when_nothing_usable_was_read(tmp_path: Path) -> None:
    root = tmp_path / "b"
    write_csv(root / "hr/employees.csv", ["id", "name"], [{"id": "E1", "name": "Ann"}])  # no required column
    res = CliRunner().invoke(app, ["validate", str(root), "--quiet"])
    assert res.exit_code == 2 and "nothing usable was read" in res.output
    empty = tmp_path / "empty"
    empty.mkdir()
    assert CliRunner().invoke(app, ["validate", str(empty), "--quiet"]).exit_code == 2


def test_duplicate_csv_headers_are_a_file_level_error(tmp_path: Path) -> None:
    # Item 15: "the last one wins" picked one of two national_id columns without a word.
    root = tmp_path / "b"
    (root / "hr").mkdir(parents=True)
    (root / "hr/employees.csv").write_text(
        "employee_id,full_name,email,national_id,national_id\nE1,Ann Lee,e1@corp.example,111,222\n")
    man = json.loads(CliRunner().invoke(app, ["validate", str(root), "--json", "--quiet"]).stdout)
    (f,) = man["files"]
    assert f["status"] == "unreadable" and "duplicate column name(s) in the header: national_id" in f["note"]
    # A scan names the file it could not use beside its summary (its rejected-records count does
    # not: the file is no record), with the reason.
    root2 = bundle(tmp_path / "b2", [emp("E1", "Ann Lee")])
    (root2 / "hr/candidates.csv").write_text("candidate_id,full_name,full_name\nC1,Al,Al\n")
    scan = _cli("scan", str(root2), "--out", str(tmp_path / "o"), "--quiet")
    assert scan.returncode == 0, scan.stderr
    assert ("unreadable hr/candidates.csv: read 0, loaded 0: duplicate column name(s) in the header: full_name"
            in scan.stdout.splitlines()), scan.stdout
    assert "unreadable hr/employees.csv" not in scan.stdout


def test_egress_hints_are_masked_like_the_others(demo_scan: tuple[Truth, ScanResult, Path]) -> None:
    # Item 21: a cluster's egress-IP link carried the whole home IP as its "hint".
    _, result, _ = demo_scan
    hints = [lk["value_hint"] for c in jsonl(result.out / "clusters.jsonl") for lk in c["links"]
             if lk["via"] == "egress_ip"]
    assert hints and all(h.endswith(".…") and h.count(".") == 2 for h in hints), hints


def test_intel_show_dates_each_file_and_warns_when_old() -> None:
    # Item 20: the shipped SDN list was dated by its newest file (2025-12-24), though its primary
    # file, sdn.csv, is from 2024-05-03.
    res = CliRunner().invoke(app, ["intel", "show"])
    assert res.exit_code == 0
    assert "(shipped) ofac/sdn.csv: 2024-05-03" in res.stdout and "(shipped) ofac/alt.csv: 2025-12-24" in res.stdout
    assert "warning: OFAC SDN (CSV) is " in res.stderr and "(published 2024-05-03)" in res.stderr


def test_a_broken_bundle_list_never_makes_an_empty_screen(tmp_path: Path) -> None:
    root = bundle(tmp_path / "b", [emp("E1", "Ann Lee")])
    (root / "intel/sanctions").mkdir(parents=True)
    (root / "intel/sanctions/sdn.csv").write_bytes(b"\xff\xfe not,a,list\n")
    res = CliRunner().invoke(app, ["intel", "show", str(root)])
    assert res.exit_code == 0
    assert "gave no entity" in res.stderr and "the shipped lists were used" in res.stderr
    assert "OFAC SDN (CSV) (shipped default, because" in res.stdout
    out = tmp_path / "o"
    scan = _cli("scan", str(root), "--out", str(out), "--quiet")
    assert scan.returncode == 0 and "the shipped lists were used" in scan.stderr
    man = json.loads((out / "manifest.json").read_text())
    assert {lst["id"] for lst in man["intel"]} >= {"ofac_sdn", "un_sc"}
    assert any(r["file"] == "intel/sanctions/sdn.csv" for r in jsonl(out / "rejects.jsonl"))


def _serve(folder: Path) -> tuple[Any, int]:
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, srv.server_address[1]


def test_intel_update_fetches_checks_and_records(tmp_path: Path) -> None:
    # Item 20: `unmask intel update`, against a local server only (never the internet).
    import hashlib
    import shutil

    from unmask.sources.intel import SHIPPED

    site = tmp_path / "site"
    (site / "ofac").mkdir(parents=True)
    (site / "un").mkdir()
    for f in ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"):
        shutil.copy(SHIPPED / "ofac" / f, site / "ofac" / f)
    shutil.copy(SHIPPED / "un" / "UN_consolidated.xml", site / "un" / "consolidated.xml")
    root = bundle(tmp_path / "b", [emp("E1", "Ann Lee")])
    srv, port = _serve(site)
    try:
        args = ["intel", "update", str(root), "--base-url", f"ofac_sdn=http://127.0.0.1:{port}/ofac/",
                "--base-url", f"un_sc=http://127.0.0.1:{port}/un/"]
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 0, res.output
        lists = root / "intel/sanctions"
        versions = json.loads((lists / "VERSIONS.json").read_text())
        sdn = next(f for f in versions["ofac_sdn"]["files"] if f["file"] == "sdn.csv")
        assert sdn["sha256"] == hashlib.sha256((lists / "sdn.csv").read_bytes()).hexdigest()
        assert versions["ofac_sdn"]["entities"] > 5000 and versions["un_sc"]["entities"] > 500
        # A truncated download replaces nothing and is exit 2.
        (site / "ofac" / "sdn.csv").write_bytes((SHIPPED / "ofac" / "sdn.csv").read_bytes()[:2000])
        before = (lists / "sdn.csv").read_bytes()
        bad = CliRunner().invoke(app, args)
        assert bad.exit_code == 2 and "nothing was replaced" in bad.output
        assert (lists / "sdn.csv").read_bytes() == before
        # A server that is not there: exit 2, one line.
        srv.shutdown()
        gone = CliRunner().invoke(app, args)
        assert gone.exit_code == 2 and "Traceback" not in gone.output
    finally:
        srv.shutdown()


def _okta(root: Path, events: list[dict[str, Any]]) -> None:
    (root / "idp/okta").mkdir(parents=True, exist_ok=True)
    (root / "idp/okta/log.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))


def _event(i: int, published: str, lat: Any = 40.0, lon: Any = -83.0) -> dict[str, Any]:
    return {"uuid": f"u{i}", "published": published, "eventType": "user.session.start",
            "actor": {"alternateId": "e1@corp.example"}, "outcome": {"result": "SUCCESS"},
            "client": {"ipAddress": "73.1.2.3", "geographicalContext": {
                "country": "United States", "geolocation": {"lat": lat, "lon": lon}}}}


def test_impossible_values_are_rejects_not_evidence_or_crashes(tmp_path: Path) -> None:
    # Item 15: NaN and out-of-range coordinates, a year 5874897, a +25:00 offset stopped the scan
    # with exit 3 or became a 6,171 km "impossible travel".
    root = bundle(tmp_path / "b", [emp("E1", "Ann Lee"), emp("E2", "Bo Park", "2 Elm St", hire_date="5874897-12-31")])
    _okta(root, [_event(1, "2026-09-01T10:00:00Z"), _event(2, "2026-09-01T10:05:00Z", "NaN"),
                 _event(3, "2026-09-01T10:06:00Z", 95.5), _event(4, "2026-09-01T10:07:00Z", "Infinity"),
                 _event(5, "2026-09-01T10:08:00Z", 40.0, 200), _event(6, "2026-09-01T10:09:00+25:00"),
                 _event(7, "2026-07-01 10:00:00 PST")])
    out = tmp_path / "o"
    p = _cli("scan", str(root), "--out", str(out), "--quiet")
    assert p.returncode == 0, p.stderr
    reasons = {(r["file"], r["line"]): r["reason"] for r in jsonl(out / "rejects.jsonl")}
    assert reasons[("hr/employees.csv", 3)] == "invalid hire_date"
    log = "idp/okta/log.jsonl"
    assert reasons[(log, 2)] == reasons[(log, 3)] == reasons[(log, 4)] == "invalid lat"
    assert reasons[(log, 5)] == "invalid lon" and reasons[(log, 6)] == "invalid published"
    assert (log, 7) not in reasons  # PST is read, as a fixed -08:00 (not -07:00 in July)
    assert not [e for e in jsonl(out / "findings.jsonl") for x in e["evidence"] if x["signal"] == "impossible_travel"]
    from unmask.results import Results

    with Results.open(out) as r:
        got = r._eng.query("SELECT strftime(ts, '%H:%M') FROM signins WHERE source_file = $f AND line = 7",
                           {"f": log})
    assert got == [("18:00",)]


def test_bad_arguments_and_broken_outputs_are_exit_2(tmp_path: Path, monkeypatch: Any) -> None:
    # Item 15: each of these was exit 3 (an "internal error").
    root = bundle(tmp_path / "b", [emp("E1", "Ann Lee"), emp("E2", "Bo Park", "2 Elm St")],
                  deposits=[dep("E1", "5", "Dana Whitfield"), dep("E2", "5", "Dana Whitfield")])
    assert _cli("scan", str(root), "--threads", "-3").returncode == 2
    out = tmp_path / "o"
    assert _cli("scan", str(root), "--out", str(out), "--quiet").returncode == 0
    text = tmp_path / "store.txt"
    text.write_text("not a database")
    applicant = tmp_path / "a.json"
    applicant.write_text('{"full_name": "Kevin Miles"}')
    p = _cli("check", str(applicant), "--store", str(text))
    assert p.returncode == 2 and "not a valid DuckDB database" in p.stderr
    cid = jsonl(out / "clusters.jsonl")[0]["cluster_id"]
    p = _cli("export-iocs", str(out), "--cluster", cid, "--format", "csv", "--force", "--to", str(tmp_path))
    assert p.returncode == 2 and "Is a directory" in p.stderr
    (out / "current" / "manifest.json").write_text("{broken")
    p = _cli("explain", str(out), "E1")
    assert p.returncode == 2 and "manifest.json cannot be read" in p.stderr
    # A full disk while writing the outputs: exit 2 with the reason, never a traceback.
    import errno

    from unmask.report import outputs

    def full(*_: Any, **__: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "o2" / "findings.jsonl"))

    monkeypatch.setattr(outputs, "write_jsonl", full)
    res = CliRunner().invoke(app, ["scan", str(root), "--out", str(tmp_path / "o2"), "--quiet"])
    assert res.exit_code == 2 and "No space left on device" in res.output


def test_check_validates_the_applicant_and_reads_ats_names(tmp_path: Path) -> None:
    # Item 16: "phone_number" was ignored ("nothing known", exit 0) though it held a persona's phone.
    root = bundle(tmp_path / "b", [emp("E1", "Ann Lee", phone="+1 614 555 0134")])
    out = tmp_path / "o"
    assert _cli("scan", str(root), "--out", str(out), "--quiet").returncode == 0
    runner = CliRunner()

    def check(body: Any, *extra: str) -> Any:
        f = tmp_path / "a.json"
        f.write_text(body if isinstance(body, str) else json.dumps(body))
        return runner.invoke(app, ["check", str(f), "--store", str(out), "--json", *extra])

    ats = check({"name": "Kevin Miles", "phone_number": "614-555-0134"})  # Greenhouse/Lever names
    assert ats.exit_code == 1 and json.loads(ats.stdout)[0]["what"] == "phone"
    # Item 14: the source in brackets was swallowed as a Rich tag; it is shown as written.
    f = tmp_path / "a.json"
    plain = runner.invoke(app, ["check", str(f), "--store", str(out)])
    assert plain.exit_code == 1 and "  [hr/employees.csv:2]" in plain.stdout
    typo = check({"full_name": "Kevin Miles", "phnoe": "614-555-0134"})
    assert typo.exit_code == 2 and "unknown key 'phnoe'; did you mean 'phone'?" in typo.output
    mapped = check({"full_name": "Kevin Miles", "Cell": "614-555-0134"}, "--map", "Cell=phone")
    assert mapped.exit_code == 1
    for bad in ({"full_name": ["a list"]}, {"phone": 6145550134}, {"references": [{"email": 5}]},
                '{"full_name": NaN}', "[" * 100_000 + "]" * 100_000):
        res = check(bad)
        assert res.exit_code == 2 and "Traceback" not in res.output, (bad if len(str(bad)) < 80 else "deep", res.output)


def test_odd_file_names_and_a_deep_list_record_do_not_stop_the_scan(tmp_path: Path) -> None:
    # Item 15: a non-UTF-8 file name and one 100k-deep FollowTheMoney record were exit 3.
    root = bundle(tmp_path / "b", [emp("E1", "Ann Lee")])
    (root / "intel/sanctions").mkdir(parents=True)
    deep = '{"id": "x", "schema": "Person", "properties": {"name": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    good = '{"id": "NK-1", "schema": "Person", "properties": {"name": ["KIM Test Person"]}}'
    (root / "intel/sanctions/list.ftm.json").write_text(deep + "\n" + good + "\n")
    os.close(os.open(os.path.join(os.fsencode(root / "hr"), b"\xff\xfe.csv"), os.O_CREAT | os.O_WRONLY, 0o600))
    out = tmp_path / "o"
    p = _cli("scan", str(root), "--out", str(out), "--quiet")
    assert p.returncode == 0, p.stderr
    man = json.loads((out / "manifest.json").read_text())
    (ftm,) = [lst for lst in man["intel"] if lst["id"].startswith("ftm:")]
    assert ftm["files"][0]["loaded"] == 1 and ftm["files"][0]["rejected"] == 1
    assert any(g["path"].startswith("hr/") and g["path"].endswith(".csv") for g in man["ignored_files"])


def test_a_stage_that_fails_on_an_engine_is_not_called_a_gap() -> None:
    """A Spark job that dies (out of memory, SparkContext shut down) was reported as "the
    sources stage does not run on spark yet": a failure must say it failed, and only a
    construct the dialect refuses is a gap."""
    from types import SimpleNamespace

    from unmask.engine import EngineError
    from unmask.engine.dialect import DialectError
    from unmask.pipeline import EngineGap, _stage

    spark: Any = SimpleNamespace(name="spark")

    def stopped(exc: BaseException) -> str:
        with pytest.raises(EngineGap) as got, _stage(spark, "sources"):
            raise exc
        return str(got.value)

    assert stopped(EngineError("Job 97 cancelled because SparkContext was shut down", "--", "spark")) == (
        "the sources stage failed on spark: Job 97 cancelled because SparkContext was shut down")
    try:
        raise DialectError("ASOF joins have no Spark equivalent")
    except DialectError as d:
        wrapped = EngineError(str(d), "--", "spark")
        wrapped.__cause__ = d
    assert stopped(wrapped) == "the sources stage does not run on spark yet: ASOF joins have no Spark equivalent"
    assert stopped(NotImplementedError("load_lines")) == "the sources stage does not run on spark yet: load_lines"
    with pytest.raises(EngineError), _stage(SimpleNamespace(name="duckdb"), "sources"):  # type: ignore[arg-type]
        raise EngineError("a bug", "--", "duckdb")
