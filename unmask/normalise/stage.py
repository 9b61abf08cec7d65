"""The normalise stage: derived tables every signal shares.

- ``people``: employees and candidates as one subject list.
- ``addresses``: home, ship-to and office addresses as building/unit keys with ZIP geography.
- ``households``: pairs of workers who share a home for a declared or evident reason.
"""

from __future__ import annotations

from pathlib import Path

from unmask.config import Config
from unmask.engine import Engine, register_udfs
from unmask.normalise.geo import load_zip_table
from unmask.normalise.memo import Memo, distinct_values, same_as
from unmask.values import address
from unmask.values.address import parse_one_line


def register_functions(engine: Engine) -> None:
    register_udfs(engine, "unmask_addr_building", "unmask_addr_full", "unmask_addr_zip", "unmask_name_sim",
                  "unmask_name_key", "unmask_surname")


# Adults who plausibly share one home (a couple, housemates, an adult child).
MAX_HOUSEHOLD = 4


def build(engine: Engine, config: Config, workdir: Path, memo: Memo | None = None) -> None:
    """``memo``: the parsed addresses an earlier scan kept, and where this scan's go."""
    register_functions(engine)
    load_zip_table(engine, workdir)
    engine.execute(
        "CREATE OR REPLACE TABLE people AS "
        "SELECT 'employee' AS subject_type, employee_id AS subject_id, full_name, email, country, "
        "source_file, line FROM employees "
        "UNION ALL SELECT 'candidate', candidate_id, full_name, email, country, source_file, line "
        "FROM candidates WHERE employee_id IS NULL OR employee_id NOT IN (SELECT employee_id FROM employees)"
    )
    engine.execute("CREATE OR REPLACE TABLE offices(building VARCHAR, full_key VARCHAR)")
    for office in config.offices:
        k = parse_one_line(office)
        engine.execute("INSERT INTO offices VALUES (?, ?)", [k.building, k.full])
    # The address parser runs once per distinct address (or not at all when an earlier scan
    # parsed it), in as many processes as the engine has threads; every home and ship-to
    # joins its keys back. The expressions name the answers in the parse cache.
    a = ["a1", "a2", "c", "r", "p", "co"]
    udf = "({})".format(", ".join(a))
    src = (
        "SELECT address_line1 AS a1, address_line2 AS a2, city AS c, region AS r, postal_code AS p, "
        "coalesce(country, 'US') AS co FROM {t}"
    )
    distinct_values(
        engine, memo, "__addr_keys",
        " UNION ALL ".join(src.format(t=t) for t in
                           ("employees", "candidates", "shipments WHERE employee_id IS NOT NULL")),
        a, {"building": f"unmask_addr_building{udf}", "full_key": f"unmask_addr_full{udf}",
            "zip5": f"unmask_addr_zip{udf}"},
        python=address.address_keys,
    )
    on = " AND ".join(same_as(f"k.{x}", f"a.{x}") for x in a)
    engine.execute(
        "CREATE OR REPLACE TABLE addresses AS WITH a AS ("  # noqa: S608 - our own fragments
        "SELECT 'home' AS kind, 'employee' AS subject_type, employee_id AS subject_id, source_file, line, "
        "hire_date::TIMESTAMPTZ AS observed_at, address_line1 AS a1, address_line2 AS a2, city AS c, region AS r, "
        "postal_code AS p, coalesce(country, 'US') AS co FROM employees "
        "UNION ALL SELECT 'home', 'candidate', candidate_id, source_file, line, applied_at, "
        "address_line1, address_line2, city, region, postal_code, coalesce(country, 'US') FROM candidates "
        "UNION ALL SELECT 'ship_to', 'employee', employee_id, source_file, line, coalesce(delivered_at, shipped_at), "
        "address_line1, address_line2, city, region, postal_code, coalesce(country, 'US') "
        "FROM shipments WHERE employee_id IS NOT NULL), "
        "b AS (SELECT a.kind, a.subject_type, a.subject_id, a.source_file, a.line, a.observed_at, k.building, "
        f"k.full_key, k.zip5, a.co AS country FROM a LEFT JOIN __addr_keys k ON {on}) "
        "SELECT b.*, z.lat, z.lon, z.tz, "
        "b.building IN (SELECT building FROM offices WHERE building IS NOT NULL) AS is_office "
        "FROM b LEFT JOIN zip_geo z USING (zip5)"
    )
    engine.execute("DROP TABLE __addr_keys")
    # Households: declared relations, or people who declare the same home (building and unit),
    # whatever their surnames: couples and housemates rarely share one. Neighbours in other
    # units of one building are not a household, and a mail drop's PMB is a unit of its own.
    engine.execute("CREATE OR REPLACE TABLE declared_relations(a VARCHAR, b VARCHAR, kind VARCHAR)")
    for r in config.relations:
        engine.execute("INSERT INTO declared_relations VALUES (?, ?, ?)", [r.a, r.b, r.kind])
    engine.execute(
        "CREATE OR REPLACE TABLE households AS "
        "WITH homes AS (SELECT * FROM addresses WHERE kind = 'home' AND NOT is_office AND full_key IS NOT NULL), "
        # A home that five or more people declare is no household but a drop: left to the signals.
        "small AS (SELECT full_key FROM homes GROUP BY full_key HAVING count(DISTINCT subject_id) <= $max), "
        # Laptops that go to a colleague's declared home, not to the worker's own.
        "visits AS (SELECT s.subject_id AS guest, h.subject_id AS host, s.full_key FROM addresses s "
        "  JOIN homes h ON h.full_key = s.full_key AND h.subject_type = 'employee' AND h.subject_id <> s.subject_id "
        "  WHERE s.kind = 'ship_to' AND NOT s.is_office AND NOT EXISTS (SELECT 1 FROM homes o "
        "    WHERE o.subject_id = s.subject_id AND o.subject_type = 'employee' AND o.full_key = s.full_key)), "
        # One worker whose laptop goes to a colleague's home, and nobody else's: a partner or a
        # housemate whose HR address is out of date. Two or more such guests make a farm.
        "lone AS (SELECT full_key FROM visits GROUP BY full_key HAVING count(DISTINCT guest) = 1), "
        "guests AS (SELECT guest, host FROM visits WHERE full_key IN (SELECT full_key FROM lone) "
        "  AND full_key IN (SELECT full_key FROM small)) "
        "SELECT a, b, kind FROM declared_relations UNION SELECT b, a, kind FROM declared_relations "
        # People who declare the same home, employees or an employee and a candidate (a partner
        # who applies); two candidates are left to the signals, as a persona network's applicants
        # may give one address.
        "UNION SELECT x.subject_id, y.subject_id, 'same declared home' FROM homes x "
        "JOIN homes y ON x.full_key = y.full_key AND x.subject_id <> y.subject_id "
        "WHERE 'employee' IN (x.subject_type, y.subject_type) AND x.full_key IN (SELECT full_key FROM small) "
        "UNION SELECT guest, host, 'laptop goes to their home' FROM guests "
        "UNION SELECT host, guest, 'laptop goes to their home' FROM guests",
        {"max": MAX_HOUSEHOLD},
    )
