"""The worker's activity clock fits East-Asian business hours, not the declared zone's, and
stands apart from the peers' clock."""

from typing import Any

from unmask.signals.base import Signal, lookalike, negative, positive


def _at(eid: str, hours_utc: list[int]) -> dict[str, list[dict[str, Any]]]:
    """Samples: a worker (home zone: the default, Chicago) active on successive days at these UTC hours."""
    email = f"{eid.lower()}@corp.example"
    return {"employees": [{"employee_id": eid, "email": email}],
            "activity": [{"actor_email": email, "timestamp": f"2026-08-{i + 1:02d}T{h:02d}:15:00Z"}
                         for i, h in enumerate(hours_utc)]}

SIGNAL = Signal(
    id="work_hours_offset",
    needs=("activity", "hr.employees"),
    uses=("idp.okta", "idp.entra"),
    strength="weak",
    family="time",
    description="The circular mean of the worker's activity and sign-in hours (declared zone) lies 6 h or more "
    "from the "
    "peers' mean, the hours are concentrated (resultant length >= 0.5), and most fall at night locally and in "
    "09:00-18:00 at UTC+9 (weak: night owls and on-call staff look the same).",
    reference="indicators.md §3.J time_activity_offset (circular histogram against a peer baseline); KB4, DFR",
    log_odds=0.4,
    basis=(
        "W: the lower end of W-M in §3.J time_activity_offset; DFR treats a night-time cluster as weak, and night"
        " owls and on-call staff look the same."
    ),
    sql="""
WITH ev AS (
  -- Work activity rows and interactive sign-ins: both say when the worker is at the keyboard.
  SELECT e.employee_id, x.source_file, x.line, x.timestamp AS ts
  FROM activity x JOIN employees e ON e.email = x.actor_email WHERE x.timestamp IS NOT NULL
  UNION ALL SELECT employee_id, source_file, line, ts FROM signins
), a AS (
  SELECT ev.*, coalesce(h.tz, $home_tz) AS tz FROM ev
  LEFT JOIN addresses h ON h.kind = 'home' AND h.subject_type = 'employee' AND h.subject_id = ev.employee_id
), hrs AS (
  SELECT *, hour(timezone(tz, ts)) + minute(timezone(tz, ts)) / 60.0 AS local_h,
    hour(timezone('Asia/Seoul', ts)) AS kst_h FROM a
), per AS (
  -- Hours as angles on the 24-hour circle: 23:00 and 01:00 are two hours apart, not 22.
  SELECT employee_id, count(*) AS n, min({'f': source_file, 'l': line}).f AS f,
    min({'f': source_file, 'l': line}).l AS line, max(ts) AS ts,
    avg(sin(2 * pi() * local_h / 24)) AS s, avg(cos(2 * pi() * local_h / 24)) AS c,
    avg(CASE WHEN local_h >= 19 OR local_h < 6 THEN 1 ELSE 0 END) AS night_share,
    avg(CASE WHEN kst_h BETWEEN 9 AND 17 THEN 1 ELSE 0 END) AS kst_share
  FROM hrs GROUP BY employee_id
), unit AS (
  SELECT per.*, sqrt(s * s + c * c) AS r, atan2(s, c) AS angle,
    s / nullif(sqrt(s * s + c * c), 0) AS uy, c / nullif(sqrt(s * s + c * c), 0) AS ux
  FROM per
), tot AS (
  SELECT sum(uy) AS sy, sum(ux) AS sx, count(*) AS k FROM unit WHERE n >= 10 AND r > 0
), z AS (
  -- The baseline: the circular mean of the *other* workers' own means (each counts once).
  -- With fewer than five peers there is no baseline worth the name: the middle of an office
  -- day (13:30) stands in.
  SELECT unit.*, CASE WHEN tot.k - 1 >= 5 THEN atan2(tot.sy - coalesce(uy, 0), tot.sx - coalesce(ux, 0))
                      ELSE 2 * pi() * 13.5 / 24 END AS peer_angle
  FROM unit, tot
), d AS (
  SELECT *, abs(((angle - peer_angle) * 12 / pi() + 36) % 24 - 12) AS hours_from_peers FROM z
)
SELECT 'employee' AS subject_type, employee_id AS subject_id, f AS source_file, line, ts AS observed_at,
  'activity centred at ' || lpad((floor(((angle * 12 / pi()) + 24) % 24))::INTEGER::VARCHAR, 2, '0') || ':00 in the '
    || 'declared zone, ' || round(hours_from_peers, 1) || ' h from the peers'' '
    || lpad((floor(((peer_angle * 12 / pi()) + 24) % 24))::INTEGER::VARCHAR, 2, '0') || ':00 (concentration '
    || round(r, 2) || '); ' || round(100 * night_share)::INTEGER || '% of ' || n
    || ' activity rows and sign-ins at night locally, ' || round(100 * kst_share)::INTEGER
    || '% in business hours at UTC+9'
    AS detail
FROM d WHERE n >= 10 AND r >= 0.5 AND hours_from_peers >= 6 AND night_share >= 0.7 AND kst_share >= 0.6
""",
    params=lambda cfg: {"home_tz": cfg.home_timezone},
    samples=(
        # 02:00 UTC is 21:00 in Chicago and 11:00 in Seoul.
        positive("a Chicago worker active every night, in Seoul's office hours", {
            k: _at("E1", [2, 2, 3, 2, 1, 2, 3, 2, 2, 1])[k] + _at("E2", [15] * 10)[k] for k in ("employees", "activity")
        }, {"E1": "weak"}),
        negative("active in the office day", _at("E1", [14, 15, 16, 15, 17, 14, 15, 19, 20, 15])),
        lookalike("time_activity_offset: on-call, active round the clock", _at("E1", list(range(0, 24, 2)))),
    ),
)
