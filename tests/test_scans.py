"""The output folder (issue 14, item 11): one scan writes OUT at a time, every scan is kept under
OUT/scans/, and the current one is switched by one rename, so no reader ever sees two mixed."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import bundle, dep, emp, findings, jsonl
from unmask import scans
from unmask.cli import app
from unmask.pipeline import InputError, scan


def _v1(root: Path) -> Path:
    """E1 and E2 share a payout account held by a stranger."""
    return bundle(root, [emp("E1", "Ann Lee"), emp("E2", "Bo Park", "2 Elm St")],
                  deposits=[dep("E1", "555", "Dana Whitfield"), dep("E2", "555", "Dana Whitfield")])


def _v2(root: Path) -> Path:
    """The same workers with accounts of their own, and a third worker: other findings."""
    return bundle(root, [emp("E1", "Ann Lee"), emp("E2", "Bo Park", "2 Elm St"), emp("E3", "Cy Diaz", "3 Ash")],
                  deposits=[dep("E1", "111", "Ann Lee"), dep("E2", "222", "Bo Park")])


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "UNMASK_DEBUG"}
    return subprocess.run([sys.executable, "-m", "unmask.cli", *args], capture_output=True, text=True, env=env,
                          check=False)


def _published(out: Path) -> dict[str, bytes]:
    """What a reader of OUT's stable paths sees."""
    return {name: (out / name).read_bytes() for name in scans.OUTPUTS}


def _assert_consistent(out: Path, scan_id: str) -> None:
    """OUT/current is ``scan_id``, and every stable path shows that scan's file."""
    assert os.readlink(out / "current") == f"scans/{scan_id}"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scan_id"] == scan_id
    for name in scans.OUTPUTS:
        assert (out / name).is_symlink() and (out / name).resolve() == (out / "scans" / scan_id / name).resolve()


def test_second_scan_into_a_locked_out_exits_2_and_changes_nothing(tmp_path: Path) -> None:
    root, out = _v1(tmp_path / "b"), tmp_path / "out"
    first = scan(root, out)
    before = _published(out)
    # Another scan holds OUT (the lock is flock on OUT/.lock, taken here without Unmask's code).
    with (out / ".lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        p = _cli("scan", str(root), "--out", str(out))
        assert p.returncode == 2, p.stderr
        assert f"another scan is writing {out}" in p.stderr and "Traceback" not in p.stderr
        assert len(p.stderr.strip().splitlines()) == 1
        with pytest.raises(InputError, match="another scan is writing"):
            scan(root, out)
    assert _published(out) == before and scans.history(out) == [first.scan_dir.name]  # type: ignore[union-attr]
    # Released (the holder ended), the next scan runs.
    assert _cli("scan", str(root), "--out", str(out), "--quiet").returncode == 0
    assert len(scans.history(out)) == 2


@pytest.mark.parametrize("step", ["render", "rename", "links", "switch"])
def test_a_kill_at_any_publish_step_leaves_the_previous_scan_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    out = tmp_path / "out"
    first = scan(_v1(tmp_path / "b1"), out)
    a = first.scan_dir.name  # type: ignore[union-attr]
    before = _published(out)
    assert findings(out)["E1"]["band"] != "low"

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError(f"killed at {step}")

    from unmask.report import html

    target = {"render": (html, "render"), "rename": (scans, "_fsync_dir"), "links": (scans, "_stable_links"),
              "switch": (scans, "_switch")}[step]
    with monkeypatch.context() as mp:
        mp.setattr(*target, boom)
        with pytest.raises(RuntimeError, match="killed"):
            scan(_v2(tmp_path / "b2"), out)
    # Every stable path still shows the first scan, whole; it is still in the history.
    assert _published(out) == before
    _assert_consistent(out, a)
    assert a in scans.history(out)
    assert not [p for p in (out / "scans").iterdir() if p.name.endswith(".partial")]
    # The next scan publishes, and the first one is kept.
    second = scan(_v2(tmp_path / "b2"), out)
    b = second.scan_dir.name  # type: ignore[union-attr]
    _assert_consistent(out, b)
    assert "E3" not in findings(out) or findings(out)["E3"]["band"] == "low"
    assert {a, b} <= set(scans.history(out)) and b > a
    assert (out / "scans" / a / "findings.jsonl").read_bytes() == before["findings.jsonl"]


def test_scans_are_kept_readers_follow_current_and_keep_prunes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    a = scan(_v1(tmp_path / "b1"), out).scan_dir.name  # type: ignore[union-attr]
    b = scan(_v2(tmp_path / "b2"), out).scan_dir.name  # type: ignore[union-attr]
    assert scans.history(out) == [a, b]
    assert jsonl(out / "scans" / a / "findings.jsonl") != jsonl(out / "findings.jsonl")
    # The readers of OUT read the current scan: explain, check --store, export-iocs.
    res = CliRunner().invoke(app, ["explain", str(out), "E1"])
    assert "bank_account_shared" not in res.output  # v2 shares no account
    from unmask.results import Results

    for folder, expected in ((out, []), (out / "current", []), (out / "scans" / a, ["E1", "E2"])):
        r = Results.open(folder)
        assert sorted(f.subject_id for f in r.findings().items) == expected, folder
        r.close()
    res = CliRunner().invoke(app, ["explain", str(out / "scans" / a), "E1"])
    assert res.exit_code == 0 and "bank_account_shared" in res.output, res.output
    applicant = tmp_path / "applicant.json"
    applicant.write_text(json.dumps({"full_name": "Cy Diaz", "email": "e3@corp.example"}))
    res = CliRunner().invoke(app, ["check", str(applicant), "--store", str(out)])
    assert res.exit_code in (0, 1), res.output
    # --keep 2: the oldest goes, the newest two stay, current is the newest.
    p = _cli("scan", str(tmp_path / "b2"), "--out", str(out), "--quiet", "--keep", "2")
    assert p.returncode == 0, p.stderr
    kept = scans.history(out)
    assert len(kept) == 2 and a not in kept and b in kept
    _assert_consistent(out, kept[-1])


def test_an_out_folder_of_the_old_layout_becomes_the_first_scan_of_the_history(tmp_path: Path) -> None:
    out = tmp_path / "out"
    sid = scan(_v1(tmp_path / "b1"), out).scan_dir.name  # type: ignore[union-attr]
    # The layout before scan history: the outputs as regular files in OUT.
    old = tmp_path / "old"
    old.mkdir()
    for name in scans.OUTPUTS:
        shutil.copy(out / "scans" / sid / name, old / name)
    manifest = json.loads((old / "manifest.json").read_text())
    del manifest["scan_id"]
    (old / "manifest.json").write_text(json.dumps(manifest))
    before = (old / "findings.jsonl").read_bytes()
    new = scan(_v2(tmp_path / "b2"), old).scan_dir.name  # type: ignore[union-attr]
    history = scans.history(old)
    assert len(history) == 2 and history[-1] == new
    assert (old / "scans" / history[0] / "findings.jsonl").read_bytes() == before  # nothing lost
    for name in scans.OUTPUTS:
        assert (old / name).is_symlink()
    assert os.readlink(old / "current") == f"scans/{new}"
