"""National IDs and account numbers: tokenised on read, never in clear anywhere downstream."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.helpers import EMP_COLS, bundle, dep, emp, write_csv
from unmask.cli import app
from unmask.sensitive import TOKEN_PREFIX, KeyError_, Tokenizer, load_tokenizer, sql_near, sql_token, sql_token_variants

CLEAR_IDS = ["900-12-3456", "900-65-4321", "900-12-3456"]
# Digits in no order: "123456789" also occurs in the store as the sorted byte set of a string
# dictionary (every digit present), which is no leak and made this test fail one run in three.
CLEAR_ACCOUNTS = ["000583917264", "000729461835"]


def _digits_variants(v: str) -> list[bytes]:
    bare = v.replace("-", "")
    return [v.encode(), bare.encode(), bare[-9:].encode()]


def test_no_clear_value_in_store_outputs_or_logs(tmp_path: Path) -> None:
    emps = [emp("E1", "Ann Lee", national_id=CLEAR_IDS[0]), emp("E2", "Bo Park", "9 Elm", national_id=CLEAR_IDS[1]),
            emp("E3", "Cy Diaz", "3 Ash", national_id=CLEAR_IDS[2])]
    deps = [dep("E1", CLEAR_ACCOUNTS[0], "Ann Lee"), dep("E2", CLEAR_ACCOUNTS[0], "Bo Park"),
            dep("E3", CLEAR_ACCOUNTS[1], "Cy Diaz")]
    root = bundle(tmp_path / "b", emps, deposits=deps)
    # A malformed row holding a clear ID must not leak through rejects either.
    with (root / "hr/employees.csv").open("a") as fh:
        fh.write('E9,"Broken,row,900-77-1234\n')
    # The HRIS audit trail names the field the way its vendor does; the values are clear.
    write_csv(root / "hr/changes.csv", ["employee_id", "field", "old_value", "new_value", "changed_at", "changed_by"], [
        {"employee_id": "E1", "field": "Account Number", "old_value": CLEAR_ACCOUNTS[1],
         "new_value": CLEAR_ACCOUNTS[0], "changed_at": "2026-08-03T10:00:00Z", "changed_by": "self"},
        {"employee_id": "E3", "field": "national_id", "old_value": "", "new_value": CLEAR_IDS[1],
         "changed_at": "2026-08-04T10:00:00Z", "changed_by": "hr"},
        {"employee_id": "E3", "field": "address_line1", "old_value": "3 Ash", "new_value": "4 Ash",
         "changed_at": "2026-08-05T10:00:00Z", "changed_by": "self"}])
    out = tmp_path / "out"
    # Through the CLI, as a user runs it: it starts DuckDB with junk-filled memory, so no clear
    # text left on the heap reaches the slack of a block in the store (duckdb/duckdb#23382).
    env = {k: v for k, v in os.environ.items() if k not in ("DUCKDB_JE_MALLOC_CONF", "UNMASK_NO_RESTART")}
    env.update(UNMASK_DEBUG="", UNMASK_PROGRESS="1")
    proc = subprocess.run([sys.executable, "-m", "unmask.cli", "scan", str(root), "--out", str(out)],
                          capture_output=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    logs = proc.stdout + proc.stderr
    assert (out / "unmask.duckdb").exists()
    haystacks = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    haystacks["logs"] = logs
    # Also every table's text, in case the file stores strings compressed.
    con = duckdb.connect(str(out / "unmask.duckdb"), read_only=True)
    dump = []
    for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall():
        dump.append(str(con.execute(f'SELECT * FROM "{t}"').fetchall()))  # noqa: S608 - our table names
    con.close()
    haystacks["tables"] = "\n".join(dump).encode()
    for secret in [*CLEAR_IDS, *CLEAR_ACCOUNTS, "900-77-1234"]:
        for needle in _digits_variants(secret):
            for name, hay in haystacks.items():
                assert needle not in hay, f"clear value found in {name}"
    # The shared ID and the shared account are still found, through their tokens.
    findings = (out / "findings.jsonl").read_text()
    assert "national_id_shared" in findings and "bank_account_shared" in findings
    # The changes were loaded, tokenised: the address change stays readable, the others do not.
    con = duckdb.connect(str(out / "unmask.duckdb"), read_only=True)
    changes = dict(con.execute("SELECT field, new_value FROM hr_changes").fetchall())
    con.close()
    assert changes["address_line1"] == "4 Ash"
    assert changes["account number"].startswith(TOKEN_PREFIX) and changes["national_id"].startswith(TOKEN_PREFIX)


@given(st.text(max_size=40))
def test_sql_token_equals_python_hmac(value: str) -> None:
    tok = Tokenizer(b"k" * 32, "test")
    ipad, opad = tok.pads()
    con = duckdb.connect()
    got = con.execute(f"SELECT {sql_token('$v')}", {"v": value, "ipad": ipad, "opad": opad}).fetchone()
    assert got is not None and got[0] == tok.token(value)


def test_token_normalises_separators_and_depends_on_key() -> None:
    a, b = Tokenizer(b"a" * 32, "t"), Tokenizer(b"b" * 32, "t")
    assert a.token("900-12-3456") == a.token("900 12 3456") == a.token("900123456")
    assert a.token("900-12-3456") != b.token("900-12-3456")
    assert a.token("") is None and a.token("--") is None


def test_key_file_is_created_once_with_0600(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UNMASK_TOKEN_KEY")
    path = tmp_path / "cfg" / "token.key"
    first = load_tokenizer(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.source.endswith("(created)")
    second = load_tokenizer(path)
    assert second.key == first.key and not second.source.endswith("(created)")


def test_short_env_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNMASK_TOKEN_KEY", "abc")
    with pytest.raises(KeyError_):
        load_tokenizer()


def test_unreadable_key_file_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UNMASK_TOKEN_KEY")
    path = tmp_path / "token.key"
    path.write_text("not hex")
    path.chmod(0o600)
    with pytest.raises(KeyError_, match="cannot use token key file .*: it does not hold hex digits"):
        load_tokenizer(path)


@pytest.mark.parametrize("content", ["", "\n", "6b", "6b" * 15])
def test_short_key_file_is_refused_without_printing_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str) -> None:
    """An empty or 1-byte key makes every token an HMAC anyone can recompute: refused, exit 2."""
    monkeypatch.delenv("UNMASK_TOKEN_KEY")
    path = tmp_path / "token.key"
    path.write_text(content)
    path.chmod(0o600)
    with pytest.raises(KeyError_, match=r"is \d+ byte\(s\): use at least 16 bytes"):
        load_tokenizer(path)
    # Through the CLI: one line, exit 2, and the key never shown.
    monkeypatch.setenv("UNMASK_KEY_FILE", str(path))
    root = bundle(tmp_path / "b", [emp("E1", "Ann Lee")])
    res = CliRunner().invoke(app, ["scan", str(root), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and "use at least 16 bytes" in res.output, res.output
    assert "Traceback" not in res.output and (not content.strip() or content.strip() not in res.output)
    # 16 bytes is enough.
    path.write_text("6b" * 16)
    assert len(load_tokenizer(path).key) == 16


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620])
def test_key_file_open_to_others_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int) -> None:
    monkeypatch.delenv("UNMASK_TOKEN_KEY")
    path = tmp_path / "token.key"
    path.write_text("6b" * 32)
    path.chmod(mode)
    with pytest.raises(KeyError_, match=f"open to other users \\(mode {mode:04o}\\): run `chmod 600") as e:
        load_tokenizer(path)
    assert "6b6b" not in str(e.value)
    path.chmod(0o400)  # read-only for the owner is fine
    assert load_tokenizer(path).key == b"k" * 32


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_env_key_is_an_error_not_a_fallback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    path = tmp_path / "token.key"
    path.write_text("6b" * 32)
    path.chmod(0o600)
    monkeypatch.setenv("UNMASK_KEY_FILE", str(path))
    monkeypatch.setenv("UNMASK_TOKEN_KEY", value)
    with pytest.raises(KeyError_, match="is set but empty"):
        load_tokenizer()
    monkeypatch.delenv("UNMASK_TOKEN_KEY")
    assert load_tokenizer().source == f"key file {path}"  # unset: the file is the key


def test_reject_reasons_never_echo_the_row(tmp_path: Path) -> None:
    write_csv(tmp_path / "hr/employees.csv", EMP_COLS, [{"employee_id": "E1", "full_name": "A", "email": "a@x"}])
    with (tmp_path / "hr/employees.csv").open("a") as fh:
        fh.write('E2,"unterminated,b@x,900-55-1212\n')
    from unmask.pipeline import validate

    man = validate(tmp_path)
    assert man["rejects"] and all("900" not in r["reason"] for r in man["rejects"])


def _near(a: str, b: str) -> bool:
    tok = Tokenizer(b"k" * 32, "test")
    ipad, opad = tok.pads()
    con = duckdb.connect()
    row = con.execute(f"SELECT {sql_near(sql_token_variants('$a'), sql_token_variants('$b'))}",
                      {"a": a, "b": b, "ipad": ipad, "opad": opad}).fetchone()
    return bool(row and row[0])


def test_national_ids_one_typo_apart_are_near_without_the_clear_value() -> None:
    assert _near("900-12-3456", "900-12-3457")  # one substitution
    assert _near("900-12-3456", "900-21-3456")  # adjacent digits swapped
    assert _near("900-12-3456", "900123456")  # separators are not typos
    assert _near("900-12-3456", "900-12-3465")  # a swap at the end
    assert not _near("900-12-3456", "900-12-3499")  # two substitutions
    assert not _near("900-12-3456", "123-45-6789")
    assert not _near("1234", "1235")  # too short to say anything
    assert not _near("", "")


@given(st.text(alphabet="0123456789-", max_size=20))
def test_sql_variants_equal_python_variants(value: str) -> None:
    tok = Tokenizer(b"k" * 32, "test")
    ipad, opad = tok.pads()
    got = duckdb.connect().execute(f"SELECT {sql_token_variants('$v')}",
                                   {"v": value, "ipad": ipad, "opad": opad}).fetchone()
    assert got is not None and got[0] == tok.variants(value)
    # A variant is 64 bits of a keyed MAC: nothing of the clear digits is in it.
    assert all(isinstance(v, int) and 0 <= v < 2**64 for v in got[0] or [])


@pytest.mark.parametrize("layout", ["lines", "array"])
def test_json_part_declaring_a_token_column_is_tokenised(tmp_path: Path, layout: str) -> None:
    """A JSON reader's ``token`` column is a keyed token in the store, as a CSV one is; both of
    the JSON reader's paths (JSON Lines read together, whole documents) tokenise."""
    import orjson

    from unmask.config import Config
    from unmask.engine import open_engine
    from unmask.sources.base import Col, LoadContext, Part, create_part_table, init_store
    from unmask.sources.jsonload import load_json_files

    part = Part("test.people", "json_people", ("people/*.json*",), (
        Col("person_id", "text", required=True, paths=("$.id",)),
        Col("national_id", "token", paths=("$.national_id", "$.ssn")),
    ), "json")
    records = [{"id": "P1", "national_id": CLEAR_IDS[0]}, {"id": "P2", "ssn": CLEAR_IDS[1]}, {"id": "P3"}]
    folder = tmp_path / "people"
    folder.mkdir()
    path = folder / ("p.jsonl" if layout == "lines" else "p.json")
    if layout == "lines":
        path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    else:
        path.write_bytes(orjson.dumps(records))
    tok = load_tokenizer()
    ctx = LoadContext(open_engine(None), tmp_path, Config(), tok)
    init_store(ctx.engine)
    create_part_table(ctx.engine, part)
    (rep,) = load_json_files(ctx, part, [path])
    assert (rep.loaded, rep.rejected) == (3, 0)
    rows = ctx.engine.query("SELECT person_id, national_id FROM json_people ORDER BY person_id")
    assert rows == [("P1", tok.token(CLEAR_IDS[0])), ("P2", tok.token(CLEAR_IDS[1])), ("P3", None)]
    assert all(v is None or v.startswith(TOKEN_PREFIX) for _, v in rows)


