"""Pay goes to an account whose holder is not the worker (fuzzy, nickname- and joint-aware)."""

from unmask.signals.base import Signal, lookalike, negative, positive

SIGNAL = Signal(
    id="account_holder_mismatch",
    needs=("payroll.deposits", "hr.employees"),
    strength="strong",
    family="payroll",
    description="The account holder's name does not match the worker's legal name.",
    reference="indicators.md §3.K pay_account_holder_mismatch; JP (MPD case)",
    log_odds=2.0,
    basis=(
        "S in §3.K pay_account_holder_mismatch (JP: the MPD case, a holder who keeps ~10 %; DOJ24a: wages to the "
        "facilitator). Joint and spouse's accounts are the look-alike; a holder with the worker's surname is "
        "downgraded to weak."
    ),
    sql="""
WITH d AS (
  SELECT d.*, e.full_name,
    -- A contractor billing through the company HR declares for them is paid as declared: the
    -- claim and the observation agree (whether that company is listed is screening's question).
    coalesce(e.employment_type = 'contractor'
             AND unmask_name_sim(e.vendor_company, d.account_holder_name) >= 0.85, false) AS own_firm
  FROM deposits d JOIN employees e USING (employee_id)
  WHERE d.account_holder_name IS NOT NULL
    AND d.method IN ('direct_deposit', 'wire', 'paycard', 'platform')
    AND unmask_name_sim(e.full_name, d.account_holder_name) < 0.85
), r AS (
  -- A declared household member who holds the account, matched by an inner join and a WHERE
  -- before the LEFT JOIN below: Spark takes no Python scalar in an outer join's ON clause.
  SELECT k.employee_id, k.account_holder_name, m.kind
  FROM (SELECT DISTINCT employee_id, account_holder_name FROM d) k
  JOIN (SELECT h.a, p.full_name, any_value(h.kind) AS kind FROM households h
        JOIN employees p ON p.employee_id = h.b GROUP BY ALL) m ON m.a = k.employee_id
  WHERE unmask_name_sim(m.full_name, k.account_holder_name) >= 0.85
)
SELECT 'employee' AS subject_type, d.employee_id AS subject_id, d.source_file, d.line,
  d.effective_date::TIMESTAMPTZ AS observed_at,
  'account holder "' || d.account_holder_name || '" is not the worker "' || d.full_name || '"'
    || CASE WHEN r.kind IS NOT NULL THEN ' (declared ' || r.kind || ')'
            WHEN d.own_firm THEN ' (the contractor''s own declared company)'
            WHEN unmask_surname(d.account_holder_name) = unmask_surname(d.full_name) THEN ' (same surname: a relative?)'
            ELSE '' END AS detail,
  CASE WHEN r.kind IS NOT NULL OR d.own_firm OR unmask_surname(d.account_holder_name) = unmask_surname(d.full_name)
       THEN 'weak' ELSE 'strong' END AS strength
FROM d LEFT JOIN r ON r.employee_id = d.employee_id AND r.account_holder_name = d.account_holder_name
""",
    samples=(
        positive("pay goes to an account held by a stranger, or by a company HR never declared", {
            "employees": [{"employee_id": "E1", "full_name": "Ann Lee"},
                          {"employee_id": "E2", "full_name": "Robert Stone"},
                          {"employee_id": "E3", "full_name": "Bo Park", "employment_type": "contractor",
                           "vendor_company": "Park Software Inc."}],
            "deposits": [
                {"employee_id": "E1", "method": "direct_deposit", "account_holder_name": "Kim Song"},
                {"employee_id": "E2", "method": "direct_deposit", "account_holder_name": "Bob Stone"},
                {"employee_id": "E3", "method": "platform", "account_holder_name": "Hong Kong Sino Trade Ltd"},
            ],
        }, {"E1": "strong", "E3": "strong"}),
        negative("the holder is the worker, written another way; a cheque names no holder", {
            "employees": [{"employee_id": "E1", "full_name": "Ann Lee"}],
            "deposits": [
                {"employee_id": "E1", "method": "direct_deposit", "account_holder_name": "LEE, ANN"},
                {"employee_id": "E1", "method": "check", "account_holder_name": "Kim Song"},
            ],
        }),
        lookalike("pay_account_holder_mismatch: the spouse's account (same surname)", {
            "employees": [{"employee_id": "E1", "full_name": "Ann Lee"}],
            "deposits": [{"employee_id": "E1", "method": "direct_deposit", "account_holder_name": "Tom Lee"}],
        }, {"E1": "weak"}),
        lookalike("pay_account_holder_mismatch: a contractor paid through their own declared company", {
            "employees": [{"employee_id": "E1", "full_name": "Ann Lee", "employment_type": "contractor",
                           "vendor_company": "Lee Consulting LLC"},
            ],
            "deposits": [{"employee_id": "E1", "method": "direct_deposit",
                          "account_holder_name": "LEE CONSULTING LLC"}],
        }, {"E1": "weak"}),
        lookalike("pay_account_holder_mismatch: a declared partner's account", {
            "employees": [{"employee_id": "E1", "full_name": "Ann Lee"},
                          {"employee_id": "E2", "full_name": "Maria Gonzalez"}],
            "deposits": [{"employee_id": "E1", "method": "wire", "account_holder_name": "Maria Gonzalez"}],
            "households": [{"a": "E1", "b": "E2", "kind": "partner"}],
        }, {"E1": "weak"}),
    ),
)
