"""Probabilistic person resolution with Splink 5 (DuckDB backend): the same person behind two
records with name variants, typos, swapped fields or a changed birth date.

The model is trained unsupervised on the organisation's own records (random-sampling u
values, EM for m values, as Splink recommends), its parameters are saved in the store
(``person_model``), and pairs the model finds more likely the same person than not land in
``person_matches`` with their match weight. Names alone never make a match: a pair must also
agree on an identifier that is not a name (a birth date, or a national ID, equal or one typo
apart; an e-mail; a phone). A postcode or street supports but cannot carry a match: in a real
workforce many people share a common name, and a father and his namesake son share a home.
The m values start from priors measured on labelled public data, so even a small organisation
gets a model; below MIN_RECORDS there are too few pairs to sample u from, and it is skipped.

National IDs are keyed tokens. A typo is still seen through ``national_id_near``: keyed MACs
of each one-character deletion of the ID (``sensitive.sql_token_variants``); two IDs one
substitution or one adjacent swap apart share one at the same or the next position. No clear
ID is needed at any step.

``bench/linkage.py`` runs this same code on FEBRL3, FEBRL4 and Splink's fake_1000 beside
Splink's own example models and the recordlinkage toolkit's classic approach.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unmask.engine import Engine
from unmask.engine.dialect import DUCKDB, Dialect
from unmask.sensitive import sql_near

MIN_RECORDS = 100  # u needs some thousands of pairs; below that the records are too few to sample
MATCH_PROBABILITY = 0.5
U_PAIRS = 2e5
EM_PAIRS = 2e6
EM_MIN_MATCHES = 200  # likely duplicates below which EM is not run (the priors stand)
DOB_PAIRS = 5_000_000  # above this, the birth date blocks only with an initial or a postcode

# A person record: unique_id, first_name, surname, dob (DATE), email, phone, postcode, city,
# street, national_id (keyed token), national_id_near (keyed tokens). Missing ones are NULL.
COLUMNS = ("unique_id", "first_name", "surname", "dob", "email", "phone", "postcode", "city", "street",
           "national_id", "national_id_near")

# From people (unique_id, full_name or first_name + surname, dob DATE, email and phone already
# canonical (normalise/identifiers.py), postal_code, city, address_line1, national_id,
# national_id_near) to person records. Name parts come from the given columns when a source
# has them, else from the full name's first and last tokens. The scan and the benchmarks share
# this SQL.
RECORDS_SQL = """
WITH n AS (
  SELECT *, list_filter(string_split(lower(trim(regexp_replace(coalesce(full_name, ''), '[^[:alpha:] ]', ' ', 'g'))),
                                     ' '), lambda x: x <> '') AS t
  FROM {source}
)
SELECT unique_id,
  coalesce(nullif(lower(trim(first_name)), ''), t[1]) AS first_name,
  coalesce(nullif(lower(trim(surname)), ''), CASE WHEN len(t) > 1 THEN t[-1] END) AS surname,
  dob, email, phone,
  nullif(left(regexp_replace(coalesce(postal_code, ''), '\\s', '', 'g'), 5), '') AS postcode,
  nullif(lower(trim(city)), '') AS city,
  nullif(trim(regexp_replace(lower(coalesce(address_line1, '')), '[^a-z0-9]+', ' ', 'g')), '') AS street,
  national_id, national_id_near
