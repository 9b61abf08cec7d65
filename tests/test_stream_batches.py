"""A streamed read keeps every line's number and every reject however its batches fall.

The 10M-event scans read Okta in batches of 200k lines, handed on in whole row groups of the
stored table; the small bundles of the other tests fit in one batch and never cross a batch
edge. Here the batch and row-group sizes are made tiny so that blank lines, rejected lines
(in the reader and in the layers) and file edges land on both sides of many edges, and each
record names its own line, so the expected numbers are known without the reader.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import unmask.engine.duckdb as duck
from unmask.config import Config
from unmask.engine import open_engine
from unmask.sensitive import Tokenizer
from unmask.sources.base import LoadContext, create_part_table, init_store
from unmask.sources.jsonload import load_json_files
from unmask.sources.okta import OKTA


def _event(n: int, published: str = "2024-03-01T10:00:00Z") -> bytes:
    return (
        b'{"uuid":"L%d","published":"%s","eventType":"user.session.start",'
        b'"actor":{"alternateId":"w%d@corp.example"},"client":{"ipAddress":"198.51.100.%d"}}'
        % (n, published.encode(), n % 7, n % 250)
    )


def _write(path: Path, lines: int, seed: int) -> tuple[set[int], dict[int, str]]:
    """A file of ``lines`` physical lines; returns the lines that load and the rejected ones
    with their reasons."""
    good: set[int] = set()
    bad: dict[int, str] = {}
    out = []
    for n in range(1, lines + 1):
        k = (n * 7 + seed) % 23
        if k == 0:
            out.append(b"")  # blank: neither loaded nor rejected
        elif k == 5:
            out.append(b"{not json")
            bad[n] = "not valid JSON"
        elif k == 11:
            out.append(_event(n, "yesterday"))
            bad[n] = "invalid published"
        elif k == 17:
            out.append(b'{"uuid":"\xff\xfe"}')  # the reader itself refuses it: the file is read again
            bad[n] = "not valid UTF-8"
        else:
            out.append(_event(n))
            good.add(n)
    path.write_bytes(b"\n".join(out) + b"\n")
    return good, bad


def _load(bundle: Path, files: list[Path]) -> tuple[list[tuple[str, int, str]], list[tuple[str, int, str]]]:
    eng = open_engine(None, threads=2)
    ctx = LoadContext(eng, bundle, Config(), Tokenizer(b"k" * 32, "test"))
    init_store(eng)
    create_part_table(eng, OKTA)
    reports = load_json_files(ctx, OKTA, files)
    rows = [(f, int(line), uuid) for f, line, uuid in
            eng.query("SELECT source_file, line, uuid FROM okta_events ORDER BY ALL")]
    rejects = [(f, int(line), reason) for f, line, reason in
               eng.query("SELECT file, line, reason FROM rejects ORDER BY ALL")]
    assert sum(r.loaded for r in reports) == len(rows)
    assert sum(r.rejected for r in reports) == len(rejects)
    ctx.cleanup()
    return rows, rejects


@pytest.mark.parametrize(("batch", "group"), [(5, 3), (7, 7), (64, 16), (1, 1)])
def test_line_numbers_and_rejects_survive_every_batch_edge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int, group: int
) -> None:
    okta = tmp_path / "idp" / "okta"
    okta.mkdir(parents=True)
    want_rows: list[tuple[str, int, str]] = []
    want_rejects: list[tuple[str, int, str]] = []
    files = []
    for i, lines in enumerate((97, 41, 130)):
        path = okta / f"part_{i}.jsonl"
        good, bad = _write(path, lines, seed=i)
        rel = path.relative_to(tmp_path).as_posix()
        want_rows += [(rel, n, f"L{n}") for n in good]
        want_rejects += [(rel, n, reason) for n, reason in bad.items()]
        files.append(path)
    monkeypatch.setattr(duck, "_STREAM_ROWS", batch)
    monkeypatch.setattr(duck, "_ROW_GROUP", group)
    rows, rejects = _load(tmp_path, files)
    assert rows == sorted(want_rows)
    assert rejects == sorted(want_rejects)
