"""The CLI's promises (issue 14, items 14, 15, 17, 18, 19): text shown as text, gaps said first,
help without the pipeline, a clean subject is no error. Each test is on the failing shape."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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


def test_egress_hints_are_masked_like_the_others(demo_scan: tuple[Truth, ScanResult, Path]) -> None:
    # Item 21: a cluster's egress-IP link carried the whole home IP as its "hint".
    _, result, _ = demo_scan
    hints = [lk["value_hint"] for c in jsonl(result.out / "clusters.jsonl") for lk in c["links"]
             if lk["via"] == "egress_ip"]
    assert hints and all(h.endswith(".…") and h.count(".") == 2 for h in hints), hints
