"""One MFA device, or one SMS phone, enrolled for several users."""

import json
from typing import Any

from unmask.signals.base import Signal, lookalike, negative, positive
from unmask.signals.shapes import shared


def _enrol(email: str, factor: str, sms: bool = False, outcome: str = "SUCCESS") -> dict[str, Any]:
    """An Okta event of the samples: a device (or an SMS phone) enrolled for a user."""
    device = {"id": "pub-" + factor, "type": "Device", "detailEntry": {"oktaDeviceId": factor}}
    target = {"id": factor, "type": "MobilePhone"} if sms else device
    return {"event_type": "system.sms.send_phone_verification_message" if sms else "device.user.add",
            "actor_email": email, "outcome": outcome, "published": "2026-08-02T15:00:00Z",
            "targets": json.dumps([target, {"id": "u-" + email, "type": "User", "alternateId": email}])}


SIGNAL = Signal(
    id="mfa_device_shared",
    needs=("idp.okta", "hr.employees"),
    strength="strong",
    family="identity",
    description="One MFA device (Okta device.user.add) is enrolled for two or more unrelated workers (strong), "
    "or one SMS phone (system.sms.send_phone_verification_message) verifies them (medium); households and "
    "accounts an admin shares with themself are weak.",
    reference="indicators.md §3.B reuse_shared_mfa_device, reuse_shared_sms_phone; MS2; Okta customer-detections "
    "device_registered_to_multiple_users, phone_registered_to_multiple_users",
    log_odds=2.0,
    basis=(
        "S in §3.B reuse_shared_mfa_device (MS2: one device completing MFA for several accounts); the SMS phone "
        "rows are M (M-S in reuse_shared_sms_phone, family plans look alike)."
    ),
    sql=shared("""
WITH t AS (
  SELECT o.source_file, o.line, o.published AS ts, o.event_type, o.actor_email,
    unnest(from_json(coalesce(o.targets, '[]'),
      '[{"id": "VARCHAR", "type": "VARCHAR", "alternateId": "VARCHAR", "detailEntry": "JSON"}]')) AS tg
  FROM okta_events o
  WHERE o.event_type IN ('device.user.add', 'system.sms.send_phone_verification_message')
    AND o.outcome IS DISTINCT FROM 'FAILURE'
), ev AS (
  -- The enrolled user is the target of type User when there is one, else the actor.
  SELECT source_file, line, ts, event_type,
    coalesce(max(lower(tg.alternateId)) FILTER (WHERE tg.type = 'User'), any_value(actor_email)) AS email,
    coalesce(
      max(coalesce(json_extract_string(tg.detailEntry, '$.oktaDeviceId'), tg.id)) FILTER (WHERE tg.type = 'Device'),
      max(tg.id) FILTER (WHERE tg.type = 'MobilePhone')) AS factor
  FROM t GROUP BY source_file, line, ts, event_type
), holders AS (
  SELECT 'employee' AS subject_type, e.employee_id AS subject_id,
    CASE WHEN event_type = 'device.user.add' THEN 'mfa_device' ELSE 'sms_phone' END AS via,
    ev.factor AS key, ev.source_file, ev.line, ev.ts AS observed_at, NULL AS excuse
  FROM ev JOIN employees e ON e.email = ev.email WHERE factor IS NOT NULL
)""", """
SELECT 'employee' AS subject_type, s.subject_id, s.first_file AS source_file, s.first_line AS line,
  s.first_at AS observed_at,
  CASE s.via WHEN 'mfa_device' THEN 'MFA device' ELSE 'SMS phone' END || ' ' || right(s.key, 6)
    || ' is also enrolled for ' || s.others || ' other worker(s): ' || array_to_string(s.who[1:10], ', ')
    || CASE WHEN s.unrelated = 0 THEN ' (same household)' ELSE '' END AS detail,
  CASE WHEN s.unrelated = 0 THEN 'weak' WHEN s.via = 'sms_phone' THEN 'medium' ELSE 'strong' END AS strength,
  s.group_key, s.via, '…' || right(s.key, 6) AS value_hint
FROM shared s
"""),
    samples=(
        positive("one MFA device enrolled for two workers, one SMS phone verifying two others", {
            "employees": [{"employee_id": f"E{i}", "email": f"e{i}@corp.example"} for i in range(1, 6)],
            "okta_events": [_enrol("e1@corp.example", "od-1"), _enrol("e2@corp.example", "od-1"),
                            _enrol("e3@corp.example", "ph-1", sms=True), _enrol("e4@corp.example", "ph-1", sms=True),
                            _enrol("e5@corp.example", "od-5")],
        }, {"E1": "strong", "E2": "strong", "E3": "medium", "E4": "medium"}),
        negative("a device each; a failed enrolment of another's device", {
            "employees": [{"employee_id": f"E{i}", "email": f"e{i}@corp.example"} for i in range(1, 3)],
            "okta_events": [_enrol("e1@corp.example", "od-1"), _enrol("e2@corp.example", "od-2"),
                            _enrol("e2@corp.example", "od-1", outcome="FAILURE")],
        }),
        lookalike("reuse_shared_sms_phone: a family plan shared by spouses who both work there", {
            "employees": [{"employee_id": f"E{i}", "email": f"e{i}@corp.example"} for i in range(1, 3)],
            "okta_events": [_enrol("e1@corp.example", "ph-1", sms=True), _enrol("e2@corp.example", "ph-1", sms=True)],
            "households": [{"a": "E1", "b": "E2", "kind": "spouse"}, {"a": "E2", "b": "E1", "kind": "spouse"}],
        }, {"E1": "weak", "E2": "weak"}),
    ),
)
