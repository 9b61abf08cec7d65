"""The Astrill VPN client on a worker's laptop."""

from unmask.signals.base import Signal, negative, obs, positive

SIGNAL = Signal(
    id="astrill_client",
    needs=("assets.devices",),
    uses=("endpoint.osquery", "endpoint.sysmon"),
    strength="strong",
    family="network",
    description="The Astrill VPN client (program, process or domain) on a worker's laptop.",
    reference="indicators.md §3.H net_astrill_vpn (asproxy, asovpnc); RC, SW, MNDp",
    log_odds=2.0,
    basis=(
        "S in §3.H net_astrill_vpn (RC, SW, MNDp: the VPN most consistently named); travellers to China and "
        "privacy-minded staff use it too, so one row is not conclusive."
    ),
    sql="""
SELECT 'employee' AS subject_type, employee_id AS subject_id, min({'f': source_file, 'l': line}).f AS source_file,
  min({'f': source_file, 'l': line}).l AS line, min(observed_at) AS observed_at,
  'Astrill VPN client on ' || min({'f': source_file, 'l': line, 'v': hostname}).v || ' ('
    || left(min({'f': source_file, 'l': line, 'v': text}).v, 80) || ')' AS detail
FROM endpoint_obs
WHERE item IN ('program', 'process', 'dns')
  AND (contains(text, 'astrill') OR regexp_matches(text, '(^|[\\/|])(asproxy|asovpnc)(\\.exe)?($|\\|)'))
GROUP BY employee_id
""",
    samples=(
        positive("the Astrill client installed, and its tunnel process running", {"endpoint_obs": [
            obs("E1", "program", "astrill vpn|3.10"),
            obs("E2", "process", "asovpnc.exe|c:\\program files\\vpn\\asovpnc.exe|"),
            obs("E3", "program", "nordvpn|7.1"),
        ]}, {"E1": "strong", "E2": "strong"}),
        negative("another VPN; a process whose name only contains 'asproxy'; a USB device", {"endpoint_obs": [
            obs("E1", "program", "nordvpn|7.1"), obs("E1", "process", "gasproxy.exe|c:\\games\\gasproxy.exe|"),
            obs("E2", "usb", "astrill token"),
        ]}),
    ),
)
