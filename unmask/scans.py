"""The output folder: one writer at a time, every scan kept, the current one switched atomically.

::

    OUT/.lock                      held (flock) by the scan writing OUT; a second one exits 2
    OUT/scans/<id>/                each complete scan: findings, clusters, rejects, report, store,
                                   manifest; the id sorts by time (20261205T120102Z-3f9a1c)
    OUT/scans/.<id>.partial/       a scan being written; a dead one is removed by the next scan
    OUT/current -> scans/<id>      the published scan, switched by one rename
    OUT/findings.jsonl -> current/findings.jsonl   (and each other output): stable paths
    OUT/cases.sqlite               investigators' decisions, which outlive every scan

A reader that opens ``OUT/findings.jsonl`` gets one whole scan's file; a reader that reads
several files resolves ``OUT/current`` once (:func:`current`) and reads them all from there, so
it never mixes two scans. A kill at any step leaves the previous scan published and whole.
Links are relative, so OUT can be moved or archived. POSIX only (flock and symlinks), like the
engine's start-up.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

OUTPUTS = ("findings.jsonl", "clusters.jsonl", "rejects.jsonl", "report.html", "unmask.duckdb", "manifest.json")
SCANS = "scans"
CURRENT = "current"
LOCK = ".lock"
LEGACY_PARTIAL = ".unmask-partial"  # where scans before the history were staged
# A file a scan keeps beside the history, written before publishing and renamed after it.
PENDING = ".pending."
_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{6}")


class OutputError(Exception):
    """OUT cannot be written: another scan holds it, or it is not a folder we may write."""


@contextmanager
def lock(out: Path) -> Iterator[None]:
    """Hold OUT for one scan. The lock is the kernel's (flock), so a killed scan never leaves a
    stale one behind."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as e:
        raise OutputError(f"cannot write to the output folder {out}: {e.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(f"another scan is writing {out}: wait for it to finish, or choose another --out") \
                from None
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def new_id(started: datetime, salt: str) -> str:
    """A scan id that sorts by start time; the hash tells apart two scans of one second."""
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    digest = hashlib.sha256(f"{started.isoformat()}|{salt}|{os.getpid()}".encode()).hexdigest()[:6]
    return f"{stamp}-{digest}"


def current(out: Path) -> Path:
    """The folder holding the published scan's files: ``OUT/current`` resolved, or OUT itself
    (a folder of a scan from before the history, or a scan folder given directly)."""
    link = out / CURRENT
    return link.resolve() if link.is_dir() else out


def out_root(path: Path) -> Path:
    """OUT, given OUT, ``OUT/current`` or ``OUT/scans/<id>``: where ``cases.sqlite`` lives."""
    real = path.resolve()
    return real.parent.parent if real.parent.name == SCANS and _ID.fullmatch(real.name) else path


def history(out: Path) -> list[str]:
    """Ids of the complete scans kept in OUT, oldest first."""
    folder = out / SCANS
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if _ID.fullmatch(p.name) and (p / "manifest.json").is_file())


def start(out: Path, scan_id: str) -> Path:
    """A fresh staging folder for ``scan_id``; removes what dead scans left behind (call it under
    :func:`lock`, so no live scan's folder is touched)."""
    folder = out / SCANS
    try:
        folder.mkdir(exist_ok=True)
        shutil.rmtree(out / LEGACY_PARTIAL, ignore_errors=True)
        for p in folder.iterdir():
            if p.name.startswith(".") and p.name.endswith(".partial"):
                shutil.rmtree(p, ignore_errors=True)
        for p in out.iterdir():
            if p.name.startswith((f".{CURRENT}.", ".link.", PENDING)):
                p.unlink(missing_ok=True)
        staged = folder / f".{scan_id}.partial"
        staged.mkdir()
    except OSError as e:
        raise OutputError(f"cannot write to the output folder {out}: {e.strerror}") from None
    return staged


def publish(out: Path, staged: Path, scan_id: str) -> Path:
    """Make the complete scan in ``staged`` the current one: move it into the history, make sure
    the stable links exist, then switch ``current`` with one rename (the only step a reader sees)."""
    final = out / SCANS / scan_id
    os.rename(staged, final)
    _fsync_dir(final.parent)
    _adopt_legacy(out)
    _stable_links(out)
    _switch(out, scan_id)
    return final


def prune(out: Path, keep: int) -> list[str]:
    """Remove all but the newest ``keep`` complete scans (never the current one); the removed ids."""
    if keep < 1:
        raise OutputError("--keep must be at least 1")
    live = current(out).name
    gone = [s for s in history(out)[:-keep] if s != live]
    for s in gone:
        shutil.rmtree(out / SCANS / s, ignore_errors=True)
    return gone


def _switch(out: Path, scan_id: str) -> None:
    tmp = out / f".{CURRENT}.{scan_id}"
    tmp.unlink(missing_ok=True)
    os.symlink(f"{SCANS}/{scan_id}", tmp)
    os.replace(tmp, out / CURRENT)  # atomic: a reader sees the old scan or the new one
    _fsync_dir(out)


def _stable_links(out: Path) -> None:
    """``OUT/<output>`` -> ``current/<output>`` for each output; each created once."""
    for name in OUTPUTS:
        dest = out / name
        target = f"{CURRENT}/{name}"
        if dest.is_symlink() and os.readlink(dest) == target:
            continue
        tmp = out / f".link.{name}"
        tmp.unlink(missing_ok=True)
        os.symlink(target, tmp)
        os.replace(tmp, dest)  # replaces a regular file of the old layout in one step
    _fsync_dir(out)


def _adopt_legacy(out: Path) -> None:
    """A scan written before the history (outputs as regular files in OUT) becomes the first
    scan of the history, and ``current``, before its files turn into links: nothing is lost and
    every path keeps showing that scan until the new one is switched in.

    A copy of OUT made by a tool that follows links (``shutil.copytree``, ``cp -L``) holds a
    real ``current`` folder: it joins the history under its own id the same way."""
    cur = out / CURRENT
    if cur.is_dir() and not cur.is_symlink():
        sid = _manifest_field(cur / "manifest.json", "scan_id")
        if not (sid and _ID.fullmatch(sid)) or (out / SCANS / sid).exists():
            sid = new_id(datetime.now(), "copy")
        os.rename(cur, out / SCANS / sid)
        _switch(out, sid)
    manifest = out / "manifest.json"
    if cur.is_symlink() or manifest.is_symlink() or not manifest.is_file():
        return  # the regular files, if any, are a copy of the current scan's: links replace them
    try:
        when = datetime.strptime(_manifest_field(manifest, "started_at") or "", "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        when = datetime.fromtimestamp(manifest.stat().st_mtime)
    legacy = new_id(when, "legacy")
    folder = out / SCANS / legacy
    staged = out / SCANS / f".{legacy}.partial"
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    for name in OUTPUTS:
        src = out / name
        if src.is_file() and not src.is_symlink():
            try:
                os.link(src, staged / name)  # same file system: no copy of a large store
            except OSError:
                shutil.copy2(src, staged / name)
    os.rename(staged, folder)
    _switch(out, legacy)


def _manifest_field(path: Path, key: str) -> str | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8")).get(key)
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def _fsync_dir(path: Path) -> None:
    # A rename is durable only once its folder is: a power cut must not undo a publish.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
