"""The RDP client driving the laptop reports a time zone far from the worker's declared home."""

import json
from typing import Any

from unmask.signals.base import Signal, lookalike, negative, positive


def _rdp(computer: str, bias_h: int) -> dict[str, Any]:
    """An RdpCoreTS 104 event of the samples: a client at UTC+bias_h connected to ``computer``."""
    return {"event_id": 104, "provider": "Microsoft-Windows-RemoteDesktopServices-RdpCoreTS", "computer": computer,
            "observed_at": "2026-08-05T10:00:00Z", "event": json.dumps({"TimezoneBiasHour": str(bias_h)})}


_HOSTS = [{"hostname": "lt-e1", "employee_id": "E1"}, {"hostname": "lt-e2", "employee_id": "E2"}]
_NEW_YORK = [{"kind": "home", "subject_type": "employee", "subject_id": "E1", "tz": "America/New_York"}]

SIGNAL = Signal(
    id="rdp_client_timezone",
    needs=("endpoint.sysmon", "assets.devices", "hr.employees"),
    strength="strong",
    family="time",
    description="RdpCoreTS event 104: the RDP client's time zone is 3 h or more from the declared home "
    "(read as hours east of UTC; strong when it is UTC+7..+10).",
    reference="indicators.md §3.I geo_rdp_client_timezone; evtx-attack-samples RdpCoreTs_104",
    log_odds=2.0,
    basis=(
        "S in §3.I geo_rdp_client_timezone (RdpCoreTS 104): admins connecting from abroad and misset client "
        "clocks are the look-alike, so one row is not conclusive."
    ),
    sql="""
WITH ev AS (
  SELECT x.source_file, x.line, x.observed_at, x.computer,
    try_cast(regexp_extract(json_extract_string(x.event, '$.TimezoneBiasHour'), '(-?\\d+)', 1) AS INTEGER) AS client_h
  FROM endpoint_events x WHERE x.event_id = 104 AND x.provider ILIKE '%RdpCoreTS%'
), owned AS (
  SELECT ev.*, h.employee_id, a.tz FROM ev
  JOIN hosts h ON h.hostname = split_part(ev.computer, '.', 1)
  LEFT JOIN addresses a ON a.kind = 'home' AND a.subject_type = 'employee' AND a.subject_id = h.employee_id
), offs AS (
  -- the declared zone's UTC offset on the day of the event (DST-aware), in hours
  SELECT *, (epoch(timezone(coalesce(tz, $home_tz), observed_at)::TIMESTAMPTZ) - epoch(observed_at)) / 3600.0 AS home_h
  FROM owned WHERE client_h IS NOT NULL
)
SELECT 'employee' AS subject_type, employee_id AS subject_id, min({'f': source_file, 'l': line}).f AS source_file,
  min({'f': source_file, 'l': line}).l AS line, min(observed_at) AS observed_at,
  count(*) || ' RDP session(s) from a client at UTC' || CASE WHEN client_h >= 0 THEN '+' ELSE '' END || client_h
    || ' while the declared home is at UTC' || CASE WHEN any_value(home_h) >= 0 THEN '+' ELSE '' END
    || round(any_value(home_h))::INTEGER AS detail,
  CASE WHEN client_h BETWEEN 7 AND 10 THEN 'strong' ELSE 'medium' END AS strength
FROM offs WHERE abs(client_h - home_h) >= 3
GROUP BY employee_id, client_h
""",
    params=lambda cfg: {"home_tz": cfg.home_timezone},
    samples=(
        positive("RDP clients at UTC+9 (strong) and UTC+3 (medium) drive US laptops", {
            "hosts": _HOSTS, "addresses": _NEW_YORK,
            "endpoint_events": [_rdp("lt-e1.corp.example", 9), _rdp("lt-e2", 3)],
        }, {"E1": "strong", "E2": "medium"}),
        negative("a client in the worker's own zone; an event of another kind", {
            "hosts": _HOSTS, "addresses": _NEW_YORK,
            "endpoint_events": [_rdp("lt-e1", -4), {**_rdp("lt-e2", 9), "event_id": 131}],
        }),
        lookalike("geo_rdp_client_timezone: a client clock an hour or two off", {
            "hosts": _HOSTS, "addresses": _NEW_YORK,
            "endpoint_events": [_rdp("lt-e1", -6), _rdp("lt-e2", -3)],
        }),
    ),
)
