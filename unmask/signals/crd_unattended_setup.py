"""Chrome Remote Desktop host registered from the command line with a fixed PIN."""

from unmask.signals.base import Signal

SIGNAL = Signal(
    id="crd_unattended_setup",
    needs=("endpoint.sysmon", "assets.devices"),
    strength="medium",
    family="endpoint",
    description="Chrome Remote Desktop host set up non-interactively (remoting_start_host with --pin).",
    reference="indicators.md §3.F rat_unattended_crd_setup (secondary brief)",
    sql="""
SELECT 'employee' AS subject_type, employee_id AS subject_id, source_file, line, observed_at,
  'Chrome Remote Desktop host registered with a fixed PIN on ' || hostname AS detail
FROM endpoint_obs
WHERE item = 'process' AND contains(text, 'remoting_start_host') AND contains(text, '--pin')
""",
)
