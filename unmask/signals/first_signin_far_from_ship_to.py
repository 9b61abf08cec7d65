"""The first sign-in after a laptop is delivered comes from far away from where it was shipped."""

from unmask.normalise.geo import haversine_sql
from unmask.signals.base import Signal, lookalike, negative, positive, signin

_KM = haversine_sql("f.lat", "f.lon", "f.slat", "f.slon")

# The samples' laptop: shipped to Columbus, delivered on 1 August.
_SHIPPED = {
    "shipments": [{"source_file": "shipments.csv", "line": 2, "employee_id": "E1", "shipment_id": "S1",
                   "city": "Columbus", "delivered_at": "2026-08-01T12:00:00Z"}],
    "addresses": [{"source_file": "shipments.csv", "line": 2, "kind": "ship_to", "subject_type": "employee",
                   "subject_id": "E1", "country": "US", "lat": 39.96, "lon": -83.0}],
}

SIGNAL = Signal(
    id="first_signin_far_from_ship_to",
    needs=("assets.shipments", "hr.employees"),
    uses=("idp.okta", "idp.entra"),
    strength="medium",
    family="network",
    description="The worker's first sign-in within 3 days of a laptop's delivery is from another country than "
    "the ship-to, or more than 150 km from it (medium: a first-day trip looks the same).",
    reference="indicators.md §3.I ship_first_checkin_geo_mismatch; MNDp, GTIG",
    log_odds=1.0,
    basis=(
        "M: the lower end of M-S in §3.E/§3.I ship_first_checkin_geo_mismatch (MNDp: 'Texas' laptops online from "
        "Nevada; GTIG): a first-day trip and home-ISP geolocation errors look alike."
    ),
    sql=f"""
WITH d AS (
  SELECT sh.employee_id, sh.shipment_id, coalesce(sh.delivered_at, sh.shipped_at) AS delivered_at,
    a.lat AS slat, a.lon AS slon, upper(a.country) AS scountry, sh.city AS scity
  FROM shipments sh JOIN addresses a ON a.kind = 'ship_to' AND a.source_file = sh.source_file AND a.line = sh.line
  WHERE sh.employee_id IS NOT NULL AND coalesce(sh.delivered_at, sh.shipped_at) IS NOT NULL
), f AS (
  SELECT d.*, s.ts, s.lat, s.lon, upper(s.country) AS country, s.city, s.ip, s.source_file, s.line,
    row_number() OVER (PARTITION BY d.employee_id, d.shipment_id ORDER BY s.ts, s.source_file, s.line) AS r
  FROM d JOIN signins s ON s.employee_id = d.employee_id AND s.ts >= d.delivered_at
    AND s.ts < d.delivered_at + INTERVAL 3 DAY
  -- A sign-in through the corporate network says nothing of where the laptop is.
  WHERE s.egress <> 'corporate'
)
SELECT 'employee' AS subject_type, employee_id AS subject_id, source_file, line, ts AS observed_at,
  'first sign-in after delivery of shipment ' || shipment_id || ' came from '
    || coalesce(city || ', ', '') || coalesce(country, '?') || ' (' || ip || ')'
    || CASE WHEN country IS NOT NULL AND scountry IS NOT NULL AND country <> scountry
         THEN ', another country than the ship-to (' || scountry || ')'
         ELSE ', ' || round({_KM})::INTEGER || ' km from the ship-to in ' || coalesce(scity, '?') END AS detail
FROM f
WHERE r = 1 AND ((country IS NOT NULL AND scountry IS NOT NULL AND country <> scountry)
  OR (lat IS NOT NULL AND slat IS NOT NULL AND {_KM} > 150))
""",  # noqa: S608 - _KM is our SQL
    samples=(
        positive("the first sign-in after delivery comes from Shenyang", {**_SHIPPED, "signins": [
            signin("E1", "2026-08-01T23:00:00Z", "10.0.0.1", "corporate", country="CN", lat=41.8, lon=123.4),
            signin("E1", "2026-08-02T01:00:00Z", "5.6.7.8", country="CN", lat=41.8, lon=123.4),
            signin("E1", "2026-08-02T09:00:00Z", "1.2.3.4", country="US", lat=39.96, lon=-83.0),
        ]}, {"E1": "medium"}),
        negative("the first sign-in comes from the ship-to city; a far one before delivery", {**_SHIPPED, "signins": [
            signin("E1", "2026-07-30T01:00:00Z", "5.6.7.8", country="CN", lat=41.8, lon=123.4),
            signin("E1", "2026-08-02T09:00:00Z", "1.2.3.4", country="US", lat=39.97, lon=-83.01),
            signin("E1", "2026-08-02T10:00:00Z", "5.6.7.8", country="CN", lat=41.8, lon=123.4),
        ]}),
        lookalike("ship_first_checkin_geo_mismatch: a 5G home line geolocated 60 km off", {**_SHIPPED, "signins": [
            signin("E1", "2026-08-02T09:00:00Z", "100.64.1.1", country="US", lat=40.3, lon=-82.4),
        ]}),
    ),
)
