"""The Spark engine's readers: Spark reads the bytes, :mod:`unmask.engine.textfiles` splits them.

Spark reads each file itself (``binaryFile``: a local path or any filesystem URI the session is
configured for, ``s3a://``, ``abfss://``, ``hdfs://``), and the executors split it with the
same code the DuckDB engine falls back to (:func:`text_lines`, :func:`csv_records`): one
definition of a physical line, a record, a reject and its reason for both engines. A file is
split where it is read, so a line keeps its number whatever partition it lands in, and rejects
are rows (``__why``) beside the records, never a log line.

Limits: a file is one ``binaryFile`` row, so it must fit in an executor's memory (and under
Spark's 2 GiB per value); a bundle's logs come as many such files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# Rows an executor hands back per Arrow batch: bounds the memory of a large file's records.
_BATCH = 20_000


def line_schema() -> str:
    return "__file INT, line BIGINT, raw STRING, __why STRING, __stop BOOLEAN"


def csv_schema(width: int) -> str:
    return ", ".join(["line BIGINT", *[f"c{i} STRING" for i in range(width)], "__why STRING", "__stop BOOLEAN"])


def split_lines(max_bytes: int) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """``mapInPandas`` function: ``(__file, content)`` rows to one row per line or reject."""

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        from unmask.engine.textfiles import Reject, text_lines

        cols: dict[str, list[Any]] = {"__file": [], "line": [], "raw": [], "__why": [], "__stop": []}

        def flush() -> Any:
            out = pd.DataFrame(cols)
            for v in cols.values():
                v.clear()
            return out

        for batch in batches:
            for index, content in zip(batch["__file"], batch["content"], strict=True):
                for item in text_lines(Path("-"), max_bytes, data=bytes(content)):
                    cols["__file"].append(int(index))
                    if isinstance(item, Reject):
                        cols["line"].append(item.line)
                        cols["raw"].append(None)
                        cols["__why"].append(item.reason)
                        cols["__stop"].append(item.stop)
                    else:
                        cols["line"].append(item[0])
                        cols["raw"].append(item[1])
                        cols["__why"].append(None)
                        cols["__stop"].append(False)
                    if len(cols["line"]) >= _BATCH:
                        yield flush()
        if cols["line"]:
            yield flush()

    return run


def split_csv(width: int, max_bytes: int, has_header: bool, encoding: str,
              names: tuple[str, ...]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """``mapInPandas`` function: a file's ``content`` to one row per RFC 4180 record or reject."""

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        from unmask.engine.textfiles import Reject, csv_records

        keys = ["line", *[f"c{i}" for i in range(width)], "__why", "__stop"]
        cols: dict[str, list[Any]] = {k: [] for k in keys}

        def flush() -> Any:
            out = pd.DataFrame(cols, columns=keys)
            for v in cols.values():
                v.clear()
            return out

        for batch in batches:
            for content in batch["content"]:
                for item in csv_records(Path("-"), width, max_bytes, has_header, encoding, names,
                                        data=bytes(content)):
                    if isinstance(item, Reject):
                        cols["line"].append(item.line)
                        fields: list[str | None] = [None] * width
                        why: str | None = item.reason
                        stop = item.stop
                    else:
                        cols["line"].append(item[0])
                        fields, why, stop = list(item[1]), None, False
                    for i in range(width):
                        cols[f"c{i}"].append(fields[i])
                    cols["__why"].append(why)
                    cols["__stop"].append(stop)
                    if len(cols["line"]) >= _BATCH:
                        yield flush()
        if cols["line"]:
            yield flush()

    return run
