"""Issue 14, items 1-7: line numbers and counts, and no record lost without a reject.

Each shape has a file in ``tests/data/malformed/`` (the fuzz corpus) or a real damaged log in
``tests/data/evtx-damaged/``; big inputs are made here, with the size limit scaled down.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.helpers import DATA, DEP_COLS, EMP_COLS, assert_reconciles, dep, emp, findings, load_parts, run, write_csv
from unmask.cli import app
from unmask.config import Config
from unmask.engine import open_engine
from unmask.engine.textfiles import Source, count_lines, physical_lines
from unmask.pipeline import validate
from unmask.sensitive import load_tokenizer
from unmask.sources.base import LoadContext

MALFORMED = DATA / "malformed"
DAMAGED = DATA / "evtx-damaged"


def _physical(data: bytes) -> list[bytes]:
    """Physical lines as the contract defines them (LF, CRLF or CR end a line)."""
    return data.splitlines()


def _employees(root: Path, data: bytes, name: str = "employees.csv") -> Path:
    (root / "hr").mkdir(parents=True, exist_ok=True)
    (root / "hr" / name).write_bytes(data)
    return root


def _emp_lines(ctx: LoadContext) -> list[tuple[int, str]]:
    return [(int(a), str(b)) for a, b in ctx.engine.query("SELECT line, employee_id FROM employees ORDER BY line")]


def _rejects(ctx: LoadContext) -> list[tuple[int | None, str]]:
    return [(r[0], str(r[1])) for r in ctx.engine.query("SELECT line, reason FROM rejects ORDER BY line")]


# --- 1. one reject per record, true lines --------------------------------------------------

H = b"employee_id,full_name,email\n"


def _rows(a: int, b: int) -> bytes:
    return b"".join(b"E%d,Name %d,e%d@corp.example\n" % (i, i, i) for i in range(a, b))


@pytest.mark.parametrize("where", ["start", "middle", "end"])
@pytest.mark.parametrize("bad", [b"EX,Ann", b"EX,Ann,a@x,extra,more", b"\x00\x00\x00\x00"])
def test_a_row_with_the_wrong_field_count_is_one_reject_and_lines_stay_true(
    tmp_path: Path, where: str, bad: bytes
) -> None:
    good = [b"E%d,Name %d,e%d@corp.example" % (i, i, i) for i in range(4)]
    at = {"start": 0, "middle": 2, "end": 4}[where]
    body = good[:at] + [bad] + good[at:]
    data = H + b"\n".join(body) + b"\n"
    ctx = load_parts(_employees(tmp_path, data))
    (rep,) = ctx.files
    assert (rep.read, rep.loaded, rep.rejected) == (5, 4, 1)  # 5 records, not one reject per column
    bad_line = at + 2
    ((line, reason),) = _rejects(ctx)
    assert line == bad_line and "fields than the header" in reason and "EX" not in reason
    lines = _physical(data)
    for n, eid in _emp_lines(ctx):
        assert lines[n - 1].split(b",")[0].decode() == eid  # the cited line holds the record
    assert_reconciles(ctx)


def test_a_good_file_still_takes_the_fast_path(tmp_path: Path) -> None:
    """The careful reader is for damaged files; an intact one is numbered by the engine alone."""
    ctx = LoadContext(open_engine(None), tmp_path, Config(), load_tokenizer())
    p = tmp_path / "e.csv"
    p.write_bytes(H + _rows(0, 50))
    assert ctx.engine.load_csv(p, ["employee_id", "full_name", "email"], "v", 1 << 20) == []
    assert ctx.engine.query("SELECT min(line), max(line), count(*) FROM v") == [(2, 51, 50)]
    assert ctx.engine.table_exists("v")  # a view over the read: nothing was read twice


_NAME = st.text(alphabet=st.sampled_from(list("ab ,\"")), max_size=6)


@st.composite
def _csv_file(draw: st.DrawFn) -> tuple[bytes, set[str], int]:
    """A CSV mixing good records (some quoted over several lines), bad rows and blank lines,
    with any line ends; returns the bytes, the ids that must load, and the bad row count."""
    ends = draw(st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1, max_size=3))
    out = ["employee_id,full_name,email" + ends[0]]
    ids: set[str] = set()
    bad = 0
    for i in range(draw(st.integers(1, 25))):
        kind = draw(st.sampled_from(["good", "good", "multi", "bad", "blank"]))
        end = draw(st.sampled_from(ends))
        if kind == "blank":
            out.append(end)
        elif kind == "bad":
            out.append(f"BAD{i},only two{end}")
            bad += 1
        else:
            name = "n" + draw(_NAME).replace('"', '""')
            if kind == "multi":
                name = name + draw(st.sampled_from(ends)) + draw(_NAME).replace('"', '""')
            out.append(f'E{i},"{name}",e{i}@x{end}')
            ids.add(f"E{i}")
    return "".join(out).encode(), ids, bad


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_csv_file())
def test_every_loaded_file_line_holds_its_record_id(tmp_path_factory: pytest.TempPathFactory,
                                                    case: tuple[bytes, set[str], int]) -> None:
    data, ids, bad = case
    root = _employees(tmp_path_factory.mktemp("p"), data)
    ctx = load_parts(root)
    (rep,) = ctx.files
    lines = _physical(data)
    got = _emp_lines(ctx)
    assert {eid for _n, eid in got} == ids and rep.rejected == bad and rep.read == len(ids) + bad
    for n, eid in got:  # ``line`` is the record's first physical line
        assert lines[n - 1].startswith(f"{eid},".encode()), (n, eid)
    for n, _reason in _rejects(ctx):
        assert n is not None and lines[n - 1].startswith(b"BAD")


def test_evidence_file_line_holds_the_subject_id(tmp_path: Path) -> None:
    """End to end: bad rows and a record over two lines ahead of the evidence rows."""
    b = tmp_path / "b"
    emps = [emp("E1", "Ann Lee"), emp("E2", "Bo Park"), emp("E3", "Cy Kim")]
    write_csv(b / "hr/employees.csv", EMP_COLS, emps)
    write_csv(b / "payroll/deposits.csv", DEP_COLS,
              [dep("E1", "1234567890", "Ann Lee"), dep("E2", "1234567890", "Bo Park")])
    emp_path, dep_path = b / "hr/employees.csv", b / "payroll/deposits.csv"
    head, *rest = emp_path.read_bytes().split(b"\r\n")
    emp_path.write_bytes(b"\r\n".join([head, b"E9,too,few", *rest]).replace(b"Ann Lee", b'"Ann\r\nLee"', 1))
    head, *rest = dep_path.read_bytes().split(b"\r\n")
    dep_path.write_bytes(b"\r\n".join([head, b'E8,"unterminated', b"", *rest]))
    (b / "hr/employees.txt").write_text("misnamed\n")
    out = tmp_path / "out"
    run(b, out)
    from unmask.results import Results

    meta = Results.open(out).meta()
    assert meta.ignored_files == [{"path": "hr/employees.txt",
                                   "reason": "matches no part of the bundle; did you mean hr/employees.csv?"}]
    cited = 0
    for sid, f in findings(out).items():
        for ev in f["evidence"]:
            src = ev.get("source") or ""
            if ":" in src and src.rsplit(":", 1)[1].isdigit():
                rel, n = src.rsplit(":", 1)
                lines = _physical((b / rel).read_bytes())
                assert sid.encode() in lines[int(n) - 1], (src, sid)
                cited += 1
    assert cited >= 2  # the shared account was found and cited on both deposit rows


# --- 2. an unterminated quote costs one record ---------------------------------------------

def test_unterminated_quote_rejects_only_its_record(tmp_path: Path) -> None:
    data = (MALFORMED / "employees-unterminated-quote.csv").read_bytes()
    ctx = load_parts(_employees(tmp_path, data))
    assert [eid for _n, eid in _emp_lines(ctx)] == ["E0", "E1", "E3", "E4", "E5"]
    ((line, reason),) = _rejects(ctx)
    assert line == 4 and "unterminated or stray quote" in reason and "resumed at the next line" in reason
    assert [n for n, _e in _emp_lines(ctx)] == [2, 3, 5, 6, 7]


def test_screen_still_screens_the_names_after_a_broken_quote(tmp_path: Path) -> None:
    names = tmp_path / "names.csv"
    names.write_text('name,schema\n"Broken Quote,Person\nKim Sang-man,Person\nVolasys Silver Star,Company\n',
                     encoding="utf-8")
    out = tmp_path / "hits.jsonl"
    res = CliRunner().invoke(app, ["screen", str(names), "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["row"] for r in rows] == [2, 3, 4]
    assert "unterminated" in rows[0]["error"]
    assert rows[1]["matches"] and rows[1]["matches"][0]["entity_id"] == "43377"
    assert rows[2]["matches"] and rows[2]["matches"][0]["entity_id"] == "24978"


# --- 3. file names are literal ----------------------------------------------------------------

def test_glob_characters_in_file_names_are_literal(tmp_path: Path) -> None:
    okta = tmp_path / "idp/okta"
    okta.mkdir(parents=True)
    ev = {"uuid": "u", "published": "2026-09-01T10:00:00Z", "eventType": "user.session.start",
          "client": {"ipAddress": "198.51.100.1"}}
    (okta / "[c].jsonl").write_text(json.dumps(dict(ev, uuid="bracket")) + "\n")
    (okta / "c.jsonl").write_text(json.dumps(dict(ev, uuid="c1")) + "\n" + json.dumps(dict(ev, uuid="c2")) + "\n")
    act = tmp_path / "activity"
    act.mkdir()
    (act / "a*.csv").write_text("actor_email,timestamp\nstar@x,2026-09-01T10:00:00Z\n")
    (act / "ab.csv").write_text("actor_email,timestamp\nab@x,2026-09-01T10:00:00Z\nab2@x,2026-09-01T11:00:00Z\n")
    (act / "a?.csv").write_text("actor_email,timestamp\nq@x,2026-09-01T10:00:00Z\n")
    ctx = load_parts(tmp_path)
    okta_rows = ctx.engine.query("SELECT source_file, list(uuid ORDER BY line) FROM okta_events GROUP BY 1 ORDER BY 1")
    assert okta_rows == [("idp/okta/[c].jsonl", ["bracket"]), ("idp/okta/c.jsonl", ["c1", "c2"])]
    act_rows = ctx.engine.query(
        "SELECT source_file, list(actor_email ORDER BY line) FROM activity GROUP BY 1 ORDER BY 1")
    assert act_rows == [("activity/a*.csv", ["star@x"]), ("activity/a?.csv", ["q@x"]),
                        ("activity/ab.csv", ["ab@x", "ab2@x"])]
    assert {f.path: f.read for f in ctx.files} == {"idp/okta/[c].jsonl": 1, "idp/okta/c.jsonl": 2,
                                                   "activity/a*.csv": 1, "activity/a?.csv": 1, "activity/ab.csv": 2}


# --- 4. damaged EVTX ---------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "loaded", "damaged", "words"), [
    ("sysmon.evtx.gz", 358, 8, "bad chunk header"),
    ("2-vss_0-Microsoft-Windows-RemoteDesktopServices-RdpCoreTS%4Operational.evtx.gz", 1910, 4, "could not"),
    ("sample-with-zero-data-size-event.evtx.gz", 335, 1, "invalid size"),
    ("sample_with_a_bad_chunk_magic.evtx.gz", 270, 2, "bad chunk header"),
])
def test_damaged_evtx_keeps_every_record_the_parser_yields(
    tmp_path: Path, name: str, loaded: int, damaged: int, words: str
) -> None:
    (tmp_path / "endpoint/sysmon").mkdir(parents=True)
    shutil.copy(DAMAGED / name, tmp_path / "endpoint/sysmon" / name)
    ctx = load_parts(tmp_path)
    (rep,) = ctx.files
    assert (rep.loaded, rep.rejected, rep.status) == (loaded, damaged, "partial")
    reasons = [r for _n, r in _rejects(ctx)]
    assert len(reasons) == damaged and any(words in r for r in reasons)
    assert not any("[" in r or "found" in r for r in reasons)  # the parser's quoted bytes stay out
    assert ctx.engine.query("SELECT count(DISTINCT line) FROM endpoint_events")[0][0] == loaded
    assert_reconciles(ctx)


def test_evtx_cut_mid_chunk_says_what_was_lost(tmp_path: Path) -> None:
    name = "DE_RDP_Tunneling_TerminalServices-RemoteConnectionManagerOperational_1149.evtx"
    src = DATA / "evtx/command_and_control" / name
    whole = src.read_bytes()
    (tmp_path / "endpoint/sysmon").mkdir(parents=True)
    # Chunk 1 holds records 1-128, chunk 2 the other 100; the copy stops inside chunk 2.
    (tmp_path / "endpoint/sysmon/cut.evtx").write_bytes(whole[: 4096 + 65536 + 20000])
    ctx = load_parts(tmp_path)
    (rep,) = ctx.files
    assert (rep.status, rep.loaded, rep.rejected) == ("partial", 128, 1)
    assert _rejects(ctx) == [(129, "the EVTX file is cut short inside chunk 2: its records could not be read")]
    assert_reconciles(ctx)


def test_intact_evtx_and_evtx_gz_read_alike(tmp_path: Path) -> None:
    src = DATA / "evtx/lateral_movement/DFIR_RDP_Client_TimeZone_RdpCoreTs_104_example.evtx"
    (tmp_path / "endpoint/sysmon").mkdir(parents=True)
    shutil.copy(src, tmp_path / "endpoint/sysmon/a.evtx")
    (tmp_path / "endpoint/sysmon/b.evtx.gz").write_bytes(gzip.compress(src.read_bytes()))
    ctx = load_parts(tmp_path)
    assert [(f.loaded, f.rejected, f.status) for f in ctx.files] == [(21, 0, "ok"), (21, 0, "ok")]


# --- 5. a record over the limit is a reject, with its line ------------------------------------

def test_a_record_far_over_the_limit_is_a_reject_with_its_line(tmp_path: Path) -> None:
    """DuckDB drops a line longer than ~32 times its limit without a word; the count of line
    ends catches it. The limit is scaled down to 1 MiB, so the line is 40 MiB, not 128."""
    (tmp_path / "idp/okta").mkdir(parents=True)
    ok = [json.dumps({"uuid": f"u{i}", "published": "2026-09-01T10:00:00Z"}) for i in range(3)]
    with (tmp_path / "idp/okta/l.jsonl").open("w") as fh:
        fh.write(ok[0] + "\n")
        fh.write('{"uuid": "big", "x": "' + "y" * (40 << 20) + '"}\n')
        fh.write(ok[1] + "\n" + ok[2] + "\n")
    ctx = load_parts(tmp_path, Config(max_line_bytes=1 << 20))
    assert _rejects(ctx) == [(2, f"record over {1 << 20} bytes")]
    assert ctx.engine.query("SELECT list(line ORDER BY line) FROM okta_events")[0][0] == [1, 3, 4]
    assert_reconciles(ctx)


def test_csv_record_over_the_limit_keeps_the_next_line_number(tmp_path: Path) -> None:
    data = H + _rows(0, 2) + b"E2,Name 2," + b"x" * (3 << 20) + b"\n" + _rows(3, 5)
    ctx = load_parts(_employees(tmp_path, data), Config(max_line_bytes=1 << 20))
    assert [n for n, _r in _rejects(ctx)] == [4]
    assert _emp_lines(ctx) == [(2, "E0"), (3, "E1"), (5, "E3"), (6, "E4")]


def test_json_array_element_over_the_limit_is_one_reject(tmp_path: Path) -> None:
    (tmp_path / "idp/okta").mkdir(parents=True)
    elems = [{"uuid": "a", "published": "2026-09-01T10:00:00Z"}, {"uuid": "big", "x": "y" * (3 << 20)},
             {"uuid": "c", "published": "2026-09-01T10:00:00Z"}]
    (tmp_path / "idp/okta/a.json").write_text(json.dumps(elems))
    ctx = load_parts(tmp_path, Config(max_line_bytes=1 << 20))
    assert _rejects(ctx) == [(2, f"record over {1 << 20} bytes")]
    assert ctx.engine.query("SELECT list(uuid ORDER BY line), list(line ORDER BY line) FROM okta_events")[0] == (
        ["a", "c"], [1, 3])
    assert_reconciles(ctx)


def test_json_document_over_its_limit_is_refused_with_a_reason(tmp_path: Path) -> None:
    """A whole document (a Graph page) is held at once: past 32 records' worth (at least
    16 MiB) it is refused with a reason instead of costing gigabytes of memory."""
    (tmp_path / "idp/entra").mkdir(parents=True)
    page = {"value": [{"id": str(i), "createdDateTime": "2026-09-01T10:00:00Z", "pad": "z" * 4000}
                      for i in range(5000)]}  # ~20 MB
    (tmp_path / "idp/entra/page.json").write_text(json.dumps(page, indent=1))
    ctx = load_parts(tmp_path, Config(max_line_bytes=4096))
    (rep,) = ctx.files
    assert rep.status == "unreadable" and "over 16777216 bytes" in rep.note and "JSON Lines" in rep.note


# --- 6. compressed input and line ends -----------------------------------------------------

def test_gzip_with_trailing_garbage_keeps_every_record(tmp_path: Path) -> None:
    ctx = load_parts(_employees(tmp_path, (MALFORMED / "employees-trailing-garbage.csv.gz").read_bytes(),
                           "employees.csv.gz"))
    (rep,) = ctx.files
    assert (rep.loaded, rep.rejected, rep.status) == (400, 1, "partial")
    ((line, reason),) = _rejects(ctx)
    assert line == 402 and "not gzip" in reason and "after line 401" in reason
    assert_reconciles(ctx)


def test_truncated_gzip_keeps_whole_records_and_names_the_stop(tmp_path: Path) -> None:
    data = (MALFORMED / "employees-truncated.csv.gz").read_bytes()
    ctx = load_parts(_employees(tmp_path, data, "employees.csv.gz"))
    (rep,) = ctx.files
    kept = _emp_lines(ctx)
    assert rep.status == "partial" and 0 < len(kept) < 400 and rep.rejected == 1
    assert kept == [(i + 2, f"E{i}") for i in range(len(kept))]  # every whole row, in place
    ((line, reason),) = _rejects(ctx)
    assert line == len(kept) + 2 and "truncated" in reason and f"after line {len(kept) + 1}" in reason


def test_two_gzip_members_are_one_file(tmp_path: Path) -> None:
    data = (MALFORMED / "employees-two-members.csv.gz").read_bytes()
    ctx = load_parts(_employees(tmp_path, data, "employees.csv.gz"))
    assert [e for _n, e in _emp_lines(ctx)] == [f"E{i}" for i in range(6)] and _rejects(ctx) == []


def test_mixed_line_ends_are_read(tmp_path: Path) -> None:
    ctx = load_parts(_employees(tmp_path, (MALFORMED / "employees-mixed-line-ends.csv").read_bytes()))
    assert _emp_lines(ctx) == [(2, "E0"), (3, "E1"), (4, "E2")]
    (tmp_path / "idp/okta").mkdir(parents=True)
    shutil.copy(MALFORMED / "okta-mixed-line-ends.jsonl", tmp_path / "idp/okta/m.jsonl")
    ctx = load_parts(tmp_path)
    assert ctx.engine.query("SELECT list(uuid ORDER BY line), list(line ORDER BY line) FROM okta_events")[0] == (
        ["u0", "u1", "u2", "u3"], [1, 2, 3, 4])


def test_salvage_writes_no_clear_value_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A damaged gzip is read as a stream: no salvaged copy of the clear file is written."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    ssn = "900-11-2345"
    body = "employee_id,full_name,email,national_id\n" + "".join(f"E{i},N {i},e{i}@x,{ssn}\n" for i in range(3000))
    z = gzip.compress(body.encode())
    b = _employees(tmp_path / "b", z[: len(z) // 2], "employees.csv.gz")
    out = tmp_path / "out"
    run(b, out)
    for root in (tmp, out):
        for p in root.rglob("*"):
            if p.is_file():
                assert ssn.encode() not in p.read_bytes(), p


def test_scratch_space_is_private_and_inside_the_output(tmp_path: Path) -> None:
    work = tmp_path / "o/.unmask-partial/.work"
    ctx = LoadContext(open_engine(None), tmp_path, Config(), load_tokenizer(), workdir=work)
    assert ctx.workdir.stat().st_mode & 0o777 == 0o700


# --- 7. links and unreadable folders ----------------------------------------------------------

def test_links_leaving_the_bundle_are_not_followed_and_are_listed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_text("employee_id,full_name,email\nX1,Secret Person,s@x\n")
    b = tmp_path / "b"
    write_csv(b / "hr/candidates.csv", ["candidate_id", "full_name"], [{"candidate_id": "C1", "full_name": "Cy"}])
    (b / "hr/employees.csv").symlink_to(outside)
    (b / "assets").mkdir()
    (b / "assets/devices.csv").symlink_to(b / "assets/nowhere.csv")  # dangling
    (b / "activity").mkdir()
    (b / "activity/loop").symlink_to(b / "activity")  # a folder link back up
    (b / "idp").symlink_to(tmp_path)  # a folder outside
    (b / "payroll").mkdir()
    (b / "payroll/deposits.csv").symlink_to(b / "hr/candidates.csv")  # a file inside: followed
    ctx = load_parts(b)
    assert ctx.engine.query("SELECT count(*) FROM employees")[0][0] == 0
    assert {f.path for f in ctx.files} == {"hr/candidates.csv", "payroll/deposits.csv"}
    man = validate(b)
    ignored = {g["path"]: g["reason"] for g in man["ignored_files"]}
    assert "outside the bundle" in ignored["hr/employees.csv"]
    assert "dangling" in ignored["assets/devices.csv"]
    assert "loop" in ignored["activity/loop"]
    assert "outside the bundle" in ignored["idp"]
    assert "payroll/deposits.csv" not in ignored
    res = CliRunner().invoke(app, ["validate", str(b), "-q"])
    assert "ignored hr/employees.csv: symbolic link to a place outside the bundle" in res.output
    assert "Secret Person" not in res.output


def test_an_unreadable_folder_is_listed_with_its_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_csv(tmp_path / "hr/employees.csv", EMP_COLS, [emp("E1", "Ann Lee")])
    (tmp_path / "activity").mkdir()
    real = os.scandir

    def scandir(path: object) -> object:
        if str(path).endswith("activity"):
            raise PermissionError(13, "Permission denied")
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    man = validate(tmp_path)
    assert {"path": "activity/", "reason": "folder cannot be read (Permission denied)"} in man["ignored_files"]
    assert man["totals"]["loaded"] == 1  # the rest of the bundle is read


# --- the careful reader's own accounting -----------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300), st.integers(1, 40))
def test_the_fast_line_count_agrees_with_the_careful_reader(data: bytes, limit: int) -> None:
    import tempfile

    assume(not data.startswith(b"\x1f\x8b"))  # that is a gzip stream: read as one, not counted raw
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "f"
        p.write_bytes(data)
        lines = list(physical_lines(Source(p), limit))
        c = count_lines(p)
    assert c is not None and c.lines == len(lines) == len(_physical(data))
    blank = 0
    for ln in reversed(lines):
        if ln.data != b"":
            break
        blank += 1
    assert c.trailing_blank == blank
    assert all(ln.data is None or len(ln.data) <= limit for ln in lines)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"\n", b"\r", b"\r\n", b"xyz"]), max_size=400), st.integers(1, 64))
def test_the_vectorised_line_count_agrees_with_the_careful_reader(parts: list[bytes], chunk: int) -> None:
    # Chunks are small here, so a \r\n falls across their edges as it does between the 1 MiB
    # chunks of a big file, and the line ends are many.
    import tempfile

    import unmask.engine.textfiles as tf

    data = b"".join(parts)
    with tempfile.TemporaryDirectory() as d, pytest.MonkeyPatch.context() as mp:
        p = Path(d) / "f"
        p.write_bytes(data)
        mp.setattr(tf, "CHUNK", chunk)
        c = count_lines(p)
        lines = list(physical_lines(Source(p), 1 << 20))
    assert c is not None and c.lines == len(lines) == len(_physical(data))
    blank = len(lines) - len(list(itertools.dropwhile(lambda ln: ln.data == b"", reversed(lines))))
    assert c.trailing_blank == blank
    a = np.frombuffer(data, dtype=np.uint8)
    mask = np.empty(len(data), dtype=np.bool_)
    assert tf._terms(a, mask, b"\r" in data) == data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