FROM n
"""


@dataclass
class Resolution:
    records: int
    matches: int
    skipped: str | None = None
    training: list[str] = field(default_factory=list)


def _union(tables: list[str], columns: str = "*") -> str:
    return " UNION ALL ".join(f"SELECT {columns} FROM {t}" for t in tables)  # noqa: S608 - our table names


def present_columns(engine: Engine, tables: list[str]) -> tuple[str, ...]:
    """COLUMNS that tell records apart in ``tables``: at least two distinct values. An empty
    column would only cost time (Splink samples pairs until each level is seen)."""
    counts = ", ".join(f"count(DISTINCT {c}) >= 2" for c in COLUMNS[1:])
    row = engine.query(f"SELECT {counts} FROM ({_union(tables)})")[0]  # noqa: S608 - our table and column names
    have = ["unique_id", *(c for c, ok in zip(COLUMNS[1:], row, strict=True) if ok)]
    if "national_id" not in have and "national_id_near" in have:
        have.remove("national_id_near")
    return tuple(have)


def dob_pairs(engine: Engine, tables: list[str]) -> int:
    """How many pairs blocking on the birth date alone would make."""
    row = engine.query("SELECT coalesce(sum(k * (k - 1) // 2), 0) FROM (SELECT count(*) AS k "  # noqa: S608
                       f"FROM ({_union(tables, 'dob')}) WHERE dob IS NOT NULL GROUP BY dob)")
    return int(row[0][0])


def _national_id(dialect: Dialect) -> Any:
    """Equal tokens, else one typo apart (a shared deletion-variant token), else different."""
    import splink.comparison_level_library as cll
    from splink.comparison_library import CustomComparison

    # Written in DuckDB's syntax (1-based list positions) and put in the engine's by our own
    # dialect, not Splink's translation: that writes Spark's ``xs[i - 1]``, which raises past the
    # end of a short ID's list under ANSI where DuckDB gives NULL (the dialect's try_element_at).
    near = dialect.expression(sql_near("national_id_near_l", "national_id_near_r"))

    return CustomComparison(
        output_column_name="national_id",
        comparison_levels=[
            cll.NullLevel("national_id"),
            cll.ExactMatchLevel("national_id"),
            cll.CustomLevel(near, "one typo apart", base_dialect_str=dialect.name),
            cll.ElseLevel(),
        ],
        comparison_description="national ID token: equal, one typo apart, different",
    )


def priors() -> dict[str, list[float]]:
    """m per non-null level of each comparison, measured on public labelled records
    (unmask/data/person_priors/SOURCE.md)."""
    path = Path(__file__).resolve().parent.parent / "data" / "person_priors" / "person_priors.json"
    data: dict[str, list[float]] = json.loads(path.read_text(encoding="utf-8"))["m_probabilities"]
    return data


def dob_near(left: str, right: str) -> str:
    """SQL: two birth dates one typo or one day/month swap apart (the same date badly keyed; a
    father and his namesake son at one address are decades apart)."""
    return (f"(damerau_levenshtein(strftime({left}.dob, '%Y%m%d'), strftime({right}.dob, '%Y%m%d')) <= 1 "
            f"OR year({left}.dob) = year({right}.dob) AND month({left}.dob) = day({right}.dob) "
            f"AND day({left}.dob) = month({right}.dob))")


def anchor(left: str, right: str) -> str:
    """SQL: two person records (aliases ``left``, ``right``) agree on an identifier that is not a
    name: a birth date (or one badly keyed), an e-mail, a phone, a national ID (or one typo
    apart). A name is shared by namesakes, and a postcode or a street by neighbours: they support
    a match but cannot carry one, so the scan keeps only pairs that hold this."""
    near = sql_near(f"{left}.national_id_near", f"{right}.national_id_near")
    return (f"coalesce({left}.dob = {right}.dob OR {dob_near(left, right)} OR {left}.email = {right}.email "
            f"OR {left}.phone = {right}.phone OR {left}.national_id = {right}.national_id OR {near}, false)")


def may_anchor(left: str, right: str) -> str:
    """SQL true for every pair :func:`anchor` holds for (and some more), at a fraction of its
    cost: it narrows the blocked pairs, and :func:`anchor` then decides. A birth date one typo
    or one adjacent swap off, or with day and month swapped, keeps its year or its day; two IDs
    one typo apart both have variants (a short ID has none, and then only an equal one
    anchors). Both sides' values are tested inside a CASE, which evaluates a branch only for
    its own rows (an AND inside an expression, as Splink wraps each blocking rule in coalesce,
    evaluates every operand on every row)."""
    def given(c: str, test: str) -> str:
        return f"CASE WHEN {left}.{c} IS NULL OR {right}.{c} IS NULL THEN false ELSE {test} END"

    return (f"coalesce({left}.email = {right}.email OR {left}.phone = {right}.phone "
            f"OR {left}.national_id = {right}.national_id "
            f"OR {given('dob', f'year({left}.dob) = year({right}.dob) OR day({left}.dob) = day({right}.dob)')} "
            f"OR {given('national_id_near', 'true')}, false)")


def settings(link_type: str = "dedupe_only", columns: tuple[str, ...] = COLUMNS, narrow_dob: bool = False,
             use_priors: bool = True, dialect: Dialect = DUCKDB, anchored: bool = False) -> Any:
    """Splink settings over whichever of COLUMNS the records carry, starting from the priors.

    ``anchored``: predictions are made only for pairs that may hold :func:`anchor`, the pairs
    the scan keeps. Every blocking rule on names, postcodes or streets is narrowed by
    :func:`may_anchor`, so most pairs such a rule blocks but the scan would throw away
    (strangers with one common name, neighbours with one initial) are never compared: at 200k
    people with a few common names, 18M compared pairs for some thousand kept. A pair's match
    weight does not depend on which other pairs are compared, so the kept pairs and their
    weights are the same either way (tests/test_persons.py)."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    have = set(columns)
    comparisons: list[Any] = [
        ("first_name", cl.NameComparison("first_name").configure(term_frequency_adjustments=True)),
        ("surname", cl.NameComparison("surname").configure(term_frequency_adjustments=True)),
        # Typos, swapped day and month, a year off: the levels of Splink's own date comparison.
        ("dob", cl.DateOfBirthComparison("dob", input_is_string=False)),
    ]
    comparisons += [(name, c) for name, c in (
        ("email", cl.EmailComparison("email")), ("phone", cl.ExactMatch("phone")),
        ("national_id", _national_id(dialect)),
        ("street", cl.JaroWinklerAtThresholds("street", [0.95, 0.88])),
        # A postcode one typo off is still the same place; common postcodes weigh less.
        ("postcode", cl.DamerauLevenshteinAtThresholds("postcode", [1]).configure(term_frequency_adjustments=True)),
        ("city", cl.ExactMatch("city").configure(term_frequency_adjustments=True)),
    ) if name in have]
    m = priors() if use_priors else {}
    configured = [c.configure(m_probabilities=m[name]) if name in m else c for name, c in comparisons]
    # Each rule with the columns it holds equal.
    rules: list[tuple[Any, set[str]]] = [(block_on("first_name", "surname"), {"first_name", "surname"}),
                                         ("l.first_name = r.surname AND l.surname = r.first_name", {"names"})]
    if narrow_dob:
        # A birth date alone blocks 1M records into some 20M pairs, nearly all strangers born on
        # one day; with an initial or the postcode it finds nearly all the same people at a
        # fifteenth of the cost (bench/persons_scale.py).
        rules += [(block_on("dob", "substr(first_name, 1, 1)"), {"dob"}),
                  (block_on("dob", "substr(surname, 1, 1)"), {"dob"}), (block_on("dob", "postcode"), {"dob"})]
    else:
        rules.append((block_on("dob"), {"dob"}))
    rules += [(block_on(c), {c}) for c in ("email", "phone", "national_id") if c in have]
    rules += [(block_on(*c), set(c)) for c in (("postcode", "first_name"), ("postcode", "surname"),
                                                ("street", "postcode")) if set(c) <= have]
    blocking = [r for r, _keys in rules]
    if anchored:
        # A residual condition on the equi-join of each rule whose keys do not anchor a pair by
        # themselves (a name, a postcode, a street): the engine still joins on the rule's keys,
        # and compares only the pairs that pass it. A rule on a birth date, an e-mail, a phone
        # or an ID needs none: each pair it makes is kept anyway.
        cond = dialect.expression(may_anchor("l", "r"))
        anchoring = {"dob", "email", "phone", "national_id"}
        blocking = [r if keys & anchoring else
                    f"({r if isinstance(r, str) else r.get_blocking_rule(dialect.name).blocking_rule_sql}) AND ({cond})"
                    for r, keys in rules]
    return SettingsCreator(link_type=link_type,  # type: ignore[arg-type]
                           comparisons=configured, blocking_rules_to_generate_predictions=blocking,
                           retain_intermediate_calculation_columns=False)


