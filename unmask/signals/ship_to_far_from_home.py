"""Equipment shipped far from the worker's declared home, and not to an address they lived at."""

from typing import Any

from unmask.config import Config
from unmask.normalise.geo import haversine_sql
from unmask.signals.base import Signal, lookalike, negative, positive


def _params(cfg: Config) -> dict[str, Any]:
    return {"far_km": cfg.far_km}


# Our own SQL fragment (no bundle text): the ship-to to home distance.
_KM = haversine_sql("s.lat", "s.lon", "h.lat", "h.lon")


def _addr(kind: str, sid: str, key: str, zip5: str, lat: float, lon: float, office: bool = False) -> dict[str, Any]:
    """A row of ``addresses`` for the samples."""
    return {"kind": kind, "subject_type": "employee", "subject_id": sid, "full_key": key, "building": key,
            "zip5": zip5, "country": "US", "lat": lat, "lon": lon, "is_office": office}

COLUMBUS = ("43215", 39.96, -83.00)
MIAMI = ("33101", 25.77, -80.19)

SIGNAL = Signal(
    id="ship_to_far_from_home",
    needs=("assets.shipments", "hr.employees"),
    uses=("hr.changes",),
    strength="medium",
    family="shipping",
    description="Equipment shipped far from the declared home (another state or country, or beyond far_km).",
    reference="indicators.md §3.E ship_address_change_request, ship_first_checkin_geo_mismatch",
    params=_params,
    log_odds=1.0,
    basis=(
        "M in §3.E ship_address_change_request (SW, DE): relocation, staying with family and temporary housing "
        "explain many."
    ),
    sql=f"""
WITH history AS (  -- postal codes the worker has lived at, per the HRIS audit trail (relocations)
  SELECT employee_id, regexp_extract(v, '(\\d{{5}})', 1) AS zip5 FROM (
    SELECT employee_id, old_value AS v FROM hr_changes WHERE field LIKE '%postal%' OR field LIKE '%zip%'
    UNION ALL SELECT employee_id, new_value FROM hr_changes WHERE field LIKE '%postal%' OR field LIKE '%zip%')
)
SELECT 'employee' AS subject_type, s.subject_id, s.source_file, s.line, s.observed_at,
  'shipped to ' || coalesce(z.city || ', ' || z.state, s.country) || ' ' || coalesce(s.zip5, '') ||
  CASE WHEN s.country <> h.country THEN ', another country than the declared home (' || h.country || ')'
       ELSE ', ' || round({_KM})::BIGINT || ' km from the declared home in '
            || coalesce(hz.city || ', ' || hz.state, h.zip5) END AS detail
FROM addresses s
JOIN addresses h ON h.kind = 'home' AND h.subject_type = 'employee' AND h.subject_id = s.subject_id
LEFT JOIN zip_geo z ON z.zip5 = s.zip5
LEFT JOIN zip_geo hz ON hz.zip5 = h.zip5
WHERE s.kind = 'ship_to' AND NOT s.is_office AND s.full_key IS DISTINCT FROM h.full_key
  AND (s.country <> h.country OR {_KM} > $far_km)
  AND s.zip5 IS DISTINCT FROM h.zip5
  AND NOT EXISTS (SELECT 1 FROM history x WHERE x.employee_id = s.subject_id AND x.zip5 = s.zip5)
""",  # noqa: S608 - only our own fragment is interpolated
    samples=(
        positive("a Columbus worker's laptop goes to Miami, 1,600 km away", {"addresses": [
            _addr("home", "E1", "1 oak st|43215", *COLUMBUS), _addr("ship_to", "E1", "9 bay rd|33101", *MIAMI),
            _addr("home", "E2", "5 elm st|43215", *COLUMBUS), _addr("ship_to", "E2", "5 elm st|43215", *COLUMBUS),
        ]}, {"E1": "medium"}),
        negative("shipped home, or to another street in the same ZIP", {"addresses": [
            _addr("home", "E1", "1 oak st|43215", *COLUMBUS), _addr("ship_to", "E1", "1 oak st|43215", *COLUMBUS),
            _addr("home", "E2", "5 elm st|43215", *COLUMBUS), _addr("ship_to", "E2", "7 ash st|43215", *COLUMBUS),
        ]}),
        lookalike("ship_address_change_request: a relocation the HRIS audit trail records", {
            "addresses": [_addr("home", "E1", "1 oak st|43215", *COLUMBUS),
                          _addr("ship_to", "E1", "9 bay rd|33101", *MIAMI)],
            "hr_changes": [{"employee_id": "E1", "field": "postal_code", "old_value": "43215",
                            "new_value": "33101", "changed_at": "2026-07-20T10:00:00Z"}],
        }),
        lookalike("ship_address_change_request: office pickup in another city", {"addresses": [
            _addr("home", "E1", "1 oak st|43215", *COLUMBUS), _addr("ship_to", "E1", "9 bay rd|33101", *MIAMI, True),
        ]}),
    ),
)
