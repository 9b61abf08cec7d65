"""Something the bundle holds is a known indicator: an e-mail, phone, domain, profile, IP,
bank account or crypto address from ``intel/iocs.csv`` or published on a sanctions list."""

from unmask.signals.base import Signal

SIGNAL = Signal(
    id="ioc_match",
    needs=("hr.employees",),
    uses=("intel.iocs", "hr.candidates", "hr.references", "hr.interviews", "payroll.deposits", "idp.okta",
          "idp.entra"),
    strength="strong",
    family="sanctions",
    description="A worker's or candidate's e-mail, phone, profile, payout account or crypto address is a known "
    "indicator (strong); their e-mail domain or a sign-in or interview IP is one (medium).",
    reference="indicators.md §3.M (IOC matching), §4.1; OFAC remarks 'Digital Currency Address', 'Email "
    "Address', 'Website'; intel/iocs.csv",
    sql=r"""
WITH ioc AS (
  SELECT type AS kind,
    CASE type WHEN 'email' THEN unmask_email(value) WHEN 'phone' THEN unmask_phone(value, NULL)
      WHEN 'domain' THEN regexp_replace(lower(value), '^(https?://)?(www\.)?([^/]+).*$', '\3')
      WHEN 'github' THEN unmask_handle(CASE WHEN value ILIKE '%github.com/%' THEN value ELSE 'github.com/' || value END)
      WHEN 'linkedin' THEN unmask_handle(CASE WHEN value ILIKE '%linkedin.com/in/%' THEN value
                                              ELSE 'linkedin.com/in/' || value END)
      ELSE value END AS v,
    'intel/iocs.csv line ' || line || coalesce(' (' || source || ')', '') AS said_by
  FROM iocs WHERE type IN ('email', 'phone', 'domain', 'github', 'linkedin', 'ip', 'bank_account', 'crypto_address')
  UNION ALL
  SELECT kind, CASE kind WHEN 'email' THEN unmask_email(value) WHEN 'phone' THEN unmask_phone(value, NULL)
      WHEN 'domain' THEN regexp_replace(lower(value), '^(https?://)?(www\.)?([^/]+).*$', '\3')
      WHEN 'crypto_address' THEN token ELSE value END,
    CASE list WHEN 'ofac_sdn' THEN 'OFAC SDN' WHEN 'ofac_cons' THEN 'OFAC Consolidated' WHEN 'un_sc' THEN 'UN SC'
      ELSE list END || ' entry ' || entity_id
  FROM intel_iocs
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
  SELECT 'employee', employee_id, any_value(source_file), min(line), min(ts), 'ip', ip, 'sign-in IP'
  FROM signins GROUP BY employee_id, ip
  UNION ALL
  SELECT 'employee', employee_id, source_file, line, NULL, unnest(['bank_account', 'crypto_address']), account_number,
    'payout account'
  FROM deposits WHERE account_number IS NOT NULL
)
SELECT o.subject_type, o.subject_id, any_value(o.source_file) AS source_file, min(o.line) AS line,
  min(o.observed_at) AS observed_at,
  o.what || CASE WHEN o.kind IN ('bank_account', 'crypto_address') THEN '' ELSE ' ' || o.v END
    || ' is a known indicator: ' || string_agg(DISTINCT i.said_by, '; ') AS detail,
  CASE WHEN o.kind IN ('domain', 'ip') THEN 'medium' ELSE 'strong' END AS strength
FROM obs o JOIN ioc i ON i.kind = o.kind AND i.v = o.v
WHERE o.v IS NOT NULL
GROUP BY o.subject_type, o.subject_id, o.kind, o.v, o.what
""",
)
