"""Text files read the careful way: physical lines and CSV records with their true line numbers.

The engines' own readers are fast but number rows by their position, and a few shapes break
that: a quoted field spanning lines, blank lines a CSV reader skips, a line so long the reader
drops it without a word, a gzip stream cut short or followed by other bytes, mixed line
endings. :func:`count_lines` is the cheap check that a fast read can be trusted (it counts line
ends at memory speed); when it cannot, the engine reads the file again through
:func:`text_lines` or :func:`csv_records`, which never lose a record without a reason.

Rules shared by both:

- A physical line ends at ``\\n``, ``\\r\\n`` or ``\\r`` (a file may mix them); lines are
  numbered from 1. A record's line is the first physical line it occupies.
- Memory is bounded: a line over ``max_bytes`` is skipped as it is read (never held whole)
  and becomes one reject ``record over N bytes``.
- A gzip stream is read member by member; at the first damage (truncated, corrupt, or
  bytes after the last member that are not gzip) reading stops, everything before is kept and
  :attr:`Source.stop` says where and why. No byte of the file is written anywhere.
- Reasons never quote the data: they may hold a national ID.
"""

from __future__ import annotations

import csv
import io
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

CHUNK = 1 << 20
_GZIP = b"\x1f\x8b"


class Source:
    """The decompressed bytes of a file, chunk by chunk (gzip is recognised by its magic)."""

    def __init__(self, path: Path, data: bytes | None = None) -> None:
        self.path = path
        # The file's bytes when an engine has already read them (Spark reads any filesystem
        # URI itself and hands the content over); the same rules then apply to them.
        self.data = data
        self.stop = ""  # why reading stopped before the end, "" when the whole file was read
        self.compressed_offset = 0  # bytes of the file consumed when reading stopped

    def buffers(self) -> Iterator[tuple[bytes | bytearray, int]]:
        """The bytes as (buffer, length) pairs: a plain file is read into one buffer, reused,
        so a buffer is valid only until the next is asked for (and never empty)."""
        if self.data is None:
            with self.path.open("rb") as fh:
                plain = fh.read(2) != _GZIP
        if self.data is not None or not plain:
            for chunk in self.chunks():
                yield chunk, len(chunk)
            return
        buf = bytearray(CHUNK)
        with self.path.open("rb", buffering=0) as fh:
            while n := fh.readinto(buf):
                yield buf, n

    def chunks(self) -> Iterator[bytes]:
        with (io.BytesIO(self.data) if self.data is not None else self.path.open("rb")) as fh:
            head = fh.read(2)
            fh.seek(0)
            if head != _GZIP:
                while data := fh.read(CHUNK):
                    yield data
                return
            yield from self._gunzip(fh)

    def _gunzip(self, fh: BinaryIO) -> Iterator[bytes]:
        d = zlib.decompressobj(wbits=31)
        data = fh.read(CHUNK)
        while data:
            try:
                # max_length bounds what one call expands to: a small bomb cannot fill memory.
                out = d.decompress(data, CHUNK)
                while True:
                    if out:
                        yield out
                    if not d.unconsumed_tail:
                        break
                    out = d.decompress(d.unconsumed_tail, CHUNK)
            except zlib.error:
                self._stopped("the gzip stream is corrupt", fh.tell())
                return
            if not d.eof:
                data = fh.read(CHUNK)
                continue
            rest = d.unused_data
            if len(rest) < 2:
                rest += fh.read(CHUNK)
            if not rest:
                return
            if rest[:2] != _GZIP:  # another member may follow; anything else is not ours
                self._stopped("bytes after the end of the gzip stream are not gzip", fh.tell() - len(rest))
                return
            d = zlib.decompressobj(wbits=31)
            data = rest
        self._stopped("the gzip stream is truncated", fh.tell())

    def _stopped(self, why: str, offset: int) -> None:
        self.stop = why
        self.compressed_offset = max(offset, 0)


@dataclass(frozen=True)
class LineCount:
    """Physical lines of a file; ``trailing_blank`` of them are empty lines at its very end."""

    lines: int
    trailing_blank: int


def _terms(a: np.ndarray[Any, np.dtype[np.uint8]], mask: np.ndarray[Any, np.dtype[np.bool_]], cr: bool) -> int:
    """Line ends in the bytes ``a`` (``\\r\\n`` counts once); ``cr``: whether any is a ``\\r``.

    numpy's comparison, vectorised, counts at some 4 GB/s here, three times bytes.count of one
    byte. The comparison writes into ``mask``, kept from chunk to chunk: a fresh 1 MiB mask a
    chunk cost more in new pages than the count itself. A file without a ``\\r`` (found by
    ``bytes.find``, at memory speed) needs that one comparison."""
    m = mask[: len(a)]
    lf = int(np.count_nonzero(np.equal(a, 10, out=m)))
    if not cr:
        return lf
    crs = int(np.count_nonzero(np.equal(a, 13, out=m)))
    return lf + crs - (int(np.count_nonzero((a[:-1] == 13) & (a[1:] == 10))) if crs and lf else 0)


