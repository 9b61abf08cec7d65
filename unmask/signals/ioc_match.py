"""Something the bundle holds is a known indicator: an e-mail, phone, domain, profile, IP,
bank account or crypto address from ``intel/iocs.csv`` or published on a sanctions list."""

from unmask.normalise.network import IPV4_INT
from unmask.signals.base import Signal, negative, positive, signin

SIGNAL = Signal(
    id="ioc_match",
    needs=("hr.employees",),
    uses=("intel.iocs", "assets.shipments", "hr.candidates", "hr.references", "hr.interviews", "payroll.deposits",
          "idp.okta",
          "idp.entra"),
    strength="strong",
    family="sanctions",
    description="A worker's or candidate's e-mail, phone, profile, payout account or crypto address is a known "
    "indicator (strong); their e-mail domain, a sign-in or interview IP, or a home or ship-to address that a "
    "sanctions list gives for a listed entity is one (medium).",
    reference="indicators.md §3.M (IOC matching), §4.1; OFAC remarks 'Digital Currency Address', 'Email "
    "Address', 'Website'; intel/iocs.csv",
    # The indicators, made comparable, are ioc_values (normalise/identifiers.py: build_iocs),
    # which ``unmask check`` reads too.
    log_odds=2.0,
    decisive=True,
    decisive_log_odds=4.6,
    basis=(
        "S for a contact or profile that is a known indicator (§3.M; intel/iocs.csv); an IOC can be stale or "
        "reassigned, so not conclusive. Decisive (LR about 100) for a payout to a listed bank account or crypto "
        "address (OFAC 'Digital Currency Address' remarks, §4.1): an exact keyed match, and paying it is itself "
        "the sanctions breach."
    ),
    sql=rf"""
WITH addr AS (
  SELECT 'employee' AS subject_type, employee_id AS subject_id, source_file, line, address_line1 AS street,
    country, 'home address' AS what FROM employees
  UNION ALL SELECT 'candidate', candidate_id, source_file, line, address_line1, country, 'home address'
    FROM candidates
  UNION ALL SELECT 'employee', employee_id, source_file, line, address_line1, country, 'ship-to address'
    FROM shipments WHERE employee_id IS NOT NULL
), obs AS (
  SELECT subject_type, subject_id, source_file, line, NULL::TIMESTAMPTZ AS observed_at,
    CASE WHEN kind LIKE '%email' THEN 'email' WHEN kind LIKE '%phone' THEN 'phone' WHEN kind = 'interview_ip' THEN 'ip'
         WHEN value LIKE 'github.com/%' THEN 'github' WHEN value LIKE 'linkedin.com/%' THEN 'linkedin' END AS kind,
    value AS v, replace(kind, '_', ' ') AS what
  FROM identifiers WHERE kind IN ('personal_email', 'reference_email', 'phone', 'reference_phone', 'profile',
                                  'interview_ip')
  UNION ALL
  SELECT subject_type, subject_id, source_file, line, NULL, 'domain', split_part(value, '@', 2),
    replace(kind, '_', ' ') || ' domain'
  FROM identifiers WHERE kind IN ('personal_email', 'reference_email')
  UNION ALL
  SELECT 'employee', employee_id, min({{'f': source_file, 'l': line}}).f,
    min({{'f': source_file, 'l': line}}).l, min(ts), 'ip', ip, 'sign-in IP'
  FROM signins GROUP BY employee_id, ip
  UNION ALL
  SELECT 'employee', employee_id, source_file, line, NULL, unnest(['bank_account', 'crypto_address']), account_number,
    'payout account'
  FROM deposits WHERE account_number IS NOT NULL
  UNION ALL  -- national IDs, like accounts, are keyed tokens on both sides
  SELECT 'employee', employee_id, source_file, line, NULL, 'national_id', national_id, 'national ID'
  FROM employees WHERE national_id IS NOT NULL
  UNION ALL
  SELECT subject_type, subject_id, source_file, line, NULL, 'address',
    regexp_replace(lower(street), '[^a-z0-9]', '', 'g') || '|' || lower(unmask_country(coalesce(country, 'US'))),
    what || ' "' || street || '"'
  FROM addr WHERE street IS NOT NULL
)
SELECT o.subject_type, o.subject_id, min({{'f': o.source_file, 'l': o.line}}).f AS source_file,
  min({{'f': o.source_file, 'l': o.line}}).l AS line,
  min(o.observed_at) AS observed_at,
  o.what || CASE WHEN o.kind IN ('bank_account', 'crypto_address', 'national_id', 'address') THEN '' ELSE ' ' || o.v END
    || ' is a known indicator: ' || string_agg(DISTINCT i.said_by, '; ') AS detail,
  CASE WHEN o.kind IN ('domain', 'ip', 'address') THEN 'medium' ELSE 'strong' END AS strength,
  -- Decisive: pay going to a listed account or wallet (an e-mail or phone can be stale).
  o.kind IN ('bank_account', 'crypto_address') AS decisive
FROM obs o JOIN ioc_values i ON i.kind = o.kind AND i.v = o.v
WHERE o.v IS NOT NULL
GROUP BY o.subject_type, o.subject_id, o.kind, o.v, o.what
UNION ALL
-- IPv4 ranges of intel/iocs.csv (type cidr): the few ranges against every IP seen.
SELECT o.subject_type, o.subject_id, min({{'f': o.source_file, 'l': o.line}}).f,
  min({{'f': o.source_file, 'l': o.line}}).l, min(o.observed_at),
  o.what || ' ' || o.v || ' is in a known range: ' || string_agg(DISTINCT r.said_by, '; '), 'medium', false
FROM (SELECT *, {IPV4_INT.format(ip="v")} AS n FROM obs WHERE kind = 'ip') o
JOIN (
  SELECT said_by, base >> (32 - bits) << (32 - bits) AS lo,
    (base >> (32 - bits) << (32 - bits)) + (1::BIGINT << (32 - bits)) - 1 AS hi
  FROM (SELECT 'intel/iocs.csv line ' || line || ' ' || value || coalesce(' (' || source || ')', '') AS said_by,
          {IPV4_INT.format(ip="split_part(value, '/', 1)")} AS base,
          least(32, greatest(8, coalesce(try_cast(split_part(value, '/', 2) AS INTEGER), 32))) AS bits
        FROM iocs WHERE type = 'cidr') WHERE base IS NOT NULL
) r ON o.n BETWEEN r.lo AND r.hi
GROUP BY o.subject_type, o.subject_id, o.v, o.what
""",  # noqa: S608 - IPV4_INT is our SQL
    samples=(
        positive("a candidate's e-mail is a known indicator; a worker signs in from a listed range", {
            "identifiers": [{"subject_type": "candidate", "subject_id": "C1", "kind": "personal_email",
                             "value": "devstar@evil.example"},
                            {"subject_type": "candidate", "subject_id": "C2", "kind": "personal_email",
                             "value": "ann@mail.example"}],
            "ioc_values": [{"kind": "email", "v": "devstar@evil.example", "said_by": "intel/iocs.csv line 2"}],
            "iocs": [{"type": "cidr", "value": "203.0.113.0/24", "source": "FBI PSA"}],
            "signins": [signin("E1", "2026-08-03T10:00:00Z", "203.0.113.7"),
                        signin("E2", "2026-08-03T10:00:00Z", "198.51.100.7")],
        }, {"C1": "strong", "E1": "medium"}),
        positive("pay goes to a listed crypto address (decisive) beside a worker paid to an unlisted account", {
            "deposits": [{"employee_id": "E1", "account_number": "tok-wallet-1"},
                         {"employee_id": "E2", "account_number": "tok-acct-2"}],
            "ioc_values": [{"kind": "crypto_address", "v": "tok-wallet-1",
                            "said_by": "us_ofac_sdn entry 43377 'Digital Currency Address - XBT'"}],
        }, {"E1": "strong"}, decisive=["E1"]),
        negative("no value is an indicator", {
            "identifiers": [{"subject_type": "candidate", "subject_id": "C1", "kind": "personal_email",
                             "value": "ann@mail.example"}],
            "ioc_values": [{"kind": "email", "v": "devstar@evil.example", "said_by": "intel/iocs.csv line 2"}],
            "iocs": [{"type": "cidr", "value": "203.0.113.0/24"}],
            "signins": [signin("E1", "2026-08-03T10:00:00Z", "203.0.114.7")],
        }),
    ),
)
