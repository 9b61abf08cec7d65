"""Fuzzing the CSV and JSON readers from the corpus of malformed shapes (tests/data/malformed).

Each example takes a corpus file, damages it a few ways (bytes flipped, inserted, deleted, cut
short, quotes, line ends and NULs dropped in) and loads it as its part. Whatever comes in: no
exception escapes, every file reconciles (read = loaded + rejected, one reject row each), and
every line number cited is a real line of the file, used once. The budget is fixed (CI runs
the same number of examples each time, well under a minute).
"""

from __future__ import annotations

import gzip
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import DATA
from unmask.config import Config
from unmask.engine import open_engine
from unmask.engine.textfiles import Source
from unmask.sensitive import load_tokenizer
from unmask.sources import load_bundle
from unmask.sources.base import LoadContext

CORPUS = sorted(p for p in (DATA / "malformed").iterdir() if p.name != "README.md")
CSV_SEEDS = [p for p in CORPUS if p.name.startswith("employees-")]
JSON_SEEDS = [p for p in CORPUS if p.name.startswith("okta-")]
SPECIAL = [b'"', b"\n", b"\r", b"\r\n", b"\x00", b",", b"\xff", b"{", b"}", b"\x1f\x8b"]


@st.composite
def _damaged(draw: st.DrawFn, seeds: list[Path]) -> tuple[Path, bytes]:
    seed = draw(st.sampled_from(seeds))
    raw = seed.read_bytes()
    gz = seed.name.endswith(".gz")
    data = bytearray(b"".join(Source(seed).chunks()) if gz else raw)
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(["flip", "insert", "special", "delete", "cut", "repeat"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "special":
            data[at:at] = draw(st.sampled_from(SPECIAL))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 16))]
        elif op == "cut":
            del data[at:]
        else:  # a stretch repeated: duplicate ids, doubled quotes
            data[at:at] = data[at:at + draw(st.integers(1, 40))]
    out = bytes(data)
    if gz:
        out = gzip.compress(out, mtime=0)
        if draw(st.booleans()):
            out = out[: draw(st.integers(0, len(out)))]
    return seed, out


def _check(root: Path, rel: str, data: bytes) -> None:
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    ctx = LoadContext(open_engine(None), root, Config(max_line_bytes=4096), load_tokenizer())
    load_bundle(ctx)  # no exception may escape
    (rep,) = ctx.files
    assert rep.read == rep.loaded + rep.rejected
    eng = ctx.engine
    assert eng.query("SELECT count(*) FROM rejects WHERE unit <> 'file'")[0][0] == rep.rejected
    if rep.status == "unreadable":
        assert rep.loaded == 0 and rep.note
        return
    physical = len(b"".join(Source(target).chunks()).splitlines())
    table = {"hr.employees": "employees", "idp.okta": "okta_events"}[rep.part]
    loaded = [r[0] for r in eng.query(f"SELECT line FROM {table} WHERE source_file = ?", [rep.path])]  # noqa: S608
    rejected = [r[0] for r in eng.query("SELECT line FROM rejects WHERE unit <> 'file'")]
    unit = eng.query("SELECT any_value(unit) FROM rejects")[0][0]
    # Duplicate ids are rejected at their own line; every other record and reject has one line.
    assert len(set(loaded)) == len(loaded)
    assert all(n is not None and n >= 1 for n in loaded + rejected)
    if unit != "record":  # line-oriented: each number is a physical line (a stop is one past the last)
        assert all(n <= physical for n in loaded)
        assert all(n <= physical + 1 for n in rejected)
        assert not set(loaded) & set(rejected)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(_damaged(CSV_SEEDS))
def test_csv_reader_fuzz(tmp_path_factory: object, case: tuple[Path, bytes]) -> None:
    seed, data = case
    root = tmp_path_factory.mktemp("f")  # type: ignore[attr-defined]
    _check(root, "hr/employees.csv" + (".gz" if seed.name.endswith(".gz") else ""), data)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(_damaged(JSON_SEEDS))
def test_json_reader_fuzz(tmp_path_factory: object, case: tuple[Path, bytes]) -> None:
    seed, data = case
    root = tmp_path_factory.mktemp("j")  # type: ignore[attr-defined]
    suffix = seed.name.split(".", 1)[1]
    _check(root, f"idp/okta/f.{suffix}", data)


def test_the_corpus_covers_the_shapes() -> None:
    names = {p.name for p in CORPUS}
    for shape in ("too-few-fields", "too-many-fields", "nul-row", "unterminated-quote", "quoted-newlines",
                  "mixed-line-ends", "truncated", "trailing-garbage", "bad-utf8", "too-big"):
        assert any(shape in n for n in names), shape