def count_lines(path: Path) -> LineCount | None:
    """Count physical lines at memory speed; None when the file cannot be read to its end."""
    src = Source(path)
    total = 0
    tail = 0  # line ends in the run of line-end bytes the file ends with
    content = False  # any byte that is not a line end
    prev_cr = False
    last = -1  # the file's last byte, -1 for none
    mask = np.empty(CHUNK, dtype=np.bool_)
    try:
        for buf, n in src.buffers():
            a = np.frombuffer(buf, dtype=np.uint8, count=n)
            cr = buf.find(b"\r", 0, n) >= 0
            total += _terms(a, mask, cr)
            if prev_cr and a[0] == 10:
                total -= 1  # a \r\n split between two chunks
            # The run of line-end bytes the chunk ends with (most chunks end inside a line).
            run = 0
            if a[-1] in (10, 13):
                ends = np.flatnonzero((a != 10) & (a != 13))
                run = n - int(ends[-1]) - 1 if len(ends) else n
            terms = _terms(a[n - run:], mask, cr) if run else 0
            if run < n:
                content = True
                tail = terms
            else:
                tail += terms - (1 if prev_cr and a[0] == 10 else 0)
            prev_cr = bool(a[-1] == 13)
            last = int(a[-1])
    except OSError:
        return None
    if src.stop:
        return None
    if last < 0:
        return LineCount(0, 0)
    if last not in (10, 13):
        return LineCount(total + 1, 0)
    return LineCount(total, tail - 1 if content else tail)


@dataclass
class Line:
    number: int
    data: bytes | None  # None: longer than the limit, skipped unread
    end: bytes  # the line end as written (b"" for a last line without one)


def physical_lines(src: Source, max_bytes: int) -> Iterator[Line]:
    """Every physical line of ``src`` in order; an over-long line has ``data`` None."""
    number = 0
    buf = b""
    skipping = False  # inside a line already known to be too long
    for chunk in src.chunks():
        buf += chunk
        start = 0
        n = len(buf)
        lf = buf.find(b"\n")
        while True:
            if 0 <= lf < start:  # a -1 stays -1: no LF in the rest of this buffer
                lf = buf.find(b"\n", start)
            cr = buf.find(b"\r", start, lf if lf >= 0 else n)
            pos = cr if cr >= 0 else lf
            if pos < 0:
                break
            if buf[pos:pos + 1] == b"\r":
                if pos + 1 == n:
                    break  # a \r at the end of the buffer may be the first half of \r\n
                end = b"\r\n" if buf[pos + 1:pos + 2] == b"\n" else b"\r"
            else:
                end = b"\n"
            number += 1
            too_long = skipping or pos - start > max_bytes
            yield Line(number, None if too_long else buf[start:pos], end)
            skipping = False
            start = pos + len(end)
        buf = buf[start:]
        if len(buf) > max_bytes + 1:  # never hold more than one line's allowance
            skipping = True
            buf = buf[-1:] if buf.endswith(b"\r") else b""
    if src.stop:
        return  # the last line was cut short: it is part of what could not be read
    if buf.endswith(b"\r"):
        number += 1
        data = buf[:-1]
        yield Line(number, None if skipping or len(data) > max_bytes else data, b"\r")
    elif buf or skipping:
        number += 1
        yield Line(number, None if skipping or len(buf) > max_bytes else buf, b"")


def over_limit(max_bytes: int) -> str:
    return f"record over {max_bytes} bytes"


def stop_reason(src: Source, last_line: int) -> str:
    return (f"{src.stop} (at byte {src.compressed_offset} of the compressed file): reading stopped after "
            f"line {last_line}, nothing after it could be read")


@dataclass(frozen=True)
class Reject:
    line: int | None
    reason: str
    stop: bool = False


def text_lines(
    path: Path, max_bytes: int, encoding: str = "utf-8", data: bytes | None = None
) -> Iterator[tuple[int, str] | Reject]:
    """(line, text) for each non-blank line, or a :class:`Reject` for a line that cannot be used.
    ``data``: the file's bytes, already read (``path`` then only names it)."""
    src = Source(path, data)
    last = 0
    for ln in physical_lines(src, max_bytes):
        last = ln.number
        if ln.data is None:
            yield Reject(ln.number, over_limit(max_bytes))
            continue
        data = ln.data[3:] if ln.number == 1 and ln.data.startswith(b"\xef\xbb\xbf") else ln.data
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            yield Reject(ln.number, "not valid UTF-8")
            continue
        if text.strip():
            yield ln.number, text
    if src.stop:
        yield Reject(last + 1, stop_reason(src, last), stop=True)


class _Overflow(Exception):
    """A record grew past the byte limit while its quoted field stayed open."""


# A record may span this many physical lines; past it an open quote is taken to be a stray.
MAX_RECORD_LINES = 10_000


