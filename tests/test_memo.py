"""Parsers once per distinct value, remembered across scans (issue 17, normalise/memo.py).

The address, phone, e-mail and profile scalars are wrapped to count their calls on this
bundle's values: the first scan parses each distinct value once, a rescan of the same bundle
into the same OUT parses nothing and writes the same outputs, a changed value is parsed
again alone, and the cache keys reveal no value (another token key finds nothing)."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import unmask.values.udfs as udfs
from tests.helpers import bundle, emp, jsonl, ship
from unmask.engine import open_engine
from unmask.normalise.memo import PARSE_CACHE
from unmask.pipeline import scan
from unmask.values import address

PARSERS = ("unmask_addr_building", "unmask_addr_full", "unmask_addr_zip", "unmask_phone", "unmask_email",
           "unmask_handle")
STREETS = ("12 Elm St", "40 Pine Rd", "7 Birch Ave")
PHONES = ("(614) 555-0101", "614-555-0102", "+1 614 555 0103")
EMAILS = ("ann.lee@gmail.com", "bo.park@outlook.com", "cy.diaz@yahoo.com")


def _workers(phone3: str = PHONES[2]) -> list[dict[str, Any]]:
    # Two workers share a home: one address, parsed once.
    return [
        emp("E1", "Ann Lee", STREETS[0], phone=PHONES[0], personal_email=EMAILS[0]),
        emp("E2", "Bo Park", STREETS[0], phone=PHONES[1], personal_email=EMAILS[1]),
        emp("E3", "Cy Diaz", STREETS[1], phone=phone3, personal_email=EMAILS[2]),
    ]


def _make(root: Path, phone3: str = PHONES[2]) -> Path:
    return bundle(root, _workers(phone3), shipments=[ship("S1", "E3", STREETS[2], "43215", "Columbus", "OH")])


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple[str, str]]:
    """(scalar, first argument) of every call on this bundle's values."""
    seen: Counter[tuple[str, str]] = Counter()
    ours = {*STREETS, *PHONES, *EMAILS, "614 555 0199"}

    def counting(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        # wraps: DuckDB reads the scalar's arity from its signature (__wrapped__'s).
        @functools.wraps(fn)
        def wrapped(*args: Any) -> Any:
            if args and args[0] in ours:
                seen[(name, args[0])] += 1
            return fn(*args)
        return wrapped

    for name in PARSERS:
        u = udfs.UDFS[name]
        monkeypatch.setitem(udfs.UDFS, name, dataclasses.replace(u, fn=counting(name, u.fn)))
    # The normalise stage computes the three address keys in one Python call (in this process
    # for so few addresses): each call counts for all three.
    keys = address.address_keys

    def address_keys(*args: Any) -> Any:
        if args and args[0] in ours:
            for name in PARSERS[:3]:
                seen[(name, args[0])] += 1
        return keys(*args)

    monkeypatch.setattr(address, "address_keys", address_keys)
    return seen


def _outputs(out: Path) -> list[tuple[Any, ...]]:
    return sorted((f["subject"]["id"], f["score"], f["band"], sorted((e["signal"], e["source"]) for e in f["evidence"]))
                  for f in jsonl(out / "findings.jsonl"))


def _table(out: Path, sql: str) -> list[tuple[Any, ...]]:
    eng = open_engine(out / "unmask.duckdb", read_only=True)
    try:
        return sorted(eng.query(sql), key=repr)
    finally:
        eng.close()


def test_a_rescan_parses_nothing_again(tmp_path: Path, calls: Counter[tuple[str, str]],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    root, out = _make(tmp_path / "b"), tmp_path / "out"
    scan(root, out)
    # Once per distinct value: the shared home is one address, each phone and e-mail one call.
    assert calls[("unmask_addr_building", STREETS[0])] == 1 and calls[("unmask_addr_full", STREETS[0])] == 1
    assert {calls[("unmask_phone", p)] for p in PHONES} == {1}
    assert {calls[("unmask_email", e)] for e in EMAILS} == {1}
    assert calls[("unmask_addr_zip", STREETS[2])] == 1  # the ship-to address
    first = _outputs(out)
    assert _manifest(out)["parse_cache"]["found"] == 0 and _manifest(out)["parse_cache"]["parsed"] > 0
    ids = "SELECT subject_id, kind, value FROM identifiers"
    addrs = "SELECT subject_id, kind, building, full_key, zip5 FROM addresses"
    first_ids, first_addrs = _table(out, ids), _table(out, addrs)
    assert ("E1", "phone", "+16145550101") in first_ids
    assert {r[2] for r in first_addrs if r[0] == "E1"} == {r[2] for r in first_addrs if r[0] == "E2"} != {None}

    calls.clear()
    scan(root, out)
    assert sum(calls.values()) == 0, calls
    assert _manifest(out)["parse_cache"]["parsed"] == 0 and _manifest(out)["parse_cache"]["found"] > 0
    assert _outputs(out) == first and _table(out, ids) == first_ids and _table(out, addrs) == first_addrs

    # A changed value is parsed again, alone.
    _make(root, phone3="614 555 0199")
    calls.clear()
    scan(root, out)
    assert dict(calls) == {("unmask_phone", "614 555 0199"): 1}
    assert ("E3", "phone", "+16145550199") in _table(out, ids)

    # The cache is keyed by the token key: it holds no input, and another key finds nothing.
    assert (out / PARSE_CACHE).stat().st_mode & 0o077 == 0  # beside the scans, the owner's only
    cache = open_engine(None)
    cache.load_parquet("memo", out / PARSE_CACHE)
    keys, values = zip(*cache.query("SELECT k, v FROM memo"), strict=True)
    cache.close()
    assert all(re.fullmatch(r"[0-9a-f]{64}", k) for k in keys)
    assert not any(s.lower() in " ".join(keys) for s in (*STREETS, *EMAILS, "6145550101"))
    assert "+16145550101" in values
    monkeypatch.setenv("UNMASK_TOKEN_KEY", "7c" * 32)
    calls.clear()
    scan(root, out)
    assert calls[("unmask_phone", PHONES[0])] == 1 and calls[("unmask_addr_building", STREETS[0])] == 1


def test_without_a_cache_each_distinct_value_is_parsed_once(tmp_path: Path, calls: Counter[tuple[str, str]]) -> None:
    from unmask.pipeline import load, prepare

    loaded = load(_make(tmp_path / "b"), None)
    prepare(loaded)  # no OUT: nothing is remembered, values are still parsed once each
    loaded.engine.close()
    assert calls[("unmask_addr_building", STREETS[0])] == 1
    assert {calls[("unmask_phone", p)] for p in PHONES} == {1}
    assert loaded.memo is None and not list(tmp_path.rglob(PARSE_CACHE))


def test_a_damaged_cache_is_noted_parsed_anew_and_replaced(tmp_path: Path, calls: Counter[tuple[str, str]]) -> None:
    root, out = _make(tmp_path / "b"), tmp_path / "out"
    scan(root, out)
    first = _outputs(out)
    (out / PARSE_CACHE).write_bytes(b"PAR1 not a parquet file")
    calls.clear()
    scan(root, out)
    account = _manifest(out)["parse_cache"]
    assert account["found"] == 0 and account["parsed"] > 0 and account["unreadable"]
    assert calls[("unmask_phone", PHONES[0])] == 1
    assert _outputs(out) == first
    calls.clear()
    scan(root, out)  # the damaged file was replaced by the last scan's answers
    assert sum(calls.values()) == 0 and "unreadable" not in _manifest(out)["parse_cache"]


def test_an_interrupted_scan_keeps_the_previous_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from unmask.report import html

    root, out = _make(tmp_path / "b"), tmp_path / "out"
    scan(root, out)
    kept = (out / PARSE_CACHE).read_bytes()
    _make(root, phone3="614 555 0199")

    def boom(*_a: object, **_k: object) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr(html, "render", boom)
    with pytest.raises(RuntimeError):
        scan(root, out)
    assert (out / PARSE_CACHE).read_bytes() == kept
    assert not [p.name for p in out.iterdir() if p.name.startswith(".pending.")]


def _manifest(out: Path) -> dict[str, Any]:
    import json

    m: dict[str, Any] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return m


def _febrl_addresses(n: int) -> list[tuple[str | None, ...]]:
    """(line1, line2, city, region, postal code, country) of FEBRL's real-shaped records, as a
    US address (the usaddress path) and as an Australian one, with gaps as the file has them."""
    import csv

    data = Path(__file__).parent / "data" / "febrl" / "dataset3.csv"
    out: list[tuple[str | None, ...]] = []
    with data.open(encoding="utf-8") as fh:
        for i, r in enumerate(csv.DictReader(fh, skipinitialspace=True)):
            if i >= n:
                break
            line1 = " ".join(x for x in (r["street_number"], r["address_1"]) if x) or None
            out.append((line1, r["address_2"] or None, r["suburb"] or None, r["state"] or None,
                        r["postcode"] or None, "US" if i % 2 else "AU"))
    return out


def test_parser_workers_give_the_answers_of_this_process() -> None:
    from unmask.normalise.memo import compute

    rows = [*_febrl_addresses(3000), (None, None, None, None, None, None), ("12 Elm St", "Apt 4", "Columbus", "OH",
                                                                          "43215", None)]
    here = [address.address_keys(*r) for r in rows]
    assert len({h[0] for h in here}) > 2000  # real variety, not one answer
    assert compute(address.address_keys, rows, workers=2, min_rows=0) == here  # two processes, in order
    assert compute(address.address_keys, rows, workers=1, min_rows=0) == here


@pytest.mark.parametrize("cached", [False, True])
def test_addresses_computed_in_python_match_the_scalars(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         cached: bool) -> None:
    """The normalise stage's address keys through worker processes equal the SQL scalars', with
    and without the parse cache, duplicates and NULLs included."""
    import unmask.normalise.memo as memo_mod
    from unmask.normalise.memo import Memo, distinct_values
    from unmask.normalise.stage import register_functions
    from unmask.sensitive import load_tokenizer

    monkeypatch.setattr(memo_mod, "PARALLEL_MIN", 0)
    rows = _febrl_addresses(1500)
    rows = [*rows, *rows[:300], (None, None, None, None, None, "US")]  # repeats: parsed once each
    eng = open_engine(None, threads=2)
    register_functions(eng)
    eng.execute("CREATE TABLE src(a1 VARCHAR, a2 VARCHAR, c VARCHAR, r VARCHAR, p VARCHAR, co VARCHAR)")
    eng.insert_rows("src", ["a1", "a2", "c", "r", "p", "co"], rows)
    a = ["a1", "a2", "c", "r", "p", "co"]
    udf = "(a1, a2, c, r, p, co)"
    outputs = {"building": f"unmask_addr_building{udf}", "full_key": f"unmask_addr_full{udf}",
               "zip5": f"unmask_addr_zip{udf}"}
    tables = {}
    for name, python in (("sql", None), ("py", address.address_keys)):
        pads = load_tokenizer().pads()
        memo = Memo(tmp_path / "none.parquet", tmp_path / f"{name}.parquet", pads) if cached else None
        if memo:
            memo.begin(eng)
        distinct_values(eng, memo, f"k_{name}", "SELECT * FROM src", a, outputs, python=python)
        tables[name] = eng.query(f"SELECT a1, a2, c, r, p, co, building, full_key, zip5 FROM k_{name} "  # noqa: S608
                                 "ORDER BY ALL")
        if memo:
            assert memo.account["parsed"] == 3 * len(set(rows)) and memo.account["found"] == 0
            memo.save(eng)
    eng.close()
    assert len(tables["py"]) == len(set(rows))
    assert tables["py"] == tables["sql"]
    if cached:  # the same answers kept under the same keys: a later scan finds either's
        cache = open_engine(None)
        cache.load_parquet("sql", tmp_path / "sql.parquet")
        cache.load_parquet("py", tmp_path / "py.parquet")
        assert cache.query("SELECT * FROM sql ORDER BY ALL") == cache.query("SELECT * FROM py ORDER BY ALL")
        cache.close()
