"""The worker's activity clock fits East-Asian business hours, not the declared zone's."""

from unmask.signals.base import Signal

SIGNAL = Signal(
    id="work_hours_offset",
    needs=("activity", "hr.employees"),
    strength="weak",
    family="time",
    description="Most activity falls in the declared zone's night and in 09:00-18:00 at UTC+9 "
    "(weak: night owls and on-call staff look the same).",
    reference="indicators.md §3.J time_activity_offset; KB4, DFR",
    sql="""
WITH a AS (
  SELECT e.employee_id, x.source_file, x.line, x.timestamp AS ts, coalesce(h.tz, $home_tz) AS tz
  FROM activity x JOIN employees e ON e.email = x.actor_email
  LEFT JOIN addresses h ON h.kind = 'home' AND h.subject_type = 'employee' AND h.subject_id = e.employee_id
), hrs AS (
  SELECT *, hour(timezone(tz, ts)) AS local_h, hour(timezone('Asia/Seoul', ts)) AS kst_h FROM a
), per AS (
  SELECT employee_id, count(*) AS n, any_value(source_file) AS f, min(line) AS line, max(ts) AS ts,
    avg(CASE WHEN local_h >= 19 OR local_h < 6 THEN 1 ELSE 0 END) AS night_share,
    avg(CASE WHEN kst_h BETWEEN 9 AND 17 THEN 1 ELSE 0 END) AS kst_share
  FROM hrs GROUP BY employee_id
)
SELECT 'employee' AS subject_type, employee_id AS subject_id, f AS source_file, line, ts AS observed_at,
  round(100 * night_share)::INTEGER || '% of ' || n || ' activity rows fall at night in the declared zone and '
    || round(100 * kst_share)::INTEGER || '% in business hours at UTC+9' AS detail
FROM per WHERE n >= 10 AND night_share >= 0.7 AND kst_share >= 0.7
""",
    params=lambda cfg: {"home_tz": cfg.home_timezone},
)