@dataclass
class Training:
    """How the model was fitted, for the manifest: EM sessions run, skipped or refused."""

    expected_matches: float = 0.0
    em: list[str] = field(default_factory=list)


def train(engine: Engine, tables: list[str], link_type: str = "dedupe_only", report: Training | None = None,
          anchored: bool = False) -> Any:
    """A linker trained on ``tables``: u and the prior match probability always on these
    records; m by EM, over the priors, when the records hold enough likely duplicates. The
    comparisons are those the records can tell apart (present_columns), and the birth date
    blocks alone unless that would make more than DOB_PAIRS pairs. ``anchored``: the linker
    predicts only the pairs the scan keeps (:func:`settings`); training does not depend on it."""
    from splink import Linker, block_on

    report = report if report is not None else Training()
    columns = present_columns(engine, tables)
    narrow_dob = dob_pairs(engine, tables) > DOB_PAIRS
    api = engine.splink_api()  # one API for all inputs: Splink links only tables of one
    inputs = [api.register(t) for t in tables]
    source = inputs if len(inputs) > 1 else inputs[0]
    # Progress belongs to the scan, not Splink.
    linker = Linker(source, settings(link_type, columns, narrow_dob, dialect=engine.dialect, anchored=anchored),
                    log_level=logging.ERROR)
    have = set(columns)
    deterministic: list[Any] = [block_on("first_name", "surname", "dob")]
    deterministic += [block_on(c) for c in ("national_id", "email") if c in have]
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.8)
    # 2e5 sampled pairs in one chunk: on FEBRL and fake_1000 the same matches as 1e6 pairs in ten
    # chunks, in a third of the time (bench/linkage.py). The seed makes a scan repeatable.
    linker.training.estimate_u_using_random_sampling(max_pairs=U_PAIRS, seed=1, num_chunks=1)
    model = linker.misc.save_model_to_json()
    sizes = [int(engine.query(f"SELECT count(*) FROM {t}")[0][0]) for t in tables]  # noqa: S608 - our tables
    pairs = sizes[0] * sizes[1] if len(sizes) == 2 else sizes[0] * (sizes[0] - 1) / 2
    report.expected_matches = float(model["probability_two_random_records_match"]) * pairs
    if report.expected_matches < 1:
        # No pair passed the deterministic rules: assume one, since a prior of zero would rule
        # every match out (and Splink cannot take its logarithm).
        model["probability_two_random_records_match"] = 1 / max(pairs, 1)
        linker = Linker(source, model, log_level=logging.ERROR)
    if report.expected_matches < EM_MIN_MATCHES:
        # A handful of duplicates cannot teach EM anything: it fits noise, drives some m values to
        # zero (which Splink 5 refuses), and the model then calls namesakes one person.
        report.em.append(f"skipped: about {report.expected_matches:.0f} likely duplicates, "
                         f"fewer than {EM_MIN_MATCHES}; m values are the priors")
        return linker
    for rule, label in ((block_on("dob"), "birth date"), (block_on("first_name", "surname"), "name")):
        before = linker.misc.save_model_to_json()
        try:
            # EM on at most 2M blocked pairs (a deterministic hash sample when there are more):
            # the m values settle long before, and a large organisation's pairs would cost minutes.
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True, max_pairs=EM_PAIRS)
            report.em.append(f"EM blocked on {label}: trained")
        except ValueError as e:
            linker = Linker(source, before, log_level=logging.ERROR)
            report.em.append(f"EM blocked on {label}: refused ({str(e)[:60]}...); its m values stay as before")
    return linker


