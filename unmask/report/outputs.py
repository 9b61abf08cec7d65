"""Write the scan's files atomically: a reader of ``OUT`` never sees half of one.

The rows come from the read API (:class:`unmask.results.Results`); this module only publishes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any


def write_jsonl(write: Callable[[Path], int], dest: Path) -> int:
    """Have ``write`` (e.g. ``Results.write_findings``) fill a file beside ``dest``, then rename."""
    tmp = dest.with_name(f".{dest.name}.partial")
    n = write(tmp)
    if n == 0:
        tmp.write_text("")  # COPY of zero rows may write nothing at all
    os.replace(tmp, dest)
    return n


def write_json(obj: Any, dest: Path) -> None:
    tmp = dest.with_name(f".{dest.name}.partial")
    tmp.write_text(json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, dest)


def write_text(text: str, dest: Path) -> None:
    tmp = dest.with_name(f".{dest.name}.partial")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, dest)
