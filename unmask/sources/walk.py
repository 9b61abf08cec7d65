"""The files of a bundle, found without following anything out of it.

A bundle is a folder an investigator was handed; a symbolic link in it may point anywhere
(``/etc/passwd``, a colleague's case, itself). A link to a file is followed only when the file
is inside the bundle; a link to a folder never is (its files are read where they are, and a
link to a folder above it would never end). Every entry not followed (a link out, a dangling
link, a loop, a folder that cannot be read, a device or pipe) is kept with its reason so that
``manifest.json`` and ``validate`` can say so. File names are matched against a part's
patterns here, segment by segment, and the paths handed on are literal: a file named
``[c].jsonl`` is that file, never a pattern.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path


@dataclass(frozen=True)
class Ignored:
    """A bundle entry that was not read, and why (``manifest.json`` ``ignored_files``)."""

    path: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"path": shown_path(self.path), "reason": self.reason}


def shown_path(rel: str) -> str:
    """A path as it can be written to JSON, HTML and a terminal: a file name that is not UTF-8
    (kept by the OS as surrogate escapes) shows its bad bytes as U+FFFD instead of failing."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


OUTSIDE = "symbolic link to a place outside the bundle: not followed"
DANGLING = "symbolic link to nothing (dangling)"
LOOP = "symbolic link loop: not followed"
INSIDE_DIR = "symbolic link to a folder of the bundle: not followed (its files are read where they are)"
NOT_FILE = "not a regular file (device, pipe or socket)"


@dataclass
class Walk:
    files: list[str]  # relative POSIX paths of regular files (links inside the bundle included)
    ignored: list[Ignored]


def walk_bundle(bundle: Path) -> Walk:
    """Every regular file reachable inside ``bundle``, and every entry that was not followed."""
    root = bundle.resolve()
    files: list[str] = []
    ignored: list[Ignored] = []
    stack: list[tuple[Path, str]] = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            ignored.append(Ignored(prefix or ".", f"folder cannot be read ({e.strerror or 'error'})"))
            continue
        subdirs: list[tuple[Path, str]] = []
        for entry in entries:
            rel = prefix + entry.name
            try:
                if entry.is_symlink():
                    real = _resolve(Path(entry.path))
                    if isinstance(real, str):
                        ignored.append(Ignored(rel, real))
                    elif not real.is_relative_to(root):
                        ignored.append(Ignored(rel, OUTSIDE))
                    elif real.is_dir():
                        # Its files are read where they are: following would read them twice,
                        # or forever when it points at a folder above it.
                        ignored.append(Ignored(rel, LOOP if folder.is_relative_to(real) else INSIDE_DIR))
                    elif real.is_file():
                        files.append(rel)
                    else:
                        ignored.append(Ignored(rel, NOT_FILE))
                elif entry.is_dir(follow_symlinks=False):
                    subdirs.append((Path(entry.path), rel + "/"))
                elif entry.is_file(follow_symlinks=False):
                    files.append(rel)
                else:
                    ignored.append(Ignored(rel, NOT_FILE))
            except OSError as e:
                ignored.append(Ignored(rel, f"cannot be examined ({e.strerror or 'error'})"))
        stack.extend(reversed(subdirs))
    return Walk(sorted(files), ignored)


def _resolve(link: Path) -> Path | str:
    """Where a link leads, or why it leads nowhere."""
    try:
        return link.resolve(strict=True)
    except FileNotFoundError:
        return DANGLING
    except RuntimeError:  # Python 3.11 reports a loop so; 3.13 raises OSError(ELOOP)
        return LOOP
    except OSError as e:
        return LOOP if e.errno == 40 else f"symbolic link cannot be followed ({e.strerror or 'error'})"


def matches(rel: str, pattern: str) -> bool:
    """Whether ``rel`` matches ``pattern`` as ``Path.glob`` would: ``*`` never crosses a ``/``."""
    parts, pats = rel.split("/"), pattern.split("/")
    # Names and suffixes in any case: `hr/Candidates.CSV` is the candidates part.
    return len(parts) == len(pats) and all(fnmatchcase(a.lower(), p.lower()) for a, p in zip(parts, pats, strict=True))


def match_files(files: list[str], globs: tuple[str, ...]) -> list[str]:
    """The files matching any of ``globs`` (each also with ``.gz``), pattern by pattern, sorted."""
    seen: dict[str, None] = {}
    for g in globs:
        for pat in (g, g + ".gz"):
            for rel in files:
                if matches(rel, pat):
                    seen[rel] = None
    return list(seen)
