"""Sign-ins through Astrill, a commercial VPN, a hosting network or an anonymising proxy."""

from unmask.signals.base import Signal

SIGNAL = Signal(
    id="signin_vpn_or_hosting",
    needs=("hr.employees",),
    uses=("idp.okta", "idp.entra"),
    strength="medium",
    family="network",
    description="Successful sign-ins from Astrill VPN (strong), a hosting network (medium), "
    "or a commercial VPN or proxy (weak: privacy and travel VPNs are common).",
    reference="indicators.md §3.H net_astrill_vpn, net_anonymizer_or_hosting_asn; SigmaHQ okta anonymised proxy",
    sql="""
SELECT 'employee' AS subject_type, employee_id AS subject_id, min({'f': source_file, 'l': line}).f AS source_file,
  min({'f': source_file, 'l': line}).l AS line, min(ts) AS observed_at,
  count(*) || ' sign-in(s) via ' ||
  CASE egress WHEN 'astrill' THEN 'Astrill VPN' WHEN 'hosting' THEN 'a hosting network'
              WHEN 'vpn' THEN 'a commercial VPN' ELSE 'an anonymising proxy' END
  || ' (' || coalesce(any_value(egress_range), any_value(as_org), any_value(ip)) || ')' AS detail,
  CASE egress WHEN 'astrill' THEN 'strong' WHEN 'hosting' THEN 'medium' ELSE 'weak' END AS strength
FROM signins WHERE egress IN ('astrill', 'hosting', 'vpn', 'proxy')
GROUP BY employee_id, egress
""",
)
