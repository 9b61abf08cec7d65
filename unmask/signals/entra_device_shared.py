"""One Entra-registered device signs in several unrelated workers: one machine, several people."""

from unmask.signals.base import Signal, lookalike, negative, positive

SIGNAL = Signal(
    id="entra_device_shared",
    needs=("idp.entra", "hr.employees"),
    strength="medium",
    family="identity",
    description="One Entra device ID (deviceDetail.deviceId of successful sign-ins) signs in two or more "
    "unrelated workers from outside the office (medium: a remote worker's registered laptop is theirs alone); "
    "a desk used from the corporate network, or a household, is weak.",
    reference="indicators.md §3.B (one device, several identities), §3.H laptop farm; Entra sign-in log "
    "deviceDetail",
    log_odds=1.0,
    basis=(
        "M: the lower end of M-S in §3.B reuse_same_device_token_behind_proxy (Elastic rule, >= 3 users); shared "
        "kiosks and VDI gateways look alike, and this signal also counts two users."
    ),
    sql="""
WITH u AS (
  SELECT e.source_file, e.line, e.created AS ts, e.device_id, emp.employee_id,
    coalesce(s.egress = 'corporate', false) AS corporate
  FROM entra_signins e JOIN employees emp ON emp.email = e.upn
  LEFT JOIN signins s ON s.source_file = e.source_file AND s.line = e.line
  WHERE coalesce(e.error_code, 0) = 0 AND nullif(trim(e.device_id), '') IS NOT NULL
    AND e.device_id <> '00000000-0000-0000-0000-000000000000'
), d AS (
  SELECT employee_id, device_id, bool_and(corporate) AS corporate_only FROM u GROUP BY ALL
), per AS (
  SELECT x.employee_id AS a, x.device_id, count(DISTINCT y.employee_id) AS others,
    count(DISTINCT y.employee_id) FILTER (WHERE NOT EXISTS (
      SELECT 1 FROM households h WHERE h.a = x.employee_id AND h.b = y.employee_id)
      AND NOT (x.corporate_only AND y.corporate_only)) AS unrelated,
    list(DISTINCT y.employee_id ORDER BY y.employee_id) AS who
  FROM d x JOIN d y ON x.device_id = y.device_id AND x.employee_id <> y.employee_id
  GROUP BY ALL
)
SELECT 'employee' AS subject_type, per.a AS subject_id, min({'f': u.source_file, 'l': u.line}).f AS source_file,
  min({'f': u.source_file, 'l': u.line}).l AS line,
  min(u.ts) AS observed_at,
  'Entra device …' || right(per.device_id, 6) || ' also signs in ' || any_value(per.others) || ' other worker(s): '
    || array_to_string(any_value(per.who)[1:10], ', ')
    || CASE WHEN any_value(per.unrelated) = 0 THEN ' (same household, or an office desk)' ELSE '' END AS detail,
  CASE WHEN any_value(per.unrelated) = 0 THEN 'weak' ELSE 'medium' END AS strength,
  CASE WHEN any_value(per.unrelated) > 0 THEN 'device:' || md5(per.device_id) END AS group_key,
  'entra_device' AS via, '…' || right(per.device_id, 6) AS value_hint
FROM per JOIN u ON u.employee_id = per.a AND u.device_id = per.device_id
GROUP BY per.a, per.device_id
""",
    samples=(
        positive("one laptop's Entra device ID signs in two unrelated remote workers", {
            "employees": [{"employee_id": "E1", "email": "e1@corp.example"},
                          {"employee_id": "E2", "email": "e2@corp.example"},
                          {"employee_id": "E3", "email": "e3@corp.example"}],
            "entra_signins": [
                {"upn": "e1@corp.example", "device_id": "dev-1", "error_code": 0, "created": "2026-08-02T14:00:00Z"},
                {"upn": "e2@corp.example", "device_id": "dev-1", "error_code": 0, "created": "2026-08-02T20:00:00Z"},
                {"upn": "e3@corp.example", "device_id": "dev-3", "error_code": 0, "created": "2026-08-02T20:00:00Z"},
            ],
        }, {"E1": "medium", "E2": "medium"}),
        negative("own devices; the all-zero placeholder ID; a failed sign-in", {
            "employees": [{"employee_id": "E1", "email": "e1@corp.example"},
                          {"employee_id": "E2", "email": "e2@corp.example"}],
            "entra_signins": [
                {"upn": "e1@corp.example", "device_id": "dev-1", "error_code": 0},
                {"upn": "e2@corp.example", "device_id": "dev-2", "error_code": 0},
                {"upn": "e1@corp.example", "device_id": "00000000-0000-0000-0000-000000000000", "error_code": 0},
                {"upn": "e2@corp.example", "device_id": "00000000-0000-0000-0000-000000000000", "error_code": 0},
                {"upn": "e2@corp.example", "device_id": "dev-1", "error_code": 50126},
            ],
        }),
        lookalike("reuse_same_device_token_behind_proxy: a shared desk in the office, on the corporate network", {
            "employees": [{"employee_id": "E1", "email": "e1@corp.example"},
                          {"employee_id": "E2", "email": "e2@corp.example"}],
            "entra_signins": [
                {"source_file": "entra.json", "line": 1, "upn": "e1@corp.example", "device_id": "desk-7",
                 "error_code": 0},
                {"source_file": "entra.json", "line": 2, "upn": "e2@corp.example", "device_id": "desk-7",
                 "error_code": 0},
            ],
            "signins": [{"source_file": "entra.json", "line": 1, "employee_id": "E1", "egress": "corporate"},
                        {"source_file": "entra.json", "line": 2, "employee_id": "E2", "egress": "corporate"}],
        }, {"E1": "weak", "E2": "weak"}),
    ),
)
