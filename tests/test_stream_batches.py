"""A streamed read keeps every line's number and every reject however its batches fall.

The 10M-event scans read Okta in batches of 200k lines, handed on in whole row groups of the
stored table; the small bundles of the other tests fit in one batch and never cross a batch
edge. Here the batch and row-group sizes are made tiny so that blank lines, rejected lines
(in the reader and in the layers) and file edges land on both sides of many edges, and each
record names its own line, so the expected numbers are known without the reader.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
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


def test_a_large_csv_keeps_its_line_numbers(tmp_path: Path) -> None:
    """Tens of thousands of workers, read in parallel with every layer (national IDs tokenised,
    their one-typo variants, countries read as ISO codes): each record keeps its own line. A
    layer with a subquery lost the row order past the first few thousand rows, silently."""
    from unmask.engine import register_udfs
    from unmask.sources.base import load_csv_part
    from unmask.sources.tabular import EMPLOYEES

    hr = tmp_path / "hr"
    hr.mkdir()
    header = ("employee_id,full_name,email,personal_email,phone,date_of_birth,national_id,address_line1,"
              "address_line2,city,region,postal_code,country,employment_type,vendor_company,hire_date,"
              "termination_date,title,department,manager_id")
    rows = [header]
    for n in range(40_000):
        rows.append(f"E{n},Worker {n},w{n}@corp.example,,+1-636-529-{n % 10000:04d},1990-01-{n % 28 + 1:02d},"
                    f"{n % 900 + 100}-{n % 89 + 10}-{n % 9000 + 1000},{n} Main St,,Austin,TX,78701,"
                    f"{'USA' if n % 3 else 'United States'},employee,,2024-01-02,,Engineer,IT,")
    (hr / "employees.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    eng = open_engine(None, threads=2)
    ctx = LoadContext(eng, tmp_path, Config(), Tokenizer(b"k" * 32, "test"))
    register_udfs(eng, "unmask_country")
    init_store(eng)
    create_part_table(eng, EMPLOYEES)
    report = load_csv_part(ctx, EMPLOYEES, hr / "employees.csv")
    assert (report.loaded, report.rejected) == (40_000, 0)
    wrong = eng.query("SELECT count(*) FROM employees WHERE line <> substr(employee_id, 2)::BIGINT + 2")[0][0]
    assert wrong == 0
    assert eng.query("SELECT count(DISTINCT country), count(national_id_near) FROM employees")[0] == (1, 40_000)
    ctx.cleanup()


def test_a_reading_layer_with_a_subquery_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("x\n1\n", encoding="utf-8")
    eng = open_engine(None)
    for layer in ("(SELECT c0) AS x", "( select 1 ) AS x", "(FROM t) AS x"):
        with pytest.raises(ValueError, match="subquery"):
            eng.load_csv(path, ["x"], "t", 1 << 20, layers=(layer,))
    assert eng.load_csv(path, ["x"], "t", 1 << 20, layers=("c0 AS x",)) == []


def test_batches_fetched_ahead_come_in_order_and_an_error_where_it_happened() -> None:
    from unmask.engine.duckdb.ahead import fetched_ahead

    with fetched_ahead(iter(range(50)), 2) as items:
        assert list(items) == list(range(50))

    def failing() -> Iterator[int]:
        yield from range(5)
        raise ValueError("the read broke")

    got: list[int] = []
    with pytest.raises(ValueError, match="the read broke"), fetched_ahead(failing(), 2) as items:
        got.extend(items)
    assert got == [0, 1, 2, 3, 4]  # every item before the error, then the error


def test_fetching_ahead_is_bounded_and_stops_with_its_reader() -> None:
    from unmask.engine.duckdb.ahead import fetched_ahead

    fetched: list[int] = []

    def source() -> Iterator[int]:
        for i in range(1000):
            fetched.append(i)
            yield i

    with fetched_ahead(source(), 2) as items:
        assert next(items) == 0
        time.sleep(0.5)  # the fetcher runs ahead as far as it may
        # Taken: 1; queued: 2; one more fetched, waiting for room. Never the whole source.
        assert len(fetched) <= 4
    # Leaving the block stopped the fetcher: it takes no more from the source.
    n = len(fetched)
    time.sleep(0.3)
    assert len(fetched) == n <= 4
