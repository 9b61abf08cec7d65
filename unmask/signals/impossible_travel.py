"""Consecutive sign-ins too far apart to have been made by one person travelling."""

from unmask.normalise.geo import haversine_sql
from unmask.signals.base import Signal, lookalike, negative, positive, signin

_KM = haversine_sql("p_lat", "p_lon", "lat", "lon")

SIGNAL = Signal(
    id="impossible_travel",
    needs=("hr.employees",),
    uses=("idp.okta", "idp.entra"),
    strength="medium",
    family="network",
    description="Two consecutive sign-ins more than 500 km apart at more than 1,000 km/h "
    "(VPN, proxy, mobile-carrier and corporate egress excluded: their locations are not the user's).",
    reference="indicators.md §3.H net_many_ips_many_countries_short_window (Datadog: >500 km at >1,000 km/h)",
    log_odds=1.0,
    basis=(
        "M in §3.H net_many_ips_many_countries_short_window (G22, G25; Datadog thresholds): VPN flapping and "
        "carrier gateways look alike (excluded where known)."
    ),
    sql=f"""
WITH s AS (
  SELECT employee_id, source_file, line, ts, ip, city, country, lat, lon,
    lag(lat) OVER w AS p_lat, lag(lon) OVER w AS p_lon, lag(ts) OVER w AS p_ts, lag(city) OVER w AS p_city,
    lag(country) OVER w AS p_country
  FROM signins WHERE egress = 'residential' AND lat IS NOT NULL AND lon IS NOT NULL
    -- A worker seen at one point only has no leg to travel: the window runs for the others.
    AND employee_id IN (SELECT employee_id FROM signins WHERE egress = 'residential' AND lat IS NOT NULL
      AND lon IS NOT NULL GROUP BY employee_id HAVING min(lat) <> max(lat) OR min(lon) <> max(lon))
  WINDOW w AS (PARTITION BY employee_id ORDER BY ts, line)
), legs AS (
  SELECT *, {_KM} AS km, greatest(epoch(ts) - epoch(p_ts), 1) / 3600.0 AS hours FROM s WHERE p_lat IS NOT NULL
)
SELECT 'employee' AS subject_type, employee_id AS subject_id, min({{'f': source_file, 'l': line}}).f AS source_file,
  min({{'f': source_file, 'l': line}}).l AS line, min(ts) AS observed_at,
  count(*) || ' impossible leg(s), e.g. ' || coalesce(min({{'f': source_file, 'l': line, 'v': p_city}}).v, '?') || ', '
    || coalesce(min({{'f': source_file, 'l': line, 'v': p_country}}).v, '?') || ' to '
    || coalesce(min({{'f': source_file, 'l': line, 'v': city}}).v, '?') || ', '
    || coalesce(min({{'f': source_file, 'l': line, 'v': country}}).v, '?') || ': '
    || round(max(km))::BIGINT || ' km in ' || round(min(hours) * 60)::BIGINT || ' min' AS detail
FROM legs WHERE km > 500 AND km / hours > 1000
GROUP BY employee_id
""",  # noqa: S608 - only our distance formula is interpolated
    samples=(
        positive("Columbus, then Shenyang an hour later", {"signins": [
            signin("E1", "2026-08-03T10:00:00Z", "1.2.3.4", city="Columbus", country="US", lat=39.96, lon=-83.0),
            signin("E1", "2026-08-03T11:00:00Z", "5.6.7.8", city="Shenyang", country="CN", lat=41.8, lon=123.4),
            signin("E2", "2026-08-03T11:00:00Z", "5.6.7.9", city="Shenyang", country="CN", lat=41.8, lon=123.4),
        ]}, {"E1": "medium"}),
        negative("Columbus, then Cincinnati two hours later", {"signins": [
            signin("E1", "2026-08-03T10:00:00Z", "1.2.3.4", city="Columbus", country="US", lat=39.96, lon=-83.0),
            signin("E1", "2026-08-03T12:00:00Z", "1.2.9.4", city="Cincinnati", country="US", lat=39.1, lon=-84.5),
        ]}),
        lookalike("net_many_ips_many_countries_short_window: a VPN switched on, and a mobile carrier's gateway", {
            "signins": [
                signin("E1", "2026-08-03T10:00:00Z", "1.2.3.4", city="Columbus", country="US", lat=39.96, lon=-83.0),
                signin("E1", "2026-08-03T10:30:00Z", "45.1.1.1", "vpn", city="Tokyo", country="JP",
                       lat=35.7, lon=139.7),
                signin("E1", "2026-08-03T11:00:00Z", "100.64.1.1", "mobile", city="Dallas", country="US", lat=32.8,
                       lon=-96.8),
            ]}),
    ),
)
