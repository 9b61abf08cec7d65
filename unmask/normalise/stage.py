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
from unmask.values.address import parse_one_line


def register_functions(engine: Engine) -> None:
    register_udfs(engine, "unmask_addr_building", "unmask_addr_full", "unmask_addr_zip", "unmask_name_sim",
                  "unmask_name_key", "unmask_surname")


def build(engine: Engine, config: Config, workdir: Path) -> None:
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
    addr = (
        "unmask_addr_{f}(address_line1, address_line2, city, region, postal_code, coalesce(country, 'US'))"
    )
    engine.execute(
        "CREATE OR REPLACE TABLE addresses AS WITH a AS ("  # noqa: S608 - our own fragments
        "SELECT 'home' AS kind, 'employee' AS subject_type, employee_id AS subject_id, source_file, line, "
        f"hire_date::TIMESTAMPTZ AS observed_at, {addr.format(f='building')} AS building, "
        f"{addr.format(f='full')} AS full_key, {addr.format(f='zip')} AS zip5, coalesce(country, 'US') AS country "
        "FROM employees "
        "UNION ALL SELECT 'home', 'candidate', candidate_id, source_file, line, applied_at, "
        f"{addr.format(f='building')}, {addr.format(f='full')}, {addr.format(f='zip')}, coalesce(country, 'US') "
        "FROM candidates "
        "UNION ALL SELECT 'ship_to', 'employee', employee_id, source_file, line, coalesce(delivered_at, shipped_at), "
        f"{addr.format(f='building')}, {addr.format(f='full')}, {addr.format(f='zip')}, coalesce(country, 'US') "
        "FROM shipments WHERE employee_id IS NOT NULL) "
        "SELECT a.*, z.lat, z.lon, z.tz, "
        "a.building IN (SELECT building FROM offices WHERE building IS NOT NULL) AS is_office "
        "FROM a LEFT JOIN zip_geo z USING (zip5)"
    )
    # Households: declared relations, or the same surname at the same home (building + unit).
    engine.execute("CREATE OR REPLACE TABLE declared_relations(a VARCHAR, b VARCHAR, kind VARCHAR)")
    for r in config.relations:
        engine.execute("INSERT INTO declared_relations VALUES (?, ?, ?)", [r.a, r.b, r.kind])
    engine.execute(
        "CREATE OR REPLACE TABLE households AS "
        "SELECT a, b, kind FROM declared_relations UNION SELECT b, a, kind FROM declared_relations "
        "UNION SELECT x.subject_id, y.subject_id, 'same surname and home' FROM addresses x "
        "JOIN addresses y ON x.full_key = y.full_key AND x.subject_id <> y.subject_id "
        "JOIN employees ex ON ex.employee_id = x.subject_id JOIN employees ey ON ey.employee_id = y.subject_id "
        "WHERE x.kind = 'home' AND y.kind = 'home' AND x.subject_type = 'employee' AND y.subject_type = 'employee' "
        "AND unmask_surname(ex.full_name) = unmask_surname(ey.full_name)"
    )
