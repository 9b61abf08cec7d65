"""Two or more remote-control vendors on one laptop."""

from unmask.signals.base import Signal
from unmask.signals.rmm import SIGHTINGS, params

SIGNAL = Signal(
    id="rmm_multiple_vendors",
    needs=("assets.devices", "hr.employees"),
    uses=("endpoint.osquery", "endpoint.sysmon"),
    strength="strong",
    family="endpoint",
    description="Two or more remote-control vendors on one laptop (layered access).",
    reference="indicators.md §3.F rat_multiple_rmm_vendors; Elastic multiple_rmm_vendors_same_host",
    params=params,
    sql=f"""
WITH s AS ({SIGHTINGS})
SELECT 'employee' AS subject_type, employee_id AS subject_id, any_value(source_file) AS source_file,
  min(line) AS line, max(observed_at) AS observed_at,
  count(DISTINCT vendor) || ' remote-control vendors on ' || hostname || ': '
    || array_to_string(list(DISTINCT vendor ORDER BY vendor), ', ') AS detail
FROM s GROUP BY employee_id, hostname HAVING count(DISTINCT vendor) >= 2
""",  # noqa: S608
)
