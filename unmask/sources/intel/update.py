"""``unmask intel update``: fetch current sanctions lists, check them, and record what was fetched.

Each source is downloaded to a scratch folder beside the target, read with the same readers
a scan uses (into an in-memory engine), and checked for a sane number of entities before it
replaces anything: a truncated download or an error page never becomes an empty screen. The
files that pass are moved into the target folder (a bundle's ``intel/sanctions/``), and
``VERSIONS.json`` there records, per file, where it came from, when, its size and its SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from unmask.engine import open_engine
from unmask.sources.intel import load_lists

# The publishers' own addresses. ``base`` replaces the part before the file name (for a mirror,
# or a test server on 127.0.0.1).
SOURCES: dict[str, tuple[str, tuple[str, ...], int]] = {
    # list: (base URL, files, the fewest entities a complete copy has)
    "ofac_sdn": ("https://www.treasury.gov/ofac/downloads/", ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"),
                 5000),
    "un_sc": ("https://scsanctions.un.org/resources/xml/en/", ("consolidated.xml",), 500),
}
OPENSANCTIONS = ("https://data.opensanctions.org/datasets/latest/sanctions/", ("entities.ftm.json",), 10000)
MAX_BYTES = 2 << 30  # no sanctions file is near this; a server that sends more is not one
TIMEOUT = 60


class UpdateError(Exception):
    """A source could not be fetched or did not pass the checks; nothing was replaced."""


@dataclass(frozen=True)
class Fetched:
    list_id: str
    files: list[dict[str, object]]
    entities: int


def _download(url: str, to: Path) -> None:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as r, to.open("wb") as fh:  # noqa: S310 - https or a given base
            got = 0
            while chunk := r.read(1 << 20):
                got += len(chunk)
                if got > MAX_BYTES:
                    raise UpdateError(f"{url}: more than {MAX_BYTES} bytes; not a sanctions file")
                fh.write(chunk)
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        raise UpdateError(f"{url}: {getattr(e, 'reason', None) or e}") from None


def _read(folder: Path) -> tuple[int, dict[str, int]]:
    """Entities read from ``folder`` with the scan's readers, and records loaded per file."""
    eng = open_engine(None)
    try:
        lists, _ = load_lists(eng, folder, "update", "")
        per_file = {Path(f.file).name: f.loaded for lst in lists for f in lst.files}
        return int(eng.query("SELECT count(*) FROM intel_entities")[0][0]), per_file
    finally:
        eng.close()


def update(target: Path, base: dict[str, str] | None = None, opensanctions: bool = False,
           min_entities: dict[str, int] | None = None) -> list[Fetched]:
    """Fetch every source into ``target``; returns what was fetched. Raises UpdateError (and
    replaces nothing of that source) when a download fails or the files do not pass."""
    sources = dict(SOURCES)
    if opensanctions:
        sources["opensanctions"] = OPENSANCTIONS
    target.mkdir(parents=True, exist_ok=True)
    done: list[Fetched] = []
    record_path = target / "VERSIONS.json"
    try:
        record = json.loads(record_path.read_text(encoding="utf-8")) if record_path.is_file() else {}
    except ValueError:
        record = {}
    for list_id, (url, files, least) in sources.items():
        least = (min_entities or {}).get(list_id, least)
        with tempfile.TemporaryDirectory(prefix=".unmask-update-", dir=target) as tmp:
            scratch = Path(tmp)
            rows: list[dict[str, object]] = []
            for name in files:
                src = (base or {}).get(list_id, url) + name
                _download(src, scratch / name)
                data = (scratch / name).read_bytes()
                rows.append({"file": name, "url": src, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                             "fetched_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")})
            n, per_file = _read(scratch)
            # The first file is the list's primary one (sdn.csv): aliases and addresses alone
            # would still make many alias-only entities out of a truncated download.
            primary = per_file.get(files[0], 0)
            before = int((record.get(list_id) or {}).get("entities", 0))
            if primary < least:
                raise UpdateError(f"{list_id}: {primary} records read from {files[0]}, fewer than the {least} a "
                                  "complete copy has; nothing was replaced")
            if n < 0.9 * before:
                raise UpdateError(f"{list_id}: {n} entities, against {before} in the copy it would replace; a list "
                                  "does not shrink by a tenth at once: nothing was replaced")
            for name in files:
                shutil.move(scratch / name, target / name)
        record[list_id] = {"entities": n, "files": rows}
        done.append(Fetched(list_id, rows, n))
    record_path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return done