def csv_records(
    path: Path, width: int, max_bytes: int, has_header: bool = True, encoding: str = "utf-8",
    names: tuple[str, ...] = (), ragged: bool = False, errors: str = "strict", data: bytes | None = None,
) -> Iterator[tuple[int, list[str]] | Reject]:
    """(first line, fields) for each RFC 4180 record of ``width`` fields, else a :class:`Reject`.

    ``ragged``: a one-line record may have any number of fields (a hand-made list); a record
    over several lines must still have ``width``, or its open quote is taken for a stray.
    ``errors="replace"`` reads bytes that are not ``encoding`` as U+FFFD instead of rejecting.

    A record that does not parse (a quote left open, a stray quote, the wrong number of
    fields, bytes that are not text) is one reject at its first line, and reading resumes at
    the next physical line: an unterminated quote costs one record, never the rows after it.
    Blank lines are skipped, as the engines' readers skip them.
    """
    if csv.field_size_limit() <= max_bytes:  # the module's default, 128 KiB, is below ours
        csv.field_size_limit(max_bytes + 1)
    src = Source(path, data)
    lines = physical_lines(src, max_bytes)
    replay: deque[Line] = deque()
    last = 0
    header_seen = not has_header
    replayed = 0
    read_lines = 0
    single_line = False  # set once re-reading has cost far more than the file: no more spans

    def pull() -> Line | None:
        nonlocal last, read_lines
        if replay:
            return replay.popleft()
        ln = next(lines, None)
        if ln is not None:
            last = ln.number
            read_lines += 1
        return ln

    while (first := pull()) is not None:
        if first.data is None:
            yield Reject(first.number, over_limit(max_bytes))
            continue
        data = first.data[3:] if first.number == 1 and first.data.startswith(b"\xef\xbb\xbf") else first.data
        if not data:
            continue
        text, bad = _decode(data, encoding, errors)
        if '"' not in text:  # no quote: the record is this line, split on commas
            fields = text.split(",")
        else:
            taken: list[Line] = []
            fields_or_none = _parse_quoted(text + first.end.decode("ascii"), taken, pull, max_bytes,
                                           encoding, errors, single_line)
            if fields_or_none is None or (len(taken) > 0 and len(fields_or_none) != width):
                # Only the first line is given up: the lines the open quote swallowed are read
                # again as records of their own.
                replay.extendleft(reversed(taken))
                replayed += len(taken)
                if replayed > 100_000 + 4 * read_lines:
                    single_line = True
                if header_seen:
                    yield Reject(first.number, "unterminated or stray quote: this line was skipped, "
                                               "reading resumed at the next line")
                else:
                    header_seen = True
                continue
            fields = fields_or_none
            bad = bad or any(_decode(t.data or b"", encoding, errors)[1] for t in taken)
        if not header_seen:
            header_seen = True
            continue
        if bad:
            yield Reject(first.number, _bad_text_reason(fields, names, encoding))
        elif len(fields) != width and not ragged:
            more = "more" if len(fields) > width else "fewer"
            yield Reject(first.number, f"{more} fields than the header ({len(fields)}, not {width})")
        else:
            yield first.number, fields
    if src.stop:
        yield Reject(last + 1, stop_reason(src, last), stop=True)


def _decode(data: bytes, encoding: str, errors: str = "strict") -> tuple[str, bool]:
    """Text of a line, and whether it held bytes that are not ``encoding`` (kept as surrogates,
    so the record's fields can still be told apart and the bad one named)."""
    try:
        return data.decode(encoding), False
    except UnicodeDecodeError:
        if errors == "replace":
            return data.decode(encoding, errors="replace"), False
        return data.decode(encoding, errors="surrogateescape"), True


def _bad_text_reason(fields: list[str], names: tuple[str, ...], encoding: str) -> str:
    what = "not valid UTF-8" if encoding.replace("-", "").lower() in ("utf8", "utf8sig") else f"not valid {encoding}"
    for i, f in enumerate(fields):
        if any("\udc80" <= ch <= "\udcff" for ch in f):
            return f"{what} (column {names[i]})" if i < len(names) else what
    return what


def _parse_quoted(
    head: str, taken: list[Line], pull: Callable[[], Line | None], max_bytes: int, encoding: str, errors: str,
    single_line: bool,
) -> list[str] | None:
    """Parse one record that starts with ``head``, pulling continuation lines while a quoted
    field is open. ``taken`` receives the lines pulled; None when the record does not parse."""
    size = len(head)

    def feed() -> Iterator[str]:
        nonlocal size
        yield head
        if single_line:
            return
        while len(taken) < MAX_RECORD_LINES:
            ln = pull()
            if ln is None:
                return
            taken.append(ln)
            if ln.data is None:
                raise _Overflow
            size += len(ln.data)
            if size > max_bytes:
                raise _Overflow
            yield _decode(ln.data, encoding, errors)[0] + ln.end.decode("ascii")

    try:
        row = next(csv.reader(feed(), strict=True), None)
    except (csv.Error, _Overflow):
        return None
    return row
