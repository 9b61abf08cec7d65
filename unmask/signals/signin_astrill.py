"""Sign-ins through Astrill VPN, the VPN named in the public DPRK IT-worker cases."""

from unmask.signals.base import Signal, lookalike, negative, positive, signin

SIGNAL = Signal(
    id="signin_astrill",
    needs=("hr.employees",),
    uses=("idp.okta", "idp.entra"),
    strength="strong",
    family="network",
    description="Successful sign-ins through Astrill VPN, named by the AS, the ISP or the domain the IdP "
    "reports, or by an Astrill address range.",
    reference="indicators.md §3.H net_astrill_vpn; MNDp, RC, SW",
    # Its own likelihood ratio, apart from the generic VPN/hosting signal: the indicator notes grade
    # any Astrill sign-in high by itself; we keep "no single clue": alone it stays just under
    # high, and one corroborating row of another family (hours, shipping, endpoint) makes it high.
    log_odds=2.7,
    basis=(
        "S in §3.H net_astrill_vpn: Astrill is the VPN named in Mandiant's case (MNDp), Red Canary's hunt (RC) "
        "and Secureworks' indicators (SW); indicators.md grades a sign-in through it high on its own. 2.7 "
        "(LR ≈ 15) keeps it under high alone (privacy-minded staff, travellers to China) and lets any "
        "independent corroboration reach high."
    ),
    sql="""
SELECT 'employee' AS subject_type, employee_id AS subject_id, min({'f': source_file, 'l': line}).f AS source_file,
  min({'f': source_file, 'l': line}).l AS line, min(ts) AS observed_at,
  count(*) || ' sign-in(s) via Astrill VPN ('
    || min({'f': source_file, 'l': line, 'v': coalesce(egress_range, as_org, ip)}).v
    || ')' AS detail,
  'strong' AS strength
FROM signins WHERE egress = 'astrill'
GROUP BY employee_id
""",
    samples=(
        positive("sign-ins through Astrill", {"signins": [
            signin("E1", "2026-08-03T02:00:00Z", "5.6.7.8", "astrill"),
            signin("E1", "2026-08-04T02:00:00Z", "5.6.7.9", "astrill"),
            signin("E3", "2026-08-03T02:00:00Z", "73.1.2.3"),
        ]}, {"E1": "strong"}),
        negative("from home, the office and a hosting network", {"signins": [
            signin("E1", "2026-08-03T02:00:00Z", "73.1.2.3"),
            signin("E1", "2026-08-03T03:00:00Z", "10.1.1.1", "corporate"),
            signin("E2", "2026-08-03T02:00:00Z", "52.1.2.3", "hosting", as_org="Amazon"),
        ]}),
        lookalike("net_astrill_vpn: a commercial VPN on a trip and iCloud Private Relay are not Astrill", {
            "signins": [signin("E1", "2026-08-03T02:00:00Z", "45.1.2.3", "vpn"),
                        signin("E2", "2026-08-03T02:00:00Z", "172.224.1.1", "proxy")],
        }),
    ),
)