@pytest.mark.parametrize("content", ["", "\n", "ab\n", "00112233445566778899aabbccddee\n"])  # 0, 0, 1, 15 bytes
def test_a_short_key_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str) -> None:
    # Tokens under an empty or tiny key can be brute-forced back to every SSN.
    monkeypatch.delenv("UNMASK_TOKEN_KEY")
    path = tmp_path / "token.key"
    path.write_text(content)
    path.chmod(0o600)
    with pytest.raises(KeyError_, match=r"at least 16|cannot use token key file"):
        load_tokenizer(path)
    path.write_text("00" * 16 + "\n")  # the twin: 16 bytes are accepted
    assert len(load_tokenizer(path).key) == 16


def test_a_key_file_others_can_read_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UNMASK_TOKEN_KEY")
    path = tmp_path / "token.key"
    path.write_text("6b" * 32 + "\n")
    path.chmod(0o644)
    with pytest.raises(KeyError_, match="other users"):
        load_tokenizer(path)


def test_an_empty_key_variable_is_an_error_not_a_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNMASK_TOKEN_KEY", "")
    monkeypatch.setenv("UNMASK_KEY_FILE", str(tmp_path / "token.key"))
    with pytest.raises(KeyError_, match="set but empty"):
        load_tokenizer()
    assert not (tmp_path / "token.key").exists()

