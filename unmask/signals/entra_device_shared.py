"""One Entra-registered device signs in several unrelated workers: one machine, several people."""

from unmask.signals.base import Signal, lookalike, negative, positive
from unmask.signals.shapes import shared

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
    sql=shared("""
WITH u AS (
  SELECT e.source_file, e.line, e.created AS ts, e.device_id, emp.employee_id,
    coalesce(s.egress = 'corporate', false) AS corporate
  FROM entra_signins e JOIN employees emp ON emp.email = e.upn
  LEFT JOIN signins s ON s.source_file = e.source_file AND s.line = e.line
  WHERE coalesce(e.error_code, 0) = 0 AND nullif(trim(e.device_id), '') IS NOT NULL
    AND e.device_id <> '00000000-0000-0000-0000-000000000000'
), d AS (
  SELECT employee_id, device_id, bool_and(corporate) AS corporate_only FROM u GROUP BY ALL
), holders AS (
  -- A desk used only from the corporate network is an office's shared machine, benign when
  -- both holders only ever use it there.
  SELECT 'employee' AS subject_type, u.employee_id AS subject_id, 'entra_device' AS via, u.device_id AS key,
    u.source_file, u.line, u.ts AS observed_at, CASE WHEN d.corporate_only THEN 'office desk' END AS excuse
  FROM u JOIN d USING (employee_id, device_id)
)""", """
SELECT 'employee' AS subject_type, s.subject_id, s.first_file AS source_file, s.first_line AS line,
  s.first_at AS observed_at,
  'Entra device …' || right(s.key, 6) || ' also signs in ' || s.others || ' other worker(s): '
    || array_to_string(s.who[1:10], ', ')
    || CASE WHEN s.unrelated = 0 THEN ' (same household, or an office desk)' ELSE '' END AS detail,
  CASE WHEN s.unrelated = 0 THEN 'weak' ELSE 'medium' END AS strength,
  s.group_key, 'entra_device' AS via, '…' || right(s.key, 6) AS value_hint
FROM shared s
"""),
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
