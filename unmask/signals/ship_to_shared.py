"""One ship-to address (building and unit) receiving laptops for two or more unrelated workers."""

from typing import Any

from unmask.signals.base import Signal, lookalike, negative, positive
from unmask.signals.shapes import shared


def _ship(sid: str, key: str, office: bool = False) -> dict[str, Any]:
    """A ship-to row of ``addresses`` for the samples."""
    return {"kind": "ship_to", "subject_type": "employee", "subject_id": sid, "full_key": key, "building": key,
            "zip5": key[-5:], "country": "US", "is_office": office}


SIGNAL = Signal(
    id="ship_to_shared",
    needs=("assets.shipments", "hr.employees"),
    strength="medium",
    family="shipping",
    description="One ship-to address receives equipment for two or more unrelated workers (medium); weak when "
    "it is the worker's own declared home or all of them live there.",
    reference="indicators.md §3.E ship_address_shared_across_employees; DOJ24a, DOJ25a, DOJ25b",
    log_odds=1.0,
    basis=(
        "M in §3.E ship_address_shared_across_employees, S only together with a shared IP (§3.H), which scoring "
        "adds from its own family; laptop farms: DOJ24a (90+ laptops at one home), DOJ25a, DOJ25b (29 farms). Co-"
        "living, apartment buildings and mailbox services look alike."
    ),
    sql=shared("""
WITH s AS (
  SELECT * FROM addresses WHERE kind = 'ship_to' AND full_key IS NOT NULL AND NOT is_office
), holders AS (
  SELECT subject_type, subject_id, 'ship_to_address' AS via, full_key AS key, source_file, line, observed_at,
    NULL AS excuse
  FROM s
), own AS (
  -- Shipping to the worker's own declared home is not farm evidence, even when a housemate's
  -- laptop goes there too: the farm is the address that is not the worker's home.
  SELECT DISTINCT subject_id, full_key FROM addresses WHERE kind = 'home' AND subject_type = 'employee'
)""", """
SELECT s.subject_type, s.subject_id, s.source_file, s.line, s.observed_at,
       'ship-to address also used for ' || sh.others || ' other worker(s): ' || array_to_string(sh.who[1:10], ', ')
       || CASE WHEN sh.unrelated = 0 THEN ' (all in the same household)'
               WHEN own.subject_id IS NOT NULL THEN ' (the worker''s own declared home)' ELSE '' END AS detail,
       CASE WHEN sh.unrelated = 0 OR own.subject_id IS NOT NULL THEN 'weak' ELSE 'medium' END AS strength,
       sh.group_key, 'ship_to_address' AS via,
       left(split_part(s.full_key, '|', 1), 6) || '… ' || coalesce(s.zip5, '') AS value_hint
FROM s JOIN shared sh ON sh.subject_type = s.subject_type AND sh.subject_id = s.subject_id AND sh.key = s.full_key
LEFT JOIN own ON own.subject_id = s.subject_id AND own.full_key = s.full_key
"""),
    samples=(
        positive("laptops of two unrelated workers go to one flat", {"addresses": [
            _ship("E1", "12 main st|apt 4|43215"), _ship("E2", "12 main st|apt 4|43215"),
            _ship("E3", "12 main st|apt 5|43215"),
        ]}, {"E1": "medium", "E2": "medium"}),
        negative("different flats of one building; one worker's two laptops", {"addresses": [
            _ship("E1", "12 main st|apt 4|43215"), _ship("E2", "12 main st|apt 5|43215"),
            _ship("E3", "3 oak st|43215"), _ship("E3", "3 oak st|43215"),
        ]}),
        lookalike("ship_address_shared_across_employees: spouses who both work at the company", {
            "addresses": [_ship("E1", "3 oak st|43215"), _ship("E2", "3 oak st|43215")],
            "households": [{"a": "E1", "b": "E2", "kind": "spouse"}, {"a": "E2", "b": "E1", "kind": "spouse"}],
        }, {"E1": "weak", "E2": "weak"}),
        positive("a stranger's laptop goes to a worker's own declared home: the stranger's evidence", {
            "addresses": [_ship("E1", "3 oak st|43215"), _ship("E3", "3 oak st|43215"),
                          dict(_ship("E1", "3 oak st|43215"), kind="home")],
        }, {"E3": "medium", "E1": "weak"}),
        lookalike("ship_address_shared_across_employees: a shared office", {"addresses": [
            _ship("E1", "1 corporate way|43215", True), _ship("E2", "1 corporate way|43215", True),
        ]}),
    ),
)
