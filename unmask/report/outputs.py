"""Write ``findings.jsonl``, ``clusters.jsonl`` and ``rejects.jsonl`` straight from the store."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from unmask.results import Results


def write_jsonl(results: Results, what: str, dest: Path) -> int:
    """``findings``, ``clusters`` or ``rejects`` (unmask.results) as JSON Lines beside ``dest``,
    then renamed: readers never see half a file."""
    tmp = dest.with_name(f".{dest.name}.partial")
    n = results.export(what, tmp)
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
