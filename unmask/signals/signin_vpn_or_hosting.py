"""Sign-ins through a commercial VPN, a hosting network or an anonymising proxy (Astrill: signin_astrill)."""

from unmask.signals.base import Signal, lookalike, negative, positive, signin

SIGNAL = Signal(
    id="signin_vpn_or_hosting",
    needs=("hr.employees",),
    uses=("idp.okta", "idp.entra"),
    strength="medium",
    family="network",
    description="Successful sign-ins from a hosting network (medium), or a commercial VPN or proxy "
    "(weak: privacy and travel VPNs are common). Astrill is its own signal, signin_astrill.",
    reference="indicators.md §3.H net_anonymizer_or_hosting_asn; SigmaHQ okta anonymised proxy",
    log_odds=1.0,
    basis=(
        "M in §3.H net_anonymizer_or_hosting_asn for hosting networks; commercial VPN rows W (privacy and "
        "travel VPNs)."
    ),
    sql="""
SELECT 'employee' AS subject_type, employee_id AS subject_id, min({'f': source_file, 'l': line}).f AS source_file,
  min({'f': source_file, 'l': line}).l AS line, min(ts) AS observed_at,
  count(*) || ' sign-in(s) via ' ||
  CASE egress WHEN 'hosting' THEN 'a hosting network'
              WHEN 'vpn' THEN 'a commercial VPN' ELSE 'an anonymising proxy' END
  || ' (' || min({'f': source_file, 'l': line, 'v': coalesce(egress_range, as_org, ip)}).v || ')' AS detail,
  CASE egress WHEN 'hosting' THEN 'medium' ELSE 'weak' END AS strength
FROM signins WHERE egress IN ('hosting', 'vpn', 'proxy')
GROUP BY employee_id, egress
""",
    samples=(
        positive("sign-ins from a hosting network (Astrill is signin_astrill's)", {"signins": [
            signin("E1", "2026-08-03T02:00:00Z", "5.6.7.8", "astrill"),
            signin("E2", "2026-08-03T02:00:00Z", "52.1.2.3", "hosting", as_org="Amazon"),
            signin("E3", "2026-08-03T02:00:00Z", "73.1.2.3"),
        ]}, {"E2": "medium"}),
        negative("from home, and from the office", {"signins": [
            signin("E1", "2026-08-03T02:00:00Z", "73.1.2.3"),
            signin("E1", "2026-08-03T03:00:00Z", "10.1.1.1", "corporate"),
        ]}),
        lookalike("net_anonymizer_or_hosting_asn: a travel VPN, iCloud Private Relay, corporate SASE egress", {
            "signins": [signin("E1", "2026-08-03T02:00:00Z", "45.1.2.3", "vpn"),
                        signin("E2", "2026-08-03T02:00:00Z", "172.224.1.1", "proxy"),
                        signin("E3", "2026-08-03T02:00:00Z", "165.225.1.1", "corporate")],
        }, {"E1": "weak", "E2": "weak"}),
    ),
)
