"""The Spark engine's readers: Spark reads the bytes, :mod:`unmask.engine.textfiles` splits them.

Spark reads each file itself (``binaryFile``: a local path or any filesystem URI the session is
configured for, ``s3a://``, ``abfss://``, ``hdfs://``), and the executors split it with the
same code the DuckDB engine falls back to (:func:`text_lines`, :func:`csv_records`): one
definition of a physical line, a record, a reject and its reason for both engines. A file is
split where it is read, so a line keeps its number whatever partition it lands in, and rejects
are rows (``__why``) beside the records, never a log line.

Limits: a file is one ``binaryFile`` row, so it must fit in an executor's memory (and under
Spark's 2 GiB per value). A large uncompressed file of lines is the exception: Spark's ``text``
reader reads it in splits across the executors (:func:`number_splits` numbers its lines). A CSV
file (a quoted field may span lines) and a JSON array are still read whole.
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


_LINE_KEYS = ["__file", "line", "raw", "__why", "__stop"]


def _frames(rows: Iterator[tuple[Any, ...]], keys: list[str]) -> Iterator[Any]:
    """``rows`` as pandas frames of at most ``_BATCH`` rows each."""
    import pandas as pd

    buf: list[tuple[Any, ...]] = []
    for r in rows:
        buf.append(r)
        if len(buf) >= _BATCH:
            yield pd.DataFrame(buf, columns=keys)
            buf = []
    if buf:
        yield pd.DataFrame(buf, columns=keys)


def split_lines(max_bytes: int) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """``mapInPandas`` function: ``(__file, content)`` rows to one row per line or reject."""

    def rows(batches: Iterator[Any]) -> Iterator[tuple[Any, ...]]:
        from unmask.engine.textfiles import Reject, text_lines

        for batch in batches:
            for index, content in zip(batch["__file"], batch["content"], strict=True):
                for item in text_lines(Path("-"), max_bytes, data=bytes(content)):
                    if isinstance(item, Reject):
                        yield int(index), item.line, None, item.reason, item.stop
                    else:
                        yield int(index), item[0], item[1], None, False

    return lambda batches: _frames(rows(batches), _LINE_KEYS)


def number_splits(offsets: dict[tuple[int, int], int], max_bytes: int) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """``mapInPandas`` function over Spark's own ``text`` reader of a large file, in splits.

    Rows come as ``(__file, __block, raw, __bytes, __ok)`` in the order the split was read:
    a split is read whole by one task, in order, so a row's place in its split plus the lines
    of the file's earlier splits (``offsets``, counted by a first pass) is its physical line.
    The rules are :func:`text_lines`' (Spark's reader ends lines at ``\\n``, ``\\r\\n`` and
    ``\\r`` alike and drops a first line's UTF-8 BOM): a line over ``max_bytes`` or not UTF-8
    is a reject with its line, a blank line is skipped. ``raw`` is None for a rejected line,
    so its text never reaches Python. One difference is left: Hadoop drops the BOM before the
    line's length is taken, so a first line with a BOM that is 1 to 3 bytes over the limit only
    with it is kept here, and rejected by :func:`text_lines`."""

    def rows(batches: Iterator[Any]) -> Iterator[tuple[Any, ...]]:
        from unmask.engine.textfiles import over_limit

        seen: dict[tuple[int, int], int] = {}
        for batch in batches:
            for f, b, raw, size, ok in zip(batch["__file"], batch["__block"], batch["raw"], batch["__bytes"],
                                           batch["__ok"], strict=True):
                key = (int(f), int(b))
                if key not in offsets:  # the file was split otherwise than when its lines were counted
                    raise RuntimeError(f"file {key[0]}: a split at byte {key[1]} that the line count did not see")
                at = seen.get(key, 0)
                seen[key] = at + 1
                why = over_limit(max_bytes) if size > max_bytes else None if ok else "not valid UTF-8"
                if why is None and not raw.strip():
                    continue
                yield key[0], offsets[key] + at + 1, None if why else raw, why, False

    return lambda batches: _frames(rows(batches), _LINE_KEYS)


def split_csv(width: int, max_bytes: int, has_header: bool, encoding: str,
              names: tuple[str, ...]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """``mapInPandas`` function: a file's ``content`` to one row per RFC 4180 record or reject."""

    def rows(batches: Iterator[Any]) -> Iterator[tuple[Any, ...]]:
        from unmask.engine.textfiles import Reject, csv_records

        for batch in batches:
            for content in batch["content"]:
                for item in csv_records(Path("-"), width, max_bytes, has_header, encoding, names,
                                        data=bytes(content)):
                    if isinstance(item, Reject):
                        yield item.line, *([None] * width), item.reason, item.stop
                    else:
                        yield item[0], *item[1], None, False

    return lambda batches: _frames(rows(batches), ["line", *[f"c{i}" for i in range(width)], "__why", "__stop"])


