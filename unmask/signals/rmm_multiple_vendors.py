"""Two or more remote-control vendors on one laptop."""

from unmask.signals.base import Signal, lookalike, negative, obs, positive
from unmask.signals.rmm_on_laptop import SIGHTINGS, params

SIGNAL = Signal(
    id="rmm_multiple_vendors",
    needs=("assets.devices", "hr.employees"),
    uses=("endpoint.osquery", "endpoint.sysmon"),
    strength="strong",
    family="endpoint",
    description="Two or more remote-control vendors on one laptop, first seen within 8 minutes of each other "
    "(strong: layered access set up in one go), or further apart (medium).",
    reference="indicators.md §3.F rat_multiple_rmm_vendors; Elastic multiple_rmm_vendors_same_host (8 minutes)",
    params=lambda cfg: {**params(cfg), "window_s": 8 * 60},
    log_odds=2.0,
    basis=(
        "S on new-hire endpoints in §3.F rat_multiple_rmm_vendors (Elastic: >= 2 vendors within 8 minutes); rows "
        "further apart are M (MSP technicians, migrations)."
    ),
    sql=f"""
WITH s AS ({SIGHTINGS}),
v AS (
  SELECT employee_id, hostname, vendor, min(observed_at) AS first_seen,
    min({{'f': source_file, 'l': line}}).f AS source_file, min({{'f': source_file, 'l': line}}).l AS line
  FROM s GROUP BY ALL
), close AS (
  -- Two vendors whose first sightings lie within the window: installed in one sitting.
  SELECT DISTINCT a.employee_id, a.hostname FROM v a JOIN v b
    ON a.employee_id = b.employee_id AND a.hostname = b.hostname AND a.vendor < b.vendor
    AND abs(epoch(a.first_seen) - epoch(b.first_seen)) <= $window_s
)
SELECT 'employee' AS subject_type, v.employee_id AS subject_id,
  min({{'f': v.source_file, 'l': v.line}}).f AS source_file, min({{'f': v.source_file, 'l': v.line}}).l AS line,
  max(v.first_seen) AS observed_at,
  count(DISTINCT v.vendor) || ' remote-control vendors on ' || v.hostname || ': '
    || array_to_string(list(DISTINCT v.vendor ORDER BY v.vendor), ', ')
    || CASE WHEN any_value(c.hostname) IS NOT NULL THEN ', two first seen within 8 minutes' ELSE '' END AS detail,
  CASE WHEN any_value(c.hostname) IS NOT NULL THEN 'strong' ELSE 'medium' END AS strength
FROM v LEFT JOIN close c USING (employee_id, hostname)
GROUP BY v.employee_id, v.hostname HAVING count(DISTINCT v.vendor) >= 2
""",  # noqa: S608
    samples=(
        positive("AnyDesk and RustDesk set up minutes apart (strong); TeamViewer and VNC weeks apart (medium)", {
            "employees": [{"employee_id": "E1"}, {"employee_id": "E2"}, {"employee_id": "E3"}],
            "endpoint_obs": [obs("E1", "program", "anydesk", "2026-08-05T10:00:00Z"),
                             obs("E1", "program", "rustdesk", "2026-08-05T10:05:00Z"),
                             obs("E2", "program", "teamviewer", "2026-08-05T10:00:00Z"),
                             obs("E2", "program", "tightvnc", "2026-09-05T10:00:00Z"),
                             obs("E3", "program", "anydesk")],
        }, {"E1": "strong", "E2": "medium"}),
        negative("one vendor seen twice", {
            "employees": [{"employee_id": "E1"}],
            "endpoint_obs": [obs("E1", "program", "anydesk"), obs("E1", "process", "anydesk.exe|c:\\anydesk.exe|")],
        }),
        lookalike("rat_multiple_rmm_vendors: an MSP technician's machine in the allowed department", {
            "employees": [{"employee_id": "E1", "department": "IT"}],
            "endpoint_obs": [obs("E1", "program", "anydesk", "2026-08-05T10:00:00Z"),
                             obs("E1", "program", "screenconnect", "2026-08-05T10:02:00Z")],
        }, remote_tools_departments=["it"]),
    ),
)
