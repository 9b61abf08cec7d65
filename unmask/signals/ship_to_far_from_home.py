"""Equipment shipped far from the worker's declared home, and not to an address they lived at."""

from typing import Any

from unmask.config import Config
from unmask.normalise.geo import haversine_sql
from unmask.signals.base import Signal


def _params(cfg: Config) -> dict[str, Any]:
    return {"far_km": cfg.far_km}


# Our own SQL fragment (no bundle text): the ship-to to home distance.
_KM = haversine_sql("s.lat", "s.lon", "h.lat", "h.lon")

SIGNAL = Signal(
    id="ship_to_far_from_home",
    needs=("assets.shipments", "hr.employees"),
    uses=("hr.changes",),
    strength="medium",
    family="shipping",
    description="Equipment shipped far from the declared home (another state or country, or beyond far_km).",
    reference="indicators.md §3.E ship_address_change_request, ship_first_checkin_geo_mismatch",
    params=_params,
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
)
