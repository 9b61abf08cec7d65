"""The Astrill VPN client on a worker's laptop."""

from unmask.signals.base import Signal

SIGNAL = Signal(
    id="astrill_client",
    needs=("assets.devices",),
    uses=("endpoint.osquery", "endpoint.sysmon"),
    strength="strong",
    family="network",
    description="The Astrill VPN client (program, process or domain) on a worker's laptop.",
    reference="indicators.md §3.H net_astrill_vpn (asproxy, asovpnc); RC, SW, MNDp",
    sql="""
SELECT 'employee' AS subject_type, employee_id AS subject_id, min({'f': source_file, 'l': line}).f AS source_file,
  min({'f': source_file, 'l': line}).l AS line, min(observed_at) AS observed_at,
  'Astrill VPN client on ' || any_value(hostname) || ' (' || any_value(text)[1:80] || ')' AS detail
FROM endpoint_obs
WHERE item IN ('program', 'process', 'dns')
  AND (contains(text, 'astrill') OR regexp_matches(text, '(^|[\\/|])(asproxy|asovpnc)(\\.exe)?($|\\|)'))
GROUP BY employee_id
""",
)