# -- Sensitive values named the way HRIS exports and partners name them (issue 14, item 9) ----------

HRIS_FIELDS = {  # field name as an HRIS writes it -> a clear value it holds
    "bank_account_number": "310000111222", "AccountNumber": "310000333444", "account-number": "310000555666",
    "direct_deposit_account": "310000777888", "acct_no": "310000999000",
    "routing_and_account": "021000021 310001234567",
    "passport": "X12345678", "IBAN": "DE89 3704 0044 0532 0130 00", "Social Security Number": "900-11-2233",
    # Not named as sensitive, but shaped like an SSN or an account: tokenised when in doubt.
    "notes": "900-44-5566", "legacy_ref": "4485 2201 7733 9102",
}
KEPT_CLEAR = {  # fields a signal reads in clear, with values shaped like digits by nature
    "postal_code": "43215-1234", "hire_date": "2026-08-15", "address_line1": "4 Ash", "phone": "614-555-0101",
    "account_holder_name": "Ann Lee",
}
IOC_TYPES = {"ssn": "900-88-7766", "iban": "GB82 WEST 1234 5698 7654 32", "bank-account": "310000424242",
             "account_number": "310000434343"}


def _item9_bundle(root: Path) -> Path:
    emps = [emp("E1", "Ann Lee", national_id=IOC_TYPES["ssn"]),
            emp("E2", "Bo Park", "9 Elm", national_id="900-10-1010")]
    deps = [dep("E1", "GB82-WEST-1234-5698-7654-32", "Ann Lee"), dep("E2", IOC_TYPES["bank-account"], "Bo Park")]
    b = bundle(root, emps, deposits=deps)
    rows = [{"employee_id": "E1", "field": f, "old_value": "", "new_value": v, "changed_at": "2026-08-03T10:00:00Z",
             "changed_by": "hr"} for f, v in {**HRIS_FIELDS, **KEPT_CLEAR}.items()]
    write_csv(b / "hr/changes.csv", ["employee_id", "field", "old_value", "new_value", "changed_at", "changed_by"],
              rows)
    write_csv(b / "intel/iocs.csv", ["type", "value", "source", "note"],
              [{"type": t, "value": v, "source": "partner", "note": "case 7"} for t, v in IOC_TYPES.items()])
    return b


