"""Chrome Remote Desktop host registered from the command line with a fixed PIN."""

from unmask.signals.base import Signal, negative, obs, positive

SIGNAL = Signal(
    id="crd_unattended_setup",
    needs=("endpoint.sysmon", "assets.devices"),
    strength="medium",
    family="endpoint",
    description="Chrome Remote Desktop host set up non-interactively (remoting_start_host with --pin).",
    reference="indicators.md §3.F rat_unattended_crd_setup (secondary brief)",
    log_odds=1.0,
    basis=(
        "M: the lower end of M-S in §3.F rat_unattended_crd_setup, which rests on a secondary brief; IT fleet "
        "scripting looks the same."
    ),
    sql="""
SELECT 'employee' AS subject_type, employee_id AS subject_id, source_file, line, observed_at,
  'Chrome Remote Desktop host registered with a fixed PIN on ' || hostname AS detail
FROM endpoint_obs
WHERE item = 'process' AND contains(text, 'remoting_start_host') AND contains(text, '--pin')
""",
    samples=(
        positive("the CRD host registered from a script with a fixed PIN", {"endpoint_obs": [
            obs("E1", "process", "remoting_start_host.exe|c:\\crd\\remoting_start_host.exe|remoting_start_host.exe "
                "--code=4/0ab --redirect-url=https://remotedesktop.google.com/_/oauthredirect --name=lt --pin=123456"),
            obs("E2", "process", "chrome.exe|c:\\chrome\\chrome.exe|chrome.exe --type=renderer"),
        ]}, {"E1": "medium"}),
        negative("the CRD host set up by hand (no PIN on the command line)", {"endpoint_obs": [
            obs("E1", "process", "remoting_start_host.exe|c:\\crd\\remoting_start_host.exe|remoting_start_host.exe "
                "--code=4/0ab --name=lt"),
            obs("E2", "program", "chrome remote desktop host --pin"),
        ]}),
    ),
)