def anchored_pairs(engine: Engine, linker: Any, tables: list[str], threshold: float = MATCH_PROBABILITY) -> str:
    """Predict, and mark the pairs above ``threshold`` that agree on an identifier besides the
    name. Returns a table (l, r, match_weight, match_probability, agrees, ids_differ, anchored): the scan
    keeps only anchored pairs; the benchmark also scores the model's own verdict."""
    pred = linker.inference.predict(threshold_match_probability=threshold)
    records = _union(tables)
    near = sql_near("a.national_id_near", "b.national_id_near")
    # Two national IDs, not even one typo apart.
    ids_differ = f"coalesce(a.national_id <> b.national_id AND NOT {near}, false)"
    near_dob = dob_near("a", "b")
    engine.execute(f"""
CREATE OR REPLACE TEMP TABLE person_pairs AS
SELECT x.unique_id_l AS l, x.unique_id_r AS r, x.match_weight, x.match_probability,
  concat_ws(', ',
    CASE WHEN a.dob = b.dob THEN 'birth date' WHEN {near_dob} THEN 'birth date (a typo or a day/month swap apart)' END,
    CASE WHEN a.email = b.email THEN 'e-mail' END, CASE WHEN a.phone = b.phone THEN 'phone' END,
    CASE WHEN a.national_id = b.national_id THEN 'national ID'
         WHEN {near} THEN 'national ID (one typo apart)' END,
    CASE WHEN a.street = b.street THEN 'street' END, CASE WHEN a.postcode = b.postcode THEN 'postcode' END)
  -- Two national IDs for one person is itself worth an investigator's eye.
  || CASE WHEN {ids_differ} THEN '; national IDs differ' ELSE '' END AS agrees,
  -- ... but twins and namesakes differ there too: such a pair is weak evidence (same_person.py).
  {ids_differ} AS ids_differ,
  {anchor("a", "b")} AS anchored
FROM {pred.physical_name} x
JOIN ({records}) a ON a.unique_id = x.unique_id_l JOIN ({records}) b ON b.unique_id = x.unique_id_r
""")  # noqa: S608 - our and Splink's own table names
    return "person_pairs"


