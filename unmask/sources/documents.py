"""Documents that records point at: candidates' résumés and photos (``hr/resumes/``, ``hr/photos/``).

``hr/candidates.csv`` names a file in ``resume_path`` and ``photo_path``. Each named file is
read here, once, like every other file of the bundle: a text résumé as its text, a photo as
its perceptual hash (imagehash pHash, 64 bits). A file that cannot be used (missing, outside
the bundle, a kind that is not read, an image that does not decode) is a reject with the file
and the reason, never a silent gap; ``manifest.json`` counts them under ``documents``.

Tables out (temporary: the store keeps what normalise derives from them, not the documents):
``candidate_resumes(source_file, line, candidate_id, path, text)`` and
``candidate_photos(source_file, line, candidate_id, path, phash BIGINT)``, one row per
candidate record and readable document; ``source_file`` and ``line`` are the record's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from unmask.engine import RawReject
from unmask.sources.base import LoadContext, reject_raw

RESUME_SUFFIXES = (".txt", ".md")
PHOTO_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif")


@dataclass
class DocumentCount:
    """Per kind of document: files named by records, read into the store, rejected."""

    files: int = 0
    loaded: int = 0
    rejected: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _resume_text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _photo_hash(path: Path) -> int:
    import imagehash
    from PIL import Image

    with Image.open(path) as img:
        h = int(str(imagehash.phash(img)), 16)
    return h - (1 << 64) if h >= 1 << 63 else h  # as a signed BIGINT


def _photo_error(e: Exception) -> str:
    from PIL import UnidentifiedImageError

    if isinstance(e, UnidentifiedImageError):
        return "not an image that can be read"
    return f"cannot read the image: {e.__class__.__name__}"


@dataclass(frozen=True)
class _Kind:
    part: str  # the part named in rejects.jsonl and manifest.json
    column: str  # the candidates column naming the file
    table: str
    value_sql_type: str
    suffixes: tuple[str, ...]
    read: Callable[[Path], Any]
    error: Callable[[Exception], str]


_KINDS = (
    _Kind("hr.resumes", "resume_path", "candidate_resumes", "VARCHAR", RESUME_SUFFIXES, _resume_text,
          lambda e: f"cannot read the file: {e.__class__.__name__}"),
    _Kind("hr.photos", "photo_path", "candidate_photos", "BIGINT", PHOTO_SUFFIXES, _photo_hash, _photo_error),
)


def load_documents(ctx: LoadContext) -> dict[str, DocumentCount]:
    """Read every document ``hr.candidates`` names; the tables above, and a count per kind.

    ``document_hashes`` keeps each file's SHA-256 in the store, so ``export-iocs`` shares the
    hashes of a case's résumés and photos without reading the bundle again."""
    ctx.engine.execute("CREATE OR REPLACE TABLE document_hashes(candidate_id VARCHAR, path VARCHAR, sha256 VARCHAR)")
    return {k.part: _load_kind(ctx, k) for k in _KINDS}


def _load_kind(ctx: LoadContext, kind: _Kind) -> DocumentCount:
    eng = ctx.engine
    value = "text" if kind.value_sql_type == "VARCHAR" else "phash"
    eng.execute(
        f"CREATE OR REPLACE TEMP TABLE {kind.table}(source_file VARCHAR, line BIGINT, candidate_id VARCHAR, "
        f"path VARCHAR, {value} {kind.value_sql_type})"
    )
    count = DocumentCount()
    if not eng.table_exists("candidates"):
        return count
    refs = eng.query(
        f"SELECT source_file, line, candidate_id, {kind.column} FROM candidates "  # noqa: S608 - our column names
        f"WHERE {kind.column} IS NOT NULL ORDER BY source_file, line"
    )
    root = ctx.bundle.resolve()
    done: dict[str, Any] = {}  # one read per file, however many records name it
    failed: dict[str, str] = {}
    digests: dict[str, str] = {}
    rows: list[tuple[str, int, str, str, Any]] = []
    for src, line, cid, rel in refs:
        if rel not in done and rel not in failed:
            why = _why_not(root, rel, kind.suffixes)
            if why is None:
                try:
                    done[rel] = kind.read((root / rel).resolve())
                    digests[rel] = hashlib.sha256((root / rel).resolve().read_bytes()).hexdigest()
                except (OSError, ValueError) as e:
                    why = kind.error(e)
            if why is not None:
                failed[rel] = why
        if rel in done:
            rows.append((src, int(line), cid, rel, done[rel]))
    eng.insert_rows(kind.table, ("source_file", "line", "candidate_id", "path", value), rows)
    eng.insert_rows("document_hashes", ("candidate_id", "path", "sha256"),
                    [(cid, rel, digests[rel]) for _src, _line, cid, rel, _v in rows])
    for rel, why in failed.items():
        reject_raw(ctx, rel, kind.part, [RawReject(None, why)], "file")
    count.files, count.loaded, count.rejected = len(done) + len(failed), len(done), len(failed)
    return count


def _why_not(root: Path, rel: str, suffixes: tuple[str, ...]) -> str | None:
    """Why the named file is not read, or None when it can be."""
    try:
        path = (root / rel).resolve()
    except (OSError, ValueError):  # a NUL byte, a symlink loop
        return "not a usable file path"
    # A path that leaves the bundle is never followed: the bundle is all a scan may read.
    if not path.is_relative_to(root):
        return "the path leaves the bundle; not followed"
    if path.suffix.lower() not in suffixes:
        return f"only {', '.join(suffixes)} files are read here"
    if not path.is_file():
        return "no such file in the bundle"
    return None
