"""Progress that tells the truth (issue 17): the reading bar counts bytes of files done and
records stored, with a rate and a time estimate; the stage bar counts steps without an
estimate; ``--quiet`` shows no bar at all."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

import unmask.cli as cli
from tests.helpers import bundle, emp
from unmask.pipeline import load


def _okta(n: int) -> str:
    event = {"uuid": "u", "published": "2026-09-01T10:00:00Z", "eventType": "user.session.start",
             "actor": {"alternateId": "a@example.com"}, "client": {"ipAddress": "198.51.100.7"},
             "outcome": {"result": "SUCCESS"}}
    return "".join(json.dumps(dict(event, uuid=f"u{i}")) + "\n" for i in range(n))


def test_reading_reports_bytes_and_records(tmp_path: Path) -> None:
    root = bundle(tmp_path / "b", [emp("E1", "Ann Lee"), emp("E2", "Bo Park")])
    (root / "idp" / "okta").mkdir(parents=True)
    (root / "idp/okta/a.jsonl").write_text(_okta(300))
    (root / "idp/okta/b.jsonl").write_text(_okta(200) + "not json\n")
    calls: list[tuple[str, int, int, int]] = []
    loaded = load(root, None, lambda message, done, total, records=-1: calls.append((message, done, total, records)))
    sizes = sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and p.name != "unmask.toml")
    reading = [c for c in calls if c[0].startswith("reading")]
    assert reading and {c[2] for c in calls} == {sizes}
    # Done bytes and records only grow, and end at the whole bundle and every record read.
    assert [c[1] for c in calls] == sorted(c[1] for c in calls) and calls[-1][1] == sizes
    assert [c[3] for c in calls] == sorted(c[3] for c in calls)
    assert calls[-1] == ("read all files", sizes, sizes, 2 + 500 + 1)
    assert sum(f.read for f in loaded.ctx.files) == 2 + 500 + 1
    # The Okta files are announced when they are read, with the records counted as they arrive.
    okta = [c for c in reading if "okta" in c[0]]
    assert okta and okta[0][3] == 2 and max(c[3] for c in okta) == 503
    loaded.engine.close()


def test_bar_shows_records_per_second_and_an_estimate(monkeypatch: pytest.MonkeyPatch) -> None:
    buf = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=buf, force_terminal=True, width=200))
    with cli._progress(False) as cb:
        assert cb is not None
        cb("reading idp/okta/a.jsonl", 0, 1000, 0)
        time.sleep(1.1)
        cb("reading idp/okta/a.jsonl", 400, 1000, 250_000)
        cb("normalising", 1, 8)
        time.sleep(0.3)
        text = buf.getvalue()
    assert "250,000 records" in text and "/s" in text
    assert "40%" in text
    # An estimate for the reading bar (h:mm:ss), none for the stage bar, whose steps are unequal.
    line = [x for x in text.replace("\r", "\n").splitlines() if "normalising" in x][-1]
    assert "records" not in line and "0:00:0" in text


def test_rate_text() -> None:
    assert cli.rate_text(1_234_567, 2.0) == "1,234,567 records, 617,284/s"
    assert cli.rate_text(10, 0.1) == "10 records"  # too early for a rate


def test_quiet_shows_no_progress(tmp_path: Path) -> None:
    root = bundle(tmp_path / "b", [emp("E1", "Ann Lee")])
    (root / "idp" / "okta").mkdir(parents=True)
    (root / "idp/okta/a.jsonl").write_text(_okta(50))
    env = dict(os.environ, FORCE_COLOR="1", COLUMNS="200")  # stderr counts as a terminal
    env.pop("UNMASK_DEBUG", None)
    env.pop("UNMASK_PROGRESS", None)
    args = [sys.executable, "-m", "unmask.cli", "scan", str(root)]
    shown = subprocess.run([*args, "--out", str(tmp_path / "o1")], capture_output=True, text=True, env=env,
                           check=False)
    quiet = subprocess.run([*args, "--out", str(tmp_path / "o2"), "--quiet"], capture_output=True, text=True,
                           env=env, check=False)
    assert shown.returncode == quiet.returncode == 0
    assert "records" in shown.stderr and "reading" in shown.stderr
    assert "records" not in quiet.stderr and "reading" not in quiet.stderr and "\r" not in quiet.stderr
