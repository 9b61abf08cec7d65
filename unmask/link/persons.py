"""Probabilistic person resolution with Splink 5 (DuckDB backend): the same person behind two
records with name variants, typos, swapped fields or a changed birth date.

The model is trained unsupervised on the organisation's own records (random-sampling u
values, EM for m values, as Splink recommends), its parameters are saved in the store
(``person_model``), and pairs above the match threshold land in ``person_matches`` with their
match weight. Names alone never make a match: a pair must also agree on an identifier that is
not a name (birth date, e-mail, phone or national ID; a postcode supports but cannot carry a
match), because in a real workforce many people share a common name. A scan with fewer
records than MIN_RECORDS skips the model: EM needs enough pairs.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from unmask.engine import Engine

MIN_RECORDS = 1000
MATCH_PROBABILITY = 0.99

# Columns of a person record: unique_id, first_name, surname, dob (ISO text), email, phone,
# postcode, city, national_id (keyed token). Missing ones are NULL.
COLUMNS = ("unique_id", "first_name", "surname", "dob", "email", "phone", "postcode", "city", "national_id")


@dataclass
class Resolution:
    records: int
    matches: int
    skipped: str | None = None


def settings(link_type: str = "dedupe_only", columns: tuple[str, ...] = COLUMNS) -> Any:
    """Splink settings over whichever of COLUMNS the records carry."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    have = set(columns)
    comparisons: list[Any] = [cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
                              cl.NameComparison("surname").configure(term_frequency_adjustments=True),
                              cl.LevenshteinAtThresholds("dob", [1, 2])]
    comparisons += [c for name, c in (
        ("email", cl.EmailComparison("email")), ("phone", cl.ExactMatch("phone")),
        ("postcode", cl.ExactMatch("postcode")), ("city", cl.ExactMatch("city")),
        # Keyed tokens: equal or not, an edit distance between two tokens means nothing.
        ("national_id", cl.ExactMatch("national_id")),
    ) if name in have]
    blocking: list[Any] = [block_on("first_name"), block_on("surname"), block_on("dob")]
    blocking += [block_on(c) for c in ("email", "phone", "national_id", "postcode") if c in have]
    return SettingsCreator(link_type=link_type,  # type: ignore[arg-type]
                           comparisons=comparisons, blocking_rules_to_generate_predictions=blocking,
                           retain_intermediate_calculation_columns=False)


def train_and_predict(db_api: Any, tables: list[str], link_type: str = "dedupe_only",
                      columns: tuple[str, ...] = COLUMNS, threshold: float = MATCH_PROBABILITY) -> tuple[Any, Any]:
    """Train unsupervised on ``tables`` and predict; returns (linker, predictions)."""
    from splink import Linker, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)  # progress belongs to the scan, not Splink
    inputs = [db_api.register(t) for t in tables]
    linker = Linker(inputs if len(inputs) > 1 else inputs[0], settings(link_type, columns))
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname"))
    return linker, linker.inference.predict(threshold_match_probability=threshold)


def resolve(engine: Engine) -> Resolution:
    """``person_matches`` (a, b, match_weight, match_probability) for the bundle's people."""
    engine.execute(
        "CREATE OR REPLACE TABLE person_matches(a_type VARCHAR, a_id VARCHAR, b_type VARCHAR, b_id VARCHAR, "
        "match_weight DOUBLE, match_probability DOUBLE, agrees VARCHAR)"
    )
    engine.execute("""
CREATE OR REPLACE TABLE person_records AS
WITH p AS (
  SELECT 'employee' AS st, employee_id AS sid, full_name, strftime(date_of_birth, '%Y-%m-%d') AS dob,
    personal_email AS email, phone, country, postal_code, city, national_id FROM employees
  UNION ALL
  SELECT 'candidate', candidate_id, full_name, NULL, email, phone, country, postal_code, city, NULL FROM candidates
  -- A hired candidate is the employee it became, not a second record of them.
  WHERE employee_id IS NULL OR employee_id NOT IN (SELECT employee_id FROM employees)
), n AS (SELECT *, list_filter(string_split(lower(trim(regexp_replace(full_name, '[^[:alpha:] ]', ' ', 'g'))), ' '),
                               lambda x: x <> '') AS t FROM p)
SELECT st || ':' || sid AS unique_id, t[1] AS first_name, CASE WHEN len(t) > 1 THEN t[-1] END AS surname, dob,
  unmask_email(email) AS email, unmask_phone(phone, country) AS phone, left(postal_code, 5) AS postcode,
  lower(city) AS city, national_id
FROM n
""")
    n = int(engine.query("SELECT count(*) FROM person_records")[0][0])
    if n < MIN_RECORDS:
        return Resolution(n, 0, f"{n} people: too few to train a model unsupervised (needs {MIN_RECORDS})")
    try:
        linker, pred = train_and_predict(engine.splink_api(), ["person_records"])
    except Exception as e:  # noqa: BLE001 - a model that cannot be trained is reported, not fatal
        return Resolution(n, 0, f"person resolution could not be trained: {e.__class__.__name__}")
    engine.execute(f"""
INSERT INTO person_matches
WITH p AS (
  SELECT x.unique_id_l AS l, x.unique_id_r AS r, x.match_weight, x.match_probability,
    concat_ws(', ', CASE WHEN a.dob = b.dob THEN 'birth date' END, CASE WHEN a.email = b.email THEN 'e-mail' END,
      CASE WHEN a.phone = b.phone THEN 'phone' END, CASE WHEN a.national_id = b.national_id THEN 'national ID' END,
      CASE WHEN a.postcode = b.postcode THEN 'postcode' END) AS agrees,
    -- A postcode is shared by thousands: it supports a match but cannot carry one.
    a.dob = b.dob OR a.email = b.email OR a.phone = b.phone OR a.national_id = b.national_id AS anchored,
    a.national_id IS NOT NULL AND b.national_id IS NOT NULL AND a.national_id <> b.national_id AS two_ids
  FROM {pred.physical_name} x JOIN person_records a ON a.unique_id = x.unique_id_l
  JOIN person_records b ON b.unique_id = x.unique_id_r
)
SELECT split_part(l, ':', 1), substr(l, strpos(l, ':') + 1), split_part(r, ':', 1), substr(r, strpos(r, ':') + 1),
  match_weight, match_probability, agrees
FROM p WHERE anchored AND NOT two_ids
""")  # noqa: S608 - Splink's own table name
    engine.execute("CREATE OR REPLACE TABLE person_model(settings JSON)")
    engine.execute("INSERT INTO person_model VALUES ($s)", {"s": json.dumps(linker.misc.save_model_to_json())})
    m = int(engine.query("SELECT count(*) FROM person_matches")[0][0])
    return Resolution(n, m)
