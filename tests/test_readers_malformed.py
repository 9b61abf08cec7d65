"""Bad input never crashes a reader and never disappears: read = loaded + rejected, always."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import EMP_COLS, assert_reconciles, jsonl, load_parts, run, write_csv
from unmask.config import Config

OKTA_OK = {"uuid": "u1", "published": "2026-09-01T10:00:00.000Z", "eventType": "user.session.start",
           "actor": {"alternateId": "a@x.com"}, "client": {"ipAddress": "198.51.100.1"}}


def test_truncated_gzip_keeps_whole_lines_and_says_so(tmp_path: Path) -> None:
    lines = [json.dumps(dict(OKTA_OK, uuid=f"u{i}")) for i in range(3000)]
    data = gzip.compress(("\n".join(lines) + "\n").encode())
    (tmp_path / "idp/okta").mkdir(parents=True)
    (tmp_path / "idp/okta/log.jsonl.gz").write_bytes(data[: len(data) // 2])
    ctx = load_parts(tmp_path)
    (rep,) = ctx.files
    assert rep.status == "partial" and "truncated" in rep.note
    assert 0 < rep.loaded < 3000 and rep.rejected == 1
    (reason,) = ctx.engine.query("SELECT reason FROM rejects")[0]
    assert "truncated" in reason
    assert_reconciles(ctx)


def test_gzip_without_suffix_is_read(tmp_path: Path) -> None:
    (tmp_path / "idp/okta").mkdir(parents=True)
    (tmp_path / "idp/okta/log.jsonl").write_bytes(gzip.compress((json.dumps(OKTA_OK) + "\n").encode()))
    ctx = load_parts(tmp_path)
    assert [(f.loaded, f.rejected) for f in ctx.files] == [(1, 0)]


def test_binary_garbage_csv_is_unreadable_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "hr").mkdir()
    (tmp_path / "hr/employees.csv").write_bytes(bytes(range(256)) * 40)
    ctx = load_parts(tmp_path)
    (rep,) = ctx.files
    assert rep.status == "unreadable" and rep.loaded == 0
    assert ctx.engine.query("SELECT unit FROM rejects")[0][0] == "file"


def test_bad_utf8_lines_are_rejected_one_by_one(tmp_path: Path) -> None:
    (tmp_path / "idp/okta").mkdir(parents=True)
    good = json.dumps(OKTA_OK).encode()
    (tmp_path / "idp/okta/l.jsonl").write_bytes(good + b"\n" + b'{"uuid": "\xff\xfe"}\n' + good + b"\nnot json\n")
    ctx = load_parts(tmp_path)
    rows = ctx.engine.query("SELECT line, reason FROM rejects ORDER BY line")
    assert rows == [(2, "not valid UTF-8"), (4, "not valid JSON")]
    assert ctx.engine.query("SELECT list(line ORDER BY line) FROM okta_events")[0][0] == [1, 3]
    assert_reconciles(ctx)


def test_csv_in_another_encoding_is_rejected_by_row(tmp_path: Path) -> None:
    (tmp_path / "hr").mkdir()
    (tmp_path / "hr/employees.csv").write_bytes(
        b"employee_id,full_name,email\nE1,Ann,a@x\nE2,Jos\xe9 P\xe9rez,j@x\nE3,Cy,c@x\n"
    )
    ctx = load_parts(tmp_path)
    assert ctx.engine.query("SELECT line, reason FROM rejects")[0] == (3, "not valid UTF-8 (column full_name)")
    assert ctx.engine.query("SELECT list(employee_id ORDER BY line), list(line ORDER BY line) FROM employees")[0] == (
        ["E1", "E3"], [2, 4])


def test_csv_missing_required_column(tmp_path: Path) -> None:
    write_csv(tmp_path / "hr/employees.csv", ["employee_id", "email"], [{"employee_id": "E1", "email": "a@x"}])
    ctx = load_parts(tmp_path)
    (rep,) = ctx.files
    assert rep.status == "unreadable" and "full_name" in rep.note


def test_column_mapping_from_config(tmp_path: Path) -> None:
    write_csv(tmp_path / "hr/employees.csv", ["Worker ID", "Legal Name", "Work Email"],
              [{"Worker ID": "E1", "Legal Name": "Ann Lee", "Work Email": "A@X.COM"}])
    cfg = Config(columns={"employees": {"employee_id": "Worker ID", "full_name": "Legal Name", "email": "Work Email"}})
    ctx = load_parts(tmp_path, cfg)
    assert ctx.engine.query("SELECT employee_id, full_name, email FROM employees")[0] == ("E1", "Ann Lee", "a@x.com")


def test_duplicate_ids_are_rejected_not_merged(tmp_path: Path) -> None:
    write_csv(tmp_path / "hr/employees.csv", EMP_COLS, [
        {"employee_id": "E1", "full_name": "Ann", "email": "a@x"},
        {"employee_id": "E1", "full_name": "Other Ann", "email": "b@x"},
        {"employee_id": "E2", "full_name": "Bo", "email": "c@x"},
    ])
    ctx = load_parts(tmp_path)
    assert ctx.engine.query("SELECT line, reason FROM rejects")[0] == (
        3, "duplicate employee_id (first seen at line 2 of hr/employees.csv)")
    assert ctx.engine.query("SELECT full_name FROM employees WHERE employee_id = 'E1'")[0][0] == "Ann"


def test_oversize_line_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "idp/okta").mkdir(parents=True)
    big = dict(OKTA_OK, displayMessage="x" * 5000)
    (tmp_path / "idp/okta/l.jsonl").write_text(json.dumps(OKTA_OK) + "\n" + json.dumps(big) + "\n")
    ctx = load_parts(tmp_path, Config(max_line_bytes=2048))
    assert ctx.engine.query("SELECT line, reason FROM rejects")[0] == (2, "record longer than the size limit")
    assert_reconciles(ctx)


def test_formula_and_markup_in_names_stay_text(tmp_path: Path) -> None:
    hostile = '=HYPERLINK("http://evil","x") <script>alert(1)</script>'
    write_csv(tmp_path / "b/hr/employees.csv", EMP_COLS, [
        {"employee_id": "E1", "full_name": hostile, "email": "a@x", "national_id": "900-11-1111"},
        {"employee_id": "E2", "full_name": "Bo", "email": "b@x", "national_id": "900111111"},
    ])
    out = tmp_path / "out"
    run(tmp_path / "b", out)
    f = {r["subject"]["id"]: r for r in jsonl(out / "findings.jsonl")}
    assert f["E1"]["subject"]["name"] == hostile  # JSON keeps the value exactly
    html = (out / "report.html").read_text()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_json_values_that_are_not_objects(tmp_path: Path) -> None:
    (tmp_path / "code/audit").mkdir(parents=True)
    (tmp_path / "code/audit/a.jsonl").write_text('[1,2]\n"str"\n{"action":"git.clone","created_at":1727000000000}\n')
    ctx = load_parts(tmp_path)
    assert ctx.engine.query("SELECT list(reason ORDER BY line) FROM rejects")[0][0] == [
        "not a JSON object", "not a JSON object"]
    assert ctx.engine.query("SELECT strftime(observed_at, '%Y') FROM code_audit")[0][0] == "2024"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.binary(max_size=200), min_size=1, max_size=30))
def test_any_bytes_as_jsonl_reconcile(tmp_path_factory: object, lines: list[bytes]) -> None:
    root = tmp_path_factory.mktemp("h")  # type: ignore[attr-defined]
    (root / "endpoint/osquery").mkdir(parents=True)
    (root / "endpoint/osquery/r.log").write_bytes(b"\n".join(lines) + b"\n")
    ctx = load_parts(root)
    assert_reconciles(ctx)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.text(max_size=30), min_size=1, max_size=6), min_size=1, max_size=20))
def test_any_text_as_csv_reconciles(tmp_path_factory: object, rows: list[list[str]]) -> None:
    import csv
    import io

    root = tmp_path_factory.mktemp("c")  # type: ignore[attr-defined]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["employee_id", "full_name", "email", "hire_date"])
    w.writerows(rows)
    (root / "hr").mkdir()
    (root / "hr/employees.csv").write_text(buf.getvalue())
    ctx = load_parts(root)
    assert_reconciles(ctx)
    (rep,) = ctx.files
    assert rep.status == "unreadable" or rep.read >= 1


def test_files_read_together_keep_their_own_line_numbers(tmp_path: Path) -> None:
    (tmp_path / "idp/okta").mkdir(parents=True)
    ok = [json.dumps(dict(OKTA_OK, uuid=f"a{i}")) for i in range(5)]
    (tmp_path / "idp/okta/a.jsonl").write_text("\n".join(ok) + "\n")
    (tmp_path / "idp/okta/b.jsonl").write_bytes(
        b"\n".join([ok[0].encode(), b"\xff broken", b"", ok[1].encode(), b"nope", ok[2].encode()]) + b"\n"
    )
    (tmp_path / "idp/okta/c.jsonl").write_text(ok[3] + "\n")
    ctx = load_parts(tmp_path)
    lines = dict(ctx.engine.query(
        "SELECT source_file, list(line ORDER BY line) FROM okta_events GROUP BY source_file"))
    assert lines == {"idp/okta/a.jsonl": [1, 2, 3, 4, 5], "idp/okta/b.jsonl": [1, 4, 6], "idp/okta/c.jsonl": [1]}
    rej = ctx.engine.query("SELECT file, line, reason FROM rejects ORDER BY file, line")
    assert rej == [("idp/okta/b.jsonl", 2, "not valid UTF-8"), ("idp/okta/b.jsonl", 5, "not valid JSON")]
    assert_reconciles(ctx)
    assert {f.path: (f.read, f.loaded, f.rejected) for f in ctx.files} == {
        "idp/okta/a.jsonl": (5, 5, 0), "idp/okta/b.jsonl": (5, 3, 2), "idp/okta/c.jsonl": (1, 1, 0)}


def _part_file(part_id: str) -> str:
    from unmask.sources import PARTS_BY_ID

    g = PARTS_BY_ID[part_id].globs[0]
    return g.replace("*", "garbage")


ALL_PART_IDS = [
    "hr.employees", "hr.candidates", "hr.references", "hr.changes", "hr.interviews", "assets.devices",
    "assets.shipments", "payroll.deposits", "activity", "intel.iocs", "idp.okta", "idp.entra",
    "endpoint.osquery", "endpoint.sysmon", "code.audit",
]


def test_the_list_above_names_every_part() -> None:
    from unmask.sources import ALL_PARTS

    assert sorted(ALL_PART_IDS) == sorted(p.id for p in ALL_PARTS)


@pytest.mark.parametrize("part_id", ALL_PART_IDS)
@pytest.mark.parametrize("kind", ["binary", "truncated_gzip", "empty", "bad_utf8_lines"])
def test_every_reader_survives_bad_files(part_id: str, kind: str, tmp_path: Path) -> None:
    rel = _part_file(part_id)
    target = tmp_path / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind == "binary":
        target.write_bytes(bytes(range(256)) * 64)
    elif kind == "truncated_gzip":
        target = target.with_name(target.name + ".gz")
        target.write_bytes(gzip.compress(b"a,b,c\n" * 5000)[:300])
    elif kind == "empty":
        target.write_bytes(b"")
    else:
        target.write_bytes(b'{"x": "\xff"}\n\xfe\xfe,\xfe\n')
    ctx = load_parts(tmp_path)
    assert len(ctx.files) == 1
    rep = ctx.files[0]
    assert rep.read == rep.loaded + rep.rejected
    n = ctx.engine.query("SELECT count(*) FROM rejects")[0][0]
    # Something was said about the file: rejected records, or one reject for the whole file.
    assert n >= 1 or kind == "empty"
    if rep.status == "unreadable":
        assert rep.note and ctx.engine.query("SELECT unit FROM rejects")[0][0] == "file"


def test_truncated_gzip_csv_keeps_whole_rows(tmp_path: Path) -> None:
    body = "employee_id,full_name,email\n" + "".join(f"E{i},Name {i},e{i}@x\n" for i in range(20000))
    data = gzip.compress(body.encode())
    (tmp_path / "hr").mkdir()
    (tmp_path / "hr/employees.csv.gz").write_bytes(data[: len(data) // 2])
    ctx = load_parts(tmp_path)
    (rep,) = ctx.files
    assert rep.status == "partial" and 0 < rep.loaded < 20000
    assert ctx.engine.query("SELECT count(*) FROM rejects WHERE reason LIKE 'the gzip stream is truncated%'")[0][0] == 1
    assert_reconciles(ctx)