def resolve(engine: Engine) -> Resolution:
    """``person_matches`` (a, b, match_weight, match_probability) for the bundle's people."""
    engine.execute(
        "CREATE OR REPLACE TABLE person_matches(a_type VARCHAR, a_id VARCHAR, b_type VARCHAR, b_id VARCHAR, "
        "match_weight DOUBLE, match_probability DOUBLE, agrees VARCHAR, ids_differ BOOLEAN)"
    )
    # Phones and e-mails as the identifier stage made them canonical: parsing a phone costs some
    # 25 µs, so a million people are parsed once, not twice.
    source = """(
WITH p AS (
  SELECT 'employee' AS st, employee_id AS sid, full_name, date_of_birth AS dob, postal_code, city, address_line1,
    national_id, national_id_near FROM employees
  UNION ALL
  SELECT 'candidate', candidate_id, full_name, NULL::DATE, postal_code, city, address_line1, NULL, NULL::UBIGINT[]
  FROM candidates
  -- A hired candidate is the employee it became, not a second record of them.
  WHERE employee_id IS NULL OR employee_id NOT IN (SELECT employee_id FROM employees)
), own AS (
  SELECT subject_type AS st, subject_id AS sid, min(value) FILTER (WHERE kind = 'phone') AS phone,
    min(value) FILTER (WHERE kind = 'personal_email') AS email
  FROM identifiers WHERE kind IN ('phone', 'personal_email') GROUP BY ALL
)
SELECT p.st || ':' || p.sid AS unique_id, p.full_name, NULL AS first_name, NULL AS surname, p.dob, own.email,
  own.phone, p.postal_code, p.city, p.address_line1, p.national_id, p.national_id_near
FROM p LEFT JOIN own USING (st, sid)
)"""
    engine.execute("CREATE OR REPLACE TABLE person_records AS " + RECORDS_SQL.format(source=source))
    n = int(engine.query("SELECT count(*) FROM person_records")[0][0])
    if n < MIN_RECORDS:
        return Resolution(n, 0, f"{n} people: too few to sample a model from (needs {MIN_RECORDS})")
    fit = Training()
    try:
        linker = train(engine, ["person_records"], report=fit, anchored=True)
        pairs = anchored_pairs(engine, linker, ["person_records"])
    except Exception as e:  # noqa: BLE001 - a model that cannot be trained is reported, not fatal
        return Resolution(n, 0, f"person resolution could not be trained: {e.__class__.__name__}", fit.em)
    engine.execute(f"""
INSERT INTO person_matches
SELECT split_part(l, ':', 1), substr(l, strpos(l, ':') + 1), split_part(r, ':', 1), substr(r, strpos(r, ':') + 1),
  match_weight, match_probability, agrees, ids_differ
FROM {pairs} WHERE anchored
""")  # noqa: S608 - our table name
    engine.execute("CREATE OR REPLACE TABLE person_model(settings JSON)")
    engine.execute("INSERT INTO person_model VALUES ($s)", {"s": json.dumps(linker.misc.save_model_to_json())})
    m = int(engine.query("SELECT count(*) FROM person_matches")[0][0])
    return Resolution(n, m, training=[f"about {fit.expected_matches:.0f} likely duplicate pairs", *fit.em])
