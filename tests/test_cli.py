"""The command line: exit codes, one-line errors, and --fail-on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import EMP_COLS, bundle, dep, emp
from unmask.model import cluster_id


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("UNMASK_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "unmask.cli", *args], capture_output=True, text=True, env=env,
                          check=False)


def test_version() -> None:
    p = _cli("--version")
    assert p.returncode == 0 and p.stdout.startswith("unmask ")


def test_missing_bundle_is_exit_2_one_line(tmp_path: Path) -> None:
    p = _cli("scan", str(tmp_path / "nope"), "--out", str(tmp_path / "o"))
    assert p.returncode == 2
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert "bundle folder not found" in p.stderr


def test_empty_bundle_is_unusable(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    p = _cli("scan", str(tmp_path / "b"), "--out", str(tmp_path / "o"))
    assert p.returncode == 2 and "nothing in the bundle could be used" in p.stderr


def test_bad_config_lists_every_problem(tmp_path: Path) -> None:
    root = bundle(tmp_path / "b", [emp("E1", "Ann Lee")], toml='[org]\nwork_countries = "US"\nbogus = 1\n')
    p = _cli("validate", str(root))
    assert p.returncode == 2 and "2 problem(s)" in p.stderr
    assert "org.work_countries" in p.stderr and "org.bogus" in p.stderr and "Traceback" not in p.stderr


def test_fail_on_threshold(tmp_path: Path) -> None:
    emps = [emp("E1", "Ann Lee"), emp("E2", "Bo Park", "2 Elm St")]
    deps = [dep("E1", "5", "Dana Whitfield"), dep("E2", "6", "Bo Park")]
    root = bundle(tmp_path / "b", emps, deposits=deps)
    ok = _cli("scan", str(root), "--out", str(tmp_path / "o1"), "--quiet")
    assert ok.returncode == 0 and "report:" in ok.stdout
    # A stranger's name on E1's account: one strong row, medium.
    hit = _cli("scan", str(root), "--out", str(tmp_path / "o2"), "--quiet", "--fail-on", "medium")
    assert hit.returncode == 1
    miss = _cli("scan", str(root), "--out", str(tmp_path / "o3"), "--quiet", "--fail-on", "high")
    assert miss.returncode == 0


def test_validate_reports_rejects_and_missing_parts(tmp_path: Path) -> None:
    root = bundle(tmp_path / "b", [emp("E1", "Ann Lee")])
    with (root / "hr/employees.csv").open("a") as fh:
        row = {"employee_id": "E2", "full_name": "Bo", "email": "b@x", "hire_date": "not-a-date"}
        fh.write(",".join(row.get(c, "") for c in EMP_COLS) + "\n")
    p = _cli("validate", str(root), "--quiet")
    assert p.returncode == 0
    assert "reject hr/employees.csv:3: invalid hire_date" in p.stdout
    assert p.stdout.startswith("missing parts (") and "payroll.deposits (payroll/deposits.csv)" in p.stdout
    assert any(line.startswith("without payroll.deposits: ") and "bank_account_shared" in line
               for line in p.stdout.splitlines())


def test_output_folder_not_writable(tmp_path: Path) -> None:
    root = bundle(tmp_path / "b", [emp("E1", "Ann Lee")])
    blocker = tmp_path / "file"
    blocker.write_text("")
    p = _cli("scan", str(root), "--out", str(blocker / "sub"))
    assert p.returncode == 2 and "cannot write to the output folder" in p.stderr


def test_an_interrupted_scan_leaves_the_previous_result(tmp_path: Path, monkeypatch: object) -> None:
    import pytest

    from unmask.pipeline import scan
    from unmask.report import html

    root = bundle(tmp_path / "b", [emp("E1", "Ann Lee", national_id="900-11-2222"),
                                   emp("E2", "Bo Park", "2 Elm St", national_id="900112222")])
    out = tmp_path / "out"
    scan(root, out)
    before = _tree(out)
    mp = pytest.MonkeyPatch()

    def boom(*_a: object, **_k: object) -> str:
        raise RuntimeError("disk full")

    mp.setattr(html, "render", boom)
    with pytest.raises(RuntimeError):
        scan(root, out)
    mp.undo()
    assert _tree(out) == before  # nothing half-written, nothing left behind
    fresh = tmp_path / "fresh"
    mp.setattr(html, "render", boom)
    with pytest.raises(RuntimeError):
        scan(root, fresh)
    mp.undo()
    assert _tree(fresh) == {}  # no output, no scan: only the (empty) history and the lock


def _tree(out: Path) -> dict[str, bytes]:
    """Every file under ``out`` (links followed) but the lock, by relative path."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != ".lock"}


def test_explain_prints_the_evidence_chain(tmp_path: Path) -> None:
    emps = [emp("E1", "Ann Lee"), emp("E2", "Bo Park", "2 Elm St")]
    deps = [dep("E1", "5", "Dana Whitfield"), dep("E2", "5", "Dana Whitfield")]
    root = bundle(tmp_path / "b", emps, deposits=deps)
    assert _cli("scan", str(root), "--out", str(tmp_path / "o"), "--quiet").returncode == 0
    p = _cli("explain", str(tmp_path / "o"), "E1")
    assert p.returncode == 0
    assert "band high" in p.stdout and "bank_account_shared" in p.stdout and "payroll/deposits.csv:2" in p.stdout
    cid = cluster_id([("employee", "E1"), ("employee", "E2")])
    # Two workers paid into a stranger's account: shared pay, a farm's kind of tie.
    assert f"cluster {cid} (farm; this record: worker): with E2 via bank_account" in p.stdout
    missing = _cli("explain", str(tmp_path / "o"), "E99")
    assert missing.returncode == 2 and "E99 is not a subject of the scan" in missing.stderr
