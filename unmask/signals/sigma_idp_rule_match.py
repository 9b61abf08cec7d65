"""Matches of the shipped SigmaHQ Okta rules in the Okta System Log (rule id, title, level, author kept)."""

from unmask.signals.base import Signal, lookalike, negative, positive

SIGNAL = Signal(
    id="sigma_idp_rule_match",
    needs=("idp.okta", "hr.employees"),
    strength="weak",
    family="network",
    description="A SigmaHQ Okta rule matched a worker's Okta events, e.g. a session started through an "
    "anonymising proxy (weak whatever the rule's level: a privacy VPN is not a verdict).",
    reference="SigmaHQ rules/identity/okta (DRL 1.1) in unmask/data/sigma; indicators.md §3.H",
    log_odds=0.4,
    basis=(
        "W: §3.H net_anonymizer_or_hosting_asn is M, but a SigmaHQ Okta rule on its own (an anonymising proxy) is"
        " mostly privacy VPNs and corporate SASE."
    ),
    # What is shown is the first event's (by file and line), not any_value: the same on every
    # engine and run.
    sql="""
SELECT 'employee' AS subject_type, e.employee_id AS subject_id, min({'f': s.source_file, 'l': s.line}).f AS source_file,
  min({'f': s.source_file, 'l': s.line}).l AS line, min(s.observed_at) AS observed_at,
  'Sigma "' || r.title || '" (' || r.level || ', id ' || r.rule_id || ', by ' || r.author || '), ' || count(*)
    || ' Okta event(s)'
    || coalesce(': ' || left(min({'f': s.source_file, 'l': s.line, 'v': s.seen}).v, 160), '') AS detail,
  'weak' AS strength
FROM sigma_hits s JOIN sigma_rules r USING (rule_id)
JOIN employees e ON e.email = s.actor_email
WHERE s.actor_email IS NOT NULL
GROUP BY e.employee_id, r.rule_id, r.title, r.level, r.author
""",
    samples=(
        positive("the Okta anonymising-proxy rule matches a worker's session", {
            "sigma_rules": [{"rule_id": "r-okta", "title": "Okta session via proxy", "level": "high", "author": "a"}],
            "employees": [{"employee_id": "E1", "email": "e1@corp.example"},
                          {"employee_id": "E2", "email": "e2@corp.example"}],
            "sigma_hits": [{"actor_email": "e1@corp.example", "rule_id": "r-okta", "seen": "proxy"}],
        }, {"E1": "weak"}),
        negative("a hit by an account that is no worker, and a hit with no actor", {
            "sigma_rules": [{"rule_id": "r-okta", "title": "Okta session via proxy", "level": "high", "author": "a"}],
            "employees": [{"employee_id": "E1", "email": "e1@corp.example"}],
            "sigma_hits": [{"actor_email": "svc-build@corp.example", "rule_id": "r-okta"},
                           {"actor_email": None, "rule_id": "r-okta"}],
        }),
        lookalike("net_anonymizer_or_hosting_asn: iCloud Private Relay trips the proxy rule; it stays weak", {
            "sigma_rules": [{"rule_id": "r-okta", "title": "Okta session via proxy", "level": "critical",
                             "author": "a"}],
            "employees": [{"employee_id": "E1", "email": "e1@corp.example"}],
            "sigma_hits": [{"actor_email": "e1@corp.example", "rule_id": "r-okta", "seen": "iCloud Private Relay"}],
        }, {"E1": "weak"}),
    ),
)
