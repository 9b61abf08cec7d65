"""One ship-to address (building and unit) receiving laptops for two or more unrelated workers."""

from typing import Any

from unmask.signals.base import Signal, lookalike, negative, positive


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
    sql="""
WITH s AS (
  SELECT * FROM addresses WHERE kind = 'ship_to' AND full_key IS NOT NULL AND NOT is_office
), shared AS (
  SELECT full_key FROM s GROUP BY full_key HAVING count(DISTINCT subject_id) >= 2
), own AS (
  -- Shipping to the worker's own declared home is not farm evidence, even when a housemate's
  -- laptop goes there too: the farm is the address that is not the worker's home.
  SELECT DISTINCT subject_id, full_key FROM addresses WHERE kind = 'home' AND subject_type = 'employee'
), pairs AS (
  SELECT x.subject_id AS a, y.subject_id AS b, x.full_key,
         EXISTS (SELECT 1 FROM households h WHERE h.a = x.subject_id AND h.b = y.subject_id) AS household
  FROM s x JOIN s y ON x.full_key = y.full_key AND x.subject_id <> y.subject_id
  WHERE x.full_key IN (SELECT full_key FROM shared)
), per AS (
  SELECT a, full_key, count(DISTINCT b) FILTER (WHERE NOT household) AS unrelated,
         count(DISTINCT b) AS others, list(DISTINCT b ORDER BY b) AS who
  FROM pairs GROUP BY a, full_key
)
SELECT 'employee' AS subject_type, s.subject_id, s.source_file, s.line, s.observed_at,
       'ship-to address also used for ' || per.others || ' other worker(s): ' || array_to_string(per.who[1:10], ', ')
       || CASE WHEN per.unrelated = 0 THEN ' (all in the same household)'
               WHEN own.subject_id IS NOT NULL THEN ' (the worker''s own declared home)' ELSE '' END AS detail,
       CASE WHEN per.unrelated = 0 OR own.subject_id IS NOT NULL THEN 'weak' ELSE 'medium' END AS strength,
       CASE WHEN per.unrelated > 0 THEN 'ship_to:' || md5(s.full_key) END AS group_key,
       'ship_to_address' AS via,
       left(split_part(s.full_key, '|', 1), 6) || '… ' || coalesce(s.zip5, '') AS value_hint
FROM s JOIN per ON per.a = s.subject_id AND per.full_key = s.full_key
LEFT JOIN own ON own.subject_id = s.subject_id AND own.full_key = s.full_key
""",
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