def json_schema() -> str:
    return "line BIGINT, j STRING, __over BIGINT, __why STRING"


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _array_items(text: str, i: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each element of the JSON array whose ``[`` is at ``i``."""
    import json

    dec = json.JSONDecoder()
    i = _skip(text, i + 1)
    if i < len(text) and text[i] == "]":
        return
    while True:
        _value, end = dec.raw_decode(text, i)
        yield i, end
        i = _skip(text, end)
        if i < len(text) and text[i] == ",":
            i = _skip(text, i + 1)
            continue
        if i < len(text) and text[i] == "]":
            return
        raise ValueError("an array element is followed by neither ',' nor ']'")


def json_records(text: str, array: bool, max_bytes: int) -> Iterator[tuple[int, str | None, int | None]]:
    """``(position, record text or None, the value's number when over the limit)``: DuckDB's ``read_json_objects``
    then the loader's unrolling, written once for the executors. ``array``: each element of
    the top-level array is a record, numbered from 1; a record over ``max_bytes`` has no text.
    Otherwise the file is JSON values one after another (documents); a document's records are
    the elements of its ``value`` array (a Graph page), or its own elements when it is an array,
    or the document itself; a document over the limit is one record without text, and its
    own number (from 1) is the one said over. Records are numbered across documents. Raises
    ValueError when the text is not JSON."""
    import json

    dec = json.JSONDecoder()

    def size_ok(a: int, b: int) -> bool:
        return b - a <= max_bytes // 4 or len(text[a:b].encode("utf-8")) <= max_bytes

    if array:
        i = _skip(text, 0)
        if i >= len(text) or text[i] != "[":
            raise ValueError("not a JSON array")
        for n, (a, b) in enumerate(_array_items(text, i), start=1):
            ok = size_ok(a, b)
            yield n, text[a:b] if ok else None, None if ok else n
        return
    line, doc, i = 0, 0, _skip(text, 0)
    while i < len(text):
        value, end = dec.raw_decode(text, i)
        doc += 1
        if not size_ok(i, end):
            line += 1
            yield line, None, doc
        elif isinstance(value, dict) and isinstance(value.get("value"), list):
            for a, b in _value_items(text, i):
                line += 1
                yield line, text[a:b], None
        elif isinstance(value, list):
            for a, b in _array_items(text, i):
                line += 1
                yield line, text[a:b], None
        else:
            line += 1
            yield line, text[i:end], None
        i = _skip(text, end)


def _value_items(text: str, i: int) -> Iterator[tuple[int, int]]:
    """The elements of the ``value`` array of the object whose ``{`` is at ``i``."""
    import json

    dec = json.JSONDecoder()
    i = _skip(text, i + 1)
    while i < len(text) and text[i] != "}":
        key, i = dec.raw_decode(text, i)
        i = _skip(text, _skip(text, i) + 1)  # past the ':'
        if key == "value" and text[i] == "[":
            yield from _array_items(text, i)
            return
        _v, i = dec.raw_decode(text, i)
        i = _skip(text, i)
        if i < len(text) and text[i] == ",":
            i = _skip(text, i + 1)


def split_json(array: bool, max_bytes: int) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """``mapInPandas`` function: a file's ``content`` to one row per JSON record; a file that
    is not JSON is one row with ``__why`` (the parser's message, which quotes no data)."""

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        keys = ["line", "j", "__over", "__why"]
        for batch in batches:
            for content in batch["content"]:
                rows: list[tuple[Any, ...]] = []
                try:
                    text = bytes(content).decode("utf-8")
                    rows = [(n, j, over, None) for n, j, over in json_records(text, array, max_bytes)]
                except (UnicodeDecodeError, ValueError) as e:
                    # The message says where, never what: it quotes no text of the file.
                    why = "not valid UTF-8" if isinstance(e, UnicodeDecodeError) else str(e).split(":")[0]
                    rows = [(None, None, None, why)]
                for k in range(0, len(rows), _BATCH):
                    yield pd.DataFrame(rows[k:k + _BATCH], columns=keys)

    return run
