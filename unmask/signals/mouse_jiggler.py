"""Mouse-jiggler software or a jiggler USB device, keeping a laptop "active"."""

from unmask.signals.base import Signal, lookalike, negative, obs, positive

SIGNAL = Signal(
    id="mouse_jiggler",
    needs=("assets.devices",),
    uses=("endpoint.osquery", "endpoint.sysmon"),
    strength="weak",
    family="endpoint",
    description="Mouse-jiggler software or USB hardware on a worker's laptop (weak: also used to dodge screen locks).",
    reference="indicators.md §3.F rat_mouse_jiggler; MND",
    log_odds=0.4,
    basis="W: the lower end of W-M in §3.F rat_mouse_jiggler (MND); also used to dodge screen locks.",
    sql="""
SELECT 'employee' AS subject_type, employee_id AS subject_id, min({'f': source_file, 'l': line}).f AS source_file,
  min({'f': source_file, 'l': line}).l AS line, min(observed_at) AS observed_at,
  'mouse jiggler on ' || min({'f': source_file, 'l': line, 'v': hostname}).v || ': '
    || left(min({'f': source_file, 'l': line, 'v': text}).v, 80) AS detail
FROM endpoint_obs
WHERE item IN ('program', 'process', 'usb')
  AND regexp_matches(text, 'jiggl|mouse ?mover|move ?mouse|caffeine\\.exe|wiggler')
GROUP BY employee_id
""",
    samples=(
        positive("Mouse Jiggler installed", {"endpoint_obs": [
            obs("E1", "program", "mouse jiggler|2.0"), obs("E2", "program", "microsoft teams"),
        ]}, {"E1": "weak"}),
        negative("ordinary input tools", {"endpoint_obs": [
            obs("E1", "program", "mouse without borders"), obs("E1", "usb", "046d:c52b|logitech|mouse|"),
        ]}),
        lookalike("rat_mouse_jiggler: Caffeine, to keep the screen from locking during a talk; weak", {"endpoint_obs": [
            obs("E1", "process", "caffeine.exe|c:\\tools\\caffeine.exe|"),
        ]}, {"E1": "weak"}),
    ),
)