def _needles(value: str) -> list[bytes]:
    bare = "".join(ch for ch in value if ch.isalnum())
    return sorted({value.encode(), bare.encode(), bare.upper().encode()})


def test_sensitive_field_names_and_ioc_types_never_reach_store_wal_or_outputs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _item9_bundle(tmp_path / "b")
    secrets_ = [*HRIS_FIELDS.values(), *IOC_TYPES.values()]
    # Mid-scan: everything read sits in the store's write-ahead log before the first checkpoint.
    from unmask.pipeline import load

    store = tmp_path / "live" / "unmask.duckdb"
    store.parent.mkdir()
    loaded = load(root, store)
    try:
        wal = store.with_name(store.name + ".wal")
        live = {"store": store.read_bytes(), "wal": wal.read_bytes() if wal.exists() else b""}
        assert live["wal"] or live["store"]
        changes = {str(f): str(v) for f, v in loaded.engine.query("SELECT field, new_value FROM hr_changes")}
        iocs = dict(loaded.engine.query("SELECT type, value FROM iocs"))
    finally:
        loaded.engine.close()
        loaded.ctx.cleanup()
    for secret in secrets_:
        for needle in _needles(secret):
            for name, hay in live.items():
                assert needle not in hay, f"clear {secret!r} in the {name} during the scan"
    assert all(changes[f.lower()].startswith(TOKEN_PREFIX) for f in HRIS_FIELDS), changes
    assert {f: changes[f] for f in KEPT_CLEAR} == KEPT_CLEAR  # benign look-alikes stay readable
    assert all(v.startswith(TOKEN_PREFIX) for v in iocs.values()), iocs
    # A whole scan through the CLI: the store, every output, the scan history and the logs.
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k not in ("DUCKDB_JE_MALLOC_CONF", "UNMASK_NO_RESTART")}
    env.update(UNMASK_DEBUG="", UNMASK_PROGRESS="1")
    proc = subprocess.run([sys.executable, "-m", "unmask.cli", "scan", str(root), "--out", str(out)],
                          capture_output=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    hay = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    hay["logs"] = proc.stdout + proc.stderr
    for secret in secrets_:
        for needle in _needles(secret):
            for name, h in hay.items():
                assert needle not in h, f"clear {secret!r} in {name}"
    # Tokens still compare: the IBAN and the bank account of the indicators are payroll's
    # accounts, the SSN is E1's national ID.
    from tests.helpers import signals_of

    e1 = [e["detail"] for e in signals_of(out, "E1").get("ioc_match", [])]
    e2 = [e["detail"] for e in signals_of(out, "E2").get("ioc_match", [])]
    assert any(d.startswith("national ID is a known indicator") for d in e1), e1
    assert any(d.startswith("payout account is a known indicator") for d in e1), e1
    assert any(d.startswith("payout account is a known indicator") for d in e2), e2


@pytest.mark.parametrize(("name", "kind"), [
    ("bank_account_number", "bank_account"), ("AccountNumber", "bank_account"), ("account-number", "bank_account"),
    ("direct_deposit_account", "bank_account"), ("acct_no", "bank_account"), ("routing_and_account", "bank_account"),
    ("ACCOUNTNUMBER", "bank_account"), ("iban", "bank_account"), ("bank-account", "bank_account"),
    ("passport", "national_id"), ("SSN", "national_id"), ("employeeSSN", "national_id"), ("tax id", "national_id"),
    ("Social Security Number", "national_id"), ("crypto_address", "crypto_address"),
    # Look-alikes: about an account, not the account itself; and plain fields.
    ("account_holder_name", None), ("bank_account_type", None), ("routing_number", None), ("single", None),
    ("postal_code", None), ("title", None), ("email", None),
])
def test_sensitive_kind_by_name_sql_and_python_agree(name: str, kind: str | None) -> None:
    from unmask.sensitive import sensitive_kind, sql_sensitive_kind

    got = duckdb.connect().execute(f"SELECT {sql_sensitive_kind('$n')}", {"n": name}).fetchone()
    assert got is not None and got[0] == sensitive_kind(name) == kind


@pytest.mark.parametrize(("value", "sensitive"), [
    ("123-45-6789", True), ("123456789", True), ("000123456789", True), ("4485 2201 7733 9102", True),
    ("DE89 3704 0044 0532 0130 00", True), ("GB82WEST12345698765432", True),
    ("2024-01-15", False), ("20240115", False), ("15-01-2024", False), ("1234567", False), ("+14155550123", False),
    ("192.168.100.200", False), ("Software Engineer", False), ("", False),
])
def test_value_shaped_like_an_account_sql_and_python_agree(value: str, sensitive: bool) -> None:
    from unmask.sensitive import looks_sensitive, sql_looks_sensitive

    got = duckdb.connect().execute(f"SELECT {sql_looks_sensitive('$v')}", {"v": value}).fetchone()
    assert got is not None and got[0] == looks_sensitive(value) == sensitive
